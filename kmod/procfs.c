// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/taskstate/: what a person reads with cat.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "taskstate.h"

static struct proc_dir_entry *ts_proc_dir;

/* The 5x5 matrix: every classic transition has one (from, to) cell. */
static const u8 ts_tr_from[TASKSTATE_NR_TRANSITIONS] = {
	[TASKSTATE_TR_CREATE] = TASKSTATE_NONE,
	[TASKSTATE_TR_ADMIT] = TASKSTATE_NEW,
	[TASKSTATE_TR_DISPATCH] = TASKSTATE_READY,
	[TASKSTATE_TR_EXIT] = TASKSTATE_RUNNING,
	[TASKSTATE_TR_PREEMPT] = TASKSTATE_RUNNING,
	[TASKSTATE_TR_BLOCK] = TASKSTATE_RUNNING,
	[TASKSTATE_TR_WAKE] = TASKSTATE_BLOCKED,
	[TASKSTATE_TR_KILL_READY] = TASKSTATE_READY,
	[TASKSTATE_TR_KILL_BLOCKED] = TASKSTATE_BLOCKED,
};

static const u8 ts_tr_to[TASKSTATE_NR_TRANSITIONS] = {
	[TASKSTATE_TR_CREATE] = TASKSTATE_NEW,
	[TASKSTATE_TR_ADMIT] = TASKSTATE_READY,
	[TASKSTATE_TR_DISPATCH] = TASKSTATE_RUNNING,
	[TASKSTATE_TR_EXIT] = TASKSTATE_EXIT,
	[TASKSTATE_TR_PREEMPT] = TASKSTATE_READY,
	[TASKSTATE_TR_BLOCK] = TASKSTATE_BLOCKED,
	[TASKSTATE_TR_WAKE] = TASKSTATE_READY,
	[TASKSTATE_TR_KILL_READY] = TASKSTATE_EXIT,
	[TASKSTATE_TR_KILL_BLOCKED] = TASKSTATE_EXIT,
};

static void ts_show_matrix(struct seq_file *m, const u64 *count)
{
	unsigned int from, to, tr;

	seq_puts(m, "matrix (rows: from, columns: to)\n");
	seq_printf(m, "%-8s", "");
	for (to = TASKSTATE_NEW; to < TASKSTATE_NR_STATES; to++)
		seq_printf(m, " %12s", ts_state_name(to));
	seq_putc(m, '\n');
	for (from = TASKSTATE_NEW; from < TASKSTATE_NR_STATES; from++) {
		seq_printf(m, "%-8s", ts_state_name(from));
		for (to = TASKSTATE_NEW; to < TASKSTATE_NR_STATES; to++) {
			u64 n = 0;

			for (tr = 1; tr < TASKSTATE_NR_TRANSITIONS; tr++)
				if (ts_tr_from[tr] == from && ts_tr_to[tr] == to)
					n = count[tr];
			seq_printf(m, " %12llu", n);
		}
		seq_putc(m, '\n');
	}
}

static void ts_show_causes(struct seq_file *m, unsigned int tr)
{
	unsigned int cause;

	for (cause = 0; cause < TASKSTATE_NR_CAUSES; cause++) {
		u64 n = ts_count_cause(tr, cause);

		if (n)
			seq_printf(m, " %s=%llu", ts_cause_name(cause), n);
	}
	seq_putc(m, '\n');
}

static int ts_transitions_show(struct seq_file *m, void *v)
{
	u64 count[TASKSTATE_NR_TRANSITIONS];
	unsigned int tr;

	for (tr = 0; tr < TASKSTATE_NR_TRANSITIONS; tr++)
		count[tr] = ts_count_transition(tr);

	ts_show_matrix(m, count);
	seq_printf(m, "\n%-2s %-18s %12s  %s\n", "#", "transition", "count",
		   "causes");
	for (tr = 1; tr < TASKSTATE_NR_TRANSITIONS; tr++) {
		seq_printf(m, "%-2u %-18s %12llu ", tr, ts_transition_name(tr),
			   count[tr]);
		ts_show_causes(m, tr);
	}
	seq_printf(m, "\n%-21s %12llu ", "other events", count[0]);
	ts_show_causes(m, TASKSTATE_TR_NONE);
	seq_printf(m, "%-21s %12llu\n", "wakeups-not-blocked",
		   ts_count_wakeup_not_blocked());
	seq_printf(m, "%-21s %12llu\n", "record-evictions",
		   ts_count_evictions());
	return 0;
}

static int ts_transitions_open(struct inode *inode, struct file *file)
{
	return single_open(file, ts_transitions_show, NULL);
}

/*
 * Only the exact word "reset" (with an optional newline), in one write at
 * offset 0, is accepted; anything else changes nothing.
 */
static ssize_t ts_transitions_write(struct file *file, const char __user *ubuf,
				    size_t len, loff_t *ppos)
{
	char buf[8];

	if (*ppos != 0 || len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (strcmp(buf, "reset") && strcmp(buf, "reset\n"))
		return -EINVAL;
	ts_counters_reset();
	/* Advance, so a second write in the same open is seen as a partial one. */
	*ppos += len;
	return len;
}

static const struct proc_ops ts_transitions_ops = {
	.proc_open = ts_transitions_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
	.proc_write = ts_transitions_write,
};

int ts_procfs_init(void)
{
	ts_proc_dir = proc_mkdir("taskstate", NULL);
	if (!ts_proc_dir)
		return -ENOMEM;
	if (!proc_create("transitions", 0644, ts_proc_dir,
			 &ts_transitions_ops) ||
	    ts_procfs_tasks_init(ts_proc_dir) ||
	    ts_procfs_config_init(ts_proc_dir)) {
		proc_remove(ts_proc_dir);
		return -ENOMEM;
	}
	return 0;
}

void ts_procfs_exit(void)
{
	proc_remove(ts_proc_dir);
}
