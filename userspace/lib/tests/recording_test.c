// SPDX-License-Identifier: GPL-2.0
/*
 * Recording files, on the host: what is written reads back the same, and
 * a file that is not a whole valid recording (truncated, random bytes,
 * another version or record size, an invalid record, a bad JSON line) is
 * refused with the byte offset where it goes wrong, never a crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "lib/decode.h"
#include "lib/recording.h"

#define NR_EV	5
#define HDR	sizeof(struct ts_recording_header)
#define RS	sizeof(struct taskstate_event)

static void make_events(struct taskstate_event *ev)
{
	memset(ev, 0, NR_EV * sizeof(*ev));
	for (int i = 0; i < NR_EV; i++) {
		ev[i].size = sizeof(ev[i]);
		ev[i].kind = TASKSTATE_KIND_EVENT;
		ev[i].transition = TASKSTATE_TR_BLOCK;
		ev[i].from = TASKSTATE_RUNNING;
		ev[i].to = TASKSTATE_BLOCKED;
		ev[i].cause = TASKSTATE_CAUSE_SLEEP;
		ev[i].linux_state = 'S';
		ev[i].ts_ns = 1000 + i;
		ev[i].pid = ev[i].tgid = 100 + i;
		ev[i].prev_state_ns = 7;
		snprintf(ev[i].comm, sizeof(ev[i].comm), "t<%u>&\"", (unsigned char)i);
		strcpy(ev[i].wait_site, "pipe_read");
	}
	/* A lost record is part of a recording too. */
	ev[3].kind = TASKSTATE_KIND_LOST;
	ev[3].lost = 17;
}

FIXTURE(rec) {
	char dir[64];
	char path[128];
	struct taskstate_event ev[NR_EV];
};

FIXTURE_SETUP(rec)
{
	strcpy(self->dir, "/tmp/recording_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/r.tsrec", self->dir);
	make_events(self->ev);
}

FIXTURE_TEARDOWN(rec)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

static void write_file(struct __test_metadata *_metadata, const char *path,
		       const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)len, write(fd, buf, len));
	close(fd);
}

/* The whole file as written by the writer, into a malloc()ed buffer. */
static char *good_file(struct __test_metadata *_metadata,
		       FIXTURE_DATA(rec) *self, size_t *len)
{
	struct ts_recording_writer *w = ts_recording_create(self->path);
	struct stat st;
	char *buf;
	int fd;

	EXPECT_NE(NULL, w);
	if (!w)
		return NULL;
	EXPECT_EQ(0, ts_recording_write(w, self->ev, NR_EV));
	EXPECT_EQ(0, ts_recording_commit(w));
	fd = open(self->path, O_RDONLY);
	EXPECT_LE(0, fd);
	EXPECT_EQ(0, fstat(fd, &st));
	*len = st.st_size;
	buf = malloc(*len);
	EXPECT_EQ((ssize_t)*len, read(fd, buf, *len));
	close(fd);
	return buf;
}

TEST_F(rec, round_trip)
{
	struct ts_recording r;
	struct ts_recording_error err = { 0 };
	size_t len;
	char *buf = good_file(_metadata, self, &len);

	ASSERT_NE(NULL, buf);
	EXPECT_EQ(HDR + NR_EV * RS, len);
	EXPECT_EQ(0, memcmp(buf, "TSREC", 5));
	ASSERT_EQ(0, ts_recording_load(self->path, &r, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(NR_EV, r.n);
	EXPECT_EQ(0, memcmp(r.ev, self->ev, sizeof(self->ev)));
	EXPECT_EQ(0, r.json);
	ts_recording_free(&r);
	free(buf);
}

TEST_F(rec, no_temporary_left)
{
	struct ts_recording_writer *w = ts_recording_create(self->path);
	char cmd[256];

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, ts_recording_write(w, self->ev, NR_EV));
	/* Before commit the name does not exist; after abort nothing does. */
	EXPECT_NE(0, access(self->path, F_OK));
	ts_recording_abort(w);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", self->dir);
	EXPECT_EQ(0, system(cmd));
}

/* Write the fixture's events to @path, through the writer. */
static int write_to(const char *path, const struct taskstate_event *ev)
{
	struct ts_recording_writer *w = ts_recording_create(path);
	int ret;

	if (!w)
		return -errno;
	ret = ts_recording_write(w, ev, NR_EV);
	if (ret) {
		ts_recording_abort(w);
		return ret;
	}
	return ts_recording_commit(w);
}

/* Issue 16: -o through a symlink wrote a file over the link. */
TEST_F(rec, a_symlink_stays_a_symlink_and_its_target_is_written)
{
	char target[160];
	struct stat st;

	snprintf(target, sizeof(target), "%s/target", self->dir);
	write_file(_metadata, target, "old", 3);
	ASSERT_EQ(0, symlink("target", self->path));
	ASSERT_EQ(0, write_to(self->path, self->ev));
	ASSERT_EQ(0, lstat(self->path, &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	ASSERT_EQ(0, stat(target, &st));
	EXPECT_EQ((off_t)(HDR + NR_EV * RS), st.st_size);
}

/* Issue 16: a FIFO was replaced by a regular file, its reader got nothing. */
TEST_F(rec, a_fifo_is_written_through)
{
	char buf[HDR + NR_EV * RS + 1];
	struct stat st;
	ssize_t n, got = 0;
	int rfd;

	ASSERT_EQ(0, mkfifo(self->path, 0600));
	/* A reader first, so the writer's open() does not wait. */
	rfd = open(self->path, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, write_to(self->path, self->ev));
	while ((n = read(rfd, buf + got, sizeof(buf) - got)) > 0)
		got += n;
	close(rfd);
	EXPECT_EQ((ssize_t)(HDR + NR_EV * RS), got);
	EXPECT_EQ(0, memcmp(buf, "TSREC", 5));
	ASSERT_EQ(0, lstat(self->path, &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

/* Issue 16: 'trace -o /dev/null' as root turned /dev/null into a file. */
TEST_F(rec, a_device_is_written_through)
{
	struct stat st;

	if (geteuid())
		SKIP(return, "mknod of a null device needs root");
	ASSERT_EQ(0, mknod(self->path, S_IFCHR | 0666, makedev(1, 3)));
	ASSERT_EQ(0, write_to(self->path, self->ev));
	ASSERT_EQ(0, lstat(self->path, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

/* Issue 16: a directory said EROFS (the temporary went to its parent). */
TEST_F(rec, a_directory_is_eisdir)
{
	EXPECT_EQ(-EISDIR, write_to(self->dir, self->ev));
}

TEST_F(rec, truncated)
{
	struct ts_recording r;
	struct ts_recording_error err = { 0 };
	size_t len;
	char *buf = good_file(_metadata, self, &len);

	ASSERT_NE(NULL, buf);
	/* Every cut that is not at a record boundary is refused. */
	for (size_t cut = 1; cut < len; cut++) {
		int ret = ts_recording_parse(buf, cut, &r, &err);

		if (cut >= HDR && (cut - HDR) % RS == 0) {
			EXPECT_EQ(0, ret);
			EXPECT_EQ((cut - HDR) / RS, r.n);
			ts_recording_free(&r);
			continue;
		}
		ASSERT_EQ(-EPROTO, ret) TH_LOG("cut at %zu", cut);
		if (cut < TS_RECORDING_MAGIC_LEN) {
			EXPECT_EQ(0, err.offset);
		} else if (cut < HDR) {
			EXPECT_EQ(cut, err.offset);
			EXPECT_NE(NULL, strstr(err.msg, "truncated header"));
		} else {
			EXPECT_EQ(HDR + (cut - HDR) / RS * RS, err.offset);
			EXPECT_NE(NULL, strstr(err.msg, "truncated record"));
		}
	}
	free(buf);
}

TEST_F(rec, wrong_version_and_record_size)
{
	struct ts_recording r;
	struct ts_recording_error err = { 0 };
	struct ts_recording_header h;
	size_t len;
	char *buf = good_file(_metadata, self, &len);

	ASSERT_NE(NULL, buf);
	memcpy(&h, buf, sizeof(h));
	h.version = 99;
	memcpy(buf, &h, sizeof(h));
	write_file(_metadata, self->path, buf, len);
	EXPECT_EQ(-EPROTO, ts_recording_load(self->path, &r, &err));
	EXPECT_EQ(offsetof(struct ts_recording_header, version), err.offset);
	EXPECT_NE(NULL, strstr(err.msg, "version 99")) TH_LOG("%s", err.msg);

	h.version = TS_RECORDING_VERSION;
	h.record_size = RS + 8;
	memcpy(buf, &h, sizeof(h));
	EXPECT_EQ(-EPROTO, ts_recording_parse(buf, len, &r, &err));
	EXPECT_EQ(offsetof(struct ts_recording_header, record_size), err.offset);

	h.record_size = RS;
	h.byte_order = __builtin_bswap32(TS_RECORDING_BOM);
	memcpy(buf, &h, sizeof(h));
	EXPECT_EQ(-EPROTO, ts_recording_parse(buf, len, &r, &err));
	EXPECT_EQ(offsetof(struct ts_recording_header, byte_order), err.offset);
	free(buf);
}

TEST_F(rec, invalid_record)
{
	struct ts_recording r;
	struct ts_recording_error err = { 0 };
	struct taskstate_event *ev;
	size_t len;
	char *buf = good_file(_metadata, self, &len);

	ASSERT_NE(NULL, buf);
	ev = (struct taskstate_event *)(buf + HDR + 2 * RS);
	ev->from = 200;
	EXPECT_EQ(-EPROTO, ts_recording_parse(buf, len, &r, &err));
	EXPECT_EQ(HDR + 2 * RS, err.offset);
	EXPECT_NE(NULL, strstr(err.msg, "invalid record 2")) TH_LOG("%s", err.msg);
	free(buf);
}

TEST(random_bytes)
{
	struct ts_recording r;
	struct ts_recording_error err;
	unsigned char buf[4096];

	srandom(1);
	for (int round = 0; round < 2000; round++) {
		size_t len = random() % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = random();
		/* Now and then a valid header, so the records get checked. */
		if (round % 2 && len >= HDR) {
			struct ts_recording_header h = {
				.version = TS_RECORDING_VERSION,
				.record_size = RS,
				.abi_version = TASKSTATE_ABI_VERSION,
				.byte_order = TS_RECORDING_BOM,
			};

			memcpy(h.magic, TS_RECORDING_MAGIC, TS_RECORDING_MAGIC_LEN);
			memcpy(buf, &h, sizeof(h));
		}
		memset(&err, 0, sizeof(err));
		if (ts_recording_parse(buf, len, &r, &err) == 0) {
			ts_recording_free(&r);
			continue;
		}
		EXPECT_LE(err.offset, len);
		EXPECT_NE(0, err.msg[0]);
	}
}

TEST_F(rec, json_lines)
{
	struct ts_recording r;
	struct ts_recording_error err = { 0 };
	char text[8192] = "", line[1024];
	size_t first_len;

	for (int i = 0; i < NR_EV; i++) {
		ts_event_format_json(&self->ev[i], line, sizeof(line));
		strcat(text, line);
		strcat(text, "\n");
	}
	write_file(_metadata, self->path, text, strlen(text));
	ASSERT_EQ(0, ts_recording_load(self->path, &r, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(NR_EV, r.n);
	EXPECT_EQ(1, r.json);
	for (int i = 0; i < NR_EV; i++) {
		EXPECT_EQ(self->ev[i].kind, r.ev[i].kind);
		EXPECT_EQ(self->ev[i].ts_ns, r.ev[i].ts_ns);
		if (r.ev[i].kind == TASKSTATE_KIND_LOST) {
			EXPECT_EQ(self->ev[i].lost, r.ev[i].lost);
			continue;
		}
		EXPECT_EQ(self->ev[i].pid, r.ev[i].pid);
		EXPECT_STREQ(self->ev[i].comm, r.ev[i].comm);
	}
	ts_recording_free(&r);

	/* A broken second line: the offset is in the file, not the line. */
	first_len = strchr(text, '\n') - text + 1;
	text[first_len + 3] = 'X';
	EXPECT_EQ(-EPROTO, ts_recording_parse(text, strlen(text), &r, &err));
	EXPECT_LE(first_len, err.offset);
	EXPECT_GT(first_len + 40, err.offset);
	EXPECT_NE(NULL, strstr(err.msg, "line 2")) TH_LOG("%s", err.msg);
}

TEST(empty_and_missing)
{
	struct ts_recording r;
	struct ts_recording_error err = { 0 };

	EXPECT_EQ(-EPROTO, ts_recording_parse("", 0, &r, &err));
	EXPECT_EQ(0, err.offset);
	EXPECT_EQ(-ENOENT, ts_recording_load("/nonexistent/r", &r, &err));
}

TEST_HARNESS_MAIN
