// SPDX-License-Identifier: GPL-2.0
/*
 * What a stream of events says about each task: time in each classic
 * state (the module's own prev_state_ns, so no event pairs are guessed),
 * where it blocked, who woke it; and the transition matrix of all tasks.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lib/libtaskstate.h"
#include "taskstate.h"

void summary_init(struct summary *s)
{
	memset(s, 0, sizeof(*s));
}

void summary_free(struct summary *s)
{
	for (size_t i = 0; i < s->nr_tasks; i++) {
		free(s->tasks[i].sites);
		free(s->tasks[i].wakers);
	}
	free(s->tasks);
	free(s->hash);
	memset(s, 0, sizeof(*s));
}

static size_t hash_slot(pid_t pid, size_t size)
{
	return ((uint32_t)pid * 2654435761u) & (size - 1);
}

long summary_index(const struct summary *s, pid_t pid)
{
	if (!s->hash_size)
		return -1;
	for (size_t h = hash_slot(pid, s->hash_size);; h = (h + 1) & (s->hash_size - 1)) {
		int idx = s->hash[h];

		if (!idx)
			return -1;
		if (s->tasks[idx - 1].pid == pid)
			return idx - 1;
	}
}

struct task_info *summary_find(const struct summary *s, pid_t pid)
{
	long i = summary_index(s, pid);

	return i < 0 ? NULL : &s->tasks[i];
}

static void *xrealloc(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n, size);
	if (!p)
		die("%s", _("out of memory"));
	return p;
}

/* Point @pid at row @idx, replacing an older row of the same pid. */
static void hash_set(struct summary *s, pid_t pid, size_t idx)
{
	size_t h = hash_slot(pid, s->hash_size);

	while (s->hash[h] && s->tasks[s->hash[h] - 1].pid != pid)
		h = (h + 1) & (s->hash_size - 1);
	s->hash[h] = idx + 1;
}

/*
 * A pid can come back after its reap: the new task gets a row of its own,
 * the old row keeps its history and the pid now finds the new row.
 */
static struct task_info *task_get(struct summary *s, const struct taskstate_event *ev)
{
	struct task_info *t = summary_find(s, ev->pid);

	if (t && !(t->reaped && ev->from == TASKSTATE_NONE))
		return t;
	if (s->nr_tasks == s->cap_tasks) {
		s->cap_tasks = s->cap_tasks ? s->cap_tasks * 2 : 64;
		s->tasks = xrealloc(s->tasks, s->cap_tasks, sizeof(*s->tasks));
	}
	/* Keep the table at most half full, and rebuild it from the rows. */
	if ((s->nr_tasks + 1) * 2 > s->hash_size) {
		s->hash_size = s->hash_size ? s->hash_size * 2 : 256;
		free(s->hash);
		s->hash = calloc(s->hash_size, sizeof(*s->hash));
		if (!s->hash)
			die("%s", _("out of memory"));
		for (size_t i = 0; i < s->nr_tasks; i++)
			hash_set(s, s->tasks[i].pid, i);
	}
	t = &s->tasks[s->nr_tasks];
	memset(t, 0, sizeof(*t));
	t->pid = ev->pid;
	t->tgid = ev->tgid;
	t->first_ts = ev->ts_ns;
	t->state = ev->from;
	hash_set(s, ev->pid, s->nr_tasks);
	s->nr_tasks++;
	return t;
}

static void add_site(struct task_info *t, const char *site, uint64_t ns,
		     bool block)
{
	size_t i;

	for (i = 0; i < t->nr_sites; i++)
		if (!strncmp(t->sites[i].name, site, sizeof(t->sites[i].name)))
			break;
	if (i == t->nr_sites) {
		t->sites = xrealloc(t->sites, i + 1, sizeof(*t->sites));
		memset(&t->sites[i], 0, sizeof(t->sites[i]));
		snprintf(t->sites[i].name, sizeof(t->sites[i].name), "%.*s",
			 TASKSTATE_SITE_LEN - 1, site);
		t->nr_sites++;
	}
	if (block)
		t->sites[i].count++;
	t->sites[i].ns += ns;
}

static void add_waker(struct task_info *t, const struct taskstate_event *ev)
{
	size_t i;

	for (i = 0; i < t->nr_wakers; i++)
		if (t->wakers[i].pid == ev->other_pid &&
		    !strncmp(t->wakers[i].comm, ev->other_comm, TASKSTATE_COMM_LEN))
			break;
	if (i == t->nr_wakers) {
		t->wakers = xrealloc(t->wakers, i + 1, sizeof(*t->wakers));
		memset(&t->wakers[i], 0, sizeof(t->wakers[i]));
		t->wakers[i].pid = ev->other_pid;
		memcpy(t->wakers[i].comm, ev->other_comm, TASKSTATE_COMM_LEN);
		t->wakers[i].comm[TASKSTATE_COMM_LEN - 1] = '\0';
		t->nr_wakers++;
	}
	t->wakers[i].count++;
}

void summary_add(struct summary *s, const struct taskstate_event *ev)
{
	struct task_info *t;

	if (ev->kind == TASKSTATE_KIND_LOST) {
		s->lost_records++;
		s->lost += ev->lost;
		return;
	}
	if (!s->events || ev->ts_ns < s->first_ts)
		s->first_ts = ev->ts_ns;
	if (ev->ts_ns > s->last_ts)
		s->last_ts = ev->ts_ns;
	s->events++;
	if (ev->transition < TASKSTATE_NR_TRANSITIONS)
		s->transitions[ev->transition]++;
	if (ev->from < TASKSTATE_NR_STATES && ev->to < TASKSTATE_NR_STATES &&
	    ev->transition != TASKSTATE_TR_NONE)
		s->matrix[ev->from][ev->to]++;

	t = task_get(s, ev);
	t->events++;
	t->last_ts = ev->ts_ns;
	t->tgid = ev->tgid;
	memcpy(t->comm, ev->comm, TASKSTATE_COMM_LEN);
	t->comm[TASKSTATE_COMM_LEN - 1] = '\0';
	if (ev->from < TASKSTATE_NR_STATES && ev->transition != TASKSTATE_TR_NONE)
		t->state_ns[ev->from] += ev->prev_state_ns;
	if (ev->cause == TASKSTATE_CAUSE_REAPED) {
		/* Its time as a zombie, until the parent waited. */
		t->state_ns[TASKSTATE_EXIT] += ev->prev_state_ns;
		t->reaped = true;
	}
	if (ev->transition == TASKSTATE_TR_CREATE)
		t->parent = ev->other_pid;
	if (ev->to == TASKSTATE_BLOCKED && ev->from == TASKSTATE_RUNNING) {
		const char *site = ev->wait_site[0] ? ev->wait_site : "?";

		add_site(t, site, 0, true);
		snprintf(t->cur_site, sizeof(t->cur_site), "%.*s",
			 TASKSTATE_SITE_LEN - 1, site);
	}
	if (ev->from == TASKSTATE_BLOCKED) {
		/* The time blocked belongs to where it blocked. */
		if (t->cur_site[0])
			add_site(t, t->cur_site, ev->prev_state_ns, false);
		t->cur_site[0] = '\0';
		if (ev->transition == TASKSTATE_TR_WAKE)
			add_waker(t, ev);
	}
	if (ev->to == TASKSTATE_EXIT && ev->from != TASKSTATE_EXIT) {
		t->exited = true;
		t->exit_code = ev->exit_code;
		t->signal = ev->cause == TASKSTATE_CAUSE_KILLED ? ev->signal : 0;
	}
	if (ev->cause != TASKSTATE_CAUSE_EXEC)
		t->state = ev->to;
}

const char *fmt_ms(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64, ns / 1000000,
		 ns / 1000 % 1000);
	return buf;
}

/* A string field as lib/decode escapes it in text. */
static void put_text_str(FILE *f, const char *s, size_t size)
{
	char buf[TASKSTATE_SITE_LEN * 4 + 1];

	ts_str_format_text(s, size, buf, sizeof(buf));
	fputs(buf, f);
}

static int cmp_site(const void *a, const void *b)
{
	const struct site_count *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static int cmp_waker(const void *a, const void *b)
{
	const struct waker_count *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

void summary_print_tasks(FILE *f, const struct summary *s)
{
	char b[5][32];

	static const struct { int width; const char *head; } col[] = {
		{ 7, N_("PID") }, { 7, N_("TGID") }, { -16, N_("COMM") },
		{ 12, N_("NEW_MS") }, { 12, N_("READY_MS") },
		{ 12, N_("RUNNING_MS") }, { 12, N_("BLOCKED_MS") },
		{ 12, N_("EXIT_MS") },
	};

	fprintf(f, ngettext("%" PRIu64 " event", "%" PRIu64 " events",
			    s->events), s->events);
	fprintf(f, ngettext(" from %zu task", " from %zu tasks", s->nr_tasks),
		s->nr_tasks);
	fprintf(f, _(" over %s ms"),
		fmt_ms(b[0], sizeof(b[0]), s->last_ts - s->first_ts));
	if (s->lost)
		fprintf(f, _(", %" PRIu64 " LOST"), s->lost);
	fputs("\n\n", f);
	for (size_t c = 0; c < sizeof(col) / sizeof(*col); c++) {
		if (c)
			fputc(' ', f);
		ts_put_padded(f, _(col[c].head), col[c].width);
	}
	fputc('\n', f);
	for (size_t i = 0; i < s->nr_tasks; i++) {
		const struct task_info *t = &s->tasks[i];
		int w = 16 - (int)strnlen(t->comm, sizeof(t->comm));

		fprintf(f, "%7d %7d ", t->pid, t->tgid);
		put_text_str(f, t->comm, sizeof(t->comm));
		fprintf(f, "%*s %12s %12s %12s %12s %12s\n", w > 0 ? w : 0, "",
			fmt_ms(b[0], 32, t->state_ns[TASKSTATE_NEW]),
			fmt_ms(b[1], 32, t->state_ns[TASKSTATE_READY]),
			fmt_ms(b[2], 32, t->state_ns[TASKSTATE_RUNNING]),
			fmt_ms(b[3], 32, t->state_ns[TASKSTATE_BLOCKED]),
			fmt_ms(b[4], 32, t->state_ns[TASKSTATE_EXIT]));
	}
	for (size_t i = 0; i < s->nr_tasks; i++) {
		const struct task_info *t = &s->tasks[i];

		if (!t->nr_sites && !t->nr_wakers && !t->exited)
			continue;
		fprintf(f, "\n");
		put_text_str(f, t->comm, sizeof(t->comm));
		fprintf(f, " %d", t->pid);
		if (t->parent)
			fprintf(f, _(" (child of %d)"), t->parent);
		if (t->exited) {
			if (t->signal)
				fprintf(f, _(", killed by SIG%s"),
					sigabbrev_np(t->signal) ?: "?");
			else
				fprintf(f, _(", exit code %d"), t->exit_code);
		}
		fputs(":\n", f);
		sort_n(t->sites, t->nr_sites, sizeof(*t->sites), cmp_site);
		for (size_t j = 0; j < t->nr_sites; j++) {
			fprintf(f, _("  blocked %6" PRIu64 "x %12s ms in "),
				t->sites[j].count,
				fmt_ms(b[0], 32, t->sites[j].ns));
			put_text_str(f, t->sites[j].name, sizeof(t->sites[j].name));
			fputc('\n', f);
		}
		sort_n(t->wakers, t->nr_wakers, sizeof(*t->wakers), cmp_waker);
		for (size_t j = 0; j < t->nr_wakers; j++) {
			const struct waker_count *wk = &t->wakers[j];

			fprintf(f, _("  woken   %6" PRIu64 "x by "), wk->count);
			if (wk->comm[0])
				put_text_str(f, wk->comm, sizeof(wk->comm));
			else
				fputs("?", f);
			if (wk->pid)
				fprintf(f, " %d", wk->pid);
			fputc('\n', f);
		}
	}
}

void summary_print_matrix(FILE *f, const struct summary *s)
{
	fprintf(f, _("Transitions (rows: from, columns: to), %" PRIu64 " events"),
		s->events);
	if (s->lost)
		fprintf(f, _(", %" PRIu64 " LOST"), s->lost);
	fputs(":\n\n", f);
	ts_put_padded(f, _("from\\to"), -10);
	for (unsigned int to = TASKSTATE_NEW; to < TASKSTATE_NR_STATES; to++) {
		fputc(' ', f);
		ts_put_padded(f, ts_state_label(to), 9);
	}
	fputc('\n', f);
	for (unsigned int from = TASKSTATE_NEW; from < TASKSTATE_NR_STATES; from++) {
		ts_put_padded(f, ts_state_label(from), -10);
		for (unsigned int to = TASKSTATE_NEW; to < TASKSTATE_NR_STATES; to++)
			fprintf(f, " %9" PRIu64, s->matrix[from][to]);
		fputc('\n', f);
	}
	fputs(_("\nThe nine transitions:\n"), f);
	for (unsigned int tr = TASKSTATE_TR_CREATE; tr < TASKSTATE_NR_TRANSITIONS; tr++) {
		char name[64];

		fprintf(f, "  %u %s %9" PRIu64 "\n", tr,
			ts_pad(name, sizeof(name), ts_transition_label(tr), -16),
			s->transitions[tr]);
	}
	fprintf(f, _("  other (exec, reaped) %5" PRIu64 "\n\n"),
		s->transitions[TASKSTATE_TR_NONE]);
}

void put_xml_str(FILE *f, const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\\': fputs("\\\\", f); break;
		default:
			/* XML forbids most control bytes; others are not UTF-8. */
			if (c < 0x20 || c >= 0x7f)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
}

void put_xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else
			fputc(*s, f);
	}
}

void put_json_str(FILE *f, const char *s, size_t size)
{
	char buf[TASKSTATE_SITE_LEN * 6 + 3];

	ts_str_format_json(s, size, buf, sizeof(buf));
	fputs(buf, f);
}
