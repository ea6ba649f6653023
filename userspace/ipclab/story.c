// SPDX-License-Identifier: GPL-2.0
/*
 * Tell what the module saw of an ipclab run, participant by participant,
 * in the words of the classic model.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "story.h"
#include "lib/libtaskstate.h"

void story_open(struct story *st, bool json, bool quiet)
{
	struct taskstate_filter f;
	pid_t self = getpid();
	int err;

	memset(st, 0, sizeof(*st));
	st->json = json;
	st->quiet = quiet;
	st->self = self;
	st->stream = ts_stream_open(NULL, 0);
	if (!st->stream) {
		/* One line; stdout stays pure JSON with --json. */
		FILE *f = json ? stderr : stdout;

		if (errno == EACCES || errno == EPERM)
			fputs(_("tracing unavailable (permission denied): the exchange runs untraced; run as root, or as a member of the group /dev/taskstate belongs to (see README), to see the transitions\n"),
			      f);
		else
			fprintf(f, _("tracing unavailable (%s): the exchange runs untraced; load kmod/taskstate.ko to see the transitions\n"),
				errno == ENOENT || errno == ENODEV || errno == ENXIO ?
				_("module not loaded") : strerror(errno));
		return;
	}
	/*
	 * Started before any participant exists, so their fork events are
	 * in; a big buffer, since we read only once the exchange is over.
	 */
	err = ts_filter_pids(&f, TASKSTATE_FILTER_DESCENDANTS, &self, 1);
	if (!err)
		err = ts_stream_set_buffer(st->stream, 1 << 16);
	if (!err)
		err = ts_stream_set_filter(st->stream, &f);
	if (!err)
		err = ts_stream_start(st->stream);
	if (err)
		die(_("cannot set up a taskstate session: %s"), strerror(-err));
}

void story_role(struct story *st, const char *name, pid_t pid)
{
	if (st->nr == STORY_MAX_ROLES)
		die(_("story: more than %d participants"), STORY_MAX_ROLES);
	st->role[st->nr].name = name;
	st->role[st->nr].pid = pid;
	st->nr++;
}

static struct story_role *find_role(struct story *st, pid_t pid)
{
	for (int i = 0; i < st->nr; i++)
		if (st->role[i].pid == pid)
			return &st->role[i];
	return NULL;
}

/* "consumer 812", or the task's comm when it is not a participant. */
static const char *who(struct story *st, pid_t pid, const char *comm,
		       char *buf, size_t len)
{
	struct story_role *r = find_role(st, pid);

	if (!pid)
		snprintf(buf, len, "%s", *comm ? comm : _("nobody"));
	else if (r)
		snprintf(buf, len, "%s %d", r->name, pid);
	else if (pid == st->self)
		snprintf(buf, len, "ipclab %d", pid);
	else
		snprintf(buf, len, "%s %d", comm, pid);
	return buf;
}

/* One event as a sentence with role names. */
static void tell_event(struct story *st, const struct taskstate_event *ev,
		       uint64_t t0)
{
	char me[64], other[64], why[160] = "", after[48] = "";
	const char *from = ts_state_label(ev->from), *to = ts_state_label(ev->to);

	who(st, ev->pid, ev->comm, me, sizeof(me));
	who(st, ev->other_pid, ev->other_comm, other, sizeof(other));
	if (ev->prev_state_ns && ev->transition != TASKSTATE_TR_NONE)
		snprintf(after, sizeof(after), _(" after %.3f ms %s"),
			 ev->prev_state_ns / 1e6, from);
	switch (ev->cause) {
	case TASKSTATE_CAUSE_FORK:
		snprintf(why, sizeof(why), _(", forked by %s"), other);
		break;
	case TASKSTATE_CAUSE_THREAD:
		snprintf(why, sizeof(why),
			 _(", a thread created by %s (same tgid %d: shares its memory and files)"),
			 other, ev->tgid);
		break;
	case TASKSTATE_CAUSE_PREEMPTED:
		snprintf(why, sizeof(why), _(", preempted by %s"), other);
		break;
	case TASKSTATE_CAUSE_YIELD:
		snprintf(why, sizeof(why), "%s", _(", yielded"));
		break;
	case TASKSTATE_CAUSE_SLEEP:
	case TASKSTATE_CAUSE_IO:
	case TASKSTATE_CAUSE_UNINTERRUPTIBLE:
	case TASKSTATE_CAUSE_STOPPED:
		snprintf(why, sizeof(why), _(" (%c) in %s"), ev->linux_state,
			 *ev->wait_site ? ev->wait_site : "?");
		break;
	case TASKSTATE_CAUSE_WAKEUP:
		snprintf(why, sizeof(why), _(", woken by %s"), other);
		break;
	case TASKSTATE_CAUSE_SIGNAL:
		/* running -> ready: the signal came as it was going to sleep. */
		if (ev->transition == TASKSTATE_TR_PREEMPT)
			snprintf(why, sizeof(why), "%s",
				 _(", a pending signal kept it from sleeping"));
		else
			snprintf(why, sizeof(why),
				 _(", woken by a signal from %s"), other);
		break;
	case TASKSTATE_CAUSE_EXIT:
	case TASKSTATE_CAUSE_ERROR:
		snprintf(why, sizeof(why), _(" (exit status %d)"), ev->exit_code);
		break;
	case TASKSTATE_CAUSE_KILLED:
		snprintf(why, sizeof(why), _(", killed by signal %d (%s) from %s"),
			 ev->signal, strsignal(ev->signal), other);
		break;
	case TASKSTATE_CAUSE_EXEC:
		snprintf(why, sizeof(why), "%s", _(": exec"));
		break;
	case TASKSTATE_CAUSE_REAPED:
		snprintf(why, sizeof(why), _(", reaped by %s"), other);
		break;
	default:
		break;
	}
	if (ev->cause == TASKSTATE_CAUSE_EXEC)
		printf("  %10.3f ms  %s%s\n", (ev->ts_ns - t0) / 1e6, me, why);
	else
		printf("  %10.3f ms  %s: %s -> %s%s%s\n", (ev->ts_ns - t0) / 1e6,
		       me, from, to, why, after);
	/*
	 * Its raw steps just said woken, ran, exited: the exit is counted
	 * from where the fatal signal found it (docs/model.md).
	 */
	if (ev->transition == TASKSTATE_TR_KILL_BLOCKED ||
	    ev->transition == TASKSTATE_TR_KILL_READY)
		printf(_("                 (%s when the fatal signal came: Linux lets it run to exit by itself, and the exit is counted from the state the signal found it in; see docs/model.md)\n"),
		       from);
}

/* Account @ev to its participant; false if it is nobody's we follow. */
static bool account(struct story *st, const struct taskstate_event *ev)
{
	struct story_role *r = find_role(st, ev->pid);

	if (!r)
		return false;
	r->events++;
	if (ev->transition < TASKSTATE_NR_TRANSITIONS)
		st->transitions[ev->transition]++;
	/*
	 * A killed task's exit (8, 9) repeats the time of the state it was
	 * killed in, already counted by its raw steps (woken, run, exit).
	 */
	if (ev->transition != TASKSTATE_TR_NONE && ev->from < 6 &&
	    ev->transition != TASKSTATE_TR_KILL_READY &&
	    ev->transition != TASKSTATE_TR_KILL_BLOCKED)
		r->state_ns[ev->from] += ev->prev_state_ns;
	if (ev->transition == TASKSTATE_TR_BLOCK)
		r->blocks++;
	if (ev->transition == TASKSTATE_TR_WAKE)
		r->wakeups++;
	if (ev->to == TASKSTATE_EXIT)
		r->exited = true;
	if (ev->cause == TASKSTATE_CAUSE_REAPED)
		r->reaped = true;
	return true;
}

static bool all_gone(const struct story *st, bool by_thread)
{
	for (int i = 0; i < st->nr; i++) {
		/*
		 * A process is done at its reap, which comes after an RCU
		 * grace period; a thread reaps itself, so its exit will do.
		 */
		if (by_thread ? !st->role[i].exited : !st->role[i].reaped)
			return false;
	}
	return true;
}

void story_tell(struct story *st, bool by_thread, int deadline_ms)
{
	static struct taskstate_event ev[TS_STREAM_BATCH];
	uint64_t deadline = now_ns() + deadline_ms * 1000000ull, t0 = 0;
	char line[512];
	ssize_t n = 0;

	if (!st->stream)
		return;
	if (!st->quiet && !st->json)
		printf("%s", _("\nWhat the module saw of the participants:\n"));
	/*
	 * Our own reading makes events of ours forever: stop when every
	 * participant is gone, or at the deadline.
	 */
	while (!all_gone(st, by_thread) && now_ns() < deadline &&
	       (n = ts_stream_read(st->stream, ev, TS_STREAM_BATCH, 100)) >= 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (ev[i].kind == TASKSTATE_KIND_LOST) {
				st->lost += ev[i].lost;
			} else if (by_thread ? ev[i].pid == st->self
					     : ev[i].tgid == st->self) {
				continue;	/* the coordinator's own */
			} else if (!account(st, &ev[i])) {
				continue;	/* not a participant (e.g. a helper) */
			}
			if (!t0)
				t0 = ev[i].ts_ns;
			if (st->quiet)
				continue;
			if (st->json) {
				ts_event_format_json(&ev[i], line, sizeof(line));
				printf("%s\n", line);
			} else if (ev[i].kind == TASKSTATE_KIND_LOST) {
				ts_event_format_text(&ev[i], line, sizeof(line));
				printf("  %s\n", line);
			} else {
				tell_event(st, &ev[i], t0);
			}
		}
	}
	if (n < 0)
		die(_("reading %s: %s"), TS_DEV_PATH, strerror((int)-n));
}

void story_summary_text(const struct story *st, uint64_t messages)
{
	if (!st->stream)
		return;
	{
		static const struct { int width; const char *head; } col[] = {
			{ -16, N_("participant") }, { 7, N_("pid") },
			{ 11, N_("running ms") }, { 11, N_("ready ms") },
			{ 11, N_("blocked ms") }, { 6, N_("blocks") },
			{ 7, N_("wakeups") }, { 11, N_("transitions") },
		};

		printf("\n ");
		for (size_t c = 0; c < sizeof(col) / sizeof(*col); c++) {
			putchar(' ');
			ts_put_padded(stdout, _(col[c].head), col[c].width);
		}
		printf("%s\n", messages ? _("  per message") : "");
	}
	for (int i = 0; i < st->nr; i++) {
		const struct story_role *r = &st->role[i];

		printf("  %-16s %7d %11.3f %11.3f %11.3f %6" PRIu64 " %7" PRIu64
		       " %11" PRIu64, r->name, r->pid,
		       r->state_ns[TASKSTATE_RUNNING] / 1e6,
		       r->state_ns[TASKSTATE_READY] / 1e6,
		       r->state_ns[TASKSTATE_BLOCKED] / 1e6, r->blocks,
		       r->wakeups, r->events);
		if (messages)
			printf("  %11.1f", (double)r->events / messages);
		printf("\n");
	}
	if (st->lost)
		printf(_("  (%" PRIu64 " events lost: the counts are short)\n"),
		       st->lost);
}

void story_summary_json(const struct story *st, uint64_t messages, FILE *out)
{
	fprintf(out, "\"traced\": %s, \"lost\": %" PRIu64 ", \"participants\": [",
		st->stream ? "true" : "false", st->lost);
	for (int i = 0; i < st->nr; i++) {
		const struct story_role *r = &st->role[i];

		/* Role names are ours (plain ASCII): no escaping needed. */
		fprintf(out,
			"%s{\"role\": \"%s\", \"pid\": %d, \"running_ns\": %" PRIu64
			", \"ready_ns\": %" PRIu64 ", \"blocked_ns\": %" PRIu64
			", \"blocks\": %" PRIu64 ", \"wakeups\": %" PRIu64
			", \"transitions\": %" PRIu64 ", \"per_message\": %.2f}",
			i ? ", " : "", r->name, r->pid,
			r->state_ns[TASKSTATE_RUNNING],
			r->state_ns[TASKSTATE_READY],
			r->state_ns[TASKSTATE_BLOCKED], r->blocks, r->wakeups,
			r->events, messages ? (double)r->events / messages : 0.0);
	}
	fprintf(out, "]");
}

void story_close(struct story *st)
{
	ts_stream_close(st->stream);
	st->stream = NULL;
}
