// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 19, with the module loaded and the real tools people run:
 * `taskstate metrics` checked by promtool, its textfile scraped through
 * prometheus-node-exporter, its --listen scraped by a Prometheus server
 * queried over its HTTP API; `export --perfetto-proto` of a real
 * recording decoded by protoc.  Every server binds 127.0.0.1 only, runs
 * for a bounded time and is stopped by the fixture's teardown whatever
 * assertion failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"

#define MAX_SERVERS	3

FIXTURE(fleet) {
	char dir[64];
	char tool[512], protos[512];
	pid_t servers[MAX_SERVERS];
	int nr_servers;
};

FIXTURE_SETUP(fleet)
{
	char exe[256];
	ssize_t n;

	if (access("/proc/taskstate/transitions", F_OK))
		SKIP(return, MODULE_MISSING);
	strcpy(self->dir, "/tmp/fleet_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(self->tool, sizeof(self->tool),
		 "%s/../../userspace/taskstate/taskstate", exe);
	snprintf(self->protos, sizeof(self->protos), "%s/../../userspace/taskstate", exe);
}

FIXTURE_TEARDOWN(fleet)
{
	char cmd[256];

	for (int i = 0; i < self->nr_servers; i++) {
		kill(self->servers[i], SIGTERM);
		for (int t = 0; t < 100 && waitpid(self->servers[i], NULL, WNOHANG) == 0; t++)
			usleep(100000);
		kill(self->servers[i], SIGKILL);
		waitpid(self->servers[i], NULL, 0);
	}
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
		if (system(cmd))
			TH_LOG("could not remove %s", self->dir);
	}
}

/* A port on 127.0.0.1 that nothing listens on right now. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Start @argv in the background, its output in @log; teardown stops it. */
static pid_t start(struct __test_metadata *_metadata, FIXTURE_DATA(fleet) *self,
		   char *const argv[], const char *log)
{
	pid_t pid;

	ASSERT_GT(MAX_SERVERS, self->nr_servers);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid > 0)
		self->servers[self->nr_servers++] = pid;
	return pid;
}

/* The output of a shell command (at most @size - 1 bytes), its status. */
static int run(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int st;

	if (!p)
		return -1;
	if (out) {
		n = fread(out, 1, size - 1, p);
		out[n] = '\0';
	} else {
		char buf[4096];

		while (fread(buf, 1, sizeof(buf), p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* GET @url into @out until it answers 200, for at most @secs. */
static bool get_until_ok(const char *url, char *out, size_t size, int secs)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "curl -sf --max-time 10 '%s'", url);
	for (int i = 0; i < secs * 2; i++) {
		if (!run(cmd, out, size))
			return true;
		usleep(500000);
	}
	return false;
}

/* A line of @text that holds every one of @words, or NULL. */
static const char *line_with(const char *text, const char *const words[])
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n");
		bool all = true;

		for (int i = 0; words[i] && all; i++) {
			const char *w = strstr(l, words[i]);

			all = w && w < l + len;
		}
		if (all && l[0] != '#')
			return l;
	}
	return NULL;
}

static char big[1 << 20];

TEST_F(fleet, metrics_pass_promtool_and_name_every_part)
{
	char cmd[1024], path[128];
	static const char *const io[] = {
		"taskstate_transitions_total{from=\"running\",to=\"blocked\",cause=\"io\"} ", NULL };
	static const char *const fork_[] = {
		"taskstate_transitions_total{from=\"none\",to=\"new\",cause=\"fork\"} ", NULL };
	static const char *const running[] = {
		"taskstate_tasks{state=\"running\",linux_state=\"R\"} ", NULL };
	static const char *const info[] = { "taskstate_info{kernel=\"", "} 1", NULL };

	RETURN_IF_SETUP_SKIPPED();
	snprintf(path, sizeof(path), "%s/out.prom", self->dir);
	snprintf(cmd, sizeof(cmd), "'%s' metrics >'%s' && promtool check metrics <'%s' 2>&1",
		 self->tool, path, path);
	EXPECT_EQ(0, run(cmd, big, sizeof(big))) TH_LOG("promtool: %s", big);
	snprintf(cmd, sizeof(cmd), "cat '%s'", path);
	ASSERT_EQ(0, run(cmd, big, sizeof(big)));
	EXPECT_NE(NULL, line_with(big, io)) TH_LOG("%s", big);
	EXPECT_NE(NULL, line_with(big, fork_));
	/* The scraper itself runs while it reads the tasks. */
	EXPECT_NE(NULL, line_with(big, running)) TH_LOG("%s", big);
	EXPECT_NE(NULL, line_with(big, info));
	EXPECT_NE(NULL, strstr(big, "\ntaskstate_sessions "));
	EXPECT_NE(NULL, strstr(big, "\ntaskstate_record_evictions_total "));
	EXPECT_NE(NULL, strstr(big, "\ntaskstate_wakeups_not_blocked_total "));
}

/* The module's reference count is its open sessions: two more, two more. */
static long sessions(const char *tool)
{
	char cmd[600];
	const char *p;

	snprintf(cmd, sizeof(cmd), "'%s' metrics", tool);
	if (run(cmd, big, sizeof(big)))
		return -1;
	p = strstr(big, "\ntaskstate_sessions ");
	return p ? atol(p + 20) : -1;
}

TEST_F(fleet, sessions_count_open_sessions)
{
	long before, during, after;
	int a, b;

	RETURN_IF_SETUP_SKIPPED();
	before = sessions(self->tool);
	ASSERT_LE(0, before);
	a = open("/dev/taskstate", O_RDONLY | O_CLOEXEC);
	b = open("/dev/taskstate", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	during = sessions(self->tool);
	close(a);
	close(b);
	after = sessions(self->tool);
	EXPECT_EQ(before + 2, during);
	EXPECT_EQ(before, after);
}

TEST_F_TIMEOUT(fleet, textfile_is_scraped_by_node_exporter, 300)
{
	char cmd[1024], path[128], log[128], url[64], listen[64];
	static const char *const io[] = { "taskstate_transitions_total{", "cause=\"io\"",
					   "from=\"running\"", "to=\"blocked\"", NULL };
	struct stat st;
	int port;

	RETURN_IF_SETUP_SKIPPED();
	snprintf(cmd, sizeof(cmd), "'%s' metrics --textfile '%s'", self->tool, self->dir);
	ASSERT_EQ(0, run(cmd, NULL, 0));
	snprintf(path, sizeof(path), "%s/taskstate.prom", self->dir);
	ASSERT_EQ(0, stat(path, &st));
	/* node_exporter runs as its own user: the file must be readable. */
	EXPECT_EQ(0444, st.st_mode & 0444);
	snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s')\" = taskstate.prom", self->dir);
	EXPECT_EQ(0, run(cmd, NULL, 0)) TH_LOG("a temporary file was left");

	port = free_port();
	ASSERT_LT(0, port);
	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", port);
	snprintf(log, sizeof(log), "%s.node_exporter.log", self->dir);
	{
		char dirarg[128];
		char *const argv[] = { "prometheus-node-exporter", listen,
				       "--collector.disable-defaults", "--collector.textfile",
				       dirarg, NULL };

		snprintf(dirarg, sizeof(dirarg), "--collector.textfile.directory=%s",
			 self->dir);
		ASSERT_LT(0, start(_metadata, self, argv, log));
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", port);
	ASSERT_TRUE(get_until_ok(url, big, sizeof(big), TS_MS(120)))
		TH_LOG("node_exporter did not answer on %s (log %s)", url, log);
	EXPECT_NE(NULL, line_with(big, io)) TH_LOG("%.3000s", big);
	EXPECT_NE(NULL, strstr(big, "\nnode_textfile_scrape_error 0"));
	unlink(log);
}

/* The value of a Prometheus instant query's first sample, or -1. */
static double query(int port, const char *promql)
{
	char cmd[1024];
	const char *v;

	snprintf(cmd, sizeof(cmd),
		 "curl -sf --max-time 10 'http://127.0.0.1:%d/api/v1/query' "
		 "--data-urlencode 'query=%s'", port, promql);
	if (run(cmd, big, sizeof(big)))
		return -1;
	/* {"status":"success","data":{"result":[{"metric":{},"value":[T,"V"]}]}} */
	v = strstr(big, "\"value\":[");
	if (!v || !(v = strchr(v, ',')) || v[1] != '"')
		return -1;
	return strtod(v + 2, NULL);
}

TEST_F_TIMEOUT(fleet, listen_is_scraped_by_prometheus_and_grows, 600)
{
	char cmd[1024], conf[128], log[128], addr[64], url[96], listen[64],
	     tsdb[128], config[160];
	int mport = free_port(), pport;
	double rate = -1;
	FILE *f;

	RETURN_IF_SETUP_SKIPPED();
	ASSERT_LT(0, mport);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", mport);
	snprintf(log, sizeof(log), "%s.metrics.log", self->dir);
	{
		char *const argv[] = { self->tool, "metrics", "--listen", addr, NULL };

		ASSERT_LT(0, start(_metadata, self, argv, log));
	}
	snprintf(url, sizeof(url), "http://%s/metrics", addr);
	ASSERT_TRUE(get_until_ok(url, big, sizeof(big), TS_MS(30)));
	EXPECT_NE(NULL, strstr(big, "taskstate_transitions_total{"));
	/* Only /metrics and / exist. */
	snprintf(cmd, sizeof(cmd), "curl -s -o /dev/null -w '%%{http_code}' 'http://%s/nope'",
		 addr);
	ASSERT_EQ(0, run(cmd, big, sizeof(big)));
	EXPECT_STREQ("404", big);

	pport = free_port();
	ASSERT_LT(0, pport);
	snprintf(conf, sizeof(conf), "%s/prometheus.yml", self->dir);
	f = fopen(conf, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
		"scrape_configs:\n  - job_name: taskstate\n    static_configs:\n"
		"      - targets: ['%s']\n", addr);
	fclose(f);
	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", pport);
	snprintf(tsdb, sizeof(tsdb), "--storage.tsdb.path=%s/data", self->dir);
	snprintf(config, sizeof(config), "--config.file=%s", conf);
	snprintf(log, sizeof(log), "%s.prometheus.log", self->dir);
	{
		char *const argv[] = { "prometheus", config, listen, tsdb, NULL };

		ASSERT_LT(0, start(_metadata, self, argv, log));
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/-/ready", pport);
	ASSERT_TRUE(get_until_ok(url, big, sizeof(big), TS_MS(240)))
		TH_LOG("prometheus not ready (log %s)", log);
	/* A workload between scrapes: forks, exits, pipes; then ask. */
	for (int i = 0; i < TS_MS(120) && rate <= 0; i++) {
		ASSERT_EQ(0, run("for i in 1 2 3 4 5 6 7 8 9 10; do echo x | cat >/dev/null; done",
				 NULL, 0));
		sleep(1);
		rate = query(pport, "sum(rate(taskstate_transitions_total{cause=\"fork\"}[10s]))");
	}
	EXPECT_LT(0, rate) TH_LOG("no growing series; last answer: %.500s", big);
	/* Every cause of every transition is its own series: 18 in the model. */
	EXPECT_LE(18, query(pport, "count(taskstate_transitions_total)"));
	/* SIGTERM ends the server cleanly. */
	{
		pid_t srv = self->servers[0];
		int st = 0, t;

		kill(srv, SIGTERM);
		for (t = 0; t < TS_MS(100) && waitpid(srv, &st, WNOHANG) == 0; t++)
			usleep(100000);
		EXPECT_GT(TS_MS(100), t) TH_LOG("taskstate metrics --listen ignored SIGTERM");
		if (t < TS_MS(100)) {
			EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("status %#x", st);
			self->servers[0] = self->servers[--self->nr_servers];
		}
	}
	unlink(log);
	snprintf(log, sizeof(log), "%s.metrics.log", self->dir);
	unlink(log);
}

TEST_F(fleet, listen_on_a_busy_port_is_refused)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char cmd[1024], out[1024];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	RETURN_IF_SETUP_SKIPPED();
	ASSERT_LE(0, fd);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(0, listen(fd, 1));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&a, &len));
	snprintf(cmd, sizeof(cmd), "'%s' metrics --listen 127.0.0.1:%d 2>&1", self->tool,
		 ntohs(a.sin_port));
	EXPECT_EQ(1, run(cmd, out, sizeof(out)));
	close(fd);
	EXPECT_NE(NULL, strstr(out, "Address already in use")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strchr(out, '\n') ? strchr(strchr(out, '\n') + 1, '\n') : NULL)
		TH_LOG("more than one line: %s", out);
}

/*
 * A real recording through --perfetto-proto: every record comes out as
 * one instant, in order, at its own time.
 */
TEST_F_TIMEOUT(fleet, a_real_recording_decodes_with_every_event_in_order, 120)
{
	char cmd[2048], rec[128], pf[128], *l;
	static char json[1 << 20];
	static unsigned long long want[4096];
	size_t n = 0, got = 0;
	bool ordered = true;

	RETURN_IF_SETUP_SKIPPED();
	snprintf(rec, sizeof(rec), "%s/r.tsrec", self->dir);
	snprintf(pf, sizeof(pf), "%s/r.pftrace", self->dir);
	snprintf(cmd, sizeof(cmd), "'%s' trace -o '%s' -- sh -c 'echo x | cat >/dev/null; "
		 "sleep 0.05' 2>&1 && '%s' export --perfetto-proto '%s' -o '%s'",
		 self->tool, rec, self->tool, rec, pf);
	ASSERT_EQ(0, run(cmd, NULL, 0));
	snprintf(cmd, sizeof(cmd), "'%s' show '%s' --json", self->tool, rec);
	ASSERT_EQ(0, run(cmd, json, sizeof(json)));
	for (l = json; *l && n < 4096; l = strchr(l, '\n') + 1) {
		const char *t = strstr(l, "\"ts_ns\": ");

		if (!t)
			t = strstr(l, "\"ts_ns\":");
		ASSERT_NE(NULL, t);
		want[n++] = strtoull(strchr(t, ':') + 1, NULL, 10);
		if (!strchr(l, '\n'))
			break;
	}
	ASSERT_LT(5, n);
	snprintf(cmd, sizeof(cmd), "protoc --proto_path='%s' "
		 "--decode=perfetto.protos.Trace perfetto_trace.proto <'%s' | "
		 "awk '/^  timestamp: /{ts=$2} /^    type: TYPE_INSTANT/{print ts}'",
		 self->protos, pf);
	ASSERT_EQ(0, run(cmd, big, sizeof(big)));
	for (l = big; *l; l = strchr(l, '\n') + 1) {
		unsigned long long t = strtoull(l, NULL, 10);

		if (got < n && t != want[got])
			ordered = false;
		got++;
		if (!strchr(l, '\n'))
			break;
	}
	EXPECT_EQ(n, got);
	EXPECT_TRUE(ordered);
	/* The dispatches and blocks of the command became sched_switch events. */
	snprintf(cmd, sizeof(cmd), "protoc --proto_path='%s' "
		 "--decode=perfetto.protos.Trace perfetto_trace.proto <'%s' | "
		 "grep -c 'sched_switch {'", self->protos, pf);
	ASSERT_EQ(0, run(cmd, big, sizeof(big)));
	EXPECT_LT(0, atoi(big));
}

TEST_HARNESS_MAIN
