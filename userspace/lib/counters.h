/* SPDX-License-Identifier: GPL-2.0 */
/* The module's transition counters, as /proc/taskstate/transitions shows them. */
#ifndef TASKSTATE_COUNTERS_H
#define TASKSTATE_COUNTERS_H

#include <stdint.h>
#include <linux/taskstate.h>

#define TS_PROC_TRANSITIONS "/proc/taskstate/transitions"

struct ts_counters {
	uint64_t transition[TASKSTATE_NR_TRANSITIONS];	/* [0]: other events */
	uint64_t cause[TASKSTATE_NR_TRANSITIONS][TASKSTATE_NR_CAUSES];
};

/* 0, or -1 with errno set (ENOENT: module not loaded; EPROTO: bad format). */
int ts_counters_read(struct ts_counters *c);

/* after - before, field by field. */
void ts_counters_delta(const struct ts_counters *before,
		       const struct ts_counters *after,
		       struct ts_counters *delta);

const char *ts_state_str(unsigned int state);
const char *ts_cause_str(unsigned int cause);
const char *ts_transition_str(unsigned int tr);
/*
 * The same names for people, in the user's language (gettext): for text
 * output only; JSON, procfs and parsing use the English names above.
 */
const char *ts_state_label(unsigned int state);
const char *ts_cause_label(unsigned int cause);
const char *ts_transition_label(unsigned int tr);
/* The cause named @name, or -1. */
int ts_cause_parse(const char *name);

#endif
