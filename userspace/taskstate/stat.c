// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate stat: trace's session (trace.c) without the events, the
 * matrix and the per-task summary at the end.
 */
#include <stdbool.h>

#include "taskstate.h"
#include "lib/libtaskstate.h"

static const char stat_help[] = N_(
"NAME\n"
"    taskstate stat - count the state transitions of a command or a process\n"
"\n"
"SYNOPSIS\n"
"    taskstate stat [--filter SPEC]... -- COMMAND [ARGS...]\n"
"    taskstate stat [--filter SPEC]... -p PID [--children]\n"
"\n"
"DESCRIPTION\n"
"    Records like 'taskstate trace' but prints no events: at the end, on\n"
"    stderr, the 5x5 matrix of classic state transitions counted from the\n"
"    events, the nine transitions, and per task the time in each classic\n"
"    state, blocks by wait site and who woke it how often.\n"
"\n"
"OPTIONS\n"
"    -f, --filter SPEC, -p, --pid PID, --children, --realtime PRIO: as for\n"
"    trace.\n"
"    -o, --output FILE  also write the recording to FILE\n"
"    -h, --help         this help\n"
"\n"
"EXIT STATUS\n"
"    As trace: COMMAND's status, 128+N if killed by signal N, 1 on a\n"
"    runtime failure, 2 on bad usage.\n");

int cmd_stat(int argc, char **argv)
{
	return session_main(argc, argv, true, stat_help);
}
