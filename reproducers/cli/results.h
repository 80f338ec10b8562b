/*
 * The results documents (`sockerr run --output`, results/KERNEL.json),
 * read back with json-c: what `sockerr claims` settles the claims against
 * and `sockerr list --errno` searches the steps of.
 */
#ifndef SOCKERR_RESULTS_H
#define SOCKERR_RESULTS_H

#include <json-c/json.h>
#include <stdbool.h>

/* One document: the runs of one kernel. */
struct kernel_results {
	const char *kernel;
	json_object *doc;
	json_object *runs; /* an array */
};

/* The documents named (n paths), or, with none, every results/KERNEL.json
 * under the current directory (none there: *count 0).  Sorted by kernel
 * version.  false, said on stderr, when one is not a results document. */
bool results_load(int n, char **paths, struct kernel_results **out, int *count);
void results_free(struct kernel_results *k, int count);

/* A string member of an object, or NULL. */
const char *results_str(json_object *o, const char *key);

#endif
