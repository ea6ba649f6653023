// SPDX-License-Identifier: GPL-2.0
/*
 * The state model where the kernel is subtle: a sleep that a signal aborts
 * inside __schedule(), who killed a task that sleeps in D or was killed
 * from an interrupt, exec from a thread that is not the leader, io_uring's
 * workers, and counters read while they change.  Each case once produced a
 * wrong event; each test states the rule the events must keep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/stream.h"
#include "lib/util.h"

#define NSEC_PER_MSEC	1000000ull

FIXTURE(model) {
	struct ts_stream *s;
	struct taskstate_event *ev;	/* what the test has read so far */
	size_t n, cap;
	pid_t kids[4];			/* killed and reaped at teardown */
};

FIXTURE_SETUP(model)
{
	self->s = ts_stream_open(NULL, 0);
	if (!self->s && errno == ENOENT)
		SKIP(return, MODULE_MISSING);
	ASSERT_NE(NULL, self->s) TH_LOG("open %s: %s", TS_DEV_PATH,
					strerror(errno));
}

FIXTURE_TEARDOWN(model)
{
	for (size_t i = 0; i < sizeof(self->kids) / sizeof(self->kids[0]); i++) {
		if (self->kids[i] > 0) {
			kill(self->kids[i], SIGKILL);
			waitpid(self->kids[i], NULL, 0);
		}
	}
	ts_stream_close(self->s);
	free(self->ev);
}

static void filter(struct __test_metadata *_metadata, struct ts_stream *s,
		   uint32_t flags, pid_t pid)
{
	struct taskstate_filter f;

	ASSERT_EQ(0, ts_filter_pids(&f, flags, &pid, 1));
	ASSERT_EQ(0, ts_stream_set_filter(s, &f));
	ASSERT_EQ(0, ts_stream_start(s));
}

/* Read everything there is into self->ev until @ms pass without a record. */
static void drain(struct __test_metadata *_metadata, FIXTURE_DATA(model) *self,
		  int ms)
{
	for (;;) {
		ssize_t n;

		if (self->cap - self->n < TS_STREAM_BATCH) {
			size_t cap = self->cap ? 2 * self->cap : 4096;
			void *ev = realloc(self->ev, cap * sizeof(*self->ev));

			ASSERT_GE(1 << 22, cap) TH_LOG("too many records");
			ASSERT_NE(NULL, ev);
			self->ev = ev;
			self->cap = cap;
		}
		n = ts_stream_read(self->s, self->ev + self->n, TS_STREAM_BATCH,
				   ms);
		ASSERT_LE(0, n) TH_LOG("read: %s", strerror(-n));
		if (!n)
			return;
		self->n += n;
	}
}

/* The first event of @pid with transition @tr, or NULL. */
static const struct taskstate_event *find(FIXTURE_DATA(model) *self, pid_t pid,
					  int tr)
{
	for (size_t i = 0; i < self->n; i++)
		if (self->ev[i].kind == TASKSTATE_KIND_EVENT &&
		    self->ev[i].pid == pid && self->ev[i].transition == tr)
			return &self->ev[i];
	return NULL;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* A child that keeps CPU 0 busy, so a task leaving it has a successor. */
static pid_t spin_on_cpu0(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pin_to_cpu(0);
		for (;;)
			;
	}
	return pid;
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * A task that goes to sleep with a signal already pending is put back to
 * TASK_RUNNING inside __schedule() and stays queued, while sched_switch
 * reports the sleeping state.  It never blocked: it was ready, and every
 * dispatch of a task comes from ready.
 */
TEST_F_TIMEOUT(model, every_dispatch_comes_from_ready_under_a_signal_storm,
	       60 * TS_TIME_SCALE)
{
	uint64_t until;
	pid_t sleeper;
	size_t checked = 0, blocks = 0;
	int last_to = -1;

	RETURN_IF_SETUP_SKIPPED();

	/*
	 * The sleeper shares CPU 0 with a spinner, so that __schedule() has
	 * somebody else to switch to when it finds the signal; the signals
	 * come from CPU 1, so they can land while it is on its way out.
	 */
	self->kids[1] = spin_on_cpu0();
	ASSERT_LE(0, self->kids[1]);
	/* Before the fork: a signal before the child's own signal() kills it. */
	signal(SIGUSR1, on_usr1);
	sleeper = fork();
	ASSERT_LE(0, sleeper);
	if (sleeper == 0) {
		struct timespec ts = { 0, 100000 };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pin_to_cpu(0);
		for (;;)
			nanosleep(&ts, NULL);
	}
	self->kids[0] = sleeper;
	filter(_metadata, self->s, TASKSTATE_FILTER_PIDS, sleeper);
	pin_to_cpu(1);
	until = now_ns() + TS_MS(8000) * NSEC_PER_MSEC;
	/*
	 * Paced: a signal always pending would make every nanosleep()
	 * return at once, and the sleeper would never block at all (seen
	 * on the debug kernel, where the sleeper runs ten times slower).
	 */
	while (now_ns() < until) {
		for (int i = 0; i < 20; i++)
			syscall(SYS_tgkill, sleeper, sleeper, SIGUSR1);
		drain(_metadata, self, 0);
		usleep(200);
	}
	kill(sleeper, SIGKILL);
	waitpid(sleeper, NULL, 0);
	self->kids[0] = 0;
	drain(_metadata, self, 200);

	for (size_t i = 0; i < self->n; i++) {
		const struct taskstate_event *ev = &self->ev[i];

		if (ev->kind == TASKSTATE_KIND_LOST) {
			last_to = -1;	/* a gap: start again */
			continue;
		}
		if (ev->pid != sleeper)
			continue;
		blocks += ev->transition == TASKSTATE_TR_BLOCK;
		if (ev->transition == TASKSTATE_TR_DISPATCH && last_to >= 0) {
			EXPECT_EQ(TASKSTATE_READY, last_to)
				TH_LOG("record %zu: dispatched from state %d",
				       i, last_to);
			checked++;
		}
		if (ev->transition != TASKSTATE_TR_NONE)
			last_to = ev->to;
	}
	TH_LOG("%zu dispatches checked, %zu blocks", checked, blocks);
	/* The storm really made it sleep and wake, or nothing was shown. */
	EXPECT_LT(20, blocks);
}

/* Fault-handling thread's side: a write() that faults on @page. */
struct pipe_writer {
	int fd;
	char *page;
	pid_t tid;
};

static void *write_faulting(void *arg)
{
	struct pipe_writer *w = arg;

	w->tid = gettid();
	/* pipe_write() holds the pipe's mutex while it copies (and faults). */
	if (write(w->fd, w->page, 64) != 64)
		return (void *)1;
	return NULL;
}

/*
 * SIGKILL does not wake a task in D: it dies when the lock it waits for is
 * released.  The kill is the sender's, not the lock holder's.  The lock is
 * a pipe's mutex, held by a writer that faults on a userfaultfd page.
 */
TEST_F(model, a_d_sleeper_killed_names_the_sender_not_the_lock_holder)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct uffdio_zeropage zero = { 0 };
	const struct taskstate_event *ev;
	struct pipe_writer w = { 0 };
	int fds[2], go[2], uffd, status, d_blocks = 0;
	struct uffd_msg msg;
	struct pollfd pfd;
	pthread_t writer;
	pid_t reader;
	char c;

	RETURN_IF_SETUP_SKIPPED();

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		SKIP(return, "userfaultfd: %s (%s)", strerror(errno),
		     errno == ENOSYS ? "a kernel without CONFIG_USERFAULTFD" :
				       "kernel faults need root");
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	ASSERT_EQ(0, pipe(fds));
	ASSERT_EQ(0, pipe(go));

	reader = fork();
	ASSERT_LE(0, reader);
	if (reader == 0) {
		char buf[64];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (read(go[0], &c, 1) != 1)
			_exit(98);
		read(fds[0], buf, sizeof(buf));	/* D: the writer holds the lock */
		_exit(0);
	}
	self->kids[0] = reader;
	filter(_metadata, self->s, TASKSTATE_FILTER_PIDS, reader);

	w.fd = fds[1];
	w.page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, w.page);
	reg.range.start = (unsigned long)w.page;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, pthread_create(&writer, NULL, write_faulting, &w));

	/* The writer is in its fault, with the pipe's mutex held. */
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, TS_MS(10000)));
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_TRUE(ts_wait_state(reader, 'D', 10000))
		TH_LOG("the reader never waited for the pipe's mutex");
	ASSERT_EQ(0, kill(reader, SIGKILL));
	usleep(50000);
	EXPECT_EQ('D', ts_proc_state(reader));	/* SIGKILL did not wake it */

	zero.range.start = (unsigned long)w.page;
	zero.range.len = 4096;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zero));
	ASSERT_EQ(0, pthread_join(writer, NULL));
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	self->kids[0] = 0;
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	drain(_metadata, self, 300);
	/* A mutex is not I/O: D, cause uninterruptible. */
	for (size_t i = 0; i < self->n; i++) {
		ev = &self->ev[i];
		if (ev->kind == TASKSTATE_KIND_EVENT && ev->pid == reader &&
		    ev->transition == TASKSTATE_TR_BLOCK &&
		    ev->linux_state == 'D') {
			EXPECT_EQ(TASKSTATE_CAUSE_UNINTERRUPTIBLE, ev->cause);
			d_blocks++;
		}
	}
	EXPECT_LT(0, d_blocks) TH_LOG("the reader never blocked in D");
	ev = find(self, reader, TASKSTATE_TR_KILL_BLOCKED);
	ASSERT_NE(NULL, ev) TH_LOG("no blocked->exit among %zu records", self->n);
	EXPECT_EQ(TASKSTATE_CAUSE_KILLED, ev->cause);
	EXPECT_EQ(SIGKILL, ev->signal);
	EXPECT_EQ(getpid(), ev->other_pid)
		TH_LOG("killer %d (%s); the lock holder was %d", ev->other_pid,
		       ev->other_comm, w.tid);
	close(uffd);
	close(fds[0]);
	close(fds[1]);
	close(go[0]);
	close(go[1]);
	munmap(w.page, 4096);
}

/*
 * An itimer's SIGALRM is sent from the timer interrupt, where current is
 * whatever task was interrupted: here a busy stranger on the same CPU.
 * The victim's exit must not name it.
 */
TEST_F(model, a_kill_from_an_interrupt_names_no_task)
{
	const struct taskstate_event *ev = NULL;
	pid_t victim, spinner;
	int status;

	RETURN_IF_SETUP_SKIPPED();

	spinner = spin_on_cpu0();
	ASSERT_LE(0, spinner);
	self->kids[0] = spinner;
	victim = fork();
	ASSERT_LE(0, victim);
	if (victim == 0) {
		struct itimerval it = { .it_value = { 0, 200000 } };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pin_to_cpu(0);
		/* Mostly waiting for the CPU: the spinner is what runs. */
		setpriority(PRIO_PROCESS, 0, 19);
		setitimer(ITIMER_REAL, &it, NULL);
		for (;;)
			;
	}
	self->kids[1] = victim;
	filter(_metadata, self->s, TASKSTATE_FILTER_PIDS, victim);
	ASSERT_EQ(victim, waitpid(victim, &status, 0));
	self->kids[1] = 0;
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM);

	drain(_metadata, self, 300);
	for (size_t i = 0; i < self->n; i++)
		if (self->ev[i].kind == TASKSTATE_KIND_EVENT &&
		    self->ev[i].pid == victim &&
		    self->ev[i].to == TASKSTATE_EXIT)
			ev = &self->ev[i];
	ASSERT_NE(NULL, ev) TH_LOG("no exit among %zu records", self->n);
	EXPECT_EQ(TASKSTATE_CAUSE_KILLED, ev->cause);
	EXPECT_EQ(SIGALRM, ev->signal);
	EXPECT_NE(spinner, ev->other_pid) TH_LOG("the spinner named as killer");
	EXPECT_EQ(0, ev->other_pid) TH_LOG("killer %d (%s)", ev->other_pid,
					   ev->other_comm);
}

/* A number from /proc/taskstate/transitions: the line starting @name. */
static long long transitions_value(const char *name)
{
	char line[512];
	long long v = -1;
	FILE *f = fopen("/proc/taskstate/transitions", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)))
			sscanf(line + strlen(name), "%lld", &v);
	fclose(f);
	return v;
}

/*
 * Long enough to be seen asleep: 0.3 s, 3 s on a debug kernel, where the
 * test's own polling of /proc once outlasted 0.3 s.
 */
static void *exec_sleep(void *arg)
{
	char secs[16];

	(void)arg;
	snprintf(secs, sizeof(secs), "%d.%03d", TS_MS(300) / 1000,
		 TS_MS(300) % 1000);
	execl("/bin/sleep", "sleep", secs, (char *)NULL);
	return (void *)1;
}

/* One line of /proc/taskstate/tasks for @pid: its STATE word into @state. */
static int tasks_state(pid_t pid, char *state, size_t len)
{
	char line[512], word[32];
	int p, found = -1;
	FILE *f = fopen("/proc/taskstate/tasks", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %*d %*s %31s", &p, word) == 2 && p == pid) {
			snprintf(state, len, "%s", word);
			found = 0;
		}
	fclose(f);
	return found;
}

/*
 * exec from a thread that is not the leader: de_thread() gives it the
 * leader's pid.  Its record follows it; nothing is evicted.
 */
TEST_F_TIMEOUT(model, exec_from_a_non_leader_thread_evicts_nothing,
	       60 * TS_TIME_SCALE)
{
	long long before, after;
	char state[32];

	RETURN_IF_SETUP_SKIPPED();

	before = transitions_value("record-evictions");
	ASSERT_LE(0, before);
	for (int i = 0; i < 20; i++) {
		pid_t pid = fork();
		int status;

		ASSERT_LE(0, pid);
		if (pid == 0) {
			pthread_t t;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (pthread_create(&t, NULL, exec_sleep, NULL))
				_exit(97);
			pthread_join(t, NULL);
			_exit(96);
		}
		self->kids[0] = pid;
		/* sleep(1) runs as @pid and sleeps: blocked, in its own record. */
		for (int tries = 0; tries < TS_MS(300); tries++) {
			char comm[64] = "";
			char path[64];
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/comm", pid);
			f = fopen(path, "re");
			if (f) {
				if (!fgets(comm, sizeof(comm), f))
					comm[0] = '\0';
				fclose(f);
			}
			if (!strcmp(comm, "sleep\n") && ts_proc_state(pid) == 'S')
				break;
			usleep(10000);
		}
		/*
		 * /proc says S from set_current_state() on, a moment before
		 * the switch the module sees: allow it that moment.
		 */
		for (int tries = 0; tries < TS_MS(300); tries++) {
			ASSERT_EQ(0, tasks_state(pid, state, sizeof(state)));
			if (!strcmp(state, "blocked"))
				break;
			usleep(10000);
		}
		EXPECT_STREQ("blocked", state);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		self->kids[0] = 0;
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	after = transitions_value("record-evictions");
	EXPECT_EQ(before, after) TH_LOG("20 non-leader execs evicted %lld records",
					after - before);
}

/*
 * io_uring's SQPOLL thread is made by create_io_thread(), which has no
 * sched_process_fork: it still starts with none->new, then new->ready.
 */
TEST_F(model, an_io_uring_worker_is_created_before_it_is_admitted)
{
	const struct taskstate_event *created = NULL, *admitted = NULL;
	int go[2], status;
	pid_t owner, worker = 0;
	char c;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe(go));
	owner = fork();
	ASSERT_LE(0, owner);
	if (owner == 0) {
		struct io_uring_params p = { .flags = IORING_SETUP_SQPOLL,
					     .sq_thread_idle = 10 };
		int ring;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (read(go[0], &c, 1) != 1)
			_exit(98);
		ring = syscall(SYS_io_uring_setup, 4, &p);
		if (ring < 0)
			_exit(errno == ENOSYS || errno == EPERM ? 4 : 5);
		usleep(50000);
		close(ring);
		_exit(0);
	}
	self->kids[0] = owner;
	filter(_metadata, self->s, TASKSTATE_FILTER_TGIDS, owner);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(owner, waitpid(owner, &status, 0));
	self->kids[0] = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
		SKIP(return, "io_uring is not available to this process");
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	drain(_metadata, self, 300);
	/* It names itself once it runs: created and admitted, it has our name. */
	for (size_t i = 0; i < self->n && !worker; i++)
		if (self->ev[i].kind == TASKSTATE_KIND_EVENT &&
		    !strncmp(self->ev[i].comm, "iou-", 4))
			worker = self->ev[i].pid;
	ASSERT_NE(0, worker) TH_LOG("no io_uring thread among %zu records",
				    self->n);
	for (size_t i = 0; i < self->n; i++) {
		const struct taskstate_event *ev = &self->ev[i];

		if (ev->kind != TASKSTATE_KIND_EVENT || ev->pid != worker)
			continue;
		if (ev->transition == TASKSTATE_TR_CREATE && !created)
			created = ev;
		if (ev->transition == TASKSTATE_TR_ADMIT && !admitted)
			admitted = ev;
	}
	ASSERT_NE(NULL, admitted) TH_LOG("io_uring thread %d never admitted",
					 worker);
	ASSERT_NE(NULL, created) TH_LOG("%s admitted, never created",
					admitted->comm);
	EXPECT_EQ(created->pid, admitted->pid);
	EXPECT_LT(created, admitted);
	EXPECT_EQ(owner, created->tgid);
	EXPECT_EQ(TASKSTATE_CAUSE_THREAD, created->cause);
	close(go[0]);
	close(go[1]);
}

/* Forks and reaps until told to stop: counters keep changing. */
static void fork_storm(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

/* Each row of the transitions table: count == the sum of its causes. */
static int rows_add_up(char *bad, size_t len)
{
	char line[1024];
	int rows = 0;
	FILE *f = fopen("/proc/taskstate/transitions", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long count, n, sum = 0;
		char *p, *eq;
		int tr, used;

		if (sscanf(line, "%d %*s %llu%n", &tr, &count, &used) != 2)
			continue;
		rows++;
		for (p = line + used; (eq = strchr(p, '=')); p = eq + 1) {
			if (sscanf(eq + 1, "%llu", &n) == 1)
				sum += n;
		}
		if (sum != count) {
			snprintf(bad, len, "%s", line);
			fclose(f);
			return -2;
		}
	}
	fclose(f);
	return rows;
}

TEST_F(model, transition_counts_are_the_sums_of_their_causes)
{
	char bad[1024] = "";
	pid_t storm[2];

	RETURN_IF_SETUP_SKIPPED();

	for (int i = 0; i < 2; i++) {
		storm[i] = fork();
		ASSERT_LE(0, storm[i]);
		if (storm[i] == 0)
			fork_storm();
		self->kids[i] = storm[i];
	}
	for (int i = 0; i < 300; i++) {
		int rows = rows_add_up(bad, sizeof(bad));

		ASSERT_EQ(9, rows) TH_LOG("read %d: %s", i, bad);
	}
}

static void *spin(void *arg)
{
	volatile int *tid = arg;

	*tid = gettid();
	for (;;)
		;
	return NULL;
}

/*
 * A signal that kills the whole group reaches every thread (as SIGKILL,
 * from complete_signal()), not only the one it was sent to: each thread's
 * exit names the sender, including a thread that was running then.
 */
TEST_F(model, a_group_kill_names_the_sender_for_every_thread)
{
	const struct taskstate_event *main_exit = NULL, *spin_exit = NULL;
	int ready[2], never[2], status;
	pid_t victim, spinner_tid;

	RETURN_IF_SETUP_SKIPPED();

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(never));
	victim = fork();
	ASSERT_LE(0, victim);
	if (victim == 0) {
		static volatile int tid;
		pthread_t t;
		char c;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (pthread_create(&t, NULL, spin, (void *)&tid))
			_exit(97);
		while (!tid)
			;
		spinner_tid = tid;
		if (write(ready[1], &spinner_tid, sizeof(spinner_tid)) !=
		    sizeof(spinner_tid))
			_exit(96);
		read(never[0], &c, 1);	/* blocks: nobody writes */
		_exit(95);
	}
	self->kids[0] = victim;
	filter(_metadata, self->s, TASKSTATE_FILTER_TGIDS, victim);
	ASSERT_EQ(sizeof(spinner_tid), read(ready[0], &spinner_tid,
					    sizeof(spinner_tid)));
	ASSERT_TRUE(ts_wait_state(victim, 'S', 10000));
	ASSERT_EQ(0, kill(victim, SIGTERM));
	ASSERT_EQ(victim, waitpid(victim, &status, 0));
	self->kids[0] = 0;
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);

	drain(_metadata, self, 300);
	for (size_t i = 0; i < self->n; i++) {
		const struct taskstate_event *ev = &self->ev[i];

		if (ev->kind != TASKSTATE_KIND_EVENT || ev->to != TASKSTATE_EXIT)
			continue;
		if (ev->pid == victim)
			main_exit = ev;
		if (ev->pid == spinner_tid)
			spin_exit = ev;
	}
	ASSERT_NE(NULL, main_exit);
	ASSERT_NE(NULL, spin_exit) TH_LOG("no exit of thread %d", spinner_tid);
	EXPECT_EQ(TASKSTATE_CAUSE_KILLED, spin_exit->cause);
	EXPECT_EQ(getpid(), main_exit->other_pid);
	EXPECT_EQ(getpid(), spin_exit->other_pid)
		TH_LOG("the running thread's killer: %d (%s)",
		       spin_exit->other_pid, spin_exit->other_comm);
	close(ready[0]);
	close(ready[1]);
	close(never[0]);
	close(never[1]);
}

/*
 * The exit letter says whether the task will wait to be reaped: a child
 * whose parent ignores SIGCHLD is released at once (X), another one
 * stays a zombie (Z) until its parent waits.
 */
TEST_F(model, an_autoreaped_child_exits_as_x_a_waited_one_as_z)
{
	char letter[2] = { 0, 0 };
	int status;

	RETURN_IF_SETUP_SKIPPED();

	for (int ignore = 0; ignore < 2; ignore++) {
		const struct taskstate_event *ev = NULL;
		pid_t parent, child = 0;
		int link[2], go[2];
		char c;

		ASSERT_EQ(0, pipe(link));
		ASSERT_EQ(0, pipe(go));
		parent = fork();
		ASSERT_LE(0, parent);
		if (parent == 0) {
			pid_t pid;

			if (ignore)
				signal(SIGCHLD, SIG_IGN);
			pid = fork();
			if (pid == 0) {
				if (read(go[0], &c, 1) != 1)
					_exit(1);
				_exit(0);
			}
			if (write(link[1], &pid, sizeof(pid)) != sizeof(pid))
				_exit(1);
			/* Ignoring SIGCHLD, this returns ECHILD once it is gone. */
			waitpid(pid, NULL, 0);
			_exit(0);
		}
		ASSERT_EQ(sizeof(child), read(link[0], &child, sizeof(child)));
		filter(_metadata, self->s, TASKSTATE_FILTER_PIDS, child);
		ASSERT_EQ(1, write(go[1], "g", 1));
		ASSERT_EQ(parent, waitpid(parent, &status, 0));
		close(go[0]);
		close(go[1]);
		self->n = 0;
		drain(_metadata, self, 300);
		for (size_t i = 0; i < self->n; i++)
			if (self->ev[i].kind == TASKSTATE_KIND_EVENT &&
			    self->ev[i].pid == child &&
			    self->ev[i].to == TASKSTATE_EXIT)
				ev = &self->ev[i];
		ASSERT_NE(NULL, ev) TH_LOG("no exit of child %d", child);
		letter[ignore] = ev->linux_state;
		close(link[0]);
		close(link[1]);
	}
	EXPECT_EQ('Z', letter[0]);
	EXPECT_EQ('X', letter[1]);
}

TEST_HARNESS_MAIN
