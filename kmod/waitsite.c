// SPDX-License-Identifier: GPL-2.0
/*
 * Wait sites: the kernel function a task blocked in.
 *
 * At sched_switch the probe runs on the blocking task's stack, so a short
 * unwind sees where it blocked.  The probe keeps raw return addresses; names
 * are resolved only when a reader copies the event out, and generic wait
 * helpers are skipped there so the site names the mechanism (pipe_read,
 * do_msgrcv, futex_wait_queue) rather than schedule().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <asm/unwind.h>
#include <asm/word-at-a-time.h>

#include "taskstate.h"
#include "tasks.h"

/*
 * Return addresses that a reader found to be wait sites (the first frame
 * that is not a generic wait): the unwind stops at one, since the frames
 * above it (the system call, its entry) would never be shown.  Unwinding is
 * the costliest thing a probe does, a few hundred instructions a frame.
 * Words written and read whole, without a lock: a stale entry only ends an
 * unwind early, and names are still resolved at read time.
 */
#define TS_KNOWN_SITE_BITS	6
static unsigned long ts_known_sites[1 << TS_KNOWN_SITE_BITS];

static bool ts_known_site(unsigned long ip)
{
	return READ_ONCE(ts_known_sites[hash_long(ip, TS_KNOWN_SITE_BITS)]) == ip;
}

static void ts_known_site_add(unsigned long ip)
{
	WRITE_ONCE(ts_known_sites[hash_long(ip, TS_KNOWN_SITE_BITS)], ip);
}

/*
 * A task tends to block where it blocked the time before: a server in its
 * accept(), a worker on its queue, each end of a pipe in pipe_read().  So
 * the walk that found a task's site is remembered with it: where each
 * return address it took lay, relative to where it started.  Relative:
 * randomize_kstack_offset moves every system call's stack by up to 1 KiB.
 *
 * ORC finds a caller's frame from the callee's return address and stack
 * pointer alone.  A walk that starts from the same return address (the
 * scheduler's) therefore reads the same first slot, relative to its start;
 * if that slot holds the same return address it reads the same second
 * one, and so on.  Each of those slots was written by the call that made
 * the frame now live above it, so equal words mean the same callers, and
 * the walk (a few hundred instructions a frame) would find what it found
 * before.  Checking costs a few instructions a frame.
 *
 * Not covered: a function that keeps a frame pointer (do_syscall_64 for
 * the random offset, a function that realigns its stack) is left from that
 * pointer, whose distance to the frames below it can change.  Past such a
 * frame the check reads another word than the unwinder would, and only a
 * stale copy of the same return address there would match.  Only a walk
 * that stopped at a known site (a function inside the system call, never
 * its entry) is remembered; and the kernel realigns only for over-aligned
 * locals, which no sleeping path has been seen to have.  Return addresses
 * that ftrace or a kretprobe replaced differ from the words in their
 * slots: those never match, and are walked each time.
 */
#ifdef CONFIG_UNWINDER_ORC
/*
 * The site @t found when it last blocked, if the stack above @sp, where
 * this walk starts, still holds it: into @ips, 0 if not.
 */
static unsigned int ts_site_recall(struct ts_task *t, unsigned long sp,
				   unsigned long *ips, unsigned int max)
{
	unsigned long room = (unsigned long)task_stack_page(current) +
			     THREAD_SIZE - sizeof(long) - sp;
	unsigned int n = READ_ONCE(t->nr_site_slots), i;

	if (n != READ_ONCE(t->nr_wait_ips) || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned long off = READ_ONCE(t->site_slots[i]);
		unsigned long addr;

		if (off > room)
			return 0;
		/* Unchecked: the word is another frame's, as to the unwinder. */
		addr = READ_ONCE_NOCHECK(*(unsigned long *)(sp + off));
		if (addr != READ_ONCE(t->wait_ips[i]))
			return 0;
		ips[i] = addr;
	}
	return n;
}

/* Where the return address @state reports lay above @sp, if a call put it. */
static bool ts_site_slot(const struct unwind_state *state, unsigned long sp,
			 u16 *off)
{
	unsigned long slot = state->sp - sizeof(long);

	if (state->regs || slot < sp || slot - sp > U16_MAX)
		return false;
	*off = slot - sp;
	return true;
}
#else
static unsigned int ts_site_recall(struct ts_task *t, unsigned long sp,
				   unsigned long *ips, unsigned int max)
{
	return 0;
}

static bool ts_site_slot(const struct unwind_state *state, unsigned long sp,
			 u16 *off)
{
	return false;
}
#endif

/*
 * The return addresses from @state on, at most @max, up to a known site.
 * With @t, where they lay above @sp is remembered in it for the next time,
 * if the walk ends at a known site: one that ends on the frame limit or at
 * the stack's end may have crossed the system call's entry (see above).
 */
static unsigned int ts_wait_site_walk(struct unwind_state *state,
				      unsigned long *ips, unsigned int max,
				      struct ts_task *t, unsigned long sp)
{
	bool slots_known = t && max <= ARRAY_SIZE(t->site_slots);
	unsigned int out = 0;
	unsigned long addr;

	for (; !unwind_done(state) && out < max; unwind_next_frame(state)) {
		addr = unwind_get_return_address(state);
		if (!addr)
			break;
		if (slots_known)
			slots_known = ts_site_slot(state, sp,
						   &t->site_slots[out]);
		ips[out++] = addr;
		if (ts_known_site(addr)) {
			if (slots_known)
				WRITE_ONCE(t->nr_site_slots, out);
			break;
		}
	}
	return out;
}

/*
 * ts_wait_site_capture() without a site to recall.  Apart, and not inlined:
 * its unwinder state and registers, zeroed on entry by kernels built with
 * INIT_STACK_ALL_ZERO, cost more than a recall.
 */
static noinline unsigned int ts_wait_site_unwind(unsigned long *ips,
						 unsigned int max,
						 const struct ts_probe_frame *from,
						 struct ts_task *t)
{
	struct unwind_state state;
	bool seen_module = false;
	struct pt_regs regs;
	unsigned long addr;
	unsigned int out;

	if (from) {
		memset(&regs, 0, sizeof(regs));
		regs.ip = from->ret_ip;
		regs.sp = (unsigned long)(from + 1);
		regs.bp = from->caller_bp;
		regs.cs = __KERNEL_CS;
		unwind_start(&state, current, &regs, NULL);
		out = ts_wait_site_walk(&state, ips, max, t, regs.sp);
		/* Not a frame the unwinder knows: the long way. */
		if (out)
			return out;
	}
	for (unwind_start(&state, current, NULL, NULL); !unwind_done(&state);
	     unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		if (!addr)
			return 0;
		seen_module |= within_module(addr, THIS_MODULE);
		if (seen_module && !within_module(addr, THIS_MODULE))
			return ts_wait_site_walk(&state, ips, max, NULL, 0);
	}
	return 0;
}

/*
 * The return addresses above this module's frames, at most @max, up to the
 * first known wait site, for the blocking task @t (its record, or NULL).
 * From @from, the probe's caller, when there is one: the unwinder starts
 * there as from an interrupted context and goes on from the caller's
 * caller (the caller, the scheduler, is never a site).  Else the walk
 * starts inside the unwinder's own entry, and what it reports up to the
 * end of this module's frames (the probe's) is skipped.
 */
unsigned int ts_wait_site_capture(unsigned long *ips, unsigned int max,
				  const struct ts_probe_frame *from,
				  struct ts_task *t)
{
	unsigned int out;

	if (t) {
		out = from ? ts_site_recall(t, (unsigned long)(from + 1), ips,
					    max) : 0;
		if (out)
			return out;
		/* Until a walk from @from finds a site, nothing to recall. */
		WRITE_ONCE(t->nr_site_slots, 0);
	}
	return ts_wait_site_unwind(ips, max, from, t);
}

/* The scheduler and the generic ways of waiting: never the answer. */
static const char *const ts_generic_waits[] = {
	"__traceiter_sched_switch", "__schedule", "schedule",
	"preempt_schedule_common", "wait_woken", "bit_wait", "bit_wait_io",
	"do_wait_for_common", "__wait_for_common", "wait_for_common",
	"wait_for_common_io", "out_of_line_wait_on_bit",
	"out_of_line_wait_on_bit_lock", "__mutex_lock",
	"__mutex_lock_slowpath", "mutex_lock", "mutex_lock_interruptible",
	"mutex_lock_killable", "__mutex_lock_interruptible_slowpath",
	"__mutex_lock_killable_slowpath", "rwsem_down_read_slowpath",
	"rwsem_down_write_slowpath", "down_read", "down_write",
	"down_read_killable", "down_write_killable", "rt_mutex_slowlock",
	"__rt_mutex_slowlock", "unix_stream_data_wait", "sk_wait_data",
	"wq_sleep", "__skb_wait_for_more_packets", "__skb_recv_datagram",
	"skb_recv_datagram",
};

/*
 * PREEMPT_RT: spinlock_t and rwlock_t sleep on an rtmutex (rtlock_*,
 * rt_spin_lock, rt_read_lock, rt_write_lock, rwbase_*), as mutexes do.
 */
static const char *const ts_generic_prefixes[] = {
	"schedule_", "io_schedule", "__wait_", "wait_for_completion",
	"rtlock_", "rt_spin_lock", "rt_read_lock", "rt_write_lock",
	"rwbase_", "__rwbase_", "rt_mutex_slowlock", "__rt_mutex_slowlock",
};

static bool ts_is_generic_wait(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ts_generic_waits); i++)
		if (!strcmp(name, ts_generic_waits[i]))
			return true;
	for (i = 0; i < ARRAY_SIZE(ts_generic_prefixes); i++)
		if (str_has_prefix(name, ts_generic_prefixes[i]))
			return true;
	return false;
}

/*
 * Naming an address walks kallsyms (a search and a name decompression),
 * several times per record, and a reader sees the same few sites over and
 * over: a small direct-mapped cache keeps that off the read path.  It is
 * emptied whenever a module goes, since its addresses can be reused.
 */
#define TS_SITE_CACHE_BITS	8

struct ts_site_entry {
	unsigned long ip;		/* 0: empty */
	bool generic;
	char name[TASKSTATE_SITE_LEN];
};

static struct ts_site_entry ts_site_cache[1 << TS_SITE_CACHE_BITS];
static DEFINE_SPINLOCK(ts_site_lock);
/*
 * Bumped, under ts_site_lock, each time the cache is emptied: a name looked
 * up outside the lock is cached only if no module went meanwhile, else it
 * could be the name of an address that is no longer that function.
 */
static unsigned long ts_site_generation;

/*
 * A cached name (NUL-padded) into @dst up to the word that ends it, a word
 * at a time: the rest of @dst is left as it was (zeroed, by the callers).
 */
static void ts_site_copy(char *dst, const char *src)
{
	const struct word_at_a_time k = WORD_AT_A_TIME_CONSTANTS;
	unsigned long w, data;
	unsigned int i;

	for (i = 0; i < TASKSTATE_SITE_LEN; i += sizeof(w)) {
		memcpy(&w, src + i, sizeof(w));
		memcpy(dst + i, &w, sizeof(w));
		if (has_zero(w, &data, &k))
			return;
	}
}

/*
 * ts_site_lookup()'s miss: kallsyms, then the cache.  Apart, so that a hit
 * does not pay for this frame (KSYM_SYMBOL_LEN bytes, zeroed on entry on
 * kernels built with INIT_STACK_ALL_ZERO).
 */
static noinline bool ts_site_resolve(struct ts_site_entry *e, unsigned long ip,
				     char *name, bool last)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long generation;
	bool generic;

	spin_lock(&ts_site_lock);
	generation = ts_site_generation;
	spin_unlock(&ts_site_lock);

	sprint_symbol_no_offset(sym, ip);
	/* No symbol: kallsyms prints the address, which must not leak. */
	if (str_has_prefix(sym, "0x"))
		strscpy(sym, "?", sizeof(sym));
	/*
	 * "name [module]": the name alone, one word in every output.  A C
	 * name has no '.': from the first one on it is the compiler's
	 * suffix for a specialised or split copy (.isra.0, .constprop.0,
	 * .part.0, .cold, .llvm.N), which still names the same function,
	 * whichever copy a given kernel's compiler chose to call.
	 */
	sym[strcspn(sym, " .")] = '\0';
	generic = ts_is_generic_wait(sym);
	if (!generic || last)
		strscpy(name, sym, TASKSTATE_SITE_LEN);

	spin_lock(&ts_site_lock);
	if (generation == ts_site_generation) {
		e->ip = ip;
		e->generic = generic;
		strscpy_pad(e->name, sym, sizeof(e->name));
	}
	spin_unlock(&ts_site_lock);
	return generic;
}

/*
 * Whether @ip is in a generic wait; its name, one word, into @name if it
 * is not, or if @last (the outermost frame: the best there is).
 */
static bool ts_site_lookup(unsigned long ip, char *name, bool last)
{
	struct ts_site_entry *e = &ts_site_cache[hash_long(ip, TS_SITE_CACHE_BITS)];
	bool generic;

	spin_lock(&ts_site_lock);
	if (e->ip != ip) {
		spin_unlock(&ts_site_lock);
		return ts_site_resolve(e, ip, name, last);
	}
	generic = e->generic;
	if (!generic || last)
		ts_site_copy(name, e->name);
	spin_unlock(&ts_site_lock);
	return generic;
}

/*
 * The wait site of a blocking switch whose return addresses are @ips:
 * the first that is not a generic wait, NUL-terminated into @name, whose
 * bytes after the name are left as they were.
 */
void ts_wait_site_name(const unsigned long *ips, unsigned int n,
		       char name[TASKSTATE_SITE_LEN])
{
	unsigned int i;

	name[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!ts_site_lookup(ips[i], name, i == n - 1)) {
			ts_known_site_add(ips[i]);
			return;
		}
	}
}

static int ts_site_module_event(struct notifier_block *nb, unsigned long action,
				void *data)
{
	unsigned int i;

	if (action == MODULE_STATE_GOING) {
		spin_lock(&ts_site_lock);
		memset(ts_site_cache, 0, sizeof(ts_site_cache));
		ts_site_generation++;
		for (i = 0; i < ARRAY_SIZE(ts_known_sites); i++)
			WRITE_ONCE(ts_known_sites[i], 0);
		spin_unlock(&ts_site_lock);
	}
	return NOTIFY_DONE;
}

static struct notifier_block ts_site_module_nb = {
	.notifier_call = ts_site_module_event,
};

int ts_wait_site_init(void)
{
	return register_module_notifier(&ts_site_module_nb);
}

void ts_wait_site_exit(void)
{
	unregister_module_notifier(&ts_site_module_nb);
}
