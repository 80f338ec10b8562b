/* The record stream between a run's child and the runner: record.h. */
#include "record/record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *record_grow(void *array, int *room, int need, size_t size)
{
	if (need <= *room)
		return array;
	int room2 = *room ? *room * 2 : 16;
	while (room2 < need)
		room2 *= 2;
	void *bigger = realloc(array, (size_t)room2 * size);
	if (!bigger) {
		fputs("sockerr: out of memory for a run's record\n", stderr);
		exit(RUN_BROKEN); /* in a run: its namespaces are torn down */
	}
	*room = room2;
	return bigger;
}

/* Append a note the record now owns. */
static void append_note(struct run *r, char *owned)
{
	if (!owned) {
		fputs("sockerr: out of memory for a run's record\n", stderr);
		exit(RUN_BROKEN);
	}
	r->notes = record_grow(r->notes, &r->notes_room, r->n_notes + 1, sizeof(*r->notes));
	r->notes[r->n_notes++] = owned;
}

struct step *record_add_step(struct run *r)
{
	r->steps = record_grow(r->steps, &r->steps_room, r->n_steps + 1, sizeof(*r->steps));
	struct step *s = &r->steps[r->n_steps++];
	memset(s, 0, sizeof(*s));
	return s;
}

struct step *record_add_setup_call(struct run *r)
{
	r->setup_calls = record_grow(r->setup_calls, &r->setup_room, r->n_setup + 1,
				     sizeof(*r->setup_calls));
	struct step *s = &r->setup_calls[r->n_setup++];
	memset(s, 0, sizeof(*s));
	return s;
}

void record_add_note(struct run *r, const char *text)
{
	append_note(r, strdup(text));
}

/* ---- the child's end -------------------------------------------------- */

void record_stream_start(struct run *r, int fd)
{
	r->stream_fd = fd;
	r->stream_pid = getpid();
}

static bool write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool record_send(const struct run *r, unsigned type, const void *data, size_t len)
{
	if (r->stream_fd < 0 || r->stream_pid != getpid())
		return true;
	int saved = errno;
	/* One write for a small message: the runner never waits on half. */
	char small[1024];
	struct record_header h = {.type = type, .len = (uint32_t)len};
	bool ok;
	if (sizeof(h) + len <= sizeof(small)) {
		memcpy(small, &h, sizeof(h));
		if (len)
			memcpy(small + sizeof(h), data, len);
		ok = write_all(r->stream_fd, small, sizeof(h) + len);
	} else {
		ok = write_all(r->stream_fd, &h, sizeof(h)) && write_all(r->stream_fd, data, len);
	}
	errno = saved;
	return ok;
}

bool record_stream_end(const struct run *r)
{
	struct record_result res = {.setup_ms = r->setup_ms};
	snprintf(res.connection, sizeof(res.connection), "%s", r->connection);
	snprintf(res.reason, sizeof(res.reason), "%s", r->reason);
	return record_send(r, RECORD_RESULT, &res, sizeof(res)) &&
	       record_send(r, RECORD_END, NULL, 0);
}

/* ---- the runner's end ------------------------------------------------- */

/* One complete message into r; false when it cannot be one. */
static bool take(struct record_reader *rd, struct run *r, unsigned type, const char *data,
		 size_t len)
{
	switch (type) {
	case RECORD_STEP:
	case RECORD_STEP_AGAIN:
		if (len != sizeof(struct step))
			return false;
		if (type == RECORD_STEP_AGAIN && r->n_steps > 0)
			r->n_steps--;
		memcpy(record_add_step(r), data, len);
		return true;
	case RECORD_SETUP_CALL:
		if (len != sizeof(struct step))
			return false;
		memcpy(record_add_setup_call(r), data, len);
		return true;
	case RECORD_NOTE: append_note(r, strndup(data, len)); return true;
	case RECORD_TOPOLOGY:
		if (len != sizeof(r->topo))
			return false;
		memcpy(&r->topo, data, len);
		return true;
	case RECORD_RESULT: {
		struct record_result res;
		if (len != sizeof(res))
			return false;
		memcpy(&res, data, len);
		r->setup_ms = res.setup_ms;
		snprintf(r->connection, sizeof(r->connection), "%.*s",
			 (int)sizeof(res.connection) - 1, res.connection);
		snprintf(r->reason, sizeof(r->reason), "%.*s", (int)sizeof(res.reason) - 1,
			 res.reason);
		return true;
	}
	case RECORD_END: rd->ended = true; return true;
	}
	if (type >= RECORD_EVIDENCE_FIRST && type <= RECORD_EVIDENCE_LAST && rd->evidence) {
		rd->evidence(r, type, data, len);
		return true;
	}
	return false;
}

void record_reader_feed(struct record_reader *rd, struct run *r, const char *data, size_t n)
{
	if (rd->malformed)
		return;
	if (rd->len + n > rd->room) {
		size_t room = rd->room ? rd->room : 4096;
		while (room < rd->len + n)
			room *= 2;
		char *bigger = realloc(rd->buf, room);
		if (!bigger) {
			fputs("sockerr: out of memory for a run's record\n", stderr);
			exit(RUN_BROKEN);
		}
		rd->buf = bigger;
		rd->room = room;
	}
	memcpy(rd->buf + rd->len, data, n);
	rd->len += n;
	size_t off = 0;
	while (rd->len - off >= sizeof(struct record_header)) {
		struct record_header h;
		memcpy(&h, rd->buf + off, sizeof(h));
		if (h.len > RECORD_MESSAGE_MAX) {
			rd->malformed = true;
			break;
		}
		if (rd->len - off < sizeof(h) + h.len)
			break; /* the rest of it is still in the pipe */
		const char *body = rd->buf + off + sizeof(h);
		off += sizeof(h) + h.len;
		/* Past the bound, only the end and the result are still taken. */
		bool essential = h.type == RECORD_END || h.type == RECORD_RESULT;
		size_t limit = rd->limit ? rd->limit : RECORD_LIMIT_BYTES;
		if (rd->kept + sizeof(h) + h.len > limit && !essential) {
			rd->not_kept++;
			snprintf(r->record_truncated, sizeof(r->record_truncated),
				 "the record passed its bound of %zu bytes: %ld later messages "
				 "(steps, notes, packets, events) were not kept",
				 limit, rd->not_kept);
			continue;
		}
		rd->kept += sizeof(h) + h.len;
		if (!take(rd, r, h.type, body, h.len)) {
			rd->malformed = true;
			break;
		}
	}
	memmove(rd->buf, rd->buf + off, rd->len - off);
	rd->len -= off;
}

void record_reader_free(struct record_reader *rd)
{
	free(rd->buf);
	*rd = (struct record_reader){0};
}
