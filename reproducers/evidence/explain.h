/* `sockerr explain NAME`: a run narrated for teaching. */
#ifndef SOCKERR_EXPLAIN_H
#define SOCKERR_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "evidence/evidence.h"

struct run;

/* Narrate a finished run (status: RUN_OK, RUN_SKIP, RUN_BROKEN): the set-up,
 * each step, what the packets and kernel events show, the kernel function
 * behind the errno (source file and function), what POSIX or the man page
 * says, and how a program should handle it.  With step_mode, wait for Enter
 * (read from the terminal, /dev/tty, or stdin) between sections.  view:
 * what the wire and kernel sections tell (evidence.h: the focused view
 * leaves out what the diagrams leave out). */
void render_explain(FILE *out, const struct run *r, int status, bool step_mode, bool colour,
		    enum evidence_view view);
/* The same narration, each paragraph on one line of its own (indented as
 * render_explain() indents its first line), for a page that wraps its own
 * text: the handout (handout.h). */
void render_explain_paragraphs(FILE *out, const struct run *r, int status, enum evidence_view view);

#endif
