/*
 * A slow run, to watch live (run --pace MS, run --step): before each step
 * the run's child pauses with the namespaces up and prints the commands
 * that show the state at that moment (ss, nstat in each host's namespace),
 * so a class can see SYN_RECV, CLOSE_WAIT and the counters move.
 */
#ifndef SOCKERR_PACE_H
#define SOCKERR_PACE_H

#include "record/harness.h"

/* Called before the step `label` is made when r->pace_ms is set: waits
 * r->pace_ms milliseconds, or for Enter when it is -1. */
void pace_before_step(struct run *r, const char *label);

#endif
