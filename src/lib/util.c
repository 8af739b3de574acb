/*
 * util.c: allocation wrappers, the error struct, safe rendering.
 */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#define LIBBSD_OPENBSD_VIS	/* strnvis(dst, src, size, flags) */
#include <vis.h>

#include "lib/util.h"

void
wserr_set(struct wserr *e, int code, const char *fmt, ...)
{
	va_list	 ap;

	if (e == NULL)
		return;
	e->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static void
oom(void)
{
	errx(EX_OSERR, "out of memory");
}

void
free_strings(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if ((p = calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size)) == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if ((p = reallocarray(ptr, nmemb == 0 ? 1 : nmemb,
	    size == 0 ? 1 : size)) == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*p;

	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
sort_items(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	if (base != NULL && n > 1)
		qsort(base, n, size, cmp);
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	size_t	 want;

	if (n > SIZE_MAX / 2 - b->len - 1)
		oom();
	want = b->len + n + 1;
	if (want > b->alloc) {
		size_t	 na = b->alloc ? b->alloc : 4096;

		while (na < want)
			na *= 2;
		b->data = xreallocarray(b->data, na, 1);
		b->alloc = na;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

const char *
vis_str(char *dst, size_t dstlen, const char *s)
{
	char	*enc;

	/*
	 * stravis, not strnvis: libbsd's strnvis does not always terminate
	 * dst when it truncates (found by the fuzzer).
	 */
	if (stravis(&enc, s, VIS_CSTYLE | VIS_OCTAL | VIS_TAB | VIS_NL) == -1)
		oom();
	if (strlcpy(dst, enc, dstlen) >= dstlen && dstlen > 4)
		(void)strlcpy(dst + dstlen - 4, "...", 4);
	free(enc);
	return dst;
}

int
has_control_bytes(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

char *
vis_dup(const char *s)
{
	char	*enc;

	if (stravis(&enc, s, VIS_CSTYLE | VIS_OCTAL) == -1)
		oom();
	return enc;
}

int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_keyidx(const void *a, const void *b)
{
	const struct keyidx *x = a, *y = b;
	int	 c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->at > y->at) - (x->at < y->at);
}

void
keyidx_sort(struct keyidx *v, size_t n)
{
	sort_items(v, n, sizeof(*v), cmp_keyidx);
}

size_t
keyidx_find(const struct keyidx *v, size_t n, const char *key)
{
	size_t	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(v[lo].key, key) == 0 ? lo : n;
}

long long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Edit distance, a swap of two neighbours counting one (lsit, list). */
static size_t
words_distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, d[32][32];

	if (la >= 32 || lb >= 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t	 best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

int
words_near(const char *w, const char *const *words, size_t n, char *buf,
    size_t len)
{
	size_t	 i, best = 3, wl = strlen(w);
	int	 found = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		size_t	 d = words_distance(w, words[i]);

		if (wl >= 3 && strncmp(words[i], w, wl) == 0)
			d = 1;		/* a prefix of it */
		if (d < best) {
			best = d;
			buf[0] = '\0';
			found = 0;
		}
		if (d == best && d < 3) {
			(void)strlcat(buf, found ? " or '" : "'", len);
			(void)strlcat(buf, words[i], len);
			(void)strlcat(buf, "'", len);
			found = 1;
		}
	}
	return found;
}

void
name_some(struct some *s, const char *name)
{
	if (s->n++ >= NAME_SOME)
		return;
	if (s->b.len > 0)
		buf_append(&s->b, ", ", 2);
	buf_append(&s->b, name, strlen(name));
}

const char *
name_some_end(struct some *s)
{
	char	*more;

	if (s->n > NAME_SOME) {
		more = xasprintf(" and %zu more", s->n - NAME_SOME);
		buf_append(&s->b, more, strlen(more));
		free(more);
	}
	return s->b.data;
}
