/* SPDX-License-Identifier: GPL-2.0 */
/* What the taskstate selftests share on top of kselftest_harness.h. */
#ifndef TS_SELFTEST_H
#define TS_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * Debug kernels (make check-debug: KASAN, lockdep...) run everything
 * several times slower; they build the tests with TS_TIME_SCALE > 1, which
 * stretches the harness's per-test timeout and the waits a test allows
 * for something to happen.  Never a pass/fail threshold on a duration.
 */
#ifndef TS_TIME_SCALE
#define TS_TIME_SCALE 1
#endif
#if TS_TIME_SCALE > 1
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT (30 * TS_TIME_SCALE)
#endif
/* How long to allow for something that takes @ms on Debian's kernel. */
#define TS_MS(ms) ((ms) * TS_TIME_SCALE)

#define MODULE_MISSING \
	"module not loaded: load kmod/taskstate.ko (make check runs the tests in a VM)"

/*
 * The 6.1 harness still runs a test whose FIXTURE_SETUP called SKIP();
 * every test body of a fixture that can skip starts with this.
 */
#define RETURN_IF_SETUP_SKIPPED()		\
	do {					\
		if (_metadata->skip)		\
			return;			\
	} while (0)

/*
 * @pid's state letter from /proc/PID/stat (R, S, D, Z...), or 0 once it is
 * gone.  comm may hold ')' and spaces: the state follows the last ')'.
 */
static inline char ts_proc_state(pid_t pid)
{
	char path[64], buf[512], *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	end = strrchr(buf, ')');
	return end && end[1] == ' ' ? end[2] : 0;
}

/*
 * Poll until @pid is in @state (say 'S': asleep, waiting for the test),
 * for up to TS_MS(@ms).  Return: false if it never got there.
 */
static inline bool ts_wait_state(pid_t pid, char state, long ms)
{
	for (long waited = 0; ts_proc_state(pid) != state; waited += 10) {
		if (waited >= TS_MS(ms))
			return false;
		usleep(10000);
	}
	return true;
}

/* @text in one write on a fresh open; 0, or -1 with errno as write left it. */
static inline int ts_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The first line of @path, without its newline; 0 or -1. */
static inline int ts_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = -1;

	if (!f)
		return -1;
	if (fgets(buf, len, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		ret = 0;
	}
	fclose(f);
	return ret;
}

#define TS_CONFIG "/proc/taskstate/config"

/* The value of @key in /proc/taskstate/config into @val; 0 or -1. */
static inline int ts_config_get(const char *key, char *val, size_t len)
{
	FILE *f = fopen(TS_CONFIG, "re");
	size_t k = strlen(key);
	char line[128];
	int found = -1;

	if (!f)
		return -1;
	while (len && fgets(line, sizeof(line), f)) {
		size_t n;

		if (strncmp(line, key, k) || line[k] != '=')
			continue;
		n = strcspn(line + k + 1, "\n");
		if (n >= len)
			n = len - 1;
		memcpy(val, line + k + 1, n);
		val[n] = '\0';
		found = 0;
	}
	fclose(f);
	return found;
}

/* A number of /proc/taskstate/config, or -1. */
static inline long long ts_config_number(const char *key)
{
	char val[64];

	return ts_config_get(key, val, sizeof(val)) ? -1 : atoll(val);
}

/*
 * buffer_memory_used once it is back to @want: a closed session's buffer is
 * given back after an RCU grace period, not in close().  Polls for up to
 * TS_MS(@ms); returns the last value read.
 */
static inline long long ts_buffer_memory_settled(long long want, long ms)
{
	long long used = ts_config_number("buffer_memory_used");

	for (long waited = 0; used != want && waited < TS_MS(ms); waited += 10) {
		usleep(10000);
		used = ts_config_number("buffer_memory_used");
	}
	return used;
}

/*
 * Where a reader of an empty pipe waits: pipe_read, or anon_pipe_read on
 * kernels (Debian's 7.2) that give anonymous pipes their own read.
 */
static inline bool ts_pipe_read_site(const char *site)
{
	return !strcmp(site, "pipe_read") || !strcmp(site, "anon_pipe_read");
}

#endif
