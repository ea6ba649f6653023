// SPDX-License-Identifier: GPL-2.0
/*
 * ts_drain: the "one reader draining every event" of make bench.
 *
 *   ts_drain [OPTIONS]                 record every task until SIGINT/SIGTERM
 *   ts_drain [OPTIONS] -- CMD [ARGS]   record CMD and its descendants only
 *   ts_drain --counters                print the module's global event count
 *
 * Records are written raw to /dev/null (the cheapest thing a reader can
 * do with them, like `cat trace_pipe >/dev/null` for ftrace).  At the end
 * one line of the session's own counters goes to --stats FILE (or stderr):
 *   produced=N delivered=N lost=N untracked=N buffer_records=N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/counters.h"
#include "lib/stream.h"
#include "lib/util.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Only to interrupt the drain thread's read: see end_drain(). */
static void on_wake(int sig)
{
	(void)sig;
}

struct drain {
	struct ts_stream *s;
	int null_fd;
	volatile bool done;	/* the command has exited: empty and stop */
};

/*
 * Read until empty once @d->done or a signal says so.  Until then a read
 * waits as long as it takes: a reader that woke up every so often to look
 * at its flags would cost every idle session as much as the module does.
 */
static void drain_loop(struct drain *d)
{
	static struct taskstate_event ev[TS_STREAM_BATCH];

	for (;;) {
		bool ending = stop || d->done;
		ssize_t n = ts_stream_read(d->s, ev, TS_STREAM_BATCH,
					   ending ? 0 : -1);

		if (n == -EINTR)
			continue;
		if (n < 0)
			die("read: %s", strerror((int)-n));
		if (n > 0 && write(d->null_fd, ev, n * sizeof(*ev)) < 0)
			die_errno("write /dev/null");
		if (n == 0 && ending)
			return;
	}
}

static void *drain_thread(void *arg)
{
	drain_loop(arg);
	return NULL;
}

/*
 * The command has exited: tell the drain thread, whose read may be waiting
 * for records that will never come.  A signal that lands before the read
 * starts to wait is lost, so it is sent again until the thread ends.
 */
static void end_drain(struct drain *d, pthread_t thread)
{
	struct timespec deadline;

	d->done = true;
	for (;;) {
		pthread_kill(thread, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += 50 * 1000 * 1000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
		if (!pthread_timedjoin_np(thread, NULL, &deadline))
			return;
	}
}

static void write_stats(struct ts_stream *s, const char *path)
{
	struct taskstate_stats st;
	FILE *f = stderr;
	int ret = ts_stream_stats(s, &st);

	if (ret)
		die("stats: %s", strerror(-ret));
	if (path) {
		f = fopen(path, "we");
		if (!f)
			die_errno("%s", path);
	}
	fprintf(f, "produced=%" PRIu64 " delivered=%" PRIu64 " lost=%" PRIu64
		" untracked=%" PRIu64 " buffer_records=%u\n",
		(uint64_t)st.produced, (uint64_t)st.delivered, (uint64_t)st.lost,
		(uint64_t)st.untracked, st.buffer_records);
	if (path && fclose(f))
		die_errno("%s", path);
}

static int print_counters(void)
{
	struct ts_counters c;
	uint64_t sum = 0;

	if (ts_counters_read(&c))
		die_errno("%s", TS_PROC_TRANSITIONS);
	for (int i = 0; i < TASKSTATE_NR_TRANSITIONS; i++)
		sum += c.transition[i];
	printf("%" PRIu64 "\n", sum);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ts_drain [--no-wait-site] [--buffer N] [--realtime PRIO] [--stats FILE]\n"
		"                [--ready FILE] [-- CMD [ARGS...]]\n"
		"       ts_drain --counters\n\n"
		"Open a /dev/taskstate session and write every record to /dev/null.\n"
		"Without CMD: every task, until SIGINT or SIGTERM.  With CMD: run it and\n"
		"record it and its descendants only (TASKSTATE_FILTER_DESCENDANTS), until\n"
		"it exits; exit with its status.\n\n"
		"  --no-wait-site  the session skips wait-site capture\n"
		"  --buffer N      records per CPU (default: the module's buffer_records)\n"
		"  --realtime PRIO read at SCHED_FIFO priority PRIO (1..99), as perf record -r:\n"
		"                  a reader that waits its turn among hundreds of runnable\n"
		"                  tasks cannot keep up with them\n"
		"  --stats FILE    the session's counters, one line, at the end (default stderr)\n"
		"  --ready FILE    created once the session records\n"
		"  --counters      print the sum of the module's global event counters\n"
		"  -h, --help      this help\n");
}

int main(int argc, char **argv)
{
	enum { OPT_NO_SITE = 256, OPT_BUFFER, OPT_REALTIME, OPT_STATS, OPT_READY,
	       OPT_COUNTERS };
	static const struct option opts[] = {
		{ "no-wait-site", no_argument, NULL, OPT_NO_SITE },
		{ "buffer", required_argument, NULL, OPT_BUFFER },
		{ "realtime", required_argument, NULL, OPT_REALTIME },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "ready", required_argument, NULL, OPT_READY },
		{ "counters", no_argument, NULL, OPT_COUNTERS },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *stats_path = NULL, *ready_path = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct taskstate_filter f;
	struct drain d = { 0 };
	uint64_t buffer = 0, realtime = 0;
	bool no_site = false;
	int opt, go[2], status = 0;
	pid_t child = 0;
	pthread_t thread;

	prog_name = "ts_drain";
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_NO_SITE:
			no_site = true;
			break;
		case OPT_BUFFER:
			if (!parse_u64(optarg, TASKSTATE_BUFFER_MIN,
				       TASKSTATE_BUFFER_MAX, &buffer))
				usage_error("--buffer takes %u..%u records",
					    TASKSTATE_BUFFER_MIN, TASKSTATE_BUFFER_MAX);
			break;
		case OPT_REALTIME:
			if (!parse_u64(optarg, 1, 99, &realtime))
				usage_error("--realtime takes a priority 1..99");
			break;
		case OPT_STATS:
			stats_path = optarg;
			break;
		case OPT_READY:
			ready_path = optarg;
			break;
		case OPT_COUNTERS:
			return print_counters();
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage_error("bad option '%s'; try --help", argv[optind - 1]);
		}
	}

	if (realtime) {
		struct sched_param sp = { .sched_priority = (int)realtime };

		/* Before any fork: the command keeps the default policy. */
		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp))
			die_errno("SCHED_FIFO priority %d", sp.sched_priority);
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_wake;
	sigaction(SIGUSR1, &sa, NULL);
	d.null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (d.null_fd < 0)
		die_errno("/dev/null");
	d.s = ts_stream_open(NULL, 0);
	if (!d.s)
		die_errno("open %s", TS_DEV_PATH);
	if (buffer && ts_stream_set_buffer(d.s, (uint32_t)buffer))
		die("cannot set the buffer to %" PRIu64 " records", buffer);

	if (optind < argc) {
		/* The command waits on @go until the session follows it. */
		if (pipe2(go, O_CLOEXEC))
			die_errno("pipe");
		fflush(NULL);
		child = fork();
		if (child < 0)
			die_errno("fork");
		if (child == 0) {
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(127);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "ts_drain: %s: %s\n", argv[optind],
				strerror(errno));
			_exit(127);
		}
		close(go[0]);
		if (ts_filter_pids(&f, TASKSTATE_FILTER_DESCENDANTS, &child, 1))
			die("bad filter");
	} else {
		ts_filter_all(&f);
	}
	if (no_site)
		f.flags |= TASKSTATE_FILTER_NO_WAIT_SITE;
	if (ts_stream_set_filter(d.s, &f) || ts_stream_start(d.s))
		die_errno("cannot set up the session");
	if (ready_path) {
		int fd = open(ready_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0)
			die_errno("%s", ready_path);
		close(fd);
	}

	if (!child) {
		drain_loop(&d);
	} else {
		if (pthread_create(&thread, NULL, drain_thread, &d))
			die("pthread_create failed");
		if (write(go[1], "g", 1) != 1)
			die_errno("start the command");
		close(go[1]);
		while (waitpid(child, &status, 0) < 0)
			if (errno != EINTR)
				die_errno("waitpid");
		end_drain(&d, thread);
	}
	write_stats(d.s, stats_path);
	ts_stream_close(d.s);
	if (child)
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}
