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
#include "lib/libtaskstate.h"

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
"    taskstate export --perfetto-proto FILE -o OUT.pftrace\n"
"    taskstate export --chrome-json FILE -o OUT.json\n"
"    taskstate diagram [FILE] -o OUT.svg [--title TEXT]\n"
"    taskstate top [-d SECONDS] [-n ITERATIONS]\n"
"    taskstate metrics [--textfile DIR | --listen [ADDR:]PORT]\n"
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
	{ "metrics", cmd_metrics },
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
		usage_error("%s", _("missing subcommand: trace, stat, show, timeline, export, top, diagram or metrics (see --help)"));
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
