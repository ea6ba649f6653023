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
#include <linux/bitops.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/log2.h>
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

#include "buffer.h"
#include "taskstate.h"

static unsigned int buffer_records = 4096;
module_param(buffer_records, uint, 0444);
MODULE_PARM_DESC(buffer_records,
		 "Default records per CPU of a session's buffer (16..1048576; rounded up to a power of two)");

/* Descendants followed per session; more are counted as untracked. */
#define TS_TRACKED_SLOTS	4096
#define TS_TRACKED_GONE		(-1)

struct ts_filter {
	struct rcu_head rcu;
	u32 flags;
	u32 transition_mask;
	u32 cause_mask;
	kuid_t uid;
	u32 nr_ids;
	pid_t ids[TASKSTATE_FILTER_MAX_IDS];
	char comm[TASK_COMM_LEN];
	/* DESCENDANTS: pids followed, open addressing; 0 free, -1 gone. */
	pid_t tracked[];
};

struct ts_session {
	struct list_head node;		/* ts_sessions, RCU */
	struct ts_filter __rcu *filter;
	struct ts_ring *ring;
	u32 buffer_records;
	bool started;			/* probes write only once set */
	bool wants_wait_site;
	bool reader_waiting;
	bool privileged;		/* else: only tasks of @uid */
	kuid_t uid;
	struct mutex lock;		/* reader side: read and ioctl */
	wait_queue_head_t wait;
	struct irq_work wakeup;		/* now: the buffer is filling up */
	struct irq_work wakeup_lazy;	/* at the next tick */
	u64 delivered;
	atomic64_t untracked;
};

static LIST_HEAD(ts_sessions);
static DEFINE_MUTEX(ts_sessions_lock);
static atomic_t ts_wait_site_users = ATOMIC_INIT(0);

bool ts_wait_site_wanted(void)
{
	return atomic_read(&ts_wait_site_users) > 0;
}

static bool ts_tracked_has(const struct ts_filter *f, pid_t pid)
{
	u32 i, slot = hash_32(pid, ilog2(TS_TRACKED_SLOTS));

	for (i = 0; i < TS_TRACKED_SLOTS; i++) {
		pid_t v = READ_ONCE(f->tracked[(slot + i) % TS_TRACKED_SLOTS]);

		if (v == pid)
			return true;
		if (!v)
			return false;
	}
	return false;
}

/* Lock-free insert: probes on several CPUs may fork at once. */
static bool ts_tracked_add(struct ts_filter *f, pid_t pid)
{
	u32 i, slot = hash_32(pid, ilog2(TS_TRACKED_SLOTS));

	for (i = 0; i < TS_TRACKED_SLOTS; i++) {
		pid_t *p = &f->tracked[(slot + i) % TS_TRACKED_SLOTS];
		pid_t v = READ_ONCE(*p);

		if (v == pid)
			return true;
		if ((!v || v == TS_TRACKED_GONE) && cmpxchg(p, v, pid) == v)
			return true;
	}
	return false;
}

static void ts_tracked_remove(struct ts_filter *f, pid_t pid)
{
	u32 i, slot = hash_32(pid, ilog2(TS_TRACKED_SLOTS));

	for (i = 0; i < TS_TRACKED_SLOTS; i++) {
		pid_t *p = &f->tracked[(slot + i) % TS_TRACKED_SLOTS];
		pid_t v = READ_ONCE(*p);

		if (v == pid) {
			cmpxchg(p, v, TS_TRACKED_GONE);
			return;
		}
		if (!v)
			return;
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

static bool ts_filter_task(const struct ts_filter *f, pid_t pid, pid_t tgid,
			   const char *comm, struct task_struct *p)
{
	if ((f->flags & TASKSTATE_FILTER_PIDS) && !ts_ids_have(f, pid))
		return false;
	if ((f->flags & TASKSTATE_FILTER_TGIDS) && !ts_ids_have(f, tgid))
		return false;
	if ((f->flags & TASKSTATE_FILTER_DESCENDANTS) &&
	    !ts_tracked_has(f, pid) && !ts_tracked_has(f, tgid))
		return false;
	if ((f->flags & TASKSTATE_FILTER_COMM) &&
	    strncmp(f->comm, comm, TASK_COMM_LEN))
		return false;
	if ((f->flags & TASKSTATE_FILTER_UID) && !uid_eq(task_uid(p), f->uid))
		return false;
	return true;
}

static bool ts_filter_record(const struct ts_filter *f,
			     const struct ts_record *r, struct task_struct *p)
{
	if (f->transition_mask && !(f->transition_mask & BIT(r->transition)))
		return false;
	if (f->cause_mask && !(f->cause_mask & BIT(r->cause)))
		return false;
	return ts_filter_task(f, r->pid, r->tgid, r->comm, p);
}

/* Children of followed tasks are followed from their fork on. */
void ts_sessions_fork(struct task_struct *parent, struct task_struct *child)
{
	struct ts_session *s;

	list_for_each_entry_rcu(s, &ts_sessions, node) {
		struct ts_filter *f = rcu_dereference_sched(s->filter);

		if (!READ_ONCE(s->started) ||
		    !(f->flags & TASKSTATE_FILTER_DESCENDANTS))
			continue;
		if (!ts_tracked_has(f, parent->pid) &&
		    !ts_tracked_has(f, parent->tgid))
			continue;
		if (!ts_tracked_add(f, child->pid))
			atomic64_inc(&s->untracked);
	}
}

void ts_sessions_free(struct task_struct *p)
{
	struct ts_session *s;

	list_for_each_entry_rcu(s, &ts_sessions, node) {
		struct ts_filter *f = rcu_dereference_sched(s->filter);

		if (f->flags & TASKSTATE_FILTER_DESCENDANTS)
			ts_tracked_remove(f, p->pid);
	}
}

void ts_sessions_emit(const struct ts_record *r, struct task_struct *p)
{
	struct ts_session *s;
	u32 used;

	list_for_each_entry_rcu(s, &ts_sessions, node) {
		/* Pairs with the release in ts_session_start(). */
		if (!smp_load_acquire(&s->started))
			continue;
		if (!ts_filter_record(rcu_dereference_sched(s->filter), r, p))
			continue;
		if (!s->privileged && !uid_eq(task_uid(p), s->uid))
			continue;
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
		if (used >= ts_ring_size(s->ring) / 2)
			irq_work_queue(&s->wakeup);
		else
			irq_work_queue(&s->wakeup_lazy);
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
	ts_session_wake_reader(container_of(work, struct ts_session,
					    wakeup_lazy));
}

static struct ts_filter *ts_filter_alloc(void)
{
	struct ts_filter *f;

	return kzalloc(struct_size(f, tracked, TS_TRACKED_SLOTS), GFP_KERNEL);
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

struct ts_session *ts_session_create(const struct file *file)
{
	struct ts_session *s = kzalloc(sizeof(*s), GFP_KERNEL);
	struct ts_filter *f = ts_filter_alloc();

	if (!s || !f) {
		kfree(s);
		kfree(f);
		return NULL;
	}
	s->buffer_records = ts_default_buffer_records();
	s->privileged = ts_file_privileged(file);
	s->uid = file->f_cred->uid;
	s->ring = ts_ring_alloc(s->buffer_records);
	if (!s->ring) {
		kfree(s);
		kfree(f);
		return NULL;
	}
	RCU_INIT_POINTER(s->filter, f);
	s->wants_wait_site = true;
	mutex_init(&s->lock);
	init_waitqueue_head(&s->wait);
	init_irq_work(&s->wakeup, ts_session_wakeup);
	s->wakeup_lazy = IRQ_WORK_INIT_LAZY(ts_session_wakeup_lazy);
	atomic64_set(&s->untracked, 0);
	atomic_inc(&ts_wait_site_users);

	mutex_lock(&ts_sessions_lock);
	list_add_tail_rcu(&s->node, &ts_sessions);
	mutex_unlock(&ts_sessions_lock);
	return s;
}

void ts_session_destroy(struct ts_session *s)
{
	mutex_lock(&ts_sessions_lock);
	list_del_rcu(&s->node);
	mutex_unlock(&ts_sessions_lock);
	/* No probe still sees the session, then no wakeup is pending. */
	synchronize_rcu();
	irq_work_sync(&s->wakeup);
	irq_work_sync(&s->wakeup_lazy);
	if (s->wants_wait_site)
		atomic_dec(&ts_wait_site_users);
	ts_ring_free(s->ring);
	kfree(rcu_dereference_protected(s->filter, true));
	kfree(s);
}

static void ts_session_start(struct ts_session *s)
{
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
	if (f->flags & TASKSTATE_FILTER_DESCENDANTS)
		for (i = 0; i < f->nr_ids; i++)
			ts_tracked_add(f, f->ids[i]);
	return 0;
}

static long ts_session_set_filter(struct ts_session *s, void __user *arg)
{
	struct taskstate_filter u;
	struct ts_filter *f, *old;
	bool wants;
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
	wants = !(f->flags & TASKSTATE_FILTER_NO_WAIT_SITE);
	if (wants != s->wants_wait_site) {
		if (wants)
			atomic_inc(&ts_wait_site_users);
		else
			atomic_dec(&ts_wait_site_users);
		s->wants_wait_site = wants;
	}
	old = rcu_replace_pointer(s->filter, f, lockdep_is_held(&s->lock));
	kfree_rcu(old, rcu);
	return 0;
}

static long ts_session_set_buffer(struct ts_session *s, u32 __user *arg)
{
	struct ts_ring *ring;
	u32 records;

	if (get_user(records, arg))
		return -EFAULT;
	if (records < TASKSTATE_BUFFER_MIN || records > TASKSTATE_BUFFER_MAX)
		return -EINVAL;
	if (s->started)
		return -EBUSY;
	ring = ts_ring_alloc(records);
	if (!ring)
		return -ENOMEM;
	/* Not started: no probe writes to the old ring. */
	ts_ring_free(s->ring);
	s->ring = ring;
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

/* @wait_site: resolve the wait site (the reader did not opt out). */
void ts_record_to_event(const struct ts_record *r, struct taskstate_event *ev,
			bool wait_site)
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
	ev->other_pid = r->other_pid;
	ev->exit_code = r->exit_code;
	ev->signal = r->signal;
	ev->prev_state_ns = r->prev_state_ns;
	strscpy(ev->comm, r->comm, sizeof(ev->comm));
	strscpy(ev->other_comm, r->other_comm, sizeof(ev->other_comm));
	if (wait_site && r->nr_wait_ips)
		ts_wait_site_name(r->wait_ips, r->nr_wait_ips, ev->wait_site,
				  sizeof(ev->wait_site));
}

/* Sleep until there is something to read; called without s->lock. */
static int ts_session_wait(struct ts_session *s)
{
	WRITE_ONCE(s->reader_waiting, true);
	/* Pairs with the barrier in ts_sessions_emit(). */
	smp_mb();
	return wait_event_interruptible(s->wait, !ts_ring_empty(s->ring));
}

ssize_t ts_session_read(struct ts_session *s, char __user *buf, size_t count,
			bool nonblock)
{
	struct taskstate_event ev;
	struct ts_record r;
	ssize_t done = 0;

	if (count < sizeof(ev))
		return -EINVAL;
	if (mutex_lock_interruptible(&s->lock))
		return -ERESTARTSYS;
	ts_session_start(s);
	while (ts_ring_empty(s->ring)) {
		mutex_unlock(&s->lock);
		if (nonblock)
			return -EAGAIN;
		if (ts_session_wait(s))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&s->lock))
			return -ERESTARTSYS;
	}
	while (done + sizeof(ev) <= count && ts_ring_read(s->ring, &r)) {
		ts_record_to_event(&r, &ev, s->wants_wait_site);
		if (copy_to_user(buf + done, &ev, sizeof(ev))) {
			/* The record stays for the next read. */
			if (!done)
				done = -EFAULT;
			break;
		}
		ts_ring_consume(s->ring);
		if (ev.kind == TASKSTATE_KIND_EVENT)
			s->delivered++;
		done += sizeof(ev);
	}
	mutex_unlock(&s->lock);
	return done;
}

__poll_t ts_session_poll(struct ts_session *s, struct file *file,
			 poll_table *pt)
{
	/* Polling means reading: it starts the session like read() does. */
	ts_session_start(s);
	poll_wait(file, &s->wait, pt);
	WRITE_ONCE(s->reader_waiting, true);
	/* Pairs with the barrier in ts_sessions_emit(), as in ts_session_wait(). */
	smp_mb();
	return ts_ring_empty(s->ring) ? 0 : EPOLLIN | EPOLLRDNORM;
}
