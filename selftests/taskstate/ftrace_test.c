// SPDX-License-Identifier: GPL-2.0
/*
 * The module and the kernel's own tracer, watching the same two tasks in
 * the same run, must count the same switches; every wakeup the module calls
 * blocked -> ready must be one ftrace saw; and the voluntary and involuntary
 * switches must agree with /proc/PID/status.
 *
 * ftrace also reports wakeups of a task that had set its sleeping state but
 * had not switched out yet.  The module does not report those (the task
 * never blocked); this test counts them from ftrace's own sequence and
 * checks that they are exactly the difference.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/stream.h"
#include "lib/util.h"

#define TRACING "/sys/kernel/tracing"
#define ROUNDS 300

struct task_counts {
	long out, in, wakes;		/* switches out, in; blocked -> ready */
	long voluntary, involuntary;
	long ftrace_early_wakes;	/* woken before it switched out */
};

FIXTURE(ftrace) {
	struct ts_stream *stream;
	pid_t worker[2];
	int go[2], done[2], end[2];
	bool tracing_touched;
};

static int write_flags(const char *path, const char *text, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static int write_file(const char *path, const char *text)
{
	return write_flags(path, text, O_TRUNC);
}

/* set_event takes one event per write; appending keeps the others. */
static int enable_event(const char *event)
{
	return write_flags(TRACING "/set_event", event, O_APPEND);
}

static void tracing_reset(void)
{
	write_file(TRACING "/tracing_on", "0");
	write_file(TRACING "/set_event", "");
	write_file(TRACING "/set_event_pid", "");
	write_file(TRACING "/trace", "");
}

static void pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Two workers ping-pong a byte ROUNDS times, spinning a little each round
 * on a shared CPU so that some switches are preemptions, then report done
 * and block until told to end.
 */
static void worker(int id, int go, int in, int out, int done, int end)
{
	char c = 0, name[16];

	snprintf(name, sizeof(name), "ftworker%d", id);
	prctl(PR_SET_NAME, name);
	pin_to_cpu0();
	if (read(go, &c, 1) != 1)
		_exit(1);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t until = now_ns() + 200000;

		if (id == 1 && read(in, &c, 1) != 1)
			_exit(1);
		while (now_ns() < until)
			;
		if (write(out, &c, 1) != 1)
			_exit(1);
		if (id == 0 && read(in, &c, 1) != 1)
			_exit(1);
	}
	if (write(done, &c, 1) != 1)
		_exit(1);
	_exit(read(end, &c, 1) == 1 ? 0 : 1);
}

FIXTURE_SETUP(ftrace)
{
	int ab[2], ba[2];

	self->stream = NULL;
	self->worker[0] = self->worker[1] = 0;
	self->go[0] = self->done[0] = self->end[0] = -1;
	if (access(TS_DEV_PATH, F_OK))
		SKIP(return, MODULE_MISSING);
	if (access(TRACING "/set_event_pid", W_OK))
		SKIP(return, "tracefs not mounted at " TRACING " or not writable");
	ASSERT_EQ(0, pipe2(self->go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->done, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->end, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ab, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ba, O_CLOEXEC));
	for (int i = 0; i < 2; i++) {
		self->worker[i] = fork();
		ASSERT_LE(0, self->worker[i]);
		if (self->worker[i] == 0)
			worker(i, self->go[0], i ? ab[0] : ba[0],
			       i ? ba[1] : ab[1], self->done[1], self->end[0]);
	}
	close(ab[0]);
	close(ab[1]);
	close(ba[0]);
	close(ba[1]);
}

FIXTURE_TEARDOWN(ftrace)
{
	if (self->tracing_touched)
		tracing_reset();
	for (int i = 0; i < 2; i++) {
		if (self->worker[i] > 0) {
			kill(self->worker[i], SIGKILL);
			waitpid(self->worker[i], NULL, 0);
		}
	}
	ts_stream_close(self->stream);
	if (self->go[0] >= 0) {
		close(self->go[0]);
		close(self->go[1]);
		close(self->done[0]);
		close(self->done[1]);
		close(self->end[0]);
		close(self->end[1]);
	}
}

static int read_status(pid_t pid, struct task_counts *c, int sign)
{
	char path[64], line[256];
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1)
			c->voluntary += sign * n;
		else if (sscanf(line, "nonvoluntary_ctxt_switches: %ld", &n) == 1)
			c->involuntary += sign * n;
	}
	fclose(f);
	return 0;
}

static long field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/*
 * Count from ftrace's own text output, in its (timestamp) order.  Both
 * workers are asleep on the go pipe when tracing starts.
 */
static int ftrace_counts(const pid_t *pids, struct task_counts *c)
{
	bool off[2] = { true, true };
	char line[512];
	FILE *f = fopen(TRACING "/trace", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		for (int i = 0; i < 2; i++) {
			if (strstr(line, " sched_switch: ")) {
				const char *st = strstr(line, "prev_state=");

				if (field(line, " prev_pid=") == pids[i]) {
					c[i].out++;
					/* "R" or "R+": still runnable. */
					off[i] = st && st[11] != 'R';
				}
				if (field(line, " next_pid=") == pids[i])
					c[i].in++;
			} else if (strstr(line, " sched_wakeup: ") &&
				   field(line, " pid=") == pids[i]) {
				if (off[i])
					c[i].wakes++;
				else
					c[i].ftrace_early_wakes++;
				off[i] = false;
			}
		}
	}
	fclose(f);
	return 0;
}

static void module_counts(const struct taskstate_event *ev, size_t n,
			  const pid_t *pids, struct task_counts *c)
{
	for (size_t k = 0; k < n; k++) {
		for (int i = 0; i < 2; i++) {
			if (ev[k].kind != TASKSTATE_KIND_EVENT || ev[k].pid != pids[i])
				continue;
			switch (ev[k].transition) {
			case TASKSTATE_TR_PREEMPT:
				c[i].out++;
				c[i].involuntary++;
				break;
			case TASKSTATE_TR_BLOCK:
				c[i].out++;
				c[i].voluntary++;
				break;
			case TASKSTATE_TR_DISPATCH:
				c[i].in++;
				break;
			case TASKSTATE_TR_WAKE:
				c[i].wakes++;
				break;
			}
		}
	}
}

static bool blocked_in_pipe(pid_t pid)
{
	return ts_proc_state(pid) == 'S';
}

static void wait_blocked(struct __test_metadata *_metadata, const pid_t *pids)
{
	for (int tries = 0; tries < 100; tries++) {
		if (blocked_in_pipe(pids[0]) && blocked_in_pipe(pids[1]))
			break;
		usleep(10000);
	}
	usleep(50000);
	ASSERT_TRUE(blocked_in_pipe(pids[0]));
	ASSERT_TRUE(blocked_in_pipe(pids[1]));
}

TEST_F(ftrace, switches_and_wakeups_agree_with_ftrace_and_proc)
{
	struct task_counts mod[2] = {}, ft[2] = {}, proc[2] = {};
	static struct taskstate_event ev[65536];
	struct taskstate_filter filter;
	struct taskstate_stats st;
	char pidlist[64], c;
	size_t n = 0;
	ssize_t got;

	RETURN_IF_SETUP_SKIPPED();

	self->stream = ts_stream_open(NULL, 0);
	ASSERT_NE(NULL, self->stream) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, ts_filter_pids(&filter, TASKSTATE_FILTER_PIDS,
				    self->worker, 2));
	ASSERT_EQ(0, ts_stream_set_filter(self->stream, &filter));
	ASSERT_EQ(0, ts_stream_set_buffer(self->stream, 65536));
	ASSERT_EQ(0, ts_stream_start(self->stream));

	self->tracing_touched = true;
	tracing_reset();
	snprintf(pidlist, sizeof(pidlist), "%d %d", self->worker[0],
		 self->worker[1]);
	ASSERT_EQ(0, write_file(TRACING "/set_event_pid", pidlist));
	ASSERT_EQ(0, enable_event("sched:sched_switch"));
	ASSERT_EQ(0, enable_event("sched:sched_wakeup"));
	wait_blocked(_metadata, self->worker);
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(0, read_status(self->worker[i], &proc[i], -1));
	ASSERT_EQ(0, write_file(TRACING "/tracing_on", "1"));

	ASSERT_EQ(2, write(self->go[1], "gg", 2));
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(1, read(self->done[0], &c, 1));
	/* Both must be asleep on the end pipe before the books close. */
	wait_blocked(_metadata, self->worker);

	ASSERT_EQ(0, write_file(TRACING "/tracing_on", "0"));
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(0, read_status(self->worker[i], &proc[i], 1));
	while ((got = ts_stream_read(self->stream, ev + n,
				     sizeof(ev) / sizeof(*ev) - n, 0)) > 0)
		n += got;
	ASSERT_LE(0, got) TH_LOG("read: %s", strerror(-got));
	ASSERT_EQ(0, ts_stream_stats(self->stream, &st));
	ASSERT_EQ(0, st.lost);

	module_counts(ev, n, self->worker, mod);
	ASSERT_EQ(0, ftrace_counts(self->worker, ft));

	for (int i = 0; i < 2; i++) {
		TH_LOG("worker %d: module out %ld in %ld wakes %ld vol %ld invol %ld; "
		       "ftrace out %ld in %ld wakes %ld (+%ld early); "
		       "/proc vol %ld invol %ld",
		       i, mod[i].out, mod[i].in, mod[i].wakes, mod[i].voluntary,
		       mod[i].involuntary, ft[i].out, ft[i].in, ft[i].wakes,
		       ft[i].ftrace_early_wakes, proc[i].voluntary,
		       proc[i].involuntary);
		EXPECT_LT(ROUNDS / 2, mod[i].out);
		EXPECT_EQ(ft[i].out, mod[i].out);
		EXPECT_EQ(ft[i].in, mod[i].in);
		EXPECT_EQ(ft[i].wakes, mod[i].wakes);
		EXPECT_EQ(proc[i].voluntary, mod[i].voluntary);
		EXPECT_EQ(proc[i].involuntary, mod[i].involuntary);
	}
	ASSERT_EQ(2, write(self->end[1], "ee", 2));
	for (int i = 0; i < 2; i++) {
		int status;

		ASSERT_EQ(self->worker[i], waitpid(self->worker[i], &status, 0));
		EXPECT_EQ(0, status);
		self->worker[i] = 0;
	}
}

TEST_HARNESS_MAIN
