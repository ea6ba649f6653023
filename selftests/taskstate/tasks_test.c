// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/taskstate/tasks and /proc/taskstate/processes: the header, a blocked
 * task with its wait site, a spinning one, a process's threads, and whole
 * lines with no duplicate while tasks come and go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"

#define TASKS_PATH "/proc/taskstate/tasks"
#define PROCESSES_PATH "/proc/taskstate/processes"
#define TASKS_COLUMNS 11
#define PROCESSES_COLUMNS 11

struct task_line {
	int pid, tgid;
	char comm[80], state[16], letter[8], site[160];
	unsigned long long run_ms, ready_ms, blocked_ms;
	unsigned long nvcsw, nivcsw;
};

struct process_line {
	int tgid;
	char comm[80];
	unsigned int threads, n_new, n_ready, n_running, n_blocked, n_exit;
	unsigned long long run_ms, ready_ms, blocked_ms;
};

/* The whole file in one buffer (NUL-terminated), or NULL. */
static char *read_file(const char *path)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static int count_words(const char *line)
{
	int n = 0, in = 0;

	for (; *line && *line != '\n'; line++) {
		if (*line == ' ') {
			in = 0;
		} else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

/* One data line of the tasks file: true when it has every column. */
static bool parse_task(const char *line, struct task_line *t)
{
	return count_words(line) == TASKS_COLUMNS &&
	       sscanf(line, "%d %d %79s %15s %7s %llu %llu %llu %lu %lu %159s",
		      &t->pid, &t->tgid, t->comm, t->state, t->letter,
		      &t->run_ms, &t->ready_ms, &t->blocked_ms, &t->nvcsw,
		      &t->nivcsw, t->site) == TASKS_COLUMNS;
}

static bool parse_process(const char *line, struct process_line *p)
{
	return count_words(line) == PROCESSES_COLUMNS &&
	       sscanf(line, "%d %79s %u %u %u %u %u %u %llu %llu %llu",
		      &p->tgid, p->comm, &p->threads, &p->n_new, &p->n_ready,
		      &p->n_running, &p->n_blocked, &p->n_exit, &p->run_ms,
		      &p->ready_ms, &p->blocked_ms) == PROCESSES_COLUMNS;
}

static const char *next_line(const char *s)
{
	s = strchr(s, '\n');
	return s ? s + 1 : NULL;
}

/* The line of @pid in the tasks file; false when it is not there. */
static bool find_task(int pid, struct task_line *out)
{
	char *buf = read_file(TASKS_PATH);
	const char *l;
	bool found = false;

	if (!buf)
		return false;
	for (l = next_line(buf); l && *l; l = next_line(l)) {
		struct task_line t;

		if (parse_task(l, &t) && t.pid == pid) {
			*out = t;
			found = true;
			break;
		}
	}
	free(buf);
	return found;
}

static bool find_process(int tgid, struct process_line *out)
{
	char *buf = read_file(PROCESSES_PATH);
	const char *l;
	bool found = false;

	if (!buf)
		return false;
	for (l = next_line(buf); l && *l; l = next_line(l)) {
		struct process_line p;

		if (parse_process(l, &p) && p.tgid == tgid) {
			*out = p;
			found = true;
			break;
		}
	}
	free(buf);
	return found;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define CONFIG_PATH "/proc/taskstate/config"

/* One key=value line into the config file; a procfs write at offset 0. */
static bool write_config(const char *line)
{
	int fd = open(CONFIG_PATH, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, line, strlen(line)) == (ssize_t)strlen(line);

	if (fd >= 0)
		close(fd);
	return ok;
}

FIXTURE(tasks) {
	bool wait_sites_was_on;
};

/*
 * With no session open the module records wait sites only when asked
 * (wait_sites=1, off by default): the tasks file's WAIT_SITE column is
 * what these tests look at.
 */
FIXTURE_SETUP(tasks)
{
	char *cfg;

	if (access("/proc/taskstate", F_OK) && errno == ENOENT)
		SKIP(return, MODULE_MISSING);
	cfg = read_file(CONFIG_PATH);
	ASSERT_NE(NULL, cfg);
	self->wait_sites_was_on = strstr(cfg, "wait_sites=1\n") != NULL;
	free(cfg);
	ASSERT_TRUE(write_config("wait_sites=1"));
}

FIXTURE_TEARDOWN(tasks)
{
	if (!_metadata->skip && !self->wait_sites_was_on)
		write_config("wait_sites=0");
}

TEST_F(tasks, header_lines)
{
	char *buf;

	RETURN_IF_SETUP_SKIPPED();

	buf = read_file(TASKS_PATH);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, strncmp(buf, "    PID    TGID COMM             STATE   S", 42))
		TH_LOG("header: %.120s", buf);
	EXPECT_EQ(TASKS_COLUMNS, count_words(buf));
	EXPECT_NE(NULL, strstr(buf, "RUN_MS   READY_MS BLOCKED_MS     NVCSW    NIVCSW WAIT_SITE\n"));
	free(buf);

	buf = read_file(PROCESSES_PATH);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(0, strncmp(buf, "   TGID COMM             THREADS   NEW READY RUNNING BLOCKED  EXIT", 66))
		TH_LOG("header: %.120s", buf);
	EXPECT_EQ(PROCESSES_COLUMNS, count_words(buf));
	free(buf);
}

TEST_F(tasks, pipe_reader_is_blocked_in_pipe_read)
{
	struct task_line t = { 0 };
	int fds[2], i;
	bool seen = false;
	pid_t child;
	char c;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe(fds));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 1 ? 0 : 1);
	}
	close(fds[0]);
	for (i = 0; i < 100 && !seen; i++) {
		sleep_ms(20);
		seen = find_task(child, &t) && !strcmp(t.state, "blocked");
	}
	EXPECT_TRUE(seen) TH_LOG("pid %d: state %s", child, t.state);
	EXPECT_EQ(child, t.tgid);
	EXPECT_STREQ("S", t.letter);
	EXPECT_TRUE(ts_pipe_read_site(t.site)) TH_LOG("%s", t.site);
	ASSERT_EQ(1, write(fds[1], "x", 1));
	close(fds[1]);
	ASSERT_EQ(child, waitpid(child, NULL, 0));
}

TEST_F(tasks, spinning_child_runs)
{
	struct task_line a = { 0 }, b = { 0 };
	pid_t child;

	RETURN_IF_SETUP_SKIPPED();

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		alarm(30);
		for (;;)
			;
	}
	sleep_ms(200);
	EXPECT_TRUE(find_task(child, &a));
	sleep_ms(500);
	EXPECT_TRUE(find_task(child, &b));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	EXPECT_TRUE(!strcmp(b.state, "running") || !strcmp(b.state, "ready"))
		TH_LOG("state %s", b.state);
	EXPECT_STREQ("R", b.letter);
	EXPECT_STREQ("-", b.site);
	EXPECT_LT(a.run_ms, b.run_ms);
}

static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;
static bool park_done;

/* The one thread that keeps running (or waiting for a CPU) meanwhile. */
static void *spin(void *arg)
{
	while (!__atomic_load_n(&park_done, __ATOMIC_RELAXED))
		;
	return arg;
}

static void *park(void *arg)
{
	pthread_mutex_lock(&park_lock);
	while (!park_done)
		pthread_cond_wait(&park_cond, &park_lock);
	pthread_mutex_unlock(&park_lock);
	return arg;
}

/* Threads of this process that the tasks file shows, and how many blocked. */
static int count_threads(int tgid, int *blocked)
{
	char *buf = read_file(TASKS_PATH);
	const char *l;
	int n = 0;

	*blocked = 0;
	if (!buf)
		return -1;
	for (l = next_line(buf); l && *l; l = next_line(l)) {
		struct task_line t;

		if (parse_task(l, &t) && t.tgid == tgid) {
			n++;
			*blocked += !strcmp(t.state, "blocked");
		}
	}
	free(buf);
	return n;
}

TEST_F(tasks, threads_of_a_process)
{
	struct process_line p = { 0 };
	int i, n = 0, blocked = 0;
	pthread_t th[3];

	RETURN_IF_SETUP_SKIPPED();

	/* Four threads: this one and a spinner run, two wait on a condvar. */
	park_done = false;
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, i ? park : spin, NULL));
	for (i = 0; i < 100; i++) {
		n = count_threads(getpid(), &blocked);
		if (n == 4 && blocked == 2)
			break;
		sleep_ms(20);
	}
	EXPECT_EQ(4, n);
	EXPECT_EQ(2, blocked);
	EXPECT_TRUE(find_process(getpid(), &p));
	EXPECT_EQ(4, p.threads);
	EXPECT_EQ(2, p.n_blocked);
	EXPECT_EQ(2, p.n_running + p.n_ready);
	EXPECT_EQ(4, p.n_new + p.n_ready + p.n_running + p.n_blocked + p.n_exit);

	pthread_mutex_lock(&park_lock);
	park_done = true;
	pthread_cond_broadcast(&park_cond);
	pthread_mutex_unlock(&park_lock);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));
}

/* "run_ns wait_ns timeslices" of /proc/PID/schedstat. */
static bool read_schedstat(pid_t pid, unsigned long long *run,
			   unsigned long long *wait)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fscanf(f, "%llu %llu", run, wait) == 2;
	fclose(f);
	return ok;
}

static bool read_switches(pid_t pid, unsigned long *vol, unsigned long *invol)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		found += sscanf(line, "voluntary_ctxt_switches: %lu", vol);
		found += sscanf(line, "nonvoluntary_ctxt_switches: %lu", invol);
	}
	fclose(f);
	return found == 2;
}

/* Within 5 percent, or 2 ms for short times (the file shows whole ms). */
static bool close_enough(unsigned long long ms, unsigned long long ref_ns)
{
	double ref = ref_ns / 1e6, diff = ms > ref ? ms - ref : ref - ms;

	return diff <= 2 || diff <= ref * 0.05;
}

TEST_F(tasks, times_agree_with_proc)
{
	unsigned long long run_ns, wait_ns;
	unsigned long vol, invol;
	struct task_line t = { 0 };
	pid_t child, rival;
	int p[2];
	char c;

	RETURN_IF_SETUP_SKIPPED();

	/* Child and rival share CPU 0: the child runs, waits and sleeps. */
	ASSERT_EQ(0, pipe(p));
	rival = fork();
	ASSERT_LE(0, rival);
	if (rival == 0) {
		pin_cpu0();
		alarm(30);
		for (;;)
			;
	}
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pin_cpu0();
		for (int i = 0; i < 10; i++) {
			double until = now_s() + 0.02;

			while (now_s() < until)
				;
			sleep_ms(20);
		}
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	/* Blocked on the pipe: its run and ready times stand still. */
	for (int i = 0; i < 200; i++) {
		if (find_task(child, &t) && ts_pipe_read_site(t.site))
			break;
		sleep_ms(20);
	}
	kill(rival, SIGKILL);
	waitpid(rival, NULL, 0);
	ASSERT_TRUE(find_task(child, &t));
	ASSERT_TRUE(read_schedstat(child, &run_ns, &wait_ns));
	ASSERT_TRUE(read_switches(child, &vol, &invol));
	ASSERT_EQ(1, write(p[1], "x", 1));
	ASSERT_EQ(child, waitpid(child, NULL, 0));
	close(p[0]);
	close(p[1]);

	TH_LOG("tasks: run %llu ready %llu ms, %lu/%lu switches; "
	       "schedstat: run %.1f wait %.1f ms; status: %lu/%lu",
	       t.run_ms, t.ready_ms, t.nvcsw, t.nivcsw, run_ns / 1e6,
	       wait_ns / 1e6, vol, invol);
	EXPECT_TRUE(ts_pipe_read_site(t.site)) TH_LOG("%s", t.site);
	EXPECT_LT(100, t.run_ms);	/* ten spins of 20 ms */
	EXPECT_TRUE(close_enough(t.run_ms, run_ns));
	EXPECT_TRUE(close_enough(t.ready_ms, wait_ns));
	EXPECT_EQ(vol, t.nvcsw);
	EXPECT_EQ(invol, t.nivcsw);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Every line whole, no pid twice in one read. */
static void check_one_read(struct __test_metadata *_metadata)
{
	char *buf = read_file(TASKS_PATH);
	int *pids, n = 0, cap = 1024, i;
	const char *l;

	ASSERT_NE(NULL, buf);
	pids = malloc(cap * sizeof(*pids));
	ASSERT_NE(NULL, pids);
	ASSERT_EQ(TASKS_COLUMNS, count_words(buf));
	for (l = next_line(buf); l && *l; l = next_line(l)) {
		struct task_line t;

		ASSERT_TRUE(parse_task(l, &t))
			TH_LOG("torn line: %.160s", l);
		if (n == cap) {
			cap *= 2;
			pids = realloc(pids, cap * sizeof(*pids));
			ASSERT_NE(NULL, pids);
		}
		pids[n++] = t.pid;
	}
	ASSERT_LT(0, n);
	qsort(pids, n, sizeof(*pids), cmp_int);
	for (i = 1; i < n; i++)
		ASSERT_NE(pids[i - 1], pids[i]) TH_LOG("pid %d twice", pids[i]);
	free(pids);
	free(buf);
}

TEST_F(tasks, whole_lines_while_tasks_come_and_go)
{
	pid_t churn[4];
	double end;
	int i, reads = 0;

	RETURN_IF_SETUP_SKIPPED();

	for (i = 0; i < 4; i++) {
		churn[i] = fork();
		ASSERT_LE(0, churn[i]);
		if (churn[i] == 0) {
			end = now_s() + 1.0;
			while (now_s() < end) {
				pid_t c = fork();

				if (c == 0)
					_exit(0);
				if (c > 0)
					waitpid(c, NULL, 0);
			}
			_exit(0);
		}
	}
	end = now_s() + 1.0;
	while (now_s() < end) {
		check_one_read(_metadata);
		reads++;
	}
	for (i = 0; i < 4; i++)
		ASSERT_EQ(churn[i], waitpid(churn[i], NULL, 0));
	EXPECT_LT(0, reads);
}

TEST_HARNESS_MAIN
