// SPDX-License-Identifier: GPL-2.0
/*
 * Records as text and JSON, and JSON back to records.  The names of states
 * and causes come from counters.c (the UAPI's name tables), so the words
 * here are the words of procfs and of the module.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "decode.h"
#include "i18n.h"

/* Every letter the module can put in linux_state (see ts_event_check()). */
static const char linux_states[] = "RSDTtZXIP";

static bool is_linux_state(int c)
{
	return c && strchr(linux_states, c);
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

int ts_event_check(const struct taskstate_event *ev)
{
	if (ev->size != sizeof(*ev))
		return -EPROTO;
	if (ev->kind == TASKSTATE_KIND_LOST)
		return ev->lost ? 0 : -EPROTO;
	if (ev->kind != TASKSTATE_KIND_EVENT ||
	    ev->transition >= TASKSTATE_NR_TRANSITIONS ||
	    ev->from >= TASKSTATE_NR_STATES || ev->to >= TASKSTATE_NR_STATES ||
	    ev->cause >= TASKSTATE_NR_CAUSES ||
	    !is_linux_state(ev->linux_state) ||
	    !terminated(ev->comm, sizeof(ev->comm)) ||
	    !terminated(ev->other_comm, sizeof(ev->other_comm)) ||
	    !terminated(ev->wait_site, sizeof(ev->wait_site)))
		return -EPROTO;
	return 0;
}

/*
 * An output buffer with snprintf() semantics: everything is counted, only
 * what fits is stored, and the store is always NUL-terminated.
 */
struct out {
	char *buf;
	size_t len;
	size_t pos;	/* length of the whole output so far */
};

static void out_init(struct out *o, char *buf, size_t len)
{
	o->buf = buf;
	o->len = len;
	o->pos = 0;
	if (len)
		buf[0] = '\0';
}

static void out_char(struct out *o, char c)
{
	if (o->pos + 1 < o->len) {
		o->buf[o->pos] = c;
		o->buf[o->pos + 1] = '\0';
	}
	o->pos++;
}

__attribute__((format(printf, 2, 3)))
static void out_fmt(struct out *o, const char *fmt, ...)
{
	size_t room = o->pos < o->len ? o->len - o->pos : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += n;
}

static int out_done(const struct out *o)
{
	return o->pos > INT32_MAX ? INT32_MAX : (int)o->pos;
}

/* A name for people: printable ASCII as is, anything else as \xNN. */
static void out_text_str(struct out *o, const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '\\')
			out_fmt(o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			out_fmt(o, "\\x%02x", c);
		else
			out_char(o, c);
	}
}

static void out_duration(struct out *o, uint64_t ns)
{
	/* Tenths, truncated: a duration never reads longer than it was. */
	if (ns < 1000)
		out_fmt(o, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		out_fmt(o, "%" PRIu64 ".%" PRIu64 " us", ns / 1000, ns / 100 % 10);
	else if (ns < 1000000000)
		out_fmt(o, "%" PRIu64 ".%" PRIu64 " ms", ns / 1000000,
			ns / 100000 % 10);
	else
		out_fmt(o, "%" PRIu64 ".%" PRIu64 " s", ns / 1000000000,
			ns / 100000000 % 10);
}

static void out_signal(struct out *o, int sig)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		out_fmt(o, "SIG%s", abbrev);
	else
		out_fmt(o, _("signal %d"), sig);
}

/* " <word> comm pid", with whichever of comm and pid is known. */
static void out_other(struct out *o, const char *word,
		      const struct taskstate_event *ev)
{
	if (!ev->other_pid && !ev->other_comm[0])
		return;
	out_fmt(o, " %s", word);
	if (ev->other_comm[0]) {
		out_char(o, ' ');
		out_text_str(o, ev->other_comm, sizeof(ev->other_comm));
	}
	if (ev->other_pid)
		out_fmt(o, " %d", ev->other_pid);
}

int ts_event_format_text(const struct taskstate_event *ev, char *buf,
			 size_t len)
{
	struct out o;

	out_init(&o, buf, len);
	if (ev->kind == TASKSTATE_KIND_LOST) {
		out_fmt(&o, ngettext("*** %" PRIu64 " event lost on cpu %u ***",
				     "*** %" PRIu64 " events lost on cpu %u ***",
				     ev->lost),
			(uint64_t)ev->lost, ev->cpu);
		return out_done(&o);
	}
	out_fmt(&o, "%" PRIu64 ".%09" PRIu64 " cpu%u ",
		(uint64_t)ev->ts_ns / 1000000000, (uint64_t)ev->ts_ns % 1000000000,
		ev->cpu);
	out_text_str(&o, ev->comm, sizeof(ev->comm));
	out_fmt(&o, " %d/%d: %s -> %s", ev->pid, ev->tgid,
		ts_state_label(ev->from), ts_state_label(ev->to));
	/* The letter says how it blocked; elsewhere it is R, Z or X as expected. */
	if (ev->to == TASKSTATE_BLOCKED && ev->linux_state)
		out_fmt(&o, " (%c)", ev->linux_state);
	out_fmt(&o, " %s", ts_cause_label(ev->cause));

	switch (ev->cause) {
	case TASKSTATE_CAUSE_FORK:
	case TASKSTATE_CAUSE_THREAD:
	case TASKSTATE_CAUSE_PREEMPTED:
	case TASKSTATE_CAUSE_WAKEUP:
	case TASKSTATE_CAUSE_REAPED:
		/* TRANSLATORS: "wakeup by producer 811" */
		out_other(&o, C_("event", "by"), ev);
		break;
	case TASKSTATE_CAUSE_YIELD:
		/* TRANSLATORS: "yield to consumer 812" */
		out_other(&o, C_("event", "to"), ev);
		break;
	case TASKSTATE_CAUSE_SIGNAL:
		if (ev->signal) {
			out_char(&o, ' ');
			out_signal(&o, ev->signal);
		}
		out_other(&o, C_("event", "by"), ev);
		break;
	case TASKSTATE_CAUSE_KILLED:
		if (ev->signal) {
			/* TRANSLATORS: "killed by SIGKILL from ipclab 811" */
			out_fmt(&o, "%s", _(" by "));
			out_signal(&o, ev->signal);
		}
		out_other(&o, C_("event", "from"), ev);
		break;
	case TASKSTATE_CAUSE_EXIT:
	case TASKSTATE_CAUSE_ERROR:
		out_fmt(&o, _(" code=%d"), ev->exit_code);
		break;
	case TASKSTATE_CAUSE_SLEEP:
	case TASKSTATE_CAUSE_IO:
	case TASKSTATE_CAUSE_UNINTERRUPTIBLE:
	case TASKSTATE_CAUSE_STOPPED:
		if (ev->wait_site[0]) {
			/* TRANSLATORS: "sleep in pipe_read": the kernel function */
			out_fmt(&o, "%s", _(" in "));
			out_text_str(&o, ev->wait_site, sizeof(ev->wait_site));
		}
		break;
	}
	if (ev->prev_state_ns) {
		/* TRANSLATORS: then the time spent in the state left */
		out_fmt(&o, "%s", _(" after "));
		out_duration(&o, ev->prev_state_ns);
	}
	return out_done(&o);
}

/*
 * The JSON keys, in the order of design.md; the same table writes and
 * reads them, so the two directions cannot disagree.
 */
enum json_key {
	K_TS_NS, K_CPU, K_PID, K_TGID, K_COMM, K_FROM, K_TO, K_LINUX_STATE,
	K_CAUSE, K_OTHER_PID, K_OTHER_COMM, K_WAIT_SITE, K_EXIT_CODE, K_SIGNAL,
	K_PREV_STATE_NS,
	K_NR_EVENT,
	K_LOST = K_NR_EVENT,	/* lost records only */
	K_NR
};

static const char *const key_names[K_NR] = {
	[K_TS_NS] = "ts_ns", [K_CPU] = "cpu", [K_PID] = "pid",
	[K_TGID] = "tgid", [K_COMM] = "comm", [K_FROM] = "from",
	[K_TO] = "to", [K_LINUX_STATE] = "linux_state", [K_CAUSE] = "cause",
	[K_OTHER_PID] = "other_pid", [K_OTHER_COMM] = "other_comm",
	[K_WAIT_SITE] = "wait_site", [K_EXIT_CODE] = "exit_code",
	[K_SIGNAL] = "signal", [K_PREV_STATE_NS] = "prev_state_ns",
	[K_LOST] = "lost",
};

#define BIT(k)		(1U << (k))
#define EVENT_KEYS	(BIT(K_NR_EVENT) - 1)
#define LOST_KEYS	(BIT(K_LOST) | BIT(K_CPU) | BIT(K_TS_NS))

/* A JSON string of the bytes of @s: ASCII out whatever comes in. */
static void out_json_str(struct out *o, const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	out_char(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			out_char(o, '\\');
			out_char(o, c);
		} else if (c < 0x20 || c >= 0x7f) {
			out_fmt(o, "\\u%04x", c);
		} else {
			out_char(o, c);
		}
	}
	out_char(o, '"');
}

static void out_json_name(struct out *o, const char *name)
{
	out_json_str(o, name, strlen(name));
}

/* Every key but the first follows the opening brace and a value. */
static void out_key(struct out *o, enum json_key k)
{
	out_fmt(o, "%s\"%s\": ", o->pos > 1 ? ", " : "", key_names[k]);
}

int ts_event_format_json(const struct taskstate_event *ev, char *buf,
			 size_t len)
{
	char letter[2] = { ev->linux_state, '\0' };
	struct out o;

	out_init(&o, buf, len);
	out_char(&o, '{');
	if (ev->kind == TASKSTATE_KIND_LOST) {
		out_key(&o, K_LOST);
		out_fmt(&o, "%" PRIu64, (uint64_t)ev->lost);
		out_key(&o, K_CPU);
		out_fmt(&o, "%u", ev->cpu);
		out_key(&o, K_TS_NS);
		out_fmt(&o, "%" PRIu64, (uint64_t)ev->ts_ns);
		out_char(&o, '}');
		return out_done(&o);
	}
	out_key(&o, K_TS_NS);
	out_fmt(&o, "%" PRIu64, (uint64_t)ev->ts_ns);
	out_key(&o, K_CPU);
	out_fmt(&o, "%u", ev->cpu);
	out_key(&o, K_PID);
	out_fmt(&o, "%d", ev->pid);
	out_key(&o, K_TGID);
	out_fmt(&o, "%d", ev->tgid);
	out_key(&o, K_COMM);
	out_json_str(&o, ev->comm, sizeof(ev->comm));
	out_key(&o, K_FROM);
	out_json_name(&o, ts_state_str(ev->from));
	out_key(&o, K_TO);
	out_json_name(&o, ts_state_str(ev->to));
	out_key(&o, K_LINUX_STATE);
	out_json_name(&o, letter);
	out_key(&o, K_CAUSE);
	out_json_name(&o, ts_cause_str(ev->cause));
	out_key(&o, K_OTHER_PID);
	out_fmt(&o, "%d", ev->other_pid);
	out_key(&o, K_OTHER_COMM);
	out_json_str(&o, ev->other_comm, sizeof(ev->other_comm));
	out_key(&o, K_WAIT_SITE);
	out_json_str(&o, ev->wait_site, sizeof(ev->wait_site));
	out_key(&o, K_EXIT_CODE);
	out_fmt(&o, "%d", ev->exit_code);
	out_key(&o, K_SIGNAL);
	out_fmt(&o, "%d", ev->signal);
	out_key(&o, K_PREV_STATE_NS);
	out_fmt(&o, "%" PRIu64, (uint64_t)ev->prev_state_ns);
	out_char(&o, '}');
	return out_done(&o);
}

/* The parser: one flat object of integers and strings, nothing else. */
struct parser {
	const char *s;
	size_t pos;
	struct ts_json_error *err;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;

	if (p->err) {
		p->err->offset = at;
		va_start(ap, fmt);
		vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void skip_space(struct parser *p)
{
	for (;; p->pos++) {
		char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return;
	}
}

static int expect(struct parser *p, char c)
{
	skip_space(p);
	if (p->s[p->pos] != c) {
		if (!p->s[p->pos])
			return fail(p, p->pos, "line ends where '%c' belongs", c);
		return fail(p, p->pos, "expected '%c'", c);
	}
	p->pos++;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A string into @buf (@size bytes with the NUL); a string that does not
 * fit is an error, not a truncation: the line was not ours.  That error is
 * -E2BIG, so that a caller can say what the string was for.
 */
static int parse_string(struct parser *p, char *buf, size_t size)
{
	size_t start, n = 0;

	skip_space(p);
	start = p->pos;
	if (p->s[p->pos] != '"')
		return fail(p, p->pos, "expected a string");
	p->pos++;
	for (;;) {
		unsigned char c = p->s[p->pos];
		size_t at = p->pos;

		if (!c)
			return fail(p, at, "line ends inside a string");
		p->pos++;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(p, at, "control character in a string");
		if (c == '\\') {
			const char *simple = "\"\"\\\\//b\bf\fn\nr\rt\t";
			char e = p->s[p->pos];
			const char *m = NULL;
			int v = 0;

			if (!e)
				return fail(p, p->pos, "line ends inside a string");
			p->pos++;

			for (const char *q = simple; *q; q += 2)
				if (*q == e) {
					m = q;
					break;
				}
			if (m) {
				c = m[1];
			} else if (e == 'u') {
				for (int i = 0; i < 4; i++) {
					int d = hex_digit(p->s[p->pos]);

					if (d < 0)
						return fail(p, p->pos, "bad \\u escape");
					v = v * 16 + d;
					p->pos++;
				}
				if (v > 0xff)
					return fail(p, at, "\\u escape above \\u00ff: not a byte");
				if (!v)
					return fail(p, at, "NUL in a string");
				c = v;
			} else {
				return fail(p, at, "bad escape");
			}
		}
		if (n + 1 >= size) {
			fail(p, start, "string longer than its field (%zu bytes)",
			     size - 1);
			return -E2BIG;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* An integer in [@min, @max]; JSON syntax, no fraction or exponent. */
static int parse_int(struct parser *p, int64_t min, uint64_t max,
		     uint64_t *mag, bool *neg)
{
	uint64_t v = 0, neg_max = min < 0 ? (uint64_t)-(min + 1) + 1 : 0;
	size_t start;

	skip_space(p);
	start = p->pos;
	*neg = p->s[p->pos] == '-';
	if (*neg)
		p->pos++;
	if (p->s[p->pos] < '0' || p->s[p->pos] > '9')
		return fail(p, start, "expected an integer");
	if (p->s[p->pos] == '0' && p->s[p->pos + 1] >= '0' &&
	    p->s[p->pos + 1] <= '9')
		return fail(p, start, "leading zero");
	while (p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		unsigned int d = p->s[p->pos++] - '0';

		if (v > (UINT64_MAX - d) / 10)
			return fail(p, start, "integer out of range");
		v = v * 10 + d;
	}
	if (p->s[p->pos] && strchr(".eE", p->s[p->pos]))
		return fail(p, start, "expected an integer");
	if (*neg ? v > neg_max : v > max)
		return fail(p, start, "integer out of range");
	*mag = v;
	return 0;
}

static int json_u64(struct parser *p, uint64_t max, __u64 *out)
{
	uint64_t v;
	bool neg;
	int ret = parse_int(p, 0, max, &v, &neg);

	if (!ret)
		*out = v;
	return ret;
}

static int json_s32(struct parser *p, int32_t *out)
{
	uint64_t mag;
	bool neg;
	int ret = parse_int(p, INT32_MIN, INT32_MAX, &mag, &neg);

	if (!ret)
		*out = neg ? (int32_t)(-(int64_t)mag) : (int32_t)mag;
	return ret;
}

/* A name from one of the UAPI's tables, by its index. */
static int parse_name(struct parser *p, const char *(*name_of)(unsigned int),
		      unsigned int nr, const char *what, uint8_t *out)
{
	char word[TASKSTATE_COMM_LEN];
	size_t start;
	int ret;

	skip_space(p);
	start = p->pos;
	ret = parse_string(p, word, sizeof(word));
	if (ret == -E2BIG)
		return fail(p, start, "unknown %s", what);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < nr; i++)
		if (!strcmp(word, name_of(i))) {
			*out = i;
			return 0;
		}
	return fail(p, start, "unknown %s \"%s\"", what, word);
}

static int parse_value(struct parser *p, enum json_key k,
		       struct taskstate_event *ev)
{
	__u64 v;
	char letter[2];
	size_t start;
	int ret;

	switch (k) {
	case K_TS_NS:
		return json_u64(p, UINT64_MAX, &ev->ts_ns);
	case K_PREV_STATE_NS:
		return json_u64(p, UINT64_MAX, &ev->prev_state_ns);
	case K_LOST:
		skip_space(p);
		start = p->pos;
		ret = json_u64(p, UINT64_MAX, &ev->lost);
		if (!ret && !ev->lost)
			return fail(p, start, "a lost record counts at least 1");
		return ret;
	case K_CPU:
		ret = json_u64(p, UINT32_MAX, &v);
		if (!ret)
			ev->cpu = v;
		return ret;
	case K_PID:
		return json_s32(p, &ev->pid);
	case K_TGID:
		return json_s32(p, &ev->tgid);
	case K_OTHER_PID:
		return json_s32(p, &ev->other_pid);
	case K_EXIT_CODE:
		return json_s32(p, &ev->exit_code);
	case K_SIGNAL:
		return json_s32(p, &ev->signal);
	case K_COMM:
		return parse_string(p, ev->comm, sizeof(ev->comm));
	case K_OTHER_COMM:
		return parse_string(p, ev->other_comm, sizeof(ev->other_comm));
	case K_WAIT_SITE:
		return parse_string(p, ev->wait_site, sizeof(ev->wait_site));
	case K_FROM:
		return parse_name(p, ts_state_str, TASKSTATE_NR_STATES, "state",
				  &ev->from);
	case K_TO:
		return parse_name(p, ts_state_str, TASKSTATE_NR_STATES, "state",
				  &ev->to);
	case K_CAUSE:
		return parse_name(p, ts_cause_str, TASKSTATE_NR_CAUSES, "cause",
				  &ev->cause);
	case K_LINUX_STATE:
		skip_space(p);
		start = p->pos;
		ret = parse_string(p, letter, sizeof(letter));
		if (ret && ret != -E2BIG)
			return ret;
		if (ret || !is_linux_state(letter[0]))
			return fail(p, start, "linux_state is not one of %s",
				    linux_states);
		ev->linux_state = letter[0];
		return 0;
	default:
		return fail(p, p->pos, "internal: no parser for a key");
	}
}

/* The transition whose name is "from->to"; 0 (exec, reaped) if none. */
static uint8_t transition_of(unsigned int from, unsigned int to)
{
	char name[2 * TASKSTATE_COMM_LEN + 3];

	snprintf(name, sizeof(name), "%s->%s", ts_state_str(from),
		 ts_state_str(to));
	for (unsigned int tr = 1; tr < TASKSTATE_NR_TRANSITIONS; tr++)
		if (!strcmp(name, ts_transition_str(tr)))
			return tr;
	return TASKSTATE_TR_NONE;
}

static int parse_object(struct parser *p, struct taskstate_event *out)
{
	const char *line = p->s;
	size_t key_at[K_NR] = { 0 };
	unsigned int seen = 0, need, k;
	size_t end;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = expect(p, '{');
	if (ret)
		return ret;
	skip_space(p);
	if (line[p->pos] == '}') {
		p->pos++;
	} else {
		for (;;) {
			char key[24];
			size_t at;

			skip_space(p);
			at = p->pos;
			ret = parse_string(p, key, sizeof(key));
			if (ret == -E2BIG)
				return fail(p, at, "unknown key");
			if (ret)
				return ret;
			for (k = 0; k < K_NR; k++)
				if (!strcmp(key, key_names[k]))
					break;
			if (k == K_NR)
				return fail(p, at, "unknown key \"%s\"", key);
			if (seen & BIT(k))
				return fail(p, at, "key \"%s\" twice", key);
			seen |= BIT(k);
			key_at[k] = at;
			ret = expect(p, ':');
			if (!ret)
				ret = parse_value(p, k, out);
			if (ret)
				return ret;
			skip_space(p);
			if (line[p->pos] == ',') {
				p->pos++;
				continue;
			}
			ret = expect(p, '}');
			if (ret)
				return fail(p, p->pos, "expected ',' or '}'");
			break;
		}
	}
	end = p->pos - 1;	/* the closing brace: where a missing key belongs */
	skip_space(p);
	if (line[p->pos])
		return fail(p, p->pos, "text after the object");

	if (seen & BIT(K_LOST)) {
		need = LOST_KEYS;
		out->kind = TASKSTATE_KIND_LOST;
	} else {
		need = EVENT_KEYS;
		out->kind = TASKSTATE_KIND_EVENT;
	}
	for (k = 0; k < K_NR; k++) {
		if ((seen & BIT(k)) && !(need & BIT(k)))
			return fail(p, key_at[k], "key \"%s\" in a lost record",
				    key_names[k]);
		if (!(seen & BIT(k)) && (need & BIT(k)))
			return fail(p, end, "missing key \"%s\"", key_names[k]);
	}
	out->size = sizeof(*out);
	if (out->kind == TASKSTATE_KIND_EVENT)
		out->transition = transition_of(out->from, out->to);
	if (ts_event_check(out))
		return fail(p, 0, "not a valid record");
	return 0;
}

int ts_event_parse_json(const char *line, struct taskstate_event *out,
			struct ts_json_error *err)
{
	struct parser p = { .s = line, .pos = 0, .err = err };

	return parse_object(&p, out) ? -EINVAL : 0;
}

int ts_str_format_text(const char *s, size_t size, char *buf, size_t len)
{
	struct out o;

	out_init(&o, buf, len);
	out_text_str(&o, s, size);
	return out_done(&o);
}

int ts_str_format_json(const char *s, size_t size, char *buf, size_t len)
{
	struct out o;

	out_init(&o, buf, len);
	out_json_str(&o, s, size);
	return out_done(&o);
}
