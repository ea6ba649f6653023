/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IPCLAB_H
#define IPCLAB_H

struct lab_mech;

/*
 * One ipclab subcommand: argv[0] is the subcommand's name.  Either its own
 * @run, or @mech, an exchange run by lab_main() (run.h).
 */
struct ipclab_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	const struct lab_mech *mech;
};

int ipclab_states(int argc, char **argv);
int ipclab_lock(int argc, char **argv);
int ipclab_pool(int argc, char **argv);
int ipclab_bench(int argc, char **argv);

#endif
