/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the parts of the taskstate module. */
#ifndef _TASKSTATE_INTERNAL_H
#define _TASKSTATE_INTERNAL_H

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/taskstate.h>

#include "compat.h"

struct file;
struct task_struct;
struct seq_file;

/*
 * What a probe hands to the model: one observed step of one task, in the
 * shape of the UAPI record but with the wait site still an address, so the
 * hot path never resolves symbols.
 */
/* Return addresses kept from a blocking switch; names come at read time. */
#define TS_WAIT_FRAMES	8

struct ts_record {
	u64 ts_ns;
	u64 prev_state_ns;
	u64 lost;			/* TASKSTATE_KIND_LOST only */
	unsigned long wait_ips[TS_WAIT_FRAMES];
	u32 cpu;
	pid_t pid;
	pid_t tgid;
	pid_t other_pid;
	kuid_t other_uid;		/* INVALID_UID: not known */
	s32 exit_code;
	s32 signal;
	u8 kind;			/* enum taskstate_kind */
	u8 nr_wait_ips;
	u8 transition;
	u8 from;
	u8 to;
	u8 cause;
	bool site_private;		/* a setuid program's: privileged only */
	char linux_state;
	char comm[TASK_COMM_LEN];
	char other_comm[TASK_COMM_LEN];
};

/*
 * The frame of sched_switch's probe (its frame address, probes.c): the
 * caller's frame pointer, then the return address into the caller, whose
 * stack goes on above.  A wait-site unwind starts from that caller, above
 * the module's own frames, each of which would cost the unwinder a module
 * lookup.
 */
struct ts_probe_frame {
	unsigned long caller_bp;
	unsigned long ret_ip;
};

/* probes.c: the tracepoint probes, attached and detached as one. */
int ts_probes_attach(void);
void ts_probes_detach(void);

/* model.c: the classic steps of each task. */
int ts_model_init(void);
void ts_model_exit(void);
void ts_model_fork(struct task_struct *parent, struct task_struct *child);
void ts_model_wakeup_new(struct task_struct *p);
void ts_model_switch(bool preempt, struct task_struct *prev,
		     struct task_struct *next, unsigned int prev_state,
		     const struct ts_probe_frame *from);
void ts_model_waking(struct task_struct *p);
void ts_model_wakeup(struct task_struct *p);
void ts_model_exec(struct task_struct *p, pid_t old_pid);
void ts_model_exit_task(struct task_struct *p);
void ts_model_free(struct task_struct *p);
void ts_model_signal(int sig, struct task_struct *p);

unsigned int ts_model_task_state(struct task_struct *p, char *letter,
				 unsigned long *ips, unsigned int *nr_ips,
				 bool *site_private);
void ts_transition_states(unsigned int tr, unsigned int *from,
			  unsigned int *to);

const char *ts_state_name(unsigned int state);
const char *ts_cause_name(unsigned int cause);
const char *ts_transition_name(unsigned int tr);

/* waitsite.c: where a task blocked. */
struct ts_task;
unsigned int ts_wait_site_capture(unsigned long *ips, unsigned int max,
				  const struct ts_probe_frame *from,
				  struct ts_task *t);
int ts_wait_site_init(void);
void ts_wait_site_exit(void);
void ts_wait_site_name(const unsigned long *ips, unsigned int n,
		       char name[TASKSTATE_SITE_LEN]);

/* session.c: the readers' sessions and their filters. */
struct ts_session;
unsigned long ts_sessions_fork(struct task_struct *parent,
			       struct task_struct *child,
			       unsigned long parent_follow, bool no_record);
void ts_sessions_unfollowed(unsigned long follow);
unsigned long ts_sessions_follow_live(void);
bool ts_sessions_unprivileged(void);
extern struct list_head ts_sessions;

/*
 * Whether any session is open: with none, the probes keep only the task
 * table and the counters and build no record.  A session that opens
 * meanwhile misses nothing it could have had: it records once started.
 */
static inline bool ts_sessions_open(void)
{
	return !list_empty(&ts_sessions);
}

/* What the open sessions' filters could take: see session.c. */
#define TS_INTEREST_ID_BITS	12

struct ts_interest {
	bool any;		/* a filter takes tasks whatever their ids */
	unsigned long follow;	/* DESCENDANTS filters' bits */
	unsigned long ids[BITS_TO_LONGS(1 << TS_INTEREST_ID_BITS)];
};

extern struct ts_interest ts_interest;

/* Ids are mostly handed out in a row: their low bits spread them best. */
static inline unsigned int ts_interest_hash(pid_t id)
{
	return (u32)id & (BIT(TS_INTEREST_ID_BITS) - 1);
}

/*
 * Whether a session may take a step of @p, whose record has the follow
 * bits @follow: if not, the probes keep it as with no session open.
 */
static inline bool ts_sessions_want(const struct task_struct *p,
				    unsigned long follow)
{
	return READ_ONCE(ts_interest.any) ||
	       (follow & READ_ONCE(ts_interest.follow)) ||
	       test_bit(ts_interest_hash(p->pid), ts_interest.ids) ||
	       (p->tgid != p->pid &&
		test_bit(ts_interest_hash(p->tgid), ts_interest.ids));
}

void ts_sessions_emit(struct ts_record *r, struct task_struct *p,
		      unsigned long follow, const struct ts_probe_frame *from,
		      struct ts_task *t);
struct ts_session *ts_session_create(const struct file *file);
void ts_session_destroy(struct ts_session *s);
int ts_sessions_init(void);
void ts_sessions_exit(void);
long ts_session_ioctl(struct ts_session *s, unsigned int cmd,
		      void __user *arg);
ssize_t ts_session_read(struct ts_session *s, char __user *buf, size_t count,
			bool nonblock);
__poll_t ts_session_poll(struct ts_session *s, struct file *file,
			 poll_table *pt);

/* access.c: who may see what. */
umode_t ts_dev_mode(void);
int ts_dev_group(void);
bool ts_file_privileged(const struct file *file);
bool ts_may_open_device(const struct file *file);
bool ts_file_may_see(const struct file *file, struct task_struct *p);

/* Settings shown and changed through /proc/taskstate/config. */
u32 ts_default_buffer_records(void);
void ts_set_default_buffer_records(u32 records);
u32 ts_buffer_memory_mb(void);
void ts_set_buffer_memory_mb(u32 mb);
unsigned long ts_buffer_memory_used(void);
bool ts_wait_sites_enabled(void);
void ts_set_wait_sites(bool on);
unsigned int ts_task_slots(void);

/* procfs.c */
int ts_procfs_init(void);
void ts_procfs_exit(void);

/* procfs_tasks.c: /proc/taskstate/tasks and processes. */
struct proc_dir_entry;
int ts_procfs_tasks_init(struct proc_dir_entry *dir);
int ts_procfs_config_init(struct proc_dir_entry *dir);

/* device.c */
int ts_device_init(void);
void ts_device_exit(void);

#endif /* _TASKSTATE_INTERNAL_H */
