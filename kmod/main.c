// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate: every task state transition of the scheduler, in the classic
 * five-state model and in Linux's own states.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "taskstate.h"

static int __init taskstate_init(void)
{
	int ret;

	ret = ts_wait_site_init();
	if (ret)
		return ret;
	ret = ts_model_init();
	if (ret)
		goto err_wait_site;
	ret = ts_procfs_init();
	if (ret)
		goto err_model;
	/* From here on probes run and feed everything above. */
	ret = ts_probes_attach();
	if (ret)
		goto err_procfs;
	/*
	 * Last: a file opened on the device keeps no reference that a failed
	 * init would honour, so nothing may fail once it can be opened.
	 */
	ret = ts_device_init();
	if (ret)
		goto err_probes;
	return 0;

err_probes:
	ts_probes_detach();
err_procfs:
	ts_procfs_exit();
err_model:
	ts_model_exit();
err_wait_site:
	ts_wait_site_exit();
	return ret;
}

static void __exit taskstate_exit(void)
{
	/* No file is open: every session is closed, some not yet freed. */
	ts_device_exit();
	/* Then nothing below may be freed while a probe can still run. */
	ts_probes_detach();
	ts_procfs_exit();
	ts_model_exit();
	ts_wait_site_exit();
}

module_init(taskstate_init);
module_exit(taskstate_exit);

MODULE_LICENSE("GPL");
/* dkms.conf's PACKAGE_VERSION: the same number, changed together. */
MODULE_VERSION("0.1");
MODULE_AUTHOR("The taskstate developers");
MODULE_DESCRIPTION("Task state transitions of the scheduler, classic and Linux vocabularies");
