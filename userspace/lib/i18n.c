// SPDX-License-Identifier: GPL-2.0
/*
 * Locale set-up for the tools, and the helpers that make translated text
 * line up.
 *
 * How --lang zh works whatever locales the machine has: gettext picks the
 * catalogue from LANGUAGE (a list of languages) before LC_MESSAGES, except
 * when LC_MESSAGES is "C" or "POSIX", where it ignores LANGUAGE.  Debian
 * ships only C.UTF-8 by default (zh_CN.UTF-8 has to be generated with
 * locale-gen, which a user or our VM may not have done), and glibc 2.36
 * treats C.UTF-8 as an ordinary locale: LANGUAGE=zh_CN under LC_MESSAGES=
 * C.UTF-8 finds po's zh_CN catalogue (checked on Debian 12 and in the VM,
 * where LANG=C.UTF-8).  So --lang zh sets LANGUAGE=zh_CN and, when the
 * environment's locale is C/POSIX or missing, LC_MESSAGES and LC_CTYPE to
 * C.UTF-8 (LC_CTYPE: gettext converts the UTF-8 catalogue to its codeset,
 * and ASCII would turn every character into '?').  The same happens when
 * the environment asks for zh_* but setlocale() refuses it because that
 * locale is not generated.  --lang en sets LC_MESSAGES to C, where gettext
 * returns the English msgids.
 *
 * Only LC_CTYPE and LC_MESSAGES follow the environment: LC_NUMERIC and
 * LC_TIME stay "C", so numbers keep their '.' (a de_DE user's JSON and
 * tables are not reformatted) and the output programs parse is the same in
 * every language.
 */
#define _GNU_SOURCE
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "i18n.h"
#include "util.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/* LANGUAGE as it was before --lang changed it (for the programs we run). */
static bool language_changed;
static char *saved_language;

const char *ts_pgettext(const char *ctx, const char *msgid)
{
	char key[256];
	const char *tr;

	/* gettext's convention: context, EOT, msgid. */
	if ((size_t)snprintf(key, sizeof(key), "%s\004%s", ctx, msgid) >=
	    sizeof(key))
		return msgid;
	tr = dgettext(TS_TEXT_DOMAIN, key);
	return tr == key ? msgid : tr;
}

/*
 * The catalogues: TASKSTATE_LOCALEDIR if set; else, for a binary run from
 * the source tree (userspace/taskstate/taskstate), the ones `make` compiled
 * into po/build/locale two levels up, so tests and docs need no install;
 * else the installed LOCALEDIR ($(PREFIX)/share/locale).
 */
static const char *locale_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("TASKSTATE_LOCALEDIR");
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n > 0) {
		dir[n] = '\0';
		slash = strrchr(dir, '/');
		if (slash && (size_t)(slash - dir) + 32 < sizeof(dir)) {
			strcpy(slash, "/../../po/build/locale");
			if (!access(dir, R_OK | X_OK))
				return dir;
		}
	}
	return LOCALEDIR;
}

/* The locale name the environment gives @category, as setlocale() reads it. */
static const char *env_locale(const char *category)
{
	const char *v = getenv("LC_ALL");

	if (!v || !*v)
		v = getenv(category);
	if (!v || !*v)
		v = getenv("LANG");
	return v ? v : "";
}

static bool is_c_locale(const char *name)
{
	return !name || !strcmp(name, "C") || !strcmp(name, "POSIX");
}

static void use_utf8_c_locale(int category)
{
	/* Debian spells it C.UTF-8; the files are named C.utf8. */
	if (!setlocale(category, "C.UTF-8"))
		setlocale(category, "C.utf8");
}

static void set_language(const char *value)
{
	const char *old = getenv("LANGUAGE");

	if (!language_changed) {
		saved_language = old ? strdup(old) : NULL;
		language_changed = true;
	}
	setenv("LANGUAGE", value, 1);
}

int ts_i18n_init(const char *lang)
{
	bool zh = false, en = false, fix_c = false, have_msgs;
	int ret = 0;

	if (lang && !strcmp(lang, "zh"))
		zh = true;
	else if (lang && !strcmp(lang, "en"))
		en = true;
	else if (lang)
		ret = -1;

	setlocale(LC_CTYPE, "");
	have_msgs = setlocale(LC_MESSAGES, "") != NULL;
	/* LANG=zh_CN.UTF-8 on a machine where that locale is not generated. */
	if (!lang && !have_msgs &&
	    !strncmp(env_locale("LC_MESSAGES"), "zh", 2)) {
		const char *language = getenv("LANGUAGE");

		/* A LANGUAGE of the user's own still chooses. */
		if (!language || !*language)
			set_language("zh_CN");
		fix_c = true;
	}
	if (zh) {
		set_language("zh_CN");
		fix_c = true;
	} else if (en) {
		setlocale(LC_MESSAGES, "C");
	}
	if (fix_c) {
		if (is_c_locale(setlocale(LC_MESSAGES, NULL)))
			use_utf8_c_locale(LC_MESSAGES);
		if (is_c_locale(setlocale(LC_CTYPE, NULL)))
			use_utf8_c_locale(LC_CTYPE);
	}
	bindtextdomain(TS_TEXT_DOMAIN, locale_dir());
	textdomain(TS_TEXT_DOMAIN);
	if (zh) {
		char mo[PATH_MAX + 64];

		/* gettext would fall back to English without a word. */
		snprintf(mo, sizeof(mo), "%s/zh_CN/LC_MESSAGES/%s.mo", locale_dir(),
			 TS_TEXT_DOMAIN);
		if (access(mo, R_OK))
			fprintf(stderr, "%s: --lang zh: no Chinese catalogue (%s); messages stay in English (make -C po builds it)\n",
				prog_name, mo);
	}
	return ret;
}

const char *ts_i18n_take_lang(int *argc, char **argv)
{
	const char *lang = NULL;
	int in, out;

	for (in = out = 1; in < *argc; in++) {
		const char *a = argv[in];

		if (!strcmp(a, "--")) {
			while (in < *argc)
				argv[out++] = argv[in++];
			break;
		}
		if (!strncmp(a, "--lang=", 7)) {
			lang = a + 7;
			continue;
		}
		if (!strcmp(a, "--lang")) {
			if (in + 1 >= *argc) {
				ts_i18n_init(NULL);
				usage_error(_("option '--lang' needs an argument: zh or en"));
			}
			lang = argv[++in];
			continue;
		}
		argv[out++] = argv[in];
	}
	argv[out] = NULL;
	*argc = out;
	return lang;
}

void ts_i18n_restore_env(void)
{
	if (!language_changed)
		return;
	if (saved_language)
		setenv("LANGUAGE", saved_language, 1);
	else
		unsetenv("LANGUAGE");
}

/* Terminal columns of @s in the locale's codeset; bytes if it is not one. */
static int text_width(const char *s)
{
	mbstate_t st;
	size_t len = strlen(s);
	int w = 0;

	memset(&st, 0, sizeof(st));
	while (len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, len, &st);
		int cw;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* Not text in this locale: one column a byte. */
			memset(&st, 0, sizeof(st));
			n = 1;
			cw = 1;
		} else {
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		w += cw;
		s += n;
		len -= n;
	}
	return w;
}

const char *ts_pad(char *buf, size_t len, const char *s, int width)
{
	bool left = width < 0;
	int fill = (left ? -width : width) - text_width(s);

	if (fill < 0)
		fill = 0;
	if (left)
		snprintf(buf, len, "%s%*s", s, fill, "");
	else
		snprintf(buf, len, "%*s%s", fill, "", s);
	return buf;
}

void ts_put_padded(FILE *f, const char *s, int width)
{
	char buf[512];

	fputs(ts_pad(buf, sizeof(buf), s, width), f);
}
