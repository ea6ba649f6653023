// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate export: a recording for other viewers.  --chrome-json (also
 * --perfetto, its first name): Chrome trace-event JSON, the format
 * ui.perfetto.dev and chrome://tracing open: a track per thread with its
 * classic states as complete ("X") slices, and wakeups as flows.
 * --perfetto-proto: Perfetto's native protobuf trace (export_pftrace.c).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "taskstate.h"
#include "lib/libtaskstate.h"

static const char export_help[] = N_(
"NAME\n"
"    taskstate export - convert a recording for other viewers\n"
"\n"
"SYNOPSIS\n"
"    taskstate export --perfetto-proto FILE -o OUT.pftrace\n"
"    taskstate export --chrome-json FILE -o OUT.json\n"
"\n"
"DESCRIPTION\n"
"    --perfetto-proto writes Perfetto's own trace format (a protobuf Trace\n"
"    of TracePackets, encoded with protobuf-c from perfetto_trace.proto):\n"
"      - the processes and threads (tgid, pid, comm, parent) as a\n"
"        ProcessTree and a track per thread;\n"
"      - per CPU, FtraceEventBundles with the events the kernel's ftrace\n"
"        would have recorded: sched_switch (prev_state in the layout of\n"
"        kernels 4.14 and later: 1 S, 2 D, 4 T, 8 t, 0x100 R+), sched_wakeup,\n"
"        sched_wakeup_new, sched_process_fork, sched_process_exit,\n"
"        sched_process_exec, sched_process_free, in the recording's order;\n"
"      - on each thread's track, an instant per event named after its\n"
"        classic transition (cause, from, to, Linux letter, wait site,\n"
"        other task, exit status as arguments) and a slice per stretch of\n"
"        time in a classic state.\n"
"    Use it for ui.perfetto.dev's thread-state and CPU tracks, wakeup\n"
"    arrows and trace_processor's SQL (the thread_state table).\n"
"\n"
"    --chrome-json (--perfetto is its older name) writes the Chrome\n"
"    trace-event format (JSON object form,\n"
"    {\"traceEvents\": [...]}) that ui.perfetto.dev and chrome://tracing\n"
"    open:\n"
"      - \"M\" metadata events name each process (pid = tgid) and thread\n"
"        (tid = pid) after its comm;\n"
"      - each stretch of time a thread spent in one classic state is a\n"
"        complete event (\"ph\": \"X\", category \"state\") named new, ready,\n"
"        running, blocked or exit, with ts and dur in microseconds since\n"
"        the first event, and for blocked its Linux state letter and wait\n"
"        site in args;\n"
"      - a wakeup between two recorded threads is a flow (\"ph\": \"s\" on\n"
"        the waker, \"ph\": \"f\", \"bp\": \"e\" on the wakee, same id).\n"
"    Strings are ASCII JSON; bytes of a comm outside printable ASCII are\n"
"    written as \\u00XX.\n"
"\n"
"    Checked by the selftest (selftests/taskstate/cli_test.c) with\n"
"    python3 -m json.tool and a check that every event has the keys its\n"
"    phase requires (ph, pid, tid, ts, name; dur for X; id for s and f;\n"
"    args.name for M), as the Trace Event Format document lists them.\n"
"\n"
"OPTIONS\n"
"    --perfetto-proto     Perfetto's protobuf format\n"
"    --chrome-json, --perfetto\n"
"                         Chrome trace-event JSON\n"
"    -o, --output FILE    where to write it (required; '-' is stdout),\n"
"                         under a temporary name renamed when complete\n"
"    -h, --help           this help\n"
"\n"
"EXIT STATUS\n"
"    0, 1 when FILE is not a recording (the message gives the byte offset;\n"
"    nothing is written) or OUT cannot be written, 2 on bad usage.\n");

static void put_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
}

static void perfetto(FILE *f, const struct timeline *tl)
{
	const struct summary *s = &tl->sum;
	const char *sep = "\n";

	fputs("{\"displayTimeUnit\": \"ns\", \"traceEvents\": [", f);
	for (size_t t = 0; t < s->nr_tasks; t++) {
		const struct task_info *ti = &s->tasks[t];

		if (ti->pid == ti->tgid) {
			fprintf(f, "%s{\"ph\": \"M\", \"name\": \"process_name\", \"pid\": %d, "
				"\"tid\": %d, \"ts\": 0, \"args\": {\"name\": ", sep,
				ti->tgid, ti->pid);
			put_json_str(f, ti->comm, sizeof(ti->comm));
			fputs("}}", f);
			sep = ",\n";
		}
		fprintf(f, "%s{\"ph\": \"M\", \"name\": \"thread_name\", \"pid\": %d, "
			"\"tid\": %d, \"ts\": 0, \"args\": {\"name\": ", sep,
			ti->tgid, ti->pid);
		put_json_str(f, ti->comm, sizeof(ti->comm));
		fputs("}}", f);
		sep = ",\n";
	}
	for (size_t i = 0; i < tl->nr_iv; i++) {
		const struct interval *iv = &tl->iv[i];
		const struct task_info *ti = &s->tasks[iv->task];

		fprintf(f, "%s{\"ph\": \"X\", \"cat\": \"state\", \"name\": \"%s\", "
			"\"pid\": %d, \"tid\": %d, \"ts\": ", sep,
			ts_state_str(iv->state), ti->tgid, ti->pid);
		put_us(f, iv->start - tl->t0);
		fputs(", \"dur\": ", f);
		put_us(f, iv->end - iv->start);
		if (iv->state == TASKSTATE_BLOCKED && iv->begin) {
			fprintf(f, ", \"args\": {\"linux_state\": \"%c\", \"wait_site\": ",
				iv->begin->linux_state);
			put_json_str(f, iv->begin->wait_site,
				     sizeof(iv->begin->wait_site));
			fputc('}', f);
		}
		fputc('}', f);
	}
	for (size_t w = 0; w < tl->nr_wk; w++) {
		const struct wake_link *wk = &tl->wk[w];
		const struct task_info *a = &s->tasks[wk->waker];
		const struct task_info *b = &s->tasks[wk->wakee];

		fprintf(f, "%s{\"ph\": \"s\", \"cat\": \"wakeup\", \"name\": \"wakeup\", "
			"\"id\": %zu, \"pid\": %d, \"tid\": %d, \"ts\": ", sep, w + 1,
			a->tgid, a->pid);
		put_us(f, wk->ts - tl->t0);
		fprintf(f, "},\n{\"ph\": \"f\", \"bp\": \"e\", \"cat\": \"wakeup\", "
			"\"name\": \"wakeup\", \"id\": %zu, \"pid\": %d, \"tid\": %d, \"ts\": ",
			w + 1, b->tgid, b->pid);
		put_us(f, wk->ts - tl->t0);
		fputc('}', f);
	}
	fputs("\n]}\n", f);
}

int cmd_export(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_PROTO };
	static const struct option opts[] = {
		{ "perfetto", no_argument, NULL, OPT_JSON },
		{ "chrome-json", no_argument, NULL, OPT_JSON },
		{ "perfetto-proto", no_argument, NULL, OPT_PROTO },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *out = NULL;
	struct ts_recording rec;
	struct timeline tl;
	struct out_file o;
	int format = 0;
	int c;

	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
		case OPT_PROTO:
			if (format && format != c)
				usage_error("%s", _("export: one format only: --perfetto-proto or --chrome-json"));
			format = c;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			help_exit(export_help);
		default:
			bad_option("export", argv, c);
		}
	}
	if (!format)
		usage_error("%s", _("export: say which format: --perfetto-proto or --chrome-json (see 'taskstate export --help')"));
	if (optind != argc - 1)
		usage_error(_("export: %s (see 'taskstate export --help')"),
			    optind == argc ? _("missing FILE") : _("one FILE only"));
	if (!out)
		usage_error("%s", format == OPT_PROTO ? _("export: missing -o OUT.pftrace") :
				  _("export: missing -o OUT.json"));
	load_recording_or_die(argv[optind], &rec);
	timeline_build(&tl, &rec);
	out_open(&o, out);
	if (format == OPT_PROTO)
		export_perfetto_proto(o.f, &rec, &tl);
	else
		perfetto(o.f, &tl);
	out_commit(&o);
	timeline_free(&tl);
	ts_recording_free(&rec);
	return 0;
}
