/*
 * zfs.h: the only code that knows zfs(8).  It builds the argv of each
 * call, runs it, and parses the scripted (-H, tab-separated, -p exact)
 * output into structs; callers never see a raw line.
 */
#ifndef WARPSTOR_ZFS_H
#define WARPSTOR_ZFS_H

#include "ctx.h"
#include "util.h"

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
	ZP_FSID,		/* warpstor:fsid */
	ZP_CLIENTS,		/* warpstor:clients */
	ZP_OPTIONS,		/* warpstor:options */
	ZP_COUNT
};
#define ZPM(p)	(1u << (p))

/* One dataset or snapshot with the properties asked for. */
struct zfs_ds {
	char		*name;
	char		*val[ZP_COUNT];	/* NULL where zfs said "-" or not asked */
	unsigned	 local;		/* ZPM bits whose source is "local" */
};

struct zfs_dslist {
	struct zfs_ds	*v;
	size_t		 n;
	char		*buf;		/* the strings above point into it */
};

struct zfs_names {
	char		**v;
	size_t		  n;
	char		 *buf;
};

const char *zfs_prop_name(enum zprop);

/*
 * zfs get -H -p -o name,property,value,source PROPS [-d DEPTH] [TARGET]:
 * every dataset and snapshot (TARGET NULL), or TARGET and, with depth
 * >= 0, its descendants to that depth.  A missing TARGET is exit 66.
 */
int	 zfs_get(struct ctx *, unsigned mask, const char *target, int depth,
	    struct zfs_dslist *, struct wserr *);
/* Parse that output in place (buf is kept by the list). */
int	 zfs_parse_get(char *buf, unsigned mask, struct zfs_dslist *,
	    struct wserr *);
void	 zfs_dslist_free(struct zfs_dslist *);

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

/* The zfs userland version, or NULL where zfs cannot tell (zfs-fuse). */
int	 zfs_version(struct ctx *, char **, struct wserr *);

#endif
