/* SPDX-License-Identifier: GPL-2.0 */
/*
 * threadpool: a fixed set of worker threads that sleep until there is work.
 *
 * This is the textbook pool ("start some workers, let them sleep, wake one
 * when a task comes, let it sleep again") made real: idle workers block on
 * a condition variable (a futex wait, state S in taskstate's words), so an
 * idle pool costs no CPU and a submit wakes exactly one of them.
 *
 * The process pool (procpool.h) speaks the same vocabulary with a pp_
 * prefix: create / submit / task_wait / task_release / wait_all /
 * shutdown / destroy, the same status values, the same flags, the same
 * errors.  Code that drives either (ipclab pool) can be written once.
 *
 * Conventions:
 *  - every function that can fail returns 0 (or a count) on success and a
 *    negative errno on failure; the library never prints and never exits;
 *  - there is no global state: each pool owns its threads, locks and
 *    queue, so any number of pools coexist without touching each other;
 *  - all functions are thread-safe unless said otherwise.
 *
 * Lifetime of a pool:
 *   tp_create() -> tp_submit()... -> [tp_shutdown()] -> tp_destroy()
 * tp_shutdown() is the barrier that makes teardown safe while other threads
 * still submit: from the moment it starts, every tp_submit() (including
 * those already blocked on a full queue) returns -ESHUTDOWN.  tp_destroy()
 * shuts down if that has not been done, lets every thread that is still
 * inside a call of this pool return, joins the workers and frees the pool;
 * the caller must only make sure that no thread *starts* a new call on the
 * pool once tp_destroy() has begun (a pointer to freed memory cannot be
 * made safe by any library).
 */
#ifndef TASKSTATE_THREADPOOL_H
#define TASKSTATE_THREADPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tp_pool;
struct tp_task;

/*
 * A task: runs on a worker thread, its return value is the task's result.
 * Results are a plain int64_t so that the thread and the process pool
 * agree on them; a task that needs more returns a pointer cast to intptr_t
 * or writes through @arg.
 */
typedef int64_t (*tp_fn)(void *arg);

/*
 * What became of a task.  Values shared with enum pp_status, so a caller
 * may print either with one table.
 */
enum tp_status {
	TP_PENDING = 0,		/* queued, no worker has taken it yet */
	TP_RUNNING = 1,		/* a worker is running it */
	TP_DONE = 2,		/* it returned; the result is valid */
	TP_CANCELLED = 3,	/* removed from the queue by a shutdown, never ran */
};

/* tp_submit() flags. */
/*
 * Fail with -EAGAIN instead of blocking when the queue is full.  Without
 * it, a submit on a full queue sleeps until a worker takes a task (or the
 * pool shuts down: -ESHUTDOWN).
 */
#define TP_NONBLOCK 0x1u

/* How tp_shutdown() treats the tasks that have not started. */
enum tp_shutdown_how {
	/* Run every queued task, then stop the workers. */
	TP_SHUTDOWN_DRAIN = 0,
	/*
	 * Take every queued task off the queue without running it (its status
	 * becomes TP_CANCELLED and it is reported); tasks already running are
	 * let finish, since a thread cannot be stopped safely in mid-task.
	 */
	TP_SHUTDOWN_CANCEL = 1,
};

/*
 * Told about each cancelled task, so that the owner of @arg can free it
 * (a cancelled task never ran, so nobody else will).  Called from the
 * thread that calls tp_shutdown()/tp_destroy(), with no pool lock held; it
 * must not call into the same pool.
 */
typedef void (*tp_cancel_fn)(tp_fn fn, void *arg, void *data);

/* A snapshot of the pool's counters, for tools and tests. */
struct tp_stats {
	unsigned int workers;		/* worker threads the pool has */
	unsigned int idle;		/* of them, asleep waiting for work */
	size_t queue_max;		/* 0: unbounded */
	size_t queued;			/* tasks waiting for a worker */
	size_t running;			/* tasks a worker is running */
	uint64_t submitted;		/* accepted by tp_submit() */
	uint64_t completed;		/* ran to their end */
	uint64_t cancelled;		/* taken off the queue by a shutdown */
	unsigned int blocked_submitters; /* tp_submit() calls waiting for room */
	int shut_down;			/* 1 once tp_shutdown() has begun */
};

/**
 * tp_create() - start a pool of @workers threads, all asleep.
 * @poolp:     where the new pool is stored (untouched on failure)
 * @workers:   number of worker threads, at least 1; fixed for the pool's life
 * @queue_max: most tasks that may wait for a worker at once, or 0 for no
 *             bound.  A bound is how a producer faster than the workers is
 *             slowed down (or told -EAGAIN) instead of eating memory.
 *
 * Every worker is started before this returns, so that a failure (no
 * memory, thread limit) is reported here and not as a silently smaller
 * pool.
 *
 * Return: 0, -EINVAL (NULL @poolp, 0 workers or more than 4096), -ENOMEM,
 * -EAGAIN (thread limit) or another -errno from pthread_create().
 */
int tp_create(struct tp_pool **poolp, unsigned int workers, size_t queue_max);

/**
 * tp_submit() - queue @fn(@arg) for a worker.
 * @pool:  the pool
 * @fn:    the task; must not be NULL
 * @arg:   passed to @fn as is; the pool never looks at it
 * @flags: 0 or TP_NONBLOCK
 * @taskp: if not NULL, receives a handle to wait for the result with
 *         tp_task_wait(); the caller owns it and must tp_task_release() it.
 *         If NULL the task is fire-and-forget: the pool frees it when done,
 *         and tp_wait_all() is the way to know it finished.
 *
 * A task may itself submit to its own pool, but with TP_NONBLOCK only: if
 * every worker blocked in a submit on a full queue nobody would make room.
 *
 * Return: 0, -EINVAL (NULL @pool or @fn, unknown @flags), -EAGAIN (queue
 * full and TP_NONBLOCK), -ESHUTDOWN (the pool is shutting down; the task
 * was not queued and @taskp is untouched), -ENOMEM.
 */
int tp_submit(struct tp_pool *pool, tp_fn fn, void *arg, unsigned int flags,
	      struct tp_task **taskp);

/**
 * tp_task_wait() - sleep until the task has finished or been cancelled.
 * @task:   a handle from tp_submit()
 * @result: if not NULL and the task ran, receives what it returned
 *
 * Handles live independently of the pool: waiting on one after the pool
 * was destroyed is fine (the task is then done or cancelled).  Several
 * threads may wait on the same handle.  Must not be called by the task
 * itself (it would wait for its own end).
 *
 * Return: 0 if the task ran, -ECANCELED if a shutdown cancelled it,
 * -EINVAL if @task is NULL.
 */
int tp_task_wait(struct tp_task *task, int64_t *result);

/**
 * tp_task_status() - where the task is now, without waiting.
 *
 * Return: an enum tp_status value, or -EINVAL if @task is NULL.
 */
int tp_task_status(struct tp_task *task);

/**
 * tp_task_release() - give up the caller's handle.
 *
 * The task itself is not affected: a queued or running task still runs;
 * its memory is freed once both the caller and the pool are done with it.
 * NULL is accepted and ignored.
 */
void tp_task_release(struct tp_task *task);

/**
 * tp_wait_all() - sleep until no task is queued or running.
 *
 * "All" means all that were submitted before this returns: with other
 * threads still submitting, it returns at a moment the pool was empty.
 * After a shutdown it returns once the last running task has finished.
 *
 * Return: 0, -EINVAL (NULL @pool), -EDEADLK if called from one of the
 * pool's own workers (it would wait for itself).
 */
int tp_wait_all(struct tp_pool *pool);

/**
 * tp_shutdown() - stop accepting tasks and stop the workers.
 * @pool:   the pool
 * @how:    TP_SHUTDOWN_DRAIN or TP_SHUTDOWN_CANCEL
 * @cancel: if not NULL, called once for each task cancelled by this call
 * @data:   passed to @cancel
 *
 * Returns once every worker has exited (so after the running tasks, and
 * with DRAIN the queued ones, have finished).  Handles of cancelled tasks
 * report TP_CANCELLED and wake their waiters.  Threads blocked in
 * tp_submit() are woken and get -ESHUTDOWN.  Must not be called from a
 * worker.  A second call (from any thread) waits for the first to finish
 * and cancels nothing more.
 *
 * Return: the number of tasks this call cancelled (0 for DRAIN), -EINVAL
 * (NULL @pool, bad @how), -EDEADLK if called from one of the pool's
 * workers.
 */
int tp_shutdown(struct tp_pool *pool, enum tp_shutdown_how how,
		tp_cancel_fn cancel, void *data);

/**
 * tp_destroy() - shut down (TP_SHUTDOWN_CANCEL, if not done already) and
 * free the pool.
 *
 * Cancelled tasks are not reported here: call tp_shutdown() first to be
 * told about them.  Waits for threads still inside tp_submit() or
 * tp_wait_all() on this pool to return (they get -ESHUTDOWN or 0) before
 * freeing anything.  Outstanding task handles stay valid.  NULL is
 * accepted.  Must not be called from a worker of @pool.
 */
void tp_destroy(struct tp_pool *pool);

/* tp_stats() - fill @st with the pool's counters.  Return: 0 or -EINVAL. */
int tp_stats(struct tp_pool *pool, struct tp_stats *st);

/**
 * tp_worker_tids() - the kernel thread ids of the workers.
 * @tids: filled with up to @n ids, in worker order
 *
 * For watching the workers go to sleep and wake up (taskstate -p TID).
 * A worker's id is known once it has started; tp_create() waits for that.
 * After a shutdown these are the ids the exited workers had.
 *
 * Return: the number of workers (may exceed @n), or -EINVAL.
 */
int tp_worker_tids(struct tp_pool *pool, pid_t *tids, size_t n);

#endif
