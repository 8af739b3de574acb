/*
 * progress.h: one line on stderr for a long walk (chown, filter removal,
 * unmounts and destroys of many, sync-exports): what, how many done (of
 * how many, when known), the rate and the time so far, rewritten in
 * place at most ten times a second and cleared at the end.  Only when
 * stderr is a terminal: cron mail and logs never see it.
 */
#ifndef WARPSTOR_PROGRESS_H
#define WARPSTOR_PROGRESS_H

#include <stddef.h>

struct progress {
	int		 on;
	char		 what[256];
	const char	*unit;		/* "entries", "datasets", ... */
	size_t		 done;
	size_t		 total;		/* 0: not known */
	long long	 start;		/* ms */
	long long	 drawn;		/* ms of the last drawing */
};

/* Whether this run may draw (stderr a terminal); main asks it once. */
int	 progress_allowed(void);
/* Begin (on: allowed in this run); draws at once. */
void	 progress_start(struct progress *, int on, const char *what,
	    const char *unit, size_t total);
/* n more done. */
void	 progress_add(struct progress *, size_t n);
/* Clear the line. */
void	 progress_end(struct progress *);

#endif
