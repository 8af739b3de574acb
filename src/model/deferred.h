/*
 * deferred.h: destroys that stay busy after everything was withdrawn
 * and unmounted: the kernel NFS server holds a dataset its clients used
 * for minutes, and zfs itself can say busy a moment after an unmount.
 * The command then succeeds and the destroy is deferred: the dataset is
 * renamed aside (its name is free again at once) and recorded in a list
 * beside the journal (JOURNAL.deferred), with the guid of everything
 * that was to go.  Any later command that holds the lock, and `warpstor
 * recover`, try each one again: renamed to a private name first (so no
 * rename can swap another dataset in between), its guid checked there
 * (read-only in ZFS: no property can forge it), then destroyed leaf-first,
 * one dataset and snapshot at a time, only those whose guid was recorded.
 * What was made below it since the deferral is left alone.
 *
 * Each line of the list: NAME GUID FLAGS SINCE MEMBERS, FLAGS being zfs
 * destroy's (-r, -R, -f, or - for none), SINCE seconds since the epoch,
 * MEMBERS the guids below NAME that go, comma-separated (or -).  A line
 * of an older warpstor, without MEMBERS, destroys NAME alone.
 */
#ifndef WARPSTOR_DEFERRED_H
#define WARPSTOR_DEFERRED_H

#include <stdio.h>

#include "lib/ctx.h"
#include "lib/util.h"

/*
 * Defer the destroy of name (FLAGS as zfs destroy takes them, or NULL):
 * record it as gone, then rename it to gone (a snapshot, where gone is
 * name itself, stays).  Says so on stderr.
 */
int	 deferred_add(struct ctx *, const char *name, const char *gone,
	    const char *flags, struct wserr *);

/*
 * Try every deferred destroy once (after exportfs -f, with flush).  Each
 * one finished, or dropped, is a line on out (NULL: none).  Returns how
 * many are left, or -1 when the list cannot be read or written.
 */
int	 deferred_reap(struct ctx *, int flush, FILE *out, struct wserr *);

/*
 * Every deferred destroy: its name (into names) and since when (seconds
 * since the epoch, *since allocated), n of them.
 */
int	 deferred_list(struct ctx *, struct strvec *names, long long **since,
	    size_t *n, struct wserr *);
/* Since when name's destroy is deferred (seconds), or 0. */
long long deferred_since(struct ctx *, const char *name);

#endif
