/* sockerr claims: each claim against the results of each kernel: claims.h. */
#include "cli/claims.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/catalogue.h"
#include "cli/results.h"
#include "record/harness.h"
#include "record/json.h"

/* What a claim came to on one kernel. */
struct verdict {
	const char *word; /* "holds", "Linux differs", ... */
	char observed[256];
};

/* A step as the tests' observe prints it: its value, its errno, or "ok";
 * a return value that is not an error when the claim asks for a number. */
static const char *shown(json_object *step, bool number, char *buf, size_t size)
{
	const char *v = results_str(step, "value");
	if (v)
		return v;
	const char *e = results_str(step, "errno");
	if (e)
		return e;
	json_object *ret;
	if (number && json_object_object_get_ex(step, "ret", &ret)) {
		snprintf(buf, size, "%lld", (long long)json_object_get_int64(ret));
		return buf;
	}
	return "ok";
}

/* "accept#2 = EAGAIN" -> label "accept", nth 2, result "EAGAIN". */
static void parse_prediction(const char *p, char *label, size_t size, int *nth, const char **result)
{
	const char *eq = strstr(p, " = ");
	snprintf(label, size, "%.*s", (int)(eq - p), p);
	*result = eq + 3;
	*nth = 1;
	char *hash = strrchr(label, '#');
	if (hash) {
		*nth = atoi(hash + 1);
		*hash = '\0';
	}
}

/* The nth step named label of a run, or NULL. */
static json_object *nth_step(json_object *run, const char *label, int nth)
{
	json_object *steps;
	if (!json_object_object_get_ex(run, "steps", &steps))
		return NULL;
	size_t n = json_object_array_length(steps);
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(steps, i);
		const char *name = results_str(s, "name");
		if (name && !strcmp(name, label) && --nth == 0)
			return s;
	}
	return NULL;
}

static void append(char *buf, size_t size, const char *fmt, const char *a, const char *b)
{
	size_t used = strlen(buf);
	snprintf(buf + used, size - used, fmt, a, b);
}

/* LABEL = RESULT on one kernel: every family that ran shows RESULT. */
static void settle_step(const struct claim *c, const struct kernel_results *k, struct verdict *v)
{
	char buf_label[64];
	int nth;
	const char *want;
	parse_prediction(c->predicts, buf_label, sizeof(buf_label), &nth, &want);
	/* "ipv6 addrlen small = 28": that family's runs only. */
	const char *label = buf_label, *only = NULL;
	if (!strncmp(label, "ipv4 ", 5) || !strncmp(label, "ipv6 ", 5)) {
		buf_label[4] = '\0';
		only = buf_label;
		label = buf_label + 5;
	}
	bool number = want[0] && strspn(want, "-0123456789") == strlen(want);
	int ran = 0, differ = 0, missing = 0;
	char seen[2][128] = {"", ""};
	const char *families[2] = {NULL, NULL};
	size_t n = json_object_array_length(k->runs);
	for (size_t i = 0; i < n; i++) {
		json_object *run = json_object_array_get_idx(k->runs, i);
		const char *sc = results_str(run, "scenario"), *status = results_str(run, "status");
		if (!sc || strcmp(sc, c->scenario) || !status || strcmp(status, "ran"))
			continue;
		const char *family = results_str(run, "family");
		if (only && (!family || strcmp(family, only)))
			continue;
		json_object *step = nth_step(run, label, nth);
		if (!step) {
			missing++;
			continue;
		}
		char buf[32];
		const char *got = shown(step, number, buf, sizeof(buf));
		if (ran < 2) {
			families[ran] = family;
			snprintf(seen[ran], sizeof(seen[ran]), "%s", got);
		}
		ran++;
		differ += strcmp(got, want) != 0;
	}
	v->observed[0] = '\0';
	if (missing) {
		v->word = "no such step";
		snprintf(v->observed, sizeof(v->observed), "%s has no step %s", c->scenario, label);
	} else if (ran == 0) {
		v->word = "not run";
	} else {
		v->word = differ ? "Linux differs" : "holds";
		if (ran == 2 && strcmp(seen[0], seen[1]) != 0) {
			append(v->observed, sizeof(v->observed), "%s %s",
			       families[0] ? families[0] : "", seen[0]);
			append(v->observed, sizeof(v->observed), ", %s %s",
			       families[1] ? families[1] : "", seen[1]);
		} else {
			append(v->observed, sizeof(v->observed), "%s%s", seen[0], "");
		}
	}
}

static bool scenario_ran(const char *scenario, const struct kernel_results *k)
{
	size_t n = json_object_array_length(k->runs);
	for (size_t i = 0; i < n; i++) {
		json_object *run = json_object_array_get_idx(k->runs, i);
		const char *sc = results_str(run, "scenario"), *status = results_str(run, "status");
		if (sc && !strcmp(sc, scenario) && status && !strcmp(status, "ran"))
			return true;
	}
	return false;
}

static void settle(const struct claim *c, const struct kernel_results *k, struct verdict *v)
{
	const struct scenario *sc = scenario_find(c->scenario);
	v->observed[0] = '\0';
	if (!sc) {
		v->word = "no such scenario";
		return;
	}
	if (!strcmp(c->predicts, "other stacks")) {
		v->word = "not observed here";
		return;
	}
	if (!scenario_ran(c->scenario, k)) {
		v->word = "not run";
		return;
	}
	if (!strcmp(c->predicts, "no linux path")) {
		v->word = "no Linux path";
		return;
	}
	if (!strncmp(c->predicts, "handling ", 9)) {
		const char *class = c->predicts + 9;
		bool same = sc->handling && !strncmp(sc->handling, class, strlen(class));
		v->word = same ? "sockerr agrees" : "sockerr differs";
		/* The class: the handling's words before its first ':'. */
		const char *h = sc->handling ? sc->handling : "";
		snprintf(v->observed, sizeof(v->observed), "sockerr: %.*s", (int)strcspn(h, ":"),
			 h);
		return;
	}
	settle_step(c, k, v);
}

static void print_text(const struct kernel_results *k, int nk)
{
	for (const struct claim *c = claims; c->id; c++) {
		printf("%s  [%s]\n  says: %s\n  settled by %s: %s\n", c->id, c->source, c->says,
		       c->scenario, c->predicts);
		if (c->why)
			printf("  why: %s\n", c->why);
		for (int i = 0; i < nk; i++) {
			struct verdict v;
			settle(c, &k[i], &v);
			printf("  %-24s %s%s%s\n", k[i].kernel, v.word, v.observed[0] ? ": " : "",
			       v.observed);
		}
		if (nk == 0)
			puts("  (no results documents: no verdict)");
	}
}

static void print_json(const struct kernel_results *k, int nk)
{
	putchar('[');
	for (const struct claim *c = claims; c->id; c++) {
		fputs(c == claims ? "\n{\"id\":" : ",\n{\"id\":", stdout);
		json_string(stdout, c->id);
		json_field_string(stdout, "source", c->source);
		json_field_string(stdout, "says", c->says);
		json_field_string(stdout, "original", c->original);
		json_field_string(stdout, "scenario", c->scenario);
		json_field_string(stdout, "predicts", c->predicts);
		json_field_string(stdout, "why", c->why);
		json_key(stdout, "verdicts");
		putchar('[');
		for (int i = 0; i < nk; i++) {
			struct verdict v;
			settle(c, &k[i], &v);
			fputs(i ? ",{\"kernel\":" : "{\"kernel\":", stdout);
			json_string(stdout, k[i].kernel);
			json_field_string(stdout, "verdict", v.word);
			json_field_string(stdout, "observed", v.observed[0] ? v.observed : NULL);
			putchar('}');
		}
		fputs("]}", stdout);
	}
	puts("\n]");
}

int cmd_claims(int argc, char **argv)
{
	bool json = false;
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j') {
			fputs("usage: sockerr claims [--json] [RESULTS.json...]\n", stderr);
			return 2;
		}
		json = true;
	}
	struct kernel_results *k;
	int nk;
	if (!results_load(argc - optind, argv + optind, &k, &nk))
		return 1;
	if (json)
		print_json(k, nk);
	else
		print_text(k, nk);
	results_free(k, nk);
	return 0;
}

void claims_json_of_scenario(FILE *out, const char *scenario)
{
	json_key(out, "claims");
	fputc('[', out);
	bool first = true;
	for (const struct claim *c = claims; c->id; c++) {
		if (strcmp(c->scenario, scenario) != 0)
			continue;
		if (!first)
			fputc(',', out);
		first = false;
		json_string(out, c->id);
	}
	fputc(']', out);
}
