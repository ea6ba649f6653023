// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocation on the paths a user drives (open, SET_BUFFER,
 * SET_FILTER, the procfs files) made to fail, one at a time: the call
 * fails cleanly or gets by, nothing stays charged, and the module works
 * afterwards.  Leaks are kmemleak's to find (make check-debug scans after
 * the module is unloaded).
 *
 * Needs a kernel with CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB and
 * CONFIG_FAIL_PAGE_ALLOC (the debug kernel of make check-debug): the n-th
 * slab or page allocation of this thread fails after n is written to
 * /proc/thread-self/fail-nth.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/stream.h"

#define MAX_NTH		400

static const char *const knobs[] = {
	"/sys/kernel/debug/failslab/ignore-gfp-wait",
	"/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait",
	"/sys/kernel/debug/fail_page_alloc/min-order",
	"/sys/kernel/debug/failslab/verbose",
	"/sys/kernel/debug/fail_page_alloc/verbose",
};

static const char *const knob_values[] = { "N", "N", "0", "0", "0" };

FIXTURE(faults) {
	int nth;			/* /proc/thread-self/fail-nth */
	char saved[5][16];		/* the knobs as they were */
};

FIXTURE_SETUP(faults)
{
	self->nth = -1;
	if (access(TS_DEV_PATH, F_OK))
		SKIP(return, MODULE_MISSING);
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (self->nth < 0)
		SKIP(return, "no /proc/thread-self/fail-nth: this kernel has no CONFIG_FAULT_INJECTION (make check-debug's has)");
	if (access(knobs[0], W_OK) || access(knobs[1], W_OK))
		SKIP(return, "no failslab or fail_page_alloc in debugfs: CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and CONFIG_FAULT_INJECTION_DEBUG_FS are needed");
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		ASSERT_EQ(0, ts_read_line(knobs[i], self->saved[i],
				       sizeof(self->saved[i])));
		ASSERT_EQ(0, ts_write_file(knobs[i], knob_values[i]));
	}
}

FIXTURE_TEARDOWN(faults)
{
	if (self->nth < 0)
		return;
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (self->saved[i][0])
			ts_write_file(knobs[i], self->saved[i]);
	close(self->nth);
}

/*
 * One operation on the paths under test.  @fd is a fresh session (not
 * started) or -1 for the operations that open their own.  Returns 0 or
 * -errno.
 */
typedef int (*op_fn)(int fd);

static int op_open(int fd)
{
	(void)fd;
	fd = open(TS_DEV_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int op_set_buffer(int fd)
{
	__u32 records = 1024;

	return ioctl(fd, TASKSTATE_IOC_SET_BUFFER, &records) ? -errno : 0;
}

static int op_set_filter_descendants(int fd)
{
	struct taskstate_filter f;
	pid_t me = getpid();

	ts_filter_pids(&f, TASKSTATE_FILTER_DESCENDANTS, &me, 1);
	return ioctl(fd, TASKSTATE_IOC_SET_FILTER, &f) ? -errno : 0;
}

static int op_start_and_stats(int fd)
{
	struct taskstate_stats st;

	if (ioctl(fd, TASKSTATE_IOC_START))
		return -errno;
	return ioctl(fd, TASKSTATE_IOC_GET_STATS, &st) ? -errno : 0;
}

static int op_read_procfs(int fd, const char *path)
{
	char buf[4096];
	int pfd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	(void)fd;
	if (pfd < 0)
		return -errno;
	while ((n = read(pfd, buf, sizeof(buf))) > 0)
		;
	close(pfd);
	return n < 0 ? -errno : 0;
}

static int op_read_transitions(int fd)
{
	return op_read_procfs(fd, "/proc/taskstate/transitions");
}

static int op_read_tasks(int fd)
{
	return op_read_procfs(fd, "/proc/taskstate/tasks");
}

static int op_write_config(int fd)
{
	(void)fd;
	return ts_write_file(TS_CONFIG, "buffer_records=4096") ? -errno : 0;
}

/* After a failure: a session opens, filters, records and reads. */
static int still_works(void)
{
	struct ts_stream *s = ts_stream_open(NULL, 0);
	struct taskstate_event ev[8];
	struct taskstate_filter f;
	pid_t me = getpid();
	ssize_t n;

	if (!s)
		return -1;
	ts_filter_pids(&f, TASKSTATE_FILTER_TGIDS, &me, 1);
	if (ts_stream_set_filter(s, &f) || ts_stream_start(s)) {
		ts_stream_close(s);
		return -2;
	}
	usleep(1000);
	n = ts_stream_read(s, ev, 8, 1000);
	ts_stream_close(s);
	return n > 0 ? 0 : -3;
}

/*
 * Fail the 1st, 2nd, ... allocation of @op until it makes fewer than n.
 * Returns the number of allocation sites failed.
 */
static int fail_each(struct __test_metadata *_metadata,
		     FIXTURE_DATA(faults) *self, const char *name, op_fn op)
{
	/* Sessions closed before are freed after a grace period: 0 then. */
	long long used0 = ts_buffer_memory_settled(0, 2000);
	int n, failed_calls = 0;

	ASSERT_LE(0, used0);
	for (n = 1; n <= MAX_NTH; n++) {
		char val[16];
		int fd = -1, ret, left;

		if (op != op_open && op != op_read_transitions &&
		    op != op_read_tasks && op != op_write_config) {
			fd = open(TS_DEV_PATH, O_RDONLY | O_CLOEXEC);
			ASSERT_LE(0, fd);
		}
		snprintf(val, sizeof(val), "%d", n);
		ASSERT_EQ((ssize_t)strlen(val), pwrite(self->nth, val,
						       strlen(val), 0));
		ret = op(fd);
		/* Read first: the read must not count as the n-th call. */
		ASSERT_LT(0, pread(self->nth, val, sizeof(val) - 1, 0));
		left = atoi(val);
		ASSERT_EQ(1, pwrite(self->nth, "0", 1, 0));
		if (fd >= 0)
			close(fd);

		/* A failed call says so with a documented error. */
		if (ret)
			EXPECT_TRUE(ret == -ENOMEM || ret == -EFAULT ||
				    ret == -EINTR || ret == -EAGAIN)
				TH_LOG("%s, allocation %d failed: %s", name, n,
				       strerror(-ret));
		failed_calls += ret != 0;
		EXPECT_EQ(used0, ts_buffer_memory_settled(used0, 10000))
			TH_LOG("%s, allocation %d failed: buffer memory not given back",
			       name, n);
		EXPECT_EQ(0, still_works())
			TH_LOG("%s, allocation %d failed: the module no longer works",
			       name, n);
		if (left)	/* fewer than n allocations: all were tried */
			break;
	}
	EXPECT_GT(MAX_NTH, n) TH_LOG("%s makes more than %d allocations", name,
				     MAX_NTH);
	TH_LOG("%s: %d allocation sites failed one by one, %d calls failed",
	       name, n - 1, failed_calls);
	return n - 1;
}

TEST_F_TIMEOUT(faults, every_allocation_of_every_path_fails_cleanly,
	       300 * TS_TIME_SCALE)
{
	static const struct {
		const char *name;
		op_fn op;
	} ops[] = {
		{ "open", op_open },
		{ "SET_BUFFER", op_set_buffer },
		{ "SET_FILTER descendants", op_set_filter_descendants },
		{ "START and GET_STATS", op_start_and_stats },
		{ "read transitions", op_read_transitions },
		{ "read tasks", op_read_tasks },
		{ "write config", op_write_config },
	};
	int sites = 0;

	RETURN_IF_SETUP_SKIPPED();

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		sites += fail_each(_metadata, self, ops[i].name, ops[i].op);
	TH_LOG("%d allocation sites failed in all", sites);
	EXPECT_LT(0, sites);
}

TEST_HARNESS_MAIN
