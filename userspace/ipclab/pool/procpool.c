// SPDX-License-Identifier: GPL-2.0
/*
 * procpool: see procpool.h for the contract.
 *
 * One manager thread per pool owns the workers: it forks them (so that
 * their parent-death signal follows a thread that lives as long as the
 * pool), hands each idle one a task, reads results and notices deaths.
 * It sleeps in poll() on the workers' sockets and on an eventfd that
 * submit and shutdown poke.  Callers never talk to workers themselves;
 * they share the queue and the counters with the manager under one mutex.
 *
 * Worker slots (pid, fd, task) are written only by the manager, under the
 * lock, so the manager may read them without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pool_core.h"
#include "procpool.h"

_Static_assert(PP_PENDING == POOL_PENDING && PP_RUNNING == POOL_RUNNING &&
	       PP_DONE == POOL_DONE && PP_CANCELLED == POOL_CANCELLED,
	       "enum pp_status extends pool_core's status");

#define PP_MAX_WORKERS 1024

/* How long the manager waits before trying a failed fork again. */
#define PP_RESPAWN_RETRY_MS 100

struct pp_task {
	struct pool_task core;
	pp_fn fn;
	size_t len;
	int sig, exit_code;		/* how the worker ended, for PP_CRASHED */
	_Alignas(max_align_t) unsigned char arg[PP_ARG_MAX];
};

/* Parent to worker: one task.  Only the first len bytes of arg matter. */
struct pp_request {
	uint64_t seq;
	pp_fn fn;
	uint32_t len;
	/* A task reads its struct in place: align it for any type. */
	_Alignas(max_align_t) unsigned char arg[PP_ARG_MAX];
};

/* Worker to parent: the result of the task @seq. */
struct pp_reply {
	uint64_t seq;
	int64_t result;
};

struct pp_worker {
	pid_t pid;			/* 0: empty slot */
	int fd;				/* our end of its socketpair, or -1 */
	int pidfd;			/* to signal it, or -1 (kernel < 5.3) */
	struct pp_task *task;		/* the task it runs, NULL when idle */
	uint64_t seq;			/* that task's number */
};

struct pp_pool {
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* nothing queued or running */
	pthread_cond_t left;		/* manager ready/gone, callers gone */

	struct pool_queue queue;
	size_t running;

	struct pp_worker *w;
	unsigned int nworkers;
	struct pollfd *pfds;		/* manager only: wake_fd + one per slot */

	uint64_t submitted, completed, cancelled, crashed, forks, seq;
	unsigned int callers;

	int wake_fd;			/* eventfd: something for the manager */
	bool poked;			/* a wakeup is pending already */
	pthread_t manager;
	pid_t parent;			/* getpid() of the pool's process */
	sigset_t child_mask;		/* the creator's mask, for workers */

	bool ready;			/* manager has forked the first workers */
	int start_err;
	bool shutting_down, stop, joined;
	enum pp_shutdown_how how;
	struct pool_task *killed;	/* running tasks a CANCEL killed */
};

static void task_put(struct pp_task *t)
{
	if (pool_task_put(&t->core))
		free(t);
}

/* Wake the manager; under the pool lock. */
static void poke(struct pp_pool *pool)
{
	uint64_t one = 1;

	if (pool->poked)
		return;
	/*
	 * Can only fail with EAGAIN when the counter is about to overflow,
	 * which means a wakeup is pending anyway.
	 */
	if (write(pool->wake_fd, &one, sizeof(one)) == sizeof(one))
		pool->poked = true;
}

/* ---- the worker process ------------------------------------------------ */

__attribute__((noreturn))
static void worker_main(struct pp_pool *pool, unsigned int slot, int fd)
{
	struct pp_request req;
	struct pp_reply rep;
	ssize_t n;

	/*
	 * Die with the manager thread; if it already died between fork() and
	 * here, the signal was never armed, so look.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(127);
	if (getppid() != pool->parent)
		_exit(127);
	/* The manager runs with every signal blocked; tasks should not. */
	sigprocmask(SIG_SETMASK, &pool->child_mask, NULL);
	/*
	 * Our copies of the other workers' sockets would keep them open
	 * after the pool closes them; the eventfd is none of our business.
	 */
	close(pool->wake_fd);
	for (unsigned int i = 0; i < pool->nworkers; i++) {
		if (i != slot && pool->w[i].fd >= 0)
			close(pool->w[i].fd);
		if (pool->w[i].pidfd >= 0)
			close(pool->w[i].pidfd);
	}

	for (;;) {
		n = recv(fd, &req, sizeof(req), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(req) || req.len > PP_ARG_MAX)
			_exit(0);	/* the pool closed our socket */
		rep.seq = req.seq;
		rep.result = req.fn(req.arg, req.len);
		do {
			n = send(fd, &rep, sizeof(rep), MSG_NOSIGNAL);
		} while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(rep))
			_exit(0);
	}
}

/*
 * Start a worker in @slot.  Called by the manager without the pool lock:
 * a fork can take a while and must not hold up submitters.  The child
 * gets a copy of the lock in whatever state, and never touches it.
 */
static int spawn(struct pp_pool *pool, unsigned int slot)
{
	int sv[2], pidfd;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		close(sv[0]);
		worker_main(pool, slot, sv[1]);
	}
	close(sv[1]);
	/*
	 * The child cannot have been reaped yet (it waits for a task), so
	 * this pidfd is surely it: signals through it never hit a process
	 * that reused the pid after someone else reaped ours.
	 */
	pidfd = pidfd_open(pid, 0);
	pthread_mutex_lock(&pool->lock);
	pool->w[slot].pid = pid;
	pool->w[slot].fd = sv[0];
	pool->w[slot].pidfd = pidfd;
	pool->w[slot].task = NULL;
	pool->forks++;
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

/* SIGKILL a worker, by pidfd where the kernel has them. */
static void kill_worker(struct pp_worker *w)
{
	if (w->pidfd >= 0)
		pidfd_send_signal(w->pidfd, SIGKILL, NULL, 0);
	else
		kill(w->pid, SIGKILL);
}

/* Reap @pid; its exit status, or -1 if someone else reaped it. */
static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return st;
}

/*
 * Under the lock: the worker in @slot is gone (its socket hung up) or
 * misbehaves.  Kill it to be sure (a task may have closed the socket and
 * lived on; a signal after exit began does not change the exit status),
 * reap it, and report its task.
 */
static void worker_died(struct pp_pool *pool, unsigned int slot)
{
	struct pp_worker *w = &pool->w[slot];
	struct pp_task *t = w->task;
	int st;

	kill_worker(w);
	st = reap(w->pid);
	close(w->fd);
	if (w->pidfd >= 0)
		close(w->pidfd);
	w->pid = 0;
	w->fd = -1;
	w->pidfd = -1;
	w->task = NULL;
	if (!t)
		return;
	t->sig = st != -1 && WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	t->exit_code = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 0;
	pool_task_finish(&t->core, PP_CRASHED);
	task_put(t);
	pool->crashed++;
	pool->running--;
	if (!pool->queue.len && !pool->running)
		pthread_cond_broadcast(&pool->idle);
}

/* Under the lock: give queued tasks to idle workers. */
static void dispatch(struct pp_pool *pool)
{
	struct pp_request req;
	struct pp_task *t;
	ssize_t n;

	for (unsigned int i = 0; i < pool->nworkers && pool->queue.head; i++) {
		struct pp_worker *w = &pool->w[i];

		if (!w->pid || w->task)
			continue;
		/* Taken off the queue only once its worker has it. */
		t = pool_task_of(pool->queue.head, struct pp_task);
		req.seq = ++pool->seq;
		req.fn = t->fn;
		req.len = t->len;
		memcpy(req.arg, t->arg, t->len);
		/*
		 * An idle worker's socket is empty, so this cannot block;
		 * MSG_NOSIGNAL makes a dead worker an EPIPE, not our death.
		 */
		n = send(w->fd, &req, sizeof(req), MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n != (ssize_t)sizeof(req)) {
			worker_died(pool, i);	/* the task stays queued */
			continue;
		}
		pool_queue_pop(&pool->queue);
		pool->running++;
		w->task = t;
		w->seq = req.seq;
		__atomic_store_n(&t->core.status, PP_RUNNING, __ATOMIC_RELAXED);
	}
}

/* Under the lock: the worker in @slot has something to say. */
static void worker_readable(struct pp_pool *pool, unsigned int slot)
{
	struct pp_worker *w = &pool->w[slot];
	struct pp_task *t = w->task;
	struct pp_reply rep;
	ssize_t n;

	n = recv(w->fd, &rep, sizeof(rep), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n != (ssize_t)sizeof(rep) || !t || rep.seq != w->seq) {
		/* Hung up, or sent what we did not ask for: either way, gone. */
		worker_died(pool, slot);
		return;
	}
	t->core.result = rep.result;
	pool_task_finish(&t->core, PP_DONE);
	task_put(t);
	w->task = NULL;
	pool->running--;
	pool->completed++;
	if (!pool->queue.len && !pool->running)
		pthread_cond_broadcast(&pool->idle);
}

/* Kill and reap every worker; the pool lock is not held. */
static void kill_all(struct pp_pool *pool)
{
	for (unsigned int i = 0; i < pool->nworkers; i++)
		if (pool->w[i].pid)
			kill_worker(&pool->w[i]);
	for (unsigned int i = 0; i < pool->nworkers; i++) {
		if (!pool->w[i].pid)
			continue;
		reap(pool->w[i].pid);
		if (pool->w[i].fd >= 0)
			close(pool->w[i].fd);
		if (pool->w[i].pidfd >= 0)
			close(pool->w[i].pidfd);
		pthread_mutex_lock(&pool->lock);
		pool->w[i].pid = 0;
		pool->w[i].fd = -1;
		pool->w[i].pidfd = -1;
		pthread_mutex_unlock(&pool->lock);
	}
}

/*
 * A drained pool's workers are all idle: closing their sockets lets each
 * leave through its own _exit(0), which is what a timeline of the pool
 * should show.  One that is not gone within a second is left to
 * kill_all().  The pool lock is not held.
 */
static void release_idle_workers(struct pp_pool *pool)
{
	struct timespec now, end;

	for (unsigned int i = 0; i < pool->nworkers; i++) {
		pthread_mutex_lock(&pool->lock);
		if (pool->w[i].pid && pool->w[i].fd >= 0) {
			close(pool->w[i].fd);
			pool->w[i].fd = -1;
		}
		pthread_mutex_unlock(&pool->lock);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 1;
	for (unsigned int i = 0; i < pool->nworkers; i++) {
		struct pollfd pfd = { .fd = pool->w[i].pidfd, .events = POLLIN };
		long ms;

		if (!pool->w[i].pid || pfd.fd < 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (end.tv_sec - now.tv_sec) * 1000 +
		     (end.tv_nsec - now.tv_nsec) / 1000000;
		/* A pidfd becomes readable when its process exits. */
		while (ms > 0 && poll(&pfd, 1, (int)ms) < 0 && errno == EINTR)
			;
	}
}

static void *manager_main(void *data)
{
	struct pp_pool *pool = data;
	enum pp_shutdown_how how;
	uint64_t count;
	int err = 0, timeout;

	for (unsigned int i = 0; i < pool->nworkers && !err; i++)
		err = spawn(pool, i);
	pthread_mutex_lock(&pool->lock);
	pool->start_err = err;
	pool->ready = true;
	pthread_cond_broadcast(&pool->left);
	if (err) {
		pthread_mutex_unlock(&pool->lock);
		kill_all(pool);
		return NULL;
	}

	for (;;) {
		dispatch(pool);
		if (pool->stop && (pool->how == PP_SHUTDOWN_CANCEL ||
				   (!pool->queue.len && !pool->running)))
			break;

		/* Refill slots emptied by crashes while there is work left. */
		timeout = -1;
		for (unsigned int i = 0; i < pool->nworkers; i++) {
			if (pool->w[i].pid || (pool->stop && !pool->queue.len))
				continue;
			pthread_mutex_unlock(&pool->lock);
			err = spawn(pool, i);
			pthread_mutex_lock(&pool->lock);
			if (err)
				timeout = PP_RESPAWN_RETRY_MS;
		}
		/* New workers may take tasks right away. */
		dispatch(pool);
		/*
		 * A worker found dead by that dispatch left its slot empty:
		 * refill it now rather than sleep with work queued.
		 */
		for (unsigned int i = 0; i < pool->nworkers && timeout == -1; i++)
			if (!pool->w[i].pid && !(pool->stop && !pool->queue.len))
				timeout = 0;
		for (unsigned int i = 0; i < pool->nworkers; i++) {
			pool->pfds[i + 1].fd = pool->w[i].fd;
			pool->pfds[i + 1].events = POLLIN;
			pool->pfds[i + 1].revents = 0;
		}
		pool->pfds[0].revents = 0;
		pthread_mutex_unlock(&pool->lock);

		if (poll(pool->pfds, pool->nworkers + 1, timeout) < 0 &&
		    errno != EINTR) {
			/* Only ENOMEM is possible: breathe, try again. */
			poll(NULL, 0, PP_RESPAWN_RETRY_MS);
		}

		pthread_mutex_lock(&pool->lock);
		if (pool->pfds[0].revents & POLLIN) {
			/* Nonblocking; EAGAIN means someone else's wakeup was read. */
			if (read(pool->wake_fd, &count, sizeof(count)) < 0)
				count = 0;
			pool->poked = false;
		}
		for (unsigned int i = 0; i < pool->nworkers; i++) {
			short ev = pool->pfds[i + 1].revents;

			/* A slot emptied and refilled since the poll is not ours. */
			if (!ev || pool->w[i].fd != pool->pfds[i + 1].fd)
				continue;
			if (ev & POLLIN)
				worker_readable(pool, i);
			else
				worker_died(pool, i);
		}
	}

	/* Stopping.  With CANCEL, running tasks die with their workers. */
	for (unsigned int i = 0; i < pool->nworkers; i++) {
		struct pp_task *t = pool->w[i].task;

		if (!t)
			continue;
		pool->w[i].task = NULL;
		pool->running--;
		t->sig = SIGKILL;
		t->core.next = pool->killed;
		pool->killed = &t->core;
	}
	how = pool->how;
	pthread_mutex_unlock(&pool->lock);
	if (how == PP_SHUTDOWN_DRAIN)
		release_idle_workers(pool);
	kill_all(pool);
	return NULL;
}

/* ---- the API ----------------------------------------------------------- */

static void free_pool(struct pp_pool *pool)
{
	if (pool->wake_fd >= 0)
		close(pool->wake_fd);
	pthread_cond_destroy(&pool->left);
	pthread_cond_destroy(&pool->idle);
	pool_queue_destroy(&pool->queue);
	pthread_mutex_destroy(&pool->lock);
	free(pool->pfds);
	free(pool->w);
	free(pool);
}

int pp_create(struct pp_pool **poolp, unsigned int workers, size_t queue_max)
{
	struct pp_pool *pool;
	sigset_t all;
	int err;

	if (!poolp || workers == 0 || workers > PP_MAX_WORKERS)
		return -EINVAL;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pool->wake_fd = -1;
	pthread_mutex_init(&pool->lock, NULL);
	pool_queue_init(&pool->queue, queue_max);
	pthread_cond_init(&pool->idle, NULL);
	pthread_cond_init(&pool->left, NULL);
	pool->w = calloc(workers, sizeof(*pool->w));
	pool->pfds = calloc(workers + 1, sizeof(*pool->pfds));
	if (!pool->w || !pool->pfds) {
		free_pool(pool);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < workers; i++) {
		pool->w[i].fd = -1;
		pool->w[i].pidfd = -1;
	}
	pool->nworkers = workers;
	pool->parent = getpid();
	pool->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (pool->wake_fd < 0) {
		err = -errno;
		free_pool(pool);
		return err;
	}
	pool->pfds[0].fd = pool->wake_fd;
	pool->pfds[0].events = POLLIN;

	/*
	 * The manager blocks every signal so that the process's signals go
	 * to the caller's threads; workers get back the caller's own mask.
	 */
	sigfillset(&all);
	err = -pthread_sigmask(SIG_SETMASK, &all, &pool->child_mask);
	if (err) {
		free_pool(pool);
		return err;
	}
	err = -pthread_create(&pool->manager, NULL, manager_main, pool);
	pthread_sigmask(SIG_SETMASK, &pool->child_mask, NULL);
	if (err) {
		free_pool(pool);
		return err;
	}

	pthread_mutex_lock(&pool->lock);
	while (!pool->ready)
		pthread_cond_wait(&pool->left, &pool->lock);
	err = pool->start_err;
	pthread_mutex_unlock(&pool->lock);
	if (err) {
		pthread_join(pool->manager, NULL);
		free_pool(pool);
		return err;
	}
	*poolp = pool;
	return 0;
}

static void caller_leave(struct pp_pool *pool)
{
	if (--pool->callers == 0 && pool->shutting_down)
		pthread_cond_broadcast(&pool->left);
}

int pp_submit(struct pp_pool *pool, pp_fn fn, const void *arg, size_t len,
	      unsigned int flags, struct pp_task **taskp)
{
	struct pp_task *t;
	int ret;

	if (!pool || !fn || len > PP_ARG_MAX || (len && !arg) ||
	    (flags & ~PP_NONBLOCK))
		return -EINVAL;
	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	pool_task_init(&t->core, taskp != NULL);
	t->fn = fn;
	t->len = len;
	if (len)
		memcpy(t->arg, arg, len);
	t->sig = 0;
	t->exit_code = 0;

	pthread_mutex_lock(&pool->lock);
	pool->callers++;
	ret = pool_queue_wait_room(&pool->queue, &pool->lock,
				   &pool->shutting_down, flags & PP_NONBLOCK);
	if (!ret) {
		pool_queue_push(&pool->queue, &t->core);
		pool->submitted++;
		poke(pool);
	}
	caller_leave(pool);
	pthread_mutex_unlock(&pool->lock);
	if (ret) {
		pool_task_destroy(&t->core);
		free(t);
	} else if (taskp) {
		*taskp = t;
	}
	return ret;
}

int pp_task_wait(struct pp_task *t, int64_t *result)
{
	int status;

	if (!t)
		return -EINVAL;
	status = pool_task_wait(&t->core);
	if (status == PP_CANCELLED)
		return -ECANCELED;
	if (status == PP_CRASHED)
		return -ECHILD;
	if (result)
		*result = t->core.result;
	return 0;
}

int pp_task_status(struct pp_task *t)
{
	if (!t)
		return -EINVAL;
	return pool_task_status(&t->core);
}

/* sig and exit_code are written before the final status is published. */
int pp_task_signal(struct pp_task *t)
{
	if (!t)
		return -EINVAL;
	return pool_task_status(&t->core) >= PP_CANCELLED ? t->sig : 0;
}

int pp_task_exit_code(struct pp_task *t)
{
	if (!t)
		return -EINVAL;
	return pool_task_status(&t->core) == PP_CRASHED ? t->exit_code : 0;
}

void pp_task_release(struct pp_task *t)
{
	if (t)
		task_put(t);
}

int pp_wait_all(struct pp_pool *pool)
{
	if (!pool)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	pool->callers++;
	while (pool->queue.len || pool->running)
		pthread_cond_wait(&pool->idle, &pool->lock);
	caller_leave(pool);
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

/* Report and drop a list of cancelled tasks; no lock held. */
static int cancel_list(struct pool_task *list, pp_cancel_fn cancel, void *data)
{
	struct pool_task *core, *next;
	int n = 0;

	for (core = list; core; core = next) {
		struct pp_task *t = pool_task_of(core, struct pp_task);

		next = core->next;
		pool_task_finish(core, PP_CANCELLED);
		if (cancel)
			cancel(t->fn, t->arg, t->len, data);
		task_put(t);
		n++;
	}
	return n;
}

int pp_shutdown(struct pp_pool *pool, enum pp_shutdown_how how,
		pp_cancel_fn cancel, void *data)
{
	struct pool_task *queued = NULL, *killed;
	int n;

	if (!pool || (how != PP_SHUTDOWN_DRAIN && how != PP_SHUTDOWN_CANCEL))
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	pool->callers++;
	if (pool->shutting_down) {
		while (!pool->joined)
			pthread_cond_wait(&pool->left, &pool->lock);
		caller_leave(pool);
		pthread_mutex_unlock(&pool->lock);
		return 0;
	}
	pool->shutting_down = true;
	pool->how = how;
	pool_queue_close(&pool->queue);
	if (how == PP_SHUTDOWN_CANCEL)
		queued = pool_queue_take_all(&pool->queue, NULL);
	pool->stop = true;
	poke(pool);
	pthread_mutex_unlock(&pool->lock);

	n = cancel_list(queued, cancel, data);
	pthread_join(pool->manager, NULL);

	pthread_mutex_lock(&pool->lock);
	killed = pool->killed;
	pool->killed = NULL;
	pthread_mutex_unlock(&pool->lock);
	n += cancel_list(killed, cancel, data);

	pthread_mutex_lock(&pool->lock);
	pool->cancelled += n;
	pool->joined = true;
	pthread_cond_broadcast(&pool->idle);
	pthread_cond_broadcast(&pool->left);
	caller_leave(pool);
	pthread_mutex_unlock(&pool->lock);
	return n;
}

void pp_destroy(struct pp_pool *pool)
{
	if (!pool)
		return;
	pp_shutdown(pool, PP_SHUTDOWN_CANCEL, NULL, NULL);
	pthread_mutex_lock(&pool->lock);
	while (pool->callers)
		pthread_cond_wait(&pool->left, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
	free_pool(pool);
}

int pp_stats(struct pp_pool *pool, struct pp_stats *st)
{
	if (!pool || !st)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	st->workers = pool->nworkers;
	st->idle = 0;
	for (unsigned int i = 0; i < pool->nworkers; i++)
		if (pool->w[i].pid && !pool->w[i].task)
			st->idle++;
	st->queue_max = pool->queue.max;
	st->queued = pool->queue.len;
	st->running = pool->running;
	st->submitted = pool->submitted;
	st->completed = pool->completed;
	st->cancelled = pool->cancelled;
	st->crashed = pool->crashed;
	st->forks = pool->forks;
	st->blocked_submitters = pool->queue.blocked;
	st->shut_down = pool->shutting_down;
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

int pp_worker_pids(struct pp_pool *pool, pid_t *pids, size_t n)
{
	if (!pool || (n && !pids))
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	for (size_t i = 0; i < n && i < pool->nworkers; i++)
		pids[i] = pool->w[i].pid;
	pthread_mutex_unlock(&pool->lock);
	return pool->nworkers;
}
