/* JSON fields: json.h. */
#include "record/json.h"

#include "record/harness.h"

void json_key(FILE *out, const char *key)
{
	fprintf(out, ",\"%s\":", key);
}

void json_field_string(FILE *out, const char *key, const char *value)
{
	json_key(out, key);
	json_string(out, value);
}
