/* SPDX-License-Identifier: GPL-2.0 */
/* Counts of every transition by cause, per CPU, and their snapshots. */
#ifndef _TASKSTATE_COUNTERS_H
#define _TASKSTATE_COUNTERS_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <uapi/linux/taskstate.h>

struct ts_counts {
	u64 n[TASKSTATE_NR_TRANSITIONS][TASKSTATE_NR_CAUSES];
	u64 evictions;
	u64 wakeup_not_blocked;
};

DECLARE_PER_CPU(struct ts_counts, ts_counts);

/* Probe context: this CPU's counter, no atomics needed. */
static inline void ts_count_event(unsigned int tr, unsigned int cause)
{
	this_cpu_inc(ts_counts.n[tr][cause]);
}

static inline void ts_count_eviction(void)
{
	this_cpu_inc(ts_counts.evictions);
}

static inline void ts_count_wakeup_not_blocked(void)
{
	this_cpu_inc(ts_counts.wakeup_not_blocked);
}

/*
 * Every counter since the last reset, read once: a transition's total and
 * its causes come from the same reads, so they add up.  May sleep.
 */
void ts_counters_snapshot(struct ts_counts *out);
void ts_counters_reset(void);

#endif /* _TASKSTATE_COUNTERS_H */
