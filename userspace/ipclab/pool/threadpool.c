// SPDX-License-Identifier: GPL-2.0
/*
 * threadpool: see threadpool.h for the contract.
 *
 * One mutex per pool guards the queue and the counters; condition
 * variables say what changed: "work" (a task or the order to stop, for
 * idle workers), the queue's "room" (for submitters blocked on a full
 * queue), "idle" (queue and workers empty, for tp_wait_all()) and "left"
 * (a worker started, the workers were joined, the last caller left, for
 * create, shutdown and destroy).  A task handle has its own small lock and
 * condition (pool_core.c) so that it can outlive the pool and be waited
 * on by anyone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "pool_core.h"
#include "threadpool.h"

_Static_assert(TP_PENDING == POOL_PENDING && TP_RUNNING == POOL_RUNNING &&
	       TP_DONE == POOL_DONE && TP_CANCELLED == POOL_CANCELLED,
	       "enum tp_status is pool_core's status");

/* Beyond this, a worker count is a bug in the caller, not a wish. */
#define TP_MAX_WORKERS 4096

struct tp_task {
	struct pool_task core;
	tp_fn fn;
	void *arg;
};

struct tp_worker {
	struct tp_pool *pool;
	pthread_t thread;
	pid_t tid;			/* under the pool lock */
};

struct tp_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;
	pthread_cond_t idle;
	pthread_cond_t left;

	struct pool_queue queue;
	size_t running;

	struct tp_worker *workers;
	unsigned int nworkers, started, nidle;

	uint64_t submitted, completed, cancelled;
	unsigned int callers;		/* threads inside submit/wait_all/shutdown */

	bool shutting_down;		/* no more submits */
	bool stop;			/* workers: exit once the queue is empty */
	bool joined;			/* every worker has been joined */
};

static void task_put(struct tp_task *t)
{
	if (pool_task_put(&t->core))
		free(t);
}

/* Under the pool lock: is the calling thread one of this pool's workers? */
static bool is_worker(struct tp_pool *pool)
{
	pid_t self = gettid();

	for (unsigned int i = 0; i < pool->nworkers; i++)
		if (pool->workers[i].tid == self)
			return true;
	return false;
}

static void *worker_main(void *data)
{
	struct tp_worker *w = data;
	struct tp_pool *pool = w->pool;
	struct pool_task *core;
	struct tp_task *t;

	pthread_mutex_lock(&pool->lock);
	w->tid = gettid();
	pool->started++;
	pthread_cond_broadcast(&pool->left);
	for (;;) {
		while (!pool->queue.head && !pool->stop) {
			pool->nidle++;
			pthread_cond_wait(&pool->work, &pool->lock);
			pool->nidle--;
		}
		core = pool_queue_pop(&pool->queue);
		if (!core)
			break;		/* stopping and nothing left to run */
		pool->running++;
		pthread_mutex_unlock(&pool->lock);

		t = pool_task_of(core, struct tp_task);
		__atomic_store_n(&core->status, TP_RUNNING, __ATOMIC_RELAXED);
		core->result = t->fn(t->arg);
		pool_task_finish(core, TP_DONE);
		task_put(t);

		pthread_mutex_lock(&pool->lock);
		pool->running--;
		pool->completed++;
		if (!pool->queue.len && !pool->running)
			pthread_cond_broadcast(&pool->idle);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

static void free_pool(struct tp_pool *pool)
{
	pthread_cond_destroy(&pool->left);
	pthread_cond_destroy(&pool->idle);
	pool_queue_destroy(&pool->queue);
	pthread_cond_destroy(&pool->work);
	pthread_mutex_destroy(&pool->lock);
	free(pool->workers);
	free(pool);
}

/* Stop and join the first @n workers of a pool that failed to start. */
static void abandon_workers(struct tp_pool *pool, unsigned int n)
{
	pthread_mutex_lock(&pool->lock);
	pool->stop = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned int i = 0; i < n; i++)
		pthread_join(pool->workers[i].thread, NULL);
}

int tp_create(struct tp_pool **poolp, unsigned int workers, size_t queue_max)
{
	struct tp_pool *pool;
	sigset_t all, old;
	unsigned int i;
	int err;

	if (!poolp || workers == 0 || workers > TP_MAX_WORKERS)
		return -EINVAL;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pool->workers = calloc(workers, sizeof(*pool->workers));
	if (!pool->workers) {
		free(pool);
		return -ENOMEM;
	}
	pool->nworkers = workers;
	/* Default attributes: these inits cannot fail on Linux. */
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->work, NULL);
	pool_queue_init(&pool->queue, queue_max);
	pthread_cond_init(&pool->idle, NULL);
	pthread_cond_init(&pool->left, NULL);

	/*
	 * Workers start with every signal blocked so that signals meant for
	 * the process land in the caller's threads, whose handlers expect
	 * them, not in the middle of a task.  A fault in a task (SIGSEGV)
	 * is still delivered: the kernel forces synchronous signals.
	 */
	sigfillset(&all);
	err = -pthread_sigmask(SIG_SETMASK, &all, &old);
	if (err) {
		free_pool(pool);
		return err;
	}
	for (i = 0; i < workers; i++) {
		pool->workers[i].pool = pool;
		err = -pthread_create(&pool->workers[i].thread, NULL,
				      worker_main, &pool->workers[i]);
		if (err)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		abandon_workers(pool, i);
		free_pool(pool);
		return err;
	}

	/* Every tid is known before the caller can ask for it. */
	pthread_mutex_lock(&pool->lock);
	while (pool->started < workers)
		pthread_cond_wait(&pool->left, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
	*poolp = pool;
	return 0;
}

/* Under the pool lock: a caller leaves; tp_destroy() may be waiting. */
static void caller_leave(struct tp_pool *pool)
{
	if (--pool->callers == 0 && pool->shutting_down)
		pthread_cond_broadcast(&pool->left);
}

int tp_submit(struct tp_pool *pool, tp_fn fn, void *arg, unsigned int flags,
	      struct tp_task **taskp)
{
	struct tp_task *t;
	int ret;

	if (!pool || !fn || (flags & ~TP_NONBLOCK))
		return -EINVAL;
	/* Allocated outside the lock: malloc must not serialise submitters. */
	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	pool_task_init(&t->core, taskp != NULL);
	t->fn = fn;
	t->arg = arg;

	pthread_mutex_lock(&pool->lock);
	pool->callers++;
	ret = pool_queue_wait_room(&pool->queue, &pool->lock,
				   &pool->shutting_down, flags & TP_NONBLOCK);
	if (!ret) {
		pool_queue_push(&pool->queue, &t->core);
		pool->submitted++;
		if (pool->nidle)
			pthread_cond_signal(&pool->work);
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

int tp_task_wait(struct tp_task *t, int64_t *result)
{
	if (!t)
		return -EINVAL;
	/* A handle always has its lock: it was asked for at submit. */
	if (pool_task_wait(&t->core) == TP_CANCELLED)
		return -ECANCELED;
	if (result)
		*result = t->core.result;
	return 0;
}

int tp_task_status(struct tp_task *t)
{
	if (!t)
		return -EINVAL;
	return pool_task_status(&t->core);
}

void tp_task_release(struct tp_task *t)
{
	if (t)
		task_put(t);
}

int tp_wait_all(struct tp_pool *pool)
{
	if (!pool)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	if (is_worker(pool)) {
		pthread_mutex_unlock(&pool->lock);
		return -EDEADLK;
	}
	pool->callers++;
	while (pool->queue.len || pool->running)
		pthread_cond_wait(&pool->idle, &pool->lock);
	caller_leave(pool);
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

int tp_shutdown(struct tp_pool *pool, enum tp_shutdown_how how,
		tp_cancel_fn cancel, void *data)
{
	struct pool_task *list = NULL, *core, *next;
	size_t n = 0;

	if (!pool || (how != TP_SHUTDOWN_DRAIN && how != TP_SHUTDOWN_CANCEL))
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	if (is_worker(pool)) {
		pthread_mutex_unlock(&pool->lock);
		return -EDEADLK;
	}
	pool->callers++;
	if (pool->shutting_down) {
		/* Someone else is shutting down: wait for them to finish. */
		while (!pool->joined)
			pthread_cond_wait(&pool->left, &pool->lock);
		caller_leave(pool);
		pthread_mutex_unlock(&pool->lock);
		return 0;
	}
	pool->shutting_down = true;
	pool_queue_close(&pool->queue);
	if (how == TP_SHUTDOWN_CANCEL) {
		list = pool_queue_take_all(&pool->queue, &n);
		pool->cancelled += n;
		if (!pool->running)
			pthread_cond_broadcast(&pool->idle);
	}
	pool->stop = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);

	/* Off the queue, these tasks are ours alone: no lock needed. */
	for (core = list; core; core = next) {
		struct tp_task *t = pool_task_of(core, struct tp_task);

		next = core->next;
		pool_task_finish(core, TP_CANCELLED);
		if (cancel)
			cancel(t->fn, t->arg, data);
		task_put(t);
	}

	for (unsigned int i = 0; i < pool->nworkers; i++)
		pthread_join(pool->workers[i].thread, NULL);

	pthread_mutex_lock(&pool->lock);
	pool->joined = true;
	pthread_cond_broadcast(&pool->left);
	caller_leave(pool);
	pthread_mutex_unlock(&pool->lock);
	return (int)n;
}

void tp_destroy(struct tp_pool *pool)
{
	if (!pool)
		return;
	/* Only fails for a worker calling it, which the contract forbids. */
	if (tp_shutdown(pool, TP_SHUTDOWN_CANCEL, NULL, NULL) < 0)
		return;
	pthread_mutex_lock(&pool->lock);
	while (pool->callers)
		pthread_cond_wait(&pool->left, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
	free_pool(pool);
}

int tp_stats(struct tp_pool *pool, struct tp_stats *st)
{
	if (!pool || !st)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	st->workers = pool->nworkers;
	st->idle = pool->nidle;
	st->queue_max = pool->queue.max;
	st->queued = pool->queue.len;
	st->running = pool->running;
	st->submitted = pool->submitted;
	st->completed = pool->completed;
	st->cancelled = pool->cancelled;
	st->blocked_submitters = pool->queue.blocked;
	st->shut_down = pool->shutting_down;
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

int tp_worker_tids(struct tp_pool *pool, pid_t *tids, size_t n)
{
	if (!pool || (n && !tids))
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	for (size_t i = 0; i < n && i < pool->nworkers; i++)
		tids[i] = pool->workers[i].tid;
	pthread_mutex_unlock(&pool->lock);
	return pool->nworkers;
}
