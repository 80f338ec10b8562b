/* `sockerr explain NAME`: a run narrated for teaching. */
#ifndef SOCKERR_EXPLAIN_H
#define SOCKERR_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

struct run;

/* Narrate a finished run (status: RUN_OK, RUN_SKIP, RUN_BROKEN): the set-up,
 * each step, what the packets and kernel events show, the kernel function
 * behind the errno (source file and function), what POSIX or the man page
 * says, and how a program should handle it.  With step_mode, wait for Enter
 * (read from the terminal, /dev/tty, or stdin) between sections. */
void render_explain(FILE *out, const struct run *r, int status, bool step_mode, bool colour);

#endif
