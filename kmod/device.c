// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/taskstate: the event stream, one session per open().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "taskstate.h"

static int ts_dev_open(struct inode *inode, struct file *file)
{
	struct ts_session *s;

	if (!ts_may_open_device(file))
		return -EACCES;
	s = ts_session_create(file);
	if (IS_ERR(s))
		return PTR_ERR(s);
	file->private_data = s;
	return stream_open(inode, file);
}

static int ts_dev_release(struct inode *inode, struct file *file)
{
	ts_session_destroy(file->private_data);
	return 0;
}

static ssize_t ts_dev_read(struct file *file, char __user *buf, size_t count,
			   loff_t *ppos)
{
	return ts_session_read(file->private_data, buf, count,
			       file->f_flags & O_NONBLOCK);
}

static __poll_t ts_dev_poll(struct file *file, poll_table *pt)
{
	return ts_session_poll(file->private_data, file, pt);
}

static long ts_dev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	return ts_session_ioctl(file->private_data, cmd, (void __user *)arg);
}

static const struct file_operations ts_dev_fops = {
	.owner = THIS_MODULE,
	.open = ts_dev_open,
	.release = ts_dev_release,
	.read = ts_dev_read,
	.poll = ts_dev_poll,
	.unlocked_ioctl = ts_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice ts_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "taskstate",
	.fops = &ts_dev_fops,
	.mode = 0600,
};

int ts_device_init(void)
{
	int ret = ts_sessions_init();

	if (ret)
		return ret;
	ts_miscdev.mode = ts_dev_mode();
	ret = misc_register(&ts_miscdev);
	if (ret)
		ts_sessions_exit();
	return ret;
}

void ts_device_exit(void)
{
	misc_deregister(&ts_miscdev);
	ts_sessions_exit();
}
