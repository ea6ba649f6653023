// SPDX-License-Identifier: GPL-2.0
/*
 * The record formatters and the JSON reader, on the host: exact lines for
 * known records, JSON that stays valid whatever bytes a comm holds, round
 * trips, refusal of bad lines, and snprintf() semantics on small buffers.
 * Also what of the stream library needs no module: filter building and
 * the refusal of a device that is not /dev/taskstate.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "lib/decode.h"
#include "lib/stream.h"

static struct taskstate_event event(unsigned int from, unsigned int to,
				    unsigned int tr, unsigned int cause,
				    char letter)
{
	struct taskstate_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.size = sizeof(ev);
	ev.kind = TASKSTATE_KIND_EVENT;
	ev.transition = tr;
	ev.from = from;
	ev.to = to;
	ev.cause = cause;
	ev.linux_state = letter;
	ev.ts_ns = 12345678901ull;
	ev.cpu = 1;
	ev.pid = 812;
	ev.tgid = 812;
	strcpy(ev.comm, "consumer");
	return ev;
}

static struct taskstate_event blocked_in_pipe_read(void)
{
	struct taskstate_event ev = event(TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
					  TASKSTATE_TR_BLOCK,
					  TASKSTATE_CAUSE_SLEEP, 'S');

	strcpy(ev.wait_site, "pipe_read");
	ev.prev_state_ns = 1234567;
	return ev;
}

static struct taskstate_event woken_by_producer(void)
{
	struct taskstate_event ev = event(TASKSTATE_BLOCKED, TASKSTATE_READY,
					  TASKSTATE_TR_WAKE,
					  TASKSTATE_CAUSE_WAKEUP, 'R');

	ev.ts_ns = 12395000000ull;
	ev.cpu = 0;
	ev.other_pid = 811;
	strcpy(ev.other_comm, "producer");
	ev.prev_state_ns = 50123456;
	return ev;
}

static struct taskstate_event killed_while_blocked(void)
{
	struct taskstate_event ev = event(TASKSTATE_BLOCKED, TASKSTATE_EXIT,
					  TASKSTATE_TR_KILL_BLOCKED,
					  TASKSTATE_CAUSE_KILLED, 'Z');

	ev.signal = SIGKILL;
	ev.other_pid = 77;
	strcpy(ev.other_comm, "bash");
	ev.prev_state_ns = 2050000000ull;
	return ev;
}

static struct taskstate_event lost(uint64_t n, unsigned int cpu)
{
	struct taskstate_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.size = sizeof(ev);
	ev.kind = TASKSTATE_KIND_LOST;
	ev.lost = n;
	ev.cpu = cpu;
	ev.ts_ns = 99;
	return ev;
}

/*
 * Bytes @first, @first + 1, ... (wrapping round, skipping NUL) filling the
 * three strings of a record; nasty(1), nasty(94) and nasty(187) hold every
 * byte value between them.
 */
static struct taskstate_event nasty(unsigned int first)
{
	struct taskstate_event ev = event(TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
					  TASKSTATE_TR_BLOCK, TASKSTATE_CAUSE_IO,
					  'D');
	char *fields[] = { ev.comm, ev.other_comm, ev.wait_site };
	size_t sizes[] = { sizeof(ev.comm), sizeof(ev.other_comm),
			   sizeof(ev.wait_site) };
	unsigned int byte = first;

	for (int f = 0; f < 3; f++) {
		memset(fields[f], 0, sizes[f]);
		for (size_t i = 0; i + 1 < sizes[f]; i++) {
			fields[f][i] = byte;
			byte = byte % 255 + 1;
		}
	}
	return ev;
}

static char line[1024];

static const char *text(const struct taskstate_event *ev)
{
	ts_event_format_text(ev, line, sizeof(line));
	return line;
}

static const char *json(const struct taskstate_event *ev)
{
	ts_event_format_json(ev, line, sizeof(line));
	return line;
}

TEST(check_accepts_good_and_refuses_bad_records)
{
	struct taskstate_event good = blocked_in_pipe_read(), ev;

	EXPECT_EQ(0, ts_event_check(&good));
	ev = lost(3, 0);
	EXPECT_EQ(0, ts_event_check(&ev));

	ev = good; ev.size = sizeof(ev) - 8;
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = good; ev.kind = 0;
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = good; ev.kind = 3;
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = good; ev.transition = TASKSTATE_NR_TRANSITIONS;
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = good; ev.from = TASKSTATE_NR_STATES;
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = good; ev.to = 0xff;
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = good; ev.cause = TASKSTATE_NR_CAUSES;
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = good; ev.linux_state = 'Q';
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = good; ev.linux_state = 0;
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = good; memset(ev.comm, 'a', sizeof(ev.comm));
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = good; memset(ev.wait_site, 'a', sizeof(ev.wait_site));
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
	ev = lost(0, 0);
	EXPECT_EQ(-EPROTO, ts_event_check(&ev));
}

TEST(text_lines)
{
	struct taskstate_event ev;

	ev = blocked_in_pipe_read();
	EXPECT_STREQ("12.345678901 cpu1 consumer 812/812: running -> blocked (S) sleep in pipe_read after 1.2 ms",
		     text(&ev));
	ev = woken_by_producer();
	EXPECT_STREQ("12.395000000 cpu0 consumer 812/812: blocked -> ready wakeup by producer 811 after 50.1 ms",
		     text(&ev));
	ev = killed_while_blocked();
	EXPECT_STREQ("12.345678901 cpu1 consumer 812/812: blocked -> exit killed by SIGKILL from bash 77 after 2.0 s",
		     text(&ev));

	ev = event(TASKSTATE_RUNNING, TASKSTATE_EXIT, TASKSTATE_TR_EXIT,
		   TASKSTATE_CAUSE_ERROR, 'Z');
	ev.exit_code = 3;
	ev.ts_ns = 5;
	EXPECT_STREQ("0.000000005 cpu1 consumer 812/812: running -> exit error code=3",
		     text(&ev));

	ev = event(TASKSTATE_NONE, TASKSTATE_NEW, TASKSTATE_TR_CREATE,
		   TASKSTATE_CAUSE_THREAD, 'R');
	ev.pid = 813;
	ev.other_pid = 812;
	strcpy(ev.other_comm, "consumer");
	EXPECT_STREQ("12.345678901 cpu1 consumer 813/812: none -> new thread by consumer 812",
		     text(&ev));

	ev = event(TASKSTATE_EXIT, TASKSTATE_NONE, TASKSTATE_TR_NONE,
		   TASKSTATE_CAUSE_REAPED, 'X');
	ev.other_pid = 77;	/* the module knows the reaper's pid only */
	ev.prev_state_ns = 999;
	EXPECT_STREQ("12.345678901 cpu1 consumer 812/812: exit -> none reaped by 77 after 999 ns",
		     text(&ev));

	ev = event(TASKSTATE_BLOCKED, TASKSTATE_READY, TASKSTATE_TR_WAKE,
		   TASKSTATE_CAUSE_WAKEUP, 'R');
	strcpy(ev.other_comm, "[irq]");
	ev.prev_state_ns = 1500;
	EXPECT_STREQ("12.345678901 cpu1 consumer 812/812: blocked -> ready wakeup by [irq] after 1.5 us",
		     text(&ev));

	ev = event(TASKSTATE_RUNNING, TASKSTATE_READY, TASKSTATE_TR_PREEMPT,
		   TASKSTATE_CAUSE_YIELD, 'R');
	ev.other_pid = 900;
	strcpy(ev.other_comm, "spin");
	EXPECT_STREQ("12.345678901 cpu1 consumer 812/812: running -> ready yield to spin 900",
		     text(&ev));

	ev = event(TASKSTATE_RUNNING, TASKSTATE_RUNNING, TASKSTATE_TR_NONE,
		   TASKSTATE_CAUSE_EXEC, 'R');
	EXPECT_STREQ("12.345678901 cpu1 consumer 812/812: running -> running exec",
		     text(&ev));

	ev = lost(17, 1);
	EXPECT_STREQ("*** 17 events lost on cpu 1 ***", text(&ev));
	ev = lost(1, 3);
	EXPECT_STREQ("*** 1 event lost on cpu 3 ***", text(&ev));
}

TEST(text_escapes_what_a_terminal_would_obey)
{
	struct taskstate_event ev = blocked_in_pipe_read();

	strcpy(ev.comm, "a\033[2J\\\xc3\xa9");
	ev.prev_state_ns = 0;
	EXPECT_STREQ("12.345678901 cpu1 a\\x1b[2J\\\\\\xc3\\xa9 812/812: running -> blocked (S) sleep in pipe_read",
		     text(&ev));
}

TEST(json_lines)
{
	struct taskstate_event ev;

	ev = blocked_in_pipe_read();
	EXPECT_STREQ("{\"ts_ns\": 12345678901, \"cpu\": 1, \"pid\": 812, \"tgid\": 812, "
		     "\"comm\": \"consumer\", \"from\": \"running\", \"to\": \"blocked\", "
		     "\"linux_state\": \"S\", \"cause\": \"sleep\", \"other_pid\": 0, "
		     "\"other_comm\": \"\", \"wait_site\": \"pipe_read\", \"exit_code\": 0, "
		     "\"signal\": 0, \"prev_state_ns\": 1234567}", json(&ev));
	ev = killed_while_blocked();
	EXPECT_STREQ("{\"ts_ns\": 12345678901, \"cpu\": 1, \"pid\": 812, \"tgid\": 812, "
		     "\"comm\": \"consumer\", \"from\": \"blocked\", \"to\": \"exit\", "
		     "\"linux_state\": \"Z\", \"cause\": \"killed\", \"other_pid\": 77, "
		     "\"other_comm\": \"bash\", \"wait_site\": \"\", \"exit_code\": 0, "
		     "\"signal\": 9, \"prev_state_ns\": 2050000000}", json(&ev));
	ev = lost(17, 1);
	EXPECT_STREQ("{\"lost\": 17, \"cpu\": 1, \"ts_ns\": 99}", json(&ev));
}

TEST(json_escapes_every_byte_that_needs_it)
{
	struct taskstate_event ev = blocked_in_pipe_read();
	const char *comm_at;

	strcpy(ev.comm, "q\"b\\n\n\x01\x7f\xff\xc3\xa9");
	json(&ev);
	comm_at = strstr(line, "\"comm\": ");
	ASSERT_NE(NULL, comm_at);
	EXPECT_EQ(0, strncmp(comm_at,
			     "\"comm\": \"q\\\"b\\\\n\\u000a\\u0001\\u007f\\u00ff\\u00c3\\u00a9\", ",
			     strlen("\"comm\": \"q\\\"b\\\\n\\u000a\\u0001\\u007f\\u00ff\\u00c3\\u00a9\", ")))
		TH_LOG("%s", line);

	/*
	 * Whatever the bytes, the line is printable ASCII: valid UTF-8, no raw
	 * control character, so valid JSON for any reader.
	 */
	for (unsigned int first = 1; first < 256; first += 93) {
		ev = nasty(first);
		json(&ev);
		for (const char *c = line; *c; c++) {
			ASSERT_TRUE(*c >= 0x20 && *c < 0x7f)
				TH_LOG("byte 0x%02x at %zd", (unsigned char)*c,
				       c - line);
		}
	}
}

static void round_trip(struct __test_metadata *_metadata,
		       const struct taskstate_event *ev)
{
	struct taskstate_event back;
	struct ts_json_error err = { 0 };
	char again[sizeof(line)];

	ASSERT_EQ(0, ts_event_check(ev));
	json(ev);
	ASSERT_EQ(0, ts_event_parse_json(line, &back, &err))
		TH_LOG("%s: at %zu: %s", line, err.offset, err.msg);
	EXPECT_EQ(0, memcmp(ev, &back, sizeof(back))) TH_LOG("%s", line);
	ts_event_format_json(&back, again, sizeof(again));
	EXPECT_STREQ(line, again);
}

TEST(json_round_trips)
{
	static const struct {
		unsigned int from, to, tr, cause;
		char letter;
	} kinds[] = {
		{ TASKSTATE_NONE, TASKSTATE_NEW, TASKSTATE_TR_CREATE, TASKSTATE_CAUSE_FORK, 'R' },
		{ TASKSTATE_NEW, TASKSTATE_READY, TASKSTATE_TR_ADMIT, TASKSTATE_CAUSE_CREATED, 'R' },
		{ TASKSTATE_READY, TASKSTATE_RUNNING, TASKSTATE_TR_DISPATCH, TASKSTATE_CAUSE_DISPATCH, 'R' },
		{ TASKSTATE_RUNNING, TASKSTATE_EXIT, TASKSTATE_TR_EXIT, TASKSTATE_CAUSE_EXIT, 'X' },
		{ TASKSTATE_RUNNING, TASKSTATE_READY, TASKSTATE_TR_PREEMPT, TASKSTATE_CAUSE_PREEMPTED, 'R' },
		{ TASKSTATE_RUNNING, TASKSTATE_BLOCKED, TASKSTATE_TR_BLOCK, TASKSTATE_CAUSE_STOPPED, 't' },
		{ TASKSTATE_BLOCKED, TASKSTATE_READY, TASKSTATE_TR_WAKE, TASKSTATE_CAUSE_SIGNAL, 'R' },
		{ TASKSTATE_READY, TASKSTATE_EXIT, TASKSTATE_TR_KILL_READY, TASKSTATE_CAUSE_KILLED, 'Z' },
		{ TASKSTATE_BLOCKED, TASKSTATE_EXIT, TASKSTATE_TR_KILL_BLOCKED, TASKSTATE_CAUSE_KILLED, 'Z' },
		{ TASKSTATE_RUNNING, TASKSTATE_RUNNING, TASKSTATE_TR_NONE, TASKSTATE_CAUSE_EXEC, 'R' },
		{ TASKSTATE_EXIT, TASKSTATE_NONE, TASKSTATE_TR_NONE, TASKSTATE_CAUSE_REAPED, 'X' },
	};
	struct taskstate_event ev;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		ev = event(kinds[i].from, kinds[i].to, kinds[i].tr,
			   kinds[i].cause, kinds[i].letter);
		ev.exit_code = 255;
		ev.signal = i;
		ev.other_pid = -1;
		ev.cpu = UINT32_MAX;
		ev.ts_ns = UINT64_MAX;
		ev.prev_state_ns = i;
		round_trip(_metadata, &ev);
	}
	ev = blocked_in_pipe_read();
	round_trip(_metadata, &ev);
	ev = woken_by_producer();
	round_trip(_metadata, &ev);
	ev = killed_while_blocked();
	ev.pid = INT32_MAX;
	ev.tgid = INT32_MIN;
	round_trip(_metadata, &ev);
	ev = lost(17, 1);
	round_trip(_metadata, &ev);
	ev = lost(UINT64_MAX, 0);
	round_trip(_metadata, &ev);
	for (unsigned int first = 1; first < 256; first += 93) {
		ev = nasty(first);
		round_trip(_metadata, &ev);
	}
	/* Full-length strings: 15 and 63 bytes. */
	ev = nasty(1);
	memset(ev.comm, '\xff', sizeof(ev.comm) - 1);
	memset(ev.other_comm, '"', sizeof(ev.other_comm) - 1);
	memset(ev.wait_site, '\\', sizeof(ev.wait_site) - 1);
	round_trip(_metadata, &ev);
}

TEST(json_reader_takes_any_order_and_white_space)
{
	struct taskstate_event ev, want = lost(5, 2);
	struct ts_json_error err;

	want.ts_ns = 7;
	ASSERT_EQ(0, ts_event_parse_json(" {\"ts_ns\":7,\t\"cpu\" : 2 ,\"lost\":5}\r\n",
					  &ev, &err)) TH_LOG("%zu: %s", err.offset, err.msg);
	EXPECT_EQ(0, memcmp(&want, &ev, sizeof(ev)));

	/* JSON's short escapes and \/ read as the bytes they stand for. */
	want = blocked_in_pipe_read();
	strcpy(want.comm, "a/\t\n\b\f\r");
	json(&want);
	char *at = strstr(line, "\"comm\": \"");

	ASSERT_NE(NULL, at);
	at += strlen("\"comm\": \"");
	char copy[sizeof(line)];

	snprintf(copy, sizeof(copy), "%.*s%s%s", (int)(at - line), line,
		 "a\\/\\t\\n\\b\\f\\r", strchr(at, '"'));
	ASSERT_EQ(0, ts_event_parse_json(copy, &ev, &err))
		TH_LOG("%s: %zu: %s", copy, err.offset, err.msg);
	EXPECT_EQ(0, memcmp(&want, &ev, sizeof(ev)));
}

/* @good with the first @old replaced by @new. */
static const char *edit(const char *good, const char *old, const char *new)
{
	static char buf[sizeof(line)];
	const char *at = strstr(good, old);

	if (!at)
		return "(edit did not apply)";
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - good), good, new,
		 at + strlen(old));
	return buf;
}

TEST(json_reader_refuses_bad_lines)
{
	struct taskstate_event ev = blocked_in_pipe_read(), out;
	struct ts_json_error err;
	char good[sizeof(line)];
	const char *bad[] = {
		"", "   ", "[]", "{", "}", "{}", "null", "{\"lost\": 1}",
		"{\"lost\": 0, \"cpu\": 0, \"ts_ns\": 1}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": 1, \"pid\": 3}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": 1, \"lost\": 1}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": 1,}",
		"{\"lost\": 1 \"cpu\": 0, \"ts_ns\": 1}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": 1}}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": 1} x",
		"{\"lost\": 1, \"cpu\": -1, \"ts_ns\": 1}",
		"{\"lost\": 1, \"cpu\": 4294967296, \"ts_ns\": 1}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": 18446744073709551616}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": 01}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": 1.0}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": 1e3}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": \"1\"}",
		"{\"lost\": 1, \"cpu\": 0, \"ts_ns\": true}",
		"{'lost': 1, 'cpu': 0, 'ts_ns': 1}",
	};

	/* The harness's TH_LOG is a statement of its own: loops need braces. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		EXPECT_EQ(-EINVAL, ts_event_parse_json(bad[i], &out, &err))
			TH_LOG("accepted '%s'", bad[i]);
	}

	ts_event_format_json(&ev, good, sizeof(good));
	ASSERT_EQ(0, ts_event_parse_json(good, &out, &err));

	/* Every truncation of a good line is refused. */
	for (size_t n = 0; n < strlen(good); n++) {
		char cut[sizeof(good)];

		snprintf(cut, sizeof(cut), "%.*s", (int)n, good);
		EXPECT_EQ(-EINVAL, ts_event_parse_json(cut, &out, &err))
			TH_LOG("accepted '%s'", cut);
		EXPECT_LE(err.offset, n);
	}

	const char *edits[][2] = {
		{ "\"running\"", "\"sleeping\"" },	/* unknown state */
		{ "\"blocked\"", "\"Blocked\"" },
		{ "\"sleep\"", "\"nap\"" },		/* unknown cause */
		{ "\"sleep\"", "3" },			/* bad types */
		{ "\"linux_state\": \"S\"", "\"linux_state\": \"Q\"" },
		{ "\"linux_state\": \"S\"", "\"linux_state\": \"SS\"" },
		{ "\"linux_state\": \"S\"", "\"linux_state\": \"\"" },
		{ "\"linux_state\": \"S\"", "\"linux_state\": 83" },
		{ "\"pid\": 812", "\"pid\": \"812\"" },
		{ "\"pid\": 812", "\"pid\": 2147483648" },
		{ "\"pid\": 812", "\"pid\": -2147483649" },
		{ "\"pid\": 812", "\"pid\": 812.0" },
		{ "\"pid\": 812", "\"pid\": -" },
		{ "\"pid\": 812", "\"pid\": null" },
		{ "\"prev_state_ns\": 1234567", "\"prev_state_ns\": -1" },
		{ "\"comm\": \"consumer\"", "\"comm\": \"consumer-is-long\"" },
		{ "\"comm\": \"consumer\"", "\"comm\": \"a\\u0100\"" },
		{ "\"comm\": \"consumer\"", "\"comm\": \"a\\u0000\"" },
		{ "\"comm\": \"consumer\"", "\"comm\": \"a\\u00g0\"" },
		{ "\"comm\": \"consumer\"", "\"comm\": \"a\\x41\"" },
		{ "\"comm\": \"consumer\"", "\"comm\": \"a\tb\"" },
		{ "\"comm\": \"consumer\"", "\"comm\": consumer" },
		{ "\"comm\": \"consumer\"", "\"comm\": \"consumer\\\"" },
		{ "\"tgid\": 812, ", "" },		/* missing key */
		{ ", \"prev_state_ns\": 1234567", "" },
		{ "\"tgid\"", "\"tgid2\"" },		/* unknown key */
		{ "\"tgid\"", "\"TGID\"" },
		{ "\"tgid\": 812", "\"tgid\": 812, \"transition\": 6" },
		{ "\"tgid\": 812", "\"tgid\": 812, \"pid\": 812" },
		{ "\"tgid\": 812", "\"tgid\": 812, \"lost\": 1" },
		{ "\"tgid\"", "\"a-key-far-longer-than-any-key-we-know\"" },
		{ "\"tgid\": 812", "\"tgid\" 812" },
	};

	for (size_t i = 0; i < sizeof(edits) / sizeof(*edits); i++) {
		const char *l = edit(good, edits[i][0], edits[i][1]);

		EXPECT_EQ(-EINVAL, ts_event_parse_json(l, &out, &err))
			TH_LOG("accepted '%s'", l);
	}

	/* Errors say where: at the unknown key, and at the brace for a missing one. */
	const char *l = edit(good, "\"tgid\"", "\"tgid2\"");

	ASSERT_EQ(-EINVAL, ts_event_parse_json(l, &out, &err));
	EXPECT_EQ((size_t)(strstr(l, "\"tgid2\"") - l), err.offset);
	EXPECT_NE(NULL, strstr(err.msg, "tgid2")) TH_LOG("%s", err.msg);
	l = edit(good, "\"tgid\": 812, ", "");
	ASSERT_EQ(-EINVAL, ts_event_parse_json(l, &out, &err));
	EXPECT_EQ(strlen(l) - 1, err.offset);
	EXPECT_NE(NULL, strstr(err.msg, "tgid")) TH_LOG("%s", err.msg);
	l = edit(good, "\"sleep\"", "\"nap\"");
	ASSERT_EQ(-EINVAL, ts_event_parse_json(l, &out, &err));
	EXPECT_EQ((size_t)(strstr(l, "\"nap\"") - l), err.offset);
	/* A NULL error pointer is allowed. */
	EXPECT_EQ(-EINVAL, ts_event_parse_json("{", &out, NULL));
}

/* Every buffer size: snprintf()'s return, its prefix, nothing written past. */
static void small_buffers(struct __test_metadata *_metadata,
			  int (*format)(const struct taskstate_event *, char *, size_t),
			  const struct taskstate_event *ev)
{
	char full[sizeof(line)], buf[sizeof(line) + 16];
	int n = format(ev, full, sizeof(full));

	ASSERT_LT(0, n);
	ASSERT_EQ((size_t)n, strlen(full));
	EXPECT_EQ(n, format(ev, NULL, 0));
	for (size_t len = 0; len <= (size_t)n + 1; len++) {
		memset(buf, '#', sizeof(buf));
		ASSERT_EQ(n, format(ev, buf, len));
		for (size_t i = len; i < sizeof(buf); i++) {
			ASSERT_EQ('#', buf[i])
				TH_LOG("len %zu: byte %zu written", len, i);
		}
		if (!len)
			continue;
		ASSERT_EQ(len - 1 < (size_t)n ? len - 1 : (size_t)n, strlen(buf));
		ASSERT_EQ(0, strncmp(full, buf, strlen(buf)));
	}
}

TEST(formatters_never_overflow)
{
	struct taskstate_event evs[] = {
		blocked_in_pipe_read(), woken_by_producer(),
		killed_while_blocked(), lost(17, 1), nasty(1),
	};

	for (size_t i = 0; i < sizeof(evs) / sizeof(*evs); i++) {
		small_buffers(_metadata, ts_event_format_text, &evs[i]);
		small_buffers(_metadata, ts_event_format_json, &evs[i]);
	}
}

TEST(filter_builders)
{
	struct taskstate_filter f, before;
	pid_t ids[TASKSTATE_FILTER_MAX_IDS + 1];

	for (int i = 0; i <= TASKSTATE_FILTER_MAX_IDS; i++)
		ids[i] = 100 + i;
	memset(&f, 0x55, sizeof(f));
	ts_filter_all(&f);
	EXPECT_EQ(0, f.flags);
	EXPECT_EQ(0, f.nr_ids);
	EXPECT_EQ(0, f.__reserved);
	EXPECT_EQ(0, f.transition_mask);

	memset(&f, 0x55, sizeof(f));
	ASSERT_EQ(0, ts_filter_pids(&f, TASKSTATE_FILTER_TGIDS |
				    TASKSTATE_FILTER_NO_WAIT_SITE, ids, 3));
	EXPECT_EQ(TASKSTATE_FILTER_TGIDS | TASKSTATE_FILTER_NO_WAIT_SITE, f.flags);
	EXPECT_EQ(3, f.nr_ids);
	EXPECT_EQ(102, f.ids[2]);
	EXPECT_EQ(0, f.ids[3]);
	EXPECT_EQ(0, f.__reserved);
	EXPECT_EQ(0, f.cause_mask);
	ASSERT_EQ(0, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS, ids,
				    TASKSTATE_FILTER_MAX_IDS));
	EXPECT_EQ(TASKSTATE_FILTER_MAX_IDS, f.nr_ids);

	before = f;
	EXPECT_EQ(-EINVAL, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS, ids,
					  TASKSTATE_FILTER_MAX_IDS + 1));
	EXPECT_EQ(-EINVAL, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS, ids, 0));
	EXPECT_EQ(-EINVAL, ts_filter_pids(&f, 0, ids, 1));
	EXPECT_EQ(-EINVAL, ts_filter_pids(&f, TASKSTATE_FILTER_NO_WAIT_SITE, ids, 1));
	EXPECT_EQ(-EINVAL, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS |
					  TASKSTATE_FILTER_TGIDS, ids, 1));
	EXPECT_EQ(-EINVAL, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS |
					  TASKSTATE_FILTER_COMM, ids, 1));
	EXPECT_EQ(-EINVAL, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS | (1U << 6),
					  ids, 1));
	ids[1] = 0;
	EXPECT_EQ(-EINVAL, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS, ids, 2));
	ids[1] = -5;
	EXPECT_EQ(-EINVAL, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS, ids, 2));
	EXPECT_EQ(0, memcmp(&before, &f, sizeof(f)));
}

TEST(open_refuses_what_is_not_the_device)
{
	errno = 0;
	EXPECT_EQ(NULL, ts_stream_open("/nonexistent/taskstate", 0));
	EXPECT_EQ(ENOENT, errno);
	/* A character device without the ioctl: not ours. */
	errno = 0;
	EXPECT_EQ(NULL, ts_stream_open("/dev/null", O_NONBLOCK));
	EXPECT_EQ(ENOTTY, errno);
	ts_stream_close(NULL);
}

TEST(string_fields_escape_as_events_do)
{
	const char raw[] = { 'a', '"', '\\', 1, (char)0xff, 'z' };
	char buf[64];

	EXPECT_EQ(13, ts_str_format_text(raw, sizeof(raw), buf, sizeof(buf)));
	EXPECT_STREQ("a\"\\\\\\x01\\xffz", buf);
	EXPECT_EQ(20, ts_str_format_json(raw, sizeof(raw), buf, sizeof(buf)));
	EXPECT_STREQ("\"a\\\"\\\\\\u0001\\u00ffz\"", buf);
	/* Truncated like snprintf, the length still the whole. */
	EXPECT_EQ(20, ts_str_format_json(raw, sizeof(raw), buf, 4));
	EXPECT_STREQ("\"a\\", buf);
}

TEST_HARNESS_MAIN
