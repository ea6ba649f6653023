/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records of /dev/taskstate as text: one human line, or one JSON object in
 * the shape design.md gives ("JSON lines"), and that JSON read back.
 */
#ifndef TASKSTATE_DECODE_H
#define TASKSTATE_DECODE_H

#include <stddef.h>
#include <linux/taskstate.h>

/*
 * 0 when @ev is a record the formatters and tools can trust, else -EPROTO:
 * @size is sizeof(struct taskstate_event); @kind is EVENT or LOST; a LOST
 * record counts at least one event; an EVENT has transition, states and
 * cause in range, a Linux state letter (RSDTtZXIP: P, parked, is what the
 * kernel reports for a parking kthread) and NUL-terminated strings.
 */
int ts_event_check(const struct taskstate_event *ev);

/*
 * One line, no newline, for instance
 *   12.345678901 cpu1 consumer 812/812: running -> blocked (S) sleep in pipe_read after 1.2 ms
 *   12.395000000 cpu0 consumer 812/812: blocked -> ready wakeup by producer 811 after 49.9 ms
 *   *** 17 events lost on cpu 1 ***
 * Bytes of comm and other strings outside printable ASCII are shown as
 * \xNN, a backslash as \\, so no name can play tricks on a terminal.
 * Returns what snprintf() would: the length of the whole line; at most
 * @len - 1 bytes of it and a NUL are stored (nothing when @len is 0).
 */
int ts_event_format_text(const struct taskstate_event *ev, char *buf,
			 size_t len);

/*
 * The JSON object of design.md, no newline, keys in this order:
 *   {"ts_ns": 1, "cpu": 0, "pid": 2, "tgid": 2, "comm": "a", "from": "running",
 *    "to": "blocked", "linux_state": "S", "cause": "sleep", "other_pid": 0,
 *    "other_comm": "", "wait_site": "pipe_read", "exit_code": 0, "signal": 0,
 *    "prev_state_ns": 3}
 * and for a LOST record {"lost": N, "cpu": C, "ts_ns": T}.  Strings are
 * byte strings (comm is whatever the task named itself): '"' and '\' are
 * escaped, and every byte below 0x20, 0x7f and every byte from 0x80 up is
 * written as \u00XX of that byte, so the line is valid JSON (and ASCII)
 * whatever the bytes.  A JSON reader sees bytes >= 0x80 as U+0080..U+00FF:
 * encode the string as Latin-1 to get the bytes back.  The record's
 * transition is not written: it follows from "from" and "to".
 * Returns like snprintf(), as ts_event_format_text().
 */
int ts_event_format_json(const struct taskstate_event *ev, char *buf,
			 size_t len);

/* Where and why ts_event_parse_json() refused a line. */
/*
 * A string field (comm, wait_site: at most @size bytes, maybe without a
 * NUL) escaped as the event formats above escape it: as text (\xNN for
 * what is not printable ASCII) or as a quoted JSON string (\u00XX).
 * snprintf semantics.
 */
int ts_str_format_text(const char *s, size_t size, char *buf, size_t len);
int ts_str_format_json(const char *s, size_t size, char *buf, size_t len);

struct ts_json_error {
	size_t offset;		/* byte offset in the line */
	char msg[96];
};

/*
 * Read back one line ts_event_format_json() wrote (leading and trailing
 * white space allowed, a newline included).  Strict: every key of the
 * event (or of the lost record) exactly once and nothing else, numbers as
 * integers in the field's range, state, cause and Linux state names as
 * above, strings short enough for their field and without NUL.  Escapes
 * are JSON's; \u only up to \u00ff, read as one byte.  Returns 0 with @out
 * filled (size, kind and transition too), or -EINVAL with @err (if not
 * NULL) saying where and why; @out is then unspecified.
 */
int ts_event_parse_json(const char *line, struct taskstate_event *out,
			struct ts_json_error *err);

#endif
