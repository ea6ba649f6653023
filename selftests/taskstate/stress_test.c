// SPDX-License-Identifier: GPL-2.0
/*
 * 200 unload/load cycles while stress-ng forks, execs and passes messages,
 * and readers open, filter, poll, read and close in other processes, some
 * killed in the middle of a read.  An unload while a reader holds the
 * device is refused cleanly and succeeds once it closes.  vm-run fails the
 * run on any kernel warning, lockup or hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/stream.h"
#include "lib/util.h"

#define CYCLES		200
#define READERS		3
#define STRESS_NG	"/usr/bin/stress-ng"

FIXTURE(stress) {
	char ko[PATH_MAX];
	pid_t storm;
	pid_t reader[READERS];
};

static int load(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/* Open, filter, poll, read a little, close; forever, module or not. */
static void reader_loop(int id)
{
	static char buf[64 * TASKSTATE_RECORD_SIZE];
	struct taskstate_filter f = { 0 };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (id == 1) {
		f.flags = TASKSTATE_FILTER_COMM;
		strcpy(f.comm, "stress-ng");
	}
	for (;;) {
		int fd = open("/dev/taskstate", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (fd < 0) {
			usleep(2000);
			continue;
		}
		ioctl(fd, TASKSTATE_IOC_SET_FILTER, &f);
		ioctl(fd, TASKSTATE_IOC_START);
		for (int i = 0; i < 2; i++) {
			poll(&p, 1, 5);
			if (read(fd, buf, sizeof(buf)) < 0 && errno != EAGAIN)
				_exit(2);
		}
		close(fd);
		/* Gaps in which all readers are closed: unload's chance. */
		usleep(10000 * (id + 1));
	}
}

static pid_t spawn_reader(int id)
{
	pid_t pid = fork();

	if (pid == 0)
		reader_loop(id);
	return pid;
}

FIXTURE_SETUP(stress)
{
	char exe[PATH_MAX];
	ssize_t n;

	self->storm = 0;
	memset(self->reader, 0, sizeof(self->reader));
	if (access(TS_DEV_PATH, F_OK))
		SKIP(return, MODULE_MISSING);
	if (geteuid() != 0)
		SKIP(return, "loading modules needs root");
	if (access(STRESS_NG, X_OK))
		SKIP(return, STRESS_NG " missing: run 'make deps'");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	snprintf(self->ko, sizeof(self->ko), "%s/../../kmod/taskstate.ko",
		 dirname(exe));
}

FIXTURE_TEARDOWN(stress)
{
	for (int i = 0; i < READERS; i++) {
		if (self->reader[i] > 0) {
			kill(self->reader[i], SIGKILL);
			waitpid(self->reader[i], NULL, 0);
		}
	}
	if (self->storm > 0) {
		kill(self->storm, SIGKILL);
		waitpid(self->storm, NULL, 0);
	}
	if (access(TS_DEV_PATH, F_OK))
		load(self->ko);
}

TEST_F_TIMEOUT(stress, unload_and_load_under_storm_and_readers,
	       600 * TS_TIME_SCALE)
{
	long refused = 0, killed = 0;
	uint64_t start, unloading = 0, loading = 0;

	RETURN_IF_SETUP_SKIPPED();

	self->storm = fork();
	ASSERT_LE(0, self->storm);
	if (self->storm == 0) {
		char timeout[32];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/*
		 * At nice 19 the storm takes every idle moment but does not
		 * starve the cycles: at nice 0 it made each cycle take 2 s
		 * (20 s on the debug kernel), mostly waiting for a CPU.
		 */
		setpriority(PRIO_PROCESS, 0, 19);
		/* Bounded by itself too, should this test die first. */
		snprintf(timeout, sizeof(timeout), "%ds", 540 * TS_TIME_SCALE);
		/*
		 * stress-ng refuses to start in a directory it cannot write
		 * (the VM's repo is read-only), and says so only on stderr.
		 */
		execl(STRESS_NG, "stress-ng", "--fork", "1", "--exec", "1",
		      "--pipe", "1", "--msg", "1", "--timeout", timeout,
		      "--temp-path", "/tmp", "--quiet", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < READERS; i++) {
		self->reader[i] = spawn_reader(i);
		ASSERT_LT(0, self->reader[i]);
	}

	start = now_ns();
	for (int cycle = 0; cycle < CYCLES; cycle++) {
		uint64_t t0 = now_ns(), t1;
		/*
		 * A leaked reference holds the module for ever; a reader's
		 * close() waits for an RCU grace period, which on PREEMPT_RT
		 * under TCG takes long enough to hold it past 10 s at times.
		 */
		uint64_t deadline = t0 + TS_MS(30000) * 1000000ull;

		/* Every fourth cycle, a reader dies wherever it is. */
		if (cycle % 4 == 0) {
			int r = cycle / 4 % READERS;

			kill(self->reader[r], SIGKILL);
			waitpid(self->reader[r], NULL, 0);
			self->reader[r] = spawn_reader(r);
			ASSERT_LT(0, self->reader[r]);
			killed++;
		}
		while (syscall(SYS_delete_module, "taskstate", O_NONBLOCK)) {
			ASSERT_TRUE(errno == EWOULDBLOCK || errno == EBUSY)
				TH_LOG("cycle %d: unload: %s", cycle, strerror(errno));
			refused++;
			ASSERT_GT(deadline, now_ns())
				TH_LOG("cycle %d: still held after %d s", cycle,
				       TS_MS(30000) / 1000);
			usleep(500);
		}
		t1 = now_ns();
		unloading += t1 - t0;
		ASSERT_NE(0, access(TS_DEV_PATH, F_OK));
		ASSERT_EQ(0, load(self->ko)) TH_LOG("cycle %d: load: %s", cycle,
						    strerror(errno));
		loading += now_ns() - t1;
		usleep(5000);
	}
	TH_LOG("%d cycles in %.1f s (unloading %.1f s, loading %.1f s); %ld "
	       "unloads refused while a reader held the device, %ld readers "
	       "killed", CYCLES, (now_ns() - start) / 1e9, unloading / 1e9,
	       loading / 1e9, refused, killed);
	/* The readers do hold it often: the refusal path was exercised. */
	EXPECT_LT(0, refused);
	for (int i = 0; i < READERS; i++) {
		int status;

		/* Alive, not exited on a read error. */
		EXPECT_EQ(0, waitpid(self->reader[i], &status, WNOHANG));
	}
	/* The storm ran all along: a stress-ng that refused to start would
	 * leave nothing to race with. */
	EXPECT_EQ(0, waitpid(self->storm, NULL, WNOHANG))
		TH_LOG("stress-ng is not running");
}

TEST_HARNESS_MAIN
