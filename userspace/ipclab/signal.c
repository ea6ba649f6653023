// SPDX-License-Identifier: GPL-2.0
/*
 * signal: the sender queues real-time signals (sigqueue, or
 * pthread_sigqueue to a thread) each carrying one message in its value;
 * the receiver keeps the signal blocked and takes it with sigwaitinfo(),
 * blocking in do_sigtimedwait until the signal arrives.  Real-time
 * signals queue, so none is merged away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "mechs.h"
#include "lib/libtaskstate.h"

#define LAB_SIGNAL (SIGRTMIN + 1)

static uint64_t signal_max(const struct lab *lab, const char **limit)
{
	(void)lab;
	*limit = N_("sizeof(union sigval), the value a queued signal carries");
	return sizeof(union sigval);
}

/* Blocked in the coordinator, so every participant inherits it blocked. */
static void signal_setup(struct lab *lab)
{
	sigset_t set;

	(void)lab;
	sigemptyset(&set);
	sigaddset(&set, LAB_SIGNAL);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		die_errno("sigprocmask");
}

static void signal_sender(struct lab *lab)
{
	union sigval v;
	int err;

	for (uint64_t i = 0; i < lab->o.messages; i++) {
		memset(&v, 0, sizeof(v));
		lab_pattern(&v, lab->o.size, i);
		lab_pace(lab);
		if (lab->o.threads) {
			err = pthread_sigqueue(lab->thread[LAB_RECEIVER],
					       LAB_SIGNAL, v);
			if (err) {
				errno = err;
				die_errno("pthread_sigqueue");
			}
		} else if (sigqueue(lab->pid[LAB_RECEIVER], LAB_SIGNAL, v)) {
			die_errno("sigqueue(%d)", lab->pid[LAB_RECEIVER]);
		}
		lab_sent(lab, &v, lab->o.size);
	}
}

static void signal_receiver(struct lab *lab)
{
	siginfo_t si;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, LAB_SIGNAL);
	for (uint64_t i = 0; i < lab->o.messages; i++) {
		while (sigwaitinfo(&set, &si) < 0)
			if (errno != EINTR)
				die_errno("sigwaitinfo");
		lab_received(lab, &si.si_value, lab->o.size);
	}
}

const struct lab_mech lab_signal = {
	.name = "signal",
	.summary = N_("queued real-time signals carrying a value (sigqueue/sigwaitinfo)"),
	.role = { "sender", "receiver" },
	.default_size = sizeof(union sigval),
	.max_size = signal_max,
	.setup = signal_setup,
	.sender = signal_sender,
	.receiver = signal_receiver,
	.anonymous = true,
};
