// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/taskstate: the event stream, one session per open().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "taskstate.h"

static long ts_dev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	switch (cmd) {
	case TASKSTATE_IOC_VERSION:
		return TASKSTATE_ABI_VERSION;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ts_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ts_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ts_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "taskstate",
	.fops = &ts_dev_fops,
	.mode = 0600,
};

int ts_device_init(void)
{
	return misc_register(&ts_miscdev);
}

void ts_device_exit(void)
{
	misc_deregister(&ts_miscdev);
}
