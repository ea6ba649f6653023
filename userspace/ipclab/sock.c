// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets: AF_UNIX stream (a socket file in /tmp), AF_UNIX datagram,
 * socketpair(), and TCP over loopback.  The consumer blocks in the
 * protocol's receive (unix_stream_read_generic, the datagram wait,
 * tcp_recvmsg_locked) until the producer's send queues data for it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mechs.h"
#include "lib/libtaskstate.h"

static int new_socket(int domain, int type)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die_errno("socket");
	return fd;
}

static void close_or_die(int fd, const char *what)
{
	if (close(fd))
		die_errno("close(%s)", what);
}

static void close_fds(struct lab *lab)
{
	for (int i = 0; i < 4; i++) {
		if (lab->fd[i] >= 0)
			close_or_die(lab->fd[i], "socket");
		lab->fd[i] = -1;
	}
}

static struct sockaddr_un unix_addr(const struct lab *lab)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if (strlen(lab->name) >= sizeof(a.sun_path))
		die(_("socket path too long: %s"), lab->name);
	strcpy(a.sun_path, lab->name);
	return a;
}

/* A socket file with a unique name, registered before it exists. */
static int unix_bound(struct lab *lab, int type)
{
	struct sockaddr_un a;
	int fd = new_socket(AF_UNIX, type);

	lab_unique_name(lab->name, sizeof(lab->name), "/tmp/");
	lab_cleanup_name(LAB_OBJ_PATH, lab->name);
	a = unix_addr(lab);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die_errno("bind(%s)", lab->name);
	return fd;
}

/* The receiver of a connection: accept (waiting for it), then read. */
static void accept_and_receive(struct lab *lab)
{
	int fd;

	while ((fd = accept4(lab->fd[0], NULL, NULL, SOCK_CLOEXEC)) < 0)
		if (errno != EINTR)
			die_errno("accept");
	lab_receive_stream(lab, fd, _("read from socket"));
	close_or_die(fd, "connection");
}

/* ---- unix-stream ---- */

static void unix_stream_setup(struct lab *lab)
{
	lab->fd[0] = unix_bound(lab, SOCK_STREAM);
	if (listen(lab->fd[0], 1))
		die_errno("listen(%s)", lab->name);
}

static void unix_stream_sender(struct lab *lab)
{
	struct sockaddr_un a = unix_addr(lab);
	int fd = new_socket(AF_UNIX, SOCK_STREAM);

	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die_errno("connect(%s)", lab->name);
	lab_send_stream(lab, fd, _("write to socket"));
	close_or_die(fd, "socket");
}

const struct lab_mech lab_unix_stream = {
	.name = "unix-stream",
	.summary = N_("an AF_UNIX stream socket bound to a file in /tmp"),
	.role = { "client", "server" },
	.default_size = 64,
	.setup = unix_stream_setup,
	.sender = unix_stream_sender,
	.receiver = accept_and_receive,
	.teardown = close_fds,
};

/* ---- unix-dgram ---- */

/* A datagram travels whole: it must fit in the sender's buffer. */
static uint64_t unix_dgram_max(const struct lab *lab, const char **limit)
{
	int fd = new_socket(AF_UNIX, SOCK_DGRAM), sndbuf;
	socklen_t len = sizeof(sndbuf);

	(void)lab;
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len))
		die_errno("getsockopt(SO_SNDBUF)");
	close_or_die(fd, "socket");
	/* unix_dgram_sendmsg(): EMSGSIZE above sk_sndbuf - 32. */
	*limit = N_("the AF_UNIX datagram limit: SO_SNDBUF - 32, see /proc/sys/net/core/wmem_default");
	return sndbuf > 32 ? (uint64_t)sndbuf - 32 : 1;
}

static void unix_dgram_setup(struct lab *lab)
{
	/* Bound before the sender exists: its first datagram has a home. */
	lab->fd[0] = unix_bound(lab, SOCK_DGRAM);
	lab->fd[1] = new_socket(AF_UNIX, SOCK_DGRAM);
}

static void unix_dgram_sender(struct lab *lab)
{
	struct sockaddr_un a = unix_addr(lab);
	char *buf = lab_alloc(lab->o.size);

	for (uint64_t i = 0; i < lab->o.messages; i++) {
		lab_pattern(buf, lab->o.size, i);
		lab_pace(lab);
		while (sendto(lab->fd[1], buf, lab->o.size, 0,
			      (struct sockaddr *)&a, sizeof(a)) < 0)
			if (errno != EINTR)
				die_errno("sendto(%s)", lab->name);
		lab_sent(lab, buf, lab->o.size);
	}
	free(buf);
}

static void unix_dgram_receiver(struct lab *lab)
{
	char *buf = lab_alloc(lab->o.size);

	for (uint64_t i = 0; i < lab->o.messages; i++) {
		ssize_t n;

		/* MSG_TRUNC: the datagram's real length, to catch a cut one. */
		while ((n = recv(lab->fd[0], buf, lab->o.size, MSG_TRUNC)) < 0)
			if (errno != EINTR)
				die_errno("recv(%s)", lab->name);
		lab_received(lab, buf, n);
	}
	free(buf);
}

const struct lab_mech lab_unix_dgram = {
	.name = "unix-dgram",
	.summary = N_("AF_UNIX datagrams to a socket file in /tmp"),
	.role = { "sender", "receiver" },
	.default_size = 64,
	.max_size = unix_dgram_max,
	.setup = unix_dgram_setup,
	.sender = unix_dgram_sender,
	.receiver = unix_dgram_receiver,
	.teardown = close_fds,
};

/* ---- socketpair ---- */

static void socketpair_setup(struct lab *lab)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, lab->fd))
		die_errno("socketpair");
}

static void socketpair_sender(struct lab *lab)
{
	lab_send_stream(lab, lab->fd[0], _("write to socketpair"));
}

static void socketpair_receiver(struct lab *lab)
{
	lab_receive_stream(lab, lab->fd[1], _("read from socketpair"));
}

const struct lab_mech lab_socketpair = {
	.name = "socketpair",
	.summary = N_("a connected pair of AF_UNIX stream sockets, no file"),
	.role = { "producer", "consumer" },
	.default_size = 64,
	.setup = socketpair_setup,
	.sender = socketpair_sender,
	.receiver = socketpair_receiver,
	.teardown = close_fds,
	.anonymous = true,
};

/* ---- tcp ---- */

static void tcp_setup(struct lab *lab)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = 0,		/* ephemeral: never clashes */
	};
	socklen_t len = sizeof(a);

	lab->fd[0] = new_socket(AF_INET, SOCK_STREAM);
	if (bind(lab->fd[0], (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lab->fd[0], 1))
		die_errno("bind/listen on 127.0.0.1");
	if (getsockname(lab->fd[0], (struct sockaddr *)&a, &len))
		die_errno("getsockname");
	lab->id[0] = ntohs(a.sin_port);
}

static void tcp_sender(struct lab *lab)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = htons(lab->id[0]),
	};
	int fd = new_socket(AF_INET, SOCK_STREAM), one = 1;

	/* Each message leaves at once rather than waiting for company. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die_errno("setsockopt(TCP_NODELAY)");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die_errno("connect(127.0.0.1:%d)", lab->id[0]);
	lab_send_stream(lab, fd, _("write to TCP"));
	close_or_die(fd, "TCP socket");
}

const struct lab_mech lab_tcp = {
	.name = "tcp",
	.summary = N_("TCP over loopback (127.0.0.1, an ephemeral port)"),
	.role = { "client", "server" },
	.default_size = 64,
	.setup = tcp_setup,
	.sender = tcp_sender,
	.receiver = accept_and_receive,
	.teardown = close_fds,
	.anonymous = true,
};
