// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "decode.h"
#include "stream.h"
#include "util.h"

struct ts_stream {
	int fd;
	bool nonblock;
	bool started;
	size_t record_size;	/* what this program was built with */
};

struct ts_stream *ts_stream_open(const char *path, int flags)
{
	struct ts_stream *s = calloc(1, sizeof(*s));
	int version, err;

	if (!s)
		return NULL;
	s->fd = open(path ? path : TS_DEV_PATH, O_RDONLY | O_CLOEXEC | flags);
	if (s->fd < 0)
		goto fail;
	version = ioctl(s->fd, TASKSTATE_IOC_VERSION);
	if (version < 0)
		goto fail;
	if (version != TASKSTATE_ABI_VERSION) {
		errno = EPROTO;
		goto fail;
	}
	/* Same ABI version, same record: the size is the one compiled in. */
	s->record_size = TASKSTATE_RECORD_SIZE;
	s->nonblock = flags & O_NONBLOCK;
	return s;
fail:
	err = errno;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	errno = err;
	return NULL;
}

void ts_stream_close(struct ts_stream *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}

int ts_stream_fd(const struct ts_stream *s)
{
	return s->fd;
}

static int stream_ioctl(struct ts_stream *s, unsigned long cmd, void *arg)
{
	return ioctl(s->fd, cmd, arg) < 0 ? -errno : 0;
}

int ts_stream_set_filter(struct ts_stream *s, const struct taskstate_filter *f)
{
	return stream_ioctl(s, TASKSTATE_IOC_SET_FILTER, (void *)f);
}

int ts_stream_set_buffer(struct ts_stream *s, uint32_t records)
{
	return stream_ioctl(s, TASKSTATE_IOC_SET_BUFFER, &records);
}

int ts_stream_start(struct ts_stream *s)
{
	int ret = stream_ioctl(s, TASKSTATE_IOC_START, NULL);

	if (!ret)
		s->started = true;
	return ret;
}

int ts_stream_stats(struct ts_stream *s, struct taskstate_stats *st)
{
	return stream_ioctl(s, TASKSTATE_IOC_GET_STATS, st);
}

/* 1 when a read will not block, 0 on timeout, or -errno. */
static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return -errno;
	if (!n)
		return 0;
	if (pfd.revents & POLLNVAL)
		return -EBADF;
	/* POLLERR or POLLHUP too: the read says what went wrong. */
	return 1;
}

ssize_t ts_stream_read(struct ts_stream *s, struct taskstate_event *ev,
		       size_t max, int timeout_ms)
{
	size_t want = max < TS_STREAM_BATCH ? max : TS_STREAM_BATCH;
	uint64_t deadline = 0;
	bool must_poll;
	ssize_t n;

	if (!want)
		return -EINVAL;
	/*
	 * The first read would start the session, but a poll() before it
	 * would wait on a session that records nothing: start it first.
	 */
	if (!s->started) {
		int ret = ts_stream_start(s);

		if (ret)
			return ret;
	}
	if (timeout_ms > 0)
		deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	/* Only a blocking read with no time limit can go straight to read(). */
	must_poll = timeout_ms >= 0 || s->nonblock;
	for (;;) {
		if (must_poll) {
			int wait = timeout_ms, ret;

			if (timeout_ms > 0) {
				uint64_t now = now_ns();

				wait = now >= deadline ? 0 :
				       (int)((deadline - now + 999999) / 1000000);
			}
			ret = wait_readable(s->fd, wait);
			if (ret <= 0)
				return ret;
		}
		/* Straight into @ev: a copy would cost as much as the read. */
		n = read(s->fd, ev, want * s->record_size);
		if (n >= 0)
			break;
		if (errno != EAGAIN)
			return -errno;
		/* Someone else took the records poll() saw: wait again. */
		if (timeout_ms == 0)
			return 0;
		must_poll = true;
	}
	/* A blocking read never returns 0: the stream has no end. */
	if (n == 0 || (size_t)n % s->record_size)
		return -EPROTO;
	n /= s->record_size;
	for (ssize_t i = 0; i < n; i++)
		if (ts_event_check(&ev[i]))
			return -EPROTO;
	return n;
}

void ts_filter_all(struct taskstate_filter *f)
{
	memset(f, 0, sizeof(*f));
}

int ts_filter_pids(struct taskstate_filter *f, uint32_t flags,
		   const pid_t *ids, size_t n)
{
	const uint32_t kinds = TASKSTATE_FILTER_PIDS | TASKSTATE_FILTER_TGIDS |
			       TASKSTATE_FILTER_DESCENDANTS;

	uint32_t kind = flags & kinds;

	/* One kind of id: the module refuses a mix, as it should. */
	if (!kind || (kind & (kind - 1)) ||
	    (flags & ~(kinds | TASKSTATE_FILTER_NO_WAIT_SITE)) ||
	    !n || n > TASKSTATE_FILTER_MAX_IDS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (ids[i] <= 0)
			return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->flags = flags;
	f->nr_ids = n;
	for (size_t i = 0; i < n; i++)
		f->ids[i] = ids[i];
	return 0;
}
