/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between kernel versions that the module cares about lives
 * here, so the rest of the code is written against one shape.
 */
#ifndef _TASKSTATE_COMPAT_H
#define _TASKSTATE_COMPAT_H

#include <linux/compat.h>
#include <linux/sched.h>
#include <linux/version.h>
#include <asm/unistd.h>

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

/* A task's state now (not a tracepoint's copy of it). */
static inline unsigned int ts_task_state(const struct task_struct *p)
{
	return READ_ONCE(p->__state);
}

/*
 * Whether system call @nr of current is sched_yield(), in the ABI current
 * entered with: a 32-bit task's numbers are another table.
 */
static inline bool ts_syscall_is_yield(long nr)
{
#if defined(CONFIG_X86_64) && defined(CONFIG_IA32_EMULATION)
	if (in_ia32_syscall())
		return nr == __NR_ia32_sched_yield;
#endif
#ifdef __X32_SYSCALL_BIT
	nr &= ~__X32_SYSCALL_BIT;
#endif
	return nr == __NR_sched_yield;
}

#endif /* _TASKSTATE_COMPAT_H */
