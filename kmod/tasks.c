// SPDX-License-Identifier: GPL-2.0
/*
 * The table of task records (see tasks.h): claiming a slot, handing it
 * over at exec, freeing it, and forgetting a follower's bit.  Probe
 * context, except ts_tasks_forget_follow() and init/exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "counters.h"
#include "tasks.h"

static unsigned int task_slots = 65536;
module_param(task_slots, uint, 0444);
MODULE_PARM_DESC(task_slots,
		 "Per-task records kept (rounded up to a power of two, 1024..4194304); a task whose slot is taken by another loses its durations, counted as evictions");

/* tasks.h's inline lookups read these; set at init only. */
struct ts_task *ts_tasks;
unsigned int ts_task_mask;

unsigned int ts_task_slots(void)
{
	return task_slots;
}

static struct ts_task *ts_slot(pid_t pid)
{
	return &ts_tasks[pid & ts_task_mask];
}

/* A record that belongs to nobody yet: everything unknown. */
static void ts_task_clear(struct ts_task *t)
{
	WRITE_ONCE(t->state, TASKSTATE_NONE);
	WRITE_ONCE(t->wake_cause, TASKSTATE_CAUSE_NONE);
	WRITE_ONCE(t->dequeued, false);
	WRITE_ONCE(t->killed, false);
	WRITE_ONCE(t->fatal_wake, false);
	WRITE_ONCE(t->site_private, false);
	WRITE_ONCE(t->since_ns, 0);
	WRITE_ONCE(t->since_jiffies, 0);
	raw_write_seqcount_begin(&t->wait_seq);
	WRITE_ONCE(t->nr_wait_ips, 0);
	raw_write_seqcount_end(&t->wait_seq);
	WRITE_ONCE(t->nr_site_slots, 0);
	t->parent_pid = 0;
	t->parent_uid = INVALID_UID;
}

/*
 * ts_task_of()'s slow path: @t, @p's slot, belongs to another task or to
 * none.  Returns NULL only when another CPU claims the same slot at this
 * moment.  A takeover loses the old owner's record: counted, and a
 * followed task that loses its record is no longer followed (its sessions
 * hear of it).
 */
struct ts_task *ts_task_claim(struct task_struct *p, struct ts_task *t)
{
	const struct task_struct *owner = READ_ONCE(t->owner);
	unsigned long lost;

	if (owner == p)
		return t;
	/*
	 * A task that has exited has said all it will: it does not take a
	 * live task's slot (after an exec from another thread, the old leader
	 * has that thread's old tid, whose slot the thread still holds).
	 */
	if (owner && READ_ONCE(p->exit_state))
		return NULL;
	if (cmpxchg(&t->owner, owner, p) != owner)
		return NULL;
	lost = xchg(&t->follow, 0);
	/*
	 * A task that has exited waits only for its reap event: taking its
	 * slot costs a live task nothing.  (exec from a non-leader thread
	 * takes its dead leader's slot so, if an event comes before exec's.)
	 */
	if (owner && READ_ONCE(t->state) != TASKSTATE_EXIT) {
		ts_count_eviction();
		if (lost)
			ts_sessions_unfollowed(lost);
	}
	ts_task_clear(t);
	return t;
}

void ts_task_release(const struct task_struct *p)
{
	struct ts_task *t = ts_slot(p->pid);

	if (READ_ONCE(t->owner) == p)
		cmpxchg(&t->owner, p, NULL);
}

/*
 * de_thread() gave the exec'ing thread its leader's pid: its record moves
 * from the old tid's slot to the tgid's, whose owner is the old leader,
 * now gone.  Left where it was, the record would be orphaned (never freed,
 * pointing at a task that will be freed) and the next event would count
 * the leader's slot as an eviction.  An event between de_thread() and this
 * one may have claimed the new slot already: then the old record is only
 * stale, and goes.
 */
struct ts_task *ts_task_exec_moved(struct task_struct *p, pid_t old_pid)
{
	struct ts_task *src = ts_slot(old_pid), *dst = ts_slot(p->pid);
	const struct task_struct *owner;
	unsigned long follow;
	unsigned int bit;

	if (src == dst || READ_ONCE(src->owner) != p)
		return ts_task_of(p);
	owner = READ_ONCE(dst->owner);
	if (owner != p && cmpxchg(&dst->owner, owner, p) != owner)
		return NULL;
	follow = xchg(&src->follow, 0) & ts_sessions_follow_live();
	if (owner == p) {
		/* Bits are cleared concurrently: set, never store, the word. */
		for_each_set_bit(bit, &follow, BITS_PER_LONG)
			set_bit(bit, &dst->follow);
		cmpxchg(&src->owner, p, NULL);
		return dst;
	}
	WRITE_ONCE(dst->follow, follow);
	WRITE_ONCE(dst->state, READ_ONCE(src->state));
	WRITE_ONCE(dst->since_ns, READ_ONCE(src->since_ns));
	WRITE_ONCE(dst->since_jiffies, READ_ONCE(src->since_jiffies));
	WRITE_ONCE(dst->wake_cause, READ_ONCE(src->wake_cause));
	WRITE_ONCE(dst->dequeued, READ_ONCE(src->dequeued));
	dst->killer = src->killer;
	WRITE_ONCE(dst->killed_from, READ_ONCE(src->killed_from));
	WRITE_ONCE(dst->killed_from_ns, READ_ONCE(src->killed_from_ns));
	WRITE_ONCE(dst->fatal_wake, READ_ONCE(src->fatal_wake));
	WRITE_ONCE(dst->killed, READ_ONCE(src->killed));
	WRITE_ONCE(dst->site_private, false);
	raw_write_seqcount_begin(&dst->wait_seq);
	WRITE_ONCE(dst->nr_wait_ips, 0);
	raw_write_seqcount_end(&dst->wait_seq);
	WRITE_ONCE(dst->nr_site_slots, 0);
	cmpxchg(&src->owner, p, NULL);
	return dst;
}

void ts_tasks_forget_follow(unsigned int bit)
{
	unsigned int i;

	for (i = 0; i <= ts_task_mask; i++) {
		if (test_bit(bit, &ts_tasks[i].follow))
			clear_bit(bit, &ts_tasks[i].follow);
		if (!(i & 4095))
			cond_resched();
	}
}

int ts_tasks_init(void)
{
	unsigned int slots = clamp(task_slots, 1024U, 4194304U), i;

	slots = roundup_pow_of_two(slots);
	ts_tasks = vzalloc(array_size(slots, sizeof(*ts_tasks)));
	if (!ts_tasks)
		return -ENOMEM;
	for (i = 0; i < slots; i++)
		seqcount_init(&ts_tasks[i].wait_seq);
	ts_task_mask = slots - 1;
	task_slots = slots;
	return 0;
}

void ts_tasks_exit(void)
{
	vfree(ts_tasks);
	ts_tasks = NULL;
}
