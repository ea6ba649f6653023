// SPDX-License-Identifier: GPL-2.0
/*
 * pool_bench: throughput of our thread pool against GLib's GThreadPool,
 * with our process pool alongside for scale.  Not a test: it prints
 * numbers and judges nothing.
 *
 * Each task busy-waits for its duration on CLOCK_MONOTONIC (a sleeping
 * task would measure the timer slack, not the pool).  Every configuration
 * runs the same number of tasks on the same number of workers; the pools
 * take turns within each round, the order alternating between rounds, so
 * that a background load drifting over the run (a kernel build, say)
 * does not favour whoever ran first.  Reported: the median over rounds.
 *
 * Both thread pools run the very same task function and detect the end
 * the same way (the last task to finish signals a latch), so only the
 * pool differs.  The process pool's tasks run in its workers, which
 * cannot touch our latch: it is timed up to pp_wait_all().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipclab/pool/procpool.h"
#include "ipclab/pool/threadpool.h"
#include "lib/util.h"

#define MAX_ROUNDS 1000

/* What the tasks of one measurement share. */
struct run {
	uint64_t task_ns;		/* how long each task busy-waits */
	uint64_t ntasks;
	uint64_t done;			/* atomic */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool finished;
};

static void busy_wait(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		;
}

static void task_body(struct run *r)
{
	busy_wait(r->task_ns);
	if (__atomic_add_fetch(&r->done, 1, __ATOMIC_ACQ_REL) == r->ntasks) {
		pthread_mutex_lock(&r->lock);
		r->finished = true;
		pthread_cond_signal(&r->cond);
		pthread_mutex_unlock(&r->lock);
	}
}

static int64_t tp_task(void *arg)
{
	task_body(arg);
	return 0;
}

static void glib_task(gpointer data, gpointer user_data)
{
	(void)user_data;
	task_body(data);
}

static int64_t pp_task(const void *arg, size_t len)
{
	uint64_t ns;

	if (len != sizeof(ns))
		return -1;
	memcpy(&ns, arg, sizeof(ns));
	busy_wait(ns);
	return 0;
}

static void run_init(struct run *r, uint64_t task_ns, uint64_t ntasks)
{
	memset(r, 0, sizeof(*r));
	r->task_ns = task_ns;
	r->ntasks = ntasks;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
}

static void run_wait(struct run *r)
{
	pthread_mutex_lock(&r->lock);
	while (!r->finished)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
}

/* Each returns tasks per second; pool start and stop are not timed. */

static double bench_tp(unsigned int workers, uint64_t task_ns, uint64_t n)
{
	struct tp_pool *pool;
	uint64_t start, ns;
	struct run r;
	int err;

	run_init(&r, task_ns, n);
	err = tp_create(&pool, workers, 0);
	if (err)
		die("tp_create: %s", strerror(-err));
	start = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		err = tp_submit(pool, tp_task, &r, 0, NULL);
		if (err)
			die("tp_submit: %s", strerror(-err));
	}
	run_wait(&r);
	ns = now_ns() - start;
	tp_destroy(pool);
	return n * 1e9 / ns;
}

static double bench_glib(unsigned int workers, uint64_t task_ns, uint64_t n)
{
	GError *gerr = NULL;
	GThreadPool *pool;
	uint64_t start, ns;
	struct run r;

	run_init(&r, task_ns, n);
	/* exclusive: its own threads, all started now, like ours. */
	pool = g_thread_pool_new(glib_task, NULL, workers, TRUE, &gerr);
	if (!pool)
		die("g_thread_pool_new: %s", gerr ? gerr->message : "failed");
	start = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		if (!g_thread_pool_push(pool, &r, &gerr))
			die("g_thread_pool_push: %s", gerr ? gerr->message : "failed");
	}
	run_wait(&r);
	ns = now_ns() - start;
	g_thread_pool_free(pool, FALSE, TRUE);
	return n * 1e9 / ns;
}

static double bench_pp(unsigned int workers, uint64_t task_ns, uint64_t n)
{
	struct pp_pool *pool;
	uint64_t start, ns;
	int err;

	err = pp_create(&pool, workers, 0);
	if (err)
		die("pp_create: %s", strerror(-err));
	start = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		err = pp_submit(pool, pp_task, &task_ns, sizeof(task_ns), 0, NULL);
		if (err)
			die("pp_submit: %s", strerror(-err));
	}
	err = pp_wait_all(pool);
	if (err)
		die("pp_wait_all: %s", strerror(-err));
	ns = now_ns() - start;
	pp_destroy(pool);
	return n * 1e9 / ns;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum { OURS, GLIB, PROCS, NPOOLS };

struct config {
	const char *name;
	uint64_t task_ns;
	uint64_t tasks;		/* per round, thread pools */
	uint64_t proc_tasks;	/* per round, process pool */
	double rate[NPOOLS][MAX_ROUNDS];
};

static void usage(void)
{
	printf("usage: pool_bench [OPTIONS]\n\n"
	       "Throughput (tasks/s) of taskstate's thread pool against GLib's\n"
	       "GThreadPool, for 1 us and 100 us busy-wait tasks, same worker count,\n"
	       "rounds interleaved; prints the median per configuration and the\n"
	       "ratio ours/GLib, with the process pool's numbers for comparison.\n\n"
	       "  -w, --workers N       worker threads/processes (default: online CPUs)\n"
	       "  -r, --rounds N        rounds, at least 5 (default 7)\n"
	       "  -s, --short-tasks N   1 us tasks per round (default 100000)\n"
	       "  -l, --long-tasks N    100 us tasks per round (default 4000)\n"
	       "  -p, --proc-divisor N  the process pool runs 1/N as many tasks\n"
	       "                        (default 4: it is much slower per task)\n"
	       "  -h, --help            this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workers", required_argument, NULL, 'w' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "short-tasks", required_argument, NULL, 's' },
		{ "long-tasks", required_argument, NULL, 'l' },
		{ "proc-divisor", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	uint64_t workers, rounds = 7, nshort = 100000, nlong = 4000, div = 4;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct config cfg[2];
	int opt;

	prog_name = "pool_bench";
	workers = cpus > 0 ? (uint64_t)cpus : 2;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "w:r:s:l:p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			if (!parse_u64(optarg, 1, 1024, &workers))
				usage_error("--workers takes 1..1024");
			break;
		case 'r':
			if (!parse_u64(optarg, 5, MAX_ROUNDS, &rounds))
				usage_error("--rounds takes 5..%d", MAX_ROUNDS);
			break;
		case 's':
			if (!parse_u64(optarg, 1, 100000000, &nshort))
				usage_error("--short-tasks takes 1..100000000");
			break;
		case 'l':
			if (!parse_u64(optarg, 1, 100000000, &nlong))
				usage_error("--long-tasks takes 1..100000000");
			break;
		case 'p':
			if (!parse_u64(optarg, 1, 1000, &div))
				usage_error("--proc-divisor takes 1..1000");
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage_error("bad option '%s'; try --help", argv[optind - 1]);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument '%s'; try --help", argv[optind]);

	cfg[0] = (struct config){ .name = "1us", .task_ns = 1000, .tasks = nshort };
	cfg[1] = (struct config){ .name = "100us", .task_ns = 100000, .tasks = nlong };
	for (int c = 0; c < 2; c++)
		cfg[c].proc_tasks = cfg[c].tasks / div ? cfg[c].tasks / div : 1;

	for (unsigned int r = 0; r < rounds; r++) {
		for (int c = 0; c < 2; c++) {
			struct config *k = &cfg[c];
			unsigned int w = workers;

			/* Alternate who goes first, round by round. */
			if (r % 2 == 0) {
				k->rate[OURS][r] = bench_tp(w, k->task_ns, k->tasks);
				k->rate[GLIB][r] = bench_glib(w, k->task_ns, k->tasks);
				k->rate[PROCS][r] = bench_pp(w, k->task_ns, k->proc_tasks);
			} else {
				k->rate[PROCS][r] = bench_pp(w, k->task_ns, k->proc_tasks);
				k->rate[GLIB][r] = bench_glib(w, k->task_ns, k->tasks);
				k->rate[OURS][r] = bench_tp(w, k->task_ns, k->tasks);
			}
		}
	}

	printf("pool_bench: %" PRIu64 " workers, %" PRIu64
	       " interleaved rounds, median tasks/s (%ld CPUs online)\n",
	       workers, rounds, cpus);
	printf("%-6s %10s %12s %12s %10s %12s %12s\n", "task", "tasks",
	       "ours", "GLib", "ours/GLib", "proc tasks", "ours(procs)");
	for (int c = 0; c < 2; c++) {
		struct config *k = &cfg[c];
		double ours = median(k->rate[OURS], rounds);
		double glib = median(k->rate[GLIB], rounds);
		double procs = median(k->rate[PROCS], rounds);

		printf("%-6s %10" PRIu64 " %12.0f %12.0f %10.2f %12" PRIu64
		       " %12.0f\n", k->name, k->tasks, ours, glib, ours / glib,
		       k->proc_tasks, procs);
	}
	return 0;
}
