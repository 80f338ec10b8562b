/* The catalogue: every scenario, in the order `sockerr list` shows them. */
#ifndef SOCKERR_REGISTRY_H
#define SOCKERR_REGISTRY_H

#include "harness.h"

extern const struct scenario *const catalogue[];
extern const int catalogue_size;

const struct scenario *scenario_find(const char *name);

#endif
