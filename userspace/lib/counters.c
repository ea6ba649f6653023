// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "i18n.h"

static const char *const state_names[] = TASKSTATE_STATE_NAMES;
static const char *const cause_names[] = TASKSTATE_CAUSE_NAMES;
static const char *const transition_names[] = TASKSTATE_TRANSITION_NAMES;

_Static_assert(sizeof(state_names) / sizeof(*state_names) ==
	       TASKSTATE_NR_STATES, "state names");
_Static_assert(sizeof(cause_names) / sizeof(*cause_names) ==
	       TASKSTATE_NR_CAUSES, "cause names");
_Static_assert(sizeof(transition_names) / sizeof(*transition_names) ==
	       TASKSTATE_NR_TRANSITIONS, "transition names");

const char *ts_state_str(unsigned int state)
{
	return state < TASKSTATE_NR_STATES ? state_names[state] : "?";
}

const char *ts_cause_str(unsigned int cause)
{
	return cause < TASKSTATE_NR_CAUSES ? cause_names[cause] : "?";
}

const char *ts_transition_str(unsigned int tr)
{
	return tr < TASKSTATE_NR_TRANSITIONS ? transition_names[tr] : "?";
}

/*
 * The UAPI's names, marked for translation: the seed note's words
 * (新建态, 就绪态, 运行态, 阻塞态, 退出态 and its causes) in po/zh_CN.po.
 * Contexts keep "exit" the state apart from "exit" the cause.
 */
static const char *const state_labels[] = {
	NC_("state", "none"), NC_("state", "new"), NC_("state", "ready"),
	NC_("state", "running"), NC_("state", "blocked"), NC_("state", "exit"),
};

static const char *const cause_labels[] = {
	NC_("cause", "none"), NC_("cause", "fork"), NC_("cause", "thread"),
	NC_("cause", "created"), NC_("cause", "dispatch"),
	NC_("cause", "exit"), NC_("cause", "error"), NC_("cause", "killed"),
	NC_("cause", "preempted"), NC_("cause", "yield"),
	NC_("cause", "sleep"), NC_("cause", "io"), NC_("cause", "stopped"),
	NC_("cause", "wakeup"), NC_("cause", "signal"), NC_("cause", "exec"),
	NC_("cause", "reaped"), NC_("cause", "uninterruptible"),
};

static const char *const transition_labels[] = {
	NC_("transition", "none"), NC_("transition", "none->new"),
	NC_("transition", "new->ready"), NC_("transition", "ready->running"),
	NC_("transition", "running->exit"), NC_("transition", "running->ready"),
	NC_("transition", "running->blocked"),
	NC_("transition", "blocked->ready"), NC_("transition", "ready->exit"),
	NC_("transition", "blocked->exit"),
};

_Static_assert(sizeof(state_labels) == sizeof(state_names), "state labels");
_Static_assert(sizeof(cause_labels) == sizeof(cause_names), "cause labels");
_Static_assert(sizeof(transition_labels) == sizeof(transition_names),
	       "transition labels");

const char *ts_state_label(unsigned int state)
{
	return state < TASKSTATE_NR_STATES ?
		C_("state", state_labels[state]) : "?";
}

const char *ts_cause_label(unsigned int cause)
{
	return cause < TASKSTATE_NR_CAUSES ?
		C_("cause", cause_labels[cause]) : "?";
}

const char *ts_transition_label(unsigned int tr)
{
	return tr < TASKSTATE_NR_TRANSITIONS ?
		C_("transition", transition_labels[tr]) : "?";
}

int ts_cause_parse(const char *name)
{
	for (int i = 0; i < TASKSTATE_NR_CAUSES; i++)
		if (!strcmp(name, cause_names[i]))
			return i;
	return -1;
}

/* "name=count" pairs after the count column. */
static int parse_causes(char *rest, uint64_t *cause)
{
	char *save = NULL;

	for (char *tok = strtok_r(rest, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		char *eq = strchr(tok, '=');
		int c;

		if (!eq)
			return -1;
		*eq = '\0';
		c = ts_cause_parse(tok);
		if (c < 0)
			return -1;
		cause[c] = strtoull(eq + 1, NULL, 10);
	}
	return 0;
}

int ts_counters_read(struct ts_counters *c)
{
	char line[1024];
	unsigned int seen = 0;
	FILE *f;

	memset(c, 0, sizeof(*c));
	f = fopen(TS_PROC_TRANSITIONS, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned int tr;
		unsigned long long n;
		char name[32];
		int used;

		if (sscanf(line, "%u %31s %llu%n", &tr, name, &n, &used) == 3 &&
		    tr >= 1 && tr < TASKSTATE_NR_TRANSITIONS &&
		    !strcmp(name, transition_names[tr])) {
			c->transition[tr] = n;
			if (parse_causes(line + used, c->cause[tr]))
				goto bad;
			seen++;
		} else if (sscanf(line, "other events %llu%n", &n, &used) == 1) {
			c->transition[0] = n;
			if (parse_causes(line + used, c->cause[0]))
				goto bad;
		}
	}
	fclose(f);
	if (seen != TASKSTATE_NR_TRANSITIONS - 1) {
		errno = EPROTO;
		return -1;
	}
	return 0;
bad:
	fclose(f);
	errno = EPROTO;
	return -1;
}

void ts_counters_delta(const struct ts_counters *before,
		       const struct ts_counters *after,
		       struct ts_counters *delta)
{
	for (int t = 0; t < TASKSTATE_NR_TRANSITIONS; t++) {
		delta->transition[t] = after->transition[t] - before->transition[t];
		for (int c = 0; c < TASKSTATE_NR_CAUSES; c++)
			delta->cause[t][c] = after->cause[t][c] - before->cause[t][c];
	}
}
