/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages in the user's language, the GNU gettext way: _() translates,
 * N_() marks a string translated later (tables), C_()/NC_() do the same
 * with a context, for words that mean different things in different
 * places ("exit" the state, "exit" the cause).  The catalogue is the
 * "taskstate" text domain (po/zh_CN.po).  JSON, procfs keys and anything a
 * program parses never go through these.
 */
#ifndef TASKSTATE_I18N_H
#define TASKSTATE_I18N_H

#include <stdio.h>
#include <libintl.h>

#define TS_TEXT_DOMAIN "taskstate"

#define _(s) gettext(s)
#define N_(s) s
#define C_(ctx, s) ts_pgettext(ctx, s)
#define NC_(ctx, s) s

/* The translation of @msgid in context @ctx (xgettext --keyword=C_:1c,2). */
const char *ts_pgettext(const char *ctx, const char *msgid);

/*
 * Set up the locale and the catalogue.  @lang is what --lang said: NULL
 * (follow the environment: LC_ALL, LC_MESSAGES, LANG, LANGUAGE), "zh" or
 * "en".  Returns 0, or -1 for another @lang (the environment is then
 * followed, so the caller can report the error in the user's language).
 */
int ts_i18n_init(const char *lang);

/*
 * Take "--lang L" and "--lang=L" out of argv (up to a "--": what follows
 * is a COMMAND's), wherever they are, so each subcommand's own option
 * parsing never sees them; *argc is updated.  Returns the last L given,
 * or NULL.  A --lang without a value is a usage error (exit 2).
 */
const char *ts_i18n_take_lang(int *argc, char **argv);

/* For a program taskstate runs: the environment as the user gave it. */
void ts_i18n_restore_env(void);

/*
 * @s padded with spaces to @width terminal columns (left-aligned when
 * @width < 0, as printf's "%-*s"), counting a CJK character as two
 * columns, so tables line up in Chinese too.  For ASCII the result is
 * exactly printf's.  Written to @f.
 */
void ts_put_padded(FILE *f, const char *s, int width);
/* The same into @buf (truncated to @len - 1 bytes); returns @buf. */
const char *ts_pad(char *buf, size_t len, const char *s, int width);

#endif
