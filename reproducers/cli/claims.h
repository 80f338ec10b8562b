/*
 * Claims: the statements people read about these errors (the accept(2) man
 * page, POSIX, Stevens' UNIX Network Programming, a widely copied table, an
 * article), each with the scenario that settles it and what it predicts
 * (claims/NAME.txt, compiled into build/claims.c by scripts/claims-compile).
 * `sockerr claims` sets each against the results documents of the kernels
 * (results/KERNEL.json): the verdict per kernel.  The expected outcome of a
 * scenario stays in its bats test; the claims only show the comparison.
 */
#ifndef SOCKERR_CLAIMS_H
#define SOCKERR_CLAIMS_H

#include <stdio.h>

struct claim {
	const char *id;
	const char *source;   /* "accept(2) ERRORS", "POSIX accept()", ... */
	const char *says;     /* its words (in English) */
	const char *original; /* the words in the source's language, or NULL */
	const char *scenario; /* the scenario that settles it */
	/* "LABEL = RESULT", "no linux path", "other stacks" or "handling
	 * CLASS" (scripts/claims-compile) */
	const char *predicts;
	const char *why; /* the kernel's reason, or NULL */
};

/* Ends with an entry whose id is NULL. */
extern const struct claim claims[];

/* sockerr claims [--json] [RESULTS.json...] */
int cmd_claims(int argc, char **argv);

/* ,"claims":["id",...]: the claims a scenario settles. */
void claims_json_of_scenario(FILE *out, const char *scenario);

#endif
