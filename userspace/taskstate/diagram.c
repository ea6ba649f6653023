// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate diagram: the classic five-state diagram as an SVG picture,
 * each of the nine arrows labelled with the Linux event behind it and
 * the count (and causes) read from a transitions table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "taskstate.h"
#include "lib/libtaskstate.h"

static const char diagram_help[] = N_(
"NAME\n"
"    taskstate diagram - draw the five states and nine transitions with counts\n"
"\n"
"SYNOPSIS\n"
"    taskstate diagram [FILE] -o OUT.svg [--title TEXT]\n"
"\n"
"DESCRIPTION\n"
"    Draws the classic process state diagram: new, ready, running, blocked\n"
"    and exit (each with the Linux state letters it covers) and the nine\n"
"    transitions as arrows.  Each arrow is labelled with its number, the\n"
"    kernel tracepoint(s) the module turns into that step, and the count\n"
"    with its causes; an arrow's width grows with its count.\n"
"\n"
"    FILE holds a table of the nine transitions, one per line as\n"
"    'N  from->to  COUNT  [cause=N ...]': /proc/taskstate/transitions (the\n"
"    default, the module's counts since load or 'reset'), saved output of\n"
"    'taskstate stat' or of 'ipclab states'.  The first line for each\n"
"    transition counts; all nine must be there.  '-' is stdin.\n"
"\n"
"    A key under the picture says what each Linux state letter means.\n"
"\n"
"    OUT.svg is written under a temporary name and renamed when complete;\n"
"    '-' is stdout.  The file is XML 1.0 in UTF-8 (the key follows --lang).\n"
"\n"
"OPTIONS\n"
"    -o, --output OUT.svg   where to write the picture (required)\n"
"    -t, --title TEXT       a line above the picture (default: where the\n"
"                           counts come from)\n"
"    -h, --help             this help\n"
"\n"
"EXIT STATUS\n"
"    0, 1 when FILE cannot be read, lacks a transition or has a count that\n"
"    is not a number, or OUT cannot be written, 2 on bad usage.\n"
"\n"
"EXAMPLES\n"
"    taskstate diagram -o states.svg\n"
"    taskstate stat -- ipclab states 2> stat.txt; taskstate diagram stat.txt -o states.svg\n");

/* Where a state box sits: its centre. */
struct box {
	const char *name;
	const char *letters;	/* the Linux states it covers */
	int x, y;
};

enum { B_NEW, B_READY, B_RUNNING, B_BLOCKED, B_EXIT, NR_BOXES };

static const struct box boxes[NR_BOXES] = {
	[B_NEW] = { "new", "being forked", 130, 300 },
	[B_READY] = { "ready", "R, on a runqueue", 380, 300 },
	[B_RUNNING] = { "running", "R, on a CPU", 720, 300 },
	[B_BLOCKED] = { "blocked", "S D T t", 550, 500 },
	[B_EXIT] = { "exit", "Z X", 970, 300 },
};

#define TRANSITIONS_PATH "/proc/taskstate/transitions"

#define BOX_W 124
#define BOX_H 48

/*
 * One arrow: a quadratic curve (x0,y0) -> control -> (x1,y1) and where its
 * label goes.  Fixed by hand: nine arrows do not need a layout engine, and
 * a fixed layout keeps the picture the same from run to run but for counts.
 */
struct arrow {
	const char *name;	/* as /proc/taskstate/transitions spells it */
	const char *event;	/* what the module hooks to see it */
	int x0, y0, cx, cy, x1, y1;
	int lx, ly;		/* label's first baseline */
	const char *anchor;
};

static const struct arrow arrows[9] = {
	{ "none->new", "sched_process_fork",
	  130, 140, 130, 208, 130, 276, 142, 190, "start" },
	{ "new->ready", "sched_wakeup_new",
	  192, 300, 255, 300, 318, 300, 255, 340, "middle" },
	{ "ready->running", "sched_switch (next)",
	  442, 288, 550, 236, 658, 288, 550, 206, "middle" },
	{ "running->exit", "sched_process_exit",
	  782, 300, 845, 300, 908, 300, 845, 340, "middle" },
	{ "running->ready", "sched_switch (prev, R)",
	  658, 312, 550, 364, 442, 312, 550, 362, "middle" },
	{ "running->blocked", "sched_switch (prev, S D T t)",
	  700, 324, 660, 400, 600, 476, 672, 408, "start" },
	{ "blocked->ready", "sched_waking + sched_wakeup",
	  500, 476, 440, 400, 400, 324, 428, 408, "end" },
	{ "ready->exit", "fatal signal_generate while ready,\nthen sched_process_exit",
	  380, 276, 675, 30, 970, 276, 675, 90, "middle" },
	{ "blocked->exit", "woken with SIGKILL while blocked,\nthen sched_process_exit",
	  612, 500, 960, 530, 970, 324, 790, 540, "middle" },
};

struct count {
	bool seen;
	uint64_t n;
	char causes[256];
};

/* Text into XML: escape markup, and keep the file ASCII. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

/*
 * The first line for each of the nine transitions, in any of the formats.
 * A line that names a transition must carry a count: "-5" or "lots" there
 * is refused with its line number (sscanf's %lu would take -5 as 2^64-5).
 */
static void read_counts(const char *path, struct count cnt[9])
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL, name[64], word[64];
	size_t cap = 0, lineno = 0;
	unsigned int num;
	uint64_t n;
	int end;

	if (!f) {
		if (errno == ENOENT && !strcmp(path, TRANSITIONS_PATH))
			die(_("%s missing: load the module (sudo insmod kmod/taskstate.ko), or give a FILE"),
			    path);
		die_errno("%s", path);
	}
	while (getline(&line, &cap, f) > 0) {
		char *rest;
		size_t len;

		lineno++;
		if (sscanf(line, " %u %63s %63s%n", &num, name, word, &end) != 3 ||
		    num < 1 || num > 9 || strcmp(name, arrows[num - 1].name) ||
		    cnt[num - 1].seen)
			continue;
		if (!parse_u64(word, 0, UINT64_MAX, &n))
			die(_("%s: line %zu: transition %u %s: count '%s' is not a number of times"),
			    path, lineno, num, name, word);
		rest = line + end;
		rest += strspn(rest, " \t");
		len = strcspn(rest, "\r\n");
		if (len >= sizeof(cnt[num - 1].causes))
			len = sizeof(cnt[num - 1].causes) - 1;
		memcpy(cnt[num - 1].causes, rest, len);
		cnt[num - 1].causes[len] = '\0';
		cnt[num - 1].n = n;
		cnt[num - 1].seen = true;
	}
	if (ferror(f))
		die_errno("read %s", path);
	free(line);
	if (f != stdin)
		fclose(f);
	for (int i = 0; i < 9; i++)
		if (!cnt[i].seen)
			die("%s: no line for transition %d %s (expected 'N  from->to  COUNT')",
			    path, i + 1, arrows[i].name);
}

/* The key to the letters in the boxes: what each Linux state means. */
static const char *const letter_key[] = {
	N_("Linux state letters: R running or runnable (on a CPU or a runqueue);  S sleeping, a signal wakes it;  D waiting uninterruptibly (disk, some locks);"),
	N_("T stopped (SIGSTOP, Ctrl-Z);  t stopped by a tracer (ptrace);  Z zombie: exited, its parent has not collected it yet;  X dead: being released."),
};

static void svg(FILE *f, const struct count cnt[9], const char *title)
{
	const int w = 1100, h = 640;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n", w, h, w, h);
	fputs("<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
	      "markerWidth=\"5\" markerHeight=\"5\" markerUnits=\"strokeWidth\" orient=\"auto\">"
	      "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#37474f\"/></marker></defs>\n"
	      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
	fputs("<text x=\"12\" y=\"24\" font-size=\"15\">", f);
	xml_text(f, title);
	fputs("</text>\n", f);

	/* Arrows first, so the boxes and labels sit on top of them. */
	fputs("<g class=\"arrows\" fill=\"none\" stroke=\"#37474f\">\n", f);
	for (int i = 0; i < 9; i++) {
		const struct arrow *a = &arrows[i];
		/* Width by order of magnitude: 1 and 100000 both stay visible. */
		double sw = 1.2;

		for (uint64_t n = cnt[i].n; n; n /= 10)
			sw += 0.6;

		fprintf(f, "<path d=\"M%d,%d Q%d,%d %d,%d\" stroke-width=\"%.1f\" "
			"marker-end=\"url(#head)\"><title>%d %s: %" PRIu64 "</title></path>\n",
			a->x0, a->y0, a->cx, a->cy, a->x1, a->y1, sw, i + 1, a->name,
			cnt[i].n);
	}
	fputs("</g>\n", f);
	fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"6\" fill=\"#37474f\"/>\n",
		arrows[0].x0, arrows[0].y0 - 8);

	fputs("<g class=\"states\" font-size=\"15\" text-anchor=\"middle\">\n", f);
	for (int i = 0; i < NR_BOXES; i++) {
		const struct box *b = &boxes[i];

		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"10\" "
			"fill=\"#eceff1\" stroke=\"#37474f\"/>"
			"<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>"
			"<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n",
			b->x - BOX_W / 2, b->y - BOX_H / 2, BOX_W, BOX_H,
			b->x, b->y - 4, b->name, b->x, b->y + 14, b->letters);
	}
	fputs("</g>\n", f);

	/* A white halo behind each label keeps it readable where it crosses a line. */
	fputs("<g class=\"labels\" font-size=\"12\" stroke=\"white\" stroke-width=\"4\" "
	      "paint-order=\"stroke\" stroke-linejoin=\"round\">\n", f);
	for (int i = 0; i < 9; i++) {
		const struct arrow *a = &arrows[i];

		const char *ev = a->event;

		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">"
			"<tspan font-weight=\"bold\">%d %s</tspan>",
			a->lx, a->ly, a->anchor, i + 1, a->name);
		/* The event, a line per '\n'. */
		while (*ev) {
			char part[128];
			size_t len = strcspn(ev, "\n");

			snprintf(part, sizeof(part), "%.*s", (int)len, ev);
			fprintf(f, "<tspan x=\"%d\" dy=\"15\">", a->lx);
			xml_text(f, part);
			fputs("</tspan>", f);
			ev += len + (ev[len] == '\n');
		}
		fprintf(f, "<tspan x=\"%d\" dy=\"15\">%" PRIu64, a->lx, cnt[i].n);
		if (cnt[i].causes[0]) {
			fputs(": ", f);
			xml_text(f, cnt[i].causes);
		}
		fputs("</tspan></text>\n", f);
	}
	fputs("</g>\n", f);
	fputs("<g class=\"key\" font-size=\"12\">\n", f);
	for (size_t i = 0; i < sizeof(letter_key) / sizeof(letter_key[0]); i++) {
		fprintf(f, "<text x=\"12\" y=\"%zu\">", 598 + 18 * i);
		put_xml_text(f, _(letter_key[i]));
		fputs("</text>\n", f);
	}
	fputs("</g>\n</svg>\n", f);
}

int cmd_diagram(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *out = NULL, *title = NULL, *in = TRANSITIONS_PATH;
	struct count cnt[9] = { 0 };
	struct out_file o;
	char *deftitle = NULL;
	int c;

	while ((c = getopt_long(argc, argv, ":o:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 't':
			title = optarg;
			break;
		case 'h':
			help_exit(diagram_help);
		default:
			bad_option("diagram", argv, c);
		}
	}
	if (optind < argc - 1)
		usage_error(_("diagram: one FILE only (see 'taskstate diagram --help')"));
	if (optind == argc - 1)
		in = argv[optind];
	if (!out)
		usage_error(_("diagram: missing -o OUT.svg"));
	read_counts(in, cnt);
	if (!title) {
		if (asprintf(&deftitle, "The five states and nine transitions, counts from %s",
			     strcmp(in, "-") ? in : "stdin") < 0)
			die("out of memory");
		title = deftitle;
	}
	out_open(&o, out);
	svg(o.f, cnt, title);
	out_commit(&o);
	free(deftitle);
	return 0;
}
