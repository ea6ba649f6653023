// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate metrics: the module's counters in the Prometheus text format,
 * for many machines at once: printed, written for node_exporter's textfile
 * collector, or served over HTTP for a direct scrape.
 *
 * Everything comes from /proc/taskstate/ and /sys/module/taskstate/, read
 * anew for each scrape; nothing opens /dev/taskstate, so a scrape is not a
 * session and records nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "taskstate.h"
#include "lib/counters.h"
#include "lib/i18n.h"
#include "lib/util.h"

#define PROC_DIR	"/proc/taskstate"
#define SYS_MODULE	"/sys/module/taskstate"
#define TEXTFILE_NAME	"taskstate.prom"
#define DEFAULT_HOST	"127.0.0.1"
/* All a client gets to send its request head (or take a blocked send). */
#define REQUEST_TIMEOUT_MS	5000

static const char metrics_help[] = N_(
"NAME\n"
"    taskstate metrics - the module's counters for Prometheus\n"
"\n"
"SYNOPSIS\n"
"    taskstate metrics\n"
"    taskstate metrics --textfile DIR\n"
"    taskstate metrics --listen [ADDR:]PORT\n"
"\n"
"DESCRIPTION\n"
"    Prints the taskstate module's counters in the Prometheus text\n"
"    exposition format (version 0.0.4, which OpenMetrics scrapers read):\n"
"      taskstate_transitions_total{from,to,cause}\n"
"                     classic transitions since the module was loaded (or\n"
"                     its counters reset), every cause the model has, also\n"
"                     at 0; exec and reaped have from=to\n"
"      taskstate_wakeups_not_blocked_total\n"
"                     wakeups of a task that was not blocked\n"
"      taskstate_record_evictions_total\n"
"                     per-task records taken over by another task\n"
"      taskstate_lost_events_total\n"
"                     events dropped on full buffers, where the module\n"
"                     reports them (a 'lost-events' line in transitions)\n"
"      taskstate_tasks{state,linux_state}\n"
"                     live tasks by classic state and Linux letter, those\n"
"                     /proc/taskstate/tasks shows the caller\n"
"      taskstate_sessions\n"
"                     open sessions of /dev/taskstate (each holds one\n"
"                     reference of the module: its refcnt)\n"
"      taskstate_buffer_memory_used_bytes\n"
"                     what all sessions' buffers hold, where the module\n"
"                     reports it (buffer_memory_used in config)\n"
"      taskstate_info{kernel,module_version,srcversion}\n"
"                     always 1: the running kernel and the module's version\n"
"    A scrape reads /proc/taskstate/ and /sys/module/taskstate/; it opens\n"
"    no session.\n"
"\n"
"OPTIONS\n"
"    --textfile DIR   write DIR/taskstate.prom for node_exporter's textfile\n"
"                     collector (--collector.textfile.directory=DIR), under\n"
"                     a temporary name renamed into place, then exit; run it\n"
"                     from a timer\n"
"    --listen [ADDR:]PORT\n"
"                     serve GET /metrics over HTTP until SIGINT or SIGTERM;\n"
"                     ADDR is 127.0.0.1 unless given ([::1]:PORT for IPv6,\n"
"                     0.0.0.0:PORT for every interface); a scrape while the\n"
"                     module is not loaded gets 503\n"
"    -h, --help       this help\n"
"\n"
"EXIT STATUS\n"
"    0; 1 when the module is not loaded (nothing is written), the file\n"
"    cannot be written or the address cannot be listened on; 2 on bad\n"
"    usage.\n");

/* The causes the model gives each transition: these series always exist. */
static const unsigned int causes_of[TASKSTATE_NR_TRANSITIONS][4] = {
	[TASKSTATE_TR_NONE] = { TASKSTATE_CAUSE_EXEC, TASKSTATE_CAUSE_REAPED },
	[TASKSTATE_TR_CREATE] = { TASKSTATE_CAUSE_FORK, TASKSTATE_CAUSE_THREAD },
	[TASKSTATE_TR_ADMIT] = { TASKSTATE_CAUSE_CREATED },
	[TASKSTATE_TR_DISPATCH] = { TASKSTATE_CAUSE_DISPATCH },
	[TASKSTATE_TR_EXIT] = { TASKSTATE_CAUSE_EXIT, TASKSTATE_CAUSE_ERROR,
				TASKSTATE_CAUSE_KILLED },
	[TASKSTATE_TR_PREEMPT] = { TASKSTATE_CAUSE_PREEMPTED, TASKSTATE_CAUSE_YIELD },
	[TASKSTATE_TR_BLOCK] = { TASKSTATE_CAUSE_SLEEP, TASKSTATE_CAUSE_IO,
				 TASKSTATE_CAUSE_STOPPED },
	[TASKSTATE_TR_WAKE] = { TASKSTATE_CAUSE_WAKEUP, TASKSTATE_CAUSE_SIGNAL },
	[TASKSTATE_TR_KILL_READY] = { TASKSTATE_CAUSE_KILLED },
	[TASKSTATE_TR_KILL_BLOCKED] = { TASKSTATE_CAUSE_KILLED },
};

/* from/to of each transition (exec and reaped: their own, below). */
static const unsigned char tr_from[TASKSTATE_NR_TRANSITIONS] = {
	[TASKSTATE_TR_ADMIT] = TASKSTATE_NEW, [TASKSTATE_TR_DISPATCH] = TASKSTATE_READY,
	[TASKSTATE_TR_EXIT] = TASKSTATE_RUNNING, [TASKSTATE_TR_PREEMPT] = TASKSTATE_RUNNING,
	[TASKSTATE_TR_BLOCK] = TASKSTATE_RUNNING, [TASKSTATE_TR_WAKE] = TASKSTATE_BLOCKED,
	[TASKSTATE_TR_KILL_READY] = TASKSTATE_READY,
	[TASKSTATE_TR_KILL_BLOCKED] = TASKSTATE_BLOCKED,
};

static const unsigned char tr_to[TASKSTATE_NR_TRANSITIONS] = {
	[TASKSTATE_TR_CREATE] = TASKSTATE_NEW, [TASKSTATE_TR_ADMIT] = TASKSTATE_READY,
	[TASKSTATE_TR_DISPATCH] = TASKSTATE_RUNNING, [TASKSTATE_TR_EXIT] = TASKSTATE_EXIT,
	[TASKSTATE_TR_PREEMPT] = TASKSTATE_READY, [TASKSTATE_TR_BLOCK] = TASKSTATE_BLOCKED,
	[TASKSTATE_TR_WAKE] = TASKSTATE_READY, [TASKSTATE_TR_KILL_READY] = TASKSTATE_EXIT,
	[TASKSTATE_TR_KILL_BLOCKED] = TASKSTATE_EXIT,
};

static void put_transition(FILE *f, unsigned int tr, unsigned int cause,
			   uint64_t n)
{
	const char *from = ts_state_str(tr_from[tr]), *to = ts_state_str(tr_to[tr]);

	if (tr == TASKSTATE_TR_NONE) {
		/* exec keeps a task running; reaped ends an exited one. */
		from = ts_state_str(cause == TASKSTATE_CAUSE_EXEC ?
				    TASKSTATE_RUNNING : TASKSTATE_EXIT);
		to = ts_state_str(cause == TASKSTATE_CAUSE_EXEC ?
				  TASKSTATE_RUNNING : TASKSTATE_NONE);
	}
	fprintf(f, "taskstate_transitions_total{from=\"%s\",to=\"%s\",cause=\"%s\"} %" PRIu64 "\n",
		from, to, ts_cause_str(cause), n);
}

static bool listed(unsigned int tr, unsigned int cause)
{
	for (size_t i = 0; i < 4 && causes_of[tr][i]; i++)
		if (causes_of[tr][i] == cause)
			return true;
	return false;
}

static void put_transitions(FILE *f, const struct ts_counters *c)
{
	fputs("# HELP taskstate_transitions_total Task state transitions in the classic "
	      "five-state model, by cause.\n"
	      "# TYPE taskstate_transitions_total counter\n", f);
	for (unsigned int tr = 1; tr <= TASKSTATE_NR_TRANSITIONS; tr++) {
		unsigned int t = tr % TASKSTATE_NR_TRANSITIONS;	/* exec, reaped last */

		for (size_t i = 0; i < 4 && causes_of[t][i]; i++)
			put_transition(f, t, causes_of[t][i], c->cause[t][causes_of[t][i]]);
		/* A cause the model does not expect is still counted. */
		for (unsigned int k = 0; k < TASKSTATE_NR_CAUSES; k++)
			if (c->cause[t][k] && !listed(t, k))
				put_transition(f, t, k, c->cause[t][k]);
	}
}

/* The lines after the nine transitions: "name   N". */
struct extra {
	bool has_lost;
	uint64_t wakeups_not_blocked, evictions, lost;
};

static int read_extra(struct extra *x)
{
	char line[512];
	unsigned long long n;
	FILE *f = fopen(TS_PROC_TRANSITIONS, "re");

	memset(x, 0, sizeof(*x));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "wakeups-not-blocked %llu", &n) == 1)
			x->wakeups_not_blocked = n;
		else if (sscanf(line, "record-evictions %llu", &n) == 1)
			x->evictions = n;
		else if (sscanf(line, "lost-events %llu", &n) == 1) {
			x->lost = n;
			x->has_lost = true;
		}
	}
	fclose(f);
	return 0;
}

/* Live tasks by classic state and letter: columns PID TGID COMM STATE S. */
static int put_tasks(FILE *out)
{
	static const char letters[] = "RSDTtZXPI";
	uint64_t n[TASKSTATE_NR_STATES][sizeof(letters)] = { { 0 } };
	char line[512], state[16], letter;
	FILE *f = fopen(PROC_DIR "/tasks", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *l;
		int pid, tgid;

		if (sscanf(line, "%d %d %*s %15s %c", &pid, &tgid, state, &letter) != 4)
			continue;	/* the header */
		l = strchr(letters, letter);
		for (unsigned int s = 1; s < TASKSTATE_NR_STATES; s++)
			if (!strcmp(state, ts_state_str(s)) && l && letter)
				n[s][l - letters]++;
	}
	fclose(f);
	fputs("# HELP taskstate_tasks Live tasks by classic state and Linux state letter.\n"
	      "# TYPE taskstate_tasks gauge\n", out);
	for (unsigned int s = 1; s < TASKSTATE_NR_STATES; s++)
		for (size_t l = 0; l < sizeof(letters) - 1; l++)
			if (n[s][l])
				fprintf(out, "taskstate_tasks{state=\"%s\",linux_state=\"%c\"} %" PRIu64 "\n",
					ts_state_str(s), letters[l], n[s][l]);
	return 0;
}

/* The first line of a small file, without its newline; false if absent. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* A label value: printable ASCII, with '"' and '\' escaped. */
static void put_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
			fputc(*s, f);
	}
}

static void put_module(FILE *f)
{
	char buf[256], version[128] = "", srcversion[128] = "";
	unsigned long long n;
	struct utsname un;

	if (read_line(SYS_MODULE "/refcnt", buf, sizeof(buf)) &&
	    sscanf(buf, "%llu", &n) == 1)
		fprintf(f, "# HELP taskstate_sessions Open sessions of /dev/taskstate.\n"
			"# TYPE taskstate_sessions gauge\n"
			"taskstate_sessions %llu\n", n);
	{
		FILE *c = fopen(PROC_DIR "/config", "re");

		while (c && fgets(buf, sizeof(buf), c))
			if (sscanf(buf, "buffer_memory_used=%llu", &n) == 1)
				fprintf(f, "# HELP taskstate_buffer_memory_used_bytes "
					"Memory all sessions' buffers hold.\n"
					"# TYPE taskstate_buffer_memory_used_bytes gauge\n"
					"taskstate_buffer_memory_used_bytes %llu\n", n);
		if (c)
			fclose(c);
	}
	read_line(SYS_MODULE "/version", version, sizeof(version));
	read_line(SYS_MODULE "/srcversion", srcversion, sizeof(srcversion));
	if (uname(&un))
		strcpy(un.release, "");
	fputs("# HELP taskstate_info The running kernel and the taskstate module's version.\n"
	      "# TYPE taskstate_info gauge\n"
	      "taskstate_info{kernel=\"", f);
	put_label(f, un.release);
	fputs("\",module_version=\"", f);
	put_label(f, version);
	fputs("\",srcversion=\"", f);
	put_label(f, srcversion);
	fputs("\"} 1\n", f);
}

/*
 * One scrape into a buffer (freed by the caller): 0, or -1 with errno
 * (ENOENT and the like: the module is not loaded).
 */
static int collect(char **text, size_t *len)
{
	struct ts_counters c;
	struct extra x;
	FILE *f;

	if (ts_counters_read(&c) || read_extra(&x))
		return -1;
	f = open_memstream(text, len);
	if (!f)
		return -1;
	put_transitions(f, &c);
	fprintf(f, "# HELP taskstate_wakeups_not_blocked_total Wakeups of a task that was "
		"not blocked.\n"
		"# TYPE taskstate_wakeups_not_blocked_total counter\n"
		"taskstate_wakeups_not_blocked_total %" PRIu64 "\n"
		"# HELP taskstate_record_evictions_total Per-task records taken over by "
		"another task.\n"
		"# TYPE taskstate_record_evictions_total counter\n"
		"taskstate_record_evictions_total %" PRIu64 "\n",
		x.wakeups_not_blocked, x.evictions);
	if (x.has_lost)
		fprintf(f, "# HELP taskstate_lost_events_total Events dropped on full "
			"buffers.\n"
			"# TYPE taskstate_lost_events_total counter\n"
			"taskstate_lost_events_total %" PRIu64 "\n", x.lost);
	if (put_tasks(f)) {
		int err = errno;

		fclose(f);
		free(*text);
		errno = err;
		return -1;
	}
	put_module(f);
	if (fclose(f)) {
		free(*text);
		return -1;
	}
	return 0;
}

static void collect_or_die(char **text, size_t *len)
{
	if (!collect(text, len))
		return;
	switch (errno) {
	case ENOENT:
	case ENODEV:
		die(_("%s missing: load the module (sudo insmod kmod/taskstate.ko)"),
		    TS_PROC_TRANSITIONS);
	case EPROTO:
		die(_("%s: not in the format this program reads: rebuild the module or the tools"),
		    TS_PROC_TRANSITIONS);
	default:
		die_errno("%s", PROC_DIR);
	}
}

/* ---- --listen: a minimal HTTP/1.0 server, one request per connection ---- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;	/* the client went away: its loss */
		buf += n;
		len -= n;
	}
}

static void respond(int fd, const char *status, const char *type,
		    const char *body, size_t len, bool head)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, type, len);

	send_all(fd, hdr, n);
	if (!head)
		send_all(fd, body, len);
}

/*
 * Read the request head (bounded in size and time, so that a silent or
 * endless client cannot hold the server), answer it, close.
 */
static void serve_one(int fd)
{
	static const char page[] = "<html><body><a href=\"/metrics\">/metrics</a></body></html>\n";
	uint64_t deadline = now_ns() + REQUEST_TIMEOUT_MS * 1000000ull;
	struct timeval tv = { .tv_sec = REQUEST_TIMEOUT_MS / 1000 };
	char req[4096], method[8], path[256];
	size_t got = 0;
	bool head;

	/* Nor may a client that does not read its answer hold the server. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

	while (got < sizeof(req) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ns();
		ssize_t n;

		if (now >= deadline ||
		    poll(&p, 1, (deadline - now) / 1000000 + 1) <= 0)
			return;
		n = recv(fd, req + got, sizeof(req) - 1 - got, 0);
		if (n <= 0)
			return;
		got += n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = '\0';
	if (sscanf(req, "%7s %255s", method, path) != 2) {
		respond(fd, "400 Bad Request", "text/plain", "bad request\n", 12, false);
		return;
	}
	head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head) {
		respond(fd, "405 Method Not Allowed", "text/plain", "GET only\n", 9, false);
		return;
	}
	path[strcspn(path, "?")] = '\0';
	if (!strcmp(path, "/metrics")) {
		char *text;
		size_t len;

		if (collect(&text, &len)) {
			static const char msg[] = "taskstate module not loaded\n";

			respond(fd, "503 Service Unavailable", "text/plain", msg,
				sizeof(msg) - 1, head);
			return;
		}
		respond(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
			text, len, head);
		free(text);
	} else if (!strcmp(path, "/")) {
		respond(fd, "200 OK", "text/html", page, sizeof(page) - 1, head);
	} else {
		respond(fd, "404 Not Found", "text/plain", "not found\n", 10, head);
	}
}

/* [ADDR:]PORT, ADDR in brackets for IPv6; the default address is loopback. */
static void split_listen(const char *arg, char *host, size_t hlen, char *port,
			 size_t plen)
{
	const char *colon = strrchr(arg, ':');
	uint64_t p;

	snprintf(host, hlen, "%s", DEFAULT_HOST);
	if (colon) {
		size_t n = colon - arg;

		if (arg[0] == '[' && n >= 2 && arg[n - 1] == ']') {
			arg++;
			n -= 2;
		}
		if (!n || n >= hlen)
			usage_error(_("metrics: --listen '%s': expected [ADDR:]PORT"), arg);
		memcpy(host, arg, n);
		host[n] = '\0';
		arg = colon + 1;
	}
	if (!parse_u64(arg, 1, 65535, &p))
		usage_error(_("metrics: --listen: '%s' is not a port (1-65535)"), arg);
	snprintf(port, plen, "%" PRIu64, p);
}

/* Checked as usage, before the module is looked at; freed by the caller. */
static struct addrinfo *parse_listen(const char *arg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_PASSIVE };
	char host[128], port[8];
	struct addrinfo *ai;
	int ret;

	split_listen(arg, host, sizeof(host), port, sizeof(port));
	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret)
		usage_error(_("metrics: --listen '%s': %s (ADDR is a numeric address)"),
			    arg, gai_strerror(ret));
	return ai;
}

static int listen_on(const char *arg, struct addrinfo *ai)
{
	int fd, one = 1;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16))
		die_errno(_("metrics: listen on %s"), arg);
	freeaddrinfo(ai);
	return fd;
}

static int serve(const char *arg, struct addrinfo *ai)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, orig;
	int fd;

	fd = listen_on(arg, ai);
	/*
	 * SIGINT and SIGTERM stay blocked except inside ppoll(), so one that
	 * comes between the check of @stop and the wait still ends the wait.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, _("taskstate metrics: serving /metrics on %s\n"), arg);
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int c;

		if (ppoll(&p, 1, NULL, &orig) <= 0)
			continue;
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		serve_one(c);
		close(c);
	}
	close(fd);
	return 0;
}

int cmd_metrics(int argc, char **argv)
{
	enum { OPT_TEXTFILE = 256, OPT_LISTEN };
	static const struct option opts[] = {
		{ "textfile", required_argument, NULL, OPT_TEXTFILE },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *dir = NULL, *addr = NULL;
	struct addrinfo *ai = NULL;
	struct out_file o;
	char *text, *path;
	size_t len;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_TEXTFILE:
			dir = optarg;
			break;
		case OPT_LISTEN:
			addr = optarg;
			break;
		case 'h':
			help_exit(metrics_help);
		default:
			bad_option("metrics", argv, c);
		}
	}
	if (optind != argc)
		usage_error(_("metrics: unexpected '%s' (see 'taskstate metrics --help')"),
			    argv[optind]);
	if (dir && addr)
		usage_error("%s", _("metrics: --textfile or --listen, not both"));
	if (addr)
		ai = parse_listen(addr);
	/* The module first: without it nothing is written, nothing listens. */
	collect_or_die(&text, &len);
	if (addr) {
		free(text);
		return serve(addr, ai);
	}
	if (!dir) {
		fwrite(text, 1, len, stdout);
		free(text);
		if (fflush(stdout) || ferror(stdout))
			die_errno("%s", _("write to stdout"));
		return 0;
	}
	if (asprintf(&path, "%s/%s", dir, TEXTFILE_NAME) < 0)
		die("%s", _("out of memory"));
	out_open(&o, path);
	fwrite(text, 1, len, o.f);
	out_commit(&o);
	free(text);
	free(path);
	return 0;
}
