// SPDX-License-Identifier: GPL-2.0
/*
 * Reader sessions: each open() of /dev/taskstate gets its own filter and
 * its own per-CPU buffers.  Probes walk the session list under RCU (they run
 * with preemption off), match the filter and write; readers are woken from
 * irq_work, never from the probe itself, since the probe may hold the
 * runqueue lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/bitops.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <asm/word-at-a-time.h>

#include "buffer.h"
#include "tasks.h"
#include "taskstate.h"

static unsigned int buffer_records = 4096;
module_param(buffer_records, uint, 0444);
MODULE_PARM_DESC(buffer_records,
		 "Default records per CPU of a session's buffer (16..1048576; rounded up to a power of two); only CAP_PERFMON or CAP_SYS_ADMIN may ask for more");

static unsigned int buffer_memory_mb;
module_param(buffer_memory_mb, uint, 0444);
MODULE_PARM_DESC(buffer_memory_mb,
		 "Most memory all sessions' buffers may hold together, in MiB (default: 1/16 of RAM, at least 64)");

/* What all sessions' buffers hold now, in bytes. */
static atomic_long_t ts_buffer_bytes = ATOMIC_LONG_INIT(0);

struct ts_filter {
	u32 flags;
	u32 transition_mask;
	u32 cause_mask;
	kuid_t uid;
	/* DESCENDANTS: the bit of task records' follow that is this filter's. */
	int follow_bit;
	u32 nr_ids;
	pid_t ids[TASKSTATE_FILTER_MAX_IDS];
	char comm[TASK_COMM_LEN];
	struct rcu_head rcu;
};

struct ts_session {
	struct list_head node;		/* ts_sessions, RCU */
	struct ts_filter __rcu *filter;	/* replaced under @lock */
	/* The filter being put in place, under ts_sessions_lock: see below. */
	const struct ts_filter *filter_next;
	struct ts_ring *ring;		/* replaced under @lock, before @started */
	size_t ring_bytes;		/* charged to ts_buffer_bytes */
	u32 buffer_records;
	bool started;			/* probes write only once set */
	bool reader_waiting;
	bool lazy_queued;		/* @wakeup_lazy is on its way */
	bool privileged;		/* else: only tasks of @uid */
	kuid_t uid;
	struct mutex lock;		/* reader side: read, poll and ioctl */
	wait_queue_head_t wait;
	struct irq_work wakeup;		/* now: the buffer is filling up */
	struct irq_work wakeup_lazy;	/* at the next tick */
	u64 delivered;
	atomic64_t untracked;
	struct rcu_work free_work;	/* after the last probe's grace period */
};

/* Read by ts_sessions_open() (taskstate.h) in every probe. */
LIST_HEAD(ts_sessions);
static DEFINE_MUTEX(ts_sessions_lock);
/*
 * Closed sessions are freed here once no probe can see them, so that
 * close() does not wait for a grace period (long on PREEMPT_RT).  Until
 * then their buffers and follow bits still count against the limits.
 */
static struct workqueue_struct *ts_free_wq;
static atomic_t ts_sessions_freeing = ATOMIC_INIT(0);
/* Open sessions without privilege: only they need the other task's uid. */
static atomic_t ts_unprivileged_sessions = ATOMIC_INIT(0);

bool ts_sessions_unprivileged(void)
{
	return atomic_read(&ts_unprivileged_sessions);
}

/*
 * What all sessions' filters could take, summed up for the probes, so that
 * a task no filter names costs them a few tests rather than a record that
 * every filter then turns down.  It may say "maybe" of a task no filter
 * takes (two ids that hash alike), never "no" of one a filter takes: each
 * filter is in the summary before a probe can see it, and leaves it only
 * once probes cannot (a filter being put in place is summed up as well as
 * the one it replaces).  Rewritten in place, a word at a time, under
 * ts_sessions_lock: every word a probe may read, old or new, is a superset
 * of what the filters it can see take, and the test is monotonic in each.
 */
struct ts_interest ts_interest;

static void ts_interest_add(struct ts_interest *in, const struct ts_filter *f)
{
	u32 i;

	if (!(f->flags & (TASKSTATE_FILTER_PIDS | TASKSTATE_FILTER_TGIDS |
			  TASKSTATE_FILTER_DESCENDANTS))) {
		in->any = true;
		return;
	}
	if (f->follow_bit >= 0)
		in->follow |= BIT(f->follow_bit);
	for (i = 0; i < f->nr_ids; i++)
		__set_bit(ts_interest_hash(f->ids[i]), in->ids);
}

/* Under ts_sessions_lock, after the sessions or their filters changed. */
static void ts_interest_update(void)
{
	static struct ts_interest in;	/* ts_sessions_lock */
	struct ts_session *s;
	unsigned int i;

	lockdep_assert_held(&ts_sessions_lock);
	memset(&in, 0, sizeof(in));
	rcu_read_lock();
	list_for_each_entry(s, &ts_sessions, node) {
		ts_interest_add(&in, rcu_dereference(s->filter));
		if (s->filter_next)
			ts_interest_add(&in, s->filter_next);
	}
	rcu_read_unlock();
	WRITE_ONCE(ts_interest.any, in.any);
	WRITE_ONCE(ts_interest.follow, in.follow);
	for (i = 0; i < ARRAY_SIZE(in.ids); i++)
		WRITE_ONCE(ts_interest.ids[i], in.ids[i]);
}

/* @f (or none, once in place) is about to be @s's filter. */
static void ts_interest_expect(struct ts_session *s, const struct ts_filter *f)
{
	mutex_lock(&ts_sessions_lock);
	s->filter_next = f;
	ts_interest_update();
	mutex_unlock(&ts_sessions_lock);
}

/*
 * Following descendants costs one bit in every task record: bit n of a
 * record's follow says the filter holding bit n follows that task, so a
 * probe knows in one test, whatever has forked and exited before.  The bits
 * are handed out and taken back under ts_sessions_lock; a bit taken back is
 * cleared in every record before it is handed out again.
 */
static unsigned long ts_follow_used;
/* Held by sessions without privilege: at most half, the rest is root's. */
static unsigned long ts_follow_unprivileged;
/* Whose bit it is, for probes that must tell a session it lost a task. */
static struct ts_session __rcu *ts_followers[BITS_PER_LONG];
/*
 * The bits of the filters probes can see.  A probe that moves bits from
 * one record to another keeps only these: a bit no longer here may be
 * being cleared from every record, and must not be copied behind it.
 */
static unsigned long ts_follow_live;

unsigned long ts_sessions_follow_live(void)
{
	return READ_ONCE(ts_follow_live);
}

/* Under ts_sessions_lock. */
static void ts_follow_bit_publish(int bit, struct ts_session *s)
{
	rcu_assign_pointer(ts_followers[bit], s);
	WRITE_ONCE(ts_follow_live, ts_follow_live | BIT(bit));
}

static int ts_follow_bit_get(struct ts_session *s)
{
	int bit = -ENOSPC;

	mutex_lock(&ts_sessions_lock);
	if (!s->privileged &&
	    hweight_long(ts_follow_unprivileged) >= BITS_PER_LONG / 2)
		goto out;
	bit = find_first_zero_bit(&ts_follow_used, BITS_PER_LONG);
	if (bit >= BITS_PER_LONG) {
		bit = -ENOSPC;
		goto out;
	}
	__set_bit(bit, &ts_follow_used);
	if (!s->privileged)
		__set_bit(bit, &ts_follow_unprivileged);
	ts_follow_bit_publish(bit, s);
out:
	mutex_unlock(&ts_sessions_lock);
	return bit;
}

/* Probes must no longer set @bit: after the filter's grace period. */
static void ts_follow_bit_put(int bit)
{
	if (bit < 0)
		return;
	ts_tasks_forget_follow(bit);
	mutex_lock(&ts_sessions_lock);
	__clear_bit(bit, &ts_follow_used);
	__clear_bit(bit, &ts_follow_unprivileged);
	mutex_unlock(&ts_sessions_lock);
}

/* Before the grace period that ends the probes' use of @bit. */
static void ts_follow_bit_unpublish(int bit)
{
	if (bit < 0)
		return;
	mutex_lock(&ts_sessions_lock);
	RCU_INIT_POINTER(ts_followers[bit], NULL);
	WRITE_ONCE(ts_follow_live, ts_follow_live & ~BIT(bit));
	mutex_unlock(&ts_sessions_lock);
}

void ts_sessions_unfollowed(unsigned long follow)
{
	unsigned int bit;

	for_each_set_bit(bit, &follow, BITS_PER_LONG) {
		struct ts_session *s = rcu_dereference_sched(ts_followers[bit]);

		if (s)
			atomic64_inc(&s->untracked);
	}
}

static bool ts_ids_have(const struct ts_filter *f, pid_t id)
{
	u32 i;

	for (i = 0; i < f->nr_ids; i++)
		if (f->ids[i] == id)
			return true;
	return false;
}

static bool ts_follows(const struct ts_filter *f, pid_t pid, pid_t tgid,
		       unsigned long follow)
{
	return (f->follow_bit >= 0 && (follow & BIT(f->follow_bit))) ||
	       ts_ids_have(f, pid) || ts_ids_have(f, tgid);
}

static bool ts_filter_task(const struct ts_filter *f, pid_t pid, pid_t tgid,
			   const char *comm, struct task_struct *p,
			   unsigned long follow)
{
	if ((f->flags & TASKSTATE_FILTER_PIDS) && !ts_ids_have(f, pid))
		return false;
	if ((f->flags & TASKSTATE_FILTER_TGIDS) && !ts_ids_have(f, tgid))
		return false;
	if ((f->flags & TASKSTATE_FILTER_DESCENDANTS) &&
	    !ts_follows(f, pid, tgid, follow))
		return false;
	if ((f->flags & TASKSTATE_FILTER_COMM) &&
	    strncmp(f->comm, comm, TASK_COMM_LEN))
		return false;
	if ((f->flags & TASKSTATE_FILTER_UID) && !uid_eq(task_uid(p), f->uid))
		return false;
	return true;
}

static bool ts_filter_record(const struct ts_filter *f,
			     const struct ts_record *r, struct task_struct *p,
			     unsigned long follow)
{
	if (f->transition_mask && !(f->transition_mask & BIT(r->transition)))
		return false;
	if (f->cause_mask && !(f->cause_mask & BIT(r->cause)))
		return false;
	return ts_filter_task(f, r->pid, r->tgid, r->comm, p, follow);
}

/*
 * Children of followed tasks are followed from their fork on: the bits of
 * @child's record.  @no_record: the child got none, so it cannot be.
 */
unsigned long ts_sessions_fork(struct task_struct *parent,
			       struct task_struct *child,
			       unsigned long parent_follow, bool no_record)
{
	unsigned long follow = 0;
	struct ts_session *s;

	list_for_each_entry_rcu(s, &ts_sessions, node) {
		struct ts_filter *f = rcu_dereference_sched(s->filter);

		if (f->follow_bit < 0 || !READ_ONCE(s->started) ||
		    !ts_follows(f, parent->pid, parent->tgid, parent_follow))
			continue;
		if (no_record)
			atomic64_inc(&s->untracked);
		else
			follow |= BIT(f->follow_bit);
	}
	return follow;
}

/*
 * @follow: the bits of @p's record @t.  A blocking switch is unwound here,
 * once, for the first session that takes the event and wants its wait site:
 * nobody pays for an unwind that no reader will see.
 */
void ts_sessions_emit(struct ts_record *r, struct task_struct *p,
		      unsigned long follow, const struct ts_probe_frame *from,
		      struct ts_task *t)
{
	bool unwound = r->nr_wait_ips;
	struct ts_session *s;
	u32 used;

	list_for_each_entry_rcu(s, &ts_sessions, node) {
		const struct ts_filter *f;

		/* Pairs with the release in ts_session_start(). */
		if (!smp_load_acquire(&s->started))
			continue;
		f = rcu_dereference_sched(s->filter);
		if (!ts_filter_record(f, r, p, follow))
			continue;
		if (!s->privileged && !uid_eq(task_uid(p), s->uid))
			continue;
		if (!unwound && r->transition == TASKSTATE_TR_BLOCK &&
		    !(f->flags & TASKSTATE_FILTER_NO_WAIT_SITE)) {
			r->nr_wait_ips = ts_wait_site_capture(r->wait_ips,
							      TS_WAIT_FRAMES,
							      from, t);
			unwound = true;
		}
		used = ts_ring_write(s->ring, r);
		/* Pairs with the barrier in ts_session_wait(). */
		smp_mb();
		if (!READ_ONCE(s->reader_waiting))
			continue;
		/*
		 * Woken once per tick, a reader takes records in batches:
		 * woken per record, its own switches would be half of what
		 * an all-tasks session records.  A buffer half full cannot
		 * wait for the tick.
		 */
		if (used >= ts_ring_size(s->ring) / 2) {
			irq_work_queue(&s->wakeup);
		} else if (!READ_ONCE(s->lazy_queued)) {
			/* Cleared by the work: queued again if it ran. */
			WRITE_ONCE(s->lazy_queued, true);
			irq_work_queue(&s->wakeup_lazy);
		}
	}
}

static void ts_session_wake_reader(struct ts_session *s)
{
	WRITE_ONCE(s->reader_waiting, false);
	wake_up_interruptible(&s->wait);
}

static void ts_session_wakeup(struct irq_work *work)
{
	ts_session_wake_reader(container_of(work, struct ts_session, wakeup));
}

static void ts_session_wakeup_lazy(struct irq_work *work)
{
	struct ts_session *s = container_of(work, struct ts_session,
					    wakeup_lazy);

	WRITE_ONCE(s->lazy_queued, false);
	ts_session_wake_reader(s);
}

u32 ts_default_buffer_records(void)
{
	return clamp(READ_ONCE(buffer_records), TASKSTATE_BUFFER_MIN,
		     TASKSTATE_BUFFER_MAX);
}

void ts_set_default_buffer_records(u32 records)
{
	WRITE_ONCE(buffer_records, records);
}

u32 ts_buffer_memory_mb(void)
{
	u32 mb = READ_ONCE(buffer_memory_mb);

	if (mb)
		return mb;
	return max_t(unsigned long, 64,
		     totalram_pages() >> (20 - PAGE_SHIFT) >> 4);
}

void ts_set_buffer_memory_mb(u32 mb)
{
	WRITE_ONCE(buffer_memory_mb, mb);
}

unsigned long ts_buffer_memory_used(void)
{
	return atomic_long_read(&ts_buffer_bytes);
}

/*
 * A limit was hit while closed sessions still hold memory or follow bits:
 * wait until they are freed, and say whether it is worth trying again.
 */
static bool ts_sessions_wait_freed(void)
{
	if (!atomic_read(&ts_sessions_freeing))
		return false;
	rcu_barrier();
	flush_workqueue(ts_free_wq);
	return true;
}

/*
 * A ring of @records per CPU, if all sessions' buffers stay within
 * buffer_memory_mb with it; its memory is charged to the caller's cgroup.
 * Readers without privilege fill at most half of it, so that they cannot
 * keep a privileged one out.
 */
static struct ts_ring *ts_session_ring_alloc(u32 records, bool privileged,
					     size_t *bytes)
{
	long limit = (long)ts_buffer_memory_mb() << (privileged ? 20 : 19);
	size_t need = ts_ring_bytes(records);
	struct ts_ring *ring;
	bool waited;

	/* need saturates at SIZE_MAX: never add what cannot fit anyway. */
	if (need > limit)
		return ERR_PTR(-ENOMEM);
	for (waited = false; ; waited = true) {
		if (atomic_long_add_return(need, &ts_buffer_bytes) <= limit)
			break;
		atomic_long_sub(need, &ts_buffer_bytes);
		if (waited || !ts_sessions_wait_freed())
			return ERR_PTR(-ENOMEM);
	}
	ring = ts_ring_alloc(records);
	if (!ring) {
		atomic_long_sub(need, &ts_buffer_bytes);
		return ERR_PTR(-ENOMEM);
	}
	*bytes = need;
	return ring;
}

static void ts_session_ring_free(struct ts_ring *ring, size_t bytes)
{
	ts_ring_free(ring);
	atomic_long_sub(bytes, &ts_buffer_bytes);
}

static struct ts_filter *ts_filter_alloc(void)
{
	struct ts_filter *f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);

	if (f)
		f->follow_bit = -1;
	return f;
}

struct ts_session *ts_session_create(const struct file *file)
{
	struct ts_session *s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	struct ts_filter *f = ts_filter_alloc();
	struct ts_ring *ring;

	if (!s || !f) {
		kfree(s);
		kfree(f);
		return ERR_PTR(-ENOMEM);
	}
	s->buffer_records = ts_default_buffer_records();
	s->privileged = ts_file_privileged(file);
	s->uid = file->f_cred->uid;
	ring = ts_session_ring_alloc(s->buffer_records, s->privileged,
				     &s->ring_bytes);
	if (IS_ERR(ring)) {
		kfree(s);
		kfree(f);
		return ERR_CAST(ring);
	}
	s->ring = ring;
	RCU_INIT_POINTER(s->filter, f);
	mutex_init(&s->lock);
	init_waitqueue_head(&s->wait);
	init_irq_work(&s->wakeup, ts_session_wakeup);
	s->wakeup_lazy = IRQ_WORK_INIT_LAZY(ts_session_wakeup_lazy);
	atomic64_set(&s->untracked, 0);

	if (!s->privileged)
		atomic_inc(&ts_unprivileged_sessions);
	mutex_lock(&ts_sessions_lock);
	list_add_tail_rcu(&s->node, &ts_sessions);
	ts_interest_update();
	mutex_unlock(&ts_sessions_lock);
	return s;
}

static void ts_session_free(struct work_struct *work)
{
	struct ts_session *s = container_of(to_rcu_work(work),
					    struct ts_session, free_work);
	struct ts_filter *f = rcu_dereference_protected(s->filter, true);

	/* No probe sees the session any more, so no new wakeup is queued. */
	irq_work_sync(&s->wakeup);
	irq_work_sync(&s->wakeup_lazy);
	ts_follow_bit_put(f->follow_bit);
	ts_session_ring_free(s->ring, s->ring_bytes);
	kfree(f);
	kfree(s);
	atomic_dec(&ts_sessions_freeing);
}

void ts_session_destroy(struct ts_session *s)
{
	struct ts_filter *f = rcu_dereference_protected(s->filter, true);

	mutex_lock(&ts_sessions_lock);
	list_del_rcu(&s->node);
	ts_interest_update();
	mutex_unlock(&ts_sessions_lock);
	ts_follow_bit_unpublish(f->follow_bit);
	if (!s->privileged)
		atomic_dec(&ts_unprivileged_sessions);
	atomic_inc(&ts_sessions_freeing);
	INIT_RCU_WORK(&s->free_work, ts_session_free);
	queue_rcu_work(ts_free_wq, &s->free_work);
}

int ts_sessions_init(void)
{
	ts_free_wq = alloc_workqueue("taskstate_free", WQ_UNBOUND, 0);
	return ts_free_wq ? 0 : -ENOMEM;
}

/* After the device is gone: every session is closed, maybe not yet freed. */
void ts_sessions_exit(void)
{
	rcu_barrier();
	destroy_workqueue(ts_free_wq);
}

/* Under s->lock: SET_BUFFER must see it, or be over before it. */
static void ts_session_start(struct ts_session *s)
{
	lockdep_assert_held(&s->lock);
	if (s->started)
		return;
	/* The ring and filter are ready before a probe can see the flag. */
	smp_store_release(&s->started, true);
}

static int ts_filter_from_user(struct ts_filter *f,
			       const struct taskstate_filter *u)
{
	const u32 id_flags = TASKSTATE_FILTER_PIDS | TASKSTATE_FILTER_TGIDS |
			     TASKSTATE_FILTER_DESCENDANTS;
	u32 i;

	if (u->flags & ~TASKSTATE_FILTER_ALL_FLAGS || u->__reserved)
		return -EINVAL;
	if (u->transition_mask & ~(BIT(TASKSTATE_NR_TRANSITIONS) - 1) ||
	    u->cause_mask & ~(BIT(TASKSTATE_NR_CAUSES) - 1))
		return -EINVAL;
	if (hweight32(u->flags & id_flags) > 1 || u->nr_ids > TASKSTATE_FILTER_MAX_IDS)
		return -EINVAL;
	if (!!(u->flags & id_flags) != !!u->nr_ids)
		return -EINVAL;
	for (i = 0; i < u->nr_ids; i++)
		if (u->ids[i] <= 0)
			return -EINVAL;
	if (u->flags & TASKSTATE_FILTER_COMM &&
	    (!u->comm[0] || !memchr(u->comm, '\0', sizeof(u->comm))))
		return -EINVAL;
	if (u->flags & TASKSTATE_FILTER_UID) {
		f->uid = make_kuid(current_user_ns(), u->uid);
		if (!uid_valid(f->uid))
			return -EINVAL;
	}

	f->flags = u->flags;
	f->transition_mask = u->transition_mask;
	f->cause_mask = u->cause_mask;
	f->nr_ids = u->nr_ids;
	memcpy(f->ids, u->ids, sizeof(f->ids));
	strscpy(f->comm, u->comm, sizeof(f->comm));
	return 0;
}

/* Publish @f in place of the filter @s has; the old one is freed. */
static void ts_session_replace_filter(struct ts_session *s, struct ts_filter *f)
{
	struct ts_filter *old;

	ts_interest_expect(s, f);
	old = rcu_replace_pointer(s->filter, f, lockdep_is_held(&s->lock));
	ts_interest_expect(s, NULL);
	if (old->follow_bit < 0) {
		kfree_rcu(old, rcu);
		return;
	}
	ts_follow_bit_unpublish(old->follow_bit);
	/* Until no probe uses the old filter, its bit cannot be cleared. */
	synchronize_rcu();
	ts_follow_bit_put(old->follow_bit);
	kfree(old);
}

static long ts_session_set_filter(struct ts_session *s, void __user *arg)
{
	struct taskstate_filter u;
	struct ts_filter *f, *gap, *old;
	int ret;

	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	f = ts_filter_alloc();
	if (!f)
		return -ENOMEM;
	ret = ts_filter_from_user(f, &u);
	if (ret) {
		kfree(f);
		return ret;
	}
	if (!(f->flags & TASKSTATE_FILTER_DESCENDANTS)) {
		ts_session_replace_filter(s, f);
		return 0;
	}
	f->follow_bit = ts_follow_bit_get(s);
	if (f->follow_bit < 0 && ts_sessions_wait_freed())
		f->follow_bit = ts_follow_bit_get(s);
	if (f->follow_bit >= 0) {
		ts_session_replace_filter(s, f);
		return 0;
	}
	/*
	 * Every bit is taken.  A session that has one gives it back first,
	 * through a filter that follows @ids alone for one grace period (a
	 * fork in that gap is not followed); one that has none cannot follow.
	 */
	if (rcu_dereference_protected(s->filter,
				      lockdep_is_held(&s->lock))->follow_bit < 0) {
		kfree(f);
		return -ENOSPC;
	}
	gap = kmemdup(f, sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!gap) {
		kfree(f);
		return -ENOMEM;
	}
	gap->follow_bit = -1;
	/* @f's ids are @gap's: in the summary before either is in place. */
	ts_interest_expect(s, f);
	old = rcu_replace_pointer(s->filter, gap, lockdep_is_held(&s->lock));
	f->follow_bit = old->follow_bit;
	ts_follow_bit_unpublish(f->follow_bit);
	synchronize_rcu();
	/* Still this session's bit: cleared, then the new filter's. */
	ts_tasks_forget_follow(f->follow_bit);
	kfree(old);
	mutex_lock(&ts_sessions_lock);
	ts_follow_bit_publish(f->follow_bit, s);
	mutex_unlock(&ts_sessions_lock);
	ts_session_replace_filter(s, f);
	return 0;
}

static long ts_session_set_buffer(struct ts_session *s, u32 __user *arg)
{
	struct ts_ring *ring;
	size_t bytes;
	u32 records;

	if (get_user(records, arg))
		return -EFAULT;
	if (records < TASKSTATE_BUFFER_MIN || records > TASKSTATE_BUFFER_MAX)
		return -EINVAL;
	if (s->started)
		return -EBUSY;
	if (records > ts_default_buffer_records() && !s->privileged)
		return -EPERM;
	ring = ts_session_ring_alloc(records, s->privileged, &bytes);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	/* Not started, and starting takes s->lock: no probe sees the old ring. */
	ts_session_ring_free(s->ring, s->ring_bytes);
	s->ring = ring;
	s->ring_bytes = bytes;
	s->buffer_records = records;
	return 0;
}

static long ts_session_stats(struct ts_session *s, void __user *arg)
{
	struct taskstate_stats st;
	u64 written, lost;

	memset(&st, 0, sizeof(st));
	ts_ring_totals(s->ring, &written, &lost);
	st.produced = written + lost;
	st.delivered = s->delivered;
	st.lost = lost;
	st.untracked = atomic64_read(&s->untracked);
	st.buffer_records = s->buffer_records;
	st.nr_cpus = num_possible_cpus();
	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

long ts_session_ioctl(struct ts_session *s, unsigned int cmd,
		      void __user *arg)
{
	long ret;

	if (cmd == TASKSTATE_IOC_VERSION)
		return TASKSTATE_ABI_VERSION;
	if (mutex_lock_interruptible(&s->lock))
		return -ERESTARTSYS;
	switch (cmd) {
	case TASKSTATE_IOC_SET_FILTER:
		ret = ts_session_set_filter(s, arg);
		break;
	case TASKSTATE_IOC_SET_BUFFER:
		ret = ts_session_set_buffer(s, arg);
		break;
	case TASKSTATE_IOC_START:
		ts_session_start(s);
		ret = 0;
		break;
	case TASKSTATE_IOC_GET_STATS:
		ret = ts_session_stats(s, arg);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&s->lock);
	return ret;
}

/*
 * A task name (NUL-terminated within TASK_COMM_LEN) into @dst, NUL-padded
 * so that no stale byte of the probe's copy reaches the reader: a word at a
 * time, since strscpy() costs several times as much, per event.
 */
static void ts_comm_copy(char *dst, const char *src)
{
	const struct word_at_a_time k = WORD_AT_A_TIME_CONSTANTS;
	unsigned long w, data;
	bool ended = false;
	unsigned int i;

	static_assert(TASKSTATE_COMM_LEN == TASK_COMM_LEN);
	static_assert(TASK_COMM_LEN % sizeof(w) == 0);
	for (i = 0; i < TASK_COMM_LEN; i += sizeof(w)) {
		memcpy(&w, src + i, sizeof(w));
		if (ended) {
			w = 0;
		} else if (has_zero(w, &data, &k)) {
			data = prep_zero_mask(w, data, &k);
			w &= zero_bytemask(create_zero_mask(data));
			ended = true;
		}
		memcpy(dst + i, &w, sizeof(w));
	}
}

/*
 * What a reader gets of @r.  A reader without privilege sees only its own
 * tasks, and of the others a step names (waker, killer, parent, the task
 * that took the CPU) only those that are its own too; of a setuid program
 * of its own, not where it waits, as /proc/PID/wchan would not tell it.
 */
static void ts_record_to_event(const struct ts_session *s,
			       const struct ts_record *r,
			       struct taskstate_event *ev, bool wait_site)
{
	/* Zeroed: padding and unused fields never carry kernel memory. */
	memset(ev, 0, sizeof(*ev));
	ev->size = sizeof(*ev);
	ev->kind = r->kind ?: TASKSTATE_KIND_EVENT;
	ev->ts_ns = r->ts_ns;
	ev->cpu = r->cpu;
	if (ev->kind == TASKSTATE_KIND_LOST) {
		ev->lost = r->lost;
		return;
	}
	ev->transition = r->transition;
	ev->from = r->from;
	ev->to = r->to;
	ev->cause = r->cause;
	ev->linux_state = r->linux_state;
	ev->pid = r->pid;
	ev->tgid = r->tgid;
	ev->exit_code = r->exit_code;
	ev->signal = r->signal;
	ev->prev_state_ns = r->prev_state_ns;
	ts_comm_copy(ev->comm, r->comm);
	if (s->privileged || !r->other_pid || uid_eq(r->other_uid, s->uid)) {
		ev->other_pid = r->other_pid;
		ts_comm_copy(ev->other_comm, r->other_comm);
	}
	if (wait_site && r->nr_wait_ips && (s->privileged || !r->site_private))
		ts_wait_site_name(r->wait_ips, r->nr_wait_ips, ev->wait_site);
}

/* Sleep until there is something to read; called without s->lock. */
static int ts_session_wait(struct ts_session *s)
{
	WRITE_ONCE(s->reader_waiting, true);
	/* Pairs with the barrier in ts_sessions_emit(). */
	smp_mb();
	return wait_event_interruptible(s->wait, !ts_ring_empty(s->ring));
}

/*
 * A blocking read returns at least one record: a loss reported meanwhile
 * by the producer itself (its marker) can make a non-empty ring read as
 * nothing, and 0 would look like the end of the stream.
 */
ssize_t ts_session_read(struct ts_session *s, char __user *buf, size_t count,
			bool nonblock)
{
	const struct ts_record *r;
	struct taskstate_event ev;
	ssize_t done = 0;
	bool wait_site;

	if (count < sizeof(ev))
		return -EINVAL;
	if (mutex_lock_interruptible(&s->lock))
		return -ERESTARTSYS;
	ts_session_start(s);
	wait_site = !(rcu_dereference_protected(s->filter,
						lockdep_is_held(&s->lock))->flags &
		      TASKSTATE_FILTER_NO_WAIT_SITE);
	for (;;) {
		ts_ring_begin_read(s->ring);
		while (done + sizeof(ev) <= count &&
		       (r = ts_ring_peek(s->ring))) {
			ts_record_to_event(s, r, &ev, wait_site);
			if (copy_to_user(buf + done, &ev, sizeof(ev))) {
				/* The record stays for the next read. */
				ts_ring_unpeek(s->ring);
				if (!done)
					done = -EFAULT;
				break;
			}
			ts_ring_consume(s->ring);
			if (ev.kind == TASKSTATE_KIND_EVENT)
				s->delivered++;
			done += sizeof(ev);
		}
		if (done)
			break;
		mutex_unlock(&s->lock);
		if (nonblock)
			return -EAGAIN;
		/* Started: the ring no longer changes without s->lock. */
		if (ts_session_wait(s))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&s->lock))
			return -ERESTARTSYS;
	}
	mutex_unlock(&s->lock);
	return done;
}

__poll_t ts_session_poll(struct ts_session *s, struct file *file,
			 poll_table *pt)
{
	/* Polling means reading: it starts the session like read() does. */
	mutex_lock(&s->lock);
	ts_session_start(s);
	mutex_unlock(&s->lock);
	poll_wait(file, &s->wait, pt);
	WRITE_ONCE(s->reader_waiting, true);
	/* Pairs with the barrier in ts_sessions_emit(), as in ts_session_wait(). */
	smp_mb();
	return ts_ring_empty(s->ring) ? 0 : EPOLLIN | EPOLLRDNORM;
}
