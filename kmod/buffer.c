// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU record buffers of one session.
 *
 * Each CPU's buffer has one producer (the probes on that CPU, interrupts off
 * while writing, so nested probes from an interrupt cannot interleave) and
 * one consumer (the session's reader), so head and tail need only
 * acquire/release ordering.  A full buffer drops the new record and counts
 * it; the count reaches the reader as a lost-events record placed where the
 * loss happened, or, if nothing follows, made up by the reader.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cache.h>
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "buffer.h"
#include "counters.h"
#include "taskstate.h"

struct ts_cpu_ring {
	u32 head;			/* producer: next slot to fill */
	u32 tail;			/* consumer: next slot to read */
	atomic_long_t pending_lost;	/* dropped, not yet reported */
	u64 written;			/* producer only */
	atomic64_t lost;		/* total dropped */
	struct ts_record *recs;
} ____cacheline_aligned;

struct ts_ring {
	u32 size;			/* records per CPU, a power of two */
	int last_cpu;			/* where the last record read came from */
	/* The one readable CPU, if only one was: no merge, no scan. */
	int sole_cpu;
	struct ts_record lost;		/* the loss a read reports itself */
	bool lost_peeked;		/* ... and is reporting now */
	/*
	 * The CPUs a read merges from: those that had records (or a loss)
	 * when it began.  A reader on a machine with hundreds of CPUs then
	 * looks at the few that have something, once per record.
	 */
	unsigned long *readable;
	struct ts_cpu_ring cpu[];	/* nr_cpu_ids */
};

size_t ts_ring_bytes(u32 records_per_cpu)
{
	struct ts_ring *ring;

	return struct_size(ring, cpu, nr_cpu_ids) +
	       BITS_TO_LONGS(nr_cpu_ids) * sizeof(long) +
	       array3_size(roundup_pow_of_two(records_per_cpu),
			   sizeof(struct ts_record), num_possible_cpus());
}

/* Charged to the memory cgroup of the task that asks for it. */
struct ts_ring *ts_ring_alloc(u32 records_per_cpu)
{
	struct ts_ring *ring;
	int cpu;

	ring = kzalloc(struct_size(ring, cpu, nr_cpu_ids), GFP_KERNEL_ACCOUNT);
	if (!ring)
		return NULL;
	ring->size = roundup_pow_of_two(records_per_cpu);
	ring->last_cpu = -1;
	ring->sole_cpu = -1;
	ring->readable = bitmap_zalloc(nr_cpu_ids, GFP_KERNEL_ACCOUNT);
	if (!ring->readable) {
		kfree(ring);
		return NULL;
	}
	for_each_possible_cpu(cpu) {
		ring->cpu[cpu].recs =
			__vmalloc(array_size(ring->size, sizeof(struct ts_record)),
				  GFP_KERNEL_ACCOUNT);
		if (!ring->cpu[cpu].recs) {
			ts_ring_free(ring);
			return NULL;
		}
	}
	return ring;
}

void ts_ring_free(struct ts_ring *ring)
{
	int cpu;

	if (!ring)
		return;
	for_each_possible_cpu(cpu)
		vfree(ring->cpu[cpu].recs);
	bitmap_free(ring->readable);
	kfree(ring);
}

static void ts_ring_put(struct ts_ring *ring, struct ts_cpu_ring *c,
			const struct ts_record *r)
{
	c->recs[c->head & (ring->size - 1)] = *r;
	/* The record is complete before the reader can see it. */
	smp_store_release(&c->head, c->head + 1);
}

static void ts_lost_record(struct ts_record *r, int cpu, long lost, u64 ts)
{
	memset(r, 0, sizeof(*r));
	r->kind = TASKSTATE_KIND_LOST;
	r->ts_ns = ts;
	r->cpu = cpu;
	r->lost = lost;
}

u32 ts_ring_size(const struct ts_ring *ring)
{
	return ring->size;
}

u32 ts_ring_write(struct ts_ring *ring, const struct ts_record *r)
{
	struct ts_cpu_ring *c;
	unsigned long flags;
	u32 used, need;
	long lost;
	int cpu;

	local_irq_save(flags);
	cpu = smp_processor_id();
	c = &ring->cpu[cpu];
	/* Pairs with the release in ts_ring_consume(): the slot is free. */
	used = c->head - smp_load_acquire(&c->tail);
	lost = atomic_long_read(&c->pending_lost);
	need = lost ? 2 : 1;
	if (ring->size - used < need) {
		atomic_long_inc(&c->pending_lost);
		atomic64_inc(&c->lost);
		ts_count_lost();
		goto out;
	}
	if (lost) {
		struct ts_record marker;

		/* The reader may have reported them meanwhile. */
		lost = atomic_long_xchg(&c->pending_lost, 0);
		if (lost) {
			/* Stamped like the event it precedes, to merge in order. */
			ts_lost_record(&marker, cpu, lost, r->ts_ns);
			ts_ring_put(ring, c, &marker);
		}
	}
	ts_ring_put(ring, c, r);
	c->written++;
	used = c->head - READ_ONCE(c->tail);
out:
	local_irq_restore(flags);
	return used;
}

static bool ts_cpu_ring_has_any(struct ts_cpu_ring *c)
{
	/* Pairs with the release in ts_ring_put(). */
	return smp_load_acquire(&c->head) != c->tail ||
	       atomic_long_read(&c->pending_lost);
}

void ts_ring_begin_read(struct ts_ring *ring)
{
	unsigned int readable = 0;
	int cpu;

	ring->sole_cpu = -1;
	for_each_possible_cpu(cpu) {
		if (ts_cpu_ring_has_any(&ring->cpu[cpu])) {
			__set_bit(cpu, ring->readable);
			ring->sole_cpu = cpu;
			readable++;
		} else {
			__clear_bit(cpu, ring->readable);
		}
	}
	if (readable != 1)
		ring->sole_cpu = -1;
}

/* The readable CPU whose next record is the oldest, or -1 if none has one. */
static int ts_ring_oldest(struct ts_ring *ring)
{
	u64 best_ts = U64_MAX;
	int cpu, best = -1;

	if (ring->sole_cpu >= 0) {
		struct ts_cpu_ring *c = &ring->cpu[ring->sole_cpu];

		/* Pairs with the release in ts_ring_put(). */
		if (smp_load_acquire(&c->head) != c->tail)
			return ring->sole_cpu;
		/* Run dry: the scan below clears it, or keeps its loss. */
		ring->sole_cpu = -1;
	}

	for_each_set_bit(cpu, ring->readable, nr_cpu_ids) {
		struct ts_cpu_ring *c = &ring->cpu[cpu];
		const struct ts_record *r;

		/* Pairs with the release in ts_ring_put(). */
		if (smp_load_acquire(&c->head) == c->tail) {
			if (!atomic_long_read(&c->pending_lost))
				__clear_bit(cpu, ring->readable);
			continue;
		}
		r = &c->recs[c->tail & (ring->size - 1)];
		if (r->ts_ns < best_ts) {
			best_ts = r->ts_ns;
			best = cpu;
		}
	}
	return best;
}

/* Losses with no record after them: the reader reports them itself. */
static int ts_ring_unreported_loss(struct ts_ring *ring)
{
	int cpu;

	for_each_set_bit(cpu, ring->readable, nr_cpu_ids)
		if (atomic_long_read(&ring->cpu[cpu].pending_lost))
			return cpu;
	return -1;
}

bool ts_ring_empty(struct ts_ring *ring)
{
	int cpu;

	for_each_possible_cpu(cpu)
		if (ts_cpu_ring_has_any(&ring->cpu[cpu]))
			return false;
	return true;
}

/*
 * The oldest record, left in place (the producer does not reuse its slot)
 * until ts_ring_consume(), so a failed copy to the reader loses nothing;
 * NULL if there is none.
 */
const struct ts_record *ts_ring_peek(struct ts_ring *ring)
{
	int cpu = ts_ring_oldest(ring);
	long lost;

	ring->last_cpu = -1;
	ring->lost_peeked = false;
	if (cpu >= 0) {
		struct ts_cpu_ring *c = &ring->cpu[cpu];

		ring->last_cpu = cpu;
		return &c->recs[c->tail & (ring->size - 1)];
	}
	cpu = ts_ring_unreported_loss(ring);
	if (cpu < 0)
		return NULL;
	lost = atomic_long_xchg(&ring->cpu[cpu].pending_lost, 0);
	if (!lost)
		return NULL;
	ts_lost_record(&ring->lost, cpu, lost, ktime_get_mono_fast_ns());
	ring->lost_peeked = true;
	return &ring->lost;
}

/*
 * The record peeked was not delivered: it stays.  A loss taken from its
 * CPU's count goes back there, to be reported by the next read or by the
 * producer's next marker, whichever comes first.
 */
void ts_ring_unpeek(struct ts_ring *ring)
{
	if (ring->lost_peeked)
		atomic_long_add(ring->lost.lost,
				&ring->cpu[ring->lost.cpu].pending_lost);
	ring->lost_peeked = false;
	ring->last_cpu = -1;
}

void ts_ring_consume(struct ts_ring *ring)
{
	struct ts_cpu_ring *c;

	ring->lost_peeked = false;
	if (ring->last_cpu < 0)
		return;
	c = &ring->cpu[ring->last_cpu];
	/* Done with the slot before the producer may reuse it. */
	smp_store_release(&c->tail, c->tail + 1);
	ring->last_cpu = -1;
}

void ts_ring_totals(struct ts_ring *ring, u64 *written, u64 *lost)
{
	int cpu;

	*written = 0;
	*lost = 0;
	for_each_possible_cpu(cpu) {
		*written += READ_ONCE(ring->cpu[cpu].written);
		*lost += atomic64_read(&ring->cpu[cpu].lost);
	}
}
