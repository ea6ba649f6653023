/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TASKSTATE_BUFFER_H
#define _TASKSTATE_BUFFER_H

#include <linux/stddef.h>
#include <linux/types.h>

struct ts_record;
struct ts_ring;

struct ts_ring *ts_ring_alloc(u32 records_per_cpu);
/* What ts_ring_alloc(@records_per_cpu) takes, at most. */
size_t ts_ring_bytes(u32 records_per_cpu);
void ts_ring_free(struct ts_ring *ring);

/*
 * Producer: probe context, on the CPU whose buffer it fills.  Returns the
 * records now waiting in that CPU's buffer.
 */
u32 ts_ring_write(struct ts_ring *ring, const struct ts_record *r);
/* Records per CPU. */
u32 ts_ring_size(const struct ts_ring *ring);

/* Consumer: one reader at a time (the session's lock). */
bool ts_ring_empty(struct ts_ring *ring);
/* Reads from now on merge the CPUs that have records now. */
void ts_ring_begin_read(struct ts_ring *ring);
const struct ts_record *ts_ring_peek(struct ts_ring *ring);
void ts_ring_unpeek(struct ts_ring *ring);
void ts_ring_consume(struct ts_ring *ring);
void ts_ring_totals(struct ts_ring *ring, u64 *written, u64 *lost);

#endif /* _TASKSTATE_BUFFER_H */
