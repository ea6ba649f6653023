/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The markers icount.so recognises (see icount.c): unique 7-byte no-ops,
 * harmless without the plugin.
 */
#ifndef ICOUNT_MARKER_H
#define ICOUNT_MARKER_H

/* Snapshot the counters. */
static inline void icount_start(void)
{
	__asm__ __volatile__("nopl 0x4b545301(%%rax)" ::: "memory");
}

/* Write what ran since the snapshot. */
static inline void icount_stop(void)
{
	__asm__ __volatile__("nopl 0x4b545302(%%rax)" ::: "memory");
}

#endif
