// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/taskstate/tasks and /proc/taskstate/processes: every live thread, and
 * every thread group, in the classic states, with the kernel's own live
 * accounting of the time each spent running, ready and blocked.
 *
 * Both files walk pids in increasing order, one pid per seq_file record,
 * with find_ge_pid() in the pid namespace of this /proc mount: a read never
 * shows a pid twice and never a torn line, whatever forks and exits
 * meanwhile.  The walk holds rcu_read_lock() from ->start to ->stop;
 * seq_file calls ->show only in between and sleeps (copying to user space)
 * only after ->stop, so nothing here sleeps under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "taskstate.h"

/* Times of one task, in ns, from the scheduler's own accounting. */
struct ts_times {
	u64 run;
	u64 ready;
	u64 blocked;
};

/*
 * run: sum_exec_runtime (brought up to date at ticks and switches);
 * ready: sched_info.run_delay (CONFIG_SCHED_INFO); blocked: the rest of the
 * task's age.  start_time is ktime_get_ns() (CLOCK_MONOTONIC) at fork.
 */
static void ts_task_times(struct task_struct *p, struct ts_times *tt)
{
	u64 age = ktime_get_ns() - READ_ONCE(p->start_time);

	tt->run = READ_ONCE(p->se.sum_exec_runtime);
	tt->ready = READ_ONCE(p->sched_info.run_delay);
	tt->blocked = age > tt->run + tt->ready ? age - tt->run - tt->ready : 0;
}

static u64 ts_ms(u64 ns)
{
	return div_u64(ns, NSEC_PER_MSEC);
}

/*
 * comm is free text: blanks, backslashes and unprintable bytes become \ooo
 * octal escapes, as in /proc/self/mountinfo, so every line splits on blanks.
 */
static void ts_escape_comm(struct task_struct *p, char *out, size_t len)
{
	char comm[TASK_COMM_LEN];
	size_t o = 0;
	const char *c;

	get_task_comm(comm, p);
	for (c = comm; *c && o + 5 <= len; c++) {
		unsigned char ch = *c;

		if (ch <= ' ' || ch == '\\' || ch >= 0x7f)
			o += scnprintf(out + o, len - o, "\\%03o", ch);
		else
			out[o++] = ch;
	}
	out[o] = '\0';
}

/* First task at or after *pos (a pid number); *pos becomes its pid. */
static struct task_struct *ts_task_from(struct seq_file *m, loff_t *pos,
					enum pid_type type)
{
	struct pid_namespace *ns = m->private;
	struct task_struct *p;
	struct pid *pid;
	loff_t nr = *pos;

	for (; nr > 0 && nr <= PID_MAX_LIMIT; nr++) {
		pid = ts_find_ge_pid(nr, ns);
		if (!pid)
			break;
		nr = pid_nr_ns(pid, ns);
		p = pid_task(pid, type);
		if (p) {
			*pos = nr;
			return p;
		}
	}
	*pos = PID_MAX_LIMIT + 1;
	return NULL;
}

/* Position 0 is the header line; after it, positions are pid numbers. */
static void *ts_tasks_start(struct seq_file *m, loff_t *pos, enum pid_type type)
{
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return ts_task_from(m, pos, type);
}

static void *ts_tasks_next(struct seq_file *m, void *v, loff_t *pos,
			   enum pid_type type)
{
	++*pos;
	return ts_task_from(m, pos, type);
}

static void *ts_threads_start(struct seq_file *m, loff_t *pos)
	__acquires(RCU)
{
	rcu_read_lock();
	return ts_tasks_start(m, pos, PIDTYPE_PID);
}

static void *ts_threads_next(struct seq_file *m, void *v, loff_t *pos)
{
	return ts_tasks_next(m, v, pos, PIDTYPE_PID);
}

static void *ts_groups_start(struct seq_file *m, loff_t *pos)
	__acquires(RCU)
{
	rcu_read_lock();
	return ts_tasks_start(m, pos, PIDTYPE_TGID);
}

static void *ts_groups_next(struct seq_file *m, void *v, loff_t *pos)
{
	return ts_tasks_next(m, v, pos, PIDTYPE_TGID);
}

static void ts_walk_stop(struct seq_file *m, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int ts_threads_show(struct seq_file *m, void *v)
{
	struct pid_namespace *ns = m->private;
	unsigned long ips[TS_WAIT_FRAMES];
	char comm[TASK_COMM_LEN * 4 + 1];
	char site[TASKSTATE_SITE_LEN] = "-";
	struct task_struct *p = v;
	unsigned int state, nr_ips;
	bool site_private;
	struct ts_times tt;
	char letter;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "%7s %7s %-16s %-7s %s %10s %10s %10s %9s %9s %s\n",
			   "PID", "TGID", "COMM", "STATE", "S", "RUN_MS",
			   "READY_MS", "BLOCKED_MS", "NVCSW", "NIVCSW",
			   "WAIT_SITE");
		return 0;
	}
	if (!ts_file_may_see(m->file, p))
		return SEQ_SKIP;
	state = ts_model_task_state(p, &letter, ips, &nr_ips, &site_private);
	/* As the stream: a setuid program's site is for privileged eyes. */
	if (site_private && !ts_file_privileged(m->file))
		nr_ips = 0;
	if (state == TASKSTATE_BLOCKED && nr_ips) {
		ts_wait_site_name(ips, nr_ips, site);
		if (!site[0])
			strscpy(site, "-", sizeof(site));
	}
	ts_task_times(p, &tt);
	ts_escape_comm(p, comm, sizeof(comm));
	seq_printf(m, "%7d %7d %-16s %-7s %c %10llu %10llu %10llu %9lu %9lu %s\n",
		   task_pid_nr_ns(p, ns), task_tgid_nr_ns(p, ns), comm,
		   ts_state_name(state), letter, ts_ms(tt.run), ts_ms(tt.ready),
		   ts_ms(tt.blocked), READ_ONCE(p->nvcsw), READ_ONCE(p->nivcsw),
		   site);
	return 0;
}

static int ts_groups_show(struct seq_file *m, void *v)
{
	unsigned int n[TASKSTATE_NR_STATES] = { 0 }, threads = 0, state;
	struct pid_namespace *ns = m->private;
	struct ts_times sum = { 0 }, tt;
	char comm[TASK_COMM_LEN * 4 + 1];
	struct task_struct *leader = v, *t;
	unsigned long ips[TS_WAIT_FRAMES];
	unsigned int nr_ips;
	bool site_private;
	char letter;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "%7s %-16s %7s %5s %5s %7s %7s %5s %10s %10s %10s\n",
			   "TGID", "COMM", "THREADS", "NEW", "READY", "RUNNING",
			   "BLOCKED", "EXIT", "RUN_MS", "READY_MS",
			   "BLOCKED_MS");
		return 0;
	}
	if (!ts_file_may_see(m->file, leader))
		return SEQ_SKIP;
	/* Live threads only: the times of exited ones are not summed. */
	for_each_thread(leader, t) {
		state = ts_model_task_state(t, &letter, ips, &nr_ips,
					    &site_private);
		if (state < TASKSTATE_NR_STATES)
			n[state]++;
		threads++;
		ts_task_times(t, &tt);
		sum.run += tt.run;
		sum.ready += tt.ready;
		sum.blocked += tt.blocked;
	}
	ts_escape_comm(leader, comm, sizeof(comm));
	seq_printf(m, "%7d %-16s %7u %5u %5u %7u %7u %5u %10llu %10llu %10llu\n",
		   task_tgid_nr_ns(leader, ns), comm, threads,
		   n[TASKSTATE_NEW], n[TASKSTATE_READY], n[TASKSTATE_RUNNING],
		   n[TASKSTATE_BLOCKED], n[TASKSTATE_EXIT], ts_ms(sum.run),
		   ts_ms(sum.ready), ts_ms(sum.blocked));
	return 0;
}

static const struct seq_operations ts_threads_seq_ops = {
	.start = ts_threads_start,
	.next = ts_threads_next,
	.stop = ts_walk_stop,
	.show = ts_threads_show,
};

static const struct seq_operations ts_groups_seq_ops = {
	.start = ts_groups_start,
	.next = ts_groups_next,
	.stop = ts_walk_stop,
	.show = ts_groups_show,
};

/* The pid namespace of this /proc mount: pinned while the file is open. */
static int ts_walk_open(struct inode *inode, struct file *file,
			const struct seq_operations *ops)
{
	int ret = seq_open(file, ops);

	if (!ret)
		((struct seq_file *)file->private_data)->private =
			proc_pid_ns(inode->i_sb);
	return ret;
}

static int ts_threads_open(struct inode *inode, struct file *file)
{
	return ts_walk_open(inode, file, &ts_threads_seq_ops);
}

static int ts_groups_open(struct inode *inode, struct file *file)
{
	return ts_walk_open(inode, file, &ts_groups_seq_ops);
}

static const struct proc_ops ts_threads_ops = {
	.proc_open = ts_threads_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = seq_release,
};

static const struct proc_ops ts_groups_ops = {
	.proc_open = ts_groups_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = seq_release,
};

/* Removed with @dir by ts_procfs_exit(). */
int ts_procfs_tasks_init(struct proc_dir_entry *dir)
{
	if (!proc_create("tasks", 0444, dir, &ts_threads_ops) ||
	    !proc_create("processes", 0444, dir, &ts_groups_ops))
		return -ENOMEM;
	return 0;
}
