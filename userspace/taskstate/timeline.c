// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate timeline: a recording as an SVG picture, one row per task,
 * time left to right, coloured by classic state, with wakeup arrows.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "taskstate.h"
#include "lib/libtaskstate.h"

static const char timeline_help[] = N_(
"NAME\n"
"    taskstate timeline - draw a recording as an SVG timeline\n"
"\n"
"SYNOPSIS\n"
"    taskstate timeline FILE -o OUT.svg [--width PIXELS] [--from MS] [--to MS]\n"
"                       [--role PID=NAME]...\n"
"\n"
"DESCRIPTION\n"
"    One row per task (labelled pid and comm, or pid, role and comm with\n"
"    --role), time from left to right, each stretch of time a rectangle\n"
"    coloured by classic state: new (purple), ready (yellow), running\n"
"    (green), blocked (blue), exit (grey), with a legend.  A wakeup\n"
"    between two recorded tasks is an\n"
"    arrow from the waker's row to the wakee's; a time axis with ticks runs\n"
"    along the bottom.  Rows shrink as tasks are added (down to 10 px), so\n"
"    200 tasks still get a labelled row each.  Hovering over a rectangle\n"
"    shows its state and duration.\n"
"\n"
"    FILE is a recording from 'taskstate trace -o' or JSON lines from\n"
"    'taskstate trace --json'.  OUT.svg is written under a temporary name\n"
"    and renamed when complete; '-' is stdout.  The file is XML 1.0 in\n"
"    UTF-8: the title, legend and axis follow --lang; bytes of a comm\n"
"    that XML cannot hold are shown as \\xNN.\n"
"\n"
"OPTIONS\n"
"    -o, --output OUT.svg   where to write the picture (required)\n"
"    -w, --width PIXELS     width, 400-20000 (default 1200)\n"
"    --from MS, --to MS     draw only this window, in ms since the first\n"
"                           event (default: all of it)\n"
"    -r, --role PID=NAME    label task PID's row with NAME (producer,\n"
"                           consumer, ...): a recording holds no roles\n"
"    -h, --help             this help\n"
"\n"
"EXIT STATUS\n"
"    0, 1 when FILE is not a recording or OUT cannot be written, 2 on bad\n"
"    usage.\n");

static const char *const state_colour[TASKSTATE_NR_STATES] = {
	[TASKSTATE_NEW] = "#ab47bc",
	[TASKSTATE_READY] = "#fdd835",
	[TASKSTATE_RUNNING] = "#43a047",
	[TASKSTATE_BLOCKED] = "#1e88e5",
	[TASKSTATE_EXIT] = "#9e9e9e",
};

/* --role PID=NAME: what a task is in the run (producer, consumer, ...). */
#define MAX_ROLES 32
static struct {
	pid_t pid;
	const char *name;
} roles[MAX_ROLES];
static size_t nr_roles;

static const char *role_of(pid_t pid)
{
	for (size_t i = 0; i < nr_roles; i++)
		if (roles[i].pid == pid)
			return roles[i].name;
	return NULL;
}

struct cur {
	bool known;
	unsigned int state;
	uint64_t since;
	const struct taskstate_event *begin;
};

static void add_interval(struct timeline *tl, size_t *cap, size_t task,
			 const struct cur *c, uint64_t end)
{
	if (c->state < TASKSTATE_NEW || c->state >= TASKSTATE_NR_STATES ||
	    end < c->since)
		return;
	if (tl->nr_iv == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		tl->iv = reallocarray(tl->iv, *cap, sizeof(*tl->iv));
		if (!tl->iv)
			die("%s", _("out of memory"));
	}
	tl->iv[tl->nr_iv++] = (struct interval){
		.task = task, .state = c->state, .start = c->since,
		.end = end, .begin = c->begin,
	};
}

static int cmp_interval(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;

	if (x->task != y->task)
		return x->task < y->task ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

void timeline_build(struct timeline *tl, const struct ts_recording *rec)
{
	size_t cap_iv = 0, cap_wk = 0, cap_cur = 0;
	struct cur *cur = NULL;

	memset(tl, 0, sizeof(*tl));
	summary_init(&tl->sum);
	for (size_t i = 0; i < rec->n; i++) {
		const struct taskstate_event *e = &rec->ev[i];
		struct cur *c;
		long t;

		summary_add(&tl->sum, e);
		if (e->kind != TASKSTATE_KIND_EVENT)
			continue;
		/* Right after summary_add() the pid names this event's row. */
		t = summary_index(&tl->sum, e->pid);
		if (tl->sum.nr_tasks > cap_cur) {
			size_t old = cap_cur;

			cap_cur = tl->sum.cap_tasks;
			cur = reallocarray(cur, cap_cur, sizeof(*cur));
			if (!cur)
				die("%s", _("out of memory"));
			memset(cur + old, 0, (cap_cur - old) * sizeof(*cur));
		}
		c = &cur[t];
		if (e->transition == TASKSTATE_TR_NONE &&
		    e->cause != TASKSTATE_CAUSE_REAPED)
			continue;	/* exec: no change of state */
		if (!c->known) {
			/* Before its first event it was in @from for a while. */
			c->known = true;
			c->state = e->from;
			c->since = e->ts_ns - (e->prev_state_ns < e->ts_ns - tl->sum.first_ts ?
					       e->prev_state_ns : e->ts_ns - tl->sum.first_ts);
		}
		add_interval(tl, &cap_iv, t, c, e->ts_ns);
		c->state = e->to;
		c->since = e->ts_ns;
		c->begin = e;
		if (e->transition == TASKSTATE_TR_WAKE && e->other_pid) {
			long w = summary_index(&tl->sum, e->other_pid);

			if (w >= 0 && w != t) {
				if (tl->nr_wk == cap_wk) {
					cap_wk = cap_wk ? cap_wk * 2 : 256;
					tl->wk = reallocarray(tl->wk, cap_wk, sizeof(*tl->wk));
					if (!tl->wk)
						die("%s", _("out of memory"));
				}
				tl->wk[tl->nr_wk++] = (struct wake_link){
					.ts = e->ts_ns, .waker = w, .wakee = t, .ev = e,
				};
			}
		}
	}
	tl->t0 = tl->sum.first_ts;
	tl->t1 = tl->sum.last_ts > tl->t0 ? tl->sum.last_ts : tl->t0 + 1;
	for (size_t t = 0; t < tl->sum.nr_tasks; t++)
		if (cur[t].known)
			add_interval(tl, &cap_iv, t, &cur[t], tl->t1);
	free(cur);
	sort_n(tl->iv, tl->nr_iv, sizeof(*tl->iv), cmp_interval);
}

void timeline_free(struct timeline *tl)
{
	summary_free(&tl->sum);
	free(tl->iv);
	free(tl->wk);
}

/* A tick step of 1, 2 or 5 times a power of ten: about @n ticks in @span. */
static uint64_t tick_step(uint64_t span, int n)
{
	uint64_t step = 1;

	for (;;) {
		if (span / step <= (uint64_t)n)
			return step;
		if (span / (step * 2) <= (uint64_t)n)
			return step * 2;
		if (span / (step * 5) <= (uint64_t)n)
			return step * 5;
		step *= 10;
	}
}

static void put_time(FILE *f, uint64_t ns, uint64_t step)
{
	const char *unit = "ns";
	uint64_t div = 1;
	int dec = 0;

	if (step >= 1000000000) {
		unit = "s";
		div = 1000000000;
	} else if (step >= 1000000) {
		unit = "ms";
		div = 1000000;
	} else if (step >= 1000) {
		unit = "us";
		div = 1000;
	}
	/* Decimals only where the step needs them. */
	for (uint64_t d = div; d > step && dec < 9; d /= 10)
		dec++;
	fprintf(f, "%.*f %s", dec, (double)ns / div, unit);
}

/*
 * @from..@to (ns since the first event) is the window drawn; the axis
 * still counts from the first event, so windows of one run line up.
 */
static void svg(FILE *f, const struct timeline *tl, int width, uint64_t from,
		uint64_t to)
{
	uint64_t w0 = tl->t0 + from, w1 = tl->t0 + to;
	const struct summary *s = &tl->sum;
	const int left = 220, right = 20, top = 56, bottom = 44;
	int n = s->nr_tasks ? s->nr_tasks : 1;
	int row = 800 / n, font, height;
	double plot = width - left - right, span;
	uint64_t step;
	size_t i = 0;

	if (w1 > tl->t1)
		w1 = tl->t1;
	if (w0 >= w1)
		w0 = w1 - 1;
	span = w1 - w0;
	row = row > 24 ? 24 : row < 10 ? 10 : row;
	font = row - 2 > 12 ? 12 : row - 2;
	height = top + n * row + bottom;
#define X(t) (left + ((double)(t) - w0) * plot / span)
#define Y(r) (top + (double)(r) * row)
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
		width, height, width, height);
	fprintf(f, "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
		"markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\">"
		"<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#d81b60\"/></marker></defs>\n");
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	{
		char title[256];

		/* Our own words follow --lang: UTF-8 then, comms stay ASCII. */
		snprintf(title, sizeof(title), _("taskstate timeline: %zu tasks, %" PRIu64 " events"),
			 s->nr_tasks, s->events);
		fprintf(f, "<text x=\"8\" y=\"18\" font-size=\"14\">");
		put_xml_text(f, title);
		if (s->lost) {
			snprintf(title, sizeof(title), _(", %" PRIu64 " lost"), s->lost);
			put_xml_text(f, title);
		}
	}
	fprintf(f, "</text>\n<g class=\"legend\" font-size=\"12\">\n");
	for (unsigned int st = TASKSTATE_NEW; st < TASKSTATE_NR_STATES; st++) {
		int x = 8 + (st - TASKSTATE_NEW) * 100;

		fprintf(f, "<rect x=\"%d\" y=\"28\" width=\"14\" height=\"14\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"40\">", x, state_colour[st], x + 18);
		put_xml_text(f, ts_state_label(st));
		fprintf(f, "</text>\n");
	}
	fprintf(f, "<line x1=\"508\" y1=\"35\" x2=\"540\" y2=\"35\" stroke=\"#d81b60\" "
		"marker-end=\"url(#arrow)\"/><text x=\"546\" y=\"40\">");
	put_xml_text(f, _("wakeup (waker to wakee)"));
	fprintf(f, "</text>\n");
	fprintf(f, "</g>\n");

	/* The axis and its grid first, so that the rows are drawn over it. */
	step = tick_step(w1 - w0, 10);
	fprintf(f, "<g class=\"axis\" font-size=\"11\" stroke-width=\"1\">\n");
	fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
		left, Y(n) + 4, left + plot, Y(n) + 4);
	for (uint64_t t = (w0 - tl->t0 + step - 1) / step * step; t <= w1 - tl->t0;
	     t += step) {
		double x = X(tl->t0 + t);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>",
			x, top, x, Y(n) + 4);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>",
			x, Y(n) + 4, x, Y(n) + 9);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, Y(n) + 22);
		put_time(f, t, step);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
		left + plot, Y(n) + 38);
	put_xml_text(f, _("time since the first event"));
	fprintf(f, "</text>\n");
	fprintf(f, "</g>\n");

	for (size_t t = 0; t < s->nr_tasks; t++) {
		const struct task_info *ti = &s->tasks[t];

		fprintf(f, "<g class=\"task\" data-pid=\"%d\" data-tgid=\"%d\">\n",
			ti->pid, ti->tgid);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"end\">%d ",
			left - 6, Y(t) + row / 2.0 + font / 2.5, font, ti->pid);
		/* A role says more than the comm all participants share. */
		if (role_of(ti->pid)) {
			put_xml_str(f, role_of(ti->pid), 32);
			fputs(" (", f);
			put_xml_str(f, ti->comm, sizeof(ti->comm));
			fputs(")", f);
		} else {
			put_xml_str(f, ti->comm, sizeof(ti->comm));
		}
		fprintf(f, "</text>\n");
		for (; i < tl->nr_iv && tl->iv[i].task == t; i++) {
			const struct interval *iv = &tl->iv[i];
			double x, w;
			char ms[32];

			if (iv->end < w0 || iv->start > w1)
				continue;
			x = X(iv->start < w0 ? w0 : iv->start);
			w = X(iv->end > w1 ? w1 : iv->end) - x;

			fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
				"fill=\"%s\"><title>%d ", x, Y(t) + 1, w < 0.3 ? 0.3 : w,
				row - 2.0, state_colour[iv->state], ti->pid);
			put_xml_str(f, ti->comm, sizeof(ti->comm));
			fprintf(f, ": %s %s ms", ts_state_str(iv->state),
				fmt_ms(ms, sizeof(ms), iv->end - iv->start));
			if (iv->state == TASKSTATE_BLOCKED && iv->begin &&
			    iv->begin->wait_site[0]) {
				fputs(" in ", f);
				put_xml_str(f, iv->begin->wait_site,
					    sizeof(iv->begin->wait_site));
			}
			fprintf(f, "</title></rect>\n");
		}
		fprintf(f, "</g>\n");
	}

	fprintf(f, "<g class=\"wakeups\" stroke=\"#d81b60\" stroke-width=\"1\">\n");
	for (size_t w = 0; w < tl->nr_wk; w++) {
		const struct wake_link *wk = &tl->wk[w];
		double x = X(wk->ts);
		double y1 = Y(wk->waker) + row / 2.0, y2 = Y(wk->wakee) + row / 2.0;

		if (wk->ts < w0 || wk->ts > w1)
			continue;

		fprintf(f, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" "
			"marker-end=\"url(#arrow)\"/>\n", x, y1, x, y2);
	}
	fprintf(f, "</g>\n</svg>\n");
#undef X
#undef Y
}

/* "12.5" (ms) to ns; false unless a whole non-negative number of ms. */
static bool parse_ms(const char *s, uint64_t *ns)
{
	char *end;
	double ms;

	if (!s || *s < '0' || *s > '9')
		return false;
	ms = strtod(s, &end);
	if (*end || !(ms >= 0 && ms < 1e12))
		return false;
	*ns = (uint64_t)(ms * 1e6);
	return true;
}

int cmd_timeline(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "width", required_argument, NULL, 'w' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "role", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *out = NULL;
	struct ts_recording rec;
	struct timeline tl;
	struct out_file o;
	uint64_t width = 1200, from = 0, to = UINT64_MAX / 2;
	int c;

	/* FILE may come before or after the options, as in the synopsis. */
	while ((c = getopt_long(argc, argv, ":o:w:F:T:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': {
			char *eq = strchr(optarg, '=');
			uint64_t pid;

			if (!eq || eq == optarg || !eq[1] || strlen(eq + 1) > 31)
				usage_error(_("timeline: --role '%s': expected PID=NAME (NAME up to 31 bytes)"),
					    optarg);
			*eq = '\0';
			if (!parse_u64(optarg, 1, INT32_MAX, &pid))
				usage_error(_("timeline: --role '%s': expected PID=NAME (NAME up to 31 bytes)"),
					    optarg);
			if (nr_roles == MAX_ROLES)
				usage_error(_("timeline: more than %d --role"), MAX_ROLES);
			roles[nr_roles].pid = pid;
			roles[nr_roles++].name = eq + 1;
			break;
		}
		case 'o':
			out = optarg;
			break;
		case 'w':
			if (!parse_u64(optarg, 400, 20000, &width))
				usage_error(_("timeline: --width '%s': a number of pixels, 400-20000"),
					    optarg);
			break;
		case 'F':
		case 'T':
			if (!parse_ms(optarg, c == 'F' ? &from : &to))
				usage_error(_("timeline: --%s '%s': milliseconds since the first event"),
					    c == 'F' ? "from" : "to", optarg);
			break;
		case 'h':
			help_exit(timeline_help);
		default:
			bad_option("timeline", argv, c);
		}
	}
	if (optind != argc - 1)
		usage_error(_("timeline: %s (see 'taskstate timeline --help')"),
			    optind == argc ? _("missing FILE") : _("one FILE only"));
	if (!out)
		usage_error("%s", _("timeline: missing -o OUT.svg"));
	if (from >= to)
		usage_error("%s", _("timeline: --from must come before --to"));
	load_recording_or_die(argv[optind], &rec);
	timeline_build(&tl, &rec);
	out_open(&o, out);
	svg(o.f, &tl, width, from, to);
	out_commit(&o);
	timeline_free(&tl);
	ts_recording_free(&rec);
	return 0;
}
