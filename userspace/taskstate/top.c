// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate top: the busiest tasks, refreshed, from /proc/taskstate/tasks
 * (the module's live accounting) or, without it, from the event stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "taskstate.h"
#include "lib/libtaskstate.h"

#define PROC_TASKS	"/proc/taskstate/tasks"
#define PROC_CONFIG	"/proc/taskstate/config"

/* The module records no wait sites (wait_sites=0 in its config). */
static bool wait_sites_off(void)
{
	FILE *f = fopen(PROC_CONFIG, "re");
	char line[128];
	bool off = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "wait_sites=0\n"))
			off = true;
	fclose(f);
	return off;
}

static const char top_help[] = N_(
"NAME\n"
"    taskstate top - the tasks that ran, waited and blocked the most\n"
"\n"
"SYNOPSIS\n"
"    taskstate top [-d SECONDS] [-n ITERATIONS] [-l LINES]\n"
"\n"
"DESCRIPTION\n"
"    Every SECONDS, one snapshot: per task its classic state, Linux state\n"
"    letter, the share of the interval it spent running, ready and\n"
"    blocked, and where it waits; busiest first.  A row's three shares\n"
"    add up to the whole of the time it was there in the interval ('-'\n"
"    when it was new or exited throughout).  The numbers come from\n"
"    /proc/taskstate/tasks (its header line names the columns) when the\n"
"    module provides it, else from the event stream (then only tasks that\n"
"    had an event in the interval are shown).\n"
"\n"
"    On a terminal the screen is redrawn until Ctrl-C; otherwise plain\n"
"    snapshots are printed one after the other, one unless -n says more.\n"
"\n"
"OPTIONS\n"
"    -d, --delay SECONDS      interval, 0.1-3600 (default 1)\n"
"    -n, --iterations N       snapshots to show, then exit\n"
"    -l, --lines N            tasks per snapshot (default 20)\n"
"    -h, --help               this help\n"
"\n"
"EXIT STATUS\n"
"    0, 1 on a runtime failure (no module: load kmod/taskstate.ko; no\n"
"    permission: run as root), 2 on bad usage.\n");

struct row {
	pid_t pid, tgid;
	char comm[80], state[16], letter[4], site[80];
	uint64_t run, ready, blocked;		/* ms, or ns from the stream */
	uint64_t drun, dready, dblocked;	/* over the interval */
	bool whole;		/* there for the whole interval */
};

struct table {
	struct row *rows;
	size_t n, cap;
	uint64_t read_ns;	/* when the procfs file was read */
};

/* A new zeroed row at the end of @t. */
static struct row *table_add(struct table *t)
{
	struct row *r;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 512;
		t->rows = reallocarray(t->rows, t->cap, sizeof(*t->rows));
		if (!t->rows)
			die("%s", _("out of memory"));
	}
	r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int column(char **names, int n, const char *want)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], want))
			return i;
	return -1;
}

/* 0, or -errno; the file's columns are found by their header names. */
static int read_proc(struct table *t)
{
	FILE *f = fopen(PROC_TASKS, "re");
	char *line = NULL, *names[32], *hdr = NULL;
	size_t cap = 0;
	int nnames = 0, c_pid, c_tgid, c_comm, c_state, c_s, c_run, c_ready,
	    c_blocked, c_site;

	t->n = 0;
	t->read_ns = now_ns();
	if (!f)
		return -errno;
	if (getline(&hdr, &cap, f) < 0) {
		fclose(f);
		free(hdr);
		return -EPROTO;
	}
	for (char *save = NULL, *w = strtok_r(hdr, " \t\n", &save); w && nnames < 32;
	     w = strtok_r(NULL, " \t\n", &save))
		names[nnames++] = w;
	c_pid = column(names, nnames, "PID");
	c_tgid = column(names, nnames, "TGID");
	c_comm = column(names, nnames, "COMM");
	c_state = column(names, nnames, "STATE");
	c_s = column(names, nnames, "S");
	c_run = column(names, nnames, "RUN_MS");
	c_ready = column(names, nnames, "READY_MS");
	c_blocked = column(names, nnames, "BLOCKED_MS");
	c_site = column(names, nnames, "WAIT_SITE");
	if (c_pid < 0 || c_comm < 0 || c_state < 0) {
		fclose(f);
		free(hdr);
		return -EPROTO;
	}
	cap = 0;
	while (getline(&line, &cap, f) >= 0) {
		char *f_[32];
		int nf = 0;
		struct row *r;

		for (char *save = NULL, *w = strtok_r(line, " \t\n", &save); w && nf < 32;
		     w = strtok_r(NULL, " \t\n", &save))
			f_[nf++] = w;
		if (nf < nnames)
			continue;
		r = table_add(t);
		r->pid = atoi(f_[c_pid]);
		r->tgid = c_tgid >= 0 ? atoi(f_[c_tgid]) : r->pid;
		snprintf(r->comm, sizeof(r->comm), "%s", f_[c_comm]);
		snprintf(r->state, sizeof(r->state), "%s", f_[c_state]);
		snprintf(r->letter, sizeof(r->letter), "%s", c_s >= 0 ? f_[c_s] : "?");
		snprintf(r->site, sizeof(r->site), "%s", c_site >= 0 ? f_[c_site] : "-");
		r->run = c_run >= 0 ? strtoull(f_[c_run], NULL, 10) : 0;
		r->ready = c_ready >= 0 ? strtoull(f_[c_ready], NULL, 10) : 0;
		r->blocked = c_blocked >= 0 ? strtoull(f_[c_blocked], NULL, 10) : 0;
	}
	free(line);
	free(hdr);
	fclose(f);
	return 0;
}

static const struct row *find_row(const struct table *t, pid_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i].pid == pid)
			return &t->rows[i];
	return NULL;
}

static int cmp_busy(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->drun != y->drun)
		return x->drun < y->drun ? 1 : -1;
	if (x->dready != y->dready)
		return x->dready < y->dready ? 1 : -1;
	return x->pid - y->pid;
}

/* The classic state a Linux letter means, or -1 for one we do not know. */
static int letter_state(char letter)
{
	switch (letter) {
	case 'R':
		return -1;	/* ready or running: the model tells which */
	case 'S': case 'D': case 'T': case 't': case 'I': case 'P':
		return TASKSTATE_BLOCKED;
	case 'Z': case 'X':
		return TASKSTATE_EXIT;
	default:
		return -1;
	}
}

/*
 * Make a row say one thing.  The model's state and the letter are read at
 * slightly different moments ("blocked R": woken in between): the letter
 * is the later word.  Its shares then account for its interval once: the
 * kernel adds a stretch to RUN/READY/BLOCKED_MS when it ends, so a long
 * block lands whole in the interval it ends in (100% blocked next to 8%
 * running), and the stretch it is in now is not counted yet.  A task that
 * was there for the whole interval gets the uncounted rest in its current
 * state; then the three are scaled to its interval.  Return false when it
 * spent none of it running, ready or blocked (new or exit throughout).
 */
static bool row_shares(struct row *r, double interval_ms, double out[3])
{
	double d[3] = { r->drun, r->dready, r->dblocked }, total;
	int by_letter = letter_state(r->letter[0]), cur = -1;

	for (unsigned int s = TASKSTATE_NEW; s < TASKSTATE_NR_STATES; s++)
		if (!strcmp(r->state, ts_state_str(s)))
			cur = s;
	if (r->letter[0] == 'R' && (cur == TASKSTATE_BLOCKED || cur == TASKSTATE_EXIT))
		cur = TASKSTATE_READY;
	else if (by_letter >= 0 && cur != by_letter)
		cur = by_letter;
	if (cur >= 0)
		snprintf(r->state, sizeof(r->state), "%s", ts_state_str(cur));
	total = d[0] + d[1] + d[2];
	if (r->whole && total < interval_ms) {
		if (cur == TASKSTATE_RUNNING)
			d[0] += interval_ms - total;
		else if (cur == TASKSTATE_READY)
			d[1] += interval_ms - total;
		else if (cur == TASKSTATE_BLOCKED)
			d[2] += interval_ms - total;
		total = d[0] + d[1] + d[2];
	}
	if (total <= 0)
		return false;
	for (int i = 0; i < 3; i++)
		out[i] = 100.0 * d[i] / total;
	return true;
}

static void print_table(struct table *t, double interval_ms, size_t lines,
			const char *source)
{
	static const struct { int width; const char *head; } col[] = {
		{ 7, N_("PID") }, { 7, N_("TGID") }, { -16, N_("COMM") },
		{ -7, N_("STATE") }, { 0, N_("S") }, { 6, N_("RUN%") },
		{ 6, N_("READY%") }, { 8, N_("BLOCKED%") }, { 0, N_("WAIT_SITE") },
	};
	unsigned int count[TASKSTATE_NR_STATES] = { 0 };
	time_t now = time(NULL);
	char when[32];
	double unused[3];

	/* States as the rows will say them (row_shares() reconciles). */
	for (size_t i = 0; i < t->n; i++)
		row_shares(&t->rows[i], interval_ms, unused);
	for (size_t i = 0; i < t->n; i++)
		for (unsigned int s = TASKSTATE_NEW; s < TASKSTATE_NR_STATES; s++)
			if (!strcmp(t->rows[i].state, ts_state_str(s)))
				count[s]++;
	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	printf(_("taskstate top - %s, %zu tasks: %u new, %u ready, %u running, %u blocked, %u exit (%s)\n\n"),
	       when, t->n, count[TASKSTATE_NEW], count[TASKSTATE_READY],
	       count[TASKSTATE_RUNNING], count[TASKSTATE_BLOCKED],
	       count[TASKSTATE_EXIT], source);
	if (wait_sites_off())
		printf("%s\n\n", _("Wait sites are off (wait_sites=0 in /proc/taskstate/config), so WAIT_SITE is '-'; as root: echo wait_sites=1 > /proc/taskstate/config"));
	for (size_t c = 0; c < sizeof(col) / sizeof(*col); c++) {
		if (c)
			putchar(' ');
		ts_put_padded(stdout, _(col[c].head), col[c].width);
	}
	putchar('\n');
	sort_n(t->rows, t->n, sizeof(*t->rows), cmp_busy);
	for (size_t i = 0; i < t->n && i < lines; i++) {
		struct row *r = &t->rows[i];
		double share[3];
		bool shown = row_shares(r, interval_ms, share);
		const char *state = r->state;
		char padded[64];

		/* The module's English name, told in the user's words. */
		for (unsigned int s = TASKSTATE_NEW; s < TASKSTATE_NR_STATES; s++)
			if (!strcmp(r->state, ts_state_str(s)))
				state = ts_state_label(s);
		if (shown)
			printf("%7d %7d %-16.16s %s %s %6.1f %6.1f %8.1f %s\n", r->pid,
			       r->tgid, r->comm, ts_pad(padded, sizeof(padded), state, -7),
			       r->letter, share[0], share[1], share[2], r->site);
		else
			printf("%7d %7d %-16.16s %s %s %6s %6s %8s %s\n", r->pid,
			       r->tgid, r->comm, ts_pad(padded, sizeof(padded), state, -7),
			       r->letter, "-", "-", "-", r->site);
	}
	putchar('\n');
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Without the procfs file: what the stream says happened in the interval. */
static void stream_snapshot(struct ts_stream *s, double delay, struct table *t)
{
	uint64_t end = now_ns() + (uint64_t)(delay * 1e9);
	struct taskstate_event ev[TS_STREAM_BATCH];
	struct summary sum;

	summary_init(&sum);
	while (!stop && now_ns() < end) {
		ssize_t n = ts_stream_read(s, ev, TS_STREAM_BATCH, 100);

		if (n < 0 && n != -EINTR) {
			errno = -n;
			die_errno(_("read %s"), TS_DEV_PATH);
		}
		for (ssize_t i = 0; i < n; i++)
			summary_add(&sum, &ev[i]);
	}
	t->n = 0;
	for (size_t i = 0; i < sum.nr_tasks; i++) {
		const struct task_info *ti = &sum.tasks[i];
		struct row *r;

		r = table_add(t);
		r->pid = ti->pid;
		r->tgid = ti->tgid;
		snprintf(r->comm, sizeof(r->comm), "%s", ti->comm);
		snprintf(r->state, sizeof(r->state), "%s", ts_state_str(ti->state));
		snprintf(r->letter, sizeof(r->letter), "-");
		snprintf(r->site, sizeof(r->site), "%s",
			 ti->state == TASKSTATE_BLOCKED && ti->cur_site[0] ? ti->cur_site : "-");
		/* ms, as in the procfs file. */
		r->drun = ti->state_ns[TASKSTATE_RUNNING] / 1000000;
		r->dready = ti->state_ns[TASKSTATE_READY] / 1000000;
		r->dblocked = ti->state_ns[TASKSTATE_BLOCKED] / 1000000;
	}
	summary_free(&sum);
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "lines", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct table prev = { 0 }, cur = { 0 };
	struct ts_stream *s = NULL;
	bool tty = isatty(STDOUT_FILENO);
	uint64_t iterations = tty ? UINT64_MAX : 1, lines = 20;
	double delay = 1.0;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "+:d:n:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || end == optarg || !(delay >= 0.1 && delay <= 3600))
				usage_error(_("top: -d '%s': seconds, 0.1-3600"), optarg);
			break;
		case 'n':
			if (!parse_u64(optarg, 1, UINT32_MAX, &iterations))
				usage_error(_("top: -n '%s': a number of snapshots"), optarg);
			break;
		case 'l':
			if (!parse_u64(optarg, 1, 100000, &lines))
				usage_error(_("top: -l '%s': a number of lines"), optarg);
			break;
		case 'h':
			help_exit(top_help);
		default:
			bad_option("top", argv, c);
		}
	}
	if (optind != argc)
		usage_error(_("top: unexpected '%s' (see 'taskstate top --help')"),
			    argv[optind]);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (read_proc(&prev)) {
		struct taskstate_filter f;

		/* No procfs file (an older module): the stream, all tasks. */
		s = open_stream_or_die(0);
		ts_filter_all(&f);
		if (ts_stream_set_filter(s, &f) || ts_stream_start(s))
			die_errno("%s", _("set up the session"));
	}
	for (uint64_t i = 0; i < iterations && !stop; i++) {
		uint64_t t0 = now_ns();

		if (s) {
			stream_snapshot(s, delay, &cur);
		} else {
			sleep_s(delay);
			if (read_proc(&cur))
				die_errno("%s", PROC_TASKS);
			for (size_t j = 0; j < cur.n; j++) {
				struct row *r = &cur.rows[j];
				const struct row *p = find_row(&prev, r->pid);

				r->whole = p != NULL;
				r->drun = r->run - (p && p->run <= r->run ? p->run : 0);
				r->dready = r->ready - (p && p->ready <= r->ready ? p->ready : 0);
				r->dblocked = r->blocked -
					(p && p->blocked <= r->blocked ? p->blocked : 0);
			}
		}
		if (stop)
			break;
		if (tty)
			fputs("\033[H\033[2J", stdout);
		/* The interval the counters' differences cover. */
		print_table(&cur, s ? (now_ns() - t0) / 1e6 :
				      (cur.read_ns - prev.read_ns) / 1e6, lines,
			    s ? _("from the event stream") :
				_("from /proc/taskstate/tasks"));
		if (fflush(stdout))
			die_errno("%s", _("write to stdout"));
		if (!s) {
			struct table tmp = prev;

			prev = cur;
			cur = tmp;
		}
	}
	free(prev.rows);
	free(cur.rows);
	ts_stream_close(s);
	return 0;
}
