/*
 * argv.h: an argv builder that owns its strings and is always
 * NULL-terminated, and the one place an argv is joined into a line.
 */
#ifndef WARPSTOR_ARGV_H
#define WARPSTOR_ARGV_H

#include <stdio.h>

#include "lib/util.h"

struct strvec {
	char	**v;		/* v[n] == NULL once anything was pushed */
	size_t	  n;
	size_t	  alloc;
};

#define STRVEC_INIT	{ NULL, 0, 0 }
/* The sentinel of strvec_pushl (a plain NULL may be an int 0). */
#define SV_END		((const char *)NULL)

void	 strvec_push(struct strvec *, const char *);
void	 strvec_pushf(struct strvec *, const char *, ...) WS_PRINTF(2, 3);
void	 strvec_pushl(struct strvec *, ...) __attribute__((sentinel));
void	 strvec_clear(struct strvec *);
/*
 * Push the words of s split at any of seps; empty words are pushed only
 * with keep_empty ("a,,b" is three words then).
 */
void	 strvec_split(struct strvec *, const char *s, const char *seps,
	    int keep_empty);
/* word is one of the comma-separated list's words. */
int	 list_has(const char *list, const char *word);

/* Print argv on one line, one shell-quoted word per element, to fp. */
void	 argv_print(FILE *, char *const *);
/* The same into a buffer, for error messages. */
void	 argv_join(struct buf *, char *const *);

#endif
