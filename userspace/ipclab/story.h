/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The story of an ipclab run: the participants' events from /dev/taskstate,
 * told with role names ("consumer 812: running -> blocked (S) in pipe_read"),
 * and a summary per participant.  Shared by every subcommand.
 */
#ifndef IPCLAB_STORY_H
#define IPCLAB_STORY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/taskstate.h>

#define STORY_MAX_ROLES	8

struct story_role {
	const char *name;
	pid_t pid;
	/* Filled while telling: */
	uint64_t state_ns[6];	/* time spent in each classic state left */
	uint64_t blocks, wakeups, events;
	bool exited, reaped;
};

struct story {
	struct ts_stream *stream;	/* NULL: tracing unavailable */
	bool json, quiet;
	pid_t self;		/* the coordinator: never a participant */
	int nr;
	struct story_role role[STORY_MAX_ROLES];
	uint64_t lost;
	/* The participants' events, by transition ([0]: exec, reaped). */
	uint64_t transitions[TASKSTATE_NR_TRANSITIONS];
};

/*
 * Start following this process and all it creates, before any
 * participant exists.  Without the module, say so in one line (on stderr
 * with --json, so stdout stays JSON) and carry on untraced.
 */
void story_open(struct story *st, bool json, bool quiet);

/* Name a participant (pids are known once it runs). */
void story_role(struct story *st, const char *name, pid_t pid);

/*
 * Read the participants' events until each is reaped (or has exited, for
 * a thread) or @deadline_ms pass, printing the timeline unless quiet.
 * The coordinator's own events (its reading makes new ones forever) are
 * dropped: those of thread @self, which is every thread of the process
 * when @by_thread is false.
 */
void story_tell(struct story *st, bool by_thread, int deadline_ms);

/*
 * Per-participant totals.  Text: a table; JSON: the "participants" array
 * (to be embedded in the caller's summary object).  @messages is for the
 * transitions-per-message column (0: not shown).
 */
void story_summary_text(const struct story *st, uint64_t messages);
void story_summary_json(const struct story *st, uint64_t messages, FILE *out);

void story_close(struct story *st);

#endif
