/*
 * node.h: zfs on a node, this one or another over ssh: what replicate,
 * receive-replica and takeover ask of zfs, each call built and its
 * output parsed here, as zfs.c does for the commands of one node.
 * Every value read is checked before it is given out.
 */
#ifndef WARPSTOR_NODE_H
#define WARPSTOR_NODE_H

#include "lib/argv.h"
#include "lib/ctx.h"
#include "lib/util.h"
#include "txn/txn.h"

/*
 * Properties of one dataset read in one call (node_prefetch) and given
 * out by node_prop: what the checks of a TARGET on another node ask,
 * without a round trip each.
 */
struct propcache {
	char		*name;
	struct strvec	 prop;		/* asked */
	struct strvec	 val;		/* "" where zfs had none */
	struct strvec	 src;
	unsigned char	 known[8];	/* zfs knows the property */
};

/* Where a zfs runs: here, or on host over ssh. */
struct node {
	struct ctx	*ctx;
	const char	*host;		/* NULL: this node */
	char		*ctlpath;	/* ssh's control socket: one connection */
	struct propcache *cache;	/* node_prefetch's, or NULL */
	int		 no_bookmarks;	/* zfs there has none (zfs-fuse) */
};

/* One snapshot: its name and guid. */
struct snap {
	char	*name;
	char	*guid;
};

struct snaps {
	struct snap	*v;
	size_t		 n;
	int		 exists;	/* the dataset is there */
};

/* What replicate reads of each snapshot: its holds and who made it. */
struct snapinfo {
	char	*holds;		/* warpstor:holds: the tags warpstor holds it by */
	int	 ours;		/* warpstor:txn of its own: warpstor made it */
	long long userrefs;	/* every hold on it, anyone's */
};


/* The control master's socket closed (its process gone); the cache too. */
void	 node_close(struct node *);
/* node_prefetch's properties forgotten. */
void	 node_forget(struct node *);

void	 snaps_free(struct snaps *);
/* The snapshot of s with guid, or NULL. */
const struct snap *snap_by_guid(const struct snaps *, const char *guid);
/*
 * ds's own snapshots on n, oldest first, each with its guid (out->exists
 * 0 and no error where ds does not exist).
 */
int	 node_snapshots(const struct node *, const char *ds, struct snaps *out,
	    struct wserr *);
/*
 * ds's bookmarks on n (name and guid, as struct snaps).  Where zfs has
 * no bookmarks (zfs-fuse) none, and n->no_bookmarks set.
 */
int	 node_bookmarks(struct node *, const char *ds, struct snaps *out,
	    struct wserr *);
/*
 * snap bookmarked as bm on n, an older bm replaced; where zfs has no
 * bookmarks, nothing.  A failure is said (a warning) and left.
 */
void	 node_bookmark(struct node *, const char *snap, const char *bm);
/* Whether a snapshot in pool on n has guid: *found. */
int	 node_guid_in_pool(const struct node *, const char *pool,
	    const char *guid, int *found, struct wserr *);

/*
 * One property of name on n as zfs get -H -p prints it (value, source),
 * or *val NULL where zfs has no such property or name does not exist.
 */
int	 node_prop(const struct node *, const char *name, const char *prop,
	    char **val, char **src, struct wserr *);
/*
 * props (comma-separated, at most 8) of name on n in one zfs get, kept
 * for node_prop; base: those every zfs knows, asked again alone where
 * zfs refuses the list.
 */
int	 node_prefetch(struct node *, const char *name, const char *props,
	    const char *base, struct wserr *);

/* Whether zfs knew prop when node_prefetch asked it. */
int	 node_knows(const struct node *, const char *prop);

/* warpstor:holds, warpstor:txn and userrefs of every snapshot of s. */
int	 node_snap_info(const struct node *, const struct snaps *,
	    struct snapinfo *, struct wserr *);
void	 snap_info_free(struct snapinfo *, size_t);
/* warpstor:holds of snap set to list (NULL or "": inherited away). */
int	 node_holds_set(const struct node *, const char *snap, const char *list,
	    struct wserr *);

/* zfs set prop=val name (val NULL: zfs inherit prop name) on n. */
int	 node_set(const struct node *, const char *name, const char *prop,
	    const char *val, struct wserr *);
int	 node_hold(const struct node *, const char *tag, const char *snap,
	    struct wserr *);
int	 node_release(const struct node *, const char *tag, const char *snap,
	    struct wserr *);
/* zfs destroy [-r] name on n. */
int	 node_destroy(const struct node *, const char *name, int recursive,
	    struct wserr *);
/* zfs rollback -r snap on n. */
int	 node_rollback(const struct node *, const char *snap, struct wserr *);
int	 node_unmount(const struct node *, const char *name, struct wserr *);
/* zfs receive -A name: a partial receive's state dropped. */
int	 node_receive_abort(const struct node *, const char *name,
	    struct wserr *);
/*
 * A received replica made safe on n: canmount=noauto (first), mountpoint,
 * sharenfs and sharesmb inherited, readonly=on, warpstor:replica set to
 * mark (NODE:DATASET).
 */
int	 node_mark_replica(const struct node *, const char *target,
	    const char *mark, struct wserr *);

/* What zfs receive can do where it runs (its usage says). */
struct recv_caps {
	int	 resumable;	/* -s, and -A to abort */
	int	 exclude;	/* -x PROP */
};
void	 node_recv_caps(const struct node *, struct recv_caps *);
/*
 * The snapshot a resume token of zfs send -t sends (zfs send -nvt here):
 * its name and guid (allocated), or *name NULL where it cannot tell.
 */
void	 zfs_token_names(struct ctx *, const char *token, char **name,
	    unsigned long long *guid);

/*
 * zfs send here: -t token when token, else -p [-i|-I from] to (-i for a
 * bookmark or single, -I for every snapshot between).
 */
void	 zfs_send_argv(const struct ctx *, const char *token, const char *from,
	    int single, const char *to, struct strvec *out);
/*
 * zfs receive -u [-s] [-x ...] [-F] target as run on n: out, and the
 * tool to run it with (ssh for another node).
 */
enum tool node_recv_argv(const struct node *, const struct recv_caps *,
	    int rollback, const char *target, struct strvec *out);
/* warpstor's words (argv) as run on n over ssh. */
void	 node_remote_argv(const struct node *, char *const *words,
	    struct strvec *out);
/* warpstor's words run on n over ssh, exit 0 required. */
int	 node_remote_run(const struct node *, char *const *words,
	    struct wserr *);

/* A stream from send to receive: how it went. */
struct node_xfer {
	const char	*what;		/* the progress line's */
	unsigned long long limit;	/* bytes a second, 0 none */
	int		 remote;	/* receive is another node's warpstor */
	unsigned long long bytes;	/* relayed */
	long long	 ms;
	int		 modified;	/* the receive found the target written */
	char		*said;		/* receive's stdout, allocated */
};
/*
 * send | recv (tool t), relayed, counted and capped at x->limit.  A side
 * that failed is said in e; a remote warpstor's own exit status is
 * kept as e's code.
 */
int	 node_pipe(struct ctx *, char *const *send, enum tool t,
	    char *const *recv, struct node_xfer *x, struct wserr *);
/* zfs receive (node_recv_argv's, here) of the stream on stdin. */
int	 zfs_receive_stdin(struct ctx *, const struct recv_caps *,
	    int rollback, const char *target, struct wserr *);
/* zpool sync of ds's pool here: 0 when it ran and succeeded. */
int	 node_pool_sync(struct ctx *, const char *ds);

/* The undo of a transfer cut off (nothing to undo: "replicate-transfer"). */
extern const struct undo_kind zfs_undo_transfer;

#endif
