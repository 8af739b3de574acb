/*
 * dsname.h: what a dataset's name says of it.  Names are checked on the
 * way in (validate.h); these only read them: POOL, POOL/FS, POOL/FS@SNAP.
 */
#ifndef WARPSTOR_DSNAME_H
#define WARPSTOR_DSNAME_H

#include <stddef.h>

/* A snapshot: POOL/FS@SNAP. */
int	 ds_is_snapshot(const char *name);
/* A volume, as warpstor calls a pool's root filesystem: no '/', no '@'. */
int	 ds_is_volume(const char *name);
/* The length of the filesystem part: up to '@', or all of it. */
size_t	 ds_fs_len(const char *name);
/* The filesystem part, allocated. */
char	*ds_fs(const char *name);
/* name is ds, or below it, or a snapshot of either. */
int	 ds_in_tree(const char *name, const char *ds);
/* snap is a snapshot of the filesystem fs (fs@SOMETHING). */
int	 ds_snapshot_of(const char *snap, const char *fs);
/* The pool's name: up to the first '/' or '@'; its length; allocated. */
size_t	 ds_pool_len(const char *name);
char	*ds_pool(const char *name);
/* a and b are in one pool. */
int	 ds_same_pool(const char *a, const char *b);

#endif
