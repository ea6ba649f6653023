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
#include "lib/counters.h"
#include "lib/decode.h"
#include "lib/stream.h"
#include "lib/util.h"

/* lifecycle, killed-blocked, killed-ready */
#define NR_CHILDREN 3

/* How long the lifecycle child competes for its CPU: many time slices. */
#define SPIN_NS (60 * 1000 * 1000ull)

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
		die_errno("read from pipe");
}

static void write_byte(int fd)
{
	if (write(fd, "x", 1) != 1)
		die_errno("write to pipe");
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

static void lifecycle(void)
{
	int go[2], started[2];
	pid_t pid;

	make_pipe(go);
	make_pipe(started);
	printf("lifecycle: fork            none -> new -> ready -> running\n");
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
	printf("lifecycle: child %d shares CPU 0 with the parent: running <-> ready\n",
	       pid);
	spin_for(SPIN_NS);
	/* Long enough for the child to finish spinning and block. */
	usleep(100 * 1000);
	printf("lifecycle: child blocked in pipe_read; parent writes: blocked -> ready\n");
	write_byte(go[1]);
	wait_child(pid);
	printf("lifecycle: child exited with 0: running -> exit\n");
	close(go[0]);
	close(go[1]);
	close(started[0]);
	close(started[1]);
}

static void killed_blocked(void)
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
	printf("killed-blocked: child %d killed in pipe_read (%s): blocked -> exit\n",
	       pid, WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "not killed!");
	close(never[0]);
	close(never[1]);
}

static void killed_ready(void)
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
	printf("killed-ready: child %d killed while waiting for CPU 0 (%s): ready -> exit\n",
	       pid, WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "not killed!");
	close(started[0]);
	close(started[1]);
}

/*
 * Follow this process and everything it forks.  NULL when the module is
 * not there: the walk still runs, untraced.
 */
static struct ts_stream *trace_descendants(void)
{
	struct taskstate_filter f;
	struct ts_stream *stream = ts_stream_open(NULL, 0);
	pid_t self = getpid();

	if (!stream) {
		printf("tracing unavailable (%s): load kmod/taskstate.ko to see the transitions\n",
		       errno == ENOENT ? "module not loaded" : strerror(errno));
		return NULL;
	}
	if (ts_filter_pids(&f, TASKSTATE_FILTER_DESCENDANTS, &self, 1) ||
	    ts_stream_set_buffer(stream, 1 << 16) ||
	    ts_stream_set_filter(stream, &f) || ts_stream_start(stream))
		die("cannot set up a taskstate session");
	return stream;
}

/* Print the children's events (not ours) and count their transitions. */
static void tell_story(struct ts_stream *stream, pid_t self)
{
	static struct taskstate_event ev[TS_STREAM_BATCH];
	uint64_t count[TASKSTATE_NR_TRANSITIONS] = { 0 };
	uint64_t first_ts = 0;
	char line[512];
	ssize_t n = 0;

	uint64_t deadline = now_ns() + 2000000000ull;
	int reaped = 0;

	printf("\nThe children's transitions, as the module saw them:\n");
	/*
	 * Our own reading makes events of ours forever, so stop at the last
	 * child's reap (which comes after an RCU grace period), or give up
	 * after two seconds.
	 */
	while (reaped < NR_CHILDREN && now_ns() < deadline &&
	       (n = ts_stream_read(stream, ev, TS_STREAM_BATCH, 200)) >= 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (ev[i].kind == TASKSTATE_KIND_EVENT && ev[i].tgid == self)
				continue;
			if (ev[i].cause == TASKSTATE_CAUSE_REAPED)
				reaped++;
			if (!first_ts)
				first_ts = ev[i].ts_ns;
			ev[i].ts_ns -= first_ts;
			ts_event_format_text(&ev[i], line, sizeof(line));
			printf("  %s\n", line);
			if (ev[i].kind == TASKSTATE_KIND_EVENT)
				count[ev[i].transition]++;
		}
	}
	if (n < 0)
		die("reading /dev/taskstate: %s", strerror((int)-n));

	printf("\nThe nine transitions, counted for the children only:\n");
	for (int tr = 1; tr < TASKSTATE_NR_TRANSITIONS; tr++)
		printf("  %d %-18s %4llu\n", tr, ts_transition_str(tr),
		       (unsigned long long)count[tr]);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ipclab states [--help]\n\n"
		"Walk child processes through the five classic states (new, ready,\n"
		"running, blocked, exit) and all nine transitions, including being\n"
		"killed while ready and while blocked.  With the taskstate module\n"
		"loaded, print every transition of the children as the module saw\n"
		"it: cause, wait site, waker, time spent in the state left.\n");
}

int ipclab_states(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct ts_stream *stream;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		usage_error("states: bad option; try 'ipclab states --help'");
	}
	if (optind != argc)
		usage_error("states: unexpected argument '%s'", argv[optind]);

	setvbuf(stdout, NULL, _IOLBF, 0);
	stream = trace_descendants();
	pin_to_cpu(0);
	lifecycle();
	killed_blocked();
	killed_ready();
	if (stream) {
		tell_story(stream, getpid());
		ts_stream_close(stream);
	}
	return 0;
}
