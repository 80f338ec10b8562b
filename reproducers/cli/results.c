/* The results documents read back: results.h. */
#include "cli/results.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *results_str(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || json_object_get_type(v) != json_type_string)
		return NULL;
	return json_object_get_string(v);
}

static int by_kernel(const void *a, const void *b)
{
	return strverscmp(((const struct kernel_results *)a)->kernel,
			  ((const struct kernel_results *)b)->kernel);
}

void results_free(struct kernel_results *k, int count)
{
	for (int i = 0; i < count; i++)
		json_object_put(k[i].doc);
	free(k);
}

bool results_load(int n, char **paths, struct kernel_results **out, int *count)
{
	glob_t g = {0};
	if (n == 0 && glob("results/*.json", 0, NULL, &g) == 0) {
		n = (int)g.gl_pathc;
		paths = g.gl_pathv;
	}
	*out = calloc(n ? (size_t)n : 1, sizeof(**out));
	*count = 0;
	bool ok = *out != NULL;
	for (int i = 0; ok && i < n; i++) {
		json_object *doc = json_object_from_file(paths[i]);
		json_object *runs;
		const char *kernel = doc ? results_str(doc, "kernel") : NULL;
		if (!kernel || !json_object_object_get_ex(doc, "runs", &runs) ||
		    json_object_get_type(runs) != json_type_array) {
			fprintf(stderr, "sockerr: %s is not a results document (--output)\n",
				paths[i]);
			json_object_put(doc);
			ok = false;
			break;
		}
		(*out)[(*count)++] = (struct kernel_results){kernel, doc, runs};
	}
	globfree(&g);
	if (!ok) {
		results_free(*out, *count);
		*out = NULL;
		return false;
	}
	qsort(*out, (size_t)*count, sizeof(**out), by_kernel);
	return true;
}
