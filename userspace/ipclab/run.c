// SPDX-License-Identifier: GPL-2.0
/*
 * The machinery every ipclab exchange shares: option parsing, the two
 * participants as processes or threads, the cleanup registry, message
 * patterns and checksums, and the story at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "story.h"
#include "lib/libtaskstate.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- usage errors every subcommand shares ---- */

void lab_bad_option(const char *cmd, char **argv)
{
	if (optopt && optopt < 256)
		usage_error(_("%s: bad option '-%c' or missing argument; try 'ipclab %s --help'"),
			    cmd, optopt, cmd);
	usage_error(_("%s: bad option '%s' or missing argument; try 'ipclab %s --help'"),
		    cmd, argv[optind - 1], cmd);
}

void lab_no_operands(const char *cmd, int argc, char **argv)
{
	if (optind != argc)
		usage_error(_("%s: unexpected argument '%s'; try 'ipclab %s --help'"),
			    cmd, argv[optind], cmd);
}

/* ---- cleanup registry ---- */

#define LAB_MAX_OBJS 16

struct lab_obj_entry {
	enum lab_obj kind;
	int id;
	char path[96];		/* ready for unlink(), prefix included */
};

/*
 * Filled before the objects exist, read by the signal handler and by the
 * janitor: entries are complete before nr counts them.  Shared memory, so
 * that the janitor (another process) sees what is registered after it
 * started.
 */
struct lab_registry {
	volatile sig_atomic_t nr;
	struct lab_obj_entry objs[LAB_MAX_OBJS];
};

static struct lab_registry *reg;
static pid_t owner;		/* only the coordinator removes anything */
/* Participants to stop when the coordinator goes (process mode). */
static volatile pid_t kids[LAB_NR_ROLES];
/* Exchanges run so far (ipclab bench runs many); timing mode's fill. */
static unsigned int nr_exchanges;
static bool fast_fill;

/*
 * A terminating signal is being handled (its number) by the thread
 * stopping_tid.  From then on the participants' errors are about objects
 * the handler removes: they are not reported (stderr goes to quiet_fd) and
 * a participant thread that would exit waits for the handler to end the
 * process with the signal.
 */
static volatile sig_atomic_t stopping;
static volatile pid_t stopping_tid;
static int quiet_fd = -1, stderr_fd = -1;
/*
 * The write end of the janitor's pipe: it closes when we and our
 * participants die, however.
 */
static int janitor_fd = -1;
static const char *interrupted_msg;	/* translated before any signal */
static const char *mech_name = "ipclab";

/* Every signal whose default action ends the process and that can be caught. */
static const int fatal_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE,
	SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR, SIGSTKFLT,
};

static struct lab_obj_entry *new_obj(enum lab_obj kind)
{
	if (reg->nr == LAB_MAX_OBJS)
		die("%s", _("cleanup registry full"));
	reg->objs[reg->nr].kind = kind;
	return &reg->objs[reg->nr];
}

void lab_cleanup_name(enum lab_obj kind, const char *name)
{
	struct lab_obj_entry *o = new_obj(kind);
	/* POSIX names start with '/': their files live in /dev/shm, /dev/mqueue. */
	const char *prefix = kind == LAB_OBJ_POSIX_SHM ? "/dev/shm" :
			     kind == LAB_OBJ_POSIX_SEM ? "/dev/shm/sem." : "";

	if (kind == LAB_OBJ_POSIX_SEM)
		name++;		/* sem.NAME without the slash */
	if ((size_t)snprintf(o->path, sizeof(o->path), "%s%s", prefix, name) >=
	    sizeof(o->path))
		die(_("object name too long: %s"), name);
	reg->nr++;
}

void lab_cleanup_id(enum lab_obj kind, int id)
{
	struct lab_obj_entry *o = new_obj(kind);

	o->id = id;
	reg->nr++;
}

/* Remove every registered object, last first; async-signal-safe. */
static void remove_objects(void)
{
	while (reg && reg->nr > 0) {
		struct lab_obj_entry *o = &reg->objs[reg->nr - 1];

		switch (o->kind) {
		case LAB_OBJ_PATH:
		case LAB_OBJ_POSIX_SHM:
		case LAB_OBJ_POSIX_SEM:
			unlink(o->path);
			break;
		case LAB_OBJ_POSIX_MQ:
			mq_unlink(o->path);
			break;
		case LAB_OBJ_SYSV_MSG:
			msgctl(o->id, IPC_RMID, NULL);
			break;
		case LAB_OBJ_SYSV_SEM:
			semctl(o->id, 0, IPC_RMID);
			break;
		case LAB_OBJ_SYSV_SHM:
			shmctl(o->id, IPC_RMID, NULL);
			break;
		}
		reg->nr--;
	}
}

/*
 * Stop the participants, then remove every object.  Only async-signal-safe
 * calls (kill, waitpid, unlink, the *ctl system calls, mq_unlink which is
 * the bare system call), so the signal handler can run it.  Killing and
 * reaping first matters for SysV shm: IPC_RMID on a segment still
 * attached only marks it, and ipcs would still show it.  The receiver is
 * killed first: it would see the sender's end (EOF) and say so.
 */
static void cleanup_run(void)
{
	int saved = errno;

	if (getpid() != owner)
		return;		/* a participant's exit: not ours to clean */
	if (stopping && gettid() != stopping_tid) {
		/* A participant thread, failing on what the handler removed. */
		for (;;)
			pause();
	}
	for (int i = LAB_NR_ROLES - 1; i >= 0; i--)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	for (int i = 0; i < LAB_NR_ROLES; i++) {
		pid_t pid = kids[i];

		if (pid > 0) {
			waitpid(pid, NULL, 0);
			kids[i] = 0;
		}
	}
	remove_objects();
	errno = saved;
}

/* @s, async-signal-safe, to @fd. */
static void put_str(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(fd, s, len);

		if (n <= 0)
			return;
		s += n;
		len -= n;
	}
}

/* "ipclab: MECH: interrupted by SIGNAL, ...", without stdio. */
static void say_interrupted(int sig)
{
	const char *abbrev = sigabbrev_np(sig);
	const char *args[2] = { mech_name, NULL };
	const char *p = interrupted_msg;
	char name[16] = "SIG";
	int k = 0;

	if (stderr_fd < 0 || !p)
		return;
	if (abbrev && strlen(abbrev) < sizeof(name) - 4)
		strcpy(name + 3, abbrev);
	else
		strcpy(name, "a signal");
	args[1] = name;
	put_str(stderr_fd, "ipclab: ");
	/* The message's two %s, in order: the mechanism and the signal. */
	while (*p) {
		const char *pc = strstr(p, "%s");
		char part[256];
		size_t len = pc ? (size_t)(pc - p) : strlen(p);

		if (len >= sizeof(part))
			len = sizeof(part) - 1;
		memcpy(part, p, len);
		part[len] = '\0';
		put_str(stderr_fd, part);
		if (!pc)
			break;
		if (k < 2)
			put_str(stderr_fd, args[k++]);
		p = pc + 2;
	}
	put_str(stderr_fd, "\n");
}

static void on_fatal_signal(int sig)
{
	if (getpid() == owner && !stopping) {
		stopping_tid = gettid();
		stopping = sig;
		if (quiet_fd >= 0)
			dup2(quiet_fd, STDERR_FILENO);
		cleanup_run();
		/* A closed pipe ('| head') ends us quietly, as it would anyone. */
		if (sig != SIGPIPE)
			say_interrupted(sig);
	}
	/* Die of the same signal, so our parent sees what happened (130...). */
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * The janitor: a process of its own (not our child, out of our session,
 * deaf to the terminal's signals) that waits for the coordinator to die,
 * however it dies (SIGKILL included: its pipe's write end closes), and
 * then removes what is still registered.  After a normal end there is
 * nothing left and it just exits.
 */
static void janitor_start(void)
{
	int p[2], devnull;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		die_errno("pipe");
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		/* Orphaned at once: the tests count ipclab's children. */
		if (fork() != 0)
			_exit(0);
		/*
		 * Nothing of ours but its end of the pipe: a copy of our
		 * stderr (stderr_fd) would keep a '2>&1 | cat' waiting.
		 */
		if (p[0] > 3)
			close_range(3, p[0] - 1, 0);
		close_range(p[0] + 1, ~0U, 0);
		setsid();
		for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++)
			signal(fatal_signals[i], SIG_IGN);
		prctl(PR_SET_NAME, "ipclab-cleanup");
		devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			/* Holding our stdout would keep a '| head' waiting. */
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		remove_objects();
		_exit(0);
	}
	close(p[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	janitor_fd = p[1];
}

static void cleanup_install(void)
{
	struct sigaction sa = { .sa_handler = on_fatal_signal };

	owner = getpid();
	if (nr_exchanges++)
		return;		/* ipclab bench: installed by the first one */
	reg = mmap(NULL, sizeof(*reg), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (reg == MAP_FAILED)
		die_errno("mmap(cleanup registry)");
	interrupted_msg = _("%s: interrupted by %s, every IPC object removed");
	quiet_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	stderr_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (atexit(cleanup_run))
		die("%s", _("atexit failed"));
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		sigaddset(&sa.sa_mask, fatal_signals[i]);
	for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		if (sigaction(fatal_signals[i], &sa, NULL))
			die_errno("sigaction");
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		if (sigaction(sig, &sa, NULL))
			die_errno("sigaction");
}

/*
 * In a participant process: signals as they were.  It keeps its copy of
 * the janitor's pipe: a dying coordinator closes its files before its
 * children get their PR_SET_PDEATHSIG, and a janitor woken by that alone
 * removed a queue under a receiver still alive ("msgrcv: Identifier
 * removed" on 7.2).  The janitor now waits for the participants too.
 */
static void participant_signals(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		signal(fatal_signals[i], SIG_DFL);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		signal(sig, SIG_DFL);
}

void lab_unique_name(char *buf, size_t len, const char *prefix)
{
	static unsigned int counter;

	snprintf(buf, len, "%sipclab-%d-%" PRIx64 "-%u", prefix, (int)getpid(),
		 now_ns() & (uint64_t)0xffffffffff, counter++);
}

/* ---- messages ---- */

uint64_t lab_fnv1a(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

void lab_pattern(void *buf, size_t len, uint64_t seq)
{
	/* xorshift64 seeded by the message number: each message differs. */
	uint64_t x = (seq + 1) * 0x9e3779b97f4a7c15ull;
	unsigned char *p = buf;

	if (fast_fill) {
		memset(buf, (int)(seq & 0xff), len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)x;
	}
}

static uint64_t fold(uint64_t sum, uint64_t h)
{
	return (sum ^ h) * 0x100000001b3ull;
}

static struct lab_result *my_result(struct lab *lab, int role)
{
	return &lab->res[role];
}

void lab_sent(struct lab *lab, const void *buf, size_t len)
{
	struct lab_result *r = my_result(lab, LAB_SENDER);

	if (lab->timing) {
		r->messages++;
		return;
	}
	r->checksum = fold(r->checksum, lab_fnv1a(buf, len));
	r->messages++;
}

static long futex(uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* The receiver's side of timing mode: count, and answer the sender. */
static void timing_received(struct lab *lab, struct lab_result *r)
{
	struct lab_timing *t = lab->timing;

	r->messages++;
	if (r->messages == lab->o.messages)
		t->end_ns = now_ns();
	if (!t->ack)
		return;
	__atomic_store_n(&t->acked, (uint32_t)r->messages, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&t->waiting, 0, __ATOMIC_SEQ_CST))
		futex(&t->acked, FUTEX_WAKE, 1);
}

/* The sender's side: wait for the previous message's answer, stamp. */
static void timing_pace(const struct lab *lab)
{
	struct lab_timing *t = lab->timing;
	uint64_t sent = lab->res[LAB_SENDER].messages;

	while (t->ack && __atomic_load_n(&t->acked, __ATOMIC_SEQ_CST) < sent) {
		uint32_t seen;

		__atomic_store_n(&t->waiting, 1, __ATOMIC_SEQ_CST);
		seen = __atomic_load_n(&t->acked, __ATOMIC_SEQ_CST);
		if (seen < sent && futex(&t->acked, FUTEX_WAIT, seen) &&
		    errno != EAGAIN && errno != EINTR)
			die_errno("futex");
	}
	if (sent < lab->o.messages)
		t->stamps[sent] = now_ns();
}

/*
 * lab_fnv1a() of what lab_pattern() writes, without a buffer: a buffer
 * kept per thread leaked when a --threads receiver ended (LeakSanitizer).
 */
static uint64_t pattern_fnv1a(size_t len, uint64_t seq)
{
	uint64_t x = (seq + 1) * 0x9e3779b97f4a7c15ull;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		unsigned char c;

		if (fast_fill) {
			c = (unsigned char)(seq & 0xff);
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			c = (unsigned char)x;
		}
		h ^= c;
		h *= 0x100000001b3ull;
	}
	return h;
}

void lab_received(struct lab *lab, const void *buf, size_t len)
{
	struct lab_result *r = my_result(lab, LAB_RECEIVER);
	uint64_t h;

	if (lab->timing) {
		timing_received(lab, r);
		return;
	}
	h = lab_fnv1a(buf, len);
	if (len != lab->o.size || h != pattern_fnv1a(len, r->messages))
		r->mismatches++;
	r->checksum = fold(r->checksum, h);
	r->messages++;
}

void lab_pace(const struct lab *lab)
{
	struct timespec ts = {
		.tv_sec = lab->o.interval_ms / 1000,
		.tv_nsec = (lab->o.interval_ms % 1000) * 1000000,
	};

	if (lab->timing) {
		timing_pace(lab);
		return;
	}
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void lab_read_full(int fd, void *buf, size_t len, const char *what)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("%s", what);
		if (n == 0)
			die(_("%s: end of file after %zu of %zu bytes"), what, done,
			    len);
		done += n;
	}
}

void lab_write_full(int fd, const void *buf, size_t len, const char *what)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("%s", what);
		done += n;
	}
}

void *lab_alloc(size_t len)
{
	void *p = malloc(len);

	if (!p)
		die_errno("malloc(%zu)", len);
	return p;
}

/* The byte-stream participants: pipes, FIFOs, stream sockets. */
void lab_send_stream(struct lab *lab, int fd, const char *what)
{
	unsigned char *buf = lab_alloc(lab->o.size);

	for (uint64_t i = 0; i < lab->o.messages; i++) {
		lab_pattern(buf, lab->o.size, i);
		lab_pace(lab);
		lab_write_full(fd, buf, lab->o.size, what);
		lab_sent(lab, buf, lab->o.size);
	}
	free(buf);
}

void lab_receive_stream(struct lab *lab, int fd, const char *what)
{
	unsigned char *buf = lab_alloc(lab->o.size);

	for (uint64_t i = 0; i < lab->o.messages; i++) {
		lab_read_full(fd, buf, lab->o.size, what);
		lab_received(lab, buf, lab->o.size);
	}
	free(buf);
}

uint64_t lab_proc_u64(const char *path, uint64_t fallback)
{
	unsigned long long v;
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return fallback;
	ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	return ok ? v : fallback;
}

/* ---- participants ---- */

struct lab_thread_arg {
	struct lab *lab;
	int role;
};

static void participate(struct lab *lab, int role)
{
	struct lab_result *r = my_result(lab, role);

	r->pid = gettid();
	r->tgid = getpid();
	if (role == LAB_SENDER)
		lab->mech->sender(lab);
	else
		lab->mech->receiver(lab);
	r->done = true;
}

static void *thread_main(void *p)
{
	struct lab_thread_arg *a = p;

	participate(a->lab, a->role);
	return NULL;
}

static void start_participant(struct lab *lab, int role,
			      struct lab_thread_arg *arg)
{
	pid_t pid;
	int err;

	if (lab->o.threads) {
		arg->lab = lab;
		arg->role = role;
		err = pthread_create(&lab->thread[role], NULL, thread_main, arg);
		if (err) {
			errno = err;
			die_errno("pthread_create(%s)", lab->mech->role[role]);
		}
		return;
	}
	fflush(stdout);		/* or the child would print our buffer again */
	pid = fork();
	if (pid < 0)
		die_errno("fork(%s)", lab->mech->role[role]);
	if (pid == 0) {
		/* Die with the coordinator, whatever kills it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL))
			die_errno("prctl(PR_SET_PDEATHSIG)");
		if (getppid() != lab->coordinator)
			_exit(1);
		participant_signals();
		participate(lab, role);
		_exit(0);
	}
	lab->pid[role] = pid;
	kids[role] = pid;
}

/*
 * Wait for both participants.  A process that dies of a signal or fails
 * stops the exchange: the other is killed (it may wait forever for a
 * message that will not come), everything is removed, exit 1.
 */
static void wait_participants(struct lab *lab)
{
	if (lab->o.threads) {
		for (int i = 0; i < LAB_NR_ROLES; i++) {
			int err = pthread_join(lab->thread[i], NULL);

			if (err) {
				errno = err;
				die_errno("pthread_join");
			}
		}
		return;
	}
	for (int left = LAB_NR_ROLES; left > 0; left--) {
		int status, role = -1;
		pid_t pid;

		do
			pid = waitpid(-1, &status, 0);
		while (pid < 0 && errno == EINTR);
		if (pid < 0)
			die_errno("waitpid");
		for (int i = 0; i < LAB_NR_ROLES; i++)
			if (lab->pid[i] == pid)
				role = i;
		if (role < 0)
			continue;
		kids[role] = 0;
		if (WIFSIGNALED(status))
			die(_("%s %d was killed by signal %d (%s): exchange stopped, everything removed"),
			    lab->mech->role[role], pid, WTERMSIG(status),
			    strsignal(WTERMSIG(status)));
		if (WEXITSTATUS(status))
			die(_("%s %d failed (exit status %d): exchange stopped, everything removed"),
			    lab->mech->role[role], pid, WEXITSTATUS(status));
	}
}

/* ---- options ---- */

static void usage(const struct lab_mech *m, FILE *out)
{
	fprintf(out,
		_("usage: ipclab %s [-n N] [-s BYTES] [--interval MS] [--threads] [--json | --quiet]\n\n"
		"%s.\n\n"
		"A %s sends N messages to a %s, which checks each one\n"
		"(FNV-1a of a deterministic pattern).  With the taskstate module\n"
		"loaded, the transitions both go through are shown with their\n"
		"causes, wait sites and wakers, then a summary per participant.\n\n"
		"  -n, --messages N   messages to send (1..%u, default 5)\n"
		"  -s, --size BYTES   bytes per message (1..%u, default %" PRIu64 ")\n"
		"      --interval MS  sender's pause before each message, so the\n"
		"                     receiver blocks waiting (0..%u, default 10)\n"
		"      --threads      participants are threads of one process\n"
		"                     (same tgid, cause 'thread' at creation)\n"
		"      --json         events as JSON lines, then a summary object\n"
		"      --quiet        the summary only\n"
		"      --lang zh|en   language of the text (default: the locale's)\n"
		"  -h, --help         this help\n"),
		m->name, _(m->summary), m->role[LAB_SENDER], m->role[LAB_RECEIVER],
		LAB_MAX_MESSAGES, LAB_MAX_SIZE, m->default_size,
		LAB_MAX_INTERVAL_MS);
	if (m->help)
		fprintf(out, "%s", _(m->help));
	fprintf(out, "%s", _("\nExit status: 0 when every message arrived intact, 1 on a failure\n"
			     "or a mismatch, 2 on bad usage.  Every IPC object is removed on exit.\n"));
}

static void parse_opts(const struct lab_mech *m, int argc, char **argv,
		       struct lab_opts *o)
{
	enum { OPT_INTERVAL = 256, OPT_THREADS, OPT_JSON, OPT_QUIET, OPT_UNNAMED };
	static const struct option opts[] = {
		{ "messages", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "threads", no_argument, NULL, OPT_THREADS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "unnamed", no_argument, NULL, OPT_UNNAMED },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int opt;

	*o = (struct lab_opts){ .messages = 5, .size = m->default_size,
				.interval_ms = 10 };
	opterr = 0;	/* our own one-line message instead of getopt's */
	while ((opt = getopt_long(argc, argv, "+n:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (!parse_u64(optarg, 1, LAB_MAX_MESSAGES, &o->messages))
				usage_error(_("%s: --messages must be 1..%u, not '%s'"),
					    m->name, LAB_MAX_MESSAGES, optarg);
			break;
		case 's':
			if (!parse_u64(optarg, 1, LAB_MAX_SIZE, &o->size))
				usage_error(_("%s: --size must be 1..%u bytes, not '%s'"),
					    m->name, LAB_MAX_SIZE, optarg);
			break;
		case OPT_INTERVAL:
			if (!parse_u64(optarg, 0, LAB_MAX_INTERVAL_MS,
				       &o->interval_ms))
				usage_error(_("%s: --interval must be 0..%u ms, not '%s'"),
					    m->name, LAB_MAX_INTERVAL_MS, optarg);
			break;
		case OPT_THREADS:
			o->threads = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_UNNAMED:
			if (strcmp(m->name, "posix-sem"))
				usage_error(_("%s: --unnamed is for posix-sem only"),
					    m->name);
			o->unnamed = true;
			break;
		case 'h':
			usage(m, stdout);
			exit(0);
		default:
			lab_bad_option(m->name, argv);
		}
	}
	lab_no_operands(m->name, argc, argv);
}

/* ---- one exchange ---- */

static void print_summary(struct lab *lab, const struct story *st, bool ok)
{
	const struct lab_result *s = &lab->res[LAB_SENDER];
	const struct lab_result *r = &lab->res[LAB_RECEIVER];

	if (lab->o.json) {
		printf("{\"summary\": {\"command\": \"%s\", \"mode\": \"%s\", \"messages\": %" PRIu64
		       ", \"size\": %" PRIu64 ", \"sent\": %" PRIu64
		       ", \"received\": %" PRIu64 ", \"mismatches\": %" PRIu64
		       ", \"checksum_sent\": \"%016" PRIx64 "\", \"checksum_received\": \"%016" PRIx64
		       "\", \"ok\": %s, ",
		       lab->mech->name, lab->o.threads ? "threads" : "processes",
		       lab->o.messages, lab->o.size, s->messages, r->messages,
		       r->mismatches, s->checksum, r->checksum,
		       ok ? "true" : "false");
		story_summary_json(st, lab->o.messages, stdout);
		printf("}}\n");
		return;
	}
	printf(ngettext("\n%s: %" PRIu64 " message of %" PRIu64 " bytes, %s %d -> %s %d (%s), checksums %s (%016" PRIx64 ")\n",
			"\n%s: %" PRIu64 " messages of %" PRIu64 " bytes, %s %d -> %s %d (%s), checksums %s (%016" PRIx64 ")\n",
			lab->o.messages),
	       lab->mech->name, lab->o.messages, lab->o.size,
	       lab->mech->role[LAB_SENDER], s->pid, lab->mech->role[LAB_RECEIVER],
	       r->pid, lab->o.threads ? _("threads of one process") : _("processes"),
	       ok ? _("match") : _("DO NOT MATCH"), r->checksum);
	story_summary_text(st, lab->o.messages);
}

/* The results page the participants write, and the cleanup on a signal. */
static void lab_prepare(struct lab *lab)
{
	lab->coordinator = getpid();
	mech_name = lab->mech->name;
	for (int i = 0; i < 4; i++)
		lab->fd[i] = -1;
	lab->res = mmap(NULL, sizeof(*lab->res) * LAB_NR_ROLES,
			PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (lab->res == MAP_FAILED)
		die_errno("mmap(results)");
	cleanup_install();
	/* Once, before any object exists (and before the story's session). */
	if (!lab->mech->anonymous && janitor_fd < 0)
		janitor_start();
}

/*
 * One exchange from the mechanism's setup to its teardown.  Return: both
 * sides finished and every message arrived intact.
 */
static bool lab_go(struct lab *lab, struct lab_thread_arg args[LAB_NR_ROLES])
{
	const struct lab_mech *mech = lab->mech;

	mech->setup(lab);
	/* The receiver first, so it is there (and waiting) when data comes. */
	start_participant(lab, LAB_RECEIVER, &args[LAB_RECEIVER]);
	start_participant(lab, LAB_SENDER, &args[LAB_SENDER]);
	wait_participants(lab);
	if (mech->teardown)
		mech->teardown(lab);
	cleanup_run();
	return lab->res[LAB_SENDER].done && lab->res[LAB_RECEIVER].done &&
	       lab->res[LAB_SENDER].messages == lab->o.messages &&
	       lab->res[LAB_RECEIVER].messages == lab->o.messages &&
	       !lab->res[LAB_RECEIVER].mismatches;
}

int lab_main(const struct lab_mech *mech, int argc, char **argv)
{
	struct lab_thread_arg args[LAB_NR_ROLES];
	struct lab lab = { .mech = mech };
	struct story st;
	uint64_t limit;
	const char *limit_name = "";
	bool ok;

	parse_opts(mech, argc, argv, &lab.o);
	limit = mech->max_size ? mech->max_size(&lab, &limit_name) : 0;
	if (limit && lab.o.size > limit)
		usage_error(_("%s: --size %" PRIu64 " is over the limit of %" PRIu64 " bytes (%s)"),
			    mech->name, lab.o.size, limit, _(limit_name));

	setvbuf(stdout, NULL, _IOLBF, 0);
	lab_prepare(&lab);
	/* Before the setup: its forks and first blocks are part of the story. */
	story_open(&st, lab.o.json, lab.o.quiet);
	ok = lab_go(&lab, args) &&
	     lab.res[LAB_SENDER].checksum == lab.res[LAB_RECEIVER].checksum;

	/* Threads report their ids themselves: known only now. */
	story_role(&st, mech->role[LAB_SENDER], lab.res[LAB_SENDER].pid);
	story_role(&st, mech->role[LAB_RECEIVER], lab.res[LAB_RECEIVER].pid);
	story_tell(&st, lab.o.threads, 3000);
	print_summary(&lab, &st, ok);
	story_close(&st);
	if (!ok) {
		fprintf(stderr, _("ipclab: %s: %" PRIu64 " of %" PRIu64 " messages damaged or missing\n"),
			mech->name,
			lab.res[LAB_RECEIVER].mismatches +
				(lab.o.messages - lab.res[LAB_RECEIVER].messages),
			lab.o.messages);
		return 1;
	}
	return 0;
}

bool lab_exchange(const struct lab_mech *mech, const struct lab_opts *o,
		  struct lab_timing *t)
{
	struct lab_thread_arg args[LAB_NR_ROLES];
	struct lab lab = { .mech = mech, .o = *o, .timing = t };
	bool ok;

	fast_fill = t != NULL;
	lab_prepare(&lab);
	ok = lab_go(&lab, args);
	munmap(lab.res, sizeof(*lab.res) * LAB_NR_ROLES);
	fast_fill = false;
	return ok;
}
