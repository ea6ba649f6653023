// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab: make processes and threads move through their states with real
 * IPC and synchronisation, and show the transitions it causes.
 */
#include <stdio.h>
#include <string.h>

#include "ipclab.h"
#include "lib/util.h"

static const struct ipclab_cmd commands[] = {
	{ "states", "walk one child through all five states and nine transitions",
	  ipclab_states },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ipclab COMMAND [OPTIONS]\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	usage_error("unknown command '%s'; try 'ipclab --help'", argv[1]);
}
