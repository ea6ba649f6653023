// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/taskstate/config: settings read back as written, and every kind of
 * bad write refused with EINVAL (or EFAULT) leaving the settings unchanged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/stream.h"

#define CONFIG "/proc/taskstate/config"

FIXTURE(config) {
	char saved[512];
};

static int read_config(char *buf, size_t len)
{
	int fd = open(CONFIG, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * The settings of @buf, read_config()'s text: without buffer_memory_used,
 * which is state, and falls when a closed session's buffer is freed after
 * a grace period (a previous test's, at any time).
 */
static char *settings_only(char *buf)
{
	char *line = strstr(buf, "buffer_memory_used="), *end;

	if (line) {
		end = strchr(line, '\n');
		if (end)
			memmove(line, end + 1, strlen(end + 1) + 1);
		else
			*line = '\0';
	}
	return buf;
}

/* One write on a fresh open; returns write()'s result, errno as it left it. */
static ssize_t write_config(const void *buf, size_t len)
{
	int fd = open(CONFIG, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -2;
	n = write(fd, buf, len);
	err = errno;
	close(fd);
	errno = err;
	return n;
}

FIXTURE_SETUP(config)
{
	if (access(CONFIG, F_OK))
		SKIP(return, MODULE_MISSING);
	ASSERT_EQ(0, read_config(self->saved, sizeof(self->saved)));
}

FIXTURE_TEARDOWN(config)
{
	write_config("buffer_records=4096", 19);
	write_config("wait_sites=0", 12);
}

TEST_F(config, shows_every_setting)
{
	RETURN_IF_SETUP_SKIPPED();

	EXPECT_NE(NULL, strstr(self->saved, "buffer_records=4096\n"));
	EXPECT_NE(NULL, strstr(self->saved, "wait_sites=0\n"));
	EXPECT_NE(NULL, strstr(self->saved, "task_slots="));
	EXPECT_NE(NULL, strstr(self->saved, "dev_mode=0600\n"));
	EXPECT_NE(NULL, strstr(self->saved, "dev_group=-1\n"));
	EXPECT_NE(NULL, strstr(self->saved, "buffer_memory_mb="));
	EXPECT_NE(NULL, strstr(self->saved, "buffer_memory_used="));
}

TEST_F(config, good_writes_take_effect)
{
	struct taskstate_stats st;
	struct ts_stream *s;
	char now[512];

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(20, write_config("buffer_records=1024\n", 20));
	ASSERT_EQ(12, write_config("wait_sites=1", 12));
	ASSERT_EQ(0, read_config(now, sizeof(now)));
	EXPECT_NE(NULL, strstr(now, "buffer_records=1024\n"));
	EXPECT_NE(NULL, strstr(now, "wait_sites=1\n"));
	/* 0 brings the default share of RAM back. */
	ASSERT_EQ(19, write_config("buffer_memory_mb=77", 19));
	ASSERT_EQ(0, read_config(now, sizeof(now)));
	EXPECT_NE(NULL, strstr(now, "buffer_memory_mb=77\n"));
	ASSERT_EQ(18, write_config("buffer_memory_mb=0", 18));
	ASSERT_EQ(0, read_config(now, sizeof(now)));
	EXPECT_EQ(NULL, strstr(now, "buffer_memory_mb=77\n"));
	EXPECT_EQ(NULL, strstr(now, "buffer_memory_mb=0\n"));
	/* New sessions get the new default. */
	s = ts_stream_open(NULL, 0);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, ts_stream_stats(s, &st));
	EXPECT_EQ(1024, st.buffer_records);
	ts_stream_close(s);
}

TEST_F(config, bad_writes_are_refused_and_change_nothing)
{
	static const char *const bad[] = {
		"\n",				/* empty */
		"bogus=1",			/* unknown key */
		"buffer_records",		/* no value */
		"buffer_records=",		/* empty value */
		"buffer_records=abc",		/* not a number */
		"buffer_records=-16",		/* negative */
		"buffer_records=+16",		/* sign */
		"buffer_records= 16",		/* blank */
		"buffer_records=16 ",		/* trailing blank */
		"buffer_records=15",		/* below the minimum */
		"buffer_records=1048577",	/* above the maximum */
		"buffer_records=99999999999999999999", /* overflow */
		"buffer_records=0x100",		/* not decimal */
		"wait_sites=2",			/* not a boolean */
		"wait_sites=yes",
		"task_slots=1024",		/* load-time setting */
		"dev_mode=0666",		/* load-time setting */
		"buffer_records=16\nwait_sites=0", /* two lines */
		"buffer_records=16\n\n",	/* extra newline */
		"Buffer_records=16",		/* case */
		"buffer_memory_mb=-1",		/* negative */
		"buffer_memory_mb=1048577",	/* above the maximum */
		"buffer_memory_mb=1M",		/* a unit */
		"buffer_memory_used=0",		/* state, not a setting */
	};
	char big[4096], now[512];
	void *gone;
	int fd;

	RETURN_IF_SETUP_SKIPPED();

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		EXPECT_EQ(-1, write_config(bad[i], strlen(bad[i])))
			TH_LOG("'%s' was accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("'%s'", bad[i]);
	}
	memset(big, '1', sizeof(big));
	memcpy(big, "buffer_records=", 15);
	EXPECT_EQ(-1, write_config(big, sizeof(big)));
	EXPECT_EQ(EINVAL, errno);
	/* A line split over two writes. */
	fd = open(CONFIG, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "buffer_", 7));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(19, write(fd, "buffer_records=2048", 19));
	EXPECT_EQ(-1, write(fd, "wait_sites=0", 12));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	ASSERT_EQ(19, write_config("buffer_records=4096", 19));
	/* An unmapped buffer. */
	gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_EQ(0, munmap(gone, 4096));
	EXPECT_EQ(-1, write_config(gone, 19));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, read_config(now, sizeof(now)));
	EXPECT_STREQ(settings_only(self->saved), settings_only(now));
}

TEST_HARNESS_MAIN
