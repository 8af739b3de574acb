/*
 * zfs.h: the only code that knows zfs(8).  It builds the argv of each
 * call, runs it, and parses the scripted (-H, tab-separated, -p exact)
 * output into structs; callers never see a raw line.
 */
#ifndef WARPSTOR_ZFS_H
#define WARPSTOR_ZFS_H

#include "lib/argv.h"
#include "lib/ctx.h"
#include "txn/txn.h"
#include "lib/util.h"

#define ZFS_RECURSE	(-2)	/* depth: zfs get -r */

/* Properties warpstor reads. */
enum zprop {
	ZP_TYPE,
	ZP_CREATION,
	ZP_USED,
	ZP_AVAILABLE,
	ZP_REFERENCED,
	ZP_MOUNTPOINT,
	ZP_MOUNTED,
	ZP_ORIGIN,
	ZP_CREATETXG,
	ZP_GUID,
	ZP_READONLY,
	ZP_USERREFS,		/* a snapshot's holds (zfs hold), counted */
	ZP_QUOTA,
	ZP_FSID,		/* warpstor:fsid; the user properties last */
	ZP_CLIENTS,		/* warpstor:clients */
	ZP_OPTIONS,		/* warpstor:options */
	ZP_TXN,			/* warpstor:txn: the run that made it */
	ZP_REPLICA,		/* warpstor:replica: of what, from replicate */
	ZP_HOLDS,		/* warpstor:holds: replicate's hold tags */
	ZP_FILTER,		/* warpstor:filter: filtered-clone's globs */
	ZP_REPLICATED,		/* warpstor:replicated: replicate's last runs */
	ZP_COUNT
};
#define ZP_FIRST_USER	ZP_FSID
#define ZPM(p)	(1u << (p))

/* One dataset or snapshot with the properties asked for. */
struct zfs_ds {
	char		*name;
	char		*val[ZP_COUNT];	/* NULL where zfs said "-" or not asked */
	unsigned	 local;		/* ZPM bits whose source is "local" */
	unsigned	 asked;		/* ZPM bits of the properties asked */
};

struct zfs_dslist {
	struct zfs_ds	*v;
	size_t		 n;
	char		*buf;		/* the strings above point into it */
	char		**more;		/* and into these, after a merge */
	size_t		 nmore;
	size_t		 nbad;		/* left out: a value held a control byte */
};

struct zfs_names {
	char		**v;
	size_t		  n;
	char		 *buf;
};

const char *zfs_prop_name(enum zprop);
/*
 * Whether kv ("PROP=VALUE", as zfs_local_props gives them) sets p; then
 * *val (when not NULL) points at its value.
 */
int	 zfs_kv_is(const char *kv, enum zprop p, const char **val);

/*
 * zfs get -H -p -o name,property,value,source PROPS [-d DEPTH] [TARGET]:
 * every dataset and snapshot (TARGET NULL), or TARGET and, with depth
 * >= 0, its descendants to that depth.  A missing TARGET is exit 66.
 */
int	 zfs_get(struct ctx *, unsigned mask, const char *target, int depth,
	    struct zfs_dslist *, struct wserr *);
/*
 * zfs_get of filesystems and volumes only: TARGET and below (to DEPTH),
 * or every one (TARGET NULL), without visiting a snapshot.  Where zfs get
 * takes -t (OpenZFS) that is one call, -t filesystem,volume.  Where it
 * does not (zfs-fuse: exit 2, remembered for the run), a TARGET is asked
 * without -t and its snapshots dropped, and "every one" is a zfs list of
 * the names, then a zfs get of those names.  The pools' roots alone
 * (depth 0) are one plain zfs get everywhere.
 */
int	 zfs_get_datasets(struct ctx *, unsigned mask, const char *target,
	    int depth, struct zfs_dslist *, struct wserr *);
/*
 * zfs_get of NAMES (to DEPTH below each, -1: none), in as few calls as
 * 128 KiB of names a call allow; one that is missing fails the whole.
 */
int	 zfs_get_each(struct ctx *, unsigned mask, char *const *names,
	    size_t n, int depth, struct zfs_dslist *, struct wserr *);
/*
 * zfs_get (mask) of the clones of the snapshots among NAMES and their
 * descendants to DEPTH (as zfs_get's), which zfs get clones names (one
 * call, then the clones by name): each a valid dataset name in the pool
 * of its origin, or the whole is unexpected output.  1 (out empty) where
 * zfs cannot say: it has no clones property (zfs-fuse: exit 2,
 * remembered for the run), a snapshot's list fills zfs get's value
 * buffer and may be cut, or it names a receive's hidden clone.  The
 * caller then looks for origins itself.
 */
int	 zfs_get_clones(struct ctx *, unsigned mask, const char *const *names,
	    size_t n, int depth, struct zfs_dslist *, struct wserr *);
/*
 * Move m's entries that l lacks (by name) into l, free the rest of m, and
 * sort l by name: a parent before what is below it.
 */
void	 zfs_dslist_merge(struct zfs_dslist *l, struct zfs_dslist *m);

/* zfs_get of exactly one dataset (no -r); 66 if it does not exist. */
int	 zfs_get_one(struct ctx *, const char *name, unsigned mask,
	    struct zfs_dslist *, struct wserr *);
/*
 * Parse that output in place (buf is kept by the list), strictly: every
 * dataset has exactly one line per property, in the order asked (guid
 * last, always), four fields each, no control byte in any; no dataset
 * comes twice.  A property value may hold a tab or a newline (anyone
 * with zfs allow userprop sets one, a zfs receive brings one): it then
 * breaks that shape, and the datasets around the break, whose lines may
 * be forged, go to suspects (names pointing into buf) instead of the
 * list, to be asked for one by one.  The parse never merges or invents a
 * record.
 */
int	 zfs_parse_get(char *buf, unsigned mask, struct zfs_dslist *,
	    struct zfs_names *suspects, struct wserr *);
void	 zfs_dslist_free(struct zfs_dslist *);

/*
 * Every property set locally on name (zfs get -s local all), as
 * PROP=VALUE words appended to out, but those a clone cannot be given
 * (casesensitivity, normalization, encryption, ...).  Read so that no
 * value can forge another: the names first, then the values in that
 * order; a value with a control byte is 65.
 */
int	 zfs_local_props(struct ctx *, const char *name, struct strvec *out,
	    struct wserr *);

/*
 * zfs list -H -o name -t TYPES [-s creation] [-d DEPTH]: names in the
 * order zfs gives them.
 */
int	 zfs_list_names(struct ctx *, const char *types, int by_creation,
	    int depth, struct zfs_names *, struct wserr *);
int	 zfs_parse_names(char *buf, struct zfs_names *, struct wserr *);
void	 zfs_names_free(struct zfs_names *);

/* Whether NAME (a dataset or a snapshot) exists: one zfs list. */
int	 zfs_exists(struct ctx *, const char *name, int *exists,
	    struct wserr *);

/*
 * Steps of a composite command, each run through t (printed with -n) with
 * its undo recorded.  props are PROP=VAL words for -o.
 */
int	 zfs_create(struct txn *, const char *name, const struct strvec *props,
	    struct wserr *);
int	 zfs_clone(struct txn *, const char *snap, const char *name,
	    const struct strvec *props, struct wserr *);
int	 zfs_snapshot(struct txn *, const char *name, int recursive,
	    struct wserr *);
/* zfs promote; undo (when undo_name): zfs promote undo_name. */
int	 zfs_promote(struct txn *, const char *name, const char *undo_name,
	    struct wserr *);
/* zfs set PROP=VALUE; undo: set back to old, or inherit when old is NULL. */
int	 zfs_set(struct txn *, const char *name, const char *prop,
	    const char *value, const char *old, struct wserr *);
/* zfs inherit PROP; undo: set back to old. */
int	 zfs_inherit(struct txn *, const char *name, const char *prop,
	    const char *old, struct wserr *);
int	 zfs_mount(struct txn *, const char *name, struct wserr *);
/*
 * zfs umount [FLAGS] NAME (flags as zfs spells them, "-f", or NULL, as
 * zfs_destroy takes them), run by run where not NULL; undo: zfs mount.
 */
int	 zfs_umount(struct txn *, const char *name, const char *flags,
	    step_fn run, struct wserr *);
/* zfs rename (unmounted); undo: rename back. */
int	 zfs_rename(struct txn *, const char *from, const char *to,
	    struct wserr *);
/*
 * zfs destroy [-r|-R] [-f]: the last step, with no undo.  A dataset that
 * was just unmounted can stay busy for a moment: it is tried a few times.
 */
int	 zfs_destroy(struct txn *, const char *name, const char *flags,
	    struct wserr *);
/* zfs release TAG SNAP; undo: zfs hold TAG SNAP. */
int	 zfs_release(struct txn *, const char *tag, const char *snap,
	    struct wserr *);

/*
 * Not steps of a transaction (deferred.c): zfs rename, tried again while
 * busy; zfs destroy [FLAGS] NAME, tried once.
 */
int	 zfs_rename_now(struct ctx *, const char *from, const char *to,
	    struct wserr *);
/* zfs rename, tried once; a missing FROM is 66. */
int	 zfs_rename_once(struct ctx *, const char *from, const char *to,
	    struct wserr *);
int	 zfs_destroy_now(struct ctx *, const char *name, const char *flags,
	    struct wserr *);
/* zfs inherit -r PROP NAME, tried once. */
int	 zfs_inherit_now(struct ctx *, const char *name, enum zprop,
	    struct wserr *);
/* zfs set p=value name at once (no step, no undo). */
int	 zfs_set_now(struct ctx *, const char *name, enum zprop p,
	    const char *value, struct wserr *);

/*
 * The undo kinds of zfs steps: "zfs" runs its argv once; "zfs-retry"
 * runs it, trying again while busy; "zfs-destroy-created" (argv: zfs
 * destroy [-r] NAME warpstor:txn=ID) unmounts and destroys NAME only
 * where it carries that very tag, set in the call that made it: what
 * another made, or what was there before, it never destroys.  Each one's
 * goal_met reads the pool: NAME gone, renamed, mounted, unmounted, or
 * promoted.
 */
extern const struct undo_kind zfs_undo_once, zfs_undo_retry,
    zfs_undo_created;
/* Those, and replicate's transfer (node.h): NULL-terminated. */
extern const struct undo_kind *const zfs_undo_kinds[];

/* zfs_undo_created's undo. */
int	 zfs_undo_destroy(struct ctx *, char *const *, struct wserr *);
/* A step that zfs may refuse for a moment (busy): tried a few times. */
int	 zfs_retry(struct ctx *, char *const *, struct wserr *);

/* Run a zfs argv once: 0 on exit 0, else -1 with zfs's words in e. */
int	 zfs_try(struct ctx *, char *const *, struct wserr *);

/* The tags of snap's holds (zfs holds), comma-separated; NULL where zfs
 * has no zfs holds (zfs-fuse) or cannot tell. */
char	*zfs_hold_tags(struct ctx *, const char *snap);

/* The zfs userland version, or NULL where zfs cannot tell (zfs-fuse). */
int	 zfs_version(struct ctx *, char **, struct wserr *);

#endif
