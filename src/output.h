/*
 * output.h: results on stdout, as text or as JSON (json-c).
 */
#ifndef WARPSTOR_OUTPUT_H
#define WARPSTOR_OUTPUT_H

#include <json-c/json.h>

/* Print a JSON value on one line and release it. */
void	 out_json(struct json_object *);
/* A string, or JSON null for NULL. */
struct json_object *out_jstr(const char *);
/* An exact zfs number (-p) as an integer, or null when it is not one. */
struct json_object *out_jnum(const char *);
/* A byte count, exact or (human) scaled like zfs does; "-" when NULL. */
void	 out_size(const char *, int human);

#endif
