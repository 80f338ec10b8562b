/*
 * The catalogue: every scenario a file declared with SCENARIO(), with its
 * defaults filled in, in the order `sockerr list` shows them.
 */
#ifndef SOCKERR_CATALOGUE_H
#define SOCKERR_CATALOGUE_H

#include "record/harness.h"

/* Sorted by catalogue_folder(syscall), then order, then name. */
extern const struct scenario *const *catalogue;
extern int catalogue_size;

const struct scenario *scenario_find(const char *name);

/* A scenario file's texts, the tagged lines of its header comment
 * ("Summary:", "POSIX expects:", "Kernel path:", "Handling:", "Waits
 * for:"), which scripts/scenario-texts writes into build/scenario_texts.c
 * at build time.  NULL for a tag the file does not have; the array ends
 * with an entry whose file is NULL. */
struct scenario_texts {
	const char *file; /* as the compiler names it: reproducers/<folder>/<name>.c */
	const char *summary;
	const char *posix_expects;
	const char *kernel_path;
	const char *handling;
	const char *intrinsic_wait;
};
extern const struct scenario_texts scenario_texts[];

/* The file that declared a scenario (as the compiler named it). */
const char *scenario_file(const struct scenario *sc);

/* The folder of reproducers/ a scenario's system call belongs to:
 * "accept" for accept and accept4, "send" for send, sendto and write,
 * "recv" for recv, recvfrom and read, "connect"; for a scenario about
 * several calls ("recv/send/connect/accept"), the first.  Written into
 * buf (at least 32 bytes). */
const char *catalogue_folder(const char *syscall, char *buf, size_t size);

#endif
