// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab lock: threads add to and subtract from one shared counter, with
 * no lock (the race: updates are lost) and with each kind of lock, and
 * show what each one costs: the final value, the time, and with the
 * taskstate module loaded how often the threads blocked and where
 * (a mutex blocks in futex_wait_queue) versus spun without blocking (a
 * spinlock).
 *
 * Half the threads (rounded up) are adders, the others subtracters, each
 * doing --loops updates, as in the study notes' Python example.  An update
 * is three steps: read the counter, work (--work pause instructions), write
 * it back; a lock makes the three one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipclab.h"
#include "run.h"
#include "story.h"
#include "lib/libtaskstate.h"

/* The story names at most this many participants; so do we. */
#define LOCK_MAX_THREADS	STORY_MAX_ROLES
#define LOCK_MAX_LOOPS		10000000
#define LOCK_MAX_WORK		100000
/* The barrier variant's phases (fewer when --loops is smaller). */
#define BARRIER_PHASES		10
/* Distinct wait sites told apart per variant; the rest are "other". */
#define MAX_SITES		6
/* How long to wait for the last of the threads' events. */
#define TRACE_DEADLINE_MS	3000

struct lock_opts {
	unsigned int threads;
	uint64_t loops;
	uint64_t work;		/* pause instructions inside each update */
	int variant;		/* index in variants[], -1: all */
	bool yield;		/* sched_yield() inside each update */
	bool one_cpu;		/* every thread on one CPU */
	int cpu;		/* that CPU */
	bool json;
};

struct lock_run;

/* One thread: its part of the work and what was seen of it. */
struct worker {
	struct lock_run *run;
	pthread_t thread;
	int index;
	long delta;		/* +1: adder, -1: subtracter */
	pid_t tid;
	uint64_t contended;	/* acquisitions that had to wait */
	uint64_t end_ns;
	/* From the taskstate stream: */
	uint64_t blocks, wakeups, preempted, yields, blocked_ns;
	bool asleep;		/* a counted block, its wakeup not yet seen */
	bool exited;
};

struct site_count {
	char name[TASKSTATE_SITE_LEN];
	uint64_t n;
};

struct variant {
	const char *name;
	const char *what;
	void (*body)(struct worker *w);
	bool yields;		/* --yield applies */
};

/* One variant's run: the counter, every kind of lock, the threads. */
struct lock_run {
	const struct lock_opts *o;
	const struct variant *v;
	long counter;
	pthread_barrier_t gate;	/* every thread starts at once */
	uint64_t start_ns, end_ns;	/* the updating, first to last */
	pthread_mutex_t mutex;
	pthread_spinlock_t spin;
	pthread_rwlock_t rwlock;
	sem_t sem;
	pthread_cond_t not_full, not_empty;	/* condvar: the slot */
	bool full;
	uint64_t to_consume;
	pthread_barrier_t barrier;
	struct worker w[LOCK_MAX_THREADS];
	/* From the taskstate stream: */
	bool traced;
	uint64_t lost, other_sites;
	int nr_sites;
	struct site_count site[MAX_SITES];
};

/* pthread_* report failure by return value, not errno. */
static void pt_check(int err, const char *what)
{
	if (err) {
		errno = err;
		die_errno("%s", what);
	}
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ volatile("" ::: "memory");
#endif
}

/*
 * Read, work, write.  Relaxed atomic loads and stores rather than plain
 * ones: every access really happens (the compiler may not fold the loop
 * into one addition, which would hide the race) and the program has no
 * undefined behaviour; the update as a whole is still not atomic, which
 * is the point.  The work widens the window between read and write, so
 * the race shows within a few thousand updates on two cores; --yield
 * gives the CPU away inside it, so it shows even on one.
 */
static void update(struct lock_run *r, long delta)
{
	long v = __atomic_load_n(&r->counter, __ATOMIC_RELAXED);

	for (uint64_t i = 0; i < r->o->work; i++)
		cpu_relax();
	if (r->o->yield && r->v->yields && sched_yield())
		die_errno("sched_yield");
	__atomic_store_n(&r->counter, v + delta, __ATOMIC_RELAXED);
}

/* ---- the variants ---- */

static void body_none(struct worker *w)
{
	for (uint64_t i = 0; i < w->run->o->loops; i++)
		update(w->run, w->delta);
}

static void body_mutex(struct worker *w)
{
	struct lock_run *r = w->run;

	for (uint64_t i = 0; i < r->o->loops; i++) {
		/* trylock first only to count the contended acquisitions. */
		int err = pthread_mutex_trylock(&r->mutex);

		if (err == EBUSY) {
			w->contended++;
			err = pthread_mutex_lock(&r->mutex);
		}
		pt_check(err, "pthread_mutex_lock");
		update(r, w->delta);
		pt_check(pthread_mutex_unlock(&r->mutex), "pthread_mutex_unlock");
	}
}

static void body_spin(struct worker *w)
{
	struct lock_run *r = w->run;

	for (uint64_t i = 0; i < r->o->loops; i++) {
		int err = pthread_spin_trylock(&r->spin);

		if (err == EBUSY) {
			w->contended++;
			err = pthread_spin_lock(&r->spin);
		}
		pt_check(err, "pthread_spin_lock");
		update(r, w->delta);
		pt_check(pthread_spin_unlock(&r->spin), "pthread_spin_unlock");
	}
}

/*
 * Writers update under the write lock; every eighth round a thread also
 * reads the counter under the read lock, which readers may hold together,
 * and checks it is within what the updates can reach.
 */
static void body_rwlock(struct worker *w)
{
	struct lock_run *r = w->run;
	long bound = (long)(r->o->loops * r->o->threads);

	for (uint64_t i = 0; i < r->o->loops; i++) {
		int err = pthread_rwlock_trywrlock(&r->rwlock);

		if (err == EBUSY) {
			w->contended++;
			err = pthread_rwlock_wrlock(&r->rwlock);
		}
		pt_check(err, "pthread_rwlock_wrlock");
		update(r, w->delta);
		pt_check(pthread_rwlock_unlock(&r->rwlock), "pthread_rwlock_unlock");
		if (i % 8 == 7) {
			long v;

			pt_check(pthread_rwlock_rdlock(&r->rwlock),
				 "pthread_rwlock_rdlock");
			v = __atomic_load_n(&r->counter, __ATOMIC_RELAXED);
			pt_check(pthread_rwlock_unlock(&r->rwlock),
				 "pthread_rwlock_unlock");
			if (v > bound || v < -bound)
				die(_("rwlock: read %ld, beyond +-%ld"), v, bound);
		}
	}
}

/* One indivisible read-modify-write: no lock, nothing lost. */
static void body_atomic(struct worker *w)
{
	struct lock_run *r = w->run;

	for (uint64_t i = 0; i < r->o->loops; i++) {
		for (uint64_t k = 0; k < r->o->work; k++)
			cpu_relax();
		__atomic_fetch_add(&r->counter, w->delta, __ATOMIC_SEQ_CST);
	}
}

/* A POSIX semaphore of value 1 used as a lock. */
static void body_sem(struct worker *w)
{
	struct lock_run *r = w->run;

	for (uint64_t i = 0; i < r->o->loops; i++) {
		if (sem_trywait(&r->sem)) {
			if (errno != EAGAIN)
				die_errno("sem_trywait");
			w->contended++;
			while (sem_wait(&r->sem))
				if (errno != EINTR)
					die_errno("sem_wait");
		}
		update(r, w->delta);
		if (sem_post(&r->sem))
			die_errno("sem_post");
	}
}

/*
 * Producer/consumer over one slot guarded by the mutex: a producer (an
 * adder) waits until the slot is empty, fills it and adds one; a consumer
 * (a subtracter) waits until it is full, empties it and subtracts one.
 * The consumers between them take everything produced, so the counter
 * (the items in the slot) ends at 0 whatever the numbers of each.
 */
static void body_condvar(struct worker *w)
{
	struct lock_run *r = w->run;
	bool producer = w->delta > 0;

	for (uint64_t i = 0; producer ? i < r->o->loops : true; i++) {
		pt_check(pthread_mutex_lock(&r->mutex), "pthread_mutex_lock");
		while (producer ? r->full : !r->full && r->to_consume) {
			w->contended++;
			pt_check(pthread_cond_wait(producer ? &r->not_full :
							      &r->not_empty,
						   &r->mutex),
				 "pthread_cond_wait");
		}
		if (!producer && !r->to_consume) {
			pt_check(pthread_mutex_unlock(&r->mutex),
				 "pthread_mutex_unlock");
			break;
		}
		update(r, w->delta);
		r->full = producer;
		if (!producer && !--r->to_consume) {
			/* The last item: the other consumers stop waiting. */
			pt_check(pthread_cond_broadcast(&r->not_empty),
				 "pthread_cond_broadcast");
		}
		pt_check(pthread_cond_signal(producer ? &r->not_empty :
							&r->not_full),
			 "pthread_cond_signal");
		pt_check(pthread_mutex_unlock(&r->mutex), "pthread_mutex_unlock");
	}
}

/*
 * No lock: the barrier keeps the threads in step instead.  In each phase
 * the threads take turns, one updating its share while the others wait at
 * the barrier, so no two updates ever overlap.
 */
static void body_barrier(struct worker *w)
{
	struct lock_run *r = w->run;
	uint64_t loops = r->o->loops;
	uint64_t phases = loops < BARRIER_PHASES ? loops : BARRIER_PHASES;

	for (uint64_t p = 0; p < phases; p++) {
		for (unsigned int turn = 0; turn < r->o->threads; turn++) {
			int err;

			if (turn == (unsigned int)w->index) {
				uint64_t n = loops * (p + 1) / phases -
					     loops * p / phases;

				for (uint64_t i = 0; i < n; i++)
					update(r, w->delta);
			}
			w->contended++;
			err = pthread_barrier_wait(&r->barrier);
			if (err != PTHREAD_BARRIER_SERIAL_THREAD)
				pt_check(err, "pthread_barrier_wait");
		}
	}
}

static const struct variant variants[] = {
	{ "none", N_("no lock: read, work, write race"), body_none, true },
	{ "mutex", N_("pthread_mutex: waiters block"), body_mutex, true },
	/*
	 * --yield inside a spinlock would make a waiter on the same CPU spin
	 * away its whole time slice per update: not applied.
	 */
	{ "spinlock", N_("pthread_spin: waiters spin"), body_spin, false },
	{ "rwlock", N_("pthread_rwlock: write to update, read to check"),
	  body_rwlock, true },
	{ "atomic", N_("one atomic fetch-and-add per update, no lock"),
	  body_atomic, false },
	{ "sem", N_("a POSIX semaphore of 1 as the lock"), body_sem, true },
	{ "condvar", N_("producers and consumers of one slot, mutex + condvars"),
	  body_condvar, true },
	{ "barrier", N_("pthread_barrier phases: one thread updates at a time"),
	  body_barrier, true },
};

#define NR_VARIANTS ((int)(sizeof(variants) / sizeof(*variants)))

/* ---- threads ---- */

/*
 * Every thread waits here until all have started: without it the first
 * thread could finish before the last one exists, and nothing would ever
 * overlap.  A barrier, not a spin: on a shared CPU a thread that spun at
 * the gate would be so far ahead in CPU time that the scheduler would not
 * let it have the CPU back when the other yields.  The waits here are not
 * counted: only events from start_ns on are.
 */
static void start_gate(struct lock_run *r)
{
	int err = pthread_barrier_wait(&r->gate);

	if (err == PTHREAD_BARRIER_SERIAL_THREAD)
		r->start_ns = now_ns();	/* the last one in */
	else
		pt_check(err, "pthread_barrier_wait(gate)");
}

static const char *role_name(const struct lock_run *r, const struct worker *w)
{
	if (r->v->body == body_condvar)
		return w->delta > 0 ? "producer" : "consumer";
	return w->delta > 0 ? "adder" : "subtracter";
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct lock_run *r = w->run;

	char name[16];

	w->tid = gettid();
	/*
	 * Its comm, as the module and top show it; named by itself, since
	 * a quick thread may be gone before its creator could name it.
	 */
	snprintf(name, sizeof(name), "%s-%d", role_name(r, w), w->index);
	pt_check(pthread_setname_np(pthread_self(), name),
		 "pthread_setname_np");
	start_gate(r);
	r->v->body(w);
	w->end_ns = now_ns();
	return NULL;
}

static void start_workers(struct lock_run *r)
{
	pthread_attr_t attr;
	cpu_set_t set;

	pt_check(pthread_attr_init(&attr), "pthread_attr_init");
	if (r->o->one_cpu) {
		/* Pinned from birth: no update ever runs elsewhere. */
		CPU_ZERO(&set);
		CPU_SET(r->o->cpu, &set);
		pt_check(pthread_attr_setaffinity_np(&attr, sizeof(set), &set),
			 "pthread_attr_setaffinity_np");
	}
	for (unsigned int i = 0; i < r->o->threads; i++) {
		struct worker *w = &r->w[i];

		w->run = r;
		w->index = i;
		/* Even: adders, odd: subtracters; an odd count has one more adder. */
		w->delta = i % 2 ? -1 : 1;
		pt_check(pthread_create(&w->thread, &attr, worker_main, w),
			 "pthread_create");
	}
	pt_check(pthread_attr_destroy(&attr), "pthread_attr_destroy");
}

static void join_workers(struct lock_run *r)
{
	for (unsigned int i = 0; i < r->o->threads; i++) {
		pt_check(pthread_join(r->w[i].thread, NULL), "pthread_join");
		if (r->w[i].end_ns > r->end_ns)
			r->end_ns = r->w[i].end_ns;
	}
}

static void init_locks(struct lock_run *r)
{
	unsigned int adders = (r->o->threads + 1) / 2;

	pt_check(pthread_mutex_init(&r->mutex, NULL), "pthread_mutex_init");
	pt_check(pthread_spin_init(&r->spin, PTHREAD_PROCESS_PRIVATE),
		 "pthread_spin_init");
	pt_check(pthread_rwlock_init(&r->rwlock, NULL), "pthread_rwlock_init");
	if (sem_init(&r->sem, 0, 1))
		die_errno("sem_init");
	pt_check(pthread_cond_init(&r->not_full, NULL), "pthread_cond_init");
	pt_check(pthread_cond_init(&r->not_empty, NULL), "pthread_cond_init");
	pt_check(pthread_barrier_init(&r->barrier, NULL, r->o->threads),
		 "pthread_barrier_init");
	pt_check(pthread_barrier_init(&r->gate, NULL, r->o->threads),
		 "pthread_barrier_init");
	r->to_consume = adders * r->o->loops;
}

static void destroy_locks(struct lock_run *r)
{
	pt_check(pthread_mutex_destroy(&r->mutex), "pthread_mutex_destroy");
	pt_check(pthread_spin_destroy(&r->spin), "pthread_spin_destroy");
	pt_check(pthread_rwlock_destroy(&r->rwlock), "pthread_rwlock_destroy");
	if (sem_destroy(&r->sem))
		die_errno("sem_destroy");
	pt_check(pthread_cond_destroy(&r->not_full), "pthread_cond_destroy");
	pt_check(pthread_cond_destroy(&r->not_empty), "pthread_cond_destroy");
	pt_check(pthread_barrier_destroy(&r->barrier), "pthread_barrier_destroy");
	pt_check(pthread_barrier_destroy(&r->gate), "pthread_barrier_destroy");
}

/* What the counter must end at if no update is lost. */
static long expected(const struct lock_run *r)
{
	unsigned int adders = (r->o->threads + 1) / 2;
	unsigned int subtracters = r->o->threads - adders;

	if (r->v->body == body_condvar)
		return 0;	/* every item produced is consumed */
	return ((long)adders - (long)subtracters) * (long)r->o->loops;
}

/* ---- what the module saw ---- */

static struct worker *find_worker(struct lock_run *r, pid_t tid)
{
	for (unsigned int i = 0; i < r->o->threads; i++)
		if (r->w[i].tid == tid)
			return &r->w[i];
	return NULL;
}

static void count_site(struct lock_run *r, const char *site)
{
	for (int i = 0; i < r->nr_sites; i++) {
		if (!strncmp(r->site[i].name, site, TASKSTATE_SITE_LEN)) {
			r->site[i].n++;
			return;
		}
	}
	if (r->nr_sites == MAX_SITES) {
		r->other_sites++;
		return;
	}
	memcpy(r->site[r->nr_sites].name, site, TASKSTATE_SITE_LEN);
	r->site[r->nr_sites].name[TASKSTATE_SITE_LEN - 1] = '\0';
	r->site[r->nr_sites++].n = 1;
}

static void account(struct lock_run *r, const struct taskstate_event *ev)
{
	struct worker *w = find_worker(r, ev->pid);

	if (!w)
		return;		/* ipclab's main thread: not a worker */
	if (ev->to == TASKSTATE_EXIT)
		w->exited = true;
	/*
	 * A wakeup counts when its block did: the wakeup from the gate can
	 * be stamped just after the gate opened, its block was before.
	 */
	if (ev->transition == TASKSTATE_TR_WAKE && w->asleep) {
		w->asleep = false;
		w->wakeups++;
		w->blocked_ns += ev->prev_state_ns;
		return;
	}
	/* Only the updating counts: not the threads' start, gate and exit. */
	if (ev->ts_ns < r->start_ns || ev->ts_ns > r->end_ns)
		return;
	switch (ev->transition) {
	case TASKSTATE_TR_BLOCK:
		w->blocks++;
		w->asleep = true;
		count_site(r, *ev->wait_site ? ev->wait_site : "?");
		break;
	case TASKSTATE_TR_PREEMPT:
		if (ev->cause == TASKSTATE_CAUSE_YIELD)
			w->yields++;
		else
			w->preempted++;
		break;
	default:
		break;
	}
}

static bool all_exited(const struct lock_run *r)
{
	for (unsigned int i = 0; i < r->o->threads; i++)
		if (!r->w[i].exited)
			return false;
	return true;
}

/*
 * The session recorded while the threads ran; read it now, until every
 * worker's exit is in (our own reading makes events of ours forever).
 */
static void tally(struct lock_run *r, struct story *st)
{
	static struct taskstate_event ev[TS_STREAM_BATCH];
	uint64_t deadline = now_ns() + TRACE_DEADLINE_MS * 1000000ull;

	r->traced = true;
	while (!all_exited(r) && now_ns() < deadline) {
		ssize_t n = ts_stream_read(st->stream, ev, TS_STREAM_BATCH, 100);

		if (n < 0)
			die(_("reading %s: %s"), TS_DEV_PATH, strerror((int)-n));
		for (ssize_t i = 0; i < n; i++) {
			if (ev[i].kind == TASKSTATE_KIND_LOST)
				r->lost += ev[i].lost;
			else
				account(r, &ev[i]);
		}
	}
}

/* ---- report ---- */

struct totals {
	uint64_t contended, blocks, wakeups, preempted, yields, blocked_ns;
	uint64_t time_ns;
};

static void sum(const struct lock_run *r, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < r->o->threads; i++) {
		const struct worker *w = &r->w[i];

		t->contended += w->contended;
		t->blocks += w->blocks;
		t->wakeups += w->wakeups;
		t->preempted += w->preempted;
		t->yields += w->yields;
		t->blocked_ns += w->blocked_ns;
	}
	t->time_ns = r->end_ns - r->start_ns;
}

/* What the contended count counts, per variant: ", N what". */
static const char *contended_what(const struct lock_run *r)
{
	if (r->v->body == body_condvar)
		return _(", %" PRIu64 " condition waits");
	if (r->v->body == body_barrier)
		return _(", %" PRIu64 " barrier waits");
	return _(", %" PRIu64 " contended acquisitions");
}

static void report_text(const struct lock_run *r)
{
	long final = r->counter, want = expected(r);
	struct totals t;
	char site[4 * TASKSTATE_SITE_LEN];

	sum(r, &t);
	/* TRANSLATORS: %-9s is the variant's name (none, mutex, ...). */
	printf(_("%-9s final value %ld, expected %ld"), r->v->name, final, want);
	if (final == want)
		printf("%s", _(": correct"));
	else
		printf(_(", off by %ld%s"), final - want,
		       r->v->body == body_none ? _(": updates lost to the race") :
						 _(": WRONG"));
	printf(_(", %.3f ms"), t.time_ns / 1e6);
	if (r->v->body != body_none && r->v->body != body_atomic)
		printf(contended_what(r), t.contended);
	printf("\n");
	if (!r->traced)
		return;
	printf(_("          traced: blocked %" PRIu64 " times"), t.blocks);
	if (r->nr_sites) {
		printf(" (");
		for (int i = 0; i < r->nr_sites; i++) {
			ts_str_format_text(r->site[i].name, TASKSTATE_SITE_LEN,
					   site, sizeof(site));
			printf("%s%s %" PRIu64, i ? ", " : "", site,
			       r->site[i].n);
		}
		if (r->other_sites)
			printf(_(", other %" PRIu64), r->other_sites);
		printf(")");
	}
	printf(_(" for %.3f ms, woken %" PRIu64 ", preempted %" PRIu64
		 ", yielded %" PRIu64 "\n"),
	       t.blocked_ns / 1e6, t.wakeups, t.preempted, t.yields);
	/* Two counts of waiting that look contradictory side by side. */
	if (t.blocks > t.contended && r->v->body != body_none &&
	    r->v->body != body_atomic && r->v->body != body_condvar &&
	    r->v->body != body_barrier)
		printf("%s", _("          (contended: lock calls that found it taken, once each; blocked: every sleep in the kernel.  One acquisition can sleep many times: woken by the unlock, it may lose the lock again to a thread that is running.)\n"));
	/* The story's message, indented under the variant's line. */
	if (r->lost) {
		printf("        ");
		printf(_("  (%" PRIu64 " events lost: the counts are short)\n"),
		       r->lost);
	}
}

static void report_json(const struct lock_run *r)
{
	long final = r->counter, want = expected(r);
	char site[4 * TASKSTATE_SITE_LEN];
	struct totals t;

	sum(r, &t);
	printf("{\"command\": \"lock\", \"variant\": \"%s\", \"threads\": %u"
	       ", \"loops\": %" PRIu64 ", \"work\": %" PRIu64
	       ", \"yield\": %s, \"one_cpu\": %s, \"final\": %ld"
	       ", \"expected\": %ld, \"off_by\": %ld, \"correct\": %s"
	       ", \"time_ns\": %" PRIu64 ", \"contended\": %" PRIu64
	       ", \"traced\": %s",
	       r->v->name, r->o->threads, r->o->loops, r->o->work,
	       r->o->yield && r->v->yields ? "true" : "false",
	       r->o->one_cpu ? "true" : "false", final, want, final - want,
	       final == want ? "true" : "false", t.time_ns, t.contended,
	       r->traced ? "true" : "false");
	if (r->traced) {
		printf(", \"lost\": %" PRIu64 ", \"blocks\": %" PRIu64
		       ", \"wakeups\": %" PRIu64 ", \"preempted\": %" PRIu64
		       ", \"yields\": %" PRIu64 ", \"blocked_ns\": %" PRIu64
		       ", \"wait_sites\": {",
		       r->lost, t.blocks, t.wakeups, t.preempted, t.yields,
		       t.blocked_ns);
		for (int i = 0; i < r->nr_sites; i++) {
			ts_str_format_json(r->site[i].name, TASKSTATE_SITE_LEN,
					   site, sizeof(site));
			printf("%s%s: %" PRIu64, i ? ", " : "", site,
			       r->site[i].n);
		}
		if (r->other_sites)
			printf("%s\"other\": %" PRIu64, r->nr_sites ? ", " : "",
			       r->other_sites);
		printf("}");
	}
	printf(", \"participants\": [");
	for (unsigned int i = 0; i < r->o->threads; i++) {
		const struct worker *w = &r->w[i];

		printf("%s{\"role\": \"%s\", \"tid\": %d, \"contended\": %" PRIu64,
		       i ? ", " : "", role_name(r, w), w->tid, w->contended);
		if (r->traced)
			printf(", \"blocks\": %" PRIu64 ", \"wakeups\": %" PRIu64
			       ", \"preempted\": %" PRIu64 ", \"blocked_ns\": %" PRIu64,
			       w->blocks, w->wakeups, w->preempted, w->blocked_ns);
		printf("}");
	}
	printf("]}\n");
}

/*
 * One variant from start to end, in a session of its own so its counts
 * are its own.  False if a variant that should be exact was not.
 */
static bool run_variant(const struct lock_opts *o, int v, bool *tracing)
{
	struct lock_run *r = calloc(1, sizeof(*r));
	struct story st;
	bool ok;

	if (!r)
		die_errno("calloc");
	r->o = o;
	r->v = &variants[v];
	init_locks(r);
	if (*tracing) {
		story_open(&st, o->json, true);
		/* Said once (by story_open), not once per variant. */
		*tracing = st.stream != NULL;
	} else {
		memset(&st, 0, sizeof(st));
	}
	start_workers(r);
	join_workers(r);
	if (st.stream)
		tally(r, &st);
	story_close(&st);
	destroy_locks(r);
	if (o->json)
		report_json(r);
	else
		report_text(r);
	ok = r->v->body == body_none || r->counter == expected(r);
	if (!ok)
		fprintf(stderr, _("ipclab: lock: %s: final value %ld, expected %ld\n"),
			r->v->name, r->counter, expected(r));
	free(r);
	return ok;
}

/* ---- options ---- */

static void usage(FILE *out)
{
	fprintf(out,
		_("usage: ipclab lock [--threads N] [--loops N] [--variant NAME] [--work N]\n"
		"                   [--yield] [--one-cpu] [--json]\n\n"
		"Threads add to and subtract from one shared counter: half of them\n"
		"(rounded up) add 1, the others subtract 1, --loops times each.  Each\n"
		"update reads the counter, works a little and writes it back.  With\n"
		"no lock updates are lost and the total comes out wrong; each lock\n"
		"makes it exact, at a cost.  For each variant: the final value, the\n"
		"time, and with the taskstate module loaded how often the threads\n"
		"blocked and in which kernel function, were woken or preempted.\n\n"
		"Variants (default: all, one after another):\n"));
	for (int i = 0; i < NR_VARIANTS; i++)
		fprintf(out, "  %-10s %s\n", variants[i].name, _(variants[i].what));
	fprintf(out,
		_("\n"
		"  -t, --threads N    threads (2..%d, default 2)\n"
		"  -n, --loops N      updates per thread (1..%d, default 10000)\n"
		"  -v, --variant NAME one variant only\n"
		"      --work N       pause instructions between reading and writing\n"
		"                     the counter (0..%d, default 50): widens the race\n"
		"      --yield        sched_yield() inside each update (not with\n"
		"                     spinlock, atomic): a thread is switched out\n"
		"                     half-way, so the race shows even on one CPU and\n"
		"                     a mutex is always contended\n"
		"      --one-cpu      run every thread on one CPU\n"
		"      --json         one JSON object per variant\n"
		"  -h, --help         this help\n\n"
		"Exit status: 0 when every locked variant ends exact (none is\n"
		"expected to be off), 1 when one does not or on a failure, 2 on bad\n"
		"usage.\n"),
		LOCK_MAX_THREADS, LOCK_MAX_LOOPS, LOCK_MAX_WORK);
}

static void parse_opts(int argc, char **argv, struct lock_opts *o)
{
	enum { OPT_WORK = 256, OPT_YIELD, OPT_ONE_CPU, OPT_JSON };
	static const struct option opts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "loops", required_argument, NULL, 'n' },
		{ "variant", required_argument, NULL, 'v' },
		{ "work", required_argument, NULL, OPT_WORK },
		{ "yield", no_argument, NULL, OPT_YIELD },
		{ "one-cpu", no_argument, NULL, OPT_ONE_CPU },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	uint64_t n;
	int opt;

	*o = (struct lock_opts){ .threads = 2, .loops = 10000, .work = 50,
				 .variant = -1 };
	opterr = 0;	/* our own one-line message instead of getopt's */
	while ((opt = getopt_long(argc, argv, "+t:n:v:h", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (!parse_u64(optarg, 2, LOCK_MAX_THREADS, &n))
				usage_error(_("lock: --threads must be 2..%d, not '%s'"),
					    LOCK_MAX_THREADS, optarg);
			o->threads = n;
			break;
		case 'n':
			if (!parse_u64(optarg, 1, LOCK_MAX_LOOPS, &o->loops))
				usage_error(_("lock: --loops must be 1..%d, not '%s'"),
					    LOCK_MAX_LOOPS, optarg);
			break;
		case 'v':
			o->variant = -1;
			for (int i = 0; i < NR_VARIANTS; i++)
				if (!strcmp(optarg, variants[i].name))
					o->variant = i;
			if (o->variant < 0)
				usage_error(_("lock: unknown variant '%s'; try 'ipclab lock --help'"),
					    optarg);
			break;
		case OPT_WORK:
			if (!parse_u64(optarg, 0, LOCK_MAX_WORK, &o->work))
				usage_error(_("lock: --work must be 0..%d, not '%s'"),
					    LOCK_MAX_WORK, optarg);
			break;
		case OPT_YIELD:
			o->yield = true;
			break;
		case OPT_ONE_CPU:
			o->one_cpu = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			lab_bad_option("lock", argv);
		}
	}
	lab_no_operands("lock", argc, argv);
}

/*
 * Nothing to remove on Ctrl-C: the threads and every lock (process-private,
 * the semaphore unnamed) go with the process, the session with its fd.
 */
int ipclab_lock(int argc, char **argv)
{
	struct lock_opts o;
	bool tracing = true, ok = true;

	parse_opts(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.one_cpu) {
		o.cpu = sched_getcpu();
		if (o.cpu < 0)
			die_errno("sched_getcpu");
	}
	if (!o.json) {
		unsigned int adders = (o.threads + 1) / 2;

		printf(_("lock: %u threads (%u adding, %u subtracting), %" PRIu64
			 " updates each, work %" PRIu64 "%s%s\n"),
		       o.threads, adders, o.threads - adders, o.loops, o.work,
		       o.yield ? _(", yielding inside each update") : "",
		       o.one_cpu ? _(", all on one CPU") : "");
	}
	for (int v = 0; v < NR_VARIANTS; v++)
		if (o.variant < 0 || o.variant == v)
			ok &= run_variant(&o, v, &tracing);
	return ok ? 0 : 1;
}
