/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recordings: what `taskstate trace -o FILE` writes and every other
 * subcommand reads back.
 *
 * File format, version 1 (all integers in the byte order of the machine
 * that wrote it; a reader on the other byte order sees a bad byte-order
 * mark and refuses the file rather than misread it):
 *
 *   offset  size  field
 *        0     8  magic "TSREC\0\0\0"
 *        8     4  version (TS_RECORDING_VERSION)
 *       12     4  record size: sizeof(struct taskstate_event) of the writer
 *       16     4  TASKSTATE_ABI_VERSION of the writer's UAPI header
 *       20     4  byte-order mark 0x01020304
 *       24     -  records: raw struct taskstate_event, record size each,
 *                 in the order the stream delivered them (lost-events
 *                 records included, so a reader knows what is missing)
 *
 * A new or regular file is written under a temporary name in the same
 * directory and renamed into place on commit, so a reader never sees half
 * a recording and an interrupted writer leaves nothing behind; a device,
 * a FIFO or a symlink is written through, never replaced (see
 * ts_output_open()).
 *
 * The reader also takes JSON lines (ts_event_format_json()), so the output
 * of `taskstate trace --json > f` is a recording too: a file whose first
 * non-blank byte is '{' is read that way.
 */
#ifndef TASKSTATE_RECORDING_H
#define TASKSTATE_RECORDING_H

#include <stddef.h>
#include <stdint.h>
#include <linux/taskstate.h>

#define TS_RECORDING_MAGIC	"TSREC\0\0\0"
#define TS_RECORDING_MAGIC_LEN	8
#define TS_RECORDING_VERSION	1
#define TS_RECORDING_BOM	0x01020304u

struct ts_recording_header {
	char	 magic[TS_RECORDING_MAGIC_LEN];
	uint32_t version;
	uint32_t record_size;
	uint32_t abi_version;
	uint32_t byte_order;
};

struct ts_recording_writer;

/*
 * Create a temporary file next to @path and write the header.  NULL with
 * errno set on failure.
 */
struct ts_recording_writer *ts_recording_create(const char *path);

/* Append @n records.  0 or -errno. */
int ts_recording_write(struct ts_recording_writer *w,
		       const struct taskstate_event *ev, size_t n);

/*
 * Flush, close and rename the file into place.  0 or -errno; on failure
 * the temporary file is removed.  @w is freed either way.
 */
int ts_recording_commit(struct ts_recording_writer *w);

/* Remove the temporary file and free @w.  NULL is ignored. */
void ts_recording_abort(struct ts_recording_writer *w);

/* Why a file was refused: the byte offset where it went wrong, and what. */
struct ts_recording_error {
	uint64_t offset;
	char msg[160];
};

/* A whole recording in memory. */
struct ts_recording {
	struct taskstate_event *ev;
	size_t n;
	int json;		/* read from JSON lines */
};

/*
 * Read the recording at @path (binary or JSON lines) into @rec.  Returns 0,
 * -errno when the file cannot be read (@err not set), or -EPROTO when it is
 * not a valid recording: @err then gives the byte offset and the reason
 * (bad magic, version, record size, a truncated or invalid record, a bad
 * JSON line).  On failure @rec holds nothing to free.
 */
int ts_recording_load(const char *path, struct ts_recording *rec,
		      struct ts_recording_error *err);

/* The same from a buffer of @len bytes (what ts_recording_load() reads). */
int ts_recording_parse(const void *buf, size_t len, struct ts_recording *rec,
		       struct ts_recording_error *err);

void ts_recording_free(struct ts_recording *rec);

#endif
