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

#endif
