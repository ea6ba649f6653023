/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between kernel versions that the module cares about lives
 * here, so the rest of the code is written against one shape.  The oldest
 * kernel supported is 5.10 (Debian 11).
 */
#ifndef _TASKSTATE_COMPAT_H
#define _TASKSTATE_COMPAT_H

#include <linux/compat.h>
#include <linux/idr.h>
#include <linux/irq_work.h>
#include <linux/pid_namespace.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/version.h>
#include <asm/unistd.h>

#if KERNEL_VERSION(5, 10, 0) > LINUX_VERSION_CODE
#error "taskstate needs Linux 5.10 or later"
#endif

/* A task's state word: task_struct.state became __state in 5.14. */
static inline unsigned int ts_task_state(const struct task_struct *p)
{
#if KERNEL_VERSION(5, 14, 0) <= LINUX_VERSION_CODE
	return READ_ONCE(p->__state);
#else
	return READ_ONCE(p->state);
#endif
}

/*
 * sched_switch has carried prev_state since 5.18.  Before, the probe reads
 * prev's state word, as the tracepoint itself did then: __schedule() has
 * already reset it to TASK_RUNNING when a pending signal cancelled the
 * sleep, and no one else writes it while prev is switched out under the
 * runqueue lock.
 */
#if KERNEL_VERSION(5, 18, 0) <= LINUX_VERSION_CODE
#define TS_SWITCH_PROBE_ARGS	bool preempt, struct task_struct *prev, \
				struct task_struct *next, unsigned int prev_state
#define TS_SWITCH_PREV_STATE	prev_state
#else
#define TS_SWITCH_PROBE_ARGS	bool preempt, struct task_struct *prev, \
				struct task_struct *next
#define TS_SWITCH_PREV_STATE	ts_task_state(prev)

/* Added with prev_state (5.18); the body of 5.10's task_state_index(). */
static inline unsigned int __task_state_index(unsigned int tsk_state,
					      unsigned int tsk_exit_state)
{
	unsigned int state = (tsk_state | tsk_exit_state) & TASK_REPORT;

	BUILD_BUG_ON_NOT_POWER_OF_2(TASK_REPORT_MAX);
	if (tsk_state == TASK_IDLE)
		state = TASK_REPORT_IDLE;
	return fls(state);
}
#endif

/* sched_process_exit gained group_dead in 6.16. */
#if KERNEL_VERSION(6, 16, 0) <= LINUX_VERSION_CODE
#define TS_EXIT_PROBE_ARGS	struct task_struct *p, bool group_dead
#else
#define TS_EXIT_PROBE_ARGS	struct task_struct *p
#endif

/*
 * Debian 11's 5.10 does not export find_ge_pid() (6.1 does); before 6.1 it
 * is always idr_get_next() on the namespace's pid idr, which is exported.
 * Same contract: call under rcu_read_lock().
 */
#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
static inline struct pid *ts_find_ge_pid(int nr, struct pid_namespace *ns)
{
	return idr_get_next(&ns->idr, &nr);
}
#else
#define ts_find_ge_pid(nr, ns)	find_ge_pid(nr, ns)
#endif

/* in_hardirq() arrived in 5.11; in_irq() meant the same. */
#ifndef in_hardirq
#define in_hardirq()		in_irq()
#endif

/* Before 5.11, no initializer for a lazy irq_work (no IPI, next tick). */
#ifndef IRQ_WORK_INIT_LAZY
#define IRQ_WORK_INIT_LAZY(_func) ((struct irq_work){			\
	.flags = ATOMIC_INIT(IRQ_WORK_LAZY),				\
	.func = (_func),						\
})
#endif

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

/*
 * Whether @p runs a program its owner may not dump or trace (setuid,
 * setgid, file capabilities).  Dumpability was a bit of mm->flags; Debian's
 * 7.2 keeps it in task->exec_state (not exported to modules: read here
 * under the caller's RCU-sched section, a probe's preempt-disabled one).
 * A task without an mm (a kernel thread) runs no program of its own.
 */
#ifdef TS_HAVE_EXEC_STATE	/* set by kmod/Kbuild from the headers */
#include <linux/sched/exec_state.h>

static inline bool ts_task_not_owner_dumpable(struct task_struct *p)
{
	const struct task_exec_state *es;

	if (!p->mm)
		return false;
	es = rcu_dereference_sched(p->exec_state);
	return es && es->dumpable != TASK_DUMPABLE_OWNER;
}
#else
static inline bool ts_task_not_owner_dumpable(struct task_struct *p)
{
	struct mm_struct *mm = p->mm;

	return mm && get_dumpable(mm) != SUID_DUMP_USER;
}
#endif

#endif /* _TASKSTATE_COMPAT_H */
