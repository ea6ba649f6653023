// SPDX-License-Identifier: GPL-2.0
/*
 * The state model: turns what the scheduler's tracepoints say into the
 * classic five-state vocabulary, keeps the little each task needs between
 * two of its events, and counts every transition.
 *
 * Everything here runs in probe context (preemption off, often the runqueue
 * lock held with interrupts off): no sleeping, no allocation, no locks, no
 * printk.  The scheduler already serialises the events of one task (the
 * wakeup of a task waits until its switch-out is complete), so one task's
 * record is written by one CPU at a time; the table itself is shared and
 * lock-free.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/seqlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "taskstate.h"

/*
 * What the model remembers of one task between two of its events.  Tasks
 * map to slots by the low bits of their pid, which keeps live pids
 * (allocated in sequence) apart.  The owner is the task_struct, not the pid:
 * a pid can be reused before the old task's free event arrives.  It is only
 * compared, never dereferenced or handed out.
 */
struct ts_task {
	const struct task_struct *owner;	/* NULL: free */
	u8 state;			/* enum taskstate_state; NONE: not known */
	u8 killed_from;			/* state when a fatal signal came */
	u8 wake_cause;			/* cause of the wakeup under way */
	bool dequeued;			/* the wakeup under way found it off-rq */
	u8 nr_wait_ips;			/* 0: no wait site known */
	u64 since_ns;			/* when it entered @state */
	/*
	 * Where it last blocked, for /proc/taskstate/tasks.  Written only by
	 * the probe of the task's own blocking switch (and by a takeover of
	 * the slot); readers copy it out under @wait_seq and retry or give up.
	 * A task whose slot was taken by another keeps no wait site: it is
	 * shown as "-" until it blocks again and takes the slot back.
	 */
	seqcount_t wait_seq;
	unsigned long wait_ips[TS_WAIT_FRAMES];
	pid_t waker_pid;
	pid_t killer_pid;
	pid_t parent_pid;		/* at exit: who will reap it */
	s32 kill_signal;
	u64 killed_from_ns;		/* time in killed_from when marked */
	char waker_comm[TASK_COMM_LEN];
	char killer_comm[TASK_COMM_LEN];
};

static unsigned int task_slots = 65536;
module_param(task_slots, uint, 0444);
MODULE_PARM_DESC(task_slots,
		 "Per-task records kept (rounded up to a power of two, 1024..4194304); a task whose slot is taken by another loses its durations, counted as evictions");

/*
 * Off by default: the unwind is the costliest thing a probe does, and a
 * loaded module with nobody reading should cost next to nothing.  Sessions
 * that want wait sites turn the capture on while they are open.
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

unsigned int ts_task_slots(void)
{
	return task_slots;
}

static struct ts_task *ts_tasks;
static unsigned int ts_task_mask;

struct ts_counts {
	u64 n[TASKSTATE_NR_TRANSITIONS][TASKSTATE_NR_CAUSES];
	u64 evictions;
	u64 wakeup_not_blocked;
};

static DEFINE_PER_CPU(struct ts_counts, ts_counts);
/* Values at the last reset; readers show the difference. */
static struct ts_counts ts_counts_base;

static const char *const ts_state_names[] = TASKSTATE_STATE_NAMES;
static const char *const ts_cause_names[] = TASKSTATE_CAUSE_NAMES;
static const char *const ts_transition_names[] = TASKSTATE_TRANSITION_NAMES;

static_assert(ARRAY_SIZE(ts_state_names) == TASKSTATE_NR_STATES);
static_assert(ARRAY_SIZE(ts_cause_names) == TASKSTATE_NR_CAUSES);
static_assert(ARRAY_SIZE(ts_transition_names) == TASKSTATE_NR_TRANSITIONS);

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

static unsigned int ts_transition_of(unsigned int from, unsigned int to)
{
	switch (from << 4 | to) {
	case TASKSTATE_NONE << 4 | TASKSTATE_NEW:
		return TASKSTATE_TR_CREATE;
	case TASKSTATE_NEW << 4 | TASKSTATE_READY:
		return TASKSTATE_TR_ADMIT;
	case TASKSTATE_READY << 4 | TASKSTATE_RUNNING:
		return TASKSTATE_TR_DISPATCH;
	case TASKSTATE_RUNNING << 4 | TASKSTATE_EXIT:
		return TASKSTATE_TR_EXIT;
	case TASKSTATE_RUNNING << 4 | TASKSTATE_READY:
		return TASKSTATE_TR_PREEMPT;
	case TASKSTATE_RUNNING << 4 | TASKSTATE_BLOCKED:
		return TASKSTATE_TR_BLOCK;
	case TASKSTATE_BLOCKED << 4 | TASKSTATE_READY:
		return TASKSTATE_TR_WAKE;
	case TASKSTATE_READY << 4 | TASKSTATE_EXIT:
		return TASKSTATE_TR_KILL_READY;
	case TASKSTATE_BLOCKED << 4 | TASKSTATE_EXIT:
		return TASKSTATE_TR_KILL_BLOCKED;
	}
	return TASKSTATE_TR_NONE;
}

/*
 * The record of @p, claimed for it if the slot belongs to another pid.
 * Returns NULL only when another CPU claims the same slot at this moment.
 */
static struct ts_task *ts_task_of(struct task_struct *p)
{
	struct ts_task *t = &ts_tasks[p->pid & ts_task_mask];
	const struct task_struct *owner = READ_ONCE(t->owner);

	if (likely(owner == p))
		return t;
	if (cmpxchg(&t->owner, owner, p) != owner)
		return NULL;
	if (owner)
		this_cpu_inc(ts_counts.evictions);
	t->state = TASKSTATE_NONE;
	t->killed_from = TASKSTATE_NONE;
	t->wake_cause = TASKSTATE_CAUSE_NONE;
	t->dequeued = false;
	t->since_ns = 0;
	raw_write_seqcount_begin(&t->wait_seq);
	t->nr_wait_ips = 0;
	raw_write_seqcount_end(&t->wait_seq);
	t->waker_pid = 0;
	t->killer_pid = 0;
	t->parent_pid = 0;
	t->kill_signal = 0;
	t->killed_from_ns = 0;
	t->waker_comm[0] = '\0';
	t->killer_comm[0] = '\0';
	return t;
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
}

static void ts_record_other(struct ts_record *r, struct task_struct *o)
{
	if (!o || is_idle_task(o))
		return;
	r->other_pid = o->pid;
	memcpy(r->other_comm, o->comm, TASK_COMM_LEN);
	r->other_comm[TASK_COMM_LEN - 1] = '\0';
}

static void ts_emit(const struct ts_record *r, struct task_struct *p)
{
	this_cpu_inc(ts_counts.n[r->transition][r->cause]);
	ts_sessions_emit(r, p);
}

/* Move @t to @to, filling the step into @r, and emit it for @p. */
static void ts_step(struct task_struct *p, struct ts_task *t,
		    struct ts_record *r, unsigned int from, unsigned int to,
		    unsigned int cause)
{
	r->from = from;
	r->to = to;
	r->cause = cause;
	r->transition = ts_transition_of(from, to);
	if (t) {
		if (t->since_ns && t->state == from)
			r->prev_state_ns = r->ts_ns - t->since_ns;
		t->state = to;
		t->since_ns = r->ts_ns;
	}
	ts_emit(r, p);
}

void ts_model_fork(struct task_struct *parent, struct task_struct *child)
{
	struct ts_task *t = ts_task_of(child);
	struct ts_record r;

	ts_record_init(&r, child, ktime_get_mono_fast_ns());
	ts_record_other(&r, parent);
	ts_sessions_fork(parent, child);
	ts_step(child, t, &r, TASKSTATE_NONE, TASKSTATE_NEW,
		child->tgid == parent->tgid ? TASKSTATE_CAUSE_THREAD :
					      TASKSTATE_CAUSE_FORK);
}

void ts_model_wakeup_new(struct task_struct *p)
{
	struct ts_task *t = ts_task_of(p);
	struct ts_record r;

	ts_record_init(&r, p, ktime_get_mono_fast_ns());
	ts_step(p, t, &r, TASKSTATE_NEW, TASKSTATE_READY, TASKSTATE_CAUSE_CREATED);
}

static unsigned int ts_block_cause(char letter)
{
	switch (letter) {
	case 'D':
		return TASKSTATE_CAUSE_IO;
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
 * under way tells them apart.  (32-bit compat tasks count as preempted.)
 */
static bool ts_is_yield(struct task_struct *prev)
{
	return !(prev->flags & PF_KTHREAD) &&
	       syscall_get_nr(prev, task_pt_regs(prev)) == __NR_sched_yield;
}

static void ts_switch_out(bool preempt, struct task_struct *prev,
			  struct task_struct *next, unsigned int prev_state,
			  u64 now)
{
	struct ts_task *t = ts_task_of(prev);
	struct ts_record r;

	/* The last switches of an exiting task are not classic steps. */
	if ((t && t->state == TASKSTATE_EXIT) || (prev_state & TASK_DEAD))
		return;

	ts_record_init(&r, prev, now);
	/*
	 * Preempted in the middle of going to sleep, a task keeps its new
	 * state in prev_state but stays on the runqueue: it is ready, as the
	 * kernel's own "R+" and its involuntary switch count say.
	 */
	if (prev_state == TASK_RUNNING || preempt) {
		ts_record_other(&r, next);
		ts_step(prev, t, &r, TASKSTATE_RUNNING, TASKSTATE_READY,
			!preempt && ts_is_yield(prev) ? TASKSTATE_CAUSE_YIELD :
							TASKSTATE_CAUSE_PREEMPTED);
		return;
	}
	r.linux_state = task_index_to_char(__task_state_index(prev_state, 0));
	if (READ_ONCE(wait_sites) || ts_wait_site_wanted())
		r.nr_wait_ips = ts_wait_site_capture(r.wait_ips, TS_WAIT_FRAMES);
	if (t) {
		raw_write_seqcount_begin(&t->wait_seq);
		memcpy(t->wait_ips, r.wait_ips,
		       r.nr_wait_ips * sizeof(*r.wait_ips));
		t->nr_wait_ips = r.nr_wait_ips;
		raw_write_seqcount_end(&t->wait_seq);
	}
	ts_step(prev, t, &r, TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
		ts_block_cause(r.linux_state));
}

static void ts_switch_in(struct task_struct *next, u64 now)
{
	struct ts_task *t = ts_task_of(next);
	struct ts_record r;

	if (t && t->state == TASKSTATE_EXIT)
		return;
	ts_record_init(&r, next, now);
	ts_step(next, t, &r, TASKSTATE_READY, TASKSTATE_RUNNING,
		TASKSTATE_CAUSE_DISPATCH);
}

void ts_model_switch(bool preempt, struct task_struct *prev,
		     struct task_struct *next, unsigned int prev_state)
{
	u64 now = ktime_get_mono_fast_ns();

	if (!is_idle_task(prev))
		ts_switch_out(preempt, prev, next, prev_state, now);
	if (!is_idle_task(next))
		ts_switch_in(next, now);
}

/*
 * A fatal signal reached @t from @killer: remember who, and the state it
 * was in (NONE: running) with how long it had been there, for its exit.
 */
static void ts_mark_killed(struct ts_task *t, unsigned int from,
			   pid_t killer, const char *killer_comm)
{
	t->killed_from = from;
	if (from && t->since_ns)
		t->killed_from_ns = ktime_get_mono_fast_ns() - t->since_ns;
	t->killer_pid = killer;
	memcpy(t->killer_comm, killer_comm, TASK_COMM_LEN);
	t->killer_comm[TASK_COMM_LEN - 1] = '\0';
}

/*
 * sched_waking runs in the waker's context; sched_wakeup may run later on
 * the wakee's CPU from the wake list, where current is no longer the waker.
 * So the waker and the reason are noted here and reported at the wakeup.
 */
void ts_model_waking(struct task_struct *p)
{
	struct ts_task *t = ts_task_of(p);

	if (!t)
		return;
	t->dequeued = !READ_ONCE(p->on_rq);
	if (in_hardirq() || in_nmi()) {
		t->waker_pid = 0;
		strscpy(t->waker_comm, "[irq]", TASK_COMM_LEN);
	} else if (in_serving_softirq()) {
		t->waker_pid = 0;
		strscpy(t->waker_comm, "[softirq]", TASK_COMM_LEN);
	} else {
		t->waker_pid = current->pid;
		memcpy(t->waker_comm, current->comm, TASK_COMM_LEN);
		t->waker_comm[TASK_COMM_LEN - 1] = '\0';
	}
	/* The signal code sets TIF_SIGPENDING before it wakes the task. */
	t->wake_cause = task_sigpending(p) ? TASKSTATE_CAUSE_SIGNAL :
					     TASKSTATE_CAUSE_WAKEUP;
	if (__fatal_signal_pending(p) && t->state == TASKSTATE_BLOCKED &&
	    !t->killed_from)
		ts_mark_killed(t, TASKSTATE_BLOCKED, t->waker_pid,
			       t->waker_comm);
}

void ts_model_wakeup(struct task_struct *p)
{
	struct ts_task *t = ts_task_of(p);
	struct ts_record r;

	/*
	 * A task that set its state but was woken before it switched out never
	 * blocked: the kernel traces that wakeup, the classic model has none.
	 */
	if (!t || !(t->state == TASKSTATE_BLOCKED ||
		    (t->state == TASKSTATE_NONE && t->dequeued))) {
		this_cpu_inc(ts_counts.wakeup_not_blocked);
		return;
	}
	ts_record_init(&r, p, ktime_get_mono_fast_ns());
	r.other_pid = t->waker_pid;
	memcpy(r.other_comm, t->waker_comm, TASK_COMM_LEN);
	ts_step(p, t, &r, TASKSTATE_BLOCKED, TASKSTATE_READY,
		t->wake_cause ?: TASKSTATE_CAUSE_WAKEUP);
}

void ts_model_exec(struct task_struct *p)
{
	struct ts_task *t = ts_task_of(p);
	struct ts_record r;

	ts_record_init(&r, p, ktime_get_mono_fast_ns());
	r.from = TASKSTATE_RUNNING;
	r.to = TASKSTATE_RUNNING;
	r.cause = TASKSTATE_CAUSE_EXEC;
	if (t)
		t->state = TASKSTATE_RUNNING;
	ts_emit(&r, p);
}

void ts_model_signal(int sig, struct task_struct *p)
{
	struct ts_task *t;

	/* Fatal signals reach every thread as a pending SIGKILL. */
	if (!__fatal_signal_pending(p))
		return;
	t = ts_task_of(p);
	if (!t || t->killed_from)
		return;
	/*
	 * A blocked task was already woken (and marked) from ts_model_waking;
	 * what is left is a task waiting for a CPU, or one running.
	 */
	ts_mark_killed(t, t->state == TASKSTATE_READY ? TASKSTATE_READY :
							 TASKSTATE_NONE,
		       current->pid, current->comm);
	t->kill_signal = sig;
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
	/* Exited threads are released at once; a leader waits as a zombie. */
	r.linux_state = thread_group_leader(p) ? 'Z' : 'X';

	if (t) {
		rcu_read_lock();
		t->parent_pid = rcu_dereference(p->real_parent)->tgid;
		rcu_read_unlock();
		if (t->since_ns)
			r.prev_state_ns = r.ts_ns - t->since_ns;
		if (cause == TASKSTATE_CAUSE_KILLED) {
			r.other_pid = t->killer_pid;
			memcpy(r.other_comm, t->killer_comm, TASK_COMM_LEN);
		}
		/* Attributed to the state it was killed in: time spent there. */
		if (cause == TASKSTATE_CAUSE_KILLED && t->killed_from) {
			from = t->killed_from;
			r.prev_state_ns = t->killed_from_ns;
		}
		t->state = from;
		t->since_ns = 0;
	}
	ts_step(p, t, &r, from, TASKSTATE_EXIT, cause);
}

void ts_model_free(struct task_struct *p)
{
	struct ts_task *t = &ts_tasks[p->pid & ts_task_mask];
	struct ts_record r;

	ts_record_init(&r, p, ktime_get_mono_fast_ns());
	r.from = TASKSTATE_EXIT;
	r.to = TASKSTATE_NONE;
	r.cause = TASKSTATE_CAUSE_REAPED;
	r.linux_state = 'X';
	if (READ_ONCE(t->owner) == p) {
		if (thread_group_leader(p))
			r.other_pid = t->parent_pid;
		if (t->since_ns)
			r.prev_state_ns = r.ts_ns - t->since_ns;
		cmpxchg(&t->owner, p, NULL);
	}
	ts_emit(&r, p);
	ts_sessions_free(p);
}

/*
 * The classic state of live task @p, for readers (not probes): from the
 * task's record when the module has one, else derived from Linux's state.
 * @letter gets Linux's state letter; @ips (TS_WAIT_FRAMES entries) and
 * @nr_ips the return addresses of its last blocking switch, if the record
 * has them.  The caller holds rcu_read_lock() or a reference on @p.
 */
unsigned int ts_model_task_state(struct task_struct *p, char *letter,
				 unsigned long *ips, unsigned int *nr_ips)
{
	struct ts_task *t = &ts_tasks[p->pid & ts_task_mask];
	unsigned int state = TASKSTATE_NONE, seq, tries, n;

	*letter = task_index_to_char(task_state_index(p));
	*nr_ips = 0;
	if (READ_ONCE(t->owner) == p)
		state = READ_ONCE(t->state);
	/* Bounded: a task blocking in a loop must not hold the reader up. */
	for (tries = 0; state == TASKSTATE_BLOCKED && tries < 4; tries++) {
		seq = raw_read_seqcount(&t->wait_seq);
		if (seq & 1)
			continue;
		n = min_t(unsigned int, READ_ONCE(t->nr_wait_ips),
			  TS_WAIT_FRAMES);
		memcpy(ips, t->wait_ips, n * sizeof(*ips));
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

static u64 ts_counts_sum(size_t offset)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *(u64 *)((char *)per_cpu_ptr(&ts_counts, cpu) + offset);
	return sum - *(u64 *)((char *)&ts_counts_base + offset);
}

u64 ts_count_cause(unsigned int tr, unsigned int cause)
{
	return ts_counts_sum(offsetof(struct ts_counts, n[tr][cause]));
}

u64 ts_count_transition(unsigned int tr)
{
	unsigned int cause;
	u64 sum = 0;

	for (cause = 0; cause < TASKSTATE_NR_CAUSES; cause++)
		sum += ts_count_cause(tr, cause);
	return sum;
}

u64 ts_count_evictions(void)
{
	return ts_counts_sum(offsetof(struct ts_counts, evictions));
}

u64 ts_count_wakeup_not_blocked(void)
{
	return ts_counts_sum(offsetof(struct ts_counts, wakeup_not_blocked));
}

/*
 * Probes keep counting while this runs, so a reset is a new baseline rather
 * than zeroing counters that other CPUs own.
 */
void ts_counters_reset(void)
{
	static DEFINE_MUTEX(reset_lock);
	static struct ts_counts snap;
	u64 *dst = (u64 *)&snap;
	size_t i, n = sizeof(snap) / sizeof(u64);
	int cpu;

	mutex_lock(&reset_lock);
	memset(&snap, 0, sizeof(snap));
	for_each_possible_cpu(cpu) {
		const u64 *src = (const u64 *)per_cpu_ptr(&ts_counts, cpu);

		for (i = 0; i < n; i++)
			dst[i] += READ_ONCE(src[i]);
	}
	ts_counts_base = snap;
	mutex_unlock(&reset_lock);
}

int ts_model_init(void)
{
	unsigned int slots = clamp(task_slots, 1024U, 4194304U);

	slots = roundup_pow_of_two(slots);
	ts_tasks = vzalloc(array_size(slots, sizeof(*ts_tasks)));
	if (!ts_tasks)
		return -ENOMEM;
	ts_task_mask = slots - 1;
	task_slots = slots;
	return 0;
}

void ts_model_exit(void)
{
	vfree(ts_tasks);
	ts_tasks = NULL;
}
