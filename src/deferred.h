/*
 * deferred.h: destroys that the kernel NFS server holds up.  A dataset
 * that NFS clients have used stays busy for minutes after its export is
 * withdrawn and its mount detached (the server's export cache holds it).
 * Its destroy is then deferred: the dataset is renamed aside (its name
 * is free again at once) and recorded, by name and guid, in a list
 * beside the journal (JOURNAL.deferred).  Any later command that holds
 * the lock, and `warpstor recover`, try each one again; only a dataset
 * whose guid (read-only in ZFS, so no property can forge it) is the one
 * recorded is ever destroyed.
 *
 * Each line of the list: NAME GUID FLAGS SINCE, FLAGS being zfs
 * destroy's (-r, -R, -f, or - for none), SINCE seconds since the epoch.
 */
#ifndef WARPSTOR_DEFERRED_H
#define WARPSTOR_DEFERRED_H

#include <stdio.h>

#include "ctx.h"
#include "util.h"

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

/* Since when name's destroy is deferred (seconds), or 0. */
long long deferred_since(struct ctx *, const char *name);

#endif
