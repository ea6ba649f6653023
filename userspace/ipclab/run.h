/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every ipclab exchange shares: options, participants (processes or
 * threads), the cleanup registry, message patterns and their checksums.
 * A mechanism file only says how to set its objects up, how to send and
 * how to receive.
 */
#ifndef IPCLAB_RUN_H
#define IPCLAB_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bounds of -n and -s: enough to watch, small enough never to hurt. */
#define LAB_MAX_MESSAGES	100000
#define LAB_MAX_SIZE		(1u << 20)
#define LAB_MAX_INTERVAL_MS	10000

struct lab_opts {
	uint64_t messages;	/* -n */
	uint64_t size;		/* -s; 0: the mechanism's default */
	uint64_t interval_ms;	/* --interval: the sender's pause per message */
	bool threads;		/* --threads */
	bool json;		/* --json */
	bool quiet;		/* --quiet */
	bool unnamed;		/* --unnamed (posix-sem) */
};

/* The two participants: the one that sends and the one that receives. */
enum { LAB_SENDER, LAB_RECEIVER, LAB_NR_ROLES };

/*
 * What a participant reports back.  Lives in a MAP_SHARED mapping made
 * before the fork, so processes and threads report the same way.
 */
struct lab_result {
	pid_t pid;		/* thread id (== tgid for a process) */
	pid_t tgid;
	uint64_t messages;	/* sent or received and checked */
	uint64_t checksum;	/* fold of every message's FNV-1a */
	uint64_t mismatches;	/* received messages with a wrong checksum */
	bool done;
};

struct lab;

/*
 * Timing mode (ipclab bench; NULL in an ordinary exchange).  Lives in a
 * MAP_SHARED mapping, like the results.  The sender stamps the clock
 * before each message (in lab_pace(), which then never sleeps); with @ack
 * it first waits until the receiver has taken the previous message (a
 * futex on @acked: the round trip's return leg).  Messages are filled with
 * memset and not checksummed: only counted.
 */
struct lab_timing {
	bool ack;
	uint32_t acked;		/* futex: messages the receiver has taken */
	uint32_t waiting;	/* the sender sleeps on @acked */
	uint64_t end_ns;	/* when the receiver took the last message */
	uint64_t *stamps;	/* messages entries, shared too */
};

/* One mechanism (or one variant of a family): see mechs.h. */
struct lab_mech {
	const char *name;
	const char *summary;
	const char *role[LAB_NR_ROLES];	/* e.g. "producer", "consumer" */
	uint64_t default_size;
	/*
	 * The largest message the mechanism carries (0: LAB_MAX_SIZE) and
	 * the name of that limit, untranslated (N_()): people get _() of
	 * it, CSV keeps the English.  Called before anything is created,
	 * so a refusal leaves nothing behind.
	 */
	uint64_t (*max_size)(const struct lab *lab, const char **limit);
	/* Create the objects (in the coordinator, before any participant). */
	void (*setup)(struct lab *lab);
	/* Each participant's body: send or receive lab->o.messages messages. */
	void (*sender)(struct lab *lab);
	void (*receiver)(struct lab *lab);
	/* Close what setup opened (the registry unlinks and removes). */
	void (*teardown)(struct lab *lab);
	const char *help;	/* extra lines for --help, may be NULL */
	/*
	 * Nothing to register for cleanup (pipe, socketpair, ...): no
	 * janitor process is started, so a 'taskstate trace' of it shows
	 * only the participants.
	 */
	bool anonymous;
};

struct lab {
	const struct lab_mech *mech;
	struct lab_opts o;
	pid_t coordinator;	/* ipclab's own pid */
	/* The participants' own reports (shared mapping). */
	struct lab_result *res;
	/* Thread mode: the participants' threads; process mode: pids. */
	pthread_t thread[LAB_NR_ROLES];
	pid_t pid[LAB_NR_ROLES];
	/* Whatever the mechanism keeps between setup and its participants. */
	int fd[4];
	int id[2];
	void *mem;
	size_t mem_len;
	void *priv;
	char name[64];		/* a unique object name, see lab_unique_name() */
	struct lab_timing *timing;	/* NULL unless ipclab bench */
};

/*
 * getopt_long's refusal, in one line and exit 2: "CMD: bad option '-x' or
 * missing argument; try 'ipclab CMD --help'".  Call it from the default
 * case of the getopt loop (opterr = 0): it names optopt when that is a
 * character, else the word at optind - 1.
 */
void lab_bad_option(const char *cmd, char **argv) __attribute__((noreturn));
/* After the getopt loop: any operand left is a usage error (exit 2). */
void lab_no_operands(const char *cmd, int argc, char **argv);

/* Parse the common options and run @mech's exchange; the exit status. */
int lab_main(const struct lab_mech *mech, int argc, char **argv);

/*
 * One quiet exchange of @o->messages over @mech between two processes, in
 * timing mode @t (ipclab bench): no story, no output.  True when every
 * message arrived.
 */
bool lab_exchange(const struct lab_mech *mech, const struct lab_opts *o,
		  struct lab_timing *t);

/*
 * A name no other run uses at the same time: "ipclab-PID-N" where N comes
 * from the monotonic clock and a counter; @prefix goes before it ("/" for
 * POSIX IPC, "/tmp/" for files).
 */
void lab_unique_name(char *buf, size_t len, const char *prefix);

/* ---- cleanup registry ---- */

enum lab_obj {
	LAB_OBJ_PATH,		/* a FIFO or socket file: unlink() */
	LAB_OBJ_POSIX_SHM,	/* shm_open name: unlink("/dev/shm" name) */
	LAB_OBJ_POSIX_SEM,	/* sem_open name: unlink("/dev/shm/sem." name) */
	LAB_OBJ_POSIX_MQ,	/* mq_open name: mq_unlink() */
	LAB_OBJ_SYSV_MSG,	/* msgctl(IPC_RMID) */
	LAB_OBJ_SYSV_SEM,	/* semctl(IPC_RMID) */
	LAB_OBJ_SYSV_SHM,	/* shmctl(IPC_RMID) */
};

/*
 * Remember an object to remove on every way out of the coordinator.
 * Register a name *before* creating it (removing a name that does not
 * exist yet is harmless; an object created but not registered would leak
 * if a signal came in between).  @name is copied.
 */
void lab_cleanup_name(enum lab_obj kind, const char *name);
void lab_cleanup_id(enum lab_obj kind, int id);

/* ---- messages ---- */

/* Fill @buf with message number @seq's deterministic pattern. */
void lab_pattern(void *buf, size_t len, uint64_t seq);
uint64_t lab_fnv1a(const void *buf, size_t len);

/* The sender's side: count and fold message @seq's checksum. */
void lab_sent(struct lab *lab, const void *buf, size_t len);
/* The receiver's side: check message number res->messages, fold it. */
void lab_received(struct lab *lab, const void *buf, size_t len);

/* The sender's pause before each message, so the receiver waits for it. */
void lab_pace(const struct lab *lab);

/* read()/write() all of @len, or die naming @what. */
void lab_read_full(int fd, void *buf, size_t len, const char *what);
void lab_write_full(int fd, const void *buf, size_t len, const char *what);

/*
 * A whole exchange over a byte stream (pipe, FIFO, stream socket): send
 * every message on @fd, paced; or receive and check each.  @what names
 * the operation in an error message.
 */
void lab_send_stream(struct lab *lab, int fd, const char *what);
void lab_receive_stream(struct lab *lab, int fd, const char *what);

/* malloc() or die. */
void *lab_alloc(size_t len);

/* A non-negative number from a /proc/sys file, or @fallback. */
uint64_t lab_proc_u64(const char *path, uint64_t fallback);

#endif
