/* A slow run: pace.h. */
#include "record/pace.h"

void pace_before_step(struct run *r, const char *label)
{
	(void)r;
	(void)label;
}
