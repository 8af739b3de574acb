/*
 * state.h: the state model.  ZFS is the source of truth: an exported
 * dataset carries local warpstor:fsid, warpstor:clients and
 * warpstor:options; the exports file and the live table derive from them.
 */
#ifndef WARPSTOR_STATE_H
#define WARPSTOR_STATE_H

#include "nfs/nfs.h"
#include "zfs/zfs.h"

/*
 * The properties every state query asks for.  A state_* function given a
 * dataset read without the properties it needs refuses it: a message
 * naming the function, then abort() (a mistake in warpstor, never input).
 */
#define STATE_PROPS	(ZPM(ZP_TYPE) | ZPM(ZP_MOUNTPOINT) | ZPM(ZP_MOUNTED) | \
	ZPM(ZP_ORIGIN) | ZPM(ZP_FSID) | ZPM(ZP_CLIENTS) | ZPM(ZP_OPTIONS) | \
	ZPM(ZP_REPLICA))
/* What state_exported (and state_withdrawable, state_export) read. */
#define STATE_EXPORT_PROPS	(ZPM(ZP_FSID) | ZPM(ZP_CLIENTS) | \
	ZPM(ZP_OPTIONS) | ZPM(ZP_REPLICA))

/* d is there and of type ("filesystem", "snapshot", "volume"). */
int	 state_is_type(const struct zfs_ds *, const char *type);
/* A replica replicate made (warpstor:replica of its own). */
int	 state_is_replica(const struct zfs_ds *);
/* Mounted, at an absolute mountpoint. */
int	 state_mounted(const struct zfs_ds *);
/*
 * Exported: d carries warpstor:clients and warpstor:fsid of its own, and
 * they and its warpstor:options pass the command line's checks (anyone
 * with zfs allow userprop, or a zfs receive, sets them), and it is not a
 * replica (warpstor:replica of its own: replicate's copy, exported only
 * after takeover).  The one definition of "exported" every command uses.
 */
int	 state_exported(const struct zfs_ds *);
/* d's own export properties are there but invalid: 1, with e saying why. */
int	 state_export_invalid(const struct zfs_ds *, struct wserr *);
/* Name on stderr each dataset of l left out for invalid export properties. */
void	 state_warn_invalid(struct ctx *, const struct zfs_dslist *);
void	 state_warn_one(struct ctx *, const struct zfs_ds *);
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

/*
 * Before NAME (mounted at mp) is withdrawn and unmounted: its NFSv4
 * clients give back their delegations on its files while they can still
 * reach it (nfsd_recall; a few seconds at most).  Not a step: it changes
 * nothing on the node.  Nothing with -n.
 */
void	 state_release(struct ctx *, const char *name, const char *mp);
/*
 * zfs umount NAME as a step of t; where only the kernel NFS server still
 * holds the dataset, its mount is detached instead (ctx->detached counts
 * them).  Undo: zfs mount.
 */
int	 state_umount(struct txn *, const char *name, int force,
	    struct wserr *);
/*
 * zfs destroy [FLAGS] NAME, the last step of t.  Where it stays busy
 * after this run detached a mount (the NFS server lets go of a dataset
 * its clients used only minutes later), the destroy is deferred
 * (deferred.h) and the command succeeds; with aside, a dataset is
 * renamed aside first, so that its name is free at once.
 */
int	 state_destroy(struct txn *, const char *name, const char *flags,
	    int aside, struct wserr *);
/* PARENT/BASE.TAG.RANDOM: a name beside ds, for a switch or a deferral. */
char	*state_temp_name(const char *ds, const char *tag);

/*
 * fsid is no other dataset's on the node: neither the exports file nor
 * the live table (which hold every exported fsid) carries it at a path
 * other than name's own mount; else 65, naming both.  No pool is read.
 */
int	 state_fsid_unique(struct ctx *, const char *name, const char *fsid,
	    struct wserr *);

void	 state_exports_free(struct nfs_export *, size_t);

/*
 * None of l's snapshots that go (go[i] set; go NULL: all of them) is
 * held by anyone but replicate (zfs hold: userrefs above the warpstor:*
 * tags recorded in warpstor:holds; read with ZP_USERREFS and ZP_HOLDS):
 * a destroy would fail "busy" on it for as long as someone keeps the
 * hold.  Else 77 naming them (and the tags, where zfs holds can tell).
 */
int	 state_check_holds(struct ctx *, const struct zfs_dslist *l,
	    const char *go, struct wserr *);
/*
 * replicate's own holds (warpstor:* tags, recorded in warpstor:holds) on
 * l's snapshots that go released, each named on stderr, as steps of t;
 * state_check_holds counts them as no obstacle.  l read with ZP_HOLDS.
 */
int	 state_release_holds(struct txn *, const struct zfs_dslist *l,
	    const char *go, struct wserr *);

/*
 * chown -R UID:GID of dataset ds mounted at mp, as a step of t (with -n:
 * printed): its tree walked from the opened root (fs_chown_tree), with a
 * progress line on a terminal and, with -v, the count on stderr.
 */
int	 state_chown_tree(struct txn *, const char *ds, const char *mp,
	    uid_t, gid_t, struct wserr *);

/*
 * A replication replicate recorded on its DATASET, in warpstor:replicated
 * (entries "[HOST:]TARGET WHEN BYTES", comma-separated): the target, the
 * time of its last success (seconds since the epoch) and that run's
 * bytes.
 */
struct replication {
	char		 target[512];
	long long	 when;
	unsigned long long bytes;
};
/* d's own warpstor:replicated, each entry checked (a bad one left out). */
size_t	 state_replications(const struct zfs_ds *, struct replication **);
void	 state_replications_free(struct replication *, size_t);
/* old (or NULL) with target's entry set to when and bytes. */
char	*state_replicated_with(const char *old, const char *target,
	    long long when, unsigned long long bytes);

#endif
