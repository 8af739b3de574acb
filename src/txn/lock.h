/*
 * lock.h: the exclusive lock that mutating commands hold for their whole
 * run, with the holder's pid written inside for the next one to name.
 */
#ifndef WARPSTOR_LOCK_H
#define WARPSTOR_LOCK_H

#include "lib/util.h"

/* Wait up to wait_secs; returns the descriptor, or -1 (75: held). */
int	 lock_acquire(const char *path, int wait_secs, struct wserr *);
/* Who holds the lock: its pid, 0 nobody, -1 someone who wrote no pid. */
long	 lock_holder(const char *path);

#endif
