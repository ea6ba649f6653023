// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"
#include "i18n.h"
#include "recording.h"
#include "util.h"

struct ts_recording_writer {
	FILE *f;
	char *path;
	char *tmp;
};

struct ts_recording_writer *ts_recording_create(const char *path)
{
	struct ts_recording_writer *w = calloc(1, sizeof(*w));
	struct ts_recording_header h = {
		.version = TS_RECORDING_VERSION,
		.record_size = sizeof(struct taskstate_event),
		.abi_version = TASKSTATE_ABI_VERSION,
		.byte_order = TS_RECORDING_BOM,
	};
	int fd, err;

	if (!w)
		return NULL;
	memcpy(h.magic, TS_RECORDING_MAGIC, TS_RECORDING_MAGIC_LEN);
	w->path = strdup(path);
	if (!w->path)
		goto fail;
	/* A regular file under a temporary name; /dev/null or a FIFO directly. */
	fd = ts_output_open(path, &w->tmp);
	if (fd < 0)
		goto fail;
	w->f = fdopen(fd, "w");
	if (!w->f) {
		close(fd);
		goto fail;
	}
	if (fwrite(&h, sizeof(h), 1, w->f) != 1)
		goto fail;
	return w;
fail:
	err = errno;
	ts_recording_abort(w);
	errno = err;
	return NULL;
}

int ts_recording_write(struct ts_recording_writer *w,
		       const struct taskstate_event *ev, size_t n)
{
	if (n && fwrite(ev, sizeof(*ev), n, w->f) != n)
		return errno ? -errno : -EIO;
	return 0;
}

int ts_recording_commit(struct ts_recording_writer *w)
{
	int ret = 0;

	/* fsync() fails on a device or a FIFO written through (EINVAL). */
	if (fflush(w->f) || (w->tmp && fsync(fileno(w->f))))
		ret = -errno;
	if (fclose(w->f) && !ret)
		ret = -errno;
	w->f = NULL;
	if (ret) {
		ts_recording_abort(w);
		return ret;
	}
	ret = ts_output_commit(w->path, w->tmp);
	w->tmp = NULL;
	if (ret) {
		ts_recording_abort(w);
		return ret;
	}
	free(w->path);
	free(w);
	return 0;
}

void ts_recording_abort(struct ts_recording_writer *w)
{
	if (!w)
		return;
	if (w->f)
		fclose(w->f);
	ts_output_abort(w->tmp);
	free(w->path);
	free(w);
}

__attribute__((format(printf, 3, 4)))
static int refuse(struct ts_recording_error *err, uint64_t offset,
		  const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->offset = offset;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

/* Grow @rec to hold one more record; -ENOMEM. */
static int rec_reserve(struct ts_recording *rec, size_t *cap, size_t want)
{
	struct taskstate_event *ev;
	size_t ncap = *cap ? *cap : 256;

	if (want <= *cap)
		return 0;
	while (ncap < want)
		ncap *= 2;
	ev = realloc(rec->ev, ncap * sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	rec->ev = ev;
	*cap = ncap;
	return 0;
}

static int parse_binary(const unsigned char *buf, size_t len,
			struct ts_recording *rec, struct ts_recording_error *err)
{
	const size_t rs = sizeof(struct taskstate_event);
	struct ts_recording_header h;
	size_t n, cap = 0;
	int ret;

	if (len < TS_RECORDING_MAGIC_LEN ||
	    memcmp(buf, TS_RECORDING_MAGIC, TS_RECORDING_MAGIC_LEN))
		return refuse(err, 0, _("not a taskstate recording (bad magic)"));
	if (len < sizeof(h))
		return refuse(err, len, _("truncated header (%zu of %zu bytes)"),
			      len, sizeof(h));
	memcpy(&h, buf, sizeof(h));
	if (h.byte_order != TS_RECORDING_BOM)
		return refuse(err, offsetof(struct ts_recording_header, byte_order),
			      _("written on a machine of the other byte order"));
	if (h.version != TS_RECORDING_VERSION)
		return refuse(err, offsetof(struct ts_recording_header, version),
			      _("unsupported version %" PRIu32 " (this reader knows %d)"),
			      h.version, TS_RECORDING_VERSION);
	if (h.record_size != rs)
		return refuse(err, offsetof(struct ts_recording_header, record_size),
			      _("record size %" PRIu32 ", expected %zu"),
			      h.record_size, rs);
	if (h.abi_version != TASKSTATE_ABI_VERSION)
		return refuse(err, offsetof(struct ts_recording_header, abi_version),
			      _("taskstate ABI version %" PRIu32 ", expected %d"),
			      h.abi_version, TASKSTATE_ABI_VERSION);
	len -= sizeof(h);
	buf += sizeof(h);
	n = len / rs;
	if (len % rs)
		return refuse(err, sizeof(h) + n * rs,
			      _("truncated record %zu (%zu of %zu bytes)"), n,
			      len % rs, rs);
	ret = rec_reserve(rec, &cap, n ? n : 1);
	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		memcpy(&rec->ev[i], buf + i * rs, rs);
		if (ts_event_check(&rec->ev[i]))
			return refuse(err, sizeof(h) + i * rs,
				      _("invalid record %zu"), i);
	}
	rec->n = n;
	return 0;
}

static int parse_json(const char *buf, size_t len, struct ts_recording *rec,
		      struct ts_recording_error *err)
{
	size_t pos = 0, cap = 0, lineno = 0;
	char *line = NULL;
	int ret = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		struct ts_json_error jerr = { 0 };
		bool blank = true;

		lineno++;
		for (size_t i = 0; i < l; i++)
			if (buf[pos + i] != ' ' && buf[pos + i] != '\t' &&
			    buf[pos + i] != '\r')
				blank = false;
		if (!blank) {
			if (memchr(buf + pos, '\0', l)) {
				ret = refuse(err, pos, _("line %zu: NUL byte"),
					     lineno);
				break;
			}
			free(line);
			line = strndup(buf + pos, l);
			ret = line ? rec_reserve(rec, &cap, rec->n + 1) : -ENOMEM;
			if (ret)
				break;
			if (ts_event_parse_json(line, &rec->ev[rec->n], &jerr)) {
				ret = refuse(err, pos + jerr.offset,
					     _("line %zu: %s"), lineno, jerr.msg);
				break;
			}
			rec->n++;
		}
		pos += l + (nl ? 1 : 0);
	}
	free(line);
	return ret;
}

int ts_recording_parse(const void *buf, size_t len, struct ts_recording *rec,
		       struct ts_recording_error *err)
{
	const char *p = buf;
	size_t i = 0;
	int ret;

	memset(rec, 0, sizeof(*rec));
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
			   p[i] == '\r'))
		i++;
	if (i < len && p[i] == '{') {
		rec->json = 1;
		ret = parse_json(p, len, rec, err);
	} else if (len == 0) {
		ret = refuse(err, 0, _("empty file"));
	} else {
		ret = parse_binary(buf, len, rec, err);
	}
	if (ret)
		ts_recording_free(rec);
	return ret;
}

int ts_recording_load(const char *path, struct ts_recording *rec,
		      struct ts_recording_error *err)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd, ret;

	memset(rec, 0, sizeof(*rec));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nbuf;

			cap = cap ? cap * 2 : 65536;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += n;
	}
	ret = ts_recording_parse(buf, len, rec, err);
out:
	free(buf);
	close(fd);
	return ret;
}

void ts_recording_free(struct ts_recording *rec)
{
	free(rec->ev);
	memset(rec, 0, sizeof(*rec));
}
