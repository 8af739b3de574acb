/*
 * output.h: results on stdout, as text or as JSON (json-c).
 */
#ifndef WARPSTOR_OUTPUT_H
#define WARPSTOR_OUTPUT_H

#include <json-c/json.h>

#include "lib/util.h"

struct ctx;

/* Print a JSON value on one line and release it. */
void	 out_json(struct json_object *);
/* A string, or JSON null for NULL. */
struct json_object *out_jstr(const char *);
/* An exact zfs number (-p) as an integer, or null when it is not one. */
struct json_object *out_jnum(const char *);
/* A byte count, exact or (human) scaled like zfs does; "-" when NULL. */
void	 out_size(const char *, int human);
/*
 * n bytes as zfs prints sizes: 512B, 1K (an exact multiple), 8.56M, 10.0K
 * (the most decimals that fit in five characters).
 */
void	 out_nicenum(unsigned long long n, char *buf, size_t len);
/*
 * The value s as --human shows it into buf: a size (an exact number)
 * rounded as out_nicenum does, or s itself.  Returns buf, or "-".
 */
const char *out_human_size(const char *s, char *buf, size_t len);
/* Seconds since the epoch as ISO 8601 UTC (2026-11-29T10:00:00Z), or s. */
const char *out_iso8601(const char *s, char *buf, size_t len);

/*
 * What the layers below the commands may say, on stderr, and only so: a
 * warning (a dataset left out, a step left undone), "warpstor: CMD: msg"
 * ("warpstor: msg" with no ctx); and under -v a line of what was done,
 * as it is.  Progress lines are progress.h's.
 */
void	 out_warn(const struct ctx *, const char *, ...) WS_PRINTF(2, 3);
void	 out_verbose(int verbose, const char *, ...) WS_PRINTF(2, 3);

#endif
