/*
 * util.h: allocation wrappers that die, the error struct every module
 * fills, and a visible rendering of untrusted strings for messages.
 */
#ifndef WARPSTOR_UTIL_H
#define WARPSTOR_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define WS_PRINTF(f, a)	__attribute__((format(printf, f, a)))

/* An error as a module reports it: the exit status of the SPEC and one line. */
struct wserr {
	int	 code;
	char	 msg[2048];
};

void	 wserr_set(struct wserr *, int, const char *, ...) WS_PRINTF(3, 4);

/* Each of n strings of v freed, then v. */
void	 free_strings(char **v, size_t n);
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) WS_PRINTF(1, 2);
char	*xvasprintf(const char *, va_list) WS_PRINTF(1, 0);

/* qsort, but fine with no items (qsort's base may not be NULL). */
void	 sort_items(void *, size_t, size_t, int (*)(const void *, const void *));
/* sort_items' comparison of strings (an array of char *). */
int	 cmp_str(const void *, const void *);
/*
 * A sorted index of keys onto the places they came from: built once, then
 * each lookup is a binary search, where a scan of every entry for every
 * entry grew with the square of a node's exports.
 */
struct keyidx {
	const char	*key;
	size_t		 at;
};
/* Sort v (keys with their places) by key, then place. */
void	 keyidx_sort(struct keyidx *v, size_t n);
/* The first entry of sorted v with key, or n when none has it. */
size_t	 keyidx_find(const struct keyidx *v, size_t n, const char *key);
/* Milliseconds of the monotonic clock. */
long long now_ms(void);

/*
 * A growable byte buffer, always NUL-terminated after len.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 alloc;
};

void	 buf_append(struct buf *, const void *, size_t);
void	 buf_free(struct buf *);

/* Names for a message: the first ten, comma-separated, then a count. */
#define NAME_SOME	10

struct some {
	struct buf	 b;
	size_t		 n;
};

void	 name_some(struct some *, const char *name);
/* The list as it goes into the message: "a, b, ... and 3 more". */
const char *name_some_end(struct some *);

/*
 * Render s for a one-line message: control bytes, non-ASCII bytes and
 * backslashes become C-style escapes.  Truncated to fit; returns dst.
 */
const char *vis_str(char *dst, size_t dstlen, const char *s);
/* s holds a control byte (below 0x20, or DEL). */
int	 has_control_bytes(const char *s);
/* s with every control byte (and backslash) escaped, allocated. */
char	*vis_dup(const char *s);
#define VIS_BUFSZ	1024

/*
 * The closest of words (n of them) to w by edit distance (a swap of two
 * neighbours counting one), or of which w is a prefix of 3 or more:
 * "'a' or 'b'" into buf; 0 when none is close.
 */
int	 words_near(const char *w, const char *const *words, size_t n,
	    char *buf, size_t len);

#endif
