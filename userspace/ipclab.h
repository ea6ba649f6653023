/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPCLAB_H
#define IPCLAB_H

/* One ipclab subcommand: argv[0] is the subcommand's name. */
struct ipclab_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int ipclab_states(int argc, char **argv);

#endif
