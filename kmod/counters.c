// SPDX-License-Identifier: GPL-2.0
/*
 * Transition counters.  Probes add to their own CPU's copy; readers sum
 * the copies.  A reset cannot zero counters that other CPUs own, so it
 * takes a new baseline, and readers subtract it under the same lock, so
 * a reader never sees half of a reset.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "counters.h"

DEFINE_PER_CPU(struct ts_counts, ts_counts);

static DEFINE_MUTEX(ts_counts_lock);
/* The sums at the last reset, under ts_counts_lock. */
static struct ts_counts ts_counts_base;

#define TS_COUNTS_WORDS	(sizeof(struct ts_counts) / sizeof(u64))

static void ts_counts_sum(struct ts_counts *out)
{
	u64 *dst = (u64 *)out;
	size_t i;
	int cpu;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const u64 *src = (const u64 *)per_cpu_ptr(&ts_counts, cpu);

		for (i = 0; i < TS_COUNTS_WORDS; i++)
			dst[i] += READ_ONCE(src[i]);
	}
}

void ts_counters_snapshot(struct ts_counts *out)
{
	const u64 *base = (const u64 *)&ts_counts_base;
	u64 *dst = (u64 *)out;
	size_t i;

	mutex_lock(&ts_counts_lock);
	ts_counts_sum(out);
	for (i = 0; i < TS_COUNTS_WORDS; i++)
		dst[i] -= base[i];
	mutex_unlock(&ts_counts_lock);
}

void ts_counters_reset(void)
{
	mutex_lock(&ts_counts_lock);
	ts_counts_sum(&ts_counts_base);
	mutex_unlock(&ts_counts_lock);
}
