/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A session of /dev/taskstate: open it, choose what it records, read its
 * records.  The library prints nothing and keeps no global state; every
 * call that can fail returns -errno (or NULL with errno set), so a tool
 * decides how to report it.
 */
#ifndef TASKSTATE_STREAM_H
#define TASKSTATE_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/taskstate.h>

#define TS_DEV_PATH "/dev/taskstate"

/* Records one ts_stream_read() takes from the kernel at most. */
#define TS_STREAM_BATCH 256

struct ts_stream;

/*
 * Open a session on @path (NULL: TS_DEV_PATH); @flags are added to
 * O_RDONLY | O_CLOEXEC, O_NONBLOCK being the one that makes sense.
 * NULL with errno set on failure: ENOENT when the module is not loaded,
 * EPROTO when the module speaks another TASKSTATE_ABI_VERSION than the one
 * this program was built with (rebuild one of them), ENOTTY when @path is
 * not a taskstate device.
 */
struct ts_stream *ts_stream_open(const char *path, int flags);

/* Close the session (its buffers go with it).  NULL is ignored. */
void ts_stream_close(struct ts_stream *s);

/* The descriptor, for poll()/epoll; still owned by @s. */
int ts_stream_fd(const struct ts_stream *s);

/* Replace the session's filter; it applies to events from now on. */
int ts_stream_set_filter(struct ts_stream *s, const struct taskstate_filter *f);

/* Records per CPU, TASKSTATE_BUFFER_MIN..MAX; -EBUSY once started. */
int ts_stream_set_buffer(struct ts_stream *s, uint32_t records);

/* Start recording now rather than at the first read. */
int ts_stream_start(struct ts_stream *s);

int ts_stream_stats(struct ts_stream *s, struct taskstate_stats *st);

/*
 * Read up to @max records (at most TS_STREAM_BATCH per call) into @ev,
 * starting the session if it has not started.  @timeout_ms: -1 waits as
 * long as it takes, 0 does not wait, more waits at most that long, whether
 * or not the descriptor is O_NONBLOCK.  Returns the number of records, 0
 * when none came in time, or -errno: -EINTR when a signal interrupted the
 * wait (so a tool can stop on Ctrl-C; a blocking read() is restarted
 * instead if the handler has SA_RESTART), -EPROTO when the kernel handed back
 * something that is not a whole number of valid records (see
 * ts_event_check()); none of that read's records are then returned, and
 * what @ev then holds is not to be used.
 */
ssize_t ts_stream_read(struct ts_stream *s, struct taskstate_event *ev,
		       size_t max, int timeout_ms);

/* A filter that records every task: all zero. */
void ts_filter_all(struct taskstate_filter *f);

/*
 * A filter on the @n ids in @ids: @flags says what they are, exactly one
 * of TASKSTATE_FILTER_PIDS, _TGIDS or _DESCENDANTS (ids and every task
 * they fork once the session runs), optionally with _NO_WAIT_SITE.
 * -EINVAL, leaving @f untouched, unless 1 <= @n <=
 * TASKSTATE_FILTER_MAX_IDS, every id is positive and @flags are as said.
 */
int ts_filter_pids(struct taskstate_filter *f, uint32_t flags,
		   const pid_t *ids, size_t n);

#endif
