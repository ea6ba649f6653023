// SPDX-License-Identifier: GPL-2.0
/*
 * The state model: turns what the scheduler's tracepoints say into the
 * classic five-state vocabulary, one step at a time, and hands each step to
 * the counters and the sessions.
 *
 * Everything here runs in probe context (preemption off, often the runqueue
 * lock held with interrupts off): no sleeping, no allocation, no locks, no
 * printk.  A task's record (tasks.h) is touched from several CPUs: see
 * there for who writes what.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "compat.h"
#include "counters.h"
#include "tasks.h"
#include "taskstate.h"

/*
 * Off by default: the unwind is the costliest thing a probe does, and a
 * loaded module with nobody reading should cost next to nothing.  Sessions
 * that want wait sites unwind for the events they take.
 */
static bool wait_sites;
module_param(wait_sites, bool, 0644);
MODULE_PARM_DESC(wait_sites,
		 "Record where each task last blocked, for /proc/taskstate/tasks, even with no session open (costs a short stack unwind per blocking switch; default off)");

bool ts_wait_sites_enabled(void)
{
	return READ_ONCE(wait_sites);
}

void ts_set_wait_sites(bool on)
{
	WRITE_ONCE(wait_sites, on);
}

static const char *const ts_state_names[] = TASKSTATE_STATE_NAMES;
static const char *const ts_cause_names[] = TASKSTATE_CAUSE_NAMES;
static const char *const ts_transition_names[] = TASKSTATE_TRANSITION_NAMES;

static_assert(ARRAY_SIZE(ts_state_names) == TASKSTATE_NR_STATES);
static_assert(ARRAY_SIZE(ts_cause_names) == TASKSTATE_NR_CAUSES);
static_assert(ARRAY_SIZE(ts_transition_names) == TASKSTATE_NR_TRANSITIONS);
static_assert(TASKSTATE_NR_CAUSES <= TS_WAKE_RECORD);

/* The nine classic transitions: the one table of their ends. */
static const struct {
	u8 from, to;
} ts_transition_ends[TASKSTATE_NR_TRANSITIONS] = {
	[TASKSTATE_TR_CREATE] = { TASKSTATE_NONE, TASKSTATE_NEW },
	[TASKSTATE_TR_ADMIT] = { TASKSTATE_NEW, TASKSTATE_READY },
	[TASKSTATE_TR_DISPATCH] = { TASKSTATE_READY, TASKSTATE_RUNNING },
	[TASKSTATE_TR_EXIT] = { TASKSTATE_RUNNING, TASKSTATE_EXIT },
	[TASKSTATE_TR_PREEMPT] = { TASKSTATE_RUNNING, TASKSTATE_READY },
	[TASKSTATE_TR_BLOCK] = { TASKSTATE_RUNNING, TASKSTATE_BLOCKED },
	[TASKSTATE_TR_WAKE] = { TASKSTATE_BLOCKED, TASKSTATE_READY },
	[TASKSTATE_TR_KILL_READY] = { TASKSTATE_READY, TASKSTATE_EXIT },
	[TASKSTATE_TR_KILL_BLOCKED] = { TASKSTATE_BLOCKED, TASKSTATE_EXIT },
};

/* Its inverse, filled from it at load: the probes' lookup. */
static u8 ts_transition_by[TASKSTATE_NR_STATES][TASKSTATE_NR_STATES];

const char *ts_state_name(unsigned int state)
{
	return state < TASKSTATE_NR_STATES ? ts_state_names[state] : "?";
}

const char *ts_cause_name(unsigned int cause)
{
	return cause < TASKSTATE_NR_CAUSES ? ts_cause_names[cause] : "?";
}

const char *ts_transition_name(unsigned int tr)
{
	return tr < TASKSTATE_NR_TRANSITIONS ? ts_transition_names[tr] : "?";
}

/* Transition @tr (1..9) goes from *@from to *@to. */
void ts_transition_states(unsigned int tr, unsigned int *from, unsigned int *to)
{
	*from = ts_transition_ends[tr].from;
	*to = ts_transition_ends[tr].to;
}

/*
 * The uid only tells readers without privilege what they may see of the
 * other task: with none open, the probes skip the lookup (INVALID_UID,
 * which such a reader, should one open meanwhile, is never shown).
 */
static kuid_t ts_other_uid(struct task_struct *o)
{
	return ts_sessions_unprivileged() ? task_uid(o) : INVALID_UID;
}

static void ts_actor_task(struct ts_actor *a, struct task_struct *o)
{
	a->pid = o->pid;
	a->uid = ts_other_uid(o);
	memcpy(a->comm, o->comm, TASK_COMM_LEN);
	a->comm[TASK_COMM_LEN - 1] = '\0';
}

/*
 * Whoever runs this probe, as the cause of a step.  In interrupt context
 * current is whatever task was interrupted, maybe another user's, and did
 * nothing: it is never named.
 */
static void ts_actor_current(struct ts_actor *a)
{
	if (in_task()) {
		ts_actor_task(a, current);
		return;
	}
	a->pid = 0;
	a->uid = INVALID_UID;
	strscpy(a->comm, in_serving_softirq() ? "[softirq]" : "[irq]",
		TASK_COMM_LEN);
}

static void ts_record_init(struct ts_record *r, struct task_struct *p, u64 now)
{
	memset(r, 0, sizeof(*r));
	r->ts_ns = now;
	r->cpu = raw_smp_processor_id();
	r->pid = p->pid;
	r->tgid = p->tgid;
	/* A racing rename may tear the copy; that is the price of no lock. */
	memcpy(r->comm, p->comm, TASK_COMM_LEN);
	r->comm[TASK_COMM_LEN - 1] = '\0';
	r->linux_state = 'R';
	r->other_uid = INVALID_UID;
}

static void ts_record_actor(struct ts_record *r, const struct ts_actor *a)
{
	r->other_pid = a->pid;
	r->other_uid = a->uid;
	memcpy(r->other_comm, a->comm, TASK_COMM_LEN);
}

static void ts_record_other(struct ts_record *r, struct task_struct *o)
{
	if (!o || is_idle_task(o))
		return;
	r->other_pid = o->pid;
	r->other_uid = ts_other_uid(o);
	memcpy(r->other_comm, o->comm, TASK_COMM_LEN);
	r->other_comm[TASK_COMM_LEN - 1] = '\0';
}

/*
 * How long @t has been in its state at @now, into *@ns, if known.  With no
 * session open the probes take no timestamp, only jiffies: the first record
 * after a session opens says it to a tick.
 */
static bool ts_time_in_state(const struct ts_task *t, u64 now, u64 *ns)
{
	u64 since = READ_ONCE(t->since_ns);
	unsigned long j;

	if (since) {
		*ns = now - since;
		return true;
	}
	j = READ_ONCE(t->since_jiffies);
	if (!j)
		return false;
	*ns = jiffies_to_nsecs(jiffies - j);
	return true;
}

/*
 * Whether a step of @p is kept as with no session open (ts_step_quiet()):
 * none is (@open false), or no session's filter can take @p.  A task a
 * filter starts to take later has its first duration to a tick, as when
 * the first session opens.
 */
static __always_inline bool ts_quiet_for(struct task_struct *p,
					 struct ts_task *t, bool open)
{
	return !open || !ts_sessions_want(p, t ? READ_ONCE(t->follow) : 0);
}

/*
 * Move @t to @to, filling the step into @r, and emit it for @p; a blocking
 * switch's wait site is unwound from @frame.
 */
static void ts_step_from(struct task_struct *p, struct ts_task *t,
			 struct ts_record *r, unsigned int from,
			 unsigned int to, unsigned int cause,
			 const struct ts_probe_frame *frame)
{
	unsigned long follow = 0;

	r->from = from;
	r->to = to;
	r->cause = cause;
	r->transition = ts_transition_by[from][to];
	if (t) {
		u64 in_state;

		if (READ_ONCE(t->state) == from &&
		    ts_time_in_state(t, r->ts_ns, &in_state))
			r->prev_state_ns = in_state;
		WRITE_ONCE(t->state, to);
		WRITE_ONCE(t->since_ns, r->ts_ns);
		follow = READ_ONCE(t->follow);
	}
	ts_count_event(r->transition, r->cause);
	ts_sessions_emit(r, p, follow, frame, t);
}

static void ts_step(struct task_struct *p, struct ts_task *t,
		    struct ts_record *r, unsigned int from, unsigned int to,
		    unsigned int cause)
{
	ts_step_from(p, t, r, from, to, cause, NULL);
}

/*
 * The step when no session is open: what /proc/taskstate shows without a
 * reader (the task table's state and the counters) and, to a tick, when
 * it entered the state, for the first record a session opened later gets.
 * No record, no clock read: a timestamp costs more than all the rest.
 */
static void ts_step_quiet(struct ts_task *t, unsigned int from,
			  unsigned int to, unsigned int cause)
{
	if (t) {
		WRITE_ONCE(t->state, to);
		WRITE_ONCE(t->since_ns, 0);
		WRITE_ONCE(t->since_jiffies, jiffies);
	}
	ts_count_event(ts_transition_by[from][to], cause);
}

void ts_model_fork(struct task_struct *parent, struct task_struct *child)
{
	struct ts_task *pt = ts_task_peek(parent), *t = ts_task_of(child);
	unsigned long follow;
	struct ts_record r;

	follow = ts_sessions_fork(parent, child, pt ? READ_ONCE(pt->follow) : 0,
				  !t);
	if (t)
		WRITE_ONCE(t->follow, follow);
	ts_record_init(&r, child, ktime_get_mono_fast_ns());
	ts_record_other(&r, parent);
	ts_step(child, t, &r, TASKSTATE_NONE, TASKSTATE_NEW,
		child->tgid == parent->tgid ? TASKSTATE_CAUSE_THREAD :
					      TASKSTATE_CAUSE_FORK);
}

/*
 * Threads that copy_process() makes without kernel_clone(), io_uring's
 * workers (create_io_thread()), have no sched_process_fork: the first the
 * model hears of them is this wakeup, made by their creator.
 */
void ts_model_wakeup_new(struct task_struct *p)
{
	struct ts_task *t = ts_task_of(p);
	struct ts_record r;
	u64 now = ktime_get_mono_fast_ns();

	if (t && READ_ONCE(t->state) == TASKSTATE_NONE && in_task()) {
		ts_model_fork(current, p);
		now = ktime_get_mono_fast_ns();
	}
	ts_record_init(&r, p, now);
	ts_step(p, t, &r, TASKSTATE_NEW, TASKSTATE_READY, TASKSTATE_CAUSE_CREATED);
}

/*
 * D is I/O only when the task said so (io_schedule() and friends set
 * in_iowait); a mutex, a vfork parent or a page lock is another wait.
 */
static unsigned int ts_block_cause(char letter, struct task_struct *prev)
{
	switch (letter) {
	case 'D':
		return prev->in_iowait ? TASKSTATE_CAUSE_IO :
					 TASKSTATE_CAUSE_UNINTERRUPTIBLE;
	case 'T':
	case 't':
		return TASKSTATE_CAUSE_STOPPED;
	default:	/* S, I (idle kthread), P (parked kthread) */
		return TASKSTATE_CAUSE_SLEEP;
	}
}

/*
 * sched_yield() and preemption on the way back to user space both switch a
 * task out with prev_state RUNNING and preempt false; only the system call
 * under way tells them apart.  The probe runs in prev's context, so the
 * syscall ABI is current's.
 */
static bool ts_is_yield(struct task_struct *prev)
{
	if (prev->flags & PF_KTHREAD)
		return false;
	return ts_syscall_is_yield(syscall_get_nr(prev, task_pt_regs(prev)));
}

/*
 * A task that went to sleep with a signal pending never sleeps: __schedule()
 * sets it back to TASK_RUNNING and leaves it queued, but traces the state
 * it was going to sleep in.  Nothing else can make it RUNNING before this
 * probe: a waker needs this runqueue's lock, or waits for the switch.
 */
static bool ts_sleep_aborted(struct task_struct *prev)
{
	return ts_task_state(prev) == TASK_RUNNING;
}

/* What a reader without privilege may not see of a setuid program. */
static bool ts_site_private(struct task_struct *prev)
{
	return ts_task_not_owner_dumpable(prev);
}

/* Where @prev blocked, into its record, for /proc/taskstate/tasks. */
static void ts_task_set_site(struct ts_task *t, const unsigned long *ips,
			     unsigned int n, bool site_private)
{
	raw_write_seqcount_begin(&t->wait_seq);
	memcpy(t->wait_ips, ips, n * sizeof(*ips));
	WRITE_ONCE(t->nr_wait_ips, n);
	WRITE_ONCE(t->site_private, site_private);
	raw_write_seqcount_end(&t->wait_seq);
}

/* The wait site with no session open: wait_sites=1, or an old one to drop. */
static noinline void ts_block_quiet_site(struct task_struct *prev,
					 struct ts_task *t,
					 const struct ts_probe_frame *from)
{
	unsigned long ips[TS_WAIT_FRAMES];
	unsigned int n = 0;

	if (READ_ONCE(wait_sites))
		n = ts_wait_site_capture(ips, TS_WAIT_FRAMES, from, t);
	if (n || READ_ONCE(t->nr_wait_ips))
		ts_task_set_site(t, ips, n, ts_site_private(prev));
}

/* A blocking switch with no session open: no record, not even on the stack. */
static void ts_block_quiet(struct task_struct *prev, struct ts_task *t,
			   unsigned int cause, const struct ts_probe_frame *from)
{
	ts_step_quiet(t, TASKSTATE_RUNNING, TASKSTATE_BLOCKED, cause);
	if (t && (READ_ONCE(wait_sites) || READ_ONCE(t->nr_wait_ips)))
		ts_block_quiet_site(prev, t, from);
}

static noinline void ts_block_record(struct task_struct *prev,
				     struct ts_task *t, char letter,
				     unsigned int cause, u64 now,
				     const struct ts_probe_frame *from)
{
	struct ts_record r;

	ts_record_init(&r, prev, now);
	r.linux_state = letter;
	r.site_private = ts_site_private(prev);
	if (READ_ONCE(wait_sites))
		r.nr_wait_ips = ts_wait_site_capture(r.wait_ips, TS_WAIT_FRAMES,
						     from, t);
	/* Sessions that want the site unwind while emitting, if not yet. */
	ts_step_from(prev, t, &r, TASKSTATE_RUNNING, TASKSTATE_BLOCKED, cause,
		     from);
	if (t && (r.nr_wait_ips || READ_ONCE(t->nr_wait_ips)))
		ts_task_set_site(t, r.wait_ips, r.nr_wait_ips, r.site_private);
}

/* Running to ready, with @next as the other task when preempted. */
static noinline void ts_ready_record(struct task_struct *prev,
				     struct ts_task *t,
				     struct task_struct *next,
				     unsigned int cause, u64 now)
{
	struct ts_record r;

	ts_record_init(&r, prev, now);
	if (next)
		ts_record_other(&r, next);
	ts_step(prev, t, &r, TASKSTATE_RUNNING, TASKSTATE_READY, cause);
}

/* One timestamp for both halves of a switch, taken if a record needs it. */
static u64 ts_switch_time(u64 *now)
{
	if (!*now)
		*now = ktime_get_mono_fast_ns();
	return *now;
}

static void ts_switch_out(bool preempt, struct task_struct *prev,
			  struct task_struct *next, unsigned int prev_state,
			  u64 *now, bool open, const struct ts_probe_frame *from)
{
	struct ts_task *t = ts_task_of(prev);
	unsigned int cause;
	bool quiet;
	char letter;

	/* The last switches of an exiting task are not classic steps. */
	if ((t && READ_ONCE(t->state) == TASKSTATE_EXIT) ||
	    (prev_state & TASK_DEAD))
		return;
	quiet = ts_quiet_for(prev, t, open);

	/*
	 * Preempted in the middle of going to sleep, a task keeps its new
	 * state in prev_state but stays on the runqueue: it is ready, as the
	 * kernel's own "R+" and its involuntary switch count say.
	 */
	if (prev_state == TASK_RUNNING || preempt) {
		cause = !preempt && ts_is_yield(prev) ? TASKSTATE_CAUSE_YIELD :
							TASKSTATE_CAUSE_PREEMPTED;
		if (quiet)
			ts_step_quiet(t, TASKSTATE_RUNNING, TASKSTATE_READY,
				      cause);
		else
			ts_ready_record(prev, t, next, cause,
					ts_switch_time(now));
		return;
	}
	if (ts_sleep_aborted(prev)) {
		if (quiet)
			ts_step_quiet(t, TASKSTATE_RUNNING, TASKSTATE_READY,
				      TASKSTATE_CAUSE_SIGNAL);
		else
			ts_ready_record(prev, t, NULL, TASKSTATE_CAUSE_SIGNAL,
					ts_switch_time(now));
		return;
	}
	letter = task_index_to_char(__task_state_index(prev_state, 0));
	cause = ts_block_cause(letter, prev);
	if (quiet)
		ts_block_quiet(prev, t, cause, from);
	else
		ts_block_record(prev, t, letter, cause, ts_switch_time(now),
				from);
}

static noinline void ts_switch_in_record(struct task_struct *next,
					 struct ts_task *t, u64 now)
{
	struct ts_record r;

	ts_record_init(&r, next, now);
	ts_step(next, t, &r, TASKSTATE_READY, TASKSTATE_RUNNING,
		TASKSTATE_CAUSE_DISPATCH);
}

static void ts_switch_in(struct task_struct *next, u64 *now, bool open)
{
	struct ts_task *t = ts_task_of(next);

	if (t && READ_ONCE(t->state) == TASKSTATE_EXIT)
		return;
	if (ts_quiet_for(next, t, open))
		ts_step_quiet(t, TASKSTATE_READY, TASKSTATE_RUNNING,
			      TASKSTATE_CAUSE_DISPATCH);
	else
		ts_switch_in_record(next, t, ts_switch_time(now));
}

/* @from: the probe's frame when a session is open (it looked), else NULL. */
void ts_model_switch(bool preempt, struct task_struct *prev,
		     struct task_struct *next, unsigned int prev_state,
		     const struct ts_probe_frame *from)
{
	bool open = from;
	u64 now = 0;

	if (!is_idle_task(prev))
		ts_switch_out(preempt, prev, next, prev_state, &now, open,
			      from);
	if (!is_idle_task(next))
		ts_switch_in(next, &now, open);
}

/*
 * sched_waking runs in the waker's context; sched_wakeup may run later on
 * the wakee's CPU from the wake list, where current is no longer the waker.
 * So the waker and the reason are noted here and reported at the wakeup.
 */
void ts_model_waking(struct task_struct *p)
{
	struct ts_task *t = ts_task_of(p);
	unsigned int state;
	bool record;

	if (!t)
		return;
	WRITE_ONCE(t->dequeued, !READ_ONCE(p->on_rq));
	/*
	 * Only a record names the waker: with no session that may take @p,
	 * none (a session opening before the wakeup sees no waker, not a
	 * stale one).  Whether the wakeup makes a record is decided here, once.
	 */
	record = !ts_quiet_for(p, t, ts_sessions_open());
	if (record) {
		ts_actor_current(&t->waker);
	} else {
		t->waker.pid = 0;
		t->waker.uid = INVALID_UID;
		t->waker.comm[0] = '\0';
	}
	/* The signal code sets TIF_SIGPENDING before it wakes the task. */
	WRITE_ONCE(t->wake_cause, (task_sigpending(p) ? TASKSTATE_CAUSE_SIGNAL :
							TASKSTATE_CAUSE_WAKEUP) |
				  (record ? TS_WAKE_RECORD : 0));
	/*
	 * A fatal signal wakes a sleeper before its signal_generate fires, and
	 * the wakeup may be traced first: keep the state it found, for the
	 * signal probe to attribute the exit to.  A later wakeup (the lock a
	 * D sleeper waited for) changes nothing once the kill is recorded.
	 */
	state = READ_ONCE(t->state);
	/*
	 * @p's pending set, without its siglock (KCSAN saw a SIGUSR1 queued
	 * meanwhile): a SIGKILL's own wakeup comes after its sigaddset() and
	 * sees it; one queued during another wakeup brings its own wakeup.
	 */
	if (data_race(__fatal_signal_pending(p)) && !READ_ONCE(t->killed) &&
	    state == TASKSTATE_BLOCKED && !READ_ONCE(t->fatal_wake)) {
		u64 in_state = 0;

		ts_time_in_state(t, ktime_get_mono_fast_ns(), &in_state);
		WRITE_ONCE(t->killed_from, state);
		WRITE_ONCE(t->killed_from_ns, in_state);
		WRITE_ONCE(t->fatal_wake, true);
	}
}

static noinline void ts_wakeup_record(struct task_struct *p,
				      struct ts_task *t, unsigned int cause,
				      u64 now)
{
	struct ts_record r;

	ts_record_init(&r, p, now);
	ts_record_actor(&r, &t->waker);
	ts_step(p, t, &r, TASKSTATE_BLOCKED, TASKSTATE_READY, cause);
}

void ts_model_wakeup(struct task_struct *p)
{
	struct ts_task *t = ts_task_of(p);
	unsigned int state = t ? READ_ONCE(t->state) : TASKSTATE_NONE;
	unsigned int cause, waking;

	/*
	 * A task that set its state but was woken before it switched out never
	 * blocked: the kernel traces that wakeup, the classic model has none.
	 */
	if (!t || !(state == TASKSTATE_BLOCKED ||
		    (state == TASKSTATE_NONE && READ_ONCE(t->dequeued)))) {
		ts_count_wakeup_not_blocked();
		return;
	}
	waking = READ_ONCE(t->wake_cause);
	cause = (waking & ~TS_WAKE_RECORD) ?: TASKSTATE_CAUSE_WAKEUP;
	/* As sched_waking decided: a filter may have changed since, not @p. */
	if ((waking & TS_WAKE_RECORD) && ts_sessions_open())
		ts_wakeup_record(p, t, cause, ktime_get_mono_fast_ns());
	else
		ts_step_quiet(t, TASKSTATE_BLOCKED, TASKSTATE_READY, cause);
}

void ts_model_exec(struct task_struct *p, pid_t old_pid)
{
	struct ts_task *t;
	struct ts_record r;

	t = old_pid == p->pid ? ts_task_of(p) : ts_task_exec_moved(p, old_pid);
	ts_record_init(&r, p, ktime_get_mono_fast_ns());
	r.from = TASKSTATE_RUNNING;
	r.to = TASKSTATE_RUNNING;
	r.cause = TASKSTATE_CAUSE_EXEC;
	if (t)
		WRITE_ONCE(t->state, TASKSTATE_RUNNING);
	ts_count_event(r.transition, r.cause);
	ts_sessions_emit(&r, p, t ? READ_ONCE(t->follow) : 0, NULL, NULL);
}

/*
 * A fatal signal reached @p from @sender: remember who, and the state it
 * was in with how long it had been there, for its exit.  The first sender
 * stays: a later signal, or a wakeup, does not replace it.
 */
static void ts_mark_killed(struct task_struct *p, const struct ts_actor *sender)
{
	struct ts_task *t = ts_task_of(p);

	if (!t || READ_ONCE(t->killed))
		return;
	if (!READ_ONCE(t->fatal_wake)) {
		unsigned int state = READ_ONCE(t->state);
		u64 in_state = 0;

		ts_time_in_state(t, ktime_get_mono_fast_ns(), &in_state);
		WRITE_ONCE(t->killed_from, state);
		WRITE_ONCE(t->killed_from_ns, in_state);
	}
	t->killer = *sender;
	/* Pairs with the acquire in ts_model_exit_task(). */
	smp_store_release(&t->killed, true);
}

/*
 * Called with @p's siglock held, after complete_signal(): a fatal signal
 * is pending in @p, and in every thread of its group when it kills the
 * group, which the kernel did in the same loop just before.
 */
void ts_model_signal(int sig, struct task_struct *p)
{
	struct task_struct *thread;
	struct ts_actor sender;

	if (!__fatal_signal_pending(p))
		return;
	ts_actor_current(&sender);
	if (!(p->signal->flags & SIGNAL_GROUP_EXIT)) {
		ts_mark_killed(p, &sender);
		return;
	}
	for_each_thread(p, thread)
		ts_mark_killed(thread, &sender);
}

/*
 * Whether the exiting task stays a zombie (Z) until somebody waits for it,
 * or is released at once (X), as exit_notify() will decide: a tracer always
 * waits; other threads go at once; a leader goes at once when its parent
 * ignores SIGCHLD (or set SA_NOCLDWAIT).
 */
static char ts_exit_letter(struct task_struct *p)
{
	struct task_struct *parent;
	struct sighand_struct *sighand;
	struct k_sigaction *ka;
	bool autoreap;

	if (READ_ONCE(p->ptrace))
		return 'Z';
	if (!thread_group_leader(p))
		return 'X';
	if (READ_ONCE(p->exit_signal) != SIGCHLD)
		return 'Z';
	rcu_read_lock();
	parent = rcu_dereference(p->real_parent);
	sighand = rcu_dereference(parent->sighand);
	ka = &sighand->action[SIGCHLD - 1];
	autoreap = READ_ONCE(ka->sa.sa_handler) == SIG_IGN ||
		   (READ_ONCE(ka->sa.sa_flags) & SA_NOCLDWAIT);
	rcu_read_unlock();
	return autoreap ? 'X' : 'Z';
}

void ts_model_exit_task(struct task_struct *p)
{
	struct ts_task *t = ts_task_of(p);
	unsigned int from = TASKSTATE_RUNNING, cause;
	struct ts_record r;
	int code = p->exit_code;

	ts_record_init(&r, p, ktime_get_mono_fast_ns());
	r.signal = code & 0x7f;
	r.exit_code = (code >> 8) & 0xff;
	if (r.signal)
		cause = TASKSTATE_CAUSE_KILLED;
	else if (r.exit_code)
		cause = TASKSTATE_CAUSE_ERROR;
	else
		cause = TASKSTATE_CAUSE_EXIT;
	r.linux_state = ts_exit_letter(p);

	if (t) {
		struct task_struct *parent;

		rcu_read_lock();
		parent = rcu_dereference(p->real_parent);
		t->parent_pid = parent->tgid;
		t->parent_uid = ts_other_uid(parent);
		rcu_read_unlock();
		ts_time_in_state(t, r.ts_ns, &r.prev_state_ns);
		/* Attributed to the state it was killed in: time spent there. */
		if (cause == TASKSTATE_CAUSE_KILLED &&
		    /* Pairs with ts_mark_killed(): the killer is complete. */
		    smp_load_acquire(&t->killed)) {
			unsigned int killed_from = READ_ONCE(t->killed_from);

			ts_record_actor(&r, &t->killer);
			if (killed_from == TASKSTATE_READY ||
			    killed_from == TASKSTATE_BLOCKED) {
				from = killed_from;
				r.prev_state_ns = READ_ONCE(t->killed_from_ns);
			}
		}
		WRITE_ONCE(t->state, from);
		WRITE_ONCE(t->since_ns, 0);
		WRITE_ONCE(t->since_jiffies, 0);
	}
	ts_step(p, t, &r, from, TASKSTATE_EXIT, cause);
}

void ts_model_free(struct task_struct *p)
{
	struct ts_task *t = ts_task_peek(p);
	unsigned long follow = 0;
	struct ts_record r;

	ts_record_init(&r, p, ktime_get_mono_fast_ns());
	r.from = TASKSTATE_EXIT;
	r.to = TASKSTATE_NONE;
	r.cause = TASKSTATE_CAUSE_REAPED;
	r.linux_state = 'X';
	if (t) {
		if (thread_group_leader(p)) {
			r.other_pid = t->parent_pid;
			r.other_uid = t->parent_uid;
		}
		ts_time_in_state(t, r.ts_ns, &r.prev_state_ns);
		follow = READ_ONCE(t->follow);
		ts_task_release(p);
	}
	ts_count_event(r.transition, r.cause);
	ts_sessions_emit(&r, p, follow, NULL, NULL);
}

/*
 * The classic state of live task @p, for readers (not probes): from the
 * task's record when the module has one, else derived from Linux's state.
 * @letter gets Linux's state letter; @ips (TS_WAIT_FRAMES entries) and
 * @nr_ips the return addresses of its last blocking switch, if the record
 * has them, and @site_private whether the task was a setuid program then.
 * The caller holds rcu_read_lock() or a reference on @p.
 */
unsigned int ts_model_task_state(struct task_struct *p, char *letter,
				 unsigned long *ips, unsigned int *nr_ips,
				 bool *site_private)
{
	struct ts_task *t = ts_task_peek(p);
	unsigned int state = TASKSTATE_NONE, seq, tries, n;

	*letter = task_index_to_char(task_state_index(p));
	*nr_ips = 0;
	*site_private = false;
	if (t)
		state = READ_ONCE(t->state);
	/* Bounded: a task blocking in a loop must not hold the reader up. */
	for (tries = 0; state == TASKSTATE_BLOCKED && tries < 4; tries++) {
		seq = raw_read_seqcount(&t->wait_seq);
		if (seq & 1)
			continue;
		n = min_t(unsigned int, READ_ONCE(t->nr_wait_ips),
			  TS_WAIT_FRAMES);
		memcpy(ips, t->wait_ips, n * sizeof(*ips));
		*site_private = READ_ONCE(t->site_private);
		if (!read_seqcount_retry(&t->wait_seq, seq)) {
			if (READ_ONCE(t->owner) == p)
				*nr_ips = n;
			break;
		}
	}
	if (state != TASKSTATE_NONE)
		return state;

	switch (*letter) {
	case 'R':
		return READ_ONCE(p->on_cpu) ? TASKSTATE_RUNNING :
					      TASKSTATE_READY;
	case 'Z':
	case 'X':
		return TASKSTATE_EXIT;
	default:
		return TASKSTATE_BLOCKED;
	}
}

int ts_model_init(void)
{
	unsigned int tr;

	for (tr = 1; tr < TASKSTATE_NR_TRANSITIONS; tr++)
		ts_transition_by[ts_transition_ends[tr].from]
				[ts_transition_ends[tr].to] = tr;
	return ts_tasks_init();
}

void ts_model_exit(void)
{
	ts_tasks_exit();
}
