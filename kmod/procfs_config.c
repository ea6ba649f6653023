// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/taskstate/config: the module's settings as key=value lines.
 * Writable by root, one "key=value" per write (a trailing newline allowed),
 * parsed strictly: anything else returns -EINVAL and changes nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "taskstate.h"

/* Longer than any valid line: "buffer_memory_mb=1048576\n" is 25. */
#define TS_CONFIG_LINE_MAX	64
/* A terabyte of buffers: beyond any machine this runs on. */
#define TS_BUFFER_MEMORY_MB_MAX	1048576

static int ts_config_show(struct seq_file *m, void *v)
{
	seq_printf(m, "buffer_records=%u\n", ts_default_buffer_records());
	seq_printf(m, "wait_sites=%d\n", ts_wait_sites_enabled());
	seq_printf(m, "buffer_memory_mb=%u\n", ts_buffer_memory_mb());
	/* State, not a setting: what all sessions' buffers hold now. */
	seq_printf(m, "buffer_memory_used=%lu\n", ts_buffer_memory_used());
	/* Fixed at load time (module parameters): shown, not writable. */
	seq_printf(m, "task_slots=%u\n", ts_task_slots());
	seq_printf(m, "dev_mode=%04o\n", ts_dev_mode());
	seq_printf(m, "dev_group=%d\n", ts_dev_group());
	return 0;
}

static int ts_config_open(struct inode *inode, struct file *file)
{
	return single_open(file, ts_config_show, NULL);
}

/* A whole decimal number in [min, max]: digits only, no sign or blanks. */
static int ts_config_number(const char *s, u32 min, u32 max, u32 *out)
{
	const char *c;
	u32 v;

	if (!*s)
		return -EINVAL;
	for (c = s; *c; c++)
		if (!isdigit(*c))
			return -EINVAL;
	if (kstrtou32(s, 10, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int ts_config_apply(char *line)
{
	char *value = strchr(line, '=');
	u32 v;

	if (!value)
		return -EINVAL;
	*value++ = '\0';
	if (!strcmp(line, "buffer_records")) {
		if (ts_config_number(value, TASKSTATE_BUFFER_MIN,
				     TASKSTATE_BUFFER_MAX, &v))
			return -EINVAL;
		ts_set_default_buffer_records(v);
		return 0;
	}
	/* 0: back to the default, a share of RAM. */
	if (!strcmp(line, "buffer_memory_mb")) {
		if (ts_config_number(value, 0, TS_BUFFER_MEMORY_MB_MAX, &v))
			return -EINVAL;
		ts_set_buffer_memory_mb(v);
		return 0;
	}
	if (!strcmp(line, "wait_sites")) {
		if (ts_config_number(value, 0, 1, &v))
			return -EINVAL;
		ts_set_wait_sites(v);
		return 0;
	}
	/* Unknown, or one of the load-time keys. */
	return -EINVAL;
}

static ssize_t ts_config_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char line[TS_CONFIG_LINE_MAX];
	size_t n = len;
	int ret;

	/* The mode let the opener in; the writer must be entitled too. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* A second write in the same open would be half of a line. */
	if (*ppos != 0 || len == 0 || len >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, ubuf, len))
		return -EFAULT;
	line[len] = '\0';
	if (line[n - 1] == '\n')
		line[--n] = '\0';
	if (strlen(line) != n || strchr(line, '\n'))
		return -EINVAL;
	ret = ts_config_apply(line);
	if (ret)
		return ret;
	*ppos += len;
	return len;
}

static const struct proc_ops ts_config_ops = {
	.proc_open = ts_config_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
	.proc_write = ts_config_write,
};

int ts_procfs_config_init(struct proc_dir_entry *dir)
{
	return proc_create("config", 0644, dir, &ts_config_ops) ? 0 : -ENOMEM;
}
