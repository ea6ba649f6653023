// SPDX-License-Identifier: GPL-2.0
/*
 * The module unloads and loads again cleanly, many times, while the system
 * forks, blocks and wakes; it cannot be unloaded while in use, and a
 * reader killed in the middle of a blocking read() lets it go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/counters.h"
#include "lib/util.h"

#define CYCLES 20

static int unload(void)
{
	return syscall(SYS_delete_module, "taskstate", O_NONBLOCK);
}

static int load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/* fork, block on a pipe, wake, exit: every probe fires, over and over. */
static pid_t start_storm(void)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	for (;;) {
		int p[2];
		pid_t child;
		char c;

		if (pipe(p))
			_exit(1);
		child = fork();
		if (child == 0) {
			/*
			 * Not our own write end: when the storm is killed
			 * before it writes, read() must see EOF, or this child
			 * lives on holding the test's stdout.
			 */
			close(p[1]);
			_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
		}
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		waitpid(child, NULL, 0);
		close(p[0]);
		close(p[1]);
	}
}

FIXTURE(module) {
	char path[PATH_MAX];
	pid_t storm;
};

FIXTURE_SETUP(module)
{
	char exe[PATH_MAX];
	const char *env = getenv("TASKSTATE_KO");
	ssize_t n;

	self->storm = 0;
	if (access(TS_PROC_TRANSITIONS, F_OK))
		SKIP(return, MODULE_MISSING);
	if (geteuid() != 0)
		SKIP(return, "loading modules needs root");
	if (env) {
		snprintf(self->path, sizeof(self->path), "%s", env);
	} else {
		/* The test binary lives in selftests/taskstate/. */
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		ASSERT_LT(0, n);
		exe[n] = '\0';
		snprintf(self->path, sizeof(self->path),
			 "%s/../../kmod/taskstate.ko", dirname(exe));
	}
	ASSERT_EQ(0, access(self->path, R_OK)) TH_LOG("%s: %s", self->path,
						      strerror(errno));
}

FIXTURE_TEARDOWN(module)
{
	if (self->storm > 0) {
		kill(self->storm, SIGKILL);
		waitpid(self->storm, NULL, 0);
	}
	/* Leave the module loaded, as we found it. */
	if (access(TS_PROC_TRANSITIONS, F_OK))
		load(self->path);
}

/* Each unload waits for RCU grace periods: slow under emulation. */
TEST_F_TIMEOUT(module, reload_under_load, 300 * TS_TIME_SCALE)
{
	struct ts_counters c;
	uint64_t start;

	RETURN_IF_SETUP_SKIPPED();
	start = now_ns();

	self->storm = start_storm();
	ASSERT_LT(0, self->storm);
	for (int i = 0; i < CYCLES; i++) {
		ASSERT_EQ(0, unload()) TH_LOG("cycle %d: unload: %s", i,
					      strerror(errno));
		ASSERT_NE(0, access(TS_PROC_TRANSITIONS, F_OK));
		ASSERT_EQ(0, load(self->path)) TH_LOG("cycle %d: load: %s", i,
						      strerror(errno));
		usleep(10000);
		ASSERT_EQ(0, ts_counters_read(&c)) TH_LOG("cycle %d", i);
		if (i == CYCLES - 1)
			TH_LOG("%d cycles in %.1f s", CYCLES,
			       (now_ns() - start) / 1e9);
		/* Freshly loaded and already seeing the storm. */
		EXPECT_LT(0, c.transition[TASKSTATE_TR_DISPATCH]);
	}
}

TEST_F(module, unload_refused_while_device_open)
{
	int fd;

	RETURN_IF_SETUP_SKIPPED();

	fd = open("/dev/taskstate", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, unload());
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, access(TS_PROC_TRANSITIONS, F_OK));
	close(fd);
	EXPECT_EQ(0, unload()) TH_LOG("after close: %s", strerror(errno));
	EXPECT_EQ(0, load(self->path));
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * A reader asleep in a blocking read() that nothing will satisfy: a
 * signal interrupts it (EINTR, no data), the module stays pinned while it
 * holds the device, and once it is killed in the middle of the next read
 * the module unloads.
 */
TEST_F(module, a_reader_killed_in_read_releases_the_module)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	int ready[2], status;
	char c;
	pid_t reader;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe(ready));
	reader = fork();
	ASSERT_LE(0, reader);
	if (reader == 0) {
		struct taskstate_filter f = { .flags = TASKSTATE_FILTER_COMM };
		struct taskstate_event ev;
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigaction(SIGUSR1, &sa, NULL);
		/* No task has this name: the read waits until a signal. */
		strcpy(f.comm, "ts-nobody");
		fd = open("/dev/taskstate", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, TASKSTATE_IOC_SET_FILTER, &f) ||
		    ioctl(fd, TASKSTATE_IOC_START))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		if (read(fd, &ev, sizeof(ev)) != -1 || errno != EINTR)
			_exit(2);
		if (write(ready[1], "i", 1) != 1)
			_exit(1);
		read(fd, &ev, sizeof(ev));	/* killed in here */
		_exit(3);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ('r', c);
	ASSERT_TRUE(ts_wait_state(reader, 'S', 5000))
		TH_LOG("the reader never slept in read()");

	ASSERT_EQ(0, kill(reader, SIGUSR1));
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the reader died: read() was not interrupted");
	EXPECT_EQ('i', c);
	ASSERT_TRUE(ts_wait_state(reader, 'S', 5000));

	EXPECT_EQ(-1, unload());
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, access(TS_PROC_TRANSITIONS, F_OK));

	ASSERT_EQ(0, kill(reader, SIGKILL));
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("status %#x", status);
	close(ready[0]);
	/* Its file is released with its last reference, at exit. */
	EXPECT_EQ(0, unload()) TH_LOG("after the reader died: %s", strerror(errno));
	EXPECT_EQ(0, load(self->path));
}

TEST_HARNESS_MAIN
