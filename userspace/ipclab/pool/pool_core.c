// SPDX-License-Identifier: GPL-2.0
/*
 * pool_core: see pool_core.h.  A task's status is read without its lock
 * (tp_task_status(), the workers' fast path), so it is an atomic; the
 * lock and the condition are only for sleeping until it is final, and a
 * task nobody waits for (fire-and-forget) never sets them up: that is
 * most of the cost of a tiny task.
 */
#include <errno.h>

#include "pool_core.h"

void pool_task_init(struct pool_task *t, bool handle)
{
	t->next = NULL;
	t->result = 0;
	t->status = POOL_PENDING;
	t->has_handle = handle;
	t->refs = handle ? 2 : 1;
	t->waiters = 0;
	if (handle) {
		/* Default attributes: these inits cannot fail on Linux. */
		pthread_mutex_init(&t->lock, NULL);
		pthread_cond_init(&t->cond, NULL);
	}
}

void pool_task_destroy(struct pool_task *t)
{
	if (t->has_handle) {
		pthread_cond_destroy(&t->cond);
		pthread_mutex_destroy(&t->lock);
	}
}

bool pool_task_put(struct pool_task *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return false;
	pool_task_destroy(t);
	return true;
}

void pool_task_finish(struct pool_task *t, int status)
{
	if (!t->has_handle) {
		__atomic_store_n(&t->status, status, __ATOMIC_RELEASE);
		return;
	}
	pthread_mutex_lock(&t->lock);
	__atomic_store_n(&t->status, status, __ATOMIC_RELEASE);
	if (t->waiters)
		pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

int pool_task_wait(struct pool_task *t)
{
	int status;

	pthread_mutex_lock(&t->lock);
	while ((status = pool_task_status(t)) < POOL_DONE) {
		t->waiters++;
		pthread_cond_wait(&t->cond, &t->lock);
		t->waiters--;
	}
	pthread_mutex_unlock(&t->lock);
	return status;
}

int pool_task_status(struct pool_task *t)
{
	return __atomic_load_n(&t->status, __ATOMIC_ACQUIRE);
}

void pool_queue_init(struct pool_queue *q, size_t max)
{
	q->head = q->tail = NULL;
	q->len = 0;
	q->max = max;
	q->blocked = 0;
	pthread_cond_init(&q->room, NULL);
}

void pool_queue_destroy(struct pool_queue *q)
{
	pthread_cond_destroy(&q->room);
}

int pool_queue_wait_room(struct pool_queue *q, pthread_mutex_t *lock,
			 const bool *closed, bool nonblock)
{
	while (!*closed && q->max && q->len >= q->max) {
		if (nonblock)
			return -EAGAIN;
		q->blocked++;
		pthread_cond_wait(&q->room, lock);
		q->blocked--;
	}
	return *closed ? -ESHUTDOWN : 0;
}

void pool_queue_push(struct pool_queue *q, struct pool_task *t)
{
	t->next = NULL;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
	q->len++;
	/*
	 * Room freed by a worker wakes one submitter; if this one did not
	 * use it all up (a bigger bound than the wakeups), pass it on.
	 */
	if (q->blocked && q->len < q->max)
		pthread_cond_signal(&q->room);
}

struct pool_task *pool_queue_pop(struct pool_queue *q)
{
	struct pool_task *t = q->head;

	if (!t)
		return NULL;
	q->head = t->next;
	if (!q->head)
		q->tail = NULL;
	t->next = NULL;
	q->len--;
	if (q->blocked)
		pthread_cond_signal(&q->room);
	return t;
}

struct pool_task *pool_queue_take_all(struct pool_queue *q, size_t *n)
{
	struct pool_task *list = q->head;

	if (n)
		*n = q->len;
	q->head = q->tail = NULL;
	q->len = 0;
	return list;
}

void pool_queue_close(struct pool_queue *q)
{
	pthread_cond_broadcast(&q->room);
}
