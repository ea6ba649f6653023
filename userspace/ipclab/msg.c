// SPDX-License-Identifier: GPL-2.0
/*
 * Message queues: SysV (msgget/msgsnd/msgrcv) and POSIX (mq_open...).
 * Each message is one queue entry; the consumer blocks in the queue's
 * receive (do_msgrcv, do_mq_timedreceive) until the producer's send
 * hands it one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "mechs.h"
#include "lib/libtaskstate.h"

#define MSGMAX_PATH	"/proc/sys/kernel/msgmax"
#define MSGMNB_PATH	"/proc/sys/kernel/msgmnb"
#define MQ_MSGSIZE_PATH	"/proc/sys/fs/mqueue/msgsize_max"
#define MQ_MSGMAX_PATH	"/proc/sys/fs/mqueue/msg_max"

/* ---- SysV ---- */

struct lab_msgbuf {
	long mtype;
	char mtext[];
};

static uint64_t sysv_msg_max(const struct lab *lab, const char **limit)
{
	uint64_t max = lab_proc_u64(MSGMAX_PATH, 8192);
	uint64_t mnb = lab_proc_u64(MSGMNB_PATH, 16384);

	(void)lab;
	/* A queue must hold at least one message, or msgsnd waits forever. */
	if (mnb < max) {
		*limit = MSGMNB_PATH;
		return mnb;
	}
	*limit = MSGMAX_PATH;
	return max;
}

static void sysv_msg_setup(struct lab *lab)
{
	/* IPC_PRIVATE: a new queue no other run can find, hence no clash. */
	lab->id[0] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (lab->id[0] < 0)
		die_errno("msgget");
	lab_cleanup_id(LAB_OBJ_SYSV_MSG, lab->id[0]);
}

static void sysv_msg_sender(struct lab *lab)
{
	struct lab_msgbuf *m = lab_alloc(sizeof(*m) + lab->o.size);

	m->mtype = 1;
	for (uint64_t i = 0; i < lab->o.messages; i++) {
		lab_pattern(m->mtext, lab->o.size, i);
		lab_pace(lab);
		while (msgsnd(lab->id[0], m, lab->o.size, 0)) {
			if (errno != EINTR)
				die_errno("msgsnd");
		}
		lab_sent(lab, m->mtext, lab->o.size);
	}
	free(m);
}

static void sysv_msg_receiver(struct lab *lab)
{
	struct lab_msgbuf *m = lab_alloc(sizeof(*m) + lab->o.size);

	for (uint64_t i = 0; i < lab->o.messages; i++) {
		ssize_t n;

		while ((n = msgrcv(lab->id[0], m, lab->o.size, 0, 0)) < 0) {
			if (errno != EINTR)
				die_errno("msgrcv");
		}
		lab_received(lab, m->mtext, n);
	}
	free(m);
}

const struct lab_mech lab_sysv_msg = {
	.name = "sysv-msg",
	.summary = N_("a System V message queue (msgsnd/msgrcv)"),
	.role = { "producer", "consumer" },
	.default_size = 64,
	.max_size = sysv_msg_max,
	.setup = sysv_msg_setup,
	.sender = sysv_msg_sender,
	.receiver = sysv_msg_receiver,
	.help = N_("\nA message may be at most /proc/sys/kernel/msgmax bytes.\n"),
};

/* ---- POSIX ---- */

static uint64_t posix_mq_max(const struct lab *lab, const char **limit)
{
	(void)lab;
	*limit = N_("the queue's mq_msgsize, at most /proc/sys/fs/mqueue/msgsize_max");
	return lab_proc_u64(MQ_MSGSIZE_PATH, 8192);
}

static void posix_mq_setup(struct lab *lab)
{
	uint64_t maxmsg = lab_proc_u64(MQ_MSGMAX_PATH, 10);
	struct mq_attr attr = {
		.mq_maxmsg = maxmsg < 10 ? (long)maxmsg : 10,
		.mq_msgsize = (long)lab->o.size,
	};
	mqd_t q;

	lab_unique_name(lab->name, sizeof(lab->name), "/");
	lab_cleanup_name(LAB_OBJ_POSIX_MQ, lab->name);
	q = mq_open(lab->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600,
		    &attr);
	if (q == (mqd_t)-1)
		die_errno("mq_open(%s)", lab->name);
	lab->fd[0] = q;
}

static void posix_mq_sender(struct lab *lab)
{
	char *buf = lab_alloc(lab->o.size);

	for (uint64_t i = 0; i < lab->o.messages; i++) {
		lab_pattern(buf, lab->o.size, i);
		lab_pace(lab);
		while (mq_send(lab->fd[0], buf, lab->o.size, 0)) {
			if (errno != EINTR)
				die_errno("mq_send");
		}
		lab_sent(lab, buf, lab->o.size);
	}
	free(buf);
}

static void posix_mq_receiver(struct lab *lab)
{
	/* mq_receive wants room for the largest message the queue takes. */
	char *buf = lab_alloc(lab->o.size);

	for (uint64_t i = 0; i < lab->o.messages; i++) {
		ssize_t n;

		while ((n = mq_receive(lab->fd[0], buf, lab->o.size, NULL)) < 0) {
			if (errno != EINTR)
				die_errno("mq_receive");
		}
		lab_received(lab, buf, n);
	}
	free(buf);
}

static void posix_mq_teardown(struct lab *lab)
{
	if (mq_close(lab->fd[0]))
		die_errno("mq_close");
	lab->fd[0] = -1;
}

const struct lab_mech lab_posix_mq = {
	.name = "posix-mq",
	.summary = N_("a POSIX message queue in /dev/mqueue (mq_send/mq_receive)"),
	.role = { "producer", "consumer" },
	.default_size = 64,
	.max_size = posix_mq_max,
	.setup = posix_mq_setup,
	.sender = posix_mq_sender,
	.receiver = posix_mq_receiver,
	.teardown = posix_mq_teardown,
	.help = N_("\nA message may be at most /proc/sys/fs/mqueue/msgsize_max bytes.\n"),
};
