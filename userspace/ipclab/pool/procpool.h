/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procpool: the thread pool's API (threadpool.h) over pre-forked worker
 * processes.
 *
 * Why processes: a task that crashes (SIGSEGV, abort()) takes only its
 * worker with it.  The pool reports that task as PP_CRASHED with the
 * signal, forks a fresh worker in its place and goes on.
 *
 * How: each worker is a fork() of the caller's process, so a function
 * pointer of the program is valid in it.  A task is such a pointer plus a
 * small argument blob (at most PP_ARG_MAX bytes, copied); its result is an
 * int64_t.  Both travel over a SOCK_SEQPACKET socketpair per worker (one
 * message per task, no framing to get wrong; send() with MSG_NOSIGNAL so
 * that a dead peer is an EPIPE, never a SIGPIPE for the caller).  A
 * manager thread inside the pool hands tasks to idle workers and collects
 * results; idle workers sleep in recv().
 *
 * What the caller must know:
 *  - workers are forked from the pool's manager thread while the caller's
 *    other threads run.  A task may use only what a forked child of a
 *    multithreaded process may use: its own memory, async-signal-safe
 *    calls, and malloc (glibc keeps it usable after fork).  A lock that
 *    another thread held at fork time (stdio, the caller's mutexes) stays
 *    locked forever in the child;
 *  - a task's side effects on memory stay in the worker: only the result
 *    comes back;
 *  - workers get SIGKILL when the pool's manager thread ends (PR_SET_PDEATHSIG,
 *    which follows the forking thread, and that thread lives exactly as
 *    long as the pool) and exit when their socket closes: a drain
 *    shutdown closes the sockets and lets them exit(0) (killing any that
 *    has not within a second); a cancel shutdown and pp_destroy() kill and
 *    reap them all, so none outlives the pool;
 *  - the pool reaps only its own pids (waitpid(pid), never waitpid(-1)), so
 *    it does not steal the caller's children, and the caller's SIGCHLD
 *    handling is left alone.  No signal disposition of the process is
 *    changed.  A caller that reaps children it did not fork (waitpid(-1),
 *    SIGCHLD ignored) takes the crash signal from us (reported as 0); the
 *    pool signals its workers through pidfds, so even then it never kills
 *    a stranger that reused a worker's pid;
 *  - a pool belongs to the process that created it: a fork() of the
 *    caller must not use the parent's pools (it has no manager thread);
 *  - every descriptor the pool creates is close-on-exec.
 *
 * Same conventions as the thread pool: 0 or a count on success, -errno on
 * failure, nothing printed, no global state, thread-safe.
 */
#ifndef TASKSTATE_PROCPOOL_H
#define TASKSTATE_PROCPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pp_pool;
struct pp_task;

/* The largest argument blob a task can carry (copied into the message). */
#define PP_ARG_MAX 256

/*
 * A task, run in a worker process: @arg points to the worker's copy of the
 * @len bytes given to pp_submit(), aligned for any type (max_align_t).
 */
typedef int64_t (*pp_fn)(const void *arg, size_t len);

/* Same values as enum tp_status, plus the one thing only processes do. */
enum pp_status {
	PP_PENDING = 0,		/* queued */
	PP_RUNNING = 1,		/* sent to a worker */
	PP_DONE = 2,		/* the worker sent back its result */
	PP_CANCELLED = 3,	/* never ran (shutdown), or killed by pp_destroy() */
	PP_CRASHED = 4,		/* its worker died running it: pp_task_signal() */
};

/* Fail with -EAGAIN instead of blocking on a full queue (as TP_NONBLOCK). */
#define PP_NONBLOCK 0x1u

enum pp_shutdown_how {
	/* Run every queued task, then stop the workers. */
	PP_SHUTDOWN_DRAIN = 0,
	/*
	 * Cancel the queued tasks and kill the workers now: unlike threads, a
	 * process can be stopped in mid-task, so a stuck task cannot hold up
	 * the shutdown.  Running tasks end PP_CANCELLED (signal SIGKILL) and
	 * are counted and reported with the queued ones.
	 */
	PP_SHUTDOWN_CANCEL = 1,
};

/* Told about each cancelled task (as tp_cancel_fn), no lock held. */
typedef void (*pp_cancel_fn)(pp_fn fn, const void *arg, size_t len, void *data);

struct pp_stats {
	unsigned int workers;		/* worker slots */
	unsigned int idle;		/* workers waiting for a task */
	size_t queue_max;		/* 0: unbounded */
	size_t queued;
	size_t running;
	uint64_t submitted;
	uint64_t completed;
	uint64_t cancelled;
	uint64_t crashed;		/* tasks whose worker died under them */
	uint64_t forks;			/* workers started, first ones included */
	unsigned int blocked_submitters;
	int shut_down;
};

/**
 * pp_create() - fork @workers worker processes.
 * @poolp:     where the new pool is stored (untouched on failure)
 * @workers:   at least 1, at most 1024
 * @queue_max: most tasks waiting for a worker, 0 for no bound
 *
 * All workers have been forked when this returns, so pp_worker_pids() is
 * complete at once.  (Each arms its parent-death signal as its first act;
 * one that finds its parent process already gone exits by itself.)
 *
 * Return: 0, -EINVAL, -ENOMEM, -EAGAIN (process or thread limit), or
 * another -errno of socketpair()/fork()/pthread_create().
 */
int pp_create(struct pp_pool **poolp, unsigned int workers, size_t queue_max);

/**
 * pp_submit() - queue @fn with a copy of @len bytes at @arg.
 * @arg may be NULL when @len is 0.  @taskp, @flags and the blocking rules
 * are those of tp_submit().  A task must not submit to the pool (it runs
 * in another process, which has no pool).
 *
 * Return: 0, -EINVAL (NULL @pool/@fn, @len > PP_ARG_MAX, NULL @arg with a
 * length, unknown @flags), -EAGAIN, -ESHUTDOWN, -ENOMEM.
 */
int pp_submit(struct pp_pool *pool, pp_fn fn, const void *arg, size_t len,
	      unsigned int flags, struct pp_task **taskp);

/**
 * pp_task_wait() - sleep until the task has an outcome.
 * @result: receives the task's result if it is PP_DONE
 *
 * Return: 0 (done), -ECANCELED (cancelled), -ECHILD (its worker died:
 * see pp_task_signal()), -EINVAL (NULL @task).
 */
int pp_task_wait(struct pp_task *task, int64_t *result);

/* pp_task_status() - an enum pp_status value now, or -EINVAL. */
int pp_task_status(struct pp_task *task);

/**
 * pp_task_signal() - the signal that ended the task's worker.
 *
 * Return: the signal number for a PP_CRASHED task (0 if the worker exited
 * instead, e.g. the task called exit(): see pp_task_exit_code()), SIGKILL
 * for a running task that PP_SHUTDOWN_CANCEL killed, 0 otherwise, -EINVAL
 * for NULL.
 */
int pp_task_signal(struct pp_task *task);

/* pp_task_exit_code() - exit status of a worker that exit()ed in the task. */
int pp_task_exit_code(struct pp_task *task);

/* pp_task_release() - as tp_task_release(). */
void pp_task_release(struct pp_task *task);

/* pp_wait_all() - as tp_wait_all(); crashed tasks count as finished. */
int pp_wait_all(struct pp_pool *pool);

/**
 * pp_shutdown() - as tp_shutdown(), see enum pp_shutdown_how.
 *
 * Returns once every worker has been reaped.  Return: the number of tasks
 * cancelled by this call, -EINVAL.
 */
int pp_shutdown(struct pp_pool *pool, enum pp_shutdown_how how,
		pp_cancel_fn cancel, void *data);

/**
 * pp_destroy() - PP_SHUTDOWN_CANCEL (if not shut down already), wait for
 * threads still inside a call on the pool to leave, free it.
 *
 * After it returns no worker process of the pool exists, not even as a
 * zombie.  NULL is accepted.
 */
void pp_destroy(struct pp_pool *pool);

int pp_stats(struct pp_pool *pool, struct pp_stats *st);

/**
 * pp_worker_pids() - the pids of the current workers.
 * @pids: filled with up to @n pids, in slot order; a slot whose worker has
 *        just died and is not replaced yet holds 0
 *
 * The pid in a slot changes when its worker crashes and is replaced: that
 * is how a tool shows each worker's life.  After a shutdown all are 0.
 *
 * Return: the number of slots (may exceed @n), or -EINVAL.
 */
int pp_worker_pids(struct pp_pool *pool, pid_t *pids, size_t n);

#endif
