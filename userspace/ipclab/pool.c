// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab pool: the textbook pool ("start some workers and let them sleep;
 * when there is a task, wake one to run it; when it is done it sleeps
 * again") run on the thread pool (pool/threadpool.h) or the process pool
 * (pool/procpool.h), with the submitter pacing its tasks so that every
 * worker's idle sleep shows.  With the taskstate module loaded: each
 * worker's life, from its creation (a fork for a process: new -> ready)
 * through blocked while idle, woken by the submitter for a task, running,
 * blocked again, to its exit at shutdown; then tasks per second, wakeups
 * per task and time idle per worker.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipclab.h"
#include "run.h"
#include "story.h"
#include "pool/procpool.h"
#include "pool/threadpool.h"
#include "lib/libtaskstate.h"

/* The story names at most this many participants: the workers. */
#define POOL_MAX_WORKERS	STORY_MAX_ROLES
#define POOL_MAX_TASKS		10000
#define POOL_MAX_WORK_US	1000000
#define POOL_MAX_INTERVAL_MS	10000
/* Threads of our own process: the submitter and the pool's helpers. */
#define POOL_MAX_SELF_TIDS	16
#define STORY_DEADLINE_MS	3000

struct pool_opts {
	bool procs;		/* --procs: the process pool */
	unsigned int workers;
	uint64_t tasks;
	uint64_t work_us;
	uint64_t interval_ms;
	bool json, quiet;
};

/* What a task gets: plain data, so the process pool can copy it. */
struct task_arg {
	uint64_t index;
	uint64_t work_us;
};

/* ---- the task ---- */

/* What task @index returns: the check that each task ran, and ran its own. */
static int64_t task_answer(uint64_t index)
{
	return (int64_t)(lab_fnv1a(&index, sizeof(index)) >> 1);
}

/*
 * A short real computation: hash the task's number over and over until
 * --work-us have passed (so the duration is the user's choice whatever
 * the CPU), then return the hash.  Only its own memory and
 * clock_gettime(): safe in a process pool worker forked from a
 * multithreaded process.
 */
static int64_t task_run(const struct task_arg *a)
{
	uint64_t end = now_ns() + a->work_us * 1000;
	int64_t answer;

	do
		answer = task_answer(a->index);
	while (now_ns() < end);
	return answer;
}

static int64_t tp_task_fn(void *arg)
{
	return task_run(arg);
}

static int64_t pp_task_fn(const void *arg, size_t len)
{
	struct task_arg a;

	if (len != sizeof(a))
		return -1;	/* cannot happen: we send exactly one */
	memcpy(&a, arg, sizeof(a));
	return task_run(&a);
}

/* ---- either pool, one way ---- */

/*
 * The two libraries share one vocabulary; this is it, so the run below is
 * written once.  Every call returns 0 or -errno as the libraries do.
 */
struct pool_ops {
	const char *kind;	/* "threads" or "processes" (JSON's mode) */
	const char *worker;	/* what a worker is */
	int (*create)(void **pool, unsigned int workers);
	int (*submit)(void *pool, struct task_arg *arg, void **task);
	int (*wait)(void *task, int64_t *result);
	void (*release)(void *task);
	int (*shutdown)(void *pool);
	void (*destroy)(void *pool);
	int (*workers)(void *pool, pid_t *ids, size_t n);
};

static int tp_create_(void **pool, unsigned int workers)
{
	return tp_create((struct tp_pool **)pool, workers, 0);
}

static int tp_submit_(void *pool, struct task_arg *arg, void **task)
{
	return tp_submit(pool, tp_task_fn, arg, 0, (struct tp_task **)task);
}

static int tp_wait_(void *task, int64_t *result)
{
	return tp_task_wait(task, result);
}

static void tp_release_(void *task)
{
	tp_task_release(task);
}

static int tp_shutdown_(void *pool)
{
	int n = tp_shutdown(pool, TP_SHUTDOWN_DRAIN, NULL, NULL);

	return n < 0 ? n : 0;
}

static void tp_destroy_(void *pool)
{
	tp_destroy(pool);
}

static int tp_workers_(void *pool, pid_t *ids, size_t n)
{
	return tp_worker_tids(pool, ids, n);
}

static const struct pool_ops thread_pool = {
	.kind = NC_("worker", "threads"), .worker = NC_("worker", "thread"),
	.create = tp_create_, .submit = tp_submit_, .wait = tp_wait_,
	.release = tp_release_, .shutdown = tp_shutdown_,
	.destroy = tp_destroy_, .workers = tp_workers_,
};

static int pp_create_(void **pool, unsigned int workers)
{
	return pp_create((struct pp_pool **)pool, workers, 0);
}

static int pp_submit_(void *pool, struct task_arg *arg, void **task)
{
	return pp_submit(pool, pp_task_fn, arg, sizeof(*arg), 0,
			 (struct pp_task **)task);
}

static int pp_wait_(void *task, int64_t *result)
{
	return pp_task_wait(task, result);
}

static void pp_release_(void *task)
{
	pp_task_release(task);
}

static int pp_shutdown_(void *pool)
{
	int n = pp_shutdown(pool, PP_SHUTDOWN_DRAIN, NULL, NULL);

	return n < 0 ? n : 0;
}

static void pp_destroy_(void *pool)
{
	pp_destroy(pool);
}

static int pp_workers_(void *pool, pid_t *ids, size_t n)
{
	return pp_worker_pids(pool, ids, n);
}

static const struct pool_ops process_pool = {
	.kind = NC_("worker", "processes"), .worker = NC_("worker", "process"),
	.create = pp_create_, .submit = pp_submit_, .wait = pp_wait_,
	.release = pp_release_, .shutdown = pp_shutdown_,
	.destroy = pp_destroy_, .workers = pp_workers_,
};

/* A library call's -errno as a message, and out. */
static void pool_check(int ret, const char *what)
{
	if (ret < 0) {
		errno = -ret;
		die_errno("%s", what);
	}
}

/* ---- the run ---- */

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts))
		if (errno != EINTR)
			die_errno("nanosleep");
}

static bool listed(const pid_t *ids, int n, pid_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/*
 * The submitting side: our main thread, first, and whatever else of the
 * pool runs in this process but is not a worker (the process pool's
 * manager thread hands the tasks to the workers, so it is the one that
 * wakes them).  A wakeup of a worker by one of these is a wakeup by the
 * submitter.
 */
static int submitter_tids(pid_t *tids, int max, const pid_t *workers,
			  int nr_workers)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		die_errno("opendir(/proc/self/task)");
	tids[n++] = getpid();
	while ((e = readdir(d)) && n < max) {
		pid_t tid = atoi(e->d_name);

		if (tid > 0 && !listed(tids, n, tid) &&
		    !listed(workers, nr_workers, tid))
			tids[n++] = tid;
	}
	if (closedir(d))
		die_errno("closedir(/proc/self/task)");
	return n;
}

struct pool_run {
	const struct pool_opts *o;
	const struct pool_ops *ops;
	pid_t worker[POOL_MAX_WORKERS];
	pid_t self[POOL_MAX_SELF_TIDS];
	int nr_self;
	uint64_t done, wrong;	/* tasks that returned, with a wrong answer */
	uint64_t time_ns;	/* first submit to last result */
};

/* "threads", or "thread" for one worker: in the user's language. */
static const char *worker_noun(const struct pool_run *r)
{
	return C_("worker", r->o->workers > 1 ? r->ops->kind : r->ops->worker);
}

static void run_pool(struct pool_run *r, struct story *st)
{
	/* Room for any unsigned int: gcc -O1 checks (-Wformat-truncation). */
	static char names[POOL_MAX_WORKERS][sizeof("worker 4294967295")];
	const struct pool_opts *o = r->o;
	struct task_arg *args = calloc(o->tasks, sizeof(*args));
	void **tasks = calloc(o->tasks, sizeof(*tasks));
	void *pool;
	uint64_t t0;
	int n;

	if (!args || !tasks)
		die_errno("calloc(%" PRIu64 " tasks)", o->tasks);
	pool_check(r->ops->create(&pool, o->workers), _("creating the pool"));
	n = r->ops->workers(pool, r->worker, POOL_MAX_WORKERS);
	pool_check(n, _("listing the pool's workers"));
	r->nr_self = submitter_tids(r->self, POOL_MAX_SELF_TIDS, r->worker,
				    o->workers);
	for (unsigned int i = 0; i < o->workers; i++) {
		snprintf(names[i], sizeof(names[i]), "worker %u", i);
		story_role(st, names[i], r->worker[i]);
	}
	if (!o->json && !o->quiet) {
		printf(_("pool: %u worker %s, %" PRIu64 " tasks of %" PRIu64
			 " us, one every %" PRIu64 " ms, submitted by ipclab %d"),
		       o->workers, worker_noun(r), o->tasks, o->work_us,
		       o->interval_ms, (int)getpid());
		for (int i = 1; i < r->nr_self; i++)
			printf("%s%d", i > 1 ? ", " : _(" (and the pool's thread "),
			       r->self[i]);
		printf("%s\n", r->nr_self > 1 ? _(" in it)") : "");
	}

	t0 = now_ns();
	for (uint64_t i = 0; i < o->tasks; i++) {
		/* The pause first: every worker is asleep when a task comes. */
		sleep_ms(o->interval_ms);
		args[i] = (struct task_arg){ .index = i, .work_us = o->work_us };
		pool_check(r->ops->submit(pool, &args[i], &tasks[i]),
			   _("submitting a task"));
	}
	for (uint64_t i = 0; i < o->tasks; i++) {
		int64_t result;

		pool_check(r->ops->wait(tasks[i], &result), _("waiting for a task"));
		r->ops->release(tasks[i]);
		r->done++;
		r->wrong += result != task_answer(i);
	}
	r->time_ns = now_ns() - t0;
	/* Drain (nothing is left) and stop: the workers exit now. */
	pool_check(r->ops->shutdown(pool), _("shutting the pool down"));
	r->ops->destroy(pool);
	free(args);
	free(tasks);
}

static void print_summary(const struct pool_run *r, const struct story *st)
{
	const struct pool_opts *o = r->o;
	double secs = r->time_ns / 1e9;
	uint64_t wakeups = 0;
	bool ok = r->done == o->tasks && !r->wrong;

	for (int i = 0; i < st->nr; i++)
		wakeups += st->role[i].wakeups;
	if (o->json) {
		printf("{\"summary\": {\"command\": \"pool\", \"mode\": \"%s\""
		       ", \"workers\": %u, \"tasks\": %" PRIu64
		       ", \"work_us\": %" PRIu64 ", \"interval_ms\": %" PRIu64
		       ", \"done\": %" PRIu64 ", \"wrong\": %" PRIu64
		       ", \"ok\": %s, \"time_ns\": %" PRIu64
		       ", \"tasks_per_s\": %.1f, \"submitter_pid\": %d"
		       ", \"submitter_tids\": [",
		       r->ops->kind, o->workers, o->tasks, o->work_us,
		       o->interval_ms, r->done, r->wrong, ok ? "true" : "false",
		       r->time_ns, secs > 0 ? o->tasks / secs : 0.0,
		       (int)getpid());
		for (int i = 0; i < r->nr_self; i++)
			printf("%s%d", i ? ", " : "", r->self[i]);
		printf("], \"wakeups\": %" PRIu64 ", \"wakeups_per_task\": %.2f, ",
		       wakeups, (double)wakeups / o->tasks);
		story_summary_json(st, o->tasks, stdout);
		printf("}}\n");
		return;
	}
	printf(_("\n%" PRIu64 " tasks on %u worker %s in %.3f ms: %.1f tasks/s, results %s\n"),
	       o->tasks, o->workers, worker_noun(r),
	       r->time_ns / 1e6, secs > 0 ? o->tasks / secs : 0.0,
	       ok ? _("all correct") : _("WRONG"));
	if (!st->stream)
		return;
	printf(_("%" PRIu64 " wakeups of workers, the shutdown's included: %.2f per task;\nidle (blocked) per worker:"),
	       wakeups, (double)wakeups / o->tasks);
	for (int i = 0; i < st->nr; i++) {
		printf("%s", i ? "," : "");
		printf(_(" %.3f ms"),
		       st->role[i].state_ns[TASKSTATE_BLOCKED] / 1e6);
	}
	printf("\n");
	story_summary_text(st, o->tasks);
}

/* ---- options ---- */

static void usage(FILE *out)
{
	fprintf(out,
		_("usage: ipclab pool [--threads N | --procs N] [--tasks M] [--work-us US]\n"
		"                   [--interval-ms MS] [--json | --quiet]\n\n"
		"Start a pool of sleeping workers, then submit tasks one at a time:\n"
		"each wakes one worker, which runs it and goes back to sleep.  With\n"
		"the taskstate module loaded, every worker's life is shown: created\n"
		"(forked, for a process: new -> ready), blocked while idle, woken by\n"
		"the submitter, running the task, blocked again, and its exit at\n"
		"shutdown; then tasks per second, wakeups per task and the time each\n"
		"worker spent idle.\n\n"
		"  --threads N        a pool of N worker threads (1..%d, the default, 2)\n"
		"  --procs N          a pool of N worker processes (1..%d)\n"
		"  --tasks M          tasks to submit (1..%d, default 6)\n"
		"  --work-us US       each task computes for US microseconds\n"
		"                     (0..%d, default 1000)\n"
		"  --interval-ms MS   the submitter's pause before each task, so the\n"
		"                     workers sleep in between (0..%d, default 20)\n"
		"  --json             events as JSON lines, then a summary object\n"
		"  --quiet            the summary only\n"
		"  -h, --help         this help\n\n"
		"Exit status: 0 when every task returned its answer, 1 on a failure,\n"
		"2 on bad usage.  The workers never outlive ipclab.\n"),
		POOL_MAX_WORKERS, POOL_MAX_WORKERS, POOL_MAX_TASKS,
		POOL_MAX_WORK_US, POOL_MAX_INTERVAL_MS);
}

static void parse_opts(int argc, char **argv, struct pool_opts *o)
{
	enum { OPT_THREADS = 256, OPT_PROCS, OPT_TASKS, OPT_WORK, OPT_INTERVAL,
	       OPT_JSON, OPT_QUIET };
	static const struct option opts[] = {
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "procs", required_argument, NULL, OPT_PROCS },
		{ "tasks", required_argument, NULL, OPT_TASKS },
		{ "work-us", required_argument, NULL, OPT_WORK },
		{ "interval-ms", required_argument, NULL, OPT_INTERVAL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool threads = false;
	uint64_t n;
	int opt;

	*o = (struct pool_opts){ .workers = 2, .tasks = 6, .work_us = 1000,
				 .interval_ms = 20 };
	opterr = 0;	/* our own one-line message instead of getopt's */
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_THREADS:
		case OPT_PROCS:
			if (!parse_u64(optarg, 1, POOL_MAX_WORKERS, &n))
				usage_error(_("pool: %s must be 1..%d, not '%s'"),
					    opt == OPT_PROCS ? "--procs" : "--threads",
					    POOL_MAX_WORKERS, optarg);
			if (opt == OPT_PROCS ? threads : o->procs)
				usage_error(_("pool: --threads and --procs exclude each other"));
			threads = opt == OPT_THREADS;
			o->procs = opt == OPT_PROCS;
			o->workers = n;
			break;
		case OPT_TASKS:
			if (!parse_u64(optarg, 1, POOL_MAX_TASKS, &o->tasks))
				usage_error(_("pool: --tasks must be 1..%d, not '%s'"),
					    POOL_MAX_TASKS, optarg);
			break;
		case OPT_WORK:
			if (!parse_u64(optarg, 0, POOL_MAX_WORK_US, &o->work_us))
				usage_error(_("pool: --work-us must be 0..%d, not '%s'"),
					    POOL_MAX_WORK_US, optarg);
			break;
		case OPT_INTERVAL:
			if (!parse_u64(optarg, 0, POOL_MAX_INTERVAL_MS,
				       &o->interval_ms))
				usage_error(_("pool: --interval-ms must be 0..%d, not '%s'"),
					    POOL_MAX_INTERVAL_MS, optarg);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			lab_bad_option("pool", argv);
		}
	}
	lab_no_operands("pool", argc, argv);
}

/*
 * Ctrl-C: nothing to undo by hand.  Worker threads die with the process;
 * worker processes get SIGKILL when the pool's manager thread goes (the
 * library sets PR_SET_PDEATHSIG), which a fatal signal to us ensures, and
 * init reaps them.  The pools create no named object.
 */
int ipclab_pool(int argc, char **argv)
{
	struct pool_opts o;
	struct pool_run r = { .o = &o };
	struct story st;

	parse_opts(argc, argv, &o);
	r.ops = o.procs ? &process_pool : &thread_pool;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Before the pool exists, so the workers' creation is seen. */
	story_open(&st, o.json, o.quiet);
	run_pool(&r, &st);
	/*
	 * Worker threads are done at their exit, processes at their reap;
	 * our own events (the submitter, the manager thread) are left out.
	 */
	story_tell(&st, !o.procs, STORY_DEADLINE_MS);
	print_summary(&r, &st);
	story_close(&st);
	if (r.done != o.tasks || r.wrong) {
		fprintf(stderr, _("ipclab: pool: %" PRIu64 " of %" PRIu64 " tasks returned a wrong answer\n"),
			r.wrong, o.tasks);
		return 1;
	}
	return 0;
}
