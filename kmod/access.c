// SPDX-License-Identifier: GPL-2.0
/*
 * Who may see what.  A privileged reader (CAP_PERFMON or CAP_SYS_ADMIN,
 * judged on the credentials the file was opened with) sees every task; any
 * other reader sees only tasks of its own uid, and so never another user's
 * wait sites.  /dev/taskstate is root-only unless dev_group opens it to a
 * group (with a dev_mode that lets the group through).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/uidgid.h>

#include "taskstate.h"

static int dev_group = -1;
module_param(dev_group, int, 0444);
MODULE_PARM_DESC(dev_group,
		 "Group (gid) whose members may open /dev/taskstate without privilege; -1: none");

static ushort dev_mode = 0600;
module_param(dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode,
		 "Mode of /dev/taskstate (default 0600); give the group read access with dev_group");

umode_t ts_dev_mode(void)
{
	return dev_mode & 0666;
}

int ts_dev_group(void)
{
	return dev_group;
}

bool ts_file_privileged(const struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_PERFMON) ||
	       file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
}

/* At open(): the caller is current. */
bool ts_may_open_device(const struct file *file)
{
	if (ts_file_privileged(file))
		return true;
	return dev_group >= 0 &&
	       in_group_p(make_kgid(&init_user_ns, dev_group));
}

bool ts_file_may_see(const struct file *file, struct task_struct *p)
{
	return ts_file_privileged(file) || uid_eq(task_uid(p), file->f_cred->uid);
}
