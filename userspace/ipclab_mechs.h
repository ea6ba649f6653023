/* SPDX-License-Identifier: GPL-2.0 */
/* The mechanisms ipclab exercises, one struct lab_mech each. */
#ifndef IPCLAB_MECHS_H
#define IPCLAB_MECHS_H

#include "ipclab_run.h"

extern const struct lab_mech lab_pipe, lab_fifo;		/* ipclab_pipe.c */
extern const struct lab_mech lab_sysv_msg, lab_posix_mq;	/* ipclab_msg.c */
extern const struct lab_mech lab_sysv_shm, lab_posix_shm,	/* ipclab_shm.c */
	lab_sysv_sem, lab_posix_sem;
extern const struct lab_mech lab_unix_stream, lab_unix_dgram,	/* ipclab_sock.c */
	lab_socketpair, lab_tcp;
extern const struct lab_mech lab_signal;			/* ipclab_signal.c */

#endif
