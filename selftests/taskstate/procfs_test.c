// SPDX-License-Identifier: GPL-2.0
/*
 * The module's files exist with the right modes, answer what they should,
 * and refuse bad input without changing anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/counters.h"

#define DEV_PATH "/dev/taskstate"
#define NOT_LOADED MODULE_MISSING

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = -1;
	self->fd = open(DEV_PATH, O_RDONLY | O_CLOEXEC);
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, MODULE_MISSING);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", DEV_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, is_a_root_only_char_device)
{
	struct stat st;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

TEST_F(dev, version_ioctl_returns_abi_version)
{
	RETURN_IF_SETUP_SKIPPED();

	EXPECT_EQ(TASKSTATE_ABI_VERSION, ioctl(self->fd, TASKSTATE_IOC_VERSION));
}

TEST_F(dev, unknown_ioctl_is_enotty)
{
	RETURN_IF_SETUP_SKIPPED();

	EXPECT_EQ(-1, ioctl(self->fd, _IO(TASKSTATE_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO('T', 1)));
	EXPECT_EQ(ENOTTY, errno);
}

FIXTURE(transitions) {
	int fd;
};

FIXTURE_SETUP(transitions)
{
	self->fd = open(TS_PROC_TRANSITIONS, O_RDWR | O_CLOEXEC);
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, MODULE_MISSING);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", TS_PROC_TRANSITIONS,
				      strerror(errno));
}

/* procfs seq files refuse pwrite(); a command is one write at offset 0. */
static ssize_t write_at_start(int fd, const void *buf, size_t len)
{
	if (lseek(fd, 0, SEEK_SET))
		return -2;
	return write(fd, buf, len);
}

FIXTURE_TEARDOWN(transitions)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(transitions, lists_the_nine_transitions_by_name)
{
	struct ts_counters c;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, ts_counters_read(&c)) TH_LOG("parse: %s", strerror(errno));
	/* A live system dispatches tasks all the time. */
	EXPECT_LT(0, c.transition[TASKSTATE_TR_DISPATCH]);
	EXPECT_LT(0, c.cause[TASKSTATE_TR_DISPATCH][TASKSTATE_CAUSE_DISPATCH]);
}

TEST_F(transitions, bad_writes_are_einval_and_change_nothing)
{
	RETURN_IF_SETUP_SKIPPED();

	static const char *const bad[] = {
		"bogus", "reset now", "resetreset", "RESET", "reset\n\n",
		" reset", "\n", "res",
	};
	struct ts_counters before, after;

	ASSERT_EQ(0, ts_counters_read(&before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, write_at_start(self->fd, bad[i], strlen(bad[i])))
			TH_LOG("write '%s' was accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("write '%s'", bad[i]);
	}
	/* Overlong input, larger than any valid command. */
	char big[4096];

	memset(big, 'r', sizeof(big));
	EXPECT_EQ(-1, write_at_start(self->fd, big, sizeof(big)));
	EXPECT_EQ(EINVAL, errno);
	/* An unmapped buffer. */
	void *gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_EQ(0, munmap(gone, 4096));
	EXPECT_EQ(-1, write_at_start(self->fd, gone, 5));
	EXPECT_EQ(EFAULT, errno);

	/* Nothing was reset: counters only grow. */
	ASSERT_EQ(0, ts_counters_read(&after));
	for (int tr = 0; tr < TASKSTATE_NR_TRANSITIONS; tr++) {
		EXPECT_LE(before.transition[tr], after.transition[tr])
			TH_LOG("transition %d went down", tr);
	}
}

TEST_F(transitions, reset_starts_counting_again)
{
	struct ts_counters before, after;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, ts_counters_read(&before));
	ASSERT_LT(1000, before.transition[TASKSTATE_TR_DISPATCH])
		TH_LOG("too few dispatches so far to see a reset");
	ASSERT_EQ(5, write_at_start(self->fd, "reset", 5)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, ts_counters_read(&after));
	EXPECT_GT(before.transition[TASKSTATE_TR_DISPATCH],
		  after.transition[TASKSTATE_TR_DISPATCH]);
	ASSERT_EQ(6, write_at_start(self->fd, "reset\n", 6));
	/* A second write continues the first: a partial command, refused. */
	EXPECT_EQ(-1, write(self->fd, "reset", 5));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
