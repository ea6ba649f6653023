// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *prog_name = "taskstate";

static void vreport(const char *fmt, va_list ap, int errnum)
{
	fprintf(stderr, "%s: ", prog_name);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, 0);
	va_end(ap);
	exit(2);
}

void die_errno(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, errnum);
	va_end(ap);
	exit(1);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, 0);
	va_end(ap);
	exit(1);
}

bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int ts_output_open(const char *path, char **tmp)
{
	struct stat st;
	mode_t mask;
	int fd;

	*tmp = NULL;
	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return -1;
		}
		/*
		 * Renaming over it would turn /dev/null or a FIFO into a
		 * regular file, a symlink into a file of its own: write
		 * through, as a shell's '>' does.
		 */
		return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	}
	if (asprintf(tmp, "%s.tmp.XXXXXX", path) < 0) {
		*tmp = NULL;
		errno = ENOMEM;
		return -1;
	}
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		free(*tmp);
		*tmp = NULL;
		errno = err;
		return -1;
	}
	/* mkstemp() makes it 0600; this is an ordinary output file. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask)) {
		int err = errno;

		close(fd);
		ts_output_abort(*tmp);
		*tmp = NULL;
		errno = err;
		return -1;
	}
	return fd;
}

int ts_output_commit(const char *path, char *tmp)
{
	int ret = 0;

	if (tmp && rename(tmp, path)) {
		ret = -errno;
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

void ts_output_abort(char *tmp)
{
	if (tmp)
		unlink(tmp);
	free(tmp);
}
