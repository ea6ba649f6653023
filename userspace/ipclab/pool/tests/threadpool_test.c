// SPDX-License-Identifier: GPL-2.0
/*
 * The thread pool on the host: every task runs exactly once, wait-all
 * really waits, shutdown drains or cancels and says what it cancelled,
 * teardown is safe with submitters still running, the bounded queue
 * blocks or refuses, pools are independent, idle workers sleep, and bad
 * arguments are refused.  Also built with -fsanitize=thread (make tsan).
 *
 * Times appear only as generous "returns promptly" bounds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../threadpool.h"
#include "wait_for.h"

/* ---- tasks ------------------------------------------------------------- */

static int64_t bump(void *arg)
{
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_RELAXED);
	return 0;
}

static int64_t square(void *arg)
{
	int64_t v = (intptr_t)arg;

	return v * v;
}

static int64_t slow_bump(void *arg)
{
	sleep_ms(1);
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_RELAXED);
	return 0;
}

/* A task that holds its worker until the gate opens. */
struct gate {
	int open;
	int entered;
};

static int64_t wait_gate(void *arg)
{
	struct gate *g = arg;

	__atomic_add_fetch(&g->entered, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&g->open, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	return 7;
}

static void open_gate(struct gate *g)
{
	__atomic_store_n(&g->open, 1, __ATOMIC_RELEASE);
}

static int entered(struct gate *g)
{
	return __atomic_load_n(&g->entered, __ATOMIC_ACQUIRE);
}

static struct tp_stats stats(struct tp_pool *pool)
{
	struct tp_stats st;

	memset(&st, 0, sizeof(st));
	tp_stats(pool, &st);
	return st;
}

/* ---- tests ------------------------------------------------------------- */

TEST(bad_arguments)
{
	struct tp_pool *pool = (void *)1;
	struct tp_stats st;
	pid_t tid;
	int x = 0;

	EXPECT_EQ(-EINVAL, tp_create(NULL, 2, 0));
	EXPECT_EQ(-EINVAL, tp_create(&pool, 0, 0));
	EXPECT_EQ(-EINVAL, tp_create(&pool, 100000, 0));
	EXPECT_EQ((void *)1, pool);	/* untouched on failure */

	ASSERT_EQ(0, tp_create(&pool, 1, 0));
	EXPECT_EQ(-EINVAL, tp_submit(NULL, bump, &x, 0, NULL));
	EXPECT_EQ(-EINVAL, tp_submit(pool, NULL, &x, 0, NULL));
	EXPECT_EQ(-EINVAL, tp_submit(pool, bump, &x, 0x80, NULL));
	EXPECT_EQ(-EINVAL, tp_task_wait(NULL, NULL));
	EXPECT_EQ(-EINVAL, tp_task_status(NULL));
	EXPECT_EQ(-EINVAL, tp_wait_all(NULL));
	EXPECT_EQ(-EINVAL, tp_shutdown(NULL, TP_SHUTDOWN_DRAIN, NULL, NULL));
	EXPECT_EQ(-EINVAL, tp_shutdown(pool, 42, NULL, NULL));
	EXPECT_EQ(-EINVAL, tp_stats(NULL, &st));
	EXPECT_EQ(-EINVAL, tp_stats(pool, NULL));
	EXPECT_EQ(-EINVAL, tp_worker_tids(NULL, &tid, 1));
	EXPECT_EQ(-EINVAL, tp_worker_tids(pool, NULL, 1));
	tp_task_release(NULL);
	tp_destroy(NULL);
	/* None of that queued anything. */
	EXPECT_EQ(0, stats(pool).submitted);
	tp_destroy(pool);
	EXPECT_EQ(0, x);
}

TEST(hundred_thousand_tasks_run_exactly_once)
{
	enum { N = 100000 };
	struct tp_pool *pool;
	int *ran = calloc(N, sizeof(*ran));
	struct tp_stats st;

	ASSERT_NE(NULL, ran);
	ASSERT_EQ(0, tp_create(&pool, 4, 0));
	for (int i = 0; i < N; i++)
		ASSERT_EQ(0, tp_submit(pool, bump, &ran[i], 0, NULL));
	ASSERT_EQ(0, tp_wait_all(pool));
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(1, __atomic_load_n(&ran[i], __ATOMIC_RELAXED))
			TH_LOG("task %d ran %d times", i, ran[i]);
	}
	st = stats(pool);
	EXPECT_EQ(N, st.submitted);
	EXPECT_EQ(N, st.completed);
	EXPECT_EQ(0, st.queued);
	EXPECT_EQ(0, st.running);
	tp_destroy(pool);
	free(ran);
}

/*
 * Fire-and-forget tasks in memory that held garbage: nothing of a task
 * may be used that submit did not set up (a condition variable destroyed
 * uninitialised waits forever on the garbage).
 */
TEST(fire_and_forget_tasks_on_dirty_memory)
{
	enum { SIZES = 40, PER_SIZE = 64, N = 5000 };
	void *junk[SIZES][PER_SIZE];
	struct tp_pool *pool;
	int ran = 0;

	ASSERT_EQ(0, tp_create(&pool, 2, 0));
	for (int round = 0; round < 3; round++) {
		for (int s = 0; s < SIZES; s++)
			for (int i = 0; i < PER_SIZE; i++) {
				junk[s][i] = malloc(32 + 8 * s);
				ASSERT_NE(NULL, junk[s][i]);
				memset(junk[s][i], 0xa5, 32 + 8 * s);
			}
		for (int s = 0; s < SIZES; s++)
			for (int i = 0; i < PER_SIZE; i++)
				free(junk[s][i]);
		for (int i = 0; i < N; i++)
			ASSERT_EQ(0, tp_submit(pool, bump, &ran, 0, NULL));
		ASSERT_EQ(0, tp_wait_all(pool));
	}
	EXPECT_EQ(3 * N, ran);
	tp_destroy(pool);
}

TEST(results_come_back_through_handles)
{
	enum { N = 2000 };
	struct tp_task **t = calloc(N, sizeof(*t));
	struct tp_pool *pool;
	int64_t r;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, tp_create(&pool, 3, 0));
	for (int i = 0; i < N; i++)
		ASSERT_EQ(0, tp_submit(pool, square, (void *)(intptr_t)i, 0, &t[i]));
	/* Waited for in reverse, so most are done before their wait. */
	for (int i = N - 1; i >= 0; i--) {
		r = -1;
		ASSERT_EQ(0, tp_task_wait(t[i], &r));
		ASSERT_EQ((int64_t)i * i, r);
		ASSERT_EQ(TP_DONE, tp_task_status(t[i]));
		/* Waiting twice gives the same answer. */
		ASSERT_EQ(0, tp_task_wait(t[i], &r));
		ASSERT_EQ((int64_t)i * i, r);
		tp_task_release(t[i]);
	}
	tp_destroy(pool);
	free(t);
}

TEST(wait_all_returns_only_when_all_are_done)
{
	enum { N = 300 };
	struct tp_pool *pool;
	int done = 0;

	ASSERT_EQ(0, tp_create(&pool, 4, 0));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++)
			ASSERT_EQ(0, tp_submit(pool, slow_bump, &done, 0, NULL));
		ASSERT_EQ(0, tp_wait_all(pool));
		ASSERT_EQ(N * (round + 1), __atomic_load_n(&done, __ATOMIC_RELAXED));
		ASSERT_EQ(0, stats(pool).running);
	}
	/* An empty pool does not make it wait. */
	ASSERT_EQ(0, tp_wait_all(pool));
	tp_destroy(pool);
}

static void count_cancel(tp_fn fn, void *arg, void *data)
{
	int *n = data;

	(void)fn;
	(void)arg;
	(*n)++;
}

/* The first cancellation lets the gated workers go, so shutdown ends. */
struct cancel_ctx {
	struct gate *gate;
	int n;
};

static void cancel_and_open(tp_fn fn, void *arg, void *data)
{
	struct cancel_ctx *c = data;

	(void)fn;
	(void)arg;
	c->n++;
	open_gate(c->gate);
}

TEST(immediate_shutdown_cancels_every_queued_task)
{
	enum { N = 10000, W = 2 };
	struct tp_task **t = calloc(N, sizeof(*t));
	struct gate g = { 0, 0 };
	struct cancel_ctx ctx = { &g, 0 };
	struct tp_task *gt[W];
	struct tp_pool *pool;
	int ran = 0, cancelled = 0;
	double start;
	int64_t r;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, tp_create(&pool, W, 0));
	for (int i = 0; i < W; i++)
		ASSERT_EQ(0, tp_submit(pool, wait_gate, &g, 0, &gt[i]));
	ASSERT_TRUE(WAIT_FOR(entered(&g) == W));
	for (int i = 0; i < N; i++)
		ASSERT_EQ(0, tp_submit(pool, bump, &ran, 0, &t[i]));

	start = now_s();
	ASSERT_EQ(N, tp_shutdown(pool, TP_SHUTDOWN_CANCEL, cancel_and_open, &ctx));
	EXPECT_LT(now_s() - start, 5.0);
	EXPECT_EQ(N, ctx.n);
	EXPECT_EQ(0, ran);
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(TP_CANCELLED, tp_task_status(t[i]));
		ASSERT_EQ(-ECANCELED, tp_task_wait(t[i], &r));
		tp_task_release(t[i]);
	}
	/* The running ones were let finish. */
	for (int i = 0; i < W; i++) {
		ASSERT_EQ(0, tp_task_wait(gt[i], &r));
		EXPECT_EQ(7, r);
		tp_task_release(gt[i]);
	}
	EXPECT_EQ(N, stats(pool).cancelled);
	/* Shut down means shut down. */
	EXPECT_EQ(-ESHUTDOWN, tp_submit(pool, bump, &ran, 0, NULL));
	EXPECT_EQ(0, tp_shutdown(pool, TP_SHUTDOWN_CANCEL, count_cancel, &cancelled));
	EXPECT_EQ(0, cancelled);
	tp_destroy(pool);
	free(t);
}

TEST(immediate_shutdown_under_load_accounts_for_every_task)
{
	enum { N = 10000 };
	struct tp_pool *pool;
	int ran = 0, reported = 0, ret;
	struct tp_stats st;
	double start;

	ASSERT_EQ(0, tp_create(&pool, 2, 0));
	for (int i = 0; i < N; i++)
		ASSERT_EQ(0, tp_submit(pool, bump, &ran, 0, NULL));
	start = now_s();
	ret = tp_shutdown(pool, TP_SHUTDOWN_CANCEL, count_cancel, &reported);
	EXPECT_LT(now_s() - start, 5.0);
	ASSERT_LE(0, ret);
	EXPECT_EQ(ret, reported);
	EXPECT_EQ(N, ran + ret);
	st = stats(pool);
	EXPECT_EQ((uint64_t)ran, st.completed);
	EXPECT_EQ((uint64_t)ret, st.cancelled);
	tp_destroy(pool);
}

TEST(drain_shutdown_runs_everything_queued)
{
	enum { N = 5000 };
	struct tp_pool *pool;
	int ran = 0;

	ASSERT_EQ(0, tp_create(&pool, 3, 0));
	for (int i = 0; i < N; i++)
		ASSERT_EQ(0, tp_submit(pool, bump, &ran, 0, NULL));
	ASSERT_EQ(0, tp_shutdown(pool, TP_SHUTDOWN_DRAIN, NULL, NULL));
	EXPECT_EQ(N, ran);
	EXPECT_EQ(-ESHUTDOWN, tp_submit(pool, bump, &ran, 0, NULL));
	tp_destroy(pool);
}

struct submitter {
	pthread_t thread;
	struct tp_pool *pool;
	unsigned int flags;
	int ret;		/* the error that stopped it */
	long accepted;
	int ran;
};

static void *submit_until_refused(void *data)
{
	struct submitter *s = data;

	while ((s->ret = tp_submit(s->pool, bump, &s->ran, s->flags, NULL)) == 0 ||
	       s->ret == -EAGAIN)
		if (s->ret == 0)
			s->accepted++;
	return NULL;
}

TEST(shutdown_while_threads_submit)
{
	enum { S = 4 };
	struct submitter s[S];
	struct tp_pool *pool;
	long accepted = 0, ran = 0;
	struct tp_stats st;
	int cancelled;

	ASSERT_EQ(0, tp_create(&pool, 2, 64));
	for (int i = 0; i < S; i++) {
		s[i] = (struct submitter){ .pool = pool, .flags = i % 2 ? TP_NONBLOCK : 0 };
		ASSERT_EQ(0, pthread_create(&s[i].thread, NULL, submit_until_refused, &s[i]));
	}
	sleep_ms(100);
	cancelled = tp_shutdown(pool, TP_SHUTDOWN_CANCEL, NULL, NULL);
	ASSERT_LE(0, cancelled);
	for (int i = 0; i < S; i++) {
		ASSERT_EQ(0, pthread_join(s[i].thread, NULL));
		EXPECT_EQ(-ESHUTDOWN, s[i].ret);
		accepted += s[i].accepted;
		ran += s[i].ran;
	}
	st = stats(pool);
	EXPECT_EQ((uint64_t)accepted, st.submitted);
	EXPECT_EQ((uint64_t)accepted, (uint64_t)ran + cancelled);
	EXPECT_EQ(st.completed + st.cancelled, st.submitted);
	tp_destroy(pool);
}

struct helper {
	pthread_t thread;
	struct gate *gate;
	unsigned int ms;
};

static void *open_later(void *data)
{
	struct helper *h = data;

	sleep_ms(h->ms);
	open_gate(h->gate);
	return NULL;
}

TEST(destroy_with_submitters_blocked_and_work_in_flight)
{
	enum { S = 3, W = 2, Q = 4 };
	struct gate g = { 0, 0 };
	struct helper h = { .gate = &g, .ms = 200 };
	struct submitter s[S];
	struct tp_pool *pool;
	int ran = 0;

	ASSERT_EQ(0, tp_create(&pool, W, Q));
	for (int i = 0; i < W; i++)
		ASSERT_EQ(0, tp_submit(pool, wait_gate, &g, 0, NULL));
	ASSERT_TRUE(WAIT_FOR(entered(&g) == W));
	for (int i = 0; i < Q; i++)
		ASSERT_EQ(0, tp_submit(pool, bump, &ran, TP_NONBLOCK, NULL));
	for (int i = 0; i < S; i++) {
		s[i] = (struct submitter){ .pool = pool };
		ASSERT_EQ(0, pthread_create(&s[i].thread, NULL, submit_until_refused, &s[i]));
	}
	/* All three are inside tp_submit(), asleep on the full queue. */
	ASSERT_TRUE(WAIT_FOR(stats(pool).blocked_submitters == S));
	ASSERT_EQ(0, pthread_create(&h.thread, NULL, open_later, &h));
	tp_destroy(pool);
	for (int i = 0; i < S; i++) {
		ASSERT_EQ(0, pthread_join(s[i].thread, NULL));
		EXPECT_EQ(-ESHUTDOWN, s[i].ret);
		EXPECT_EQ(0, s[i].accepted);
	}
	ASSERT_EQ(0, pthread_join(h.thread, NULL));
	/* Destroy cancelled the queued ones; the gated ones finished. */
	EXPECT_EQ(0, ran);
	EXPECT_EQ(W, entered(&g));
}

struct blocking_submit {
	pthread_t thread;
	struct tp_pool *pool;
	int ran;
	int ret;
	int returned;
};

static void *submit_once(void *data)
{
	struct blocking_submit *b = data;

	b->ret = tp_submit(b->pool, bump, &b->ran, 0, NULL);
	__atomic_store_n(&b->returned, 1, __ATOMIC_RELEASE);
	return NULL;
}

TEST(bounded_queue_refuses_or_blocks)
{
	struct gate g = { 0, 0 };
	struct blocking_submit b = { .ran = 0 };
	struct tp_pool *pool;
	struct tp_task *gt;
	int ran = 0;

	ASSERT_EQ(0, tp_create(&pool, 1, 2));
	ASSERT_EQ(0, tp_submit(pool, wait_gate, &g, 0, &gt));
	ASSERT_TRUE(WAIT_FOR(tp_task_status(gt) == TP_RUNNING));
	ASSERT_EQ(0, tp_submit(pool, bump, &ran, TP_NONBLOCK, NULL));
	ASSERT_EQ(0, tp_submit(pool, bump, &ran, TP_NONBLOCK, NULL));
	EXPECT_EQ(-EAGAIN, tp_submit(pool, bump, &ran, TP_NONBLOCK, NULL));
	EXPECT_EQ(2, stats(pool).queued);

	b.pool = pool;
	ASSERT_EQ(0, pthread_create(&b.thread, NULL, submit_once, &b));
	ASSERT_TRUE(WAIT_FOR(stats(pool).blocked_submitters == 1));
	/* Still blocked: nothing has made room. */
	sleep_ms(50);
	EXPECT_EQ(0, __atomic_load_n(&b.returned, __ATOMIC_ACQUIRE));
	open_gate(&g);
	ASSERT_EQ(0, pthread_join(b.thread, NULL));
	EXPECT_EQ(0, b.ret);
	ASSERT_EQ(0, tp_wait_all(pool));
	EXPECT_EQ(2, ran);
	EXPECT_EQ(1, b.ran);
	tp_task_release(gt);
	tp_destroy(pool);
}

TEST(two_pools_do_not_interfere)
{
	enum { N = 1000 };
	struct gate g = { 0, 0 };
	struct tp_pool *a, *b;
	pid_t ta[2], tb[2];
	int ran_a = 0, ran_b = 0;
	struct tp_stats st;

	ASSERT_EQ(0, tp_create(&a, 2, 1));
	ASSERT_EQ(0, tp_create(&b, 2, 0));
	ASSERT_EQ(2, tp_worker_tids(a, ta, 2));
	ASSERT_EQ(2, tp_worker_tids(b, tb, 2));
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			EXPECT_NE(ta[i], tb[j]);

	/* A is stuck: workers gated, queue full. */
	ASSERT_EQ(0, tp_submit(a, wait_gate, &g, 0, NULL));
	ASSERT_EQ(0, tp_submit(a, wait_gate, &g, 0, NULL));
	ASSERT_TRUE(WAIT_FOR(entered(&g) == 2));
	ASSERT_EQ(0, tp_submit(a, bump, &ran_a, 0, NULL));
	EXPECT_EQ(-EAGAIN, tp_submit(a, bump, &ran_a, TP_NONBLOCK, NULL));

	/* B does not care. */
	for (int i = 0; i < N; i++)
		ASSERT_EQ(0, tp_submit(b, bump, &ran_b, 0, NULL));
	ASSERT_EQ(0, tp_wait_all(b));
	EXPECT_EQ(N, ran_b);
	EXPECT_EQ(0, tp_shutdown(b, TP_SHUTDOWN_CANCEL, NULL, NULL));
	tp_destroy(b);

	/* A's counters saw none of it, and A still works after B is gone. */
	st = stats(a);
	EXPECT_EQ(3, st.submitted);
	EXPECT_EQ(0, st.shut_down);
	open_gate(&g);
	ASSERT_EQ(0, tp_wait_all(a));
	EXPECT_EQ(1, ran_a);
	tp_destroy(a);
}

/* A task that calls back into its own pool. */
struct reentry {
	struct tp_pool *pool;
	int wait_all_ret, shutdown_ret;
};

static int64_t call_pool_from_worker(void *arg)
{
	struct reentry *re = arg;

	re->wait_all_ret = tp_wait_all(re->pool);
	re->shutdown_ret = tp_shutdown(re->pool, TP_SHUTDOWN_CANCEL, NULL, NULL);
	return 0;
}

TEST(waiting_from_a_worker_is_refused_not_deadlocked)
{
	struct reentry re = { 0 };
	struct tp_task *t;

	ASSERT_EQ(0, tp_create(&re.pool, 1, 0));
	ASSERT_EQ(0, tp_submit(re.pool, call_pool_from_worker, &re, 0, &t));
	ASSERT_EQ(0, tp_task_wait(t, NULL));
	EXPECT_EQ(-EDEADLK, re.wait_all_ret);
	EXPECT_EQ(-EDEADLK, re.shutdown_ret);
	EXPECT_EQ(0, stats(re.pool).shut_down);
	tp_task_release(t);
	tp_destroy(re.pool);
}

TEST(handles_outlive_the_pool)
{
	struct gate g = { 0, 0 };
	struct helper h = { .gate = &g, .ms = 50 };
	struct tp_task *t, *q;
	struct tp_pool *pool;
	int64_t r = 0;
	int ran = 0;

	ASSERT_EQ(0, tp_create(&pool, 1, 0));
	ASSERT_EQ(0, tp_submit(pool, wait_gate, &g, 0, &t));
	ASSERT_EQ(0, tp_submit(pool, bump, &ran, 0, &q));
	ASSERT_TRUE(WAIT_FOR(entered(&g) == 1));
	ASSERT_EQ(0, pthread_create(&h.thread, NULL, open_later, &h));
	tp_destroy(pool);
	ASSERT_EQ(0, pthread_join(h.thread, NULL));
	EXPECT_EQ(0, tp_task_wait(t, &r));
	EXPECT_EQ(7, r);
	EXPECT_EQ(-ECANCELED, tp_task_wait(q, &r));
	EXPECT_EQ(0, ran);
	tp_task_release(q);
	tp_task_release(t);
}

/* The state letter of thread @tid of this process, from /proc. */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

TEST(idle_workers_sleep)
{
	enum { W = 4 };
	struct tp_pool *pool;
	pid_t tids[W];
	int ran = 0;

	ASSERT_EQ(0, tp_create(&pool, W, 0));
	ASSERT_EQ(W, tp_worker_tids(pool, tids, W));
	for (int round = 0; round < 2; round++) {
		ASSERT_TRUE(WAIT_FOR(stats(pool).idle == W));
		/* Asleep in the kernel (futex wait), not spinning: state S. */
		for (int i = 0; i < W; i++) {
			ASSERT_NE(0, tids[i]);
			EXPECT_TRUE(WAIT_FOR(thread_state(tids[i]) == 'S'))
				TH_LOG("worker %d is in state %c", tids[i],
				       thread_state(tids[i]));
		}
		/* And they wake for work, then sleep again. */
		for (int i = 0; i < 100; i++)
			ASSERT_EQ(0, tp_submit(pool, bump, &ran, 0, NULL));
		ASSERT_EQ(0, tp_wait_all(pool));
	}
	EXPECT_EQ(200, ran);
	tp_destroy(pool);
}

TEST_HARNESS_MAIN
