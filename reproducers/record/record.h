/*
 * The record stream: how a run's child sends its record to the runner.
 *
 * Each piece is a message, a header (type, length) and that many bytes,
 * sent as it is recorded: a step when the call returns, a note when it is
 * written.  A run that hangs or dies has sent everything up to that
 * moment.  Nothing has a fixed count and no pointer crosses the pipe.  The
 * runner keeps up to RECORD_LIMIT_BYTES of one run's messages; past that it
 * counts what it did not keep, and the run's JSON says so.
 *
 * Message types 1-99 are the record's own; 100-199 belong to the evidence
 * (evidence/evidence.h sends and decodes them); RECORD_END closes a
 * complete record.
 */
#ifndef SOCKERR_RECORD_H
#define SOCKERR_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/harness.h"

enum record_message {
	RECORD_STEP = 1,       /* struct step */
	RECORD_STEP_AGAIN = 2, /* struct step: the last one, amended (racy()) */
	RECORD_NOTE = 3,       /* the note's text */
	RECORD_TOPOLOGY = 4,   /* struct topology, once built */
	RECORD_RESULT = 5,     /* struct record_result, at the end */
	RECORD_SETUP_CALL = 6, /* struct step: a fixture's set-up call */
	RECORD_EVIDENCE_FIRST = 100,
	RECORD_EVIDENCE_LAST = 199,
	RECORD_END = 255,
};

struct record_header {
	uint32_t type;
	uint32_t len;
};

struct record_result {
	double setup_ms;
	char connection[64];
	char reason[512];
};

/* The bound on one run's record in the runner (the environment variable
 * SOCKERR_RECORD_LIMIT, in bytes, lowers it: the tests use it). */
#define RECORD_LIMIT_BYTES (64u << 20)
/* One message's largest size: a message bigger than this is not a record. */
#define RECORD_MESSAGE_MAX (1u << 20)

/* ---- in the run's child ----------------------------------------------- */

/* From now on, r's steps and notes go to fd as they are recorded. */
void record_stream_start(struct run *r, int fd);
/* Send one message (nothing in a process the scenario forked, or without
 * a stream).  errno is kept.  false when the pipe failed. */
bool record_send(const struct run *r, unsigned type, const void *data, size_t len);
/* The end of the record: its result (setup time, connection, reason), then
 * RECORD_END. */
bool record_stream_end(const struct run *r);

/* ---- in the runner ---------------------------------------------------- */

struct record_reader {
	char *buf; /* bytes of a message not yet complete */
	size_t len, room;
	size_t kept;	/* bytes of messages taken into the run */
	long not_kept;	/* messages past RECORD_LIMIT_BYTES */
	bool ended;	/* RECORD_END arrived: the record is complete */
	bool malformed; /* a message that cannot be one: the rest ignored */
	size_t limit;	/* RECORD_LIMIT_BYTES when 0 */
	/* Evidence messages, for the evidence code to decode into r. */
	void (*evidence)(struct run *r, unsigned type, const void *data, size_t len);
};

/* Take n bytes read from a run's pipe: complete messages go into r. */
void record_reader_feed(struct record_reader *rd, struct run *r, const char *data, size_t n);
void record_reader_free(struct record_reader *rd);

/* array with room for need elements of size bytes (*room is counted in
 * elements and grows by doubling); out of memory ends the process. */
void *record_grow(void *array, int *room, int need, size_t size);

/* Append a step or a note to r's arrays (both sides use them). */
struct step *record_add_step(struct run *r);
struct step *record_add_setup_call(struct run *r);
void record_add_note(struct run *r, const char *text);

#endif
