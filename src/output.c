/*
 * output.c: stdout, text and JSON.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

void
out_json(struct json_object *o)
{
	(void)puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

struct json_object *
out_jstr(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

struct json_object *
out_jnum(const char *s)
{
	const char *errstr;
	long long n;

	if (s == NULL)
		return NULL;
	n = strtonum(s, 0, LLONG_MAX, &errstr);
	if (errstr != NULL)
		return NULL;
	return json_object_new_int64(n);
}

void
out_size(const char *s, int human)
{
	const char *errstr;
	long long n;
	char	 buf[16];

	if (s == NULL) {
		(void)puts("-");
		return;
	}
	n = strtonum(s, 0, LLONG_MAX, &errstr);
	if (!human || errstr != NULL ||
	    humanize_number(buf, 6, n, "", HN_AUTOSCALE,
	    HN_DECIMAL | HN_NOSPACE) == -1) {
		(void)puts(s);
		return;
	}
	(void)puts(buf);
}
