/* `sockerr explain NAME --html DIR`: the narrated run as a one-page handout. */
#ifndef SOCKERR_HANDOUT_H
#define SOCKERR_HANDOUT_H

#include <stdio.h>

#include "evidence/evidence.h"

struct run;

/* One self-contained HTML page (inline CSS, the ladder's SVG inline, no
 * external resource; well-formed XML as well) of a finished run (status:
 * RUN_OK, RUN_SKIP, RUN_BROKEN): its title (scenario, family, kernel,
 * date) and summary, the narration explain prints, the sequence diagram
 * --svg writes, the steps as a table, what POSIX expects against what
 * Linux did, the handling and the kernel path; large type on a screen or a
 * projector, one page of A4 or Letter when printed where the run is
 * short enough.  view: the diagram's (explain --evidence). */
void render_handout(FILE *out, const struct run *r, int status, enum evidence_view view);
/* The handout written to path, whole or not at all: 0, or -1 with errno
 * set (nothing is left at path then). */
int handout_write(const char *path, const struct run *r, int status, enum evidence_view view);

#endif
