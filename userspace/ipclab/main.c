// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab: make processes and threads move through their states with real
 * IPC and synchronisation, and show the transitions it causes.
 */
#include <stdio.h>
#include <string.h>

#include "ipclab.h"
#include "mechs.h"
#include "lib/libtaskstate.h"

/* An exchange: its name and summary are the mechanism's own. */
#define MECH(m) { NULL, NULL, NULL, &(m) }

static const struct ipclab_cmd commands[] = {
	{ "states", N_("walk one child through all five states and nine transitions"),
	  ipclab_states, NULL },
	{ "lock", N_("threads on one counter: no lock, mutex, spinlock, rwlock, atomic, ..."),
	  ipclab_lock, NULL },
	{ "pool", N_("a thread or process pool: idle workers sleep, each task wakes one"),
	  ipclab_pool, NULL },
	{ "bench", N_("time every mechanism: round-trip latency and throughput"),
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
	fputs(_("usage: ipclab [--lang zh|en] COMMAND [OPTIONS]\n\n"
		"Commands:\n"), out);
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		const struct ipclab_cmd *c = &commands[i];

		/* Summaries are marked N_() where they are defined. */
		fprintf(out, "  %-12s %s\n", cmd_name(c),
			_(c->mech ? c->mech->summary : c->summary));
	}
	fputs(_("\n'ipclab COMMAND --help' describes one command.\n"
		"--lang zh|en, anywhere: messages in Chinese or English, whatever\n"
		"the locale says (JSON stays English).\n"), out);
}

/* Exit status @status, or 1 when stdout could not take what we wrote. */
static int finish(int status)
{
	if (fflush(stdout) || ferror(stdout))
		die_errno("%s", _("write to stdout"));
	return status;
}

int main(int argc, char **argv)
{
	const char *lang;

	prog_name = "ipclab";
	/* Before any subcommand: --lang applies to all of them. */
	lang = ts_i18n_take_lang(&argc, argv);
	if (ts_i18n_init(lang))
		usage_error(_("--lang '%s': expected zh or en"), lang);
	if (argc < 2)
		usage_error("%s", _("missing COMMAND; try 'ipclab --help'"));
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return finish(0);
	}
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		if (strcmp(argv[1], cmd_name(&commands[i])))
			continue;
		if (commands[i].run)
			return finish(commands[i].run(argc - 1, argv + 1));
		return finish(lab_main(commands[i].mech, argc - 1, argv + 1));
	}
	usage_error(_("unknown command '%s'; try 'ipclab --help'"), argv[1]);
}
