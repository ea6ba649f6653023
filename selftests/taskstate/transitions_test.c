// SPDX-License-Identifier: GPL-2.0
/*
 * Workloads with known transitions raise the module's counters by at least
 * the amounts they cause (the rest of the system only adds to them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/counters.h"
#include "lib/util.h"

#define ROUNDS 5

FIXTURE(counters) {
	struct ts_counters before;
	struct ts_counters delta;
	int pipefd[2];
};

FIXTURE_SETUP(counters)
{
	self->pipefd[0] = self->pipefd[1] = -1;
	if (ts_counters_read(&self->before)) {
		if (errno == ENOENT)
			SKIP(return, MODULE_MISSING);
		ASSERT_EQ(0, -errno) TH_LOG("read counters: %s", strerror(errno));
	}
	ASSERT_EQ(0, pipe2(self->pipefd, O_CLOEXEC));
}

FIXTURE_TEARDOWN(counters)
{
	if (self->pipefd[0] >= 0) {
		close(self->pipefd[0]);
		close(self->pipefd[1]);
	}
}

static void take_delta(struct __test_metadata *_metadata,
		       FIXTURE_DATA(counters) *self)
{
	struct ts_counters after;

	ASSERT_EQ(0, ts_counters_read(&after));
	ts_counters_delta(&self->before, &after, &self->delta);
}

static void pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void spin_ms(long ms)
{
	uint64_t end = now_ns() + ms * 1000000ull;

	while (now_ns() < end)
		;
}

/* A child that blocks reading the pipe, then exits with @code. */
static pid_t reader_child(int rfd, int code)
{
	pid_t pid = fork();

	if (pid == 0) {
		char c;

		_exit(read(rfd, &c, 1) == 1 ? code : 100);
	}
	return pid;
}

TEST_F(counters, fork_block_wake_exit)
{
	int status;

	RETURN_IF_SETUP_SKIPPED();

	for (int i = 0; i < ROUNDS; i++) {
		pid_t pid = reader_child(self->pipefd[0], i == 0 ? 3 : 0);

		ASSERT_LT(0, pid);
		sleep_ms(20);	/* the child is blocked in pipe_read by now */
		ASSERT_EQ(1, write(self->pipefd[1], "x", 1));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(i == 0 ? 3 : 0, WEXITSTATUS(status));
	}
	take_delta(_metadata, self);

	const struct ts_counters *d = &self->delta;

	EXPECT_LE(ROUNDS, d->cause[TASKSTATE_TR_CREATE][TASKSTATE_CAUSE_FORK]);
	EXPECT_LE(ROUNDS, d->cause[TASKSTATE_TR_ADMIT][TASKSTATE_CAUSE_CREATED]);
	/* Each child is dispatched when new and again when woken. */
	EXPECT_LE(2 * ROUNDS, d->cause[TASKSTATE_TR_DISPATCH][TASKSTATE_CAUSE_DISPATCH]);
	EXPECT_LE(ROUNDS, d->cause[TASKSTATE_TR_BLOCK][TASKSTATE_CAUSE_SLEEP]);
	EXPECT_LE(ROUNDS, d->cause[TASKSTATE_TR_WAKE][TASKSTATE_CAUSE_WAKEUP]);
	EXPECT_LE(ROUNDS - 1, d->cause[TASKSTATE_TR_EXIT][TASKSTATE_CAUSE_EXIT]);
	EXPECT_LE(1, d->cause[TASKSTATE_TR_EXIT][TASKSTATE_CAUSE_ERROR]);
	/* Nothing else goes none -> new, so these are exact. */
	EXPECT_EQ(d->transition[TASKSTATE_TR_CREATE],
		  d->cause[TASKSTATE_TR_CREATE][TASKSTATE_CAUSE_FORK] +
		  d->cause[TASKSTATE_TR_CREATE][TASKSTATE_CAUSE_THREAD]);
}

static void *idle_thread(void *arg)
{
	return arg;
}

TEST_F(counters, threads_are_created_as_threads)
{
	pthread_t t[ROUNDS];

	RETURN_IF_SETUP_SKIPPED();

	for (int i = 0; i < ROUNDS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, idle_thread, NULL));
	for (int i = 0; i < ROUNDS; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	take_delta(_metadata, self);
	EXPECT_LE(ROUNDS, self->delta.cause[TASKSTATE_TR_CREATE][TASKSTATE_CAUSE_THREAD]);
}

TEST_F(counters, sharing_a_cpu_preempts)
{
	pid_t pid;

	RETURN_IF_SETUP_SKIPPED();

	pin_to_cpu0();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		spin_ms(50);
		_exit(0);
	}
	spin_ms(50);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	take_delta(_metadata, self);
	EXPECT_LE(1, self->delta.cause[TASKSTATE_TR_PREEMPT][TASKSTATE_CAUSE_PREEMPTED]);
}

TEST_F(counters, sched_yield_is_counted_as_yield)
{
	pid_t pid;

	RETURN_IF_SETUP_SKIPPED();

	/*
	 * A yield switches only when another task waits for the same CPU:
	 * this one spins there until the yielder is done, and the yielder
	 * goes on until some of its yields really switched (on a loaded
	 * host a fixed time can pass with the two never on the CPU together).
	 */
	pin_to_cpu0();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t end = now_ns() + TS_MS(5000) * 1000000ull;
		struct rusage ru;
		long start;

		getrusage(RUSAGE_SELF, &ru);
		start = ru.ru_nivcsw;
		do {
			for (int i = 0; i < 100; i++)
				sched_yield();
			getrusage(RUSAGE_SELF, &ru);
		} while (ru.ru_nivcsw - start < 10 && now_ns() < end);
		_exit(0);
	}
	while (waitpid(pid, NULL, WNOHANG) == 0)
		;
	take_delta(_metadata, self);
	EXPECT_LE(1, self->delta.cause[TASKSTATE_TR_PREEMPT][TASKSTATE_CAUSE_YIELD]);
}

TEST_F(counters, exec_is_counted_as_exec)
{
	pid_t pid;

	RETURN_IF_SETUP_SKIPPED();

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	take_delta(_metadata, self);
	EXPECT_LE(1, self->delta.cause[TASKSTATE_TR_NONE][TASKSTATE_CAUSE_EXEC]);
}

TEST_F(counters, killed_while_blocked_is_transition_9)
{
	pid_t pid;
	int status;

	RETURN_IF_SETUP_SKIPPED();

	pid = reader_child(self->pipefd[0], 0);
	ASSERT_LT(0, pid);
	sleep_ms(50);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	take_delta(_metadata, self);
	EXPECT_LE(1, self->delta.cause[TASKSTATE_TR_KILL_BLOCKED][TASKSTATE_CAUSE_KILLED]);
	EXPECT_LE(1, self->delta.cause[TASKSTATE_TR_WAKE][TASKSTATE_CAUSE_SIGNAL]);
}

TEST_F(counters, killed_while_ready_is_transition_8)
{
	pid_t pid;
	int status;
	char c;

	RETURN_IF_SETUP_SKIPPED();

	/* Both on CPU 0: while the parent runs, the child can only wait. */
	pin_to_cpu0();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (write(self->pipefd[1], "x", 1) != 1)
			_exit(100);
		for (;;)
			;
	}
	ASSERT_EQ(1, read(self->pipefd[0], &c, 1));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	take_delta(_metadata, self);
	EXPECT_LE(1, self->delta.cause[TASKSTATE_TR_KILL_READY][TASKSTATE_CAUSE_KILLED]);
}

TEST_HARNESS_MAIN
