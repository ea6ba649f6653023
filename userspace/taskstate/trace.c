// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate trace (and stat, stat.c): run a command (or follow a pid) in a
 * session of /dev/taskstate that records it and its descendants, nothing
 * else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "taskstate.h"
#include "lib/libtaskstate.h"

/* After COMMAND is gone, how long its last events (reaps) may take. */
#define GRACE_MS	1000
/* How often the loop looks at COMMAND while no events come. */
#define POLL_MS		50
/* Records per CPU: a busy command should not lose events. */
#define BUFFER_RECORDS	65536

static const char trace_help[] = N_(
"NAME\n"
"    taskstate trace - record the state transitions of a command or a process\n"
"\n"
"SYNOPSIS\n"
"    taskstate trace [-o FILE] [--json] [--filter SPEC]... -- COMMAND [ARGS...]\n"
"    taskstate trace [-o FILE] [--json] [--filter SPEC]... -p PID [--children]\n"
"\n"
"DESCRIPTION\n"
"    Runs COMMAND and records it and all its descendants, and nothing else,\n"
"    until it exits and has been reaped (or a grace period of 1 s has\n"
"    passed, for descendants it leaves behind).  COMMAND starts only once\n"
"    the session is recording, so its first steps are not missed.  Events\n"
"    are printed one per line on stdout as text, or as JSON lines with\n"
"    --json; with -o they are written to FILE instead.  At the end a\n"
"    per-task summary goes to stderr: time in each classic state, blocks by\n"
"    wait site, wakeups by waker.\n"
"\n"
"    COMMAND's own output goes where taskstate's does; to keep the events\n"
"    apart, use -o, or redirect inside: -- sh -c 'exec cmd >/dev/null'.\n"
"\n"
"    Ctrl-C stops recording and says how many events were recorded and\n"
"    lost.\n"
"\n"
"OPTIONS\n"
"    -o, --output FILE  write a recording (see 'taskstate show') to FILE,\n"
"                       under a temporary name renamed when complete\n"
"    --json             JSON lines instead of text (ignored with -o)\n"
"    -f, --filter SPEC  record only some events; SPEC is\n"
"                         transition=LIST  of create, admit, dispatch, exit,\n"
"                                          preempt, block, wake, kill-ready,\n"
"                                          kill-blocked, other (exec, reaped),\n"
"                                          names like running->blocked, or 1-9\n"
"                         cause=LIST       of fork, thread, created, dispatch,\n"
"                                          exit, error, killed, preempted,\n"
"                                          yield, sleep, io, stopped, wakeup,\n"
"                                          signal, exec, reaped\n"
"                       LIST is comma-separated; repeat --filter to combine\n"
"    -p, --pid PID      follow the running process PID (all its threads)\n"
"                       until Ctrl-C or until it has exited\n"
"    --children         with -p, also what PID forks from now on\n"
"    --realtime PRIO    read events at SCHED_FIFO priority PRIO (1-99; root),\n"
"                       as perf record -r: a reader that waits its turn\n"
"                       among many busy tasks loses events; COMMAND keeps\n"
"                       the normal policy\n"
"    -q, --quiet        no summary\n"
"    -h, --help         this help\n"
"\n"
"EXIT STATUS\n"
"    COMMAND's exit status, 128+N when signal N killed it; with -p, 0.\n"
"    1 on a runtime failure (no module: load kmod/taskstate.ko; no\n"
"    permission: run as root), 2 on bad usage; as a shell, 127 when\n"
"    COMMAND is not found, 126 when it is found but cannot be run.\n"
"\n"
"EXAMPLES\n"
"    taskstate trace -- sh -c 'sleep 0.1; echo hi'\n"
"    taskstate trace -o run.tsrec -- ipclab states\n"
"    taskstate trace --json --filter transition=block,wake -p 1234\n");

struct session_opts {
	const char *cmd_name;		/* "trace" or "stat" */
	const char *output;
	bool json, quiet, stat, children;
	int realtime;			/* SCHED_FIFO priority; 0: none */
	pid_t pid;			/* -p */
	uint32_t transition_mask, cause_mask;
	char **argv;			/* COMMAND */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static const struct {
	const char *name;
	unsigned int tr;
} transition_words[] = {
	{ "create", TASKSTATE_TR_CREATE },
	{ "admit", TASKSTATE_TR_ADMIT },
	{ "dispatch", TASKSTATE_TR_DISPATCH },
	{ "exit", TASKSTATE_TR_EXIT },
	{ "preempt", TASKSTATE_TR_PREEMPT },
	{ "block", TASKSTATE_TR_BLOCK },
	{ "wake", TASKSTATE_TR_WAKE },
	{ "kill-ready", TASKSTATE_TR_KILL_READY },
	{ "kill-blocked", TASKSTATE_TR_KILL_BLOCKED },
	{ "other", TASKSTATE_TR_NONE },
};

static int parse_transition(const char *w)
{
	uint64_t n;

	for (size_t i = 0; i < sizeof(transition_words) / sizeof(transition_words[0]); i++)
		if (!strcmp(w, transition_words[i].name))
			return transition_words[i].tr;
	for (unsigned int tr = TASKSTATE_TR_CREATE; tr < TASKSTATE_NR_TRANSITIONS; tr++)
		if (!strcmp(w, ts_transition_str(tr)))
			return tr;
	if (parse_u64(w, 1, TASKSTATE_NR_TRANSITIONS - 1, &n))
		return n;
	return -1;
}

/* --filter KEY=LIST: add to the masks, or a usage error. */
static void parse_filter(struct session_opts *o, const char *spec)
{
	const char *eq = strchr(spec, '=');
	bool is_tr, is_cause;
	char *list, *save = NULL;

	if (!eq || eq[1] == '\0')
		usage_error(_("%s: --filter '%s': expected transition=LIST or cause=LIST"),
			    o->cmd_name, spec);
	is_tr = !strncmp(spec, "transition", eq - spec) && eq - spec == 10;
	is_cause = !strncmp(spec, "cause", eq - spec) && eq - spec == 5;
	if (!is_tr && !is_cause)
		usage_error(_("%s: --filter '%s': unknown key (transition or cause)"),
			    o->cmd_name, spec);
	list = strdup(eq + 1);
	if (!list)
		die("%s", _("out of memory"));
	for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int v = is_tr ? parse_transition(w) : ts_cause_parse(w);

		if (v < 0)
			usage_error(_("%s: --filter: unknown %s '%s' (see 'taskstate %s --help')"),
				    o->cmd_name, is_tr ? _("transition") : _("cause"),
				    w, o->cmd_name);
		if (is_tr)
			o->transition_mask |= 1U << v;
		else
			o->cause_mask |= 1U << v;
	}
	free(list);
}

/*
 * Whether @name can be run, checked before anything is started: 0, or the
 * shell's status for it, 127 (not found) or 126 (found, not executable),
 * with errno saying why.
 */
static int runnable(const char *name)
{
	const char *path = getenv("PATH");
	bool found = false;
	char buf[4096];
	struct stat st;

	if (strchr(name, '/')) {
		if (stat(name, &st))
			return 127;
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return 126;
		}
		return access(name, X_OK) ? 126 : 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchrnul(path, ':');

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - path), path, name);
		if (!stat(buf, &st) && S_ISREG(st.st_mode)) {
			if (!access(buf, X_OK))
				return 0;
			found = true;
		}
		path = *end ? end + 1 : end;
	}
	/* As bash: a file that is there but not executable is 126. */
	errno = found ? EACCES : ENOENT;
	return found ? 126 : 127;
}

/*
 * fork() COMMAND, held on a pipe until the session records it: the child's
 * pid is in the filter before it runs a single instruction of its own.
 */
static pid_t spawn_held(char **argv, int *go_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		die_errno("pipe");
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		char c;

		close(p[1]);
		/* Ignored signals stay ignored across exec: give them back. */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		/* No byte: the parent gave up setting up, and said why. */
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		close(p[0]);
		/* COMMAND sees LANGUAGE as the user set it, whatever --lang did. */
		ts_i18n_restore_env();
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s: %s\n", prog_name, argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(p[0]);
	*go_fd = p[1];
	return pid;
}

static void emit(struct session_opts *o, struct ts_recording_writer *w,
		 struct summary *sum, const struct taskstate_event *ev, size_t n)
{
	if (w) {
		int ret = ts_recording_write(w, ev, n);

		if (ret) {
			ts_recording_abort(w);
			errno = -ret;
			die_errno(_("write %s"), o->output);
		}
	} else if (!o->stat) {
		for (size_t i = 0; i < n; i++)
			print_event(stdout, &ev[i], o->json);
		if (fflush(stdout) || ferror(stdout)) {
			/* A closed pipe (| head): stop quietly, as cat would. */
			if (errno == EPIPE)
				exit(1);
			die_errno("%s", _("write to stdout"));
		}
	}
	for (size_t i = 0; i < n; i++)
		summary_add(sum, &ev[i]);
}

/* @pid has exited: no such process, or a zombie (its exit may predate us). */
static bool gone(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	if (kill(pid, 0) && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* comm can hold ')': the state follows the last one. */
	p = strrchr(buf, ')');
	return p && (p[2] == 'Z' || p[2] == 'X');
}

/* Every task seen since its fork has been reaped. */
static bool all_reaped(const struct summary *s, pid_t root)
{
	const struct task_info *r = summary_find(s, root);

	if (!r || !r->reaped)
		return false;
	for (size_t i = 0; i < s->nr_tasks; i++)
		if (!s->tasks[i].reaped)
			return false;
	return true;
}

static int run_session(struct session_opts *o)
{
	struct ts_recording_writer *w = NULL;
	struct taskstate_event ev[TS_STREAM_BATCH];
	struct taskstate_filter f;
	struct taskstate_stats st;
	struct sigaction sa = { .sa_handler = on_signal };
	struct summary sum;
	struct ts_stream *s;
	pid_t child = 0, target;
	int go_fd = -1, status = 0, ret, exit_status = 0;
	bool child_done = false, target_gone = false;
	uint64_t done_at = 0;

	if (o->argv) {
		int status = runnable(o->argv[0]);

		if (status == 127) {
			fprintf(stderr, _("%s: %s: command not found\n"), prog_name,
				o->argv[0]);
			exit(127);
		}
		if (status) {
			fprintf(stderr, _("%s: %s: cannot run: %s\n"), prog_name,
				o->argv[0], strerror(errno));
			exit(126);
		}
	}
	if (o->pid && kill(o->pid, 0) && errno == ESRCH)
		die(_("no process %d"), o->pid);

	if (o->realtime) {
		struct sched_param sp = { .sched_priority = o->realtime };

		/* Before COMMAND is forked: it keeps the normal policy. */
		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp))
			die_errno(_("%s: --realtime %d"), o->cmd_name, o->realtime);
	}
	s = open_stream_or_die(0);
	if (o->output) {
		w = ts_recording_create(o->output);
		if (!w)
			die_errno("%s", o->output);
	}
	/* Ctrl-C interrupts the read: no SA_RESTART. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o->argv) {
		child = spawn_held(o->argv, &go_fd);
		target = child;
	} else {
		target = o->pid;
	}
	ret = ts_filter_pids(&f, o->argv || o->children ? TASKSTATE_FILTER_DESCENDANTS :
			     TASKSTATE_FILTER_TGIDS, &target, 1);
	f.transition_mask = o->transition_mask;
	f.cause_mask = o->cause_mask;
	if (!ret)
		ret = ts_stream_set_filter(s, &f);
	if (!ret) {
		/* A smaller buffer is fine if memory is short. */
		for (uint32_t r = BUFFER_RECORDS; r >= 1024; r /= 4)
			if (!ts_stream_set_buffer(s, r))
				break;
		ret = ts_stream_start(s);
	}
	if (ret) {
		ts_recording_abort(w);
		if (child) {
			close(go_fd);
			waitpid(child, NULL, 0);
		}
		errno = -ret;
		if (ret == -ESRCH || ret == -EINVAL)
			die_errno(_("cannot follow pid %d"), target);
		die_errno("%s", _("set up the session"));
	}
	if (child) {
		if (write(go_fd, "g", 1) != 1)
			die_errno(_("start %s"), o->argv[0]);
		close(go_fd);
	}

	summary_init(&sum);
	for (;;) {
		ssize_t n = ts_stream_read(s, ev, TS_STREAM_BATCH, POLL_MS);

		if (n > 0)
			emit(o, w, &sum, ev, n);
		else if (n < 0 && n != -EINTR) {
			ts_recording_abort(w);
			errno = -n;
			die_errno(_("read %s"), TS_DEV_PATH);
		}
		if (child && !child_done && waitpid(child, &status, WNOHANG) == child) {
			child_done = true;
			done_at = now_ns();
		}
		if (!child && !target_gone) {
			const struct task_info *t = summary_find(&sum, target);

			/* A zombie nobody reaps still answers kill(): its exit counts. */
			if ((t && t->exited) || gone(target)) {
				target_gone = true;
				done_at = now_ns();
			}
		}
		if (interrupted)
			break;
		if ((child_done || target_gone) && n <= 0 &&
		    (all_reaped(&sum, target) ||
		     now_ns() - done_at > GRACE_MS * 1000000ull))
			break;
	}
	/* What is still buffered belongs to the recording too. */
	for (;;) {
		ssize_t n = ts_stream_read(s, ev, TS_STREAM_BATCH, 0);

		if (n <= 0)
			break;
		emit(o, w, &sum, ev, n);
	}
	if (ts_stream_stats(s, &st))
		memset(&st, 0, sizeof(st));
	ts_stream_close(s);

	if (w) {
		ret = ts_recording_commit(w);
		if (ret) {
			errno = -ret;
			die_errno("%s", o->output);
		}
	}
	if (interrupted)
		fprintf(stderr, _("%s: interrupted: %" PRIu64 " events recorded, %" PRIu64 " lost\n"),
			prog_name, sum.events, (uint64_t)(st.lost > sum.lost ? st.lost : sum.lost));
	else if (st.lost || sum.lost)
		fprintf(stderr, _("%s: %" PRIu64 " events recorded, %" PRIu64 " LOST (buffer full)\n"),
			prog_name, sum.events, (uint64_t)(st.lost > sum.lost ? st.lost : sum.lost));
	if (st.untracked)
		fprintf(stderr, _("%s: %" PRIu64 " descendants not followed (the module's set was full)\n"),
			prog_name, (uint64_t)st.untracked);
	if (o->output && !o->quiet)
		fprintf(stderr, _("%s: wrote %" PRIu64 " records to %s\n"), prog_name,
			sum.events + sum.lost_records, o->output);
	if (o->stat) {
		summary_print_matrix(stderr, &sum);
		summary_print_tasks(stderr, &sum);
	} else if (!o->quiet) {
		fputc('\n', stderr);
		summary_print_tasks(stderr, &sum);
	}
	summary_free(&sum);

	if (child && !child_done) {
		/* Ctrl-C reached COMMAND too: give it a moment to go. */
		for (int i = 0; i < 100 && !child_done; i++) {
			if (waitpid(child, &status, WNOHANG) == child)
				child_done = true;
			else
				usleep(10000);
		}
		if (!child_done)
			fprintf(stderr, _("%s: %s (pid %d) still runs\n"), prog_name,
				o->argv[0], child);
	}
	if (child_done)
		exit_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
						    WEXITSTATUS(status);
	else if (interrupted && child)
		exit_status = 128 + interrupted;
	return exit_status;
}

int session_main(int argc, char **argv, bool stat, const char *help)
{
	enum { OPT_JSON = 256, OPT_CHILDREN, OPT_REALTIME };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "filter", required_argument, NULL, 'f' },
		{ "pid", required_argument, NULL, 'p' },
		{ "children", no_argument, NULL, OPT_CHILDREN },
		{ "realtime", required_argument, NULL, OPT_REALTIME },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct session_opts o = { .cmd_name = stat ? "stat" : "trace", .stat = stat };
	uint64_t pid, prio;
	int c;

	while ((c = getopt_long(argc, argv, "+:o:f:p:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.output = optarg;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case 'f':
			parse_filter(&o, optarg);
			break;
		case 'p':
			if (!parse_u64(optarg, 1, INT32_MAX, &pid))
				usage_error(_("%s: -p '%s': not a pid"), o.cmd_name, optarg);
			o.pid = pid;
			break;
		case OPT_CHILDREN:
			o.children = true;
			break;
		case OPT_REALTIME:
			if (!parse_u64(optarg, 1, 99, &prio))
				usage_error(_("%s: --realtime '%s': not a priority (1-99)"),
					    o.cmd_name, optarg);
			o.realtime = (int)prio;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			help_exit(help);
		default:
			bad_option(o.cmd_name, argv, c);
		}
	}
	if (optind < argc)
		o.argv = argv + optind;
	if (o.pid && o.argv)
		usage_error(_("%s: -p PID or a COMMAND, not both"), o.cmd_name);
	if (!o.pid && !o.argv)
		usage_error(_("%s: missing COMMAND (taskstate %s -- COMMAND) or -p PID"),
			    o.cmd_name, o.cmd_name);
	if (o.children && !o.pid)
		usage_error(_("%s: --children goes with -p PID (a COMMAND's children are always recorded)"),
			    o.cmd_name);
	if (o.output && !o.output[0])
		usage_error(_("%s: -o: empty file name"), o.cmd_name);
	return run_session(&o);
}

int cmd_trace(int argc, char **argv)
{
	return session_main(argc, argv, false, trace_help);
}
