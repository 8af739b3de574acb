/*
 * filter.h: the paths filtered-clone removes from a new clone.  Globs
 * are relative to the dataset's root and match with fnmatch(3)
 * FNM_PATHNAME; a matching directory goes whole.  The walk goes by
 * descriptor (openat/unlinkat from the root), never follows a symlink and
 * never leaves the dataset's filesystem.
 */
#ifndef WARPSTOR_FILTER_H
#define WARPSTOR_FILTER_H

#include <stddef.h>

#include "lib/util.h"

struct filter {
	char	**globs;
	size_t	  n;
};

/* Check and add one glob (65 when absolute or with a '..' component). */
int	 filter_add(struct filter *, const char *, struct wserr *);
/* Add the globs of a file, one a line, '#' comments.  A missing file is
 * an error (66) unless missing_ok. */
int	 filter_add_file(struct filter *, const char *, int missing_ok,
	    struct wserr *);
/* The first glob that matches rel (its index + 1), or 0. */
int	 filter_match(const struct filter *, const char *rel);
/* Is glob one of f's already? */
int	 filter_has(const struct filter *, const char *glob);

struct progress;
/*
 * Remove every match below the root whose descriptor is rootfd.  Each
 * removed entry (a directory counts with everything in it) is counted in
 * *removed and in hits[] (one count a glob, f->n of them) under the
 * first glob that matched it; with list, each matching path is handed
 * to it instead and nothing is removed.  p (or NULL) counts entries seen.
 */
int	 filter_apply(const struct filter *, int rootfd, const char *root,
	    void (*list)(const char *rel, void *), void *arg, size_t *removed,
	    size_t *hits, struct progress *p, struct wserr *);
/*
 * On stderr: a warning for each glob that matched nothing in mp; with
 * verbose, each other glob's count.
 */
void	 filter_report(const struct filter *, const size_t *hits,
	    const char *mp, int verbose);
void	 filter_free(struct filter *);
/*
 * filter_apply on the mounted root of dataset ds at mp (fs_open_mount),
 * then filter_report and, with verbose, the total on stderr; with
 * progress, a progress line.
 */
int	 filter_apply_mount(const struct filter *, const char *ds,
	    const char *mp, int verbose, int progress, struct wserr *);

/*
 * The globs as one warpstor:filter value (filtered-clone records its
 * filter on the dataset, replace applies it again): ',' between them,
 * a ',' or '%' in one as %2C or %25.  filter_add_record adds the globs of
 * such a value, each checked as filter_add checks one.
 */
char	*filter_record(const struct filter *);
int	 filter_add_record(struct filter *, const char *, struct wserr *);

#endif
