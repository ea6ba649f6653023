/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the model remembers of one task between two of its events.
 *
 * Tasks map to slots by the low bits of their pid, which keeps live pids
 * (allocated in sequence) apart.  The owner is the task_struct, not the pid:
 * a pid can be reused before the old task's free event arrives.  It is only
 * compared, never dereferenced or handed out.
 *
 * One task's events come from several CPUs at once: its own switches (under
 * its runqueue lock), a waker's sched_waking (under its pi_lock) and a
 * signal's generation (under its siglock).  No lock covers all three, so
 * every field that more than one of them touches is read and written with
 * READ_ONCE/WRITE_ONCE, and each field's comment says who writes it.
 */
#ifndef _TASKSTATE_TASKS_H
#define _TASKSTATE_TASKS_H

#include <linux/compiler.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>

#include "taskstate.h"

/* Someone else involved in a step: a waker, a killer, a parent. */
struct ts_actor {
	pid_t pid;			/* 0: none, or not a task (irq) */
	kuid_t uid;			/* INVALID_UID: unknown */
	char comm[TASK_COMM_LEN];
};

struct ts_task {
	const struct task_struct *owner;	/* NULL: free */
	/* Bit n: followed by the DESCENDANTS filter holding bit n. */
	unsigned long follow;
	u8 state;			/* enum taskstate_state; NONE: not known */
	u8 wake_cause;			/* waking: the cause of that wakeup, */
#define TS_WAKE_RECORD	0x80		/* ... and whether it makes a record */
	bool dequeued;			/* waking: it found the task off-rq */
	bool killed;			/* signal: a fatal signal was generated */
	bool fatal_wake;		/* waking: it found a fatal signal */
	u8 killed_from;			/* the state the kill found (either) */
	bool site_private;		/* switch: non-dumpable, site not shown */
	u8 nr_wait_ips;			/* 0: no wait site known */
	u64 since_ns;			/* when it entered @state; 0: see next */
	unsigned long since_jiffies;	/* the same with no session open; 0: unknown */
	u64 killed_from_ns;		/* signal: time in killed_from so far */
	/*
	 * Where it last blocked, for /proc/taskstate/tasks.  Written only by
	 * the probe of the task's own blocking switch (and by a takeover of
	 * the slot); readers copy it out under @wait_seq and retry or give up.
	 */
	seqcount_t wait_seq;
	unsigned long wait_ips[TS_WAIT_FRAMES];
	/*
	 * How the walk that found @wait_ips went (waitsite.c): where each
	 * return address lay, in bytes above where it started, for the
	 * first @nr_site_slots of them (0: walk again).  Written with
	 * @wait_ips, by the same probe.
	 */
	u8 nr_site_slots;
	u16 site_slots[TS_WAIT_FRAMES];
	struct ts_actor waker;		/* waking; read by wakeup */
	struct ts_actor killer;		/* signal; read by exit once @killed */
	pid_t parent_pid;		/* exit: who will reap it */
	kuid_t parent_uid;
};

extern struct ts_task *ts_tasks;
extern unsigned int ts_task_mask;

struct ts_task *ts_task_claim(struct task_struct *p, struct ts_task *t);

/*
 * The record of @p, claimed for it if another task holds the slot.  Every
 * probe asks, for one task or two: the common case, @p's own slot, inline.
 */
static inline struct ts_task *ts_task_of(struct task_struct *p)
{
	struct ts_task *t = &ts_tasks[p->pid & ts_task_mask];

	if (likely(READ_ONCE(t->owner) == p))
		return t;
	return ts_task_claim(p, t);
}

/* The record of @p if it holds one, without claiming. */
static inline struct ts_task *ts_task_peek(const struct task_struct *p)
{
	struct ts_task *t = &ts_tasks[p->pid & ts_task_mask];

	return READ_ONCE(t->owner) == p ? t : NULL;
}

/* @p is gone: its slot is free again. */
void ts_task_release(const struct task_struct *p);
/* exec in a non-leader thread moved @p from tid @old_pid to its tgid. */
struct ts_task *ts_task_exec_moved(struct task_struct *p, pid_t old_pid);
/* No filter holds @bit any more: clear it in every record. */
void ts_tasks_forget_follow(unsigned int bit);

int ts_tasks_init(void);
void ts_tasks_exit(void);

#endif /* _TASKSTATE_TASKS_H */
