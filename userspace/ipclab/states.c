// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab states: one child per path through the five-state model.
 *
 *   lifecycle      none->new->ready->running, preempted (running->ready),
 *                  blocks on a pipe (running->blocked), woken by the parent
 *                  (blocked->ready), exits (running->exit)
 *   killed-blocked blocks on a pipe and is killed there (blocked->exit)
 *   killed-ready   waits for the CPU it shares with the parent and is
 *                  killed before it gets it (ready->exit)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipclab.h"
#include "lib/libtaskstate.h"
#include "run.h"
#include "story.h"

/* lifecycle, killed-blocked, killed-ready */
#define NR_CHILDREN 3

/* How long the lifecycle child competes for its CPU: many time slices. */
#define SPIN_NS (60 * 1000 * 1000ull)

/* The walk's own commentary; off with --json and --quiet. */
static bool narrate = true;

#define say(...) do { if (narrate) printf(__VA_ARGS__); } while (0)

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die_errno("sched_setaffinity(cpu %d)", cpu);
}

static void spin_for(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		;
}

static void read_byte(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		die_errno("%s", _("read from pipe"));
}

static void write_byte(int fd)
{
	if (write(fd, "x", 1) != 1)
		die_errno("%s", _("write to pipe"));
}

static void make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC))
		die_errno("pipe2");
}

static pid_t fork_or_die(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die_errno("fork");
	return pid;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die_errno("waitpid(%d)", pid);
	return status;
}

static pid_t lifecycle(void)
{
	int go[2], started[2];
	pid_t pid;

	make_pipe(go);
	make_pipe(started);
	say("%s", _("lifecycle: fork            none -> new -> ready -> running\n"));
	pid = fork_or_die();
	if (pid == 0) {
		pin_to_cpu(0);
		write_byte(started[1]);
		/* The parent spins on this CPU too: we get preempted. */
		spin_for(SPIN_NS);
		read_byte(go[0]);	/* running -> blocked in pipe_read */
		_exit(0);
	}
	read_byte(started[0]);
	say(_("lifecycle: child %d shares CPU 0 with the parent: running <-> ready\n"),
	       pid);
	spin_for(SPIN_NS);
	/* Long enough for the child to finish spinning and block. */
	usleep(100 * 1000);
	say("%s", _("lifecycle: child blocked in pipe_read; parent writes: blocked -> ready\n"));
	write_byte(go[1]);
	wait_child(pid);
	say("%s", _("lifecycle: child exited with 0: running -> exit\n"));
	close(go[0]);
	close(go[1]);
	close(started[0]);
	close(started[1]);
	return pid;
}

static pid_t killed_blocked(void)
{
	int never[2];
	pid_t pid;
	int status;

	make_pipe(never);
	pid = fork_or_die();
	if (pid == 0) {
		read_byte(never[0]);	/* nobody ever writes */
		_exit(1);
	}
	usleep(100 * 1000);
	kill(pid, SIGKILL);
	status = wait_child(pid);
	say(_("killed-blocked: child %d killed in pipe_read (%s): blocked -> exit\n"),
	       pid, WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : _("not killed!"));
	close(never[0]);
	close(never[1]);
	return pid;
}

static pid_t killed_ready(void)
{
	int started[2];
	pid_t pid;
	int status;

	make_pipe(started);
	pid = fork_or_die();
	if (pid == 0) {
		pin_to_cpu(0);
		write_byte(started[1]);
		for (;;)
			;
	}
	/* Both on CPU 0: while the parent runs, the child can only wait. */
	read_byte(started[0]);
	kill(pid, SIGKILL);
	status = wait_child(pid);
	say(_("killed-ready: child %d killed while waiting for CPU 0 (%s): ready -> exit\n"),
	       pid, WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : _("not killed!"));
	close(started[0]);
	close(started[1]);
	return pid;
}

/* The nine transitions, counted for the children only. */
static void count_transitions(const struct story *st, bool json)
{
	if (!st->stream)
		return;
	if (json) {
		printf("{\"summary\": {\"command\": \"states\", \"transitions\": {");
		for (int tr = 1; tr < TASKSTATE_NR_TRANSITIONS; tr++)
			printf("%s\"%s\": %llu", tr > 1 ? ", " : "",
			       ts_transition_str(tr),
			       (unsigned long long)st->transitions[tr]);
		printf("}, ");
		story_summary_json(st, 0, stdout);
		printf("}}\n");
		return;
	}
	story_summary_text(st, 0);
	printf("%s", _("\nThe nine transitions, counted for the children only:\n"));
	for (int tr = 1; tr < TASKSTATE_NR_TRANSITIONS; tr++) {
		char name[64];

		printf("  %d %s %4llu\n", tr,
		       ts_pad(name, sizeof(name), ts_transition_label(tr), -18),
		       (unsigned long long)st->transitions[tr]);
	}
}

static void usage(FILE *out)
{
	fputs(_("usage: ipclab states [--json | --quiet] [--help]\n\n"
		"Walk child processes through the five classic states (new, ready,\n"
		"running, blocked, exit) and all nine transitions, including being\n"
		"killed while ready and while blocked.  With the taskstate module\n"
		"loaded, print every transition of the children as the module saw\n"
		"it: cause, wait site, waker, time spent in the state left.\n\n"
		"  --json    the children's events as JSON lines, then a summary object\n"
		"  --quiet   the summary only\n"
		"  --lang zh|en  language of the text (default: the locale's)\n"
		"  -h, --help  this help\n"), out);
}

int ipclab_states(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_QUIET };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ }
	};
	bool json = false, quiet = false;
	struct story st;
	int opt;

	opterr = 0;	/* our own one-line message instead of getopt's */
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		} else if (opt == OPT_JSON) {
			json = true;
		} else if (opt == OPT_QUIET) {
			quiet = true;
		} else {
			lab_bad_option("states", argv);
		}
	}
	lab_no_operands("states", argc, argv);

	setvbuf(stdout, NULL, _IOLBF, 0);
	story_open(&st, json, quiet);
	/* With --json or --quiet, only the story and the summary are printed. */
	narrate = !json && !quiet;
	pin_to_cpu(0);
	story_role(&st, "lifecycle", lifecycle());
	story_role(&st, "killed-blocked", killed_blocked());
	story_role(&st, "killed-ready", killed_ready());
	story_tell(&st, false, 3000);
	count_transitions(&st, json);
	story_close(&st);
	return 0;
}
