/*
 * output.c: stdout, text and JSON; and the warnings of the layers below
 * the commands, on stderr.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/ctx.h"
#include "lib/output.h"

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
out_nicenum(unsigned long long n, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned long long v = n, div = 1;
	int	 i = 0, prec;

	while (v >= 1024 && i < 6) {
		v /= 1024;
		div *= 1024;
		i++;
	}
	if (i == 0 || n % div == 0) {
		(void)snprintf(buf, len, "%llu%c", v, units[i]);
		return;
	}
	for (prec = 2; prec >= 0; prec--)
		if (snprintf(buf, len, "%.*f%c", prec, (double)n / (double)div,
		    units[i]) <= 5)
			break;
}

const char *
out_human_size(const char *s, char *buf, size_t len)
{
	const char *errstr;
	long long n;

	if (s == NULL)
		return "-";
	n = strtonum(s, 0, LLONG_MAX, &errstr);
	if (errstr != NULL)
		return s;
	out_nicenum((unsigned long long)n, buf, len);
	return buf;
}

const char *
out_iso8601(const char *s, char *buf, size_t len)
{
	const char *errstr;
	struct tm tm;
	time_t	 t;

	if (s == NULL)
		return "-";
	t = (time_t)strtonum(s, 0, LLONG_MAX, &errstr);
	if (errstr != NULL || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return s;
	return buf;
}

void
out_size(const char *s, int human)
{
	char	 buf[32];

	(void)puts(human ? out_human_size(s, buf, sizeof(buf)) :
	    s != NULL ? s : "-");
}

void
out_warn(const struct ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "warpstor: %s%s%s\n", ctx != NULL &&
	    ctx->cmdname != NULL ? ctx->cmdname : "", ctx != NULL &&
	    ctx->cmdname != NULL ? ": " : "", msg);
	free(msg);
}

void
out_verbose(int verbose, const char *fmt, ...)
{
	va_list	 ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
}
