/*
 * Hand-written JSON, a field at a time: the objects the runner prints (a
 * run's record, the catalogue of `sockerr list --json`, a run's evidence)
 * are written straight to a FILE, in a fixed order, with no library.
 * json_string() (record/harness.h) writes one string value; these write
 * the fields after an object's first: ,"key":value.  Keys are plain words
 * and are written as they are.
 */
#ifndef SOCKERR_JSON_H
#define SOCKERR_JSON_H

#include <stdio.h>

/* ,"key": -- the value is the caller's to write. */
void json_key(FILE *out, const char *key);
/* ,"key":"value", escaped as json_string() does; null for NULL. */
void json_field_string(FILE *out, const char *key, const char *value);

#endif
