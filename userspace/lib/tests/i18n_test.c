// SPDX-License-Identifier: GPL-2.0
/*
 * lib/i18n.c and the labels, on the host: --lang is taken out of argv
 * wherever it is but never after a "--" (that is a COMMAND's), padding
 * counts a CJK character as two columns and is printf's for ASCII, and
 * the machine names (JSON, procfs) never change with the language while
 * the labels do.  The catalogue is the one the build compiled into
 * po/build/locale (TASKSTATE_LOCALEDIR points there).
 */
#define _GNU_SOURCE
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "lib/counters.h"
#include "lib/decode.h"
#include "lib/i18n.h"

#define NARGS(a) ((int)(sizeof(a) / sizeof(*(a))) - 1)

TEST(take_lang_anywhere_before_dashdash)
{
	char *argv[] = { "taskstate", "--lang", "zh", "show", "--lang=en",
			 "f", "--", "cmd", "--lang", "fr", NULL };
	int argc = NARGS(argv);
	const char *lang = ts_i18n_take_lang(&argc, argv);

	ASSERT_STREQ("en", lang);	/* the last one given */
	ASSERT_EQ(7, argc);
	EXPECT_STREQ("show", argv[1]);
	EXPECT_STREQ("f", argv[2]);
	EXPECT_STREQ("--", argv[3]);
	EXPECT_STREQ("--lang", argv[5]);
	EXPECT_STREQ("fr", argv[6]);
	EXPECT_EQ(NULL, argv[7]);
}

TEST(take_lang_none)
{
	char *argv[] = { "ipclab", "states", "--json", NULL };
	int argc = NARGS(argv);

	EXPECT_EQ(NULL, ts_i18n_take_lang(&argc, argv));
	EXPECT_EQ(3, argc);
}

TEST(pad_is_printf_for_ascii_and_counts_cjk_as_two)
{
	char buf[64], want[64];

	setlocale(LC_CTYPE, "C.UTF-8");
	snprintf(want, sizeof(want), "%-10s", "blocked");
	EXPECT_STREQ(want, ts_pad(buf, sizeof(buf), "blocked", -10));
	snprintf(want, sizeof(want), "%9s", "ready");
	EXPECT_STREQ(want, ts_pad(buf, sizeof(buf), "ready", 9));
	/* 阻塞态: 9 bytes, 6 columns. */
	EXPECT_STREQ("阻塞态    ", ts_pad(buf, sizeof(buf), "阻塞态", -10));
	EXPECT_STREQ("   阻塞态", ts_pad(buf, sizeof(buf), "阻塞态", 9));
	/* Too wide: as is, like printf. */
	EXPECT_STREQ("阻塞态", ts_pad(buf, sizeof(buf), "阻塞态", 4));
	setlocale(LC_CTYPE, "C");
}

/* The catalogue of this tree, whatever the machine has installed. */
static void use_tree_catalogue(void)
{
	/* The Makefile says where the tree is (the test may be in asan/). */
	setenv("TASKSTATE_LOCALEDIR", TS_TOP_DIR "/po/build/locale", 1);
}

TEST(labels_follow_the_language_names_do_not)
{
	struct taskstate_event ev = {
		.size = sizeof(ev), .kind = TASKSTATE_KIND_EVENT,
		.from = TASKSTATE_RUNNING, .to = TASKSTATE_BLOCKED,
		.transition = TASKSTATE_TR_BLOCK, .cause = TASKSTATE_CAUSE_SLEEP,
		.linux_state = 'S', .pid = 7, .tgid = 7,
		.comm = "a", .wait_site = "pipe_read",
	};
	char en[512], zh[512];

	use_tree_catalogue();
	ASSERT_EQ(0, ts_i18n_init("en"));
	EXPECT_STREQ("blocked", ts_state_label(TASKSTATE_BLOCKED));
	EXPECT_STREQ("running->blocked", ts_transition_label(TASKSTATE_TR_BLOCK));
	ts_event_format_json(&ev, en, sizeof(en));

	ASSERT_EQ(0, ts_i18n_init("zh"));
	if (!strcmp(ts_state_label(TASKSTATE_BLOCKED), "blocked"))
		SKIP(return, "no catalogue in po/build/locale: run make -C po");
	EXPECT_STREQ("阻塞态", ts_state_label(TASKSTATE_BLOCKED));
	EXPECT_STREQ("新建态", ts_state_label(TASKSTATE_NEW));
	EXPECT_STREQ("就绪态", ts_state_label(TASKSTATE_READY));
	EXPECT_STREQ("运行态", ts_state_label(TASKSTATE_RUNNING));
	EXPECT_STREQ("退出态", ts_state_label(TASKSTATE_EXIT));
	EXPECT_STREQ("运行->阻塞", ts_transition_label(TASKSTATE_TR_BLOCK));
	/* "exit" the cause is not "exit" the state. */
	EXPECT_STRNE(ts_state_label(TASKSTATE_EXIT),
		     ts_cause_label(TASKSTATE_CAUSE_EXIT));
	/* The machine names stay. */
	EXPECT_STREQ("blocked", ts_state_str(TASKSTATE_BLOCKED));
	EXPECT_STREQ("sleep", ts_cause_str(TASKSTATE_CAUSE_SLEEP));
	EXPECT_STREQ("running->blocked", ts_transition_str(TASKSTATE_TR_BLOCK));
	ts_event_format_json(&ev, zh, sizeof(zh));
	EXPECT_STREQ(en, zh);
	ts_event_format_text(&ev, zh, sizeof(zh));
	EXPECT_NE(NULL, strstr(zh, "运行态 -> 阻塞态 (S) 等待事件")) TH_LOG("%s", zh);

	ASSERT_EQ(0, ts_i18n_init("en"));
	ts_event_format_text(&ev, en, sizeof(en));
	EXPECT_NE(NULL, strstr(en, "running -> blocked (S) sleep in pipe_read"))
		TH_LOG("%s", en);
	EXPECT_EQ(-1, ts_i18n_init("fr"));
}

TEST_HARNESS_MAIN
