// SPDX-License-Identifier: GPL-2.0
/*
 * A session's life under pressure: poll() racing SET_BUFFER, blocking
 * reads of a buffer that keeps overflowing, the memory all sessions may
 * hold, and following descendants through many thousands of forks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/stream.h"
#include "lib/util.h"

#define MAX_KIDS	4
/*
 * Forks followed in descendants_stay_exact_after_20000_forks: on a debug
 * kernel (ten times slower) a tenth is enough to exercise its locking.
 */
#define FORK_CYCLES	(20000 / TS_TIME_SCALE)
#define MAX_OPEN	200

FIXTURE(session) {
	pid_t kids[MAX_KIDS];		/* killed and reaped at teardown */
	int fds[MAX_OPEN];		/* closed at teardown; 0: none */
	char memory_mb[32];		/* buffer_memory_mb to restore, or "" */
};

FIXTURE_SETUP(session)
{
	if (access(TS_DEV_PATH, F_OK))
		SKIP(return, MODULE_MISSING);
}

FIXTURE_TEARDOWN(session)
{
	char line[64];

	for (int i = 0; i < MAX_KIDS; i++) {
		if (self->kids[i] > 0) {
			kill(self->kids[i], SIGKILL);
			waitpid(self->kids[i], NULL, 0);
		}
	}
	for (int i = 0; i < MAX_OPEN; i++)
		if (self->fds[i] > 0)
			close(self->fds[i]);
	if (self->memory_mb[0]) {
		snprintf(line, sizeof(line), "buffer_memory_mb=%s",
			 self->memory_mb);
		ts_write_file(TS_CONFIG, line);
	}
}

/* A child making events on every CPU until the test ends. */
static pid_t busy_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			pid_t kid = fork();

			if (kid == 0)
				_exit(0);
			if (kid > 0)
				waitpid(kid, NULL, 0);
			usleep(100);
		}
	}
	return pid;
}

static int dev_open(void)
{
	return open(TS_DEV_PATH, O_RDONLY | O_CLOEXEC);
}

struct set_buffer_race {
	pthread_barrier_t go;
	int fd;
	int ret;		/* SET_BUFFER's: 0 or an errno */
};

static void *set_buffer_now(void *arg)
{
	struct set_buffer_race *r = arg;
	__u32 records = 65536;

	pthread_barrier_wait(&r->go);
	r->ret = ioctl(r->fd, TASKSTATE_IOC_SET_BUFFER, &records) ? errno : 0;
	return NULL;
}

/*
 * poll() starts a session as read() does; SET_BUFFER must then fail with
 * EBUSY, or have swapped the ring before the start.  Before the fix, the
 * old ring was freed while probes wrote to it: an oops in the VM, a KASAN
 * report on the debug kernel.
 */
TEST_F_TIMEOUT(session, poll_and_set_buffer_never_free_a_ring_in_use,
	       120 * TS_TIME_SCALE)
{
	struct set_buffer_race r;
	int swapped = 0, refused = 0;

	RETURN_IF_SETUP_SKIPPED();

	self->kids[0] = busy_child();
	ASSERT_LE(0, self->kids[0]);
	for (int i = 0; i < 100; i++) {
		struct pollfd pfd;
		struct taskstate_stats st;
		struct taskstate_event ev[16];
		pthread_t t;
		__u32 small = 16;

		r.fd = dev_open();
		ASSERT_LE(0, r.fd);
		ASSERT_EQ(0, pthread_barrier_init(&r.go, NULL, 2));
		ASSERT_EQ(0, pthread_create(&t, NULL, set_buffer_now, &r));
		pthread_barrier_wait(&r.go);
		pfd = (struct pollfd){ .fd = r.fd, .events = POLLIN };
		ASSERT_LE(0, poll(&pfd, 1, 0));
		ASSERT_EQ(0, pthread_join(t, NULL));
		pthread_barrier_destroy(&r.go);

		ASSERT_TRUE(r.ret == 0 || r.ret == EBUSY)
			TH_LOG("SET_BUFFER: %s", strerror(r.ret));
		swapped += !r.ret;
		refused += r.ret == EBUSY;
		/* Started by poll(): from now on the buffer is fixed. */
		ASSERT_EQ(-1, ioctl(r.fd, TASKSTATE_IOC_SET_BUFFER, &small));
		ASSERT_EQ(EBUSY, errno);
		ASSERT_EQ(0, ioctl(r.fd, TASKSTATE_IOC_GET_STATS, &st));
		EXPECT_EQ(r.ret ? 4096u : 65536u, st.buffer_records);
		usleep(2000);
		/* What probes wrote is in the ring the session reads. */
		ASSERT_LT(0, read(r.fd, ev, sizeof(ev)));
		close(r.fd);
	}
	TH_LOG("SET_BUFFER first %d times, poll first %d times", swapped,
	       refused);
}

/*
 * A reader blocked in read() gets records, never 0 (end of file), even
 * when all that was pending was a loss that the producer reports itself.
 */
TEST_F_TIMEOUT(session, a_blocking_read_never_returns_0,
	       60 * TS_TIME_SCALE)
{
	struct taskstate_event ev[4];
	__u32 records = TASKSTATE_BUFFER_MIN;
	int fd;

	RETURN_IF_SETUP_SKIPPED();

	/* First: their children must not inherit the session. */
	self->kids[0] = busy_child();
	self->kids[1] = busy_child();
	ASSERT_LE(0, self->kids[1]);
	fd = dev_open();
	ASSERT_LE(0, fd);
	self->fds[0] = fd;
	ASSERT_EQ(0, ioctl(fd, TASKSTATE_IOC_SET_BUFFER, &records));
	for (int i = 0; i < 5000; i++) {
		ssize_t n = read(fd, ev, sizeof(ev));

		ASSERT_LT(0, n) TH_LOG("read %d returned %zd (%s)", i, n,
				       n < 0 ? strerror(errno) : "end of file");
		ASSERT_EQ(0, n % sizeof(ev[0]));
		/* Let the small buffer overflow again now and then. */
		if (!(i % 64))
			usleep(5000);
	}
}

/*
 * All sessions' buffers together stay under buffer_memory_mb: one more is
 * refused with ENOMEM, changing nothing, and what closing sessions give
 * back brings buffer_memory_used back to where it was: after a grace
 * period, or at once for an open() that needs the room.
 */
TEST_F(session, buffers_are_capped_and_given_back)
{
	struct taskstate_stats st;
	long long used0, used;
	__u32 big = TASKSTATE_BUFFER_MAX;
	int n = 0;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, ts_config_get("buffer_memory_mb", self->memory_mb,
				sizeof(self->memory_mb)));
	/* Earlier tests' sessions are freed after a grace period: 0 then. */
	used0 = ts_buffer_memory_settled(0, 2000);
	ASSERT_LE(0, used0);
	ASSERT_EQ(0, ts_write_file(TS_CONFIG, "buffer_memory_mb=16"));
	while (n < MAX_OPEN) {
		int fd = dev_open();

		if (fd < 0) {
			EXPECT_EQ(ENOMEM, errno) TH_LOG("open %d: %s", n,
							strerror(errno));
			break;
		}
		self->fds[n++] = fd;
	}
	ASSERT_LT(0, n);
	ASSERT_GT(MAX_OPEN, n) TH_LOG("%d sessions and no refusal", n);
	used = ts_config_number("buffer_memory_used");
	EXPECT_GE(16ll << 20, used);
	TH_LOG("%d sessions hold %lld bytes; the cap is 16 MiB", n, used);

	/* A bigger buffer does not fit either: the old one stays. */
	EXPECT_EQ(-1, ioctl(self->fds[0], TASKSTATE_IOC_SET_BUFFER, &big));
	EXPECT_EQ(ENOMEM, errno);
	ASSERT_EQ(0, ioctl(self->fds[0], TASKSTATE_IOC_GET_STATS, &st));
	EXPECT_EQ(4096u, st.buffer_records);
	EXPECT_EQ(used, ts_config_number("buffer_memory_used"));

	/* Room again, at once: the open waits for the closed ones' memory. */
	for (int i = 0; i < n; i++) {
		close(self->fds[i]);
		self->fds[i] = 0;
	}
	for (int i = 0; i < n; i++) {
		self->fds[i] = dev_open();
		ASSERT_LE(0, self->fds[i]) TH_LOG("reopen %d: %s", i,
						  strerror(errno));
	}
	for (int i = 0; i < n; i++) {
		close(self->fds[i]);
		self->fds[i] = 0;
	}
	EXPECT_EQ(used0, ts_buffer_memory_settled(used0, 10000));
}

static int set_descendants(int fd, pid_t pid)
{
	struct taskstate_filter f;

	if (ts_filter_pids(&f, TASKSTATE_FILTER_DESCENDANTS, &pid, 1))
		return -1;
	return ioctl(fd, TASKSTATE_IOC_SET_FILTER, &f) ? -errno : 0;
}

/*
 * Each filter that follows descendants holds one bit of every task record:
 * BITS_PER_LONG of them at once, then ENOSPC until one goes.
 */
TEST_F(session, descendant_filters_are_bounded_and_reusable)
{
	int n, ret = 0, extra;

	RETURN_IF_SETUP_SKIPPED();

	for (n = 0; n < MAX_OPEN; n++) {
		__u32 records = TASKSTATE_BUFFER_MIN;

		self->fds[n] = dev_open();
		ASSERT_LE(0, self->fds[n]);
		ASSERT_EQ(0, ioctl(self->fds[n], TASKSTATE_IOC_SET_BUFFER,
				   &records));
		ret = set_descendants(self->fds[n], getpid());
		if (ret)
			break;
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ(sizeof(long) * 8, (size_t)n);
	/* Replacing a filter keeps a session's place. */
	EXPECT_EQ(0, set_descendants(self->fds[0], getpid()));
	close(self->fds[1]);
	self->fds[1] = 0;
	extra = self->fds[n];
	EXPECT_EQ(0, set_descendants(extra, getpid()));
}

/*
 * Following descendants through 20,000 forks and reaps: afterwards the
 * set is still exact (a new child followed, an older stranger not) and
 * nobody was dropped.  Before, each gone pid left a tombstone and the
 * probes of every task scanned the whole set once it had filled up.
 */
TEST_F_TIMEOUT(session, descendants_stay_exact_after_20000_forks,
	       600 * TS_TIME_SCALE)
{
	struct taskstate_event *ev;
	struct taskstate_stats st;
	uint64_t t0, t1 = 0, t2;
	int go[2], fd, c;
	pid_t stranger, last;
	ssize_t n;
	bool saw_last = false;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe(go));
	/* Forked before the session: not a descendant it follows. */
	stranger = fork();
	ASSERT_LE(0, stranger);
	if (stranger == 0) {
		char ch;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (read(go[0], &ch, 1) != 1)
			_exit(98);
		for (;;)
			usleep(1000);
	}
	self->kids[0] = stranger;
	fd = dev_open();
	ASSERT_LE(0, fd);
	self->fds[0] = fd;
	ASSERT_EQ(0, set_descendants(fd, getpid()));
	ASSERT_EQ(0, ioctl(fd, TASKSTATE_IOC_START));

	t0 = now_ns();
	for (c = 0; c < FORK_CYCLES; c++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(0);
		ASSERT_EQ(pid, waitpid(pid, NULL, 0));
		if (c == 999)
			t1 = now_ns();
	}
	t2 = now_ns();
	TH_LOG("forks 1-1000: %.1f us each; 1001-%d: %.1f us each (not asserted)",
	       (t1 - t0) / 1000.0 / 1000, FORK_CYCLES,
	       (t2 - t1) / 1000.0 / (FORK_CYCLES - 1000));

	/* Empty the buffer, then one more child and the stranger's wakeups. */
	ev = calloc(TS_STREAM_BATCH, sizeof(*ev));
	ASSERT_NE(NULL, ev);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (read(fd, ev, TS_STREAM_BATCH * sizeof(*ev)) > 0)
		;
	ASSERT_EQ(1, write(go[1], "g", 1));
	last = fork();
	ASSERT_LE(0, last);
	if (last == 0) {
		usleep(20000);
		_exit(0);
	}
	ASSERT_EQ(last, waitpid(last, NULL, 0));
	usleep(50000);
	while ((n = read(fd, ev, TS_STREAM_BATCH * sizeof(*ev))) > 0) {
		for (ssize_t i = 0; i < n / (ssize_t)sizeof(*ev); i++) {
			if (ev[i].kind != TASKSTATE_KIND_EVENT)
				continue;
			EXPECT_NE(stranger, ev[i].tgid)
				TH_LOG("an event of the stranger: %s",
				       ev[i].comm);
			saw_last |= ev[i].pid == last &&
				    ev[i].transition == TASKSTATE_TR_BLOCK;
		}
	}
	free(ev);
	EXPECT_TRUE(saw_last) TH_LOG("the last child was not followed");
	ASSERT_EQ(0, ioctl(fd, TASKSTATE_IOC_GET_STATS, &st));
	EXPECT_EQ(0, st.untracked);
	close(go[0]);
	close(go[1]);
}

TEST_HARNESS_MAIN
