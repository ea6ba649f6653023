// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab bench: what each mechanism costs.  For every mechanism, message
 * size and CPU placement, two quiet exchanges between two processes
 * (lab_exchange() in timing mode, the mechanisms' own code):
 *
 *   round trip   the sender waits for the receiver to take each message
 *                before sending the next; latency = time between the
 *                sender's successive sends.  The return leg is the
 *                mechanism's own for the slot mechanisms (the consumer's
 *                "empty" semaphore), else a futex in shared memory.
 *   throughput   the sender sends as fast as the mechanism lets it.
 *
 * With the taskstate module loaded, the transitions the module counted
 * (all tasks, /proc/taskstate/transitions) per round trip as well.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipclab.h"
#include "mechs.h"
#include "lib/libtaskstate.h"

static const struct lab_mech *const mechs[] = {
	&lab_pipe, &lab_fifo, &lab_sysv_msg, &lab_posix_mq, &lab_sysv_shm,
	&lab_posix_shm, &lab_sysv_sem, &lab_posix_sem, &lab_unix_stream,
	&lab_unix_dgram, &lab_socketpair, &lab_tcp, &lab_signal,
};

#define NR_MECHS (sizeof(mechs) / sizeof(*mechs))
#define MAX_SIZES 8

/*
 * The slot mechanisms take turns through two semaphores: the sender cannot
 * write message i+1 before the receiver has posted "empty" for message i.
 * Their exchange is a round trip by itself; a futex answer would add two
 * switches to each.
 */
static bool lockstep(const struct lab_mech *m)
{
	return m == &lab_sysv_shm || m == &lab_posix_shm ||
	       m == &lab_sysv_sem || m == &lab_posix_sem;
}

struct bench_opts {
	bool want[NR_MECHS];
	uint64_t sizes[MAX_SIZES];
	int nr_sizes;
	uint64_t trips, messages;
	bool pinned, unpinned, csv;
};

struct row {
	const char *mech, *placement, *mode, *note, *ret_leg;
	uint64_t size, n;
	double median_ns, p99_ns, mean_ns, per_s, mib_s, transitions;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void *shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die_errno("mmap(%zu)", len);
	return p;
}

/* The nine transitions the module has counted, all tasks; false: no module. */
static bool transitions(uint64_t *sum)
{
	struct ts_counters c;

	if (ts_counters_read(&c))
		return false;
	*sum = 0;
	for (int i = 1; i < TASKSTATE_NR_TRANSITIONS; i++)
		*sum += c.transition[i];
	return true;
}

static void pin(bool on, const cpu_set_t *all)
{
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu_set_t), on ? &cpu0 : all))
		die_errno("sched_setaffinity");
}

static void print_header(bool csv)
{
	if (csv) {
		printf("mech,size,placement,mode,n,median_ns,p99_ns,mean_ns,per_s,mib_s,transitions_per_op,return_leg,note\n");
		return;
	}
	/* As "%-14s %6s %-8s ... %6s  %s", CJK headings counted two wide. */
	static const struct { int width; const char *head; } col[] = {
		{ -14, N_("mechanism") }, { 6, N_("bytes") }, { -8, N_("cpus") },
		{ -10, N_("mode") }, { 6, N_("n") }, { 10, N_("median_us") },
		{ 10, N_("p99_us") }, { 10, N_("mean_us") }, { 10, N_("per_s") },
		{ 9, N_("MiB/s") }, { 6, N_("tr/op") },
	};

	for (size_t c = 0; c < sizeof(col) / sizeof(*col); c++) {
		if (c)
			putchar(' ');
		ts_put_padded(stdout, _(col[c].head), col[c].width);
	}
	printf("  %s\n", _("return leg / note"));
}

static void print_row(const struct row *r, bool csv)
{
	char tr[32] = "";

	if (r->transitions >= 0)
		snprintf(tr, sizeof(tr), "%.2f", r->transitions);
	if (csv) {
		if (r->note)
			printf("%s,%" PRIu64 ",%s,%s,0,,,,,,,,%s\n", r->mech,
			       r->size, r->placement, r->mode, r->note);
		else
			printf("%s,%" PRIu64 ",%s,%s,%" PRIu64 ",%.0f,%.0f,%.0f,%.1f,%.3f,%s,%s,\n",
			       r->mech, r->size, r->placement, r->mode, r->n,
			       r->median_ns, r->p99_ns, r->mean_ns, r->per_s,
			       r->mib_s, tr, r->ret_leg);
		return;
	}
	if (r->note) {
		printf("%-14s %6" PRIu64 " %-8s %-10s %6s  %s\n", r->mech, r->size,
		       r->placement, r->mode, "-", r->note);
		return;
	}
	if (!strcmp(r->mode, "roundtrip"))
		printf("%-14s %6" PRIu64 " %-8s %-10s %6" PRIu64 " %10.1f %10.1f %10.1f %10.0f %9.2f %6s  %s\n",
		       r->mech, r->size, r->placement, r->mode, r->n,
		       r->median_ns / 1e3, r->p99_ns / 1e3, r->mean_ns / 1e3,
		       r->per_s, r->mib_s, tr, r->ret_leg);
	else
		printf("%-14s %6" PRIu64 " %-8s %-10s %6" PRIu64 " %10s %10s %10.1f %10.0f %9.2f %6s\n",
		       r->mech, r->size, r->placement, r->mode, r->n, "", "",
		       r->mean_ns / 1e3, r->per_s, r->mib_s, tr);
}

/* Interval i: send i to send i+1, one round trip; the first few warm up. */
static void round_trip_stats(const uint64_t *stamps, uint64_t n, uint64_t end_ns,
			     uint64_t size, struct row *r)
{
	uint64_t warm = n > 50 ? n / 20 : 0, cnt = 0;
	uint64_t *d = lab_alloc(n * sizeof(*d));

	for (uint64_t i = warm; i + 1 < n; i++)
		d[cnt++] = stamps[i + 1] - stamps[i];
	if (!cnt)
		d[cnt++] = end_ns - stamps[0];
	qsort(d, cnt, sizeof(*d), cmp_u64);
	r->n = cnt;
	r->median_ns = d[cnt / 2];
	r->p99_ns = d[(cnt * 99) / 100 < cnt ? (cnt * 99) / 100 : cnt - 1];
	r->mean_ns = (double)(stamps[n - 1] - stamps[warm]) /
		     (n - 1 - warm ? n - 1 - warm : 1);
	r->per_s = 1e9 / r->mean_ns;
	r->mib_s = r->per_s * size / (1024.0 * 1024.0);
	free(d);
}

/*
 * The reference for "pipe": perf bench sched pipe's protocol (a pipe each
 * way, the child echoes), timed like every other round trip here.  It
 * tells the return leg's share from the timing method's when ipclab's pipe
 * and perf bench disagree.
 */
static void pipe_both_ways(uint64_t size, uint64_t n, struct row *r)
{
	uint64_t *stamps = lab_alloc(n * sizeof(*stamps));
	unsigned char *buf = lab_alloc(size);
	int ab[2], ba[2], status;
	pid_t pid;

	memset(buf, 0, size);
	if (pipe(ab) || pipe(ba))
		die_errno("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		for (uint64_t i = 0; i < n; i++) {
			lab_read_full(ab[0], buf, size, "read from pipe");
			lab_write_full(ba[1], buf, size, "write to pipe");
		}
		_exit(0);
	}
	for (uint64_t i = 0; i < n; i++) {
		stamps[i] = now_ns();
		lab_write_full(ab[1], buf, size, "write to pipe");
		lab_read_full(ba[0], buf, size, "read from pipe");
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	round_trip_stats(stamps, n, now_ns(), size, r);
	r->transitions = -1;
	r->ret_leg = "pipe";
	close(ab[0]);
	close(ab[1]);
	close(ba[0]);
	close(ba[1]);
	free(buf);
	free(stamps);
}

static void measure(const struct lab_mech *m, uint64_t size, bool round_trip,
		    uint64_t n, struct row *r)
{
	struct lab_opts o = { .messages = n, .size = size };
	struct lab_timing *t = shared(sizeof(*t));
	uint64_t before = 0, after = 0;
	bool counted;
	int status;
	pid_t pid;

	t->stamps = shared(n * sizeof(uint64_t));
	t->ack = round_trip && !lockstep(m);
	counted = transitions(&before);
	/*
	 * In a child of its own: a mechanism keeps file-scope state between
	 * its setup and its participants, meant for one exchange per process.
	 */
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0)
		exit(lab_exchange(m, &o, t) ? 0 : 1);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die(_("%s: %" PRIu64 " messages of %" PRIu64 " bytes did not all arrive"),
		    m->name, n, size);
	if (counted && transitions(&after))
		r->transitions = (double)(after - before) / n;
	else
		r->transitions = -1;
	r->n = n;
	if (round_trip)
		round_trip_stats(t->stamps, n, t->end_ns, size, r);
	else
		r->mean_ns = (double)(t->end_ns - t->stamps[0]) / n;
	r->per_s = 1e9 / r->mean_ns;
	r->mib_s = r->per_s * size / (1024.0 * 1024.0);
	r->ret_leg = !round_trip ? "" : t->ack ? "futex" : "semaphore";
	munmap(t->stamps, n * sizeof(uint64_t));
	munmap(t, sizeof(*t));
}

static void usage(FILE *out)
{
	fprintf(out,
		_("usage: ipclab bench [-m MECH[,MECH...]] [-s BYTES[,BYTES...]] [-n TRIPS]\n"
		"                    [-t MESSAGES] [--pinned | --unpinned] [--csv]\n\n"
		"Time every mechanism of ipclab between two processes: round-trip latency\n"
		"(median, p99) and one-way throughput, per message size, with both\n"
		"processes on CPU 0 (pinned) and free to move (unpinned).  A round trip's\n"
		"return leg is a futex in shared memory, or the mechanism's own semaphore\n"
		"for sysv-shm, posix-shm, sysv-sem and posix-sem.  With pipe at 1 byte,\n"
		"a reference row pipe-both-ways: perf bench sched pipe's protocol (a\n"
		"pipe each way), timed the same way.  Messages are filled\n"
		"with memset and counted, not checksummed (the other commands check).\n"
		"With the taskstate module loaded, tr/op is the transitions it counted\n"
		"(all tasks) per round trip or per message.\n\n"
		"  -m, --mech LIST      mechanisms (default: all)\n"
		"  -s, --sizes LIST     message sizes in bytes (default 1,1024,65536)\n"
		"  -n, --trips N        round trips per measurement (2..%u, default 500)\n"
		"  -t, --messages N     messages per throughput run (1..%u, default 500)\n"
		"      --pinned         pinned only\n"
		"      --unpinned       unpinned only\n"
		"      --csv            CSV rows instead of a table\n"
		"  -h, --help           this help\n\n"
		"A size over a mechanism's limit is reported as n/a, not run.\n"),
		LAB_MAX_MESSAGES, LAB_MAX_MESSAGES);
	fputs(_("Mechanisms:"), out);
	for (size_t i = 0; i < NR_MECHS; i++)
		fprintf(out, " %s", mechs[i]->name);
	fprintf(out, "\n");
}

static void parse_mechs(char *list, struct bench_opts *b)
{
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		bool found = false;

		for (size_t i = 0; i < NR_MECHS; i++) {
			if (!strcmp(tok, "all") || !strcmp(tok, mechs[i]->name)) {
				b->want[i] = true;
				found = true;
			}
		}
		if (!found)
			usage_error(_("bench: unknown mechanism '%s'; try 'ipclab bench --help'"), tok);
	}
}

static void parse_sizes(char *list, struct bench_opts *b)
{
	b->nr_sizes = 0;
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (b->nr_sizes == MAX_SIZES)
			usage_error(_("bench: at most %d sizes"), MAX_SIZES);
		if (!parse_u64(tok, 1, LAB_MAX_SIZE, &b->sizes[b->nr_sizes++]))
			usage_error(_("bench: --sizes takes 1..%u bytes each, not '%s'"),
				    LAB_MAX_SIZE, tok);
	}
	if (!b->nr_sizes)
		usage_error(_("bench: --sizes needs at least one size"));
}

int ipclab_bench(int argc, char **argv)
{
	enum { OPT_PINNED = 256, OPT_UNPINNED, OPT_CSV };
	static const struct option opts[] = {
		{ "mech", required_argument, NULL, 'm' },
		{ "sizes", required_argument, NULL, 's' },
		{ "trips", required_argument, NULL, 'n' },
		{ "messages", required_argument, NULL, 't' },
		{ "pinned", no_argument, NULL, OPT_PINNED },
		{ "unpinned", no_argument, NULL, OPT_UNPINNED },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct bench_opts b = {
		.sizes = { 1, 1024, 65536 }, .nr_sizes = 3,
		.trips = 500, .messages = 500,
	};
	bool any_mech = false;
	cpu_set_t all;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+m:s:n:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			parse_mechs(optarg, &b);
			any_mech = true;
			break;
		case 's':
			parse_sizes(optarg, &b);
			break;
		case 'n':
			if (!parse_u64(optarg, 2, LAB_MAX_MESSAGES, &b.trips))
				usage_error(_("bench: --trips must be 2..%u, not '%s'"),
					    LAB_MAX_MESSAGES, optarg);
			break;
		case 't':
			if (!parse_u64(optarg, 1, LAB_MAX_MESSAGES, &b.messages))
				usage_error(_("bench: --messages must be 1..%u, not '%s'"),
					    LAB_MAX_MESSAGES, optarg);
			break;
		case OPT_PINNED:
			b.pinned = true;
			break;
		case OPT_UNPINNED:
			b.unpinned = true;
			break;
		case OPT_CSV:
			b.csv = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			lab_bad_option("bench", argv);
		}
	}
	lab_no_operands("bench", argc, argv);
	if (!any_mech)
		for (size_t i = 0; i < NR_MECHS; i++)
			b.want[i] = true;
	if (!b.pinned && !b.unpinned)
		b.pinned = b.unpinned = true;
	if (sched_getaffinity(0, sizeof(all), &all))
		die_errno("sched_getaffinity");

	setvbuf(stdout, NULL, _IOLBF, 0);
	print_header(b.csv);
	for (size_t i = 0; i < NR_MECHS; i++) {
		const struct lab_mech *m = mechs[i];
		const char *limit_name = "";
		struct lab probe = { .mech = m };
		uint64_t limit;

		if (!b.want[i])
			continue;
		for (int s = 0; s < b.nr_sizes; s++) {
			probe.o.size = b.sizes[s];
			limit = m->max_size ? m->max_size(&probe, &limit_name) : 0;
			for (int p = 0; p < 2; p++) {
				bool pinned = p == 0;

				if (pinned ? !b.pinned : !b.unpinned)
					continue;
				for (int rt = 1; rt >= 0; rt--) {
					struct row r = {
						.mech = m->name, .size = b.sizes[s],
						.placement = pinned ? "pinned" : "unpinned",
						.mode = rt ? "roundtrip" : "throughput",
					};
					char note[160], *comma;

					if (limit && b.sizes[s] > limit) {
						/* CSV keeps its English words, as JSON does. */
						snprintf(note, sizeof(note),
							 b.csv ? "n/a: over the limit of %" PRIu64 " bytes (%s)" :
							 _("n/a: over the limit of %" PRIu64 " bytes (%s)"),
							 limit, b.csv ? limit_name : _(limit_name));
						/* One CSV field: no commas. */
						while ((comma = strchr(note, ',')))
							*comma = ';';
						r.note = note;
						print_row(&r, b.csv);
						continue;
					}
					pin(pinned, &all);
					measure(m, b.sizes[s], rt, rt ? b.trips : b.messages, &r);
					pin(false, &all);
					print_row(&r, b.csv);
				}
				if (m == &lab_pipe && b.sizes[s] == 1) {
					struct row r = {
						.mech = "pipe-both-ways", .size = 1,
						.placement = pinned ? "pinned" : "unpinned",
						.mode = "roundtrip",
					};

					pin(pinned, &all);
					pipe_both_ways(1, b.trips, &r);
					pin(false, &all);
					print_row(&r, b.csv);
				}
			}
		}
	}
	return 0;
}
