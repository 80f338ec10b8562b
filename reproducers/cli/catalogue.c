/* The catalogue, read from the sockerr_scenarios section: catalogue.h. */
#include "cli/catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct scenario_entry __start_sockerr_scenarios[];
extern const struct scenario_entry __stop_sockerr_scenarios[];

const struct scenario *const *catalogue;
int catalogue_size;

/* The descriptors with their defaults, and the file of each, in order. */
static struct scenario *filled;
static const char **files;

const char *catalogue_folder(const char *syscall, char *buf, size_t size)
{
	/* Variants of a call share its folder. */
	static const char *const variants[][2] = {
		{"accept4", "accept"}, {"sendto", "send"},  {"sendmsg", "send"}, {"write", "send"},
		{"recvfrom", "recv"},  {"recvmsg", "recv"}, {"read", "recv"},
	};
	snprintf(buf, size, "%.*s", (int)strcspn(syscall ? syscall : "", "/ "),
		 syscall ? syscall : "");
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (strcmp(buf, variants[i][0]) == 0)
			snprintf(buf, size, "%s", variants[i][1]);
	return buf;
}

static int by_place(const void *a, const void *b)
{
	const struct scenario *x = *(const struct scenario *const *)a;
	const struct scenario *y = *(const struct scenario *const *)b;
	char fx[32], fy[32];
	int c = strcmp(catalogue_folder(x->syscall, fx, sizeof(fx)),
		       catalogue_folder(y->syscall, fy, sizeof(fy)));
	if (c)
		return c;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The name from the identifier: rst_before_accept -> rst-before-accept. */
static const char *name_from_id(const char *id)
{
	char *name = strdup(id);
	if (!name) {
		fputs("sockerr: out of memory\n", stderr);
		exit(1);
	}
	for (char *p = name; *p; p++)
		if (*p == '_')
			*p = '-';
	return name;
}

/* The texts from the file's header comment (build/scenario_texts.c). */
static void take_texts(struct scenario *sc, const char *file)
{
	for (const struct scenario_texts *t = scenario_texts; t->file; t++)
		if (strcmp(t->file, file) == 0) {
			sc->summary = t->summary;
			sc->posix_expects = t->posix_expects;
			sc->kernel_path = t->kernel_path;
			sc->handling = t->handling;
			sc->intrinsic_wait = t->intrinsic_wait;
			return;
		}
	fprintf(stderr, "sockerr: no texts for %s in build/scenario_texts.c (rebuild)\n", file);
	exit(1);
}

/* Before main(): the section read, defaults filled, the order made. */
__attribute__((constructor)) static void catalogue_build(void)
{
	size_t n = (size_t)(__stop_sockerr_scenarios - __start_sockerr_scenarios);
	filled = calloc(n ? n : 1, sizeof(*filled));
	const struct scenario **sorted = calloc(n ? n : 1, sizeof(*sorted));
	files = calloc(n ? n : 1, sizeof(*files));
	if (!filled || !sorted || !files) {
		fputs("sockerr: out of memory\n", stderr);
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		struct scenario *sc = &filled[i];
		const struct scenario_entry *e = &__start_sockerr_scenarios[i];
		*sc = *e->scenario;
		sc->name = name_from_id(e->id);
		take_texts(sc, e->file);
		if (!sc->families)
			sc->families = FAMILY_BOTH;
		if (sc->topology.kind == TOPO_NONE && sc->families != FAMILY_NONE)
			sc->topology.kind = TOPO_PAIR;
		sorted[i] = sc;
	}
	qsort(sorted, n, sizeof(*sorted), by_place);
	for (size_t i = 0; i < n; i++)
		files[i] = __start_sockerr_scenarios[sorted[i] - filled].file;
	catalogue = sorted;
	catalogue_size = (int)n;
}

const struct scenario *scenario_find(const char *name)
{
	for (int i = 0; i < catalogue_size; i++)
		if (strcmp(catalogue[i]->name, name) == 0)
			return catalogue[i];
	return NULL;
}

const char *scenario_file(const struct scenario *sc)
{
	for (int i = 0; i < catalogue_size; i++)
		if (catalogue[i] == sc)
			return files[i];
	return NULL;
}
