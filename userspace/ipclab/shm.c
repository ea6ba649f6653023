// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory and semaphores: the producer writes each message into
 * shared memory, the consumer reads it there; two semaphores take turns
 * ("empty": the producer may write, "full": the consumer may read).
 * Shared memory itself never blocks anyone: the waits, and the wakeups
 * by the poster, are the semaphores' (do_semtimedop for SysV,
 * futex_wait_queue for POSIX).
 *
 *   sysv-shm   shmget segment, SysV semaphore set
 *   posix-shm  shm_open object, unnamed POSIX semaphores inside it
 *   sysv-sem   the SysV semaphore set alone (anonymous shared memory)
 *   posix-sem  named POSIX semaphores (sem_open), or --unnamed (sem_init)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include "mechs.h"
#include "lib/libtaskstate.h"

enum { SEM_EMPTY, SEM_FULL };

enum sync_kind { SYNC_SYSV, SYNC_POSIX_UNNAMED, SYNC_POSIX_NAMED };

/* Set up before the participants start; processes inherit a copy. */
static struct {
	enum sync_kind sync;
	bool sysv_seg;		/* lab->mem is a shmat() attachment */
	int semid;
	sem_t *sem[2];
	char sem_name[2][80];
	unsigned char *data;	/* the message slot in shared memory */
} shm;

/* ---- semaphores ---- */

static void sysv_sem_create(void)
{
	unsigned short init[2] = { [SEM_EMPTY] = 1, [SEM_FULL] = 0 };

	/* IPC_PRIVATE: a new set, unique to this run. */
	shm.semid = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (shm.semid < 0)
		die_errno("semget");
	lab_cleanup_id(LAB_OBJ_SYSV_SEM, shm.semid);
	if (semctl(shm.semid, 0, SETALL, init))
		die_errno("semctl(SETALL)");
	shm.sync = SYNC_SYSV;
}

/* Unnamed POSIX semaphores live in shared memory at @where. */
static void posix_sem_init(sem_t *where)
{
	for (int i = 0; i < 2; i++) {
		shm.sem[i] = &where[i];
		if (sem_init(shm.sem[i], 1, i == SEM_EMPTY))
			die_errno("sem_init");
	}
	shm.sync = SYNC_POSIX_UNNAMED;
}

static void posix_sem_open_named(struct lab *lab)
{
	static const char *const suffix[2] = { "-empty", "-full" };

	lab_unique_name(lab->name, sizeof(lab->name), "/");
	for (int i = 0; i < 2; i++) {
		snprintf(shm.sem_name[i], sizeof(shm.sem_name[i]), "%s%s",
			 lab->name, suffix[i]);
		lab_cleanup_name(LAB_OBJ_POSIX_SEM, shm.sem_name[i]);
		shm.sem[i] = sem_open(shm.sem_name[i], O_CREAT | O_EXCL, 0600,
				      i == SEM_EMPTY);
		if (shm.sem[i] == SEM_FAILED)
			die_errno("sem_open(%s)", shm.sem_name[i]);
	}
	shm.sync = SYNC_POSIX_NAMED;
}

static void sem_down(int which)
{
	struct sembuf op = { .sem_num = which, .sem_op = -1 };

	if (shm.sync == SYNC_SYSV) {
		while (semop(shm.semid, &op, 1))
			if (errno != EINTR)
				die_errno("semop(-1)");
		return;
	}
	while (sem_wait(shm.sem[which]))
		if (errno != EINTR)
			die_errno("sem_wait");
}

static void sem_up(int which)
{
	struct sembuf op = { .sem_num = which, .sem_op = 1 };

	if (shm.sync == SYNC_SYSV) {
		if (semop(shm.semid, &op, 1))
			die_errno("semop(+1)");
		return;
	}
	if (sem_post(shm.sem[which]))
		die_errno("sem_post");
}

/* ---- the exchange, the same for all four ---- */

static void slot_sender(struct lab *lab)
{
	for (uint64_t i = 0; i < lab->o.messages; i++) {
		lab_pace(lab);
		sem_down(SEM_EMPTY);
		lab_pattern(shm.data, lab->o.size, i);
		lab_sent(lab, shm.data, lab->o.size);
		sem_up(SEM_FULL);
	}
}

static void slot_receiver(struct lab *lab)
{
	for (uint64_t i = 0; i < lab->o.messages; i++) {
		sem_down(SEM_FULL);
		lab_received(lab, shm.data, lab->o.size);
		sem_up(SEM_EMPTY);
	}
}

/* Anonymous shared memory: inherited over fork, shared by threads. */
static void *anon_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die_errno("mmap(%zu)", len);
	return p;
}

static void slot_teardown(struct lab *lab)
{
	if (shm.sync == SYNC_POSIX_NAMED)
		for (int i = 0; i < 2; i++)
			if (sem_close(shm.sem[i]))
				die_errno("sem_close");
	if (shm.sync == SYNC_POSIX_UNNAMED)
		for (int i = 0; i < 2; i++)
			if (sem_destroy(shm.sem[i]))
				die_errno("sem_destroy");
	if (shm.sysv_seg ? shmdt(lab->mem) : munmap(lab->mem, lab->mem_len))
		die_errno(shm.sysv_seg ? "shmdt" : "munmap");
	lab->mem = NULL;
}

/* sysv-shm */
static void sysv_shm_setup(struct lab *lab)
{
	lab->mem_len = lab->o.size;
	lab->id[0] = shmget(IPC_PRIVATE, lab->mem_len, IPC_CREAT | 0600);
	if (lab->id[0] < 0)
		die_errno("shmget(%zu)", lab->mem_len);
	lab_cleanup_id(LAB_OBJ_SYSV_SHM, lab->id[0]);
	/* Attached before the fork: the child inherits the attachment. */
	lab->mem = shmat(lab->id[0], NULL, 0);
	if (lab->mem == (void *)-1)
		die_errno("shmat");
	shm.data = lab->mem;
	shm.sysv_seg = true;
	sysv_sem_create();
}

/* posix-shm: the semaphores sit in the object, before the message slot. */
static void posix_shm_setup(struct lab *lab)
{
	int fd;

	lab->mem_len = 2 * sizeof(sem_t) + lab->o.size;
	lab_unique_name(lab->name, sizeof(lab->name), "/");
	lab_cleanup_name(LAB_OBJ_POSIX_SHM, lab->name);
	fd = shm_open(lab->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		die_errno("shm_open(%s)", lab->name);
	if (ftruncate(fd, lab->mem_len))
		die_errno("ftruncate(%s)", lab->name);
	lab->mem = mmap(NULL, lab->mem_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			fd, 0);
	if (lab->mem == MAP_FAILED)
		die_errno("mmap(%s)", lab->name);
	if (close(fd))
		die_errno("close(%s)", lab->name);
	posix_sem_init(lab->mem);
	shm.data = (unsigned char *)lab->mem + 2 * sizeof(sem_t);
}

/* sysv-sem */
static void sysv_sem_setup(struct lab *lab)
{
	lab->mem_len = lab->o.size;
	lab->mem = anon_shared(lab->mem_len);
	shm.data = lab->mem;
	sysv_sem_create();
}

/* posix-sem */
static void posix_sem_setup(struct lab *lab)
{
	lab->mem_len = 2 * sizeof(sem_t) + lab->o.size;
	lab->mem = anon_shared(lab->mem_len);
	shm.data = (unsigned char *)lab->mem + 2 * sizeof(sem_t);
	if (lab->o.unnamed)
		posix_sem_init(lab->mem);
	else
		posix_sem_open_named(lab);
}

const struct lab_mech lab_sysv_shm = {
	.name = "sysv-shm",
	.summary = N_("System V shared memory, turns taken with SysV semaphores"),
	.role = { "producer", "consumer" },
	.default_size = 64,
	.setup = sysv_shm_setup,
	.sender = slot_sender,
	.receiver = slot_receiver,
	.teardown = slot_teardown,
};

const struct lab_mech lab_posix_shm = {
	.name = "posix-shm",
	.summary = N_("POSIX shared memory (shm_open), turns taken with POSIX semaphores"),
	.role = { "producer", "consumer" },
	.default_size = 64,
	.setup = posix_shm_setup,
	.sender = slot_sender,
	.receiver = slot_receiver,
	.teardown = slot_teardown,
};

const struct lab_mech lab_sysv_sem = {
	.name = "sysv-sem",
	.summary = N_("a System V semaphore set (semop) passing turns"),
	.role = { "poster", "waiter" },
	.default_size = 8,
	.setup = sysv_sem_setup,
	.sender = slot_sender,
	.receiver = slot_receiver,
	.teardown = slot_teardown,
};

const struct lab_mech lab_posix_sem = {
	.name = "posix-sem",
	.summary = N_("POSIX semaphores (sem_open, or sem_init with --unnamed) passing turns"),
	.role = { "poster", "waiter" },
	.default_size = 8,
	.setup = posix_sem_setup,
	.sender = slot_sender,
	.receiver = slot_receiver,
	.teardown = slot_teardown,
	.help = N_("      --unnamed      unnamed semaphores (sem_init) in shared memory\n"
		   "                     instead of named ones in /dev/shm\n"),
};
