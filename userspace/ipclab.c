// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab: make processes and threads move through their states with real
 * IPC and synchronisation, and show the transitions it causes.
 */
#include <stdio.h>
#include <string.h>

#include "ipclab.h"
#include "ipclab_mechs.h"
#include "lib/util.h"

/* An exchange: its name and summary are the mechanism's own. */
#define MECH(m) { NULL, NULL, NULL, &(m) }

static const struct ipclab_cmd commands[] = {
	{ "states", "walk one child through all five states and nine transitions",
	  ipclab_states, NULL },
	{ "lock", "threads on one counter: no lock, mutex, spinlock, rwlock, atomic, ...",
	  ipclab_lock, NULL },
	{ "bench", "time every mechanism: round-trip latency and throughput",
	  ipclab_bench, NULL },
	MECH(lab_pipe),
	MECH(lab_fifo),
	MECH(lab_sysv_msg),
	MECH(lab_posix_mq),
	MECH(lab_sysv_shm),
	MECH(lab_posix_shm),
	MECH(lab_sysv_sem),
	MECH(lab_posix_sem),
	MECH(lab_unix_stream),
	MECH(lab_unix_dgram),
	MECH(lab_socketpair),
	MECH(lab_tcp),
	MECH(lab_signal),
};

#define NR_COMMANDS (sizeof(commands) / sizeof(*commands))

static const char *cmd_name(const struct ipclab_cmd *c)
{
	return c->mech ? c->mech->name : c->name;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: ipclab COMMAND [OPTIONS]\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		const struct ipclab_cmd *c = &commands[i];

		fprintf(out, "  %-12s %s\n", cmd_name(c),
			c->mech ? c->mech->summary : c->summary);
	}
	fprintf(out, "\n'ipclab COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
	prog_name = "ipclab";
	if (argc < 2)
		usage_error("missing COMMAND; try 'ipclab --help'");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		if (strcmp(argv[1], cmd_name(&commands[i])))
			continue;
		if (commands[i].run)
			return commands[i].run(argc - 1, argv + 1);
		return lab_main(commands[i].mech, argc - 1, argv + 1);
	}
	usage_error("unknown command '%s'; try 'ipclab --help'", argv[1]);
}
