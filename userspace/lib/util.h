/* SPDX-License-Identifier: GPL-2.0 */
/* Error reporting shared by every taskstate tool: one helper per kind. */
#ifndef TASKSTATE_UTIL_H
#define TASKSTATE_UTIL_H

#include <stdbool.h>
#include <stdint.h>

/* The name tools print before their messages (set from argv[0]). */
extern const char *prog_name;

/* Bad usage: one line on stderr, exit 2. */
__attribute__((noreturn, format(printf, 1, 2)))
void usage_error(const char *fmt, ...);

/* A failed call: "prog: what: strerror(errno)", exit 1. */
__attribute__((noreturn, format(printf, 1, 2)))
void die_errno(const char *fmt, ...);

/* A runtime failure that is not a failed call: exit 1. */
__attribute__((noreturn, format(printf, 1, 2)))
void die(const char *fmt, ...);

/* Parse a whole decimal number in [min, max]; false if it is not one. */
bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* CLOCK_MONOTONIC in nanoseconds, the clock of the module's timestamps. */
uint64_t now_ns(void);

/*
 * Open @path to write a whole output file (-o FILE).  A new path or a
 * regular file is written under a temporary name next to it, *@tmp, that
 * ts_output_commit() renames into place: a failure leaves nothing
 * half-written.  Anything else is opened and written through, never
 * replaced: a device (/dev/null), a FIFO, a symlink (its target is
 * written); *@tmp is then NULL.  A directory fails with EISDIR.
 * Returns the descriptor (O_CLOEXEC), or -1 with errno set.
 */
int ts_output_open(const char *path, char **tmp);

/*
 * After the descriptor is closed: rename @tmp (if any) to @path; frees
 * @tmp.  0, or -errno having removed @tmp.
 */
int ts_output_commit(const char *path, char *tmp);

/* Give up: remove @tmp (if any) and free it. */
void ts_output_abort(char *tmp);

#endif
