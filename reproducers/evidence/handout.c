/*
 * The handout: one run of `sockerr explain` as a page a teacher can
 * project or print.
 *
 * Nothing is told twice in two ways that could disagree: the text is the
 * narration explain prints (render_explain_paragraphs(): the same
 * sentences, a paragraph a line, which the page wraps itself), its
 * sections placed on the page by their titles; the diagram is the SVG
 * --svg writes (render_ladder_svg()), inline; the table of steps and the
 * comparison of POSIX with Linux come from the same record.  A section
 * this file does not know by its title stays in the narration, so a
 * section explain adds is never lost.
 *
 * The page is XHTML-compatible (well-formed XML: xmllint can check it)
 * and needs nothing from outside: no font, script or style sheet.  The
 * SVG brings its own <style>, which applies to the whole page: the page's
 * classes are all "h-..." so that neither touches the other.
 */
#include "evidence/handout.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "evidence/evidence.h"
#include "evidence/explain.h"
#include "record/harness.h"

/* The titles of explain's sections that the page places apart from the
 * narration (explain.c's heading() calls). */
#define TITLE_REPRODUCES "What it reproduces"
#define TITLE_KERNEL	 "Where the kernel decides"
#define TITLE_POSIX	 "What POSIX and the man page say"
#define TITLE_HANDLING	 "How to handle it"

/* ---- text ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (at most len bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t n = 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	if (n == 0 || n > len)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* len bytes of text, escaped for HTML and XML: markup characters as
 * entities, control characters and bytes that are no UTF-8 as "?" (XML
 * allows neither). */
static void esc_n(FILE *out, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = 1;
		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if (c >= 0x80) {
				n = utf8_len(s + i, len - i);
				if (n)
					fwrite(s + i, 1, n, out);
				else {
					fputc('?', out);
					n = 1;
				}
			} else
				fputc(c < 0x20 && c != '\t' ? '?' : c, out);
		}
		i += n;
	}
}

static void esc(FILE *out, const char *text)
{
	if (text)
		esc_n(out, text, strlen(text));
}

/* ---- the narration, in sections -------------------------------------- */

struct section {
	const char *title; /* NULL: the lines before the first section */
	char **lines;
	int n;
	bool placed; /* rendered apart from the narration */
};

struct narration_text {
	char *buf; /* the lines point into it */
	char **lines;
	int n_lines;
	struct section *sections;
	int n_sections;
};

/* A line of dashes as long as the title above it: a section starts. */
static bool underlines(const char *dashes, const char *title)
{
	size_t len = strlen(title);
	return len > 0 && strlen(dashes) == len && strspn(dashes, "-") == len;
}

/* The narration of r, split into its lines and sections.  false when out
 * of memory. */
static bool narration_of(struct narration_text *t, const struct run *r, int status,
			 enum evidence_view view)
{
	size_t size = 0;
	*t = (struct narration_text){0};
	FILE *m = open_memstream(&t->buf, &size);
	if (!m)
		return false;
	render_explain_paragraphs(m, r, status, view);
	if (fclose(m) != 0 || !t->buf)
		return false;
	int room = 1;
	for (const char *p = t->buf; *p; p++)
		room += *p == '\n';
	t->lines = calloc((size_t)room, sizeof(*t->lines));
	t->sections = calloc((size_t)room + 1, sizeof(*t->sections));
	if (!t->lines || !t->sections)
		return false;
	for (char *p = t->buf, *nl; *p && t->n_lines < room; p = nl + 1) {
		t->lines[t->n_lines++] = p;
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
	}
	struct section *s = &t->sections[t->n_sections++];
	s->lines = t->lines;
	for (int i = 0; i < t->n_lines; i++) {
		if (i + 1 < t->n_lines && underlines(t->lines[i + 1], t->lines[i])) {
			s = &t->sections[t->n_sections++];
			s->title = t->lines[i];
			s->lines = &t->lines[i + 2];
			i++;
			continue;
		}
		s->n++;
	}
	/* The blank line before the next section's title is not the
	 * section's. */
	for (int i = 0; i < t->n_sections; i++)
		while (t->sections[i].n > 0 && !t->sections[i].lines[t->sections[i].n - 1][0])
			t->sections[i].n--;
	return true;
}

static void narration_free(struct narration_text *t)
{
	free(t->sections);
	free(t->lines);
	free(t->buf);
}

static struct section *section_titled(struct narration_text *t, const char *title)
{
	for (int i = 0; i < t->n_sections; i++)
		if (t->sections[i].title && !strcmp(t->sections[i].title, title))
			return &t->sections[i];
	return NULL;
}

/* An indented line whose columns are aligned by runs of spaces (the table
 * of kernel sources): a row of a table here, its first cell code. */
static bool aligned(const char *line)
{
	size_t indent = strspn(line, " ");
	return indent > 0 && strstr(line + indent, "  ");
}

static void render_row(FILE *out, const char *line)
{
	fputs("<tr>", out);
	const char *p = line + strspn(line, " ");
	for (int cell = 0; *p; cell++) {
		const char *end = strstr(p, "  ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		fputs(cell ? "<td>" : "<td><code>", out);
		esc_n(out, p, len);
		fputs(cell ? "</td>" : "</code></td>", out);
		p += len;
		p += strspn(p, " ");
	}
	fputs("</tr>\n", out);
}

/* A section's lines as paragraphs: a blank line starts a group, an
 * indented line keeps its indent, aligned lines make a table. */
static void render_lines(FILE *out, char **lines, int n)
{
	bool group = false, table = false;
	for (int i = 0; i < n; i++) {
		const char *line = lines[i];
		bool row = aligned(line);
		if (table && !row) {
			fputs("</table>\n", out);
			table = false;
		}
		if (!line[0]) {
			if (group)
				fputs("</div>\n", out);
			group = false;
			continue;
		}
		if (!group)
			fputs("<div class=\"h-group\">\n", out);
		group = true;
		if (row) {
			if (!table)
				fputs("<table class=\"h-cols\">\n", out);
			table = true;
			render_row(out, line);
			continue;
		}
		size_t indent = strspn(line, " ");
		if (indent)
			fprintf(out, "<p class=\"h-indent%d\">", indent >= 4 ? 4 : 2);
		else
			fputs("<p>", out);
		esc(out, line + indent);
		fputs("</p>\n", out);
	}
	if (table)
		fputs("</table>\n", out);
	if (group)
		fputs("</div>\n", out);
}

/* ---- the parts of the page ------------------------------------------- */

static const char style[] =
	/* Screen and projector: large type, black on white. */
	":root { color-scheme: light; }\n"
	"body { margin: 0 auto; padding: 1.2em 1.6em 2em; max-width: 68em;\n"
	"  font: 20px/1.45 \"DejaVu Sans\", \"Liberation Sans\", Arial, Helvetica, sans-serif;\n"
	"  color: #000; background: #fff; }\n"
	"h1 { font-size: 2em; margin: 0 0 0.2em; line-height: 1.15; }\n"
	"h2 { font-size: 1.3em; margin: 1.1em 0 0.4em; padding-bottom: 0.1em;\n"
	"  border-bottom: 2px solid #000; }\n"
	"h3 { font-size: 1.1em; margin: 0.9em 0 0.3em; }\n"
	"p { margin: 0 0 0.2em; }\n"
	"code, .h-mono { font-family: \"DejaVu Sans Mono\", \"Liberation Mono\",\n"
	"  Menlo, Consolas, monospace; font-size: 0.9em; }\n"
	".h-meta { color: #222; margin: 0 0 0.5em; }\n"
	".h-summary { font-size: 1.25em; font-weight: bold; margin: 0.3em 0 0.6em; }\n"
	".h-status { border: 3px solid #000; padding: 0.3em 0.6em; font-weight: bold; }\n"
	".h-group + .h-group { margin-top: 0.6em; }\n"
	"table.h-cols { width: auto; margin-left: 1.2em; }\n"
	"table.h-cols td { border: 0; padding: 0 1.5em 0 0; }\n"
	".h-indent2 { margin-left: 1.2em; }\n"
	".h-indent4 { margin-left: 2.4em; }\n"
	".h-diagram svg { display: block; max-width: 100%; height: auto; }\n"
	"table { border-collapse: collapse; width: 100%; }\n"
	"th, td { border: 1px solid #444; padding: 0.2em 0.5em; text-align: left;\n"
	"  vertical-align: top; }\n"
	"th { background: #eee; }\n"
	"td.h-time { text-align: right; white-space: nowrap; }\n"
	"tr.h-the-errno td { font-weight: bold; background: #fff2b3; }\n"
	"tr.h-the-errno td:first-child { border-left: 6px solid #000; }\n"
	".h-compare th { width: 50%; }\n"
	".h-verdict { margin-top: 0.4em; }\n"
	".h-foot { margin-top: 1.5em; font-size: 0.8em; color: #222; }\n"
	/* Print: A4 or Letter, black on white, small enough for one page
	 * where the run is short: the text in two columns, the diagram and
	 * the table of steps across the page. */
	"@media print {\n"
	"  @page { margin: 12mm; }\n"
	"  body { font-size: 8.5pt; line-height: 1.25; max-width: none; padding: 0;\n"
	"    column-count: 2; column-gap: 6mm; }\n"
	"  header, .h-diagram, .h-table { column-span: all; }\n"
	"  h1 { font-size: 15pt; }\n"
	"  h2 { font-size: 10.5pt; margin: 0.6em 0 0.2em; break-after: avoid; }\n"
	"  h3 { font-size: 9pt; margin: 0.5em 0 0.15em; break-after: avoid; }\n"
	"  .h-summary { font-size: 10.5pt; margin: 0.2em 0 0.3em; }\n"
	"  th { background: #fff; }\n"
	"  tr.h-the-errno td { background: #fff; }\n"
	"  .h-diagram svg { max-height: 110mm; }\n"
	"  .h-diagram, table, tr { break-inside: avoid; }\n"
	"  table.h-cols { margin-left: 0.6em; }\n"
	"  table.h-cols td { padding-right: 0.8em; }\n"
	/* The narration in full after the page: the diagram shows its packets
	 * and events already. */
	"  .h-story { font-size: 7.5pt; break-before: page; }\n"
	"  .h-foot { font-size: 7pt; margin-top: 1em; }\n"
	"}\n";

static void render_head(FILE *out, const struct run *r, int status, struct narration_text *t)
{
	const struct scenario *sc = r->sc;
	const char *fam = r->family == AF_UNSPEC ? "no network" : family_name(r->family);
	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
	      "<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	      "<meta name=\"generator\" content=\"sockerr explain\"/>\n<title>",
	      out);
	esc(out, sc->name);
	fprintf(out, " (%s): ", fam);
	esc(out, sc->errno_name);
	fputs(" from ", out);
	esc(out, sc->syscall);
	fprintf(out, "()</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);

	char date[64] = "";
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M %Z", &tm);
	fputs("<header>\n<h1>", out);
	esc(out, sc->name);
	fputs(": ", out);
	esc(out, sc->errno_name);
	fputs(" from <code>", out);
	esc(out, sc->syscall);
	fputs("()</code></h1>\n<p class=\"h-meta\">", out);
	esc(out, fam);
	fputs(" &#183; Linux ", out);
	esc(out, kernel_release());
	fputs(" &#183; ", out);
	esc(out, date);
	fputs(" &#183; <code>sockerr explain ", out);
	esc(out, sc->name);
	fprintf(out, "%s</code></p>\n<p class=\"h-summary\">",
		r->family == AF_INET6  ? " -6"
		: r->family == AF_INET ? " -4"
				       : "");
	esc(out, sc->summary);
	size_t len = sc->summary ? strlen(sc->summary) : 0;
	fputs(len && !strchr(".!?", sc->summary[len - 1]) ? ".</p>\n" : "</p>\n", out);
	if (status != RUN_OK) {
		fprintf(out, "<p class=\"h-status\">This run was %s: ",
			status == RUN_SKIP ? "skipped" : "broken");
		esc(out, r->reason[0] ? r->reason : "no reason given");
		fputs("</p>\n", out);
	}
	fputs("</header>\n", out);
	struct section *s = section_titled(t, TITLE_REPRODUCES);
	if (s) {
		s->placed = true;
		fputs("<section>\n<h2>" TITLE_REPRODUCES "</h2>\n", out);
		render_lines(out, s->lines, s->n);
		fputs("</section>\n", out);
	}
}

/* The SVG --svg writes, from its <svg> element on (the XML declaration
 * before it has no place inside a page). */
static void render_diagram(FILE *out, const struct run *r, enum evidence_view view)
{
	char *svg = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&svg, &size);
	if (!m)
		return;
	render_ladder_svg_view(m, r, view);
	if (fclose(m) != 0) {
		free(svg);
		return;
	}
	const char *start = svg ? strstr(svg, "<svg") : NULL;
	fputs("<section class=\"h-diagram\">\n<h2>The sequence diagram</h2>\n", out);
	if (start)
		fputs(start, out);
	else
		fputs("<p>No diagram: the run recorded nothing to draw.</p>\n", out);
	fputs("</section>\n", out);
	free(svg);
}

/* The errno a step shows: its value (an observation), its errno (a failed
 * call), or NULL. */
static const char *step_errno(const struct step *s)
{
	if (s->value[0])
		return s->value;
	return s->ret < 0 && s->err ? errno_name(s->err) : NULL;
}

static bool is_the_errno(const struct run *r, const struct step *s)
{
	const char *e = step_errno(s);
	return e && r->sc->errno_name && !strcmp(e, r->sc->errno_name);
}

static void render_result(FILE *out, const struct step *s)
{
	if (s->value[0]) {
		esc(out, s->value);
		if (s->measured)
			fputs(" (measured)", out);
	} else if (s->ret < 0 && s->err) {
		fprintf(out, "%ld ", s->ret);
		esc(out, errno_name(s->err));
		fputs(" (", out);
		esc(out, strerror(s->err));
		fputs(")", out);
	} else
		fprintf(out, "%ld", s->ret);
	if (s->racy)
		fputs(" (a race: either answer)", out);
}

static void render_steps(FILE *out, const struct run *r)
{
	bool cases = false;
	for (int i = 0; i < r->n_steps; i++)
		cases |= r->steps[i].case_key[0] != '\0';
	fputs("<section class=\"h-table\">\n<h2>The steps</h2>\n", out);
	if (r->n_steps == 0) {
		fputs("<p>The run recorded no step.</p>\n</section>\n", out);
		return;
	}
	fprintf(out,
		"<table class=\"h-steps\">\n<thead><tr><th>Time</th><th>Host</th>%s"
		"<th>Call</th><th>Result</th></tr></thead>\n<tbody>\n",
		cases ? "<th>Case</th>" : "");
	for (int i = 0; i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];
		fprintf(out, "<tr%s><td class=\"h-time\">%.1f ms</td><td>",
			is_the_errno(r, s) ? " class=\"h-the-errno\"" : "", s->ms);
		esc(out, step_host_name(s));
		fputs("</td>", out);
		if (cases) {
			fputs("<td>", out);
			esc(out, s->case_key);
			fputs("</td>", out);
		}
		fputs("<td class=\"h-mono\">", out);
		esc(out, s->call);
		fputs("</td><td class=\"h-mono\">", out);
		render_result(out, s);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

/* What POSIX expects beside what this run's Linux did: the steps that
 * show the scenario's errno. */
static void render_compare(FILE *out, const struct run *r, struct narration_text *t)
{
	const struct scenario *sc = r->sc;
	struct section *s = section_titled(t, TITLE_POSIX);
	if (s)
		s->placed = true;
	fputs("<section class=\"h-compare\">\n<h2>POSIX and Linux</h2>\n<table>\n<thead><tr><th>"
	      "What POSIX or the <code>",
	      out);
	esc(out, sc->syscall);
	fputs("(2)</code> man page expects</th><th>What Linux ", out);
	esc(out, kernel_release());
	fputs(" did in this run</th></tr></thead>\n<tbody><tr><td>", out);
	if (sc->posix_expects)
		esc(out, sc->posix_expects);
	else {
		fputs("<code>", out);
		esc(out, sc->syscall);
		fputs("()</code> fails with ", out);
		esc(out, sc->errno_name);
		fputs(" in this situation.", out);
	}
	fputs("</td><td>", out);
	int shown = 0;
	for (int i = 0; i < r->n_steps; i++) {
		const struct step *st = &r->steps[i];
		if (!is_the_errno(r, st))
			continue;
		fputs("<p><code>", out);
		esc(out, st->call);
		fputs("</code> &#8594; ", out);
		render_result(out, st);
		fputs("</p>", out);
		if (++shown == 4)
			break;
	}
	if (!shown) {
		fputs("This run did not show ", out);
		esc(out, sc->errno_name);
		fputs(": see the steps.", out);
	}
	fputs("</td></tr></tbody>\n</table>\n", out);
	/* explain's own words for it (agrees, or differs and how). */
	if (s) {
		fputs("<div class=\"h-verdict\">\n", out);
		render_lines(out, s->lines, s->n);
		fputs("</div>\n", out);
	}
	fputs("</section>\n", out);
}

/* A section of the narration under a heading of its own. */
static void render_placed(FILE *out, struct narration_text *t, const char *title)
{
	struct section *s = section_titled(t, title);
	if (!s)
		return;
	s->placed = true;
	fputs("<section>\n<h2>", out);
	esc(out, title);
	fputs("</h2>\n", out);
	render_lines(out, s->lines, s->n);
	fputs("</section>\n", out);
}

/* The narration's other sections, in its order: the run told in order. */
static void render_story(FILE *out, struct narration_text *t)
{
	fputs("<section class=\"h-story\">\n<h2>The run, told in order</h2>\n", out);
	for (int i = 0; i < t->n_sections; i++) {
		struct section *s = &t->sections[i];
		if (!s->title || s->placed)
			continue;
		fputs("<h3>", out);
		esc(out, s->title);
		fputs("</h3>\n", out);
		render_lines(out, s->lines, s->n);
	}
	fputs("</section>\n", out);
}

/* The lines before the first section but the first ("sockerr explain
 * NAME (FAMILY)", which the title says): the kernel run and the source
 * cited. */
static void render_foot(FILE *out, struct narration_text *t)
{
	fputs("<footer class=\"h-foot\">\n", out);
	struct section *pre = &t->sections[0];
	if (pre->n > 1)
		render_lines(out, pre->lines + 1, pre->n - 1);
	fputs("<p>Written by <code>sockerr explain --html</code>: the narration, the diagram and "
	      "the steps are those of one run, the one explain narrated.</p>\n</footer>\n",
	      out);
}

void render_handout(FILE *out, const struct run *r, int status, enum evidence_view view)
{
	struct narration_text t;
	if (!narration_of(&t, r, status, view)) {
		narration_free(&t);
		fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head>"
		      "<meta charset=\"utf-8\"/><title>sockerr</title></head><body>"
		      "<p>Out of memory: no handout.</p></body></html>\n",
		      out);
		return;
	}
	render_head(out, r, status, &t);
	render_diagram(out, r, view);
	render_steps(out, r);
	render_compare(out, r, &t);
	render_placed(out, &t, TITLE_HANDLING);
	render_placed(out, &t, TITLE_KERNEL);
	render_story(out, &t);
	render_foot(out, &t);
	fputs("</body>\n</html>\n", out);
	narration_free(&t);
}

int handout_write(const char *path, const struct run *r, int status, enum evidence_view view)
{
	char *page = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&page, &size);
	if (!m)
		return -1;
	render_handout(m, r, status, view);
	if (fclose(m) != 0) {
		int e = errno;
		free(page);
		errno = e;
		return -1;
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		int e = errno;
		free(page);
		errno = e;
		return -1;
	}
	size_t written = fwrite(page, 1, size, f);
	int e = written == size ? 0 : errno ? errno : EIO;
	if (fclose(f) != 0 && !e)
		e = errno ? errno : EIO;
	free(page);
	if (e) {
		unlink(path);
		errno = e;
		return -1;
	}
	return 0;
}
