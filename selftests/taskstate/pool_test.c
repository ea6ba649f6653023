// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/ipclab/ipclab pool, run as a subprocess with --json, on the thread
 * pool and on the process pool: idle workers are blocked, every task
 * wakes a worker and the submitter is the waker, workers are created
 * (processes forked: new -> ready) before the first task and exit at the
 * shutdown, after the last; Ctrl-C leaves no worker process behind; bad
 * usage is exit 2 and one line.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "ts_run.h"
#include "lib/decode.h"

#define MAX_EVENTS	4096
#define MAX_IDS		16

/* One ipclab pool run: its events and its summary. */
struct lab_run {
	struct ts_run t;
	char *lines;			/* a copy of t.outbuf, cut into lines */
	char *summary;			/* the {"summary": ...} line */
	struct taskstate_event *ev;
	size_t n;
};

static void run_init(struct lab_run *r)
{
	memset(r, 0, sizeof(*r));
	ts_run_init(&r->t);
}

static void run_release(struct lab_run *r)
{
	ts_run_release(&r->t);
	free(r->lines);
	free(r->ev);
	run_init(r);
}

static void start(struct __test_metadata *_metadata, struct lab_run *r,
		  char *const argv[])
{
	run_release(r);
	ts_run_start(_metadata, &r->t, "ipclab", argv);
}

/* Wait for the run's end; parse its events and find its summary. */
static void finish(struct __test_metadata *_metadata, struct lab_run *r)
{
	char *line, *save = NULL;

	ts_run_finish(_metadata, &r->t);
	r->ev = calloc(MAX_EVENTS, sizeof(*r->ev));
	ASSERT_NE(NULL, r->ev);
	r->lines = strdup(r->t.outbuf);
	ASSERT_NE(NULL, r->lines);
	for (line = strtok_r(r->lines, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct ts_json_error e;

		if (!strncmp(line, "{\"summary\"", 10)) {
			r->summary = line;
			continue;
		}
		if (*line != '{')
			continue;
		ASSERT_GT(MAX_EVENTS, r->n);
		ASSERT_EQ(0, ts_event_parse_json(line, &r->ev[r->n], &e))
			TH_LOG("bad JSON at %zu (%s): %s", e.offset, e.msg, line);
		r->n++;
	}
}

static void run(struct __test_metadata *_metadata, struct lab_run *r,
		char *const argv[])
{
	start(_metadata, r, argv);
	finish(_metadata, r);
}

/* The ids of the summary's array @key ("submitter_tids"); how many. */
static int id_list(const char *summary, const char *key, pid_t *ids, int max)
{
	char k[64];
	const char *p;
	char *end;
	int n = 0;

	snprintf(k, sizeof(k), "\"%s\": [", key);
	p = summary ? strstr(summary, k) : NULL;
	if (!p)
		return 0;
	for (p += strlen(k); n < max && *p != ']'; p = end) {
		ids[n++] = strtol(p, &end, 10);
		if (end == p)
			return 0;
		end += strspn(end, ", ");
	}
	return n;
}

/* The pid the summary gives participant @role, or 0. */
static pid_t role_pid(const char *summary, const char *role)
{
	char key[80];
	const char *p;

	snprintf(key, sizeof(key), "\"role\": \"%s\", \"pid\": ", role);
	p = summary ? strstr(summary, key) : NULL;
	return p ? atoi(p + strlen(key)) : 0;
}

static bool listed(const pid_t *ids, int n, pid_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static void dump(struct __test_metadata *_metadata, const struct lab_run *r)
{
	char line[512];

	for (size_t i = 0; i < r->n; i++) {
		ts_event_format_text(&r->ev[i], line, sizeof(line));
		TH_LOG("  %s", line);
	}
	TH_LOG("summary: %s", r->summary ? r->summary : "(none)");
	TH_LOG("stderr: %s", r->t.errbuf);
}

/* ---- one pool run, both kinds ---- */

FIXTURE(pool) {
	struct lab_run r;
};

FIXTURE_VARIANT(pool) {
	const char *kind;	/* --threads or --procs */
	const char *mode;	/* the summary's "mode" */
	bool procs;
};

FIXTURE_VARIANT_ADD(pool, threads) {
	.kind = "--threads", .mode = "threads", .procs = false,
};
FIXTURE_VARIANT_ADD(pool, procs) {
	.kind = "--procs", .mode = "processes", .procs = true,
};

FIXTURE_SETUP(pool)
{
	run_init(&self->r);
}

FIXTURE_TEARDOWN(pool)
{
	run_release(&self->r);
}

#define WORKERS	2
#define TASKS	4

/*
 * What one worker went through, from the run's events: a pool of 2,
 * 4 tasks 40 ms apart (under emulation a switch costs up to a
 * millisecond: the workers are surely asleep when each task comes).
 */
struct life {
	pid_t pid;
	const struct taskstate_event *create, *admit, *exit, *reaped;
	int blocks, idle_blocks;	/* idle: blocked when a task came */
	int wakes, wakes_by_submitter;
	uint64_t last_task_wake;	/* ts of the wakeup for its last task */
};

static void follow(const struct lab_run *r, struct life *l, const pid_t *sub,
		   int nr_sub)
{
	const struct taskstate_event *prev = NULL;
	uint64_t pending_wake = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct taskstate_event *ev = &r->ev[i];

		if (ev->kind != TASKSTATE_KIND_EVENT || ev->pid != l->pid)
			continue;
		switch (ev->transition) {
		case TASKSTATE_TR_CREATE:
			l->create = ev;
			break;
		case TASKSTATE_TR_ADMIT:
			l->admit = ev;
			break;
		case TASKSTATE_TR_BLOCK:
			l->blocks++;
			/*
			 * Back to idle, asleep for work: the wakeup before was
			 * a task's.  The last one, the shutdown's, is followed
			 * by the exit.  Not a D wait on a lock (on PREEMPT_RT
			 * spinlocks sleep, and the exit path takes some).
			 */
			if (ev->cause != TASKSTATE_CAUSE_SLEEP)
				break;
			if (pending_wake)
				l->last_task_wake = pending_wake;
			pending_wake = 0;
			break;
		case TASKSTATE_TR_WAKE:
			l->wakes++;
			/* It was blocked, idle, until the submitter woke it. */
			if (prev && prev->transition == TASKSTATE_TR_BLOCK &&
			    *prev->wait_site)
				l->idle_blocks++;
			if (listed(sub, nr_sub, ev->other_pid))
				l->wakes_by_submitter++;
			if (ev->cause == TASKSTATE_CAUSE_WAKEUP && prev &&
			    prev->transition == TASKSTATE_TR_BLOCK &&
			    prev->cause == TASKSTATE_CAUSE_SLEEP)
				pending_wake = ev->ts_ns;
			break;
		case TASKSTATE_TR_EXIT:
		case TASKSTATE_TR_KILL_READY:
		case TASKSTATE_TR_KILL_BLOCKED:
			l->exit = ev;
			break;
		default:
			if (ev->cause == TASKSTATE_CAUSE_REAPED)
				l->reaped = ev;
			break;
		}
		if (ev->transition != TASKSTATE_TR_NONE)
			prev = ev;
	}
}

TEST_F(pool, workers_sleep_when_idle_and_the_submitter_wakes_them)
{
	char *argv[] = { "ipclab", "pool", (char *)variant->kind, "2",
			 "--tasks", "4", "--work-us", "500", "--interval-ms",
			 "40", "--json", NULL };
	struct life life[WORKERS] = { 0 };
	pid_t sub[MAX_IDS];
	int nr_sub, wakes = 0, by_submitter = 0;
	uint64_t last_task_wake = 0;
	char mode[48];

	if (access("/dev/taskstate", F_OK))
		SKIP(return, MODULE_MISSING);
	run(_metadata, &self->r, argv);
	ASSERT_TRUE(ts_exited_with(self->r.t.status, 0)) dump(_metadata, &self->r);
	ASSERT_NE(NULL, self->r.summary) dump(_metadata, &self->r);
	snprintf(mode, sizeof(mode), "\"mode\": \"%s\"", variant->mode);
	ASSERT_NE(NULL, strstr(self->r.summary, mode));
	ASSERT_NE(NULL, strstr(self->r.summary, "\"ok\": true"));
	ASSERT_NE(NULL, strstr(self->r.summary, "\"traced\": true"));
	/* The submitter is the process we started, its main thread first. */
	nr_sub = id_list(self->r.summary, "submitter_tids", sub, MAX_IDS);
	ASSERT_LE(1, nr_sub);
	ASSERT_EQ(self->r.t.started, sub[0]);

	for (int i = 0; i < WORKERS; i++) {
		char role[16];

		snprintf(role, sizeof(role), "worker %d", i);
		life[i].pid = role_pid(self->r.summary, role);
		ASSERT_LT(0, life[i].pid) TH_LOG("%s", self->r.summary);
		ASSERT_FALSE(listed(sub, nr_sub, life[i].pid));
		follow(&self->r, &life[i], sub, nr_sub);
		wakes += life[i].wakes;
		by_submitter += life[i].wakes_by_submitter;
		if (life[i].last_task_wake > last_task_wake)
			last_task_wake = life[i].last_task_wake;
	}

	for (int i = 0; i < WORKERS; i++) {
		const struct life *l = &life[i];

		/* Created before any task: it waits for work blocked. */
		ASSERT_NE(NULL, l->create) dump(_metadata, &self->r);
		EXPECT_LE(1, l->blocks) dump(_metadata, &self->r);
		/* Every wakeup found it blocked in a kernel wait. */
		EXPECT_EQ(l->wakes, l->idle_blocks) dump(_metadata, &self->r);
		if (variant->procs) {
			/* Its own process, forked by ours: new -> ready. */
			EXPECT_EQ(TASKSTATE_CAUSE_FORK, l->create->cause);
			EXPECT_EQ(l->pid, l->create->tgid);
			EXPECT_TRUE(listed(sub, nr_sub, l->create->other_pid))
				TH_LOG("worker %d forked by %d", l->pid,
				       l->create->other_pid);
			ASSERT_NE(NULL, l->admit) dump(_metadata, &self->r);
			EXPECT_EQ(TASKSTATE_CAUSE_CREATED, l->admit->cause);
			EXPECT_LT(l->create->ts_ns, l->admit->ts_ns);
		} else {
			/* A thread of the submitting process. */
			EXPECT_EQ(TASKSTATE_CAUSE_THREAD, l->create->cause);
			EXPECT_EQ(sub[0], l->create->tgid);
		}
		/*
		 * It exits at the shutdown, after the last task came, on its
		 * own: a drained pool lets idle workers leave, never kills them.
		 */
		ASSERT_NE(NULL, l->exit) dump(_metadata, &self->r);
		EXPECT_LT(last_task_wake, l->exit->ts_ns) dump(_metadata, &self->r);
		EXPECT_EQ(TASKSTATE_TR_EXIT, l->exit->transition)
			dump(_metadata, &self->r);
		EXPECT_EQ(0, l->exit->signal) dump(_metadata, &self->r);
		EXPECT_EQ(0, l->exit->exit_code) dump(_metadata, &self->r);
		if (variant->procs)
			EXPECT_NE(NULL, l->reaped) dump(_metadata, &self->r);
	}
	/* Each task dispatch woke a worker, and the submitter woke it. */
	EXPECT_LE(TASKS, by_submitter) {
		TH_LOG("%d wakeups by the submitter (%d in all) for %d tasks",
		       by_submitter, wakes, TASKS);
		dump(_metadata, &self->r);
	}
}

/* ---- Ctrl-C ---- */

/* Gone, or only a zombie left for init to reap: it runs no more. */
static bool gone(pid_t pid)
{
	char state = ts_proc_state(pid);

	return !state || state == 'Z' || state == 'X';
}

TEST_F(pool, ctrl_c_leaves_no_worker)
{
	char *argv[] = { "ipclab", "pool", (char *)variant->kind, "2",
			 "--tasks", "1000", "--interval-ms", "20", "--quiet",
			 NULL };
	pid_t kids[MAX_IDS];
	int i, n = 0, tasks = 0;

	start(_metadata, &self->r, argv);
	/* Until the workers run (threads: 3 tasks of ipclab). */
	for (i = 0; i < 500; i++) {
		char path[64];
		struct dirent *e;
		DIR *d;

		if (variant->procs) {
			n = ts_children(self->r.t.pid, kids, MAX_IDS);
			if (n >= 2)
				break;
		} else {
			snprintf(path, sizeof(path), "/proc/%d/task",
				 self->r.t.pid);
			d = opendir(path);
			tasks = 0;
			while (d && (e = readdir(d)))
				tasks += *e->d_name != '.';
			if (d)
				closedir(d);
			if (tasks >= 3)
				break;
		}
		ts_sleep_ms(10);
	}
	ASSERT_GT(500, i) TH_LOG("the pool never started");
	ts_sleep_ms(100);
	ASSERT_EQ(0, kill(self->r.t.pid, SIGINT));
	finish(_metadata, &self->r);
	EXPECT_TRUE(WIFSIGNALED(self->r.t.status) &&
		    WTERMSIG(self->r.t.status) == SIGINT)
		TH_LOG("status %#x, stderr %s", self->r.t.status, self->r.t.errbuf);
	/* The workers go with it (their parent-death signal). */
	for (int k = 0; k < n; k++) {
		for (i = 0; i < 200 && !gone(kids[k]); i++)
			ts_sleep_ms(10);
		EXPECT_TRUE(gone(kids[k])) TH_LOG("worker %d lives", kids[k]);
	}
}

/* ---- usage ---- */

FIXTURE(usage) {
	struct lab_run r;
};

FIXTURE_SETUP(usage)
{
	run_init(&self->r);
}

FIXTURE_TEARDOWN(usage)
{
	run_release(&self->r);
}

TEST_F(usage, bad_usage_is_one_line_and_exit_2)
{
	static const char *const bad[][5] = {
		{ "--bogus" },
		{ "--threads", "0" },
		{ "--threads", "9" },
		{ "--procs", "x" },
		{ "--procs", "2", "--threads", "2" },
		{ "--threads", "2", "--procs", "2" },
		{ "--tasks", "0" },
		{ "--tasks", "100000000000" },
		{ "--work-us", "-1" },
		{ "--interval-ms", "x" },
		{ "--tasks" },
		{ "extra" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *argv[8] = { "ipclab", "pool" };

		for (int j = 0; j < 5 && bad[i][j]; j++)
			argv[j + 2] = (char *)bad[i][j];
		ts_expect_bad_usage(_metadata, &self->r.t, "ipclab", argv,
				    "ipclab: pool: ");
	}
}

TEST_F(usage, help_is_exit_0)
{
	char *argv[] = { "ipclab", "pool", "--help", NULL };

	run(_metadata, &self->r, argv);
	EXPECT_TRUE(ts_exited_with(self->r.t.status, 0));
	EXPECT_NE(NULL, strstr(self->r.t.outbuf, "usage: ipclab pool"));
}

TEST_HARNESS_MAIN
