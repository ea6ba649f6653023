/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * taskstate: task state transitions of the Linux scheduler, in the classic
 * five-state vocabulary and in Linux's own.  Shared by the kernel module and
 * every userspace tool; see design.md for the meaning of each field.
 */
#ifndef _UAPI_LINUX_TASKSTATE_H
#define _UAPI_LINUX_TASKSTATE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped on any incompatible change to a record or an ioctl argument. */
#define TASKSTATE_ABI_VERSION	1

/* The classic five-state model; NONE stands before a fork and after a reap. */
enum taskstate_state {
	TASKSTATE_NONE = 0,
	TASKSTATE_NEW,
	TASKSTATE_READY,
	TASKSTATE_RUNNING,
	TASKSTATE_BLOCKED,
	TASKSTATE_EXIT,
	TASKSTATE_NR_STATES
};

/* The nine classic transitions, numbered as in the study notes. */
enum taskstate_transition {
	TASKSTATE_TR_NONE = 0,		/* exec, reaped: no state change */
	TASKSTATE_TR_CREATE,		/* 1 none -> new */
	TASKSTATE_TR_ADMIT,		/* 2 new -> ready */
	TASKSTATE_TR_DISPATCH,		/* 3 ready -> running */
	TASKSTATE_TR_EXIT,		/* 4 running -> exit */
	TASKSTATE_TR_PREEMPT,		/* 5 running -> ready */
	TASKSTATE_TR_BLOCK,		/* 6 running -> blocked */
	TASKSTATE_TR_WAKE,		/* 7 blocked -> ready */
	TASKSTATE_TR_KILL_READY,	/* 8 ready -> exit */
	TASKSTATE_TR_KILL_BLOCKED,	/* 9 blocked -> exit */
	TASKSTATE_NR_TRANSITIONS
};

enum taskstate_cause {
	TASKSTATE_CAUSE_NONE = 0,
	TASKSTATE_CAUSE_FORK,
	TASKSTATE_CAUSE_THREAD,
	TASKSTATE_CAUSE_CREATED,
	TASKSTATE_CAUSE_DISPATCH,
	TASKSTATE_CAUSE_EXIT,
	TASKSTATE_CAUSE_ERROR,
	TASKSTATE_CAUSE_KILLED,
	TASKSTATE_CAUSE_PREEMPTED,
	TASKSTATE_CAUSE_YIELD,
	TASKSTATE_CAUSE_SLEEP,
	TASKSTATE_CAUSE_IO,
	TASKSTATE_CAUSE_STOPPED,
	TASKSTATE_CAUSE_WAKEUP,
	TASKSTATE_CAUSE_SIGNAL,
	TASKSTATE_CAUSE_EXEC,
	TASKSTATE_CAUSE_REAPED,
	/* D, but not waiting for I/O (a mutex, a vfork child...) */
	TASKSTATE_CAUSE_UNINTERRUPTIBLE,
	TASKSTATE_NR_CAUSES
};

/*
 * The names of states, transitions and causes, in enum order: the words of
 * the procfs files and of the JSON lines, shared so they cannot drift.
 */
#define TASKSTATE_STATE_NAMES { "none", "new", "ready", "running",	\
	"blocked", "exit" }
#define TASKSTATE_TRANSITION_NAMES { "none", "none->new", "new->ready",	\
	"ready->running", "running->exit", "running->ready",		\
	"running->blocked", "blocked->ready", "ready->exit", "blocked->exit" }
#define TASKSTATE_CAUSE_NAMES { "none", "fork", "thread", "created",	\
	"dispatch", "exit", "error", "killed", "preempted", "yield",	\
	"sleep", "io", "stopped", "wakeup", "signal", "exec", "reaped",	\
	"uninterruptible" }

/* Record kinds in the stream. */
enum taskstate_kind {
	TASKSTATE_KIND_EVENT = 1,
	TASKSTATE_KIND_LOST = 2,	/* @lost events were dropped on @cpu */
};

#define TASKSTATE_COMM_LEN	16
#define TASKSTATE_SITE_LEN	64

/*
 * One record as read(2) returns it.  Fixed size (TASKSTATE_RECORD_SIZE); a
 * reader checks @size against the size it was built with.  Times are
 * CLOCK_MONOTONIC nanoseconds.  No kernel address is ever handed out: the
 * wait site is a symbol name.
 */
struct taskstate_event {
	__u16 size;			/* sizeof(struct taskstate_event) */
	__u8  kind;			/* enum taskstate_kind */
	__u8  transition;		/* enum taskstate_transition */
	__u8  from;			/* enum taskstate_state */
	__u8  to;			/* enum taskstate_state */
	__u8  cause;			/* enum taskstate_cause */
	__u8  linux_state;		/* R S D T t Z X P I, as in /proc */
	__u64 ts_ns;
	__u32 cpu;
	__s32 pid;			/* thread id */
	__s32 tgid;			/* process id */
	__s32 other_pid;		/* 0: no other task */
	__s32 exit_code;		/* exit() status, 0-255 */
	__s32 signal;			/* fatal signal, or the waking signal */
	__u64 prev_state_ns;		/* time in @from; 0: not known */
	__u64 lost;			/* TASKSTATE_KIND_LOST only */
	char  comm[TASKSTATE_COMM_LEN];
	char  other_comm[TASKSTATE_COMM_LEN];
	char  wait_site[TASKSTATE_SITE_LEN];	/* blocking switches only */
};

#define TASKSTATE_RECORD_SIZE	sizeof(struct taskstate_event)

#define TASKSTATE_IOC_MAGIC	0xb7

/*
 * A session (one open() of /dev/taskstate) records from its first read(),
 * poll() or TASKSTATE_IOC_START.  Its filter can be replaced at any time
 * (DESCENDANTS then starts again from @ids); its buffer size only before it
 * starts.  Pids are those of the initial pid namespace.
 *
 * A filter is refused (-EINVAL) with unknown flags, more than one of PIDS,
 * TGIDS and DESCENDANTS, @nr_ids not matching them (1..MAX_IDS with one,
 * 0 without), an id <= 0, mask bits above the defined transitions or
 * causes, an empty or unterminated @comm with COMM, an unmapped @uid with
 * UID, or a non-zero @__reserved.
 */

/* Which tasks a session records.  Unknown flags are refused (-EINVAL). */
#define TASKSTATE_FILTER_PIDS		(1U << 0)	/* thread ids in @ids */
#define TASKSTATE_FILTER_TGIDS		(1U << 1)	/* process ids in @ids */
/* @ids, their threads, and all they fork once the session has started */
#define TASKSTATE_FILTER_DESCENDANTS	(1U << 2)
#define TASKSTATE_FILTER_UID		(1U << 3)	/* tasks of @uid */
#define TASKSTATE_FILTER_COMM		(1U << 4)	/* tasks named @comm */
#define TASKSTATE_FILTER_NO_WAIT_SITE	(1U << 5)	/* skip the unwinding */
#define TASKSTATE_FILTER_ALL_FLAGS	0x3fU

#define TASKSTATE_FILTER_MAX_IDS	64

struct taskstate_filter {
	__u32 flags;
	/* bit n: transition n (0: exec, reaped); 0: every transition */
	__u32 transition_mask;
	__u32 cause_mask;	/* bit n: cause n; 0: every cause */
	__u32 uid;
	__u32 nr_ids;		/* at most TASKSTATE_FILTER_MAX_IDS */
	__u32 __reserved;	/* must be 0 */
	__s32 ids[TASKSTATE_FILTER_MAX_IDS];
	char  comm[TASKSTATE_COMM_LEN];
};

/* Totals of one session since it was opened. */
struct taskstate_stats {
	__u64 produced;		/* events that matched the filter */
	__u64 delivered;	/* events read */
	__u64 lost;		/* events dropped on a full buffer */
	__u64 untracked;	/* descendants not followed: set was full */
	__u32 buffer_records;	/* per CPU */
	__u32 nr_cpus;
};

#define TASKSTATE_BUFFER_MIN	16
#define TASKSTATE_BUFFER_MAX	(1U << 20)

/* Returns TASKSTATE_ABI_VERSION. */
#define TASKSTATE_IOC_VERSION	_IO(TASKSTATE_IOC_MAGIC, 0)
#define TASKSTATE_IOC_SET_FILTER _IOW(TASKSTATE_IOC_MAGIC, 1, struct taskstate_filter)
/* Records per CPU, TASKSTATE_BUFFER_MIN..MAX; -EBUSY once started. */
#define TASKSTATE_IOC_SET_BUFFER _IOW(TASKSTATE_IOC_MAGIC, 2, __u32)
#define TASKSTATE_IOC_START	_IO(TASKSTATE_IOC_MAGIC, 3)
#define TASKSTATE_IOC_GET_STATS	_IOR(TASKSTATE_IOC_MAGIC, 4, struct taskstate_stats)

#endif /* _UAPI_LINUX_TASKSTATE_H */
