// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"

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
