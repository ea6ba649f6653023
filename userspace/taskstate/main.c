// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate: watch processes go through the classic five states, with the
 * conventions of strace (trace a command or a pid), perf (record, then
 * show, stat, export) and top.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "taskstate.h"
#include "lib/decode.h"
#include "lib/i18n.h"
#include "lib/util.h"

static const char main_help[] = N_(
"NAME\n"
"    taskstate - task state transitions in the classic five-state model\n"
"\n"
"SYNOPSIS\n"
"    taskstate trace [-o FILE] [--json] [--filter SPEC] -- COMMAND [ARGS...]\n"
"    taskstate trace [-o FILE] [--json] [--filter SPEC] -p PID [--children]\n"
"    taskstate stat [-p PID | -- COMMAND [ARGS...]]\n"
"    taskstate show FILE [--json] [--summary]\n"
"    taskstate timeline FILE -o OUT.svg\n"
"    taskstate export --perfetto FILE -o OUT.json\n"
"    taskstate diagram [FILE] -o OUT.svg [--title TEXT]\n"
"    taskstate top [-d SECONDS] [-n ITERATIONS]\n"
"\n"
"DESCRIPTION\n"
"    Records, through the taskstate kernel module (/dev/taskstate), every\n"
"    state transition of a command and its descendants, or of a running\n"
"    process: new, ready, running, blocked, exit, with the cause, the\n"
"    kernel function a task blocked in and who woke it.\n"
"\n"
"    'taskstate COMMAND --help' describes one subcommand; man taskstate\n"
"    (man/taskstate.1) describes them all.\n"
"\n"
"OPTIONS\n"
"    --lang zh|en\n"
"                 for every subcommand, anywhere before a '--': messages in\n"
"                 Chinese (zh) or English (en), whatever the locale says;\n"
"                 JSON output stays English\n"
"\n"
"EXIT STATUS\n"
"    trace and stat exit with COMMAND's status (128+N when signal N killed\n"
"    it); otherwise 0 on success, 1 on a runtime failure, 2 on bad usage.\n");

void help_exit(const char *text)
{
	fputs(_(text), stdout);
	exit(fflush(stdout) ? 1 : 0);
}

void bad_option(const char *cmd, char **argv, int c)
{
	/* getopt_long leaves the word it refused at optind - 1. */
	const char *word = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		usage_error(_("%s: option '%s' needs an argument (see 'taskstate %s --help')"),
			    cmd, word, cmd);
	usage_error(_("%s: unknown option '%s' (see 'taskstate %s --help')"),
		    cmd, word, cmd);
}

struct ts_stream *open_stream_or_die(int flags)
{
	struct ts_stream *s = ts_stream_open(NULL, flags);

	if (s)
		return s;
	switch (errno) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		die(_("%s missing: load the module (sudo insmod kmod/taskstate.ko)"),
		    TS_DEV_PATH);
	case EACCES:
	case EPERM:
		die(_("%s: permission denied: run as root (sudo)"), TS_DEV_PATH);
	case EPROTO:
		die(_("%s speaks another ABI version than this program: rebuild the module or the tools"),
		    TS_DEV_PATH);
	default:
		die_errno(_("open %s"), TS_DEV_PATH);
	}
}

void load_recording_or_die(const char *path, struct ts_recording *rec)
{
	struct ts_recording_error err = { 0 };
	int ret = ts_recording_load(path, rec, &err);

	if (ret == -EPROTO)
		die(_("%s: byte %llu: %s"), path, (unsigned long long)err.offset,
		    err.msg);
	if (ret) {
		errno = -ret;
		die_errno("%s", path);
	}
}

void out_open(struct out_file *o, const char *path)
{
	int fd;

	o->path = path;
	o->tmp = NULL;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return;
	}
	if (asprintf(&o->tmp, "%s.tmp.XXXXXX", path) < 0)
		die("%s", _("out of memory"));
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0)
		die_errno("%s", path);
	/* mkstemp() makes it 0600; this is an ordinary output file. */
	{
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		unlink(o->tmp);
		die_errno("%s", path);
	}
}

void out_commit(struct out_file *o)
{
	bool bad = ferror(o->f);

	if (o->f == stdout) {
		if (fflush(stdout) || bad)
			die_errno("%s", _("write to stdout"));
		return;
	}
	if (fclose(o->f) || bad) {
		unlink(o->tmp);
		die_errno(_("write %s"), o->path);
	}
	if (rename(o->tmp, o->path)) {
		unlink(o->tmp);
		die_errno(_("rename to %s"), o->path);
	}
	free(o->tmp);
}

void print_event(FILE *f, const struct taskstate_event *ev, bool json)
{
	char buf[512];
	int n = json ? ts_event_format_json(ev, buf, sizeof(buf)) :
		       ts_event_format_text(ev, buf, sizeof(buf));

	if (n >= (int)sizeof(buf)) {
		char *big = malloc(n + 1);

		if (!big)
			die("%s", _("out of memory"));
		if (json)
			ts_event_format_json(ev, big, n + 1);
		else
			ts_event_format_text(ev, big, n + 1);
		fprintf(f, "%s\n", big);
		free(big);
		return;
	}
	fprintf(f, "%s\n", buf);
}

static const char show_help[] = N_(
"NAME\n"
"    taskstate show - print a recording\n"
"\n"
"SYNOPSIS\n"
"    taskstate show FILE [--json] [--summary]\n"
"\n"
"DESCRIPTION\n"
"    Reads FILE, written by 'taskstate trace -o FILE' or a file of JSON\n"
"    lines from 'taskstate trace --json > FILE', and prints its events\n"
"    one per line as text, or as JSON lines with --json.\n"
"\n"
"    A file that is not a valid recording (bad magic, version or record\n"
"    size, a truncated or invalid record, a bad JSON line) is refused\n"
"    with the byte offset where it goes wrong.\n"
"\n"
"OPTIONS\n"
"    --json       JSON lines (design.md's keys) instead of text\n"
"    -s, --summary\n"
"                 after the events, the transition matrix of stat and the\n"
"                 per-task summary of trace (on stderr with --json)\n"
"    -h, --help   this help\n"
"\n"
"EXIT STATUS\n"
"    0, 1 when FILE cannot be read or is not a recording, 2 on bad usage.\n");

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool json = false, summary = false;
	struct ts_recording rec;
	int c;

	while ((c = getopt_long(argc, argv, "+:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			summary = true;
			break;
		case 'h':
			help_exit(show_help);
		default:
			bad_option("show", argv, c);
		}
	}
	if (optind != argc - 1)
		usage_error(_("show: %s (see 'taskstate show --help')"),
			    optind == argc ? _("missing FILE") : _("one FILE only"));
	load_recording_or_die(argv[optind], &rec);
	for (size_t i = 0; i < rec.n; i++)
		print_event(stdout, &rec.ev[i], json);
	if (summary) {
		struct summary s;

		summary_init(&s);
		for (size_t i = 0; i < rec.n; i++)
			summary_add(&s, &rec.ev[i]);
		/* JSON lines stay parseable: the summary is for people. */
		FILE *f = json ? stderr : stdout;

		fflush(stdout);
		summary_print_matrix(f, &s);
		summary_print_tasks(f, &s);
		summary_free(&s);
	}
	ts_recording_free(&rec);
	if (fflush(stdout) || ferror(stdout))
		die_errno("%s", _("write to stdout"));
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "trace", cmd_trace },
	{ "stat", cmd_stat },
	{ "show", cmd_show },
	{ "timeline", cmd_timeline },
	{ "export", cmd_export },
	{ "top", cmd_top },
	{ "diagram", cmd_diagram },
};

int main(int argc, char **argv)
{
	const char *lang;

	prog_name = "taskstate";
	/* Before any subcommand: --lang applies to all of them. */
	lang = ts_i18n_take_lang(&argc, argv);
	if (ts_i18n_init(lang))
		usage_error(_("--lang '%s': expected zh or en"), lang);
	/* Every subcommand reports bad options itself, in one line. */
	opterr = 0;
	if (argc < 2)
		usage_error("%s", _("missing subcommand: trace, stat, show, timeline, export or top (see --help)"));
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		help_exit(main_help);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			/* getopt starts again on the subcommand's words. */
			optind = 1;
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	if (argv[1][0] == '-')
		usage_error(_("unknown option '%s': a subcommand comes first (see --help)"),
			    argv[1]);
	usage_error(_("unknown subcommand '%s' (see --help)"), argv[1]);
}
