// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/taskstate as a reader sees it, through libtaskstate's stream: bad
 * input is refused without changing the session, filters select exactly
 * their tasks, workloads with known steps produce exactly those events,
 * and a full buffer loses events visibly and countably.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/decode.h"
#include "lib/stream.h"
#include "lib/util.h"

#define NSEC_PER_MSEC	1000000ull
#define MAX_KIDS	8
/* Long enough for a slow VM, short of the harness's 30 s per test. */
#define WAIT_MS		10000

FIXTURE(stream) {
	struct ts_stream *s;
	struct ts_stream *second;	/* a test's other session, or NULL */
	pid_t kids[MAX_KIDS];		/* not yet reaped; 0: free slot */
	struct taskstate_event *ev;	/* what the test has read so far */
	size_t n, cap;
};

FIXTURE_SETUP(stream)
{
	self->s = ts_stream_open(NULL, 0);
	if (!self->s && errno == ENOENT)
		SKIP(return, MODULE_MISSING);
	ASSERT_NE(NULL, self->s) TH_LOG("open %s: %s", TS_DEV_PATH,
					strerror(errno));
}

FIXTURE_TEARDOWN(stream)
{
	/* Children spin or block forever unless told: end them. */
	for (int i = 0; i < MAX_KIDS; i++) {
		if (self->kids[i] > 0) {
			kill(self->kids[i], SIGKILL);
			waitpid(self->kids[i], NULL, 0);
		}
	}
	ts_stream_close(self->second);
	ts_stream_close(self->s);
	free(self->ev);
}

/* fork(), the child dying with the test should the test die first. */
static pid_t kid(struct __test_metadata *_metadata,
		 FIXTURE_DATA(stream) *self)
{
	pid_t parent = getpid(), pid;
	int i;

	for (i = 0; i < MAX_KIDS && self->kids[i]; i++)
		;
	ASSERT_LT(i, MAX_KIDS);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(99);
		return 0;
	}
	self->kids[i] = pid;
	return pid;
}

/* waitpid() a child of kid(); its wait status. */
static int reap(struct __test_metadata *_metadata, FIXTURE_DATA(stream) *self,
		pid_t pid)
{
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	for (int i = 0; i < MAX_KIDS; i++)
		if (self->kids[i] == pid)
			self->kids[i] = 0;
	return status;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Switches away while runnable: a yield that switched counts here. */
static long yield_switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nivcsw;
}

/* In a child: block until the test writes a byte to @fd. */
static void wait_for_go(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(98);
}

static void go(struct __test_metadata *_metadata, int fd)
{
	ASSERT_EQ(1, write(fd, "g", 1));
}

/* Until @pid sleeps (S in /proc/PID/stat): then it waits for us. */
static void wait_sleeping(struct __test_metadata *_metadata, pid_t pid)
{
	ASSERT_TRUE(ts_wait_state(pid, 'S', WAIT_MS))
		TH_LOG("pid %d never went to sleep", pid);
}

static void filter_pid(struct __test_metadata *_metadata, struct ts_stream *s,
		       uint32_t flags, pid_t pid)
{
	struct taskstate_filter f;

	ASSERT_EQ(0, ts_filter_pids(&f, flags, &pid, 1));
	ASSERT_EQ(0, ts_stream_set_filter(s, &f));
}

/* An event to look for: pid 0 and ANY match everything. */
struct match {
	pid_t pid;
	int from, to, cause;
};

#define ANY (-1)
#define M(pid, from, to, cause) (&(const struct match){ pid, from, to, cause })

static bool matches(const struct taskstate_event *ev, const struct match *m)
{
	return ev->kind == TASKSTATE_KIND_EVENT &&
	       (!m->pid || ev->pid == m->pid) &&
	       (m->from == ANY || ev->from == m->from) &&
	       (m->to == ANY || ev->to == m->to) &&
	       (m->cause == ANY || ev->cause == m->cause);
}

/* The first record from @start on that @m matches, or -1. */
static ssize_t find(FIXTURE_DATA(stream) *self, size_t start,
		    const struct match *m)
{
	for (size_t i = start; i < self->n; i++)
		if (matches(&self->ev[i], m))
			return i;
	return -1;
}

/* The first event from @start on of a task not in process @a or @b, or -1. */
static ssize_t first_stranger(FIXTURE_DATA(stream) *self, size_t start,
			      pid_t a, pid_t b)
{
	for (size_t i = start; i < self->n; i++) {
		const struct taskstate_event *ev = &self->ev[i];

		if (ev->kind == TASKSTATE_KIND_EVENT && ev->tgid != a &&
		    ev->tgid != b)
			return i;
	}
	return -1;
}

static size_t count_events(FIXTURE_DATA(stream) *self, size_t start)
{
	size_t n = 0;

	for (size_t i = start; i < self->n; i++)
		n += self->ev[i].kind == TASKSTATE_KIND_EVENT;
	return n;
}

/* The last records read, as text, to see what happened on a failure. */
static void dump(struct __test_metadata *_metadata, FIXTURE_DATA(stream) *self,
		 size_t from)
{
	char line[256];

	if (self->n > from + 60)
		from = self->n - 60;
	for (size_t i = from; i < self->n; i++) {
		ts_event_format_text(&self->ev[i], line, sizeof(line));
		TH_LOG("  [%zu] %s", i, line);
	}
}

/*
 * Read from @s into self->ev until a record from index @start on matches
 * @m, or @ms pass.  With @m NULL, read what there is: until one read finds
 * nothing for @ms (or @ms pass in all).  Returns the index of the match,
 * or -1.
 */
static ssize_t read_until(struct __test_metadata *_metadata,
			  FIXTURE_DATA(stream) *self, struct ts_stream *s,
			  size_t start, const struct match *m, int ms)
{
	uint64_t deadline = now_ns() + ms * NSEC_PER_MSEC;
	ssize_t at = m ? find(self, start, m) : -1;

	while (at < 0) {
		uint64_t now = now_ns();
		ssize_t n;

		if (now >= deadline)
			return -1;
		if (self->cap - self->n < TS_STREAM_BATCH) {
			size_t cap = self->cap ? 2 * self->cap : 4096;
			void *ev = realloc(self->ev, cap * sizeof(*self->ev));

			ASSERT_GE(1 << 22, cap) TH_LOG("too many records");
			ASSERT_NE(NULL, ev);
			self->ev = ev;
			self->cap = cap;
		}
		n = ts_stream_read(s, self->ev + self->n, TS_STREAM_BATCH,
				   m ? (int)((deadline - now) / NSEC_PER_MSEC) + 1 : ms);
		ASSERT_LE(0, n) TH_LOG("read: %s", strerror(-n));
		if (!n && !m)
			return -1;	/* quiet: all read */
		self->n += n;
		if (m)
			at = find(self, self->n - n > start ? self->n - n : start, m);
	}
	return at;
}

/* Read until @m is seen, failing the test with the records so far if not. */
static size_t expect_event(struct __test_metadata *_metadata,
			   FIXTURE_DATA(stream) *self, size_t start,
			   const struct match *m, const char *what)
{
	ssize_t at = read_until(_metadata, self, self->s, start, m, WAIT_MS);

	if (at < 0) {
		dump(_metadata, self, start);
		ASSERT_LE(0, at) TH_LOG("no %s among %zu records", what,
					self->n - start);
	}
	return at;
}

static bool same_stats(const struct taskstate_stats *a,
		       const struct taskstate_stats *b)
{
	return a->produced == b->produced && a->delivered == b->delivered &&
	       a->lost == b->lost && a->untracked == b->untracked &&
	       a->buffer_records == b->buffer_records && a->nr_cpus == b->nr_cpus;
}

TEST_F(stream, bad_input_is_refused_and_changes_nothing)
{
	struct taskstate_stats before, after;
	struct taskstate_filter good, bad;
	char rec[TASKSTATE_RECORD_SIZE];
	pid_t sleeper;
	int fd;
	void *gone;
	__u32 n;

	RETURN_IF_SETUP_SKIPPED();

	fd = ts_stream_fd(self->s);
	/* A task with events all the time: its own and nobody else's. */
	sleeper = kid(_metadata, self);
	if (sleeper == 0) {
		for (;;)
			usleep(2000);
	}
	filter_pid(_metadata, self->s, TASKSTATE_FILTER_PIDS, sleeper);
	good = (struct taskstate_filter){ 0 };
	ASSERT_EQ(0, ts_filter_pids(&good, TASKSTATE_FILTER_PIDS, &sleeper, 1));
	ASSERT_EQ(0, ts_stream_set_buffer(self->s, 64));
	ASSERT_EQ(0, ts_stream_stats(self->s, &before));
	EXPECT_EQ(64, before.buffer_records);
	EXPECT_LT(0, before.nr_cpus);

	EXPECT_EQ(-1, ioctl(fd, _IO(TASKSTATE_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	/* The right number with the wrong size is another command. */
	EXPECT_EQ(-1, ioctl(fd, _IOR(TASKSTATE_IOC_MAGIC, 4, __u32), &n));
	EXPECT_EQ(ENOTTY, errno);

	bad = good;
	bad.flags |= 1U << 6;
	EXPECT_EQ(-EINVAL, ts_stream_set_filter(self->s, &bad));
	bad = good;
	bad.flags |= 1U << 31;
	EXPECT_EQ(-EINVAL, ts_stream_set_filter(self->s, &bad));
	bad = good;
	bad.nr_ids = TASKSTATE_FILTER_MAX_IDS + 1;
	EXPECT_EQ(-EINVAL, ts_stream_set_filter(self->s, &bad));
	bad.nr_ids = UINT32_MAX;
	EXPECT_EQ(-EINVAL, ts_stream_set_filter(self->s, &bad));
	bad = good;
	bad.ids[0] = 0;
	EXPECT_EQ(-EINVAL, ts_stream_set_filter(self->s, &bad));
	bad.ids[0] = -1;
	EXPECT_EQ(-EINVAL, ts_stream_set_filter(self->s, &bad));
	bad = good;
	bad.nr_ids = 2;		/* ids[1] is 0 */
	EXPECT_EQ(-EINVAL, ts_stream_set_filter(self->s, &bad));
	bad = good;
	bad.__reserved = 1;
	EXPECT_EQ(-EINVAL, ts_stream_set_filter(self->s, &bad));

	gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_EQ(0, munmap(gone, 4096));
	EXPECT_EQ(-EFAULT, ts_stream_set_filter(self->s, gone));
	EXPECT_EQ(-1, ioctl(fd, TASKSTATE_IOC_SET_BUFFER, gone));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, TASKSTATE_IOC_GET_STATS, gone));
	EXPECT_EQ(EFAULT, errno);

	EXPECT_EQ(-EINVAL, ts_stream_set_buffer(self->s, 0));
	EXPECT_EQ(-EINVAL, ts_stream_set_buffer(self->s, TASKSTATE_BUFFER_MIN - 1));
	EXPECT_EQ(-EINVAL, ts_stream_set_buffer(self->s, TASKSTATE_BUFFER_MAX + 1));
	EXPECT_EQ(-EINVAL, ts_stream_set_buffer(self->s, UINT32_MAX));

	/* Too small for a record: refused, and it does not start the session. */
	EXPECT_EQ(-1, read(fd, rec, sizeof(rec) - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(fd, rec, 0));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, ts_stream_stats(self->s, &after));
	EXPECT_TRUE(same_stats(&before, &after));
	EXPECT_EQ(0, after.produced);
	/* Still not started: the buffer can change. */
	ASSERT_EQ(0, ts_stream_set_buffer(self->s, 128));

	ASSERT_EQ(0, ts_stream_start(self->s));
	EXPECT_EQ(0, ts_stream_start(self->s));	/* again: no harm */
	EXPECT_EQ(-EBUSY, ts_stream_set_buffer(self->s, 256));
	EXPECT_EQ(-EINVAL, ts_stream_set_buffer(self->s, 0));
	EXPECT_EQ(-1, read(fd, rec, sizeof(rec) - 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ts_stream_stats(self->s, &after));
	EXPECT_EQ(128, after.buffer_records);
	EXPECT_EQ(0, after.delivered);

	/*
	 * The PIDS filter on the sleeper still holds: the sleeper's events
	 * come, and none of this process (which blocks in read() meanwhile)
	 * nor of anything else.
	 */
	read_until(_metadata, self, self->s, 0, M(getpid(), ANY, ANY, ANY), 300);
	EXPECT_EQ(-1, first_stranger(self, 0, sleeper, sleeper))
		dump(_metadata, self, 0);
	EXPECT_LT(0, count_events(self, 0));
	ASSERT_EQ(0, ts_stream_stats(self->s, &after));
	EXPECT_LE(count_events(self, 0), after.delivered);
}

TEST_F(stream, descendants_are_followed_and_nothing_else)
{
	int gofd[2], status;
	pid_t child, gc, me = getpid();
	ssize_t fork_at, at;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe2(gofd, O_CLOEXEC));
	child = kid(_metadata, self);
	if (child == 0) {
		pid_t pid;

		wait_for_go(gofd[0]);
		pid = fork();
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			_exit(97);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 96);
	}
	filter_pid(_metadata, self->s, TASKSTATE_FILTER_DESCENDANTS, child);
	ASSERT_EQ(0, ts_stream_start(self->s));
	go(_metadata, gofd[1]);

	fork_at = expect_event(_metadata, self, 0,
			       M(0, TASKSTATE_NONE, TASKSTATE_NEW, TASKSTATE_CAUSE_FORK),
			       "fork of the grandchild");
	gc = self->ev[fork_at].pid;
	EXPECT_EQ(child, self->ev[fork_at].other_pid);
	EXPECT_EQ(gc, self->ev[fork_at].tgid);
	EXPECT_NE(child, gc);

	/* The grandchild's whole life, to its release by the child. */
	at = expect_event(_metadata, self, fork_at,
			  M(gc, ANY, ANY, TASKSTATE_CAUSE_REAPED),
			  "reaped record of the grandchild");
	EXPECT_EQ(child, self->ev[at].other_pid);
	EXPECT_LE(0, find(self, fork_at, M(gc, TASKSTATE_NEW, TASKSTATE_READY,
					   TASKSTATE_CAUSE_CREATED)));
	at = find(self, fork_at, M(gc, ANY, ANY, TASKSTATE_CAUSE_EXEC));
	ASSERT_LE(0, at) dump(_metadata, self, 0);
	EXPECT_STREQ("true", self->ev[at].comm);
	at = find(self, fork_at, M(gc, ANY, TASKSTATE_EXIT, ANY));
	ASSERT_LE(0, at) dump(_metadata, self, 0);
	EXPECT_EQ(TASKSTATE_CAUSE_EXIT, self->ev[at].cause);

	EXPECT_EQ(0, reap(_metadata, self, child));
	/* Threads would have the tgid of one of them. */
	EXPECT_EQ(-1, first_stranger(self, 0, child, gc)) dump(_metadata, self, 0);
	EXPECT_EQ(-1, find(self, 0, M(me, ANY, ANY, ANY)));
}

/*
 * A child that, once told on @gofd, reads one byte from @data: asleep in
 * the go pipe's read first, then in the data pipe's.
 */
static pid_t pipe_reader(struct __test_metadata *_metadata,
			 FIXTURE_DATA(stream) *self, int gofd[2], int data[2])
{
	pid_t child;

	ASSERT_EQ(0, pipe2(gofd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(data, O_CLOEXEC));
	child = kid(_metadata, self);
	if (child == 0) {
		char c;

		wait_for_go(gofd[0]);
		_exit(read(data[0], &c, 1) == 1 ? 0 : 1);
	}
	return child;
}

TEST_F(stream, a_pipe_reader_blocks_in_pipe_read)
{
	int gofd[2], data[2];
	pid_t child;
	ssize_t blocked, woken;

	RETURN_IF_SETUP_SKIPPED();

	child = pipe_reader(_metadata, self, gofd, data);
	/*
	 * Asleep on the go pipe before the session starts: the first sleep
	 * recorded is then the one on the data pipe.
	 */
	wait_sleeping(_metadata, child);
	filter_pid(_metadata, self->s, TASKSTATE_FILTER_PIDS, child);
	ASSERT_EQ(0, ts_stream_start(self->s));
	go(_metadata, gofd[1]);

	/*
	 * On PREEMPT_RT the reader may first wait briefly for a spinlock (a
	 * sleeping lock there, shown as D) on its way from the go pipe: the
	 * block on the data pipe is its sleep.
	 */
	blocked = expect_event(_metadata, self, 0,
			       M(child, TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
				 TASKSTATE_CAUSE_SLEEP),
			       "block of the reader");
	/* Blocked since at least that event: 50 ms more before the write. */
	sleep_ms(50);
	ASSERT_EQ(1, write(data[1], "d", 1));
	woken = expect_event(_metadata, self, blocked,
			     M(child, TASKSTATE_BLOCKED, TASKSTATE_READY, ANY),
			     "wakeup of the reader");

	const struct taskstate_event *b = &self->ev[blocked], *w = &self->ev[woken];

	EXPECT_EQ(TASKSTATE_TR_BLOCK, b->transition);
	EXPECT_EQ(TASKSTATE_CAUSE_SLEEP, b->cause);
	EXPECT_EQ('S', b->linux_state);
	EXPECT_TRUE(ts_pipe_read_site(b->wait_site)) TH_LOG("%s", b->wait_site);
	EXPECT_EQ(TASKSTATE_TR_WAKE, w->transition);
	EXPECT_EQ(TASKSTATE_CAUSE_WAKEUP, w->cause);
	EXPECT_EQ(getpid(), w->other_pid);
	EXPECT_LE(40 * NSEC_PER_MSEC, w->prev_state_ns);
	EXPECT_STREQ("", w->wait_site);
	EXPECT_LE(b->ts_ns + 40 * NSEC_PER_MSEC, w->ts_ns);
	EXPECT_EQ(0, reap(_metadata, self, child));
}

/* Until @pid sleeps in system call @nr (its /proc/PID/syscall). */
static void wait_sleeping_in(struct __test_metadata *_metadata, pid_t pid,
			     long nr)
{
	char path[64], line[256];
	long waited;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (waited = 0; waited < TS_MS(WAIT_MS); waited += 10) {
		if (ts_proc_state(pid) == 'S' && !ts_read_line(path, line, sizeof(line)) &&
		    strtol(line, NULL, 10) == nr)
			return;
		usleep(10000);
	}
	ASSERT_TRUE(false) TH_LOG("pid %d never slept in system call %ld", pid, nr);
}

/*
 * The probe remembers how it unwound a task's last block and, when the
 * task blocks again, checks the stack for the same return addresses
 * before walking it.  A task that sleeps by turns in a pipe's read and in
 * nanosleep() must get each block's own site, never the one before.
 */
TEST_F(stream, a_task_that_blocks_by_turns_in_two_places_gets_each_site)
{
	const int rounds = 8;
	int data[2], reads = 0, sleeps = 0;
	const char *sleep_site = NULL;
	pid_t child;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe2(data, O_CLOEXEC));
	child = kid(_metadata, self);
	if (child == 0) {
		char c;

		for (int i = 0; i < rounds; i++) {
			if (read(data[0], &c, 1) != 1)
				_exit(1);
			sleep_ms(1);
		}
		_exit(0);
	}
	wait_sleeping_in(_metadata, child, SYS_read);
	filter_pid(_metadata, self->s, TASKSTATE_FILTER_PIDS, child);
	ASSERT_EQ(0, ts_stream_start(self->s));
	for (int i = 0; i < rounds; i++) {
		/* Only once it sleeps in read(): each round blocks there once. */
		if (i)
			wait_sleeping_in(_metadata, child, SYS_read);
		/*
		 * Both sites named by now: the probe remembers only walks
		 * that stopped at a site some reader had named.
		 */
		if (i == 1)
			read_until(_metadata, self, self->s, self->n, NULL, 20);
		ASSERT_EQ(1, write(data[1], "d", 1));
	}
	EXPECT_EQ(0, reap(_metadata, self, child));
	read_until(_metadata, self, self->s, self->n,
		   M(child, ANY, TASKSTATE_EXIT, ANY), WAIT_MS);

	/* S only: on PREEMPT_RT a spinlock's sleep (D) can come in between. */
	for (size_t i = 0; i < self->n; i++) {
		const struct taskstate_event *ev = &self->ev[i];

		if (!matches(ev, M(child, TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
				   ANY)) || ev->linux_state != 'S')
			continue;
		if (ts_pipe_read_site(ev->wait_site)) {
			reads++;
			continue;
		}
		sleeps++;
		EXPECT_NE('\0', ev->wait_site[0]) TH_LOG("block %zu has no site", i);
		if (!sleep_site)
			sleep_site = ev->wait_site;
		EXPECT_STREQ(sleep_site, ev->wait_site) TH_LOG("block %zu", i);
	}
	/* The first read blocked before the session started. */
	EXPECT_EQ(rounds - 1, reads) dump(_metadata, self, 0);
	/* A sleep that a preemption outlasted does not block. */
	EXPECT_LE(1, sleeps) dump(_metadata, self, 0);
}

/*
 * The probe unwinds a blocking switch once, for the first session that
 * takes the event and wants its wait site.  A session that wants none,
 * opened first, must not keep the site from one opened after it.
 */
TEST_F(stream, a_session_without_sites_leaves_them_to_the_next)
{
	struct taskstate_filter f;
	int gofd[2], data[2];
	pid_t child;
	ssize_t first, second;

	RETURN_IF_SETUP_SKIPPED();

	child = pipe_reader(_metadata, self, gofd, data);
	wait_sleeping(_metadata, child);
	/* self->s was opened first: the probes meet it first. */
	ASSERT_EQ(0, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS, &child, 1));
	f.flags |= TASKSTATE_FILTER_NO_WAIT_SITE;
	ASSERT_EQ(0, ts_stream_set_filter(self->s, &f));
	ASSERT_EQ(0, ts_stream_start(self->s));
	self->second = ts_stream_open(NULL, 0);
	ASSERT_NE(NULL, self->second);
	filter_pid(_metadata, self->second, TASKSTATE_FILTER_PIDS, child);
	ASSERT_EQ(0, ts_stream_start(self->second));
	go(_metadata, gofd[1]);

	first = expect_event(_metadata, self, 0,
			     M(child, TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
			       TASKSTATE_CAUSE_SLEEP), "block, first session");
	second = read_until(_metadata, self, self->second, self->n,
			    M(child, TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
			      TASKSTATE_CAUSE_SLEEP), WAIT_MS);
	ASSERT_LE(0, second) dump(_metadata, self, first);
	ASSERT_EQ(1, write(data[1], "d", 1));
	EXPECT_EQ(0, reap(_metadata, self, child));

	/* The same block, seen by both. */
	EXPECT_EQ(self->ev[first].ts_ns, self->ev[second].ts_ns);
	EXPECT_STREQ("", self->ev[first].wait_site);
	EXPECT_TRUE(ts_pipe_read_site(self->ev[second].wait_site))
		TH_LOG("second session's site: '%s'", self->ev[second].wait_site);
}

/*
 * Fork, admit, dispatch, block, wake, exit(3), reaped: transitions 1, 2,
 * 3, 6, 7 and 4 of one child, seen through its parent's descendants.
 */
TEST_F(stream, a_childs_life_in_events)
{
	int gofd[2];
	pid_t child, me = getpid();
	ssize_t at, blocked;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe2(gofd, O_CLOEXEC));
	filter_pid(_metadata, self->s, TASKSTATE_FILTER_DESCENDANTS, me);
	ASSERT_EQ(0, ts_stream_start(self->s));
	child = kid(_metadata, self);
	if (child == 0) {
		wait_for_go(gofd[0]);
		_exit(3);
	}
	at = expect_event(_metadata, self, 0, M(child, ANY, ANY, ANY),
			  "first event of the child");
	EXPECT_EQ(TASKSTATE_TR_CREATE, self->ev[at].transition);
	EXPECT_EQ(TASKSTATE_CAUSE_FORK, self->ev[at].cause);
	EXPECT_EQ(me, self->ev[at].other_pid);
	expect_event(_metadata, self, at,
		     M(child, TASKSTATE_NEW, TASKSTATE_READY, TASKSTATE_CAUSE_CREATED),
		     "admission");
	expect_event(_metadata, self, at,
		     M(child, TASKSTATE_READY, TASKSTATE_RUNNING, TASKSTATE_CAUSE_DISPATCH),
		     "dispatch");
	blocked = expect_event(_metadata, self, at,
			       M(child, TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
				 TASKSTATE_CAUSE_SLEEP), "block in read");
	EXPECT_TRUE(ts_pipe_read_site(self->ev[blocked].wait_site))
		TH_LOG("%s", self->ev[blocked].wait_site);
	go(_metadata, gofd[1]);
	at = expect_event(_metadata, self, blocked,
			  M(child, TASKSTATE_BLOCKED, TASKSTATE_READY, ANY), "wakeup");
	EXPECT_EQ(TASKSTATE_CAUSE_WAKEUP, self->ev[at].cause);
	EXPECT_EQ(me, self->ev[at].other_pid);
	at = expect_event(_metadata, self, at,
			  M(child, ANY, TASKSTATE_EXIT, ANY), "exit");
	EXPECT_EQ(TASKSTATE_TR_EXIT, self->ev[at].transition);
	EXPECT_EQ(TASKSTATE_RUNNING, self->ev[at].from);
	EXPECT_EQ(TASKSTATE_CAUSE_ERROR, self->ev[at].cause);
	EXPECT_EQ(3, self->ev[at].exit_code);
	EXPECT_EQ(0, self->ev[at].signal);
	EXPECT_EQ('Z', self->ev[at].linux_state);

	EXPECT_EQ(3 << 8, reap(_metadata, self, child));
	at = expect_event(_metadata, self, at,
			  M(child, TASKSTATE_EXIT, TASKSTATE_NONE, TASKSTATE_CAUSE_REAPED),
			  "reaped");
	EXPECT_EQ(TASKSTATE_TR_NONE, self->ev[at].transition);
	EXPECT_EQ(me, self->ev[at].other_pid);
}

TEST_F(stream, killed_while_blocked_is_transition_9)
{
	int gofd[2], data[2], status;
	pid_t child, me = getpid();
	ssize_t blocked, at;

	RETURN_IF_SETUP_SKIPPED();

	child = pipe_reader(_metadata, self, gofd, data);
	/*
	 * Asleep on the go pipe before the session starts: the first sleep
	 * recorded is then the one on the data pipe.
	 */
	wait_sleeping(_metadata, child);
	filter_pid(_metadata, self->s, TASKSTATE_FILTER_PIDS, child);
	ASSERT_EQ(0, ts_stream_start(self->s));
	go(_metadata, gofd[1]);
	/* Its sleep in read, not an RT spinlock wait on the way there. */
	blocked = expect_event(_metadata, self, 0,
			       M(child, TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
				 TASKSTATE_CAUSE_SLEEP),
			       "block in read");
	ASSERT_EQ(0, kill(child, SIGKILL));
	status = reap(_metadata, self, child);
	ASSERT_TRUE(WIFSIGNALED(status));

	at = expect_event(_metadata, self, blocked,
			  M(child, ANY, TASKSTATE_EXIT, ANY), "exit");
	EXPECT_EQ(TASKSTATE_TR_KILL_BLOCKED, self->ev[at].transition);
	EXPECT_EQ(TASKSTATE_BLOCKED, self->ev[at].from);
	EXPECT_EQ(TASKSTATE_CAUSE_KILLED, self->ev[at].cause);
	EXPECT_EQ(me, self->ev[at].other_pid);
	EXPECT_EQ(SIGKILL, self->ev[at].signal);
	EXPECT_EQ(0, self->ev[at].exit_code);
	/* On its way out it was woken by the signal, from this process. */
	at = find(self, blocked, M(child, TASKSTATE_BLOCKED, TASKSTATE_READY, ANY));
	ASSERT_LE(0, at) dump(_metadata, self, 0);
	EXPECT_EQ(TASKSTATE_CAUSE_SIGNAL, self->ev[at].cause);
	EXPECT_EQ(me, self->ev[at].other_pid);
}

TEST_F(stream, killed_while_ready_is_transition_8)
{
	int gofd[2], ready[2], status;
	pid_t child, me = getpid();
	ssize_t at;
	char c;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe2(gofd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	/* Both on CPU 0: while this process runs, the child can only wait. */
	pin_to_cpu0();
	child = kid(_metadata, self);
	if (child == 0) {
		wait_for_go(gofd[0]);
		if (write(ready[1], "r", 1) != 1)
			_exit(100);
		for (;;)
			;
	}
	filter_pid(_metadata, self->s, TASKSTATE_FILTER_PIDS, child);
	ASSERT_EQ(0, ts_stream_start(self->s));
	go(_metadata, gofd[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, kill(child, SIGKILL));
	status = reap(_metadata, self, child);
	ASSERT_TRUE(WIFSIGNALED(status));

	at = expect_event(_metadata, self, 0, M(child, ANY, TASKSTATE_EXIT, ANY),
			  "exit");
	EXPECT_EQ(TASKSTATE_TR_KILL_READY, self->ev[at].transition)
		dump(_metadata, self, 0);
	EXPECT_EQ(TASKSTATE_READY, self->ev[at].from);
	EXPECT_EQ(TASKSTATE_CAUSE_KILLED, self->ev[at].cause);
	EXPECT_EQ(me, self->ev[at].other_pid);
	EXPECT_EQ(SIGKILL, self->ev[at].signal);
}

/* lost-events in /proc/taskstate/transitions: every session's losses. */
static long long lost_events(void)
{
	char line[256];
	long long n = -1;
	FILE *f = fopen("/proc/taskstate/transitions", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "lost-events %lld", &n);
	fclose(f);
	return n;
}

TEST_F(stream, a_full_buffer_loses_events_countably)
{
	long long lost_before;
	struct taskstate_stats st;
	int gofd[2], ready[2];
	pid_t sibling, yielder;
	uint64_t lost = 0, events = 0;
	char c;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, ts_stream_set_buffer(self->s, TASKSTATE_BUFFER_MIN));
	ASSERT_EQ(0, pipe2(gofd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	/*
	 * A yield switches only when another task wants the CPU: keep one
	 * there, yielding too so that the two take turns at once.  Both say
	 * when they are on CPU 0, or the yields could all happen alone.
	 */
	sibling = kid(_metadata, self);
	if (sibling == 0) {
		pin_to_cpu0();
		if (write(ready[1], "r", 1) != 1)
			_exit(100);
		for (;;)
			sched_yield();
	}
	yielder = kid(_metadata, self);
	if (yielder == 0) {
		uint64_t end;
		long start;

		pin_to_cpu0();
		if (write(ready[1], "r", 1) != 1)
			_exit(100);
		wait_for_go(gofd[0]);
		/*
		 * CFS lets a yield switch only if the other task is not too far
		 * ahead in vruntime, which a task that just woke can be: go on
		 * until a few hundred yields really switched (each is two
		 * events), within reason.
		 */
		start = yield_switches();
		end = now_ns() + 5000 * NSEC_PER_MSEC;
		for (int i = 0; i < 2000 || (yield_switches() - start < 200 &&
					     now_ns() < end); i++)
			sched_yield();
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	filter_pid(_metadata, self->s, TASKSTATE_FILTER_PIDS, yielder);
	lost_before = lost_events();
	ASSERT_LE(0, lost_before);
	ASSERT_EQ(0, ts_stream_start(self->s));
	go(_metadata, gofd[1]);
	/* Not a record read until the yielder is gone. */
	ASSERT_EQ(0, reap(_metadata, self, yielder));
	kill(sibling, SIGKILL);
	reap(_metadata, self, sibling);

	/*
	 * What is there, one record at a time, each first asked for by a read
	 * that faults: that read must take nothing, neither the record nor
	 * the loss the reader reports itself once the buffer is drained.
	 */
	{
		struct pollfd pfd = { .fd = ts_stream_fd(self->s), .events = POLLIN };
		void *none = mmap(NULL, 4096, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct taskstate_event one;
		int faulted = 0;

		ASSERT_NE(MAP_FAILED, none);
		while (poll(&pfd, 1, 0) == 1) {
			errno = 0;
			EXPECT_EQ(-1, read(pfd.fd, none, sizeof(one)));
			EXPECT_EQ(EFAULT, errno);
			faulted++;
			ASSERT_EQ((ssize_t)sizeof(one), read(pfd.fd, &one, sizeof(one)));
			if (one.kind == TASKSTATE_KIND_LOST)
				lost += one.lost;
			else
				events++;
		}
		munmap(none, 4096);
		TH_LOG("%d reads into an unmapped page failed with EFAULT", faulted);
	}

	/*
	 * All read, then the totals; the yielder's release comes a little
	 * later (after an RCU grace period): until the stream stays quiet.
	 */
	for (int tries = 0; tries < 10; tries++) {
		size_t had;

		read_until(_metadata, self, self->s, self->n, NULL, 300);
		ASSERT_EQ(0, ts_stream_stats(self->s, &st));
		had = self->n;
		read_until(_metadata, self, self->s, self->n, NULL, 1);
		if (self->n == had)
			break;
	}
	for (size_t i = 0; i < self->n; i++) {
		if (self->ev[i].kind == TASKSTATE_KIND_LOST)
			lost += self->ev[i].lost;
		else
			events++;
	}
	EXPECT_EQ(-1, first_stranger(self, 0, yielder, yielder))
		dump(_metadata, self, 0);
	TH_LOG("%" PRIu64 " events, %" PRIu64 " lost; stats: produced %llu delivered %llu lost %llu",
	       events, lost, st.produced, st.delivered, st.lost);
	EXPECT_LT(0, st.lost);
	EXPECT_EQ(st.lost, lost);
	EXPECT_EQ(st.delivered, events);
	EXPECT_EQ(st.produced, st.delivered + st.lost);
	/*
	 * More than the buffers hold.  (A yield need not switch, so 2000 of
	 * them are not 4000 events for sure.)
	 */
	EXPECT_LT(TASKSTATE_BUFFER_MIN * st.nr_cpus, st.produced);
	/* What was not lost fit in the buffers, plus the release read later. */
	EXPECT_GE(TASKSTATE_BUFFER_MIN * st.nr_cpus + 1, events);
	EXPECT_EQ(TASKSTATE_BUFFER_MIN, st.buffer_records);
	/* The module's own total counts them too (other sessions' as well). */
	EXPECT_LE(lost_before + st.lost, lost_events());
}

TEST_F(stream, two_sessions_see_their_own_tasks)
{
	struct ts_stream *other;
	int gofd[2];
	pid_t kids[2];

	RETURN_IF_SETUP_SKIPPED();

	other = ts_stream_open(NULL, 0);
	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, pipe2(gofd, O_CLOEXEC));
	for (int i = 0; i < 2; i++) {
		kids[i] = kid(_metadata, self);
		if (kids[i] == 0) {
			wait_for_go(gofd[0]);
			for (int j = 0; j < 5; j++)
				usleep(1000);
			_exit(0);
		}
	}
	filter_pid(_metadata, self->s, TASKSTATE_FILTER_PIDS, kids[0]);
	filter_pid(_metadata, other, TASKSTATE_FILTER_PIDS, kids[1]);
	ASSERT_EQ(0, ts_stream_start(self->s));
	ASSERT_EQ(0, ts_stream_start(other));
	go(_metadata, gofd[1]);
	go(_metadata, gofd[1]);
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(0, reap(_metadata, self, kids[i]));

	for (int i = 0; i < 2; i++) {
		struct ts_stream *s = i ? other : self->s;
		size_t start = self->n;
		ssize_t at;

		at = read_until(_metadata, self, s, start,
				M(kids[i], ANY, TASKSTATE_EXIT, ANY), WAIT_MS);
		EXPECT_LE(0, at) TH_LOG("session %d: no exit of %d", i, kids[i]);
		/* Whatever else is there by now. */
		read_until(_metadata, self, s, self->n, NULL, 100);
		EXPECT_EQ(-1, first_stranger(self, start, kids[i], kids[i]))
			dump(_metadata, self, start);
		/* Woken by the go byte, five sleeps, exit: at least a dozen. */
		EXPECT_LE(12, count_events(self, start)) TH_LOG("session %d", i);
	}
	ts_stream_close(other);
}

/* In a child: wake and sleep again on each byte written to @fd, forever. */
static void sleep_on_bytes(int fd)
{
	for (;;)
		wait_for_go(fd);
}

/*
 * Probes skip tasks that no filter names before they build a record, from
 * a summary of all filters: it must follow a filter as it moves, at once.
 */
TEST_F(stream, a_filter_moved_to_another_task_takes_it_at_once)
{
	int gofd[2][2];
	pid_t kids[2];

	RETURN_IF_SETUP_SKIPPED();

	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, pipe2(gofd[i], O_CLOEXEC));
		kids[i] = kid(_metadata, self);
		if (kids[i] == 0)
			sleep_on_bytes(gofd[i][0]);
		wait_sleeping(_metadata, kids[i]);
	}
	filter_pid(_metadata, self->s, TASKSTATE_FILTER_PIDS, kids[0]);
	ASSERT_EQ(0, ts_stream_start(self->s));
	for (int round = 0; round < 20; round++) {
		int named = round % 2, other = !named;
		size_t start = self->n;
		uint64_t since;

		filter_pid(_metadata, self->s, TASKSTATE_FILTER_PIDS,
			   kids[named]);
		since = now_ns();
		go(_metadata, gofd[other][1]);
		go(_metadata, gofd[named][1]);
		expect_event(_metadata, self, start,
			     M(kids[named], TASKSTATE_BLOCKED, TASKSTATE_READY,
			       TASKSTATE_CAUSE_WAKEUP), "wakeup of the named task");
		wait_sleeping(_metadata, kids[other]);
		read_until(_metadata, self, self->s, self->n, NULL, 20);
		for (size_t i = start; i < self->n; i++) {
			const struct taskstate_event *ev = &self->ev[i];

			if (ev->kind == TASKSTATE_KIND_EVENT &&
			    ev->pid == kids[other])
				EXPECT_GT(since, ev->ts_ns)
					TH_LOG("round %d: %d was not named", round,
					       kids[other]);
		}
	}
}

TEST_F(stream, nonblocking_read_and_poll)
{
	struct ts_stream *s;
	struct taskstate_event ev[8];
	char rec[TASKSTATE_RECORD_SIZE];
	struct pollfd pfd;
	int gofd[2];
	pid_t child;
	ssize_t n;

	RETURN_IF_SETUP_SKIPPED();

	s = ts_stream_open(NULL, O_NONBLOCK);
	ASSERT_NE(NULL, s);
	ASSERT_TRUE(fcntl(ts_stream_fd(s), F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(0, pipe2(gofd, O_CLOEXEC));
	child = kid(_metadata, self);
	if (child == 0) {
		wait_for_go(gofd[0]);
		_exit(0);
	}
	/* Asleep in read(): nothing happens to it until the go byte. */
	wait_sleeping(_metadata, child);
	filter_pid(_metadata, s, TASKSTATE_FILTER_PIDS, child);
	ASSERT_EQ(0, ts_stream_start(s));

	EXPECT_EQ(-1, read(ts_stream_fd(s), rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
	pfd = (struct pollfd){ .fd = ts_stream_fd(s), .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 100));
	EXPECT_EQ(0, ts_stream_read(s, ev, 8, 0));
	EXPECT_EQ(0, ts_stream_read(s, ev, 8, 50));

	go(_metadata, gofd[1]);
	pfd.revents = 0;
	ASSERT_EQ(1, poll(&pfd, 1, WAIT_MS));
	EXPECT_TRUE(pfd.revents & POLLIN);
	n = ts_stream_read(s, ev, 8, 0);
	ASSERT_LT(0, n);
	EXPECT_EQ(TASKSTATE_KIND_EVENT, ev[0].kind);
	EXPECT_EQ(child, ev[0].pid);
	EXPECT_EQ(TASKSTATE_BLOCKED, ev[0].from);
	EXPECT_EQ(TASKSTATE_READY, ev[0].to);
	EXPECT_EQ(getpid(), ev[0].other_pid);
	EXPECT_EQ(0, reap(_metadata, self, child));
	ts_stream_close(s);
}

/* Two children that wake, sleep five times and exit; @setup runs first. */
static void two_sleepers(struct __test_metadata *_metadata,
			 FIXTURE_DATA(stream) *self, pid_t *kids, int gofd,
			 void (*setup)(int which))
{
	for (int i = 0; i < 2; i++) {
		kids[i] = kid(_metadata, self);
		if (kids[i] == 0) {
			setup(i);
			wait_for_go(gofd);
			for (int j = 0; j < 5; j++)
				usleep(1000);
			_exit(3);
		}
	}
	for (int i = 0; i < 2; i++)
		wait_sleeping(_metadata, kids[i]);
}

/* Read until both children exited, then whatever else came. */
static size_t run_sleepers(struct __test_metadata *_metadata,
			   FIXTURE_DATA(stream) *self, const pid_t *kids,
			   int gofd, const struct match *last)
{
	size_t start = self->n;

	ASSERT_EQ(0, ts_stream_start(self->s));
	ASSERT_EQ(2, write(gofd, "gg", 2));
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(3 << 8, reap(_metadata, self, kids[i]));
	if (last)
		expect_event(_metadata, self, start, last, "last awaited event");
	read_until(_metadata, self, self->s, self->n, NULL, 200);
	return start;
}

static void name_child(int which)
{
	prctl(PR_SET_NAME, which ? "ts-unnamed" : "ts-named");
}

TEST_F(stream, comm_filter_selects_by_name)
{
	struct taskstate_filter f = { .flags = TASKSTATE_FILTER_COMM };
	int gofd[2];
	pid_t kids[2];
	size_t start;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe2(gofd, O_CLOEXEC));
	two_sleepers(_metadata, self, kids, gofd[0], name_child);
	strcpy(f.comm, "ts-named");
	ASSERT_EQ(0, ts_stream_set_filter(self->s, &f));
	start = run_sleepers(_metadata, self, kids, gofd[1],
			     M(kids[0], ANY, TASKSTATE_EXIT, ANY));
	EXPECT_EQ(-1, first_stranger(self, start, kids[0], kids[0]))
		dump(_metadata, self, start);
	EXPECT_LE(10, count_events(self, start));
	close(gofd[0]);
	close(gofd[1]);
}

static void become_uid(int which)
{
	if (which == 0 && setresuid(4242, 4242, 4242))
		_exit(97);
}

TEST_F(stream, uid_filter_selects_by_owner)
{
	struct taskstate_filter f = { .flags = TASKSTATE_FILTER_UID, .uid = 4242 };
	int gofd[2];
	pid_t kids[2];
	size_t start;

	RETURN_IF_SETUP_SKIPPED();
	if (geteuid() != 0)
		SKIP(return, "changing a child's uid needs root");

	ASSERT_EQ(0, pipe2(gofd, O_CLOEXEC));
	two_sleepers(_metadata, self, kids, gofd[0], become_uid);
	ASSERT_EQ(0, ts_stream_set_filter(self->s, &f));
	start = run_sleepers(_metadata, self, kids, gofd[1],
			     M(kids[0], ANY, TASKSTATE_EXIT, ANY));
	EXPECT_EQ(-1, first_stranger(self, start, kids[0], kids[0]))
		dump(_metadata, self, start);
	EXPECT_LE(10, count_events(self, start));
	close(gofd[0]);
	close(gofd[1]);
}

static void no_setup(int which)
{
	(void)which;
}

TEST_F(stream, transition_and_cause_masks_select_events)
{
	struct taskstate_filter f;
	int gofd[2];
	pid_t kids[2];
	size_t start, blocks = 0;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe2(gofd, O_CLOEXEC));
	two_sleepers(_metadata, self, kids, gofd[0], no_setup);
	/* Blocking switches, and exits with an error, of these two only. */
	ASSERT_EQ(0, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS, kids, 2));
	f.transition_mask = 1U << TASKSTATE_TR_BLOCK | 1U << TASKSTATE_TR_EXIT;
	f.cause_mask = 1U << TASKSTATE_CAUSE_SLEEP | 1U << TASKSTATE_CAUSE_ERROR;
	ASSERT_EQ(0, ts_stream_set_filter(self->s, &f));
	start = run_sleepers(_metadata, self, kids, gofd[1],
			     M(kids[1], ANY, TASKSTATE_EXIT, ANY));
	for (size_t i = start; i < self->n; i++) {
		const struct taskstate_event *ev = &self->ev[i];

		if (ev->kind != TASKSTATE_KIND_EVENT)
			continue;
		if (ev->transition == TASKSTATE_TR_BLOCK) {
			EXPECT_EQ(TASKSTATE_CAUSE_SLEEP, ev->cause);
			blocks++;
		} else {
			EXPECT_EQ(TASKSTATE_TR_EXIT, ev->transition);
			EXPECT_EQ(TASKSTATE_CAUSE_ERROR, ev->cause);
			EXPECT_EQ(3, ev->exit_code);
		}
	}
	/*
	 * Five sleeps each; a sleep can end before its task switched out
	 * (preempted on the way, timer already fired), so not all block.
	 */
	EXPECT_LE(5, blocks);
	EXPECT_LE(0, find(self, start, M(kids[0], ANY, TASKSTATE_EXIT, ANY)));
	close(gofd[0]);
	close(gofd[1]);
}

TEST_HARNESS_MAIN
