// SPDX-License-Identifier: GPL-2.0
/*
 * The process pool on the host: results come back right, every task runs
 * exactly once, a crashing task is reported with its signal and its
 * worker replaced, no worker outlives the pool (destroy, shutdown, or the
 * pool's process dying without either), cancellation accounts for every
 * task, teardown is safe under submitters, the bounded queue blocks or
 * refuses, pools are independent, bad arguments are refused, and a dead
 * worker never costs the caller a SIGPIPE.
 *
 * Workers are forks of this process: what they must share with the test
 * (flags, gates) lives in a MAP_SHARED mapping made before the pool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../procpool.h"
#include "wait_for.h"

/* Memory the test and its workers both see. */
struct shared {
	int gate;		/* 1: gated tasks may return */
	int entered;		/* gated tasks that have started */
	pid_t crash_pid;	/* the worker that ran the crashing task */
	int ran[];		/* per-task run counts */
};

static struct shared *shared_map(size_t ntasks)
{
	size_t len = sizeof(struct shared) + ntasks * sizeof(int);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* The arguments of a task: where the shared memory is, and which task. */
struct targ {
	struct shared *sh;
	int i;
	int64_t a, b;
};

static int64_t mark(const void *arg, size_t len)
{
	const struct targ *t = arg;

	if (len != sizeof(*t))
		return -1;
	__atomic_add_fetch(&t->sh->ran[t->i], 1, __ATOMIC_RELAXED);
	return t->i;
}

static int64_t multiply(const void *arg, size_t len)
{
	const struct targ *t = arg;

	return t->a * t->b + (int64_t)len;
}

static int64_t whoami(const void *arg, size_t len)
{
	(void)arg;
	(void)len;
	return getpid();
}

/* A real SIGSEGV under make asan too: UBSan would report the store first. */
__attribute__((no_sanitize_undefined))
static int64_t segfault(const void *arg, size_t len)
{
	const struct targ *t = arg;
	/* volatile: the compiler may neither see nor drop the bad store. */
	volatile int *volatile nowhere = NULL;

	(void)len;
	__atomic_store_n(&t->sh->crash_pid, getpid(), __ATOMIC_SEQ_CST);
	*nowhere = 1;
	return 0;
}

static int64_t aborts(const void *arg, size_t len)
{
	(void)arg;
	(void)len;
	abort();
}

static int64_t exits(const void *arg, size_t len)
{
	(void)arg;
	(void)len;
	_exit(7);
}

static int64_t gated(const void *arg, size_t len)
{
	const struct targ *t = arg;

	(void)len;
	__atomic_add_fetch(&t->sh->entered, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&t->sh->gate, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	return 7;
}

static int64_t hangs(const void *arg, size_t len)
{
	const struct targ *t = arg;

	(void)len;
	__atomic_add_fetch(&t->sh->entered, 1, __ATOMIC_ACQ_REL);
	for (;;)
		pause();
	return 0;
}

static struct pp_stats stats(struct pp_pool *pool)
{
	struct pp_stats st;

	memset(&st, 0, sizeof(st));
	pp_stats(pool, &st);
	return st;
}

static int entered(struct shared *sh)
{
	return __atomic_load_n(&sh->entered, __ATOMIC_ACQUIRE);
}

/* Gone for good: not running, not a zombie, not our child any more. */
static bool gone(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	/* Reparented to init and not reaped yet: a zombie is dead too. */
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

FIXTURE(pp) {
	struct shared *sh;
};

#define NTASKS 100000

FIXTURE_SETUP(pp)
{
	struct rlimit no_core = { 0, 0 };

	/* Crashing tasks on purpose: no core files, no time spent dumping. */
	ASSERT_EQ(0, setrlimit(RLIMIT_CORE, &no_core));
	self->sh = shared_map(NTASKS);
	ASSERT_NE(NULL, self->sh);
}

FIXTURE_TEARDOWN(pp)
{
	munmap(self->sh, sizeof(struct shared) + NTASKS * sizeof(int));
}

TEST_F(pp, bad_arguments)
{
	struct pp_pool *pool = (void *)1;
	char big[PP_ARG_MAX + 1] = { 0 };
	struct pp_stats st;
	pid_t pid;

	EXPECT_EQ(-EINVAL, pp_create(NULL, 2, 0));
	EXPECT_EQ(-EINVAL, pp_create(&pool, 0, 0));
	EXPECT_EQ(-EINVAL, pp_create(&pool, 100000, 0));
	EXPECT_EQ((void *)1, pool);

	ASSERT_EQ(0, pp_create(&pool, 1, 0));
	EXPECT_EQ(-EINVAL, pp_submit(NULL, whoami, NULL, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, pp_submit(pool, NULL, NULL, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, pp_submit(pool, whoami, big, sizeof(big), 0, NULL));
	EXPECT_EQ(-EINVAL, pp_submit(pool, whoami, NULL, 4, 0, NULL));
	EXPECT_EQ(-EINVAL, pp_submit(pool, whoami, NULL, 0, 0x80, NULL));
	EXPECT_EQ(-EINVAL, pp_task_wait(NULL, NULL));
	EXPECT_EQ(-EINVAL, pp_task_status(NULL));
	EXPECT_EQ(-EINVAL, pp_task_signal(NULL));
	EXPECT_EQ(-EINVAL, pp_wait_all(NULL));
	EXPECT_EQ(-EINVAL, pp_shutdown(NULL, PP_SHUTDOWN_DRAIN, NULL, NULL));
	EXPECT_EQ(-EINVAL, pp_shutdown(pool, 42, NULL, NULL));
	EXPECT_EQ(-EINVAL, pp_stats(NULL, &st));
	EXPECT_EQ(-EINVAL, pp_worker_pids(NULL, &pid, 1));
	EXPECT_EQ(-EINVAL, pp_worker_pids(pool, NULL, 1));
	pp_task_release(NULL);
	pp_destroy(NULL);
	EXPECT_EQ(0, stats(pool).submitted);
	pp_destroy(pool);
}

TEST_F(pp, many_tasks_run_exactly_once)
{
	struct pp_pool *pool;
	struct pp_stats st;

	ASSERT_EQ(0, pp_create(&pool, 4, 0));
	for (int i = 0; i < NTASKS; i++) {
		struct targ a = { .sh = self->sh, .i = i };

		ASSERT_EQ(0, pp_submit(pool, mark, &a, sizeof(a), 0, NULL));
	}
	ASSERT_EQ(0, pp_wait_all(pool));
	for (int i = 0; i < NTASKS; i++) {
		ASSERT_EQ(1, __atomic_load_n(&self->sh->ran[i], __ATOMIC_RELAXED))
			TH_LOG("task %d ran %d times", i, self->sh->ran[i]);
	}
	st = stats(pool);
	EXPECT_EQ(NTASKS, st.completed);
	EXPECT_EQ(0, st.crashed);
	EXPECT_EQ(4, st.forks);
	pp_destroy(pool);
}

TEST_F(pp, results_come_back)
{
	enum { N = 2000 };
	struct pp_task **t = calloc(N, sizeof(*t));
	struct pp_pool *pool;
	int64_t r;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, pp_create(&pool, 3, 0));
	for (int i = 0; i < N; i++) {
		struct targ a = { .a = i, .b = -3 * (int64_t)i + 1000000007 };

		ASSERT_EQ(0, pp_submit(pool, multiply, &a, sizeof(a), 0, &t[i]));
	}
	for (int i = 0; i < N; i++) {
		r = 0;
		ASSERT_EQ(0, pp_task_wait(t[i], &r));
		ASSERT_EQ((int64_t)i * (-3 * (int64_t)i + 1000000007) +
			  (int64_t)sizeof(struct targ), r);
		ASSERT_EQ(PP_DONE, pp_task_status(t[i]));
		ASSERT_EQ(0, pp_task_signal(t[i]));
		pp_task_release(t[i]);
	}
	pp_destroy(pool);
	free(t);
}

TEST_F(pp, crash_is_reported_and_worker_replaced)
{
	enum { W = 2 };
	struct targ a = { .sh = self->sh };
	pid_t before[W], after[W], crashed;
	struct pp_task *seg, *abrt, *ex, *t;
	struct pp_pool *pool;
	struct pp_stats st;
	int64_t r;

	ASSERT_EQ(0, pp_create(&pool, W, 0));
	ASSERT_EQ(W, pp_worker_pids(pool, before, W));

	ASSERT_EQ(0, pp_submit(pool, segfault, &a, sizeof(a), 0, &seg));
	EXPECT_EQ(-ECHILD, pp_task_wait(seg, &r));
	EXPECT_EQ(PP_CRASHED, pp_task_status(seg));
	EXPECT_EQ(SIGSEGV, pp_task_signal(seg));
	crashed = __atomic_load_n(&self->sh->crash_pid, __ATOMIC_SEQ_CST);
	EXPECT_TRUE(crashed == before[0] || crashed == before[1]);

	ASSERT_EQ(0, pp_submit(pool, aborts, NULL, 0, 0, &abrt));
	EXPECT_EQ(-ECHILD, pp_task_wait(abrt, NULL));
	EXPECT_EQ(SIGABRT, pp_task_signal(abrt));

	ASSERT_EQ(0, pp_submit(pool, exits, NULL, 0, 0, &ex));
	EXPECT_EQ(-ECHILD, pp_task_wait(ex, NULL));
	EXPECT_EQ(0, pp_task_signal(ex));
	EXPECT_EQ(7, pp_task_exit_code(ex));

	/* The pool goes on, with fresh workers in the dead ones' slots. */
	for (int i = 0; i < 50; i++) {
		ASSERT_EQ(0, pp_submit(pool, whoami, NULL, 0, 0, &t));
		ASSERT_EQ(0, pp_task_wait(t, &r));
		pp_task_release(t);
	}
	ASSERT_TRUE(WAIT_FOR(stats(pool).forks == W + 3));
	st = stats(pool);
	EXPECT_EQ(3, st.crashed);
	EXPECT_EQ(50, st.completed);
	ASSERT_TRUE(WAIT_FOR((pp_worker_pids(pool, after, W),
			      after[0] && after[1])));
	for (int i = 0; i < W; i++) {
		EXPECT_NE(crashed, after[i]);
		EXPECT_FALSE(gone(after[i]));
	}
	/* The crashed worker was reaped, not left a zombie. */
	EXPECT_TRUE(gone(crashed));
	EXPECT_EQ(-1, waitpid(crashed, NULL, WNOHANG));

	pp_task_release(seg);
	pp_task_release(abrt);
	pp_task_release(ex);
	pp_destroy(pool);
}

TEST_F(pp, no_worker_survives_destroy)
{
	enum { W = 4 };
	struct targ a = { .sh = self->sh };
	struct pp_pool *pool;
	pid_t pids[W];

	ASSERT_EQ(0, pp_create(&pool, W, 0));
	ASSERT_EQ(W, pp_worker_pids(pool, pids, W));
	/* Busy ones too: one hangs forever, one waits on a gate. */
	ASSERT_EQ(0, pp_submit(pool, hangs, &a, sizeof(a), 0, NULL));
	ASSERT_EQ(0, pp_submit(pool, gated, &a, sizeof(a), 0, NULL));
	ASSERT_TRUE(WAIT_FOR(entered(self->sh) == 2));
	for (int i = 0; i < W; i++)
		ASSERT_FALSE(gone(pids[i]));
	pp_destroy(pool);
	for (int i = 0; i < W; i++) {
		EXPECT_TRUE(gone(pids[i])) TH_LOG("worker %d survived", pids[i]);
		/* Reaped by the pool: nothing left for us to wait for. */
		EXPECT_EQ(-1, waitpid(pids[i], NULL, WNOHANG));
		EXPECT_EQ(ECHILD, errno);
	}
}

TEST_F(pp, cancel_shutdown_kills_a_stuck_task_promptly)
{
	struct targ a = { .sh = self->sh };
	struct pp_pool *pool;
	struct pp_task *t;
	double start;
	pid_t pid;

	ASSERT_EQ(0, pp_create(&pool, 1, 0));
	ASSERT_EQ(1, pp_worker_pids(pool, &pid, 1));
	ASSERT_EQ(0, pp_submit(pool, hangs, &a, sizeof(a), 0, &t));
	ASSERT_TRUE(WAIT_FOR(entered(self->sh) == 1));
	start = now_s();
	EXPECT_EQ(1, pp_shutdown(pool, PP_SHUTDOWN_CANCEL, NULL, NULL));
	EXPECT_LT(now_s() - start, 5.0);
	EXPECT_EQ(-ECANCELED, pp_task_wait(t, NULL));
	EXPECT_EQ(SIGKILL, pp_task_signal(t));
	EXPECT_TRUE(gone(pid));
	pid = -1;
	ASSERT_EQ(1, pp_worker_pids(pool, &pid, 1));
	EXPECT_EQ(0, pid);
	pp_task_release(t);
	pp_destroy(pool);
}

static void count_cancel(pp_fn fn, const void *arg, size_t len, void *data)
{
	int *n = data;

	(void)fn;
	(void)arg;
	(void)len;
	(*n)++;
}

TEST_F(pp, immediate_shutdown_accounts_for_every_task)
{
	enum { N = 10000 };
	struct pp_pool *pool;
	int ran = 0, reported = 0, ret;
	double start;

	ASSERT_EQ(0, pp_create(&pool, 2, 0));
	for (int i = 0; i < N; i++) {
		struct targ a = { .sh = self->sh, .i = i };

		ASSERT_EQ(0, pp_submit(pool, mark, &a, sizeof(a), 0, NULL));
	}
	start = now_s();
	ret = pp_shutdown(pool, PP_SHUTDOWN_CANCEL, count_cancel, &reported);
	EXPECT_LT(now_s() - start, 5.0);
	ASSERT_LE(0, ret);
	EXPECT_EQ(ret, reported);
	for (int i = 0; i < N; i++) {
		ASSERT_GE(1, self->sh->ran[i]);
		ran += self->sh->ran[i];
	}
	/*
	 * A task killed in mid-run may have marked itself before it died:
	 * it counts as cancelled and as ran.  There are at most 2 of them.
	 */
	EXPECT_LE(N, ran + ret);
	EXPECT_GE(N + 2, ran + ret);
	EXPECT_EQ((uint64_t)ret, stats(pool).cancelled);
	EXPECT_EQ((uint64_t)N, stats(pool).completed + stats(pool).cancelled);
	EXPECT_EQ(-ESHUTDOWN, pp_submit(pool, whoami, NULL, 0, 0, NULL));
	pp_destroy(pool);
}

TEST_F(pp, drain_shutdown_runs_everything_and_wait_all_waits)
{
	enum { N = 3000 };
	struct pp_pool *pool;
	int ran = 0;

	ASSERT_EQ(0, pp_create(&pool, 3, 0));
	for (int i = 0; i < N; i++) {
		struct targ a = { .sh = self->sh, .i = i };

		ASSERT_EQ(0, pp_submit(pool, mark, &a, sizeof(a), 0, NULL));
	}
	ASSERT_EQ(0, pp_wait_all(pool));
	for (int i = 0; i < N; i++)
		ran += __atomic_load_n(&self->sh->ran[i], __ATOMIC_RELAXED);
	EXPECT_EQ(N, ran);

	for (int i = 0; i < N; i++) {
		struct targ a = { .sh = self->sh, .i = i };

		ASSERT_EQ(0, pp_submit(pool, mark, &a, sizeof(a), 0, NULL));
	}
	ASSERT_EQ(0, pp_shutdown(pool, PP_SHUTDOWN_DRAIN, NULL, NULL));
	for (int i = 0; i < N; i++)
		ASSERT_EQ(2, self->sh->ran[i]);
	pp_destroy(pool);
}

struct submitter {
	pthread_t thread;
	struct pp_pool *pool;
	struct shared *sh;
	unsigned int flags;
	int ret;
	long accepted;
};

static void *submit_until_refused(void *data)
{
	struct submitter *s = data;
	struct targ a = { .sh = s->sh, .i = 0 };

	while ((s->ret = pp_submit(s->pool, mark, &a, sizeof(a), s->flags,
				   NULL)) == 0 || s->ret == -EAGAIN)
		if (s->ret == 0)
			s->accepted++;
	return NULL;
}

TEST_F(pp, shutdown_while_threads_submit)
{
	enum { S = 4 };
	struct submitter s[S];
	struct pp_pool *pool;
	long accepted = 0;
	struct pp_stats st;
	int cancelled;

	ASSERT_EQ(0, pp_create(&pool, 2, 32));
	for (int i = 0; i < S; i++) {
		s[i] = (struct submitter){ .pool = pool, .sh = self->sh,
					   .flags = i % 2 ? PP_NONBLOCK : 0 };
		ASSERT_EQ(0, pthread_create(&s[i].thread, NULL,
					    submit_until_refused, &s[i]));
	}
	sleep_ms(200);
	cancelled = pp_shutdown(pool, PP_SHUTDOWN_CANCEL, NULL, NULL);
	ASSERT_LE(0, cancelled);
	for (int i = 0; i < S; i++) {
		ASSERT_EQ(0, pthread_join(s[i].thread, NULL));
		EXPECT_EQ(-ESHUTDOWN, s[i].ret);
		accepted += s[i].accepted;
	}
	st = stats(pool);
	EXPECT_EQ((uint64_t)accepted, st.submitted);
	EXPECT_EQ(st.submitted, st.completed + st.cancelled);
	EXPECT_LT(0, st.completed);
	pp_destroy(pool);
}

TEST_F(pp, destroy_with_submitters_blocked)
{
	enum { S = 3, Q = 2 };
	struct targ a = { .sh = self->sh };
	struct submitter s[S];
	struct pp_pool *pool;
	pid_t pid;

	ASSERT_EQ(0, pp_create(&pool, 1, Q));
	ASSERT_EQ(1, pp_worker_pids(pool, &pid, 1));
	ASSERT_EQ(0, pp_submit(pool, gated, &a, sizeof(a), 0, NULL));
	ASSERT_TRUE(WAIT_FOR(entered(self->sh) == 1));
	for (int i = 0; i < Q; i++)
		ASSERT_EQ(0, pp_submit(pool, gated, &a, sizeof(a), PP_NONBLOCK, NULL));
	for (int i = 0; i < S; i++) {
		s[i] = (struct submitter){ .pool = pool, .sh = self->sh };
		ASSERT_EQ(0, pthread_create(&s[i].thread, NULL,
					    submit_until_refused, &s[i]));
	}
	ASSERT_TRUE(WAIT_FOR(stats(pool).blocked_submitters == S));
	/* The gate never opens: destroy must not wait for the task. */
	pp_destroy(pool);
	for (int i = 0; i < S; i++) {
		ASSERT_EQ(0, pthread_join(s[i].thread, NULL));
		EXPECT_EQ(-ESHUTDOWN, s[i].ret);
		EXPECT_EQ(0, s[i].accepted);
	}
	EXPECT_TRUE(gone(pid));
	EXPECT_EQ(1, entered(self->sh));
}

struct blocking_submit {
	pthread_t thread;
	struct pp_pool *pool;
	struct shared *sh;
	int ret;
	int returned;
};

static void *submit_once(void *data)
{
	struct blocking_submit *b = data;
	struct targ a = { .sh = b->sh, .i = 3 };

	b->ret = pp_submit(b->pool, mark, &a, sizeof(a), 0, NULL);
	__atomic_store_n(&b->returned, 1, __ATOMIC_RELEASE);
	return NULL;
}

TEST_F(pp, bounded_queue_refuses_or_blocks)
{
	struct blocking_submit b = { .sh = self->sh };
	struct pp_pool *pool;
	struct pp_task *gt;
	struct targ a1 = { .sh = self->sh, .i = 1 }, a2 = a1;

	a2.i = 2;
	ASSERT_EQ(0, pp_create(&pool, 1, 2));
	ASSERT_EQ(0, pp_submit(pool, gated, &a1, sizeof(a1), 0, &gt));
	ASSERT_TRUE(WAIT_FOR(entered(self->sh) == 1));
	ASSERT_EQ(0, pp_submit(pool, mark, &a1, sizeof(a1), PP_NONBLOCK, NULL));
	ASSERT_EQ(0, pp_submit(pool, mark, &a2, sizeof(a2), PP_NONBLOCK, NULL));
	EXPECT_EQ(-EAGAIN, pp_submit(pool, mark, &a2, sizeof(a2), PP_NONBLOCK, NULL));
	EXPECT_EQ(2, stats(pool).queued);

	b.pool = pool;
	ASSERT_EQ(0, pthread_create(&b.thread, NULL, submit_once, &b));
	ASSERT_TRUE(WAIT_FOR(stats(pool).blocked_submitters == 1));
	sleep_ms(50);
	EXPECT_EQ(0, __atomic_load_n(&b.returned, __ATOMIC_ACQUIRE));
	__atomic_store_n(&self->sh->gate, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(b.thread, NULL));
	EXPECT_EQ(0, b.ret);
	ASSERT_EQ(0, pp_wait_all(pool));
	EXPECT_EQ(1, self->sh->ran[1]);
	EXPECT_EQ(1, self->sh->ran[2]);
	EXPECT_EQ(1, self->sh->ran[3]);
	EXPECT_EQ(0, pp_task_wait(gt, NULL));
	pp_task_release(gt);
	pp_destroy(pool);
}

TEST_F(pp, two_pools_do_not_interfere)
{
	struct targ a = { .sh = self->sh };
	pid_t pa[2], pb[2], pb2[2];
	struct pp_pool *pa_pool, *pb_pool;
	struct pp_task *t;
	int64_t r;

	ASSERT_EQ(0, pp_create(&pa_pool, 2, 0));
	ASSERT_EQ(0, pp_create(&pb_pool, 2, 0));
	ASSERT_EQ(2, pp_worker_pids(pa_pool, pa, 2));
	ASSERT_EQ(2, pp_worker_pids(pb_pool, pb, 2));
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			EXPECT_NE(pa[i], pb[j]);

	/* A crash in A is A's business. */
	ASSERT_EQ(0, pp_submit(pa_pool, segfault, &a, sizeof(a), 0, &t));
	EXPECT_EQ(-ECHILD, pp_task_wait(t, NULL));
	pp_task_release(t);
	EXPECT_EQ(1, stats(pa_pool).crashed);
	EXPECT_EQ(0, stats(pb_pool).crashed);
	EXPECT_EQ(2, stats(pb_pool).forks);

	/* Destroying A leaves B's workers alive and working. */
	pp_destroy(pa_pool);
	ASSERT_EQ(2, pp_worker_pids(pb_pool, pb2, 2));
	EXPECT_EQ(pb[0], pb2[0]);
	EXPECT_EQ(pb[1], pb2[1]);
	for (int i = 0; i < 2; i++)
		EXPECT_FALSE(gone(pb[i]));
	ASSERT_EQ(0, pp_submit(pb_pool, whoami, NULL, 0, 0, &t));
	ASSERT_EQ(0, pp_task_wait(t, &r));
	EXPECT_TRUE(r == pb[0] || r == pb[1]);
	pp_task_release(t);
	pp_destroy(pb_pool);
}

TEST_F(pp, killed_idle_worker_costs_no_sigpipe)
{
	enum { W = 2, N = 200 };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct pp_pool *pool;
	pid_t pids[W];
	struct pp_task *t;
	int64_t r;

	/* SIGPIPE at its default: if the pool raised it, we would die. */
	ASSERT_EQ(0, sigaction(SIGPIPE, &dfl, NULL));
	ASSERT_EQ(0, pp_create(&pool, W, 0));
	ASSERT_EQ(W, pp_worker_pids(pool, pids, W));
	ASSERT_EQ(0, kill(pids[0], SIGKILL));
	ASSERT_EQ(0, kill(pids[1], SIGKILL));
	/*
	 * Once they are dead their sockets are closed: a send to them now,
	 * before the pool noticed the hangup, is an EPIPE.
	 */
	ASSERT_TRUE(WAIT_FOR(gone(pids[0]) && gone(pids[1])));
	for (int i = 0; i < N; i++) {
		struct targ a = { .a = i, .b = 2 };

		ASSERT_EQ(0, pp_submit(pool, multiply, &a, sizeof(a), 0, &t));
		ASSERT_EQ(0, pp_task_wait(t, &r));
		ASSERT_EQ(2 * i + (int64_t)sizeof(a), r);
		pp_task_release(t);
	}
	EXPECT_EQ(0, stats(pool).crashed);
	EXPECT_EQ(W + 2, stats(pool).forks);
	pp_destroy(pool);
}

/*
 * A caller that lets the kernel reap its children: the pool cannot learn
 * the signal any more, but must still report the crash, go on, and tear
 * down without waiting for statuses that will never come.
 */
TEST_F(pp, caller_ignoring_sigchld_still_works)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct targ a = { .sh = self->sh };
	struct pp_pool *pool;
	struct pp_task *t;
	pid_t pids[2];
	double start;
	int64_t r;

	ASSERT_EQ(0, sigaction(SIGCHLD, &ign, NULL));
	ASSERT_EQ(0, pp_create(&pool, 2, 0));
	ASSERT_EQ(0, pp_submit(pool, segfault, &a, sizeof(a), 0, &t));
	EXPECT_EQ(-ECHILD, pp_task_wait(t, NULL));
	EXPECT_EQ(PP_CRASHED, pp_task_status(t));
	pp_task_release(t);
	ASSERT_EQ(0, pp_submit(pool, whoami, NULL, 0, 0, &t));
	ASSERT_EQ(0, pp_task_wait(t, &r));
	pp_task_release(t);
	ASSERT_EQ(2, pp_worker_pids(pool, pids, 2));
	EXPECT_TRUE(r == pids[0] || r == pids[1]);
	start = now_s();
	pp_destroy(pool);
	EXPECT_LT(now_s() - start, 5.0);
	for (int i = 0; i < 2; i++)
		EXPECT_TRUE(WAIT_FOR(gone(pids[i])));
}

TEST_F(pp, workers_die_with_a_process_that_never_destroys)
{
	enum { W = 3 };
	pid_t pids[W], child;
	int fds[2], st;

	ASSERT_EQ(0, pipe(fds));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct pp_pool *pool;

		close(fds[0]);
		if (pp_create(&pool, W, 0) ||
		    pp_worker_pids(pool, pids, W) != W ||
		    write(fds[1], pids, sizeof(pids)) != sizeof(pids))
			_exit(1);
		_exit(0);	/* no pp_destroy() */
	}
	close(fds[1]);
	ASSERT_EQ((ssize_t)sizeof(pids), read(fds[0], pids, sizeof(pids)));
	close(fds[0]);
	ASSERT_EQ(child, waitpid(child, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < W; i++) {
		EXPECT_TRUE(WAIT_FOR(gone(pids[i])))
			TH_LOG("worker %d outlived its pool's process", pids[i]);
	}
}

TEST_HARNESS_MAIN
