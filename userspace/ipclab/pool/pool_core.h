/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pool_core: what the thread pool and the process pool share below their
 * APIs, so that both keep their promises the same way: a task's handle
 * (status, result, references, the wait for its end) and the bounded queue
 * of tasks waiting for a worker.  Internal to the library: tp_ and pp_ are
 * the interfaces (threadpool.h, procpool.h).
 *
 * A pool embeds struct pool_task as the member "core" of its own task and
 * struct pool_queue in its pool; the queue is guarded by the pool's lock.
 */
#ifndef TASKSTATE_POOL_CORE_H
#define TASKSTATE_POOL_CORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The status values enum tp_status and enum pp_status share. */
#define POOL_PENDING	0
#define POOL_RUNNING	1
#define POOL_DONE	2	/* this and every value above it are final */
#define POOL_CANCELLED	3

struct pool_task {
	struct pool_task *next;		/* queue link, under the pool lock */
	int64_t result;			/* written before status becomes final */
	int status;			/* atomic */
	int refs;			/* the pool's and the handle's; atomic */
	bool has_handle;		/* somebody may wait: lock and cond exist */
	unsigned int waiters;		/* under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/* The pool's own task around @ptr, a struct pool_task *. */
#define pool_task_of(ptr, type) \
	((type *)((char *)(ptr) - offsetof(type, core)))

/* Pending, one reference, or two with a handle (the caller's). */
void pool_task_init(struct pool_task *t, bool handle);
/* Undo pool_task_init() for a task that was never queued. */
void pool_task_destroy(struct pool_task *t);
/* Drop a reference.  Return: true if it was the last: free the task. */
bool pool_task_put(struct pool_task *t);
/* Publish a final @status and wake the handle's waiters. */
void pool_task_finish(struct pool_task *t, int status);
/* Sleep until the status is final; return it.  Needs a handle. */
int pool_task_wait(struct pool_task *t);
int pool_task_status(struct pool_task *t);

struct pool_queue {
	struct pool_task *head, *tail;
	size_t len;
	size_t max;			/* 0: unbounded */
	unsigned int blocked;		/* submitters waiting for room */
	pthread_cond_t room;
};

void pool_queue_init(struct pool_queue *q, size_t max);
void pool_queue_destroy(struct pool_queue *q);
/*
 * Under @lock: wait until the queue has room for one more, or *@closed.
 * Return: 0, -EAGAIN (full and @nonblock), -ESHUTDOWN (*@closed).
 */
int pool_queue_wait_room(struct pool_queue *q, pthread_mutex_t *lock,
			 const bool *closed, bool nonblock);
void pool_queue_push(struct pool_queue *q, struct pool_task *t);
/* The oldest task, or NULL; wakes a submitter waiting for room. */
struct pool_task *pool_queue_pop(struct pool_queue *q);
/*
 * Empty the queue; return its tasks as a list linked by ->next, and their
 * number in *@n if @n is not NULL.
 */
struct pool_task *pool_queue_take_all(struct pool_queue *q, size_t *n);
/* Wake every waiting submitter: the pool is closing. */
void pool_queue_close(struct pool_queue *q);

#endif
