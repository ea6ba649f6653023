// SPDX-License-Identifier: GPL-2.0
/* taskstate show: print a recording, as text or JSON lines. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "taskstate.h"
#include "lib/libtaskstate.h"

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
"    --json       JSON lines instead of text (keys: man taskstate)\n"
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

	/* Options anywhere before '--' (show FILE --json), as timeline's. */
	while ((c = getopt_long(argc, argv, ":sh", opts, NULL)) != -1) {
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
