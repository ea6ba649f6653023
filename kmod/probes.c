// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoint probes.  Each one only forwards its arguments to the model;
 * the prototypes come from the kernel's own trace headers so that a changed
 * tracepoint breaks the build rather than the running kernel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* 6.12's trace/events/sched.h uses struct folio without declaring it. */
#include <linux/mm_types.h>
#include <linux/sched.h>
#include <trace/events/sched.h>
#include <trace/events/signal.h>

#include "compat.h"
#include "taskstate.h"
#include "tracepoints.h"

/*
 * Type-check a probe against the tracepoint's declared prototype without
 * referencing the (unexported) tracepoint: sizeof() does not evaluate the
 * call, but the compiler still checks the argument types.
 */
#define TS_CHECK_PROBE(tp, fn)						\
	static_assert(sizeof(register_trace_##tp(fn, NULL)) == sizeof(int))

static void ts_probe_fork(void *data, struct task_struct *parent,
			  struct task_struct *child)
{
	ts_model_fork(parent, child);
}

TS_CHECK_PROBE(sched_process_fork, ts_probe_fork);

static void ts_probe_wakeup_new(void *data, struct task_struct *p)
{
	ts_model_wakeup_new(p);
}

TS_CHECK_PROBE(sched_wakeup_new, ts_probe_wakeup_new);

/*
 * With a session open, sched_switch's probe goes on here, by a tail call:
 * this frame's return address is the scheduler's, and the word under it
 * the scheduler's frame pointer, which the unwinder needs to go on from
 * there (__builtin_frame_address() gives this function a frame pointer).
 * The barrier keeps the frame until the model returns: a tail call would
 * reuse it.
 */
static noinline void ts_probe_switch_framed(bool preempt,
					    struct task_struct *prev,
					    struct task_struct *next,
					    unsigned int prev_state)
{
	ts_model_switch(preempt, prev, next, prev_state,
			__builtin_frame_address(0));
	barrier();
}

static void ts_probe_switch(void *data, TS_SWITCH_PROBE_ARGS)
{
	if (ts_sessions_open())
		ts_probe_switch_framed(preempt, prev, next,
				       TS_SWITCH_PREV_STATE);
	else
		ts_model_switch(preempt, prev, next, TS_SWITCH_PREV_STATE,
				NULL);
}

TS_CHECK_PROBE(sched_switch, ts_probe_switch);

static void ts_probe_waking(void *data, struct task_struct *p)
{
	ts_model_waking(p);
}

TS_CHECK_PROBE(sched_waking, ts_probe_waking);

static void ts_probe_wakeup(void *data, struct task_struct *p)
{
	ts_model_wakeup(p);
}

TS_CHECK_PROBE(sched_wakeup, ts_probe_wakeup);

static void ts_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			  struct linux_binprm *bprm)
{
	ts_model_exec(p, old_pid);
}

TS_CHECK_PROBE(sched_process_exec, ts_probe_exec);

static void ts_probe_exit(void *data, TS_EXIT_PROBE_ARGS)
{
	ts_model_exit_task(p);
}

TS_CHECK_PROBE(sched_process_exit, ts_probe_exit);

static void ts_probe_free(void *data, struct task_struct *p)
{
	ts_model_free(p);
}

TS_CHECK_PROBE(sched_process_free, ts_probe_free);

static void ts_probe_signal(void *data, int sig, struct kernel_siginfo *info,
			    struct task_struct *task, int group, int result)
{
	if (result == TRACE_SIGNAL_DELIVERED)
		ts_model_signal(sig, task);
}

TS_CHECK_PROBE(signal_generate, ts_probe_signal);

/*
 * Order matters on attach: a task's fork and free are hooked before the
 * steps in between, so no task is half-known for longer than it must be.
 */
static struct ts_probe ts_probes[] = {
	{ .name = "sched_process_fork",	.func = ts_probe_fork },
	{ .name = "sched_process_free",	.func = ts_probe_free },
	{ .name = "sched_wakeup_new",	.func = ts_probe_wakeup_new },
	{ .name = "sched_waking",	.func = ts_probe_waking },
	{ .name = "sched_wakeup",	.func = ts_probe_wakeup },
	{ .name = "sched_switch",	.func = ts_probe_switch },
	{ .name = "sched_process_exec",	.func = ts_probe_exec },
	{ .name = "sched_process_exit",	.func = ts_probe_exit },
	{ .name = "signal_generate",	.func = ts_probe_signal },
	{ }
};

int ts_probes_attach(void)
{
	return ts_tracepoints_attach(ts_probes);
}

void ts_probes_detach(void)
{
	ts_tracepoints_detach(ts_probes);
}
