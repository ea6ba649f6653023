// SPDX-License-Identifier: GPL-2.0
/*
 * pipe and fifo: a byte stream through the pipe buffer.  The consumer
 * blocks in pipe_read until the producer's write wakes it; with a FIFO
 * both first meet in open() (fifo_open), which waits for the other end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mechs.h"
#include "lib/libtaskstate.h"

static void pipe_setup(struct lab *lab)
{
	if (pipe2(lab->fd, O_CLOEXEC))
		die_errno("pipe2");
}

static void pipe_sender(struct lab *lab)
{
	lab_send_stream(lab, lab->fd[1], _("write to pipe"));
}

static void pipe_receiver(struct lab *lab)
{
	lab_receive_stream(lab, lab->fd[0], _("read from pipe"));
}

/* Both ends stay open in every participant until the end: never EOF early. */
static void close_fds(struct lab *lab)
{
	for (int i = 0; i < 4; i++) {
		if (lab->fd[i] >= 0 && close(lab->fd[i]))
			die_errno("close");
		lab->fd[i] = -1;
	}
}

const struct lab_mech lab_pipe = {
	.name = "pipe",
	.summary = N_("an anonymous pipe"),
	.role = { "producer", "consumer" },
	.default_size = 64,
	.setup = pipe_setup,
	.sender = pipe_sender,
	.receiver = pipe_receiver,
	.teardown = close_fds,
	.anonymous = true,
};

static void fifo_setup(struct lab *lab)
{
	lab_unique_name(lab->name, sizeof(lab->name), "/tmp/");
	lab_cleanup_name(LAB_OBJ_PATH, lab->name);
	if (mkfifo(lab->name, 0600))
		die_errno("mkfifo(%s)", lab->name);
}

/* Each participant opens its own end: open() waits for the other one. */
static int fifo_open(struct lab *lab, int flags)
{
	int fd = open(lab->name, flags | O_CLOEXEC);

	if (fd < 0)
		die_errno("open(%s)", lab->name);
	return fd;
}

static void fifo_sender(struct lab *lab)
{
	int fd = fifo_open(lab, O_WRONLY);

	lab_send_stream(lab, fd, _("write to FIFO"));
	if (close(fd))
		die_errno("close(%s)", lab->name);
}

static void fifo_receiver(struct lab *lab)
{
	int fd = fifo_open(lab, O_RDONLY);

	lab_receive_stream(lab, fd, _("read from FIFO"));
	if (close(fd))
		die_errno("close(%s)", lab->name);
}

const struct lab_mech lab_fifo = {
	.name = "fifo",
	.summary = N_("a named pipe (FIFO) in /tmp"),
	.role = { "producer", "consumer" },
	.default_size = 64,
	.setup = fifo_setup,
	.sender = fifo_sender,
	.receiver = fifo_receiver,
};
