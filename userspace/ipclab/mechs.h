/* SPDX-License-Identifier: GPL-2.0 */
/* The mechanisms ipclab exercises, one struct lab_mech each. */
#ifndef IPCLAB_MECHS_H
#define IPCLAB_MECHS_H

#include "run.h"

extern const struct lab_mech lab_pipe, lab_fifo;		/* pipe.c */
extern const struct lab_mech lab_sysv_msg, lab_posix_mq;	/* msg.c */
extern const struct lab_mech lab_sysv_shm, lab_posix_shm,	/* shm.c */
	lab_sysv_sem, lab_posix_sem;
extern const struct lab_mech lab_unix_stream, lab_unix_dgram,	/* sock.c */
	lab_socketpair, lab_tcp;
extern const struct lab_mech lab_signal;			/* signal.c */

#endif
