/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between kernel versions that the module cares about lives
 * here, so the rest of the code is written against one shape.
 */
#ifndef _TASKSTATE_COMPAT_H
#define _TASKSTATE_COMPAT_H

#include <linux/version.h>

/* sched_switch has carried prev_state since 5.18; we rely on it. */
#if KERNEL_VERSION(5, 18, 0) > LINUX_VERSION_CODE
#error "taskstate needs Linux 5.18 or later (sched_switch prev_state)"
#endif

/* sched_process_exit gained group_dead in 6.16. */
#if KERNEL_VERSION(6, 16, 0) <= LINUX_VERSION_CODE
#define TS_EXIT_PROBE_ARGS	struct task_struct *p, bool group_dead
#else
#define TS_EXIT_PROBE_ARGS	struct task_struct *p
#endif

#endif /* _TASKSTATE_COMPAT_H */
