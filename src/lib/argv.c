/*
 * argv.c: the strvec builder and shell quoting of argv for display.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/argv.h"

void
strvec_push(struct strvec *sv, const char *s)
{
	if (sv->n + 2 > sv->alloc) {
		sv->alloc = sv->alloc ? sv->alloc * 2 : 16;
		sv->v = xreallocarray(sv->v, sv->alloc, sizeof(*sv->v));
	}
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void
strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	strvec_push(sv, s);
	free(s);
}

void
strvec_pushl(struct strvec *sv, ...)
{
	va_list	 ap;
	const char *s;

	va_start(ap, sv);
	while ((s = va_arg(ap, const char *)) != NULL)
		strvec_push(sv, s);
	va_end(ap);
}

void
strvec_split(struct strvec *sv, const char *s, const char *seps,
    int keep_empty)
{
	char	*copy = xstrdup(s), *p = copy, *w;

	while ((w = strsep(&p, seps)) != NULL)
		if (keep_empty || *w != '\0')
			strvec_push(sv, w);
	free(copy);
}

int
list_has(const char *list, const char *word)
{
	size_t	 len = strlen(word);
	const char *p = list;

	for (;;) {
		if (strncmp(p, word, len) == 0 && (p[len] == ',' ||
		    p[len] == '\0'))
			return 1;
		if ((p = strchr(p, ',')) == NULL)
			return 0;
		p++;
	}
}

void
strvec_clear(struct strvec *sv)
{
	free_strings(sv->v, sv->n);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}

static int
is_plain(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_@%+=:,./-", *s) == NULL)
			return 0;
	return 1;
}

static void
quote_word(struct buf *b, const char *s)
{
	if (is_plain(s)) {
		buf_append(b, s, strlen(s));
		return;
	}
	buf_append(b, "'", 1);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_append(b, "'\\''", 4);
		else
			buf_append(b, s, 1);
	}
	buf_append(b, "'", 1);
}

void
argv_join(struct buf *b, char *const *argv)
{
	size_t	 i;

	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			buf_append(b, " ", 1);
		quote_word(b, argv[i]);
	}
	if (b->data == NULL)
		buf_append(b, "", 0);
}

void
argv_print(FILE *fp, char *const *argv)
{
	struct buf b = { NULL, 0, 0 };

	argv_join(&b, argv);
	(void)fprintf(fp, "%s\n", b.data);
	buf_free(&b);
}
