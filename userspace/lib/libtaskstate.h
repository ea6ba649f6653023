/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libtaskstate, the one header of its public interface: a session of
 * /dev/taskstate (stream.h), events as text and JSON (decode.h),
 * recordings (recording.h), the module's counters (counters.h), the
 * tools' language and messages (i18n.h, util.h).  Link lib/libtaskstate.a.
 */
#ifndef LIBTASKSTATE_H
#define LIBTASKSTATE_H

#include "counters.h"
#include "decode.h"
#include "i18n.h"
#include "recording.h"
#include "stream.h"
#include "util.h"

#endif
