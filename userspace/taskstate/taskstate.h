/* SPDX-License-Identifier: GPL-2.0 */
/* taskstate, the observer CLI: what its subcommands share. */
#ifndef TASKSTATE_CLI_H
#define TASKSTATE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <linux/taskstate.h>

#include "lib/libtaskstate.h"

/* Subcommands: argv[0] is the subcommand's name; they return the exit status. */
int cmd_trace(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_diagram(int argc, char **argv);
int cmd_metrics(int argc, char **argv);

/*
 * trace and stat (trace.c): parse the options, run COMMAND or follow -p
 * PID in a session, return COMMAND's exit status; @help for --help.
 */
int session_main(int argc, char **argv, bool stat, const char *help);

/* Print @text (a man-page style help) to stdout and exit 0. */
__attribute__((noreturn)) void help_exit(const char *text);

/*
 * The usage error for what getopt_long (optstring starting "+:", opterr 0)
 * returned as @c: ':' for a missing argument, '?' for an unknown option.
 */
__attribute__((noreturn)) void bad_option(const char *cmd, char **argv, int c);

/*
 * Open a session of /dev/taskstate, or exit 1 with one line that says
 * what to do (load the module, run as root, rebuild).
 */
struct ts_stream *open_stream_or_die(int flags);

/* Read a recording (binary or JSON lines), or exit 1 naming the offset. */
void load_recording_or_die(const char *path, struct ts_recording *rec);

/*
 * An output file (ts_output_open()): a regular file is written under a
 * temporary name next to @path, so that a failure leaves nothing
 * half-written: out_commit() renames it into place, or exits 1 having
 * removed it.  A device, FIFO or symlink is written through; "-" is stdout.
 */
struct out_file {
	FILE *f;
	const char *path;
	char *tmp;
};
void out_open(struct out_file *o, const char *path);
void out_commit(struct out_file *o);

/* One event as a line of text or JSON on @f. */
void print_event(FILE *f, const struct taskstate_event *ev, bool json);

/* What one wait site or one waker accounts for in a task's life. */
struct site_count {
	char name[TASKSTATE_SITE_LEN];
	uint64_t count, ns;
};

struct waker_count {
	pid_t pid;
	char comm[TASKSTATE_COMM_LEN];
	uint64_t count;
};

struct task_info {
	pid_t pid, tgid;
	pid_t parent;			/* from its fork event; 0: not seen */
	char comm[TASKSTATE_COMM_LEN];
	uint64_t state_ns[TASKSTATE_NR_STATES];	/* time spent in each */
	uint64_t events;
	uint64_t first_ts, last_ts;
	unsigned int state;		/* after its last event */
	bool reaped, exited;
	int exit_code, signal;
	char cur_site[TASKSTATE_SITE_LEN];	/* where it last blocked */
	struct site_count *sites;
	size_t nr_sites;
	struct waker_count *wakers;
	size_t nr_wakers;
};

/* Everything the summaries, the timeline and the export need. */
struct summary {
	struct task_info *tasks;	/* in order of first appearance */
	size_t nr_tasks, cap_tasks;
	int *hash;			/* pid -> index + 1 */
	size_t hash_size;
	uint64_t matrix[TASKSTATE_NR_STATES][TASKSTATE_NR_STATES];
	uint64_t transitions[TASKSTATE_NR_TRANSITIONS];
	uint64_t events, lost_records, lost;
	uint64_t first_ts, last_ts;
};

void summary_init(struct summary *s);
void summary_free(struct summary *s);
/* Account one record; exits on allocation failure. */
void summary_add(struct summary *s, const struct taskstate_event *ev);
/* The task @pid, or NULL. */
struct task_info *summary_find(const struct summary *s, pid_t pid);
/* Index of @pid in s->tasks, or -1. */
long summary_index(const struct summary *s, pid_t pid);
/* Per-task times, blocks by wait site, wakeups by waker. */
void summary_print_tasks(FILE *f, const struct summary *s);
/* The 5x5 matrix of classic states and the nine transitions. */
void summary_print_matrix(FILE *f, const struct summary *s);

/* One stretch of time a task spent in one classic state. */
struct interval {
	size_t task;			/* index in summary.tasks */
	unsigned int state;
	uint64_t start, end;
	const struct taskstate_event *begin;	/* the event that entered it */
};

/* A wakeup from one recorded task to another. */
struct wake_link {
	uint64_t ts;
	size_t waker, wakee;		/* indexes in summary.tasks */
	const struct taskstate_event *ev;
};

struct timeline {
	struct summary sum;
	struct interval *iv;		/* grouped by task, in time order */
	size_t nr_iv;
	struct wake_link *wk;
	size_t nr_wk;
	uint64_t t0, t1;		/* the span shown */
};

/* Everything a picture of @rec needs; exits on allocation failure. */
void timeline_build(struct timeline *tl, const struct ts_recording *rec);
void timeline_free(struct timeline *tl);

/*
 * qsort(), also of nothing: an empty array's pointer may be NULL, which
 * qsort() must not get (undefined behaviour, UBSan says so).
 */
static inline void sort_n(void *base, size_t n, size_t size,
			  int (*cmp)(const void *, const void *))
{
	if (n)
		qsort(base, n, size, cmp);
}

/* export --perfetto-proto (export_pftrace.c): @rec as a Perfetto Trace. */
void export_perfetto_proto(FILE *f, const struct ts_recording *rec,
			   const struct timeline *tl);

/* "12.345 ms", fixed units for tables. */
const char *fmt_ms(char *buf, size_t len, uint64_t ns);

/* A byte string for XML (SVG) or JSON: printable ASCII, the rest \xNN. */
void put_xml_str(FILE *f, const char *s, size_t size);
void put_json_str(FILE *f, const char *s, size_t size);
/* Our own (translated) text for SVG: markup escaped, UTF-8 kept. */
void put_xml_text(FILE *f, const char *s);

#endif
