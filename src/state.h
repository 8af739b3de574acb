/*
 * state.h: the state model.  ZFS is the source of truth: an exported
 * dataset carries local warpstor:fsid, warpstor:clients and
 * warpstor:options; the exports file and the live table derive from them.
 */
#ifndef WARPSTOR_STATE_H
#define WARPSTOR_STATE_H

#include "nfs.h"
#include "zfs.h"

/* The properties every state query asks for. */
#define STATE_PROPS	(ZPM(ZP_TYPE) | ZPM(ZP_MOUNTPOINT) | ZPM(ZP_MOUNTED) | \
	ZPM(ZP_ORIGIN) | ZPM(ZP_FSID) | ZPM(ZP_CLIENTS) | ZPM(ZP_OPTIONS))

int	 state_mounted(const struct zfs_ds *);
int	 state_exported(const struct zfs_ds *);
/* Exported, with a path to withdraw (mounted or not). */
int	 state_withdrawable(const struct zfs_ds *);
/* The export d's properties describe, at path (its mountpoint by default). */
void	 state_export(const struct zfs_ds *, const char *path,
	    struct nfs_export *);
/*
 * Withdraw the exports exs (the file, then the live table), then unmount
 * the n datasets names (mounted at mps), deepest first, as steps of t.
 * A refused unmount names who holds the mountpoints.  names is sorted.
 */
int	 state_take_down(struct txn *, const struct nfs_export *exs,
	    size_t nex, char **names, char *const *mps, size_t n, int force,
	    struct wserr *);

/* name is ds itself, a descendant, or a snapshot of one of them. */
int	 state_in_tree(const char *name, const char *ds);
void	 state_exports_free(struct nfs_export *, size_t);

#endif
