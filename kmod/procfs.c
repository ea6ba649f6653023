// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/taskstate/: what a person reads with cat.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "counters.h"
#include "taskstate.h"

static struct proc_dir_entry *ts_proc_dir;

static void ts_show_matrix(struct seq_file *m, const u64 *count)
{
	unsigned int from, to, tr;
	u64 cell[TASKSTATE_NR_STATES][TASKSTATE_NR_STATES] = { };

	/* Every classic transition has one (from, to) cell. */
	for (tr = 1; tr < TASKSTATE_NR_TRANSITIONS; tr++) {
		ts_transition_states(tr, &from, &to);
		cell[from][to] = count[tr];
	}
	seq_puts(m, "matrix (rows: from, columns: to)\n");
	seq_printf(m, "%-8s", "");
	for (to = TASKSTATE_NEW; to < TASKSTATE_NR_STATES; to++)
		seq_printf(m, " %12s", ts_state_name(to));
	seq_putc(m, '\n');
	for (from = TASKSTATE_NEW; from < TASKSTATE_NR_STATES; from++) {
		seq_printf(m, "%-8s", ts_state_name(from));
		for (to = TASKSTATE_NEW; to < TASKSTATE_NR_STATES; to++)
			seq_printf(m, " %12llu", cell[from][to]);
		seq_putc(m, '\n');
	}
}

static void ts_show_causes(struct seq_file *m, const u64 *by_cause)
{
	unsigned int cause;

	for (cause = 0; cause < TASKSTATE_NR_CAUSES; cause++)
		if (by_cause[cause])
			seq_printf(m, " %s=%llu", ts_cause_name(cause),
				   by_cause[cause]);
	seq_putc(m, '\n');
}

/* One snapshot of the counters: each total is the sum of its causes. */
static int ts_transitions_show(struct seq_file *m, void *v)
{
	u64 count[TASKSTATE_NR_TRANSITIONS] = { };
	unsigned int tr, cause;
	struct ts_counts *c;

	c = kmalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	ts_counters_snapshot(c);
	for (tr = 0; tr < TASKSTATE_NR_TRANSITIONS; tr++)
		for (cause = 0; cause < TASKSTATE_NR_CAUSES; cause++)
			count[tr] += c->n[tr][cause];

	ts_show_matrix(m, count);
	seq_printf(m, "\n%-2s %-18s %12s  %s\n", "#", "transition", "count",
		   "causes");
	for (tr = 1; tr < TASKSTATE_NR_TRANSITIONS; tr++) {
		seq_printf(m, "%-2u %-18s %12llu ", tr, ts_transition_name(tr),
			   count[tr]);
		ts_show_causes(m, c->n[tr]);
	}
	seq_printf(m, "\n%-21s %12llu ", "other events", count[0]);
	ts_show_causes(m, c->n[TASKSTATE_TR_NONE]);
	seq_printf(m, "%-21s %12llu\n", "wakeups-not-blocked",
		   c->wakeup_not_blocked);
	seq_printf(m, "%-21s %12llu\n", "record-evictions", c->evictions);
	kfree(c);
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

	/* The mode let the opener in; the writer must be entitled too. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
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
