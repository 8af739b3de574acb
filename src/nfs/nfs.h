/*
 * nfs.h: the only code that knows exportfs(8), the exports file and
 * nfs-utils.
 */
#ifndef WARPSTOR_NFS_H
#define WARPSTOR_NFS_H

#include "lib/ctx.h"
#include "txn/txn.h"
#include "lib/util.h"

#define FSID_LEN	36	/* 8-4-4-4-12 */
/*
 * The option every export of warpstor's carries: exported only while
 * PATH is a mount point, so an unmounted dataset (pool away, canmount
 * noauto) never exports the empty folder of the filesystem underneath.
 * exportfs -v spells it "mountpoint".
 */
#define NFS_MP		"mp"
#define NFS_MP_LIVE	"mountpoint"

/* An export as the ZFS properties describe it. */
struct nfs_export {
	char	*path;		/* the mountpoint */
	char	*clients;	/* comma-separated */
	char	*options;	/* comma-separated, without fsid */
	char	*fsid;
};

/* The exports file: one line per path, kept sorted when written. */
struct nfs_file {
	char	*path;		/* of the file */
	char	*before;	/* its content when read; NULL: none */
	char	**lines;	/* "PATH CLIENT(OPTS,fsid=U) ..." */
	size_t	 n;
};

/* "CLIENT:PATH" as exportfs takes it ([CLIENT] for an IPv6 one). */
char	*nfs_spec(const char *client, const char *path);

/* A new random fsid: a version 4 UUID, lower case. */
void	 nfs_fsid_new(char out[FSID_LEN + 1]);
int	 nfs_valid_fsid(const char *);

int	 nfs_file_read(const char *file, struct nfs_file *, struct wserr *);
/* Set (or replace) the line of ex->path; drop the line of path. */
void	 nfs_file_set(struct nfs_file *, const struct nfs_export *);
void	 nfs_file_drop(struct nfs_file *, const char *path);
/* The whole content as it would be written. */
char	*nfs_file_render(const struct nfs_file *);
/* Write it atomically as one step of t (undo: the content before). */
int	 nfs_file_write(struct txn *, struct nfs_file *, struct wserr *);
void	 nfs_file_free(struct nfs_file *);
/*
 * The file as its lines now are, written as a step of t only where that
 * changes it (no file and no line: nothing to write either).  Returns 1
 * when written, 0 when not, -1 on failure.
 */
int	 nfs_file_update(struct txn *, struct nfs_file *, struct wserr *);
/* The file rebuilt whole from the n exports exs: nfs_file_update's. */
int	 nfs_file_rebuild(struct txn *, struct nfs_file *,
	    const struct nfs_export *exs, size_t n, struct wserr *);
/* The paths the file names, as export structs (clients/options parsed). */
int	 nfs_file_exports(const struct nfs_file *, struct nfs_export **,
	    size_t *);

/* exportfs -o OPTIONS,fsid=U CLIENT:PATH per client (undo: -u). */
int	 nfs_export(struct txn *, const struct nfs_export *, struct wserr *);
/* exportfs -u CLIENT:PATH per client (undo: -o ...). */
int	 nfs_unexport(struct txn *, const struct nfs_export *, struct wserr *);
int	 nfs_export_one(struct txn *, const struct nfs_export *,
	    const char *client, struct wserr *);
int	 nfs_unexport_one(struct txn *, const struct nfs_export *,
	    const char *client, struct wserr *);

/* Is file one that exportfs reads: /etc/exports, /etc/exports.d/NAME.exports? */
int	 nfs_file_read_by_exportfs(const char *file);

/*
 * exportfs CLIENT:PATH... in as few calls as fit: the options and fsid
 * of each come from the exports file exportfs reads, so the file must
 * say them already (undo: exportfs -u of them all).  The caller checks
 * the live table afterwards: exportfs's exit status does not tell which
 * argument failed.
 */
int	 nfs_export_batch(struct txn *, char *const *specs, size_t,
	    struct wserr *);

/*
 * Publish exports (the file first, then the live table, client by
 * client) or withdraw them (likewise), as steps of t.
 */
int	 nfs_publish(struct txn *, const struct nfs_export *, size_t,
	    struct wserr *);
int	 nfs_withdraw(struct txn *, const struct nfs_export *, size_t,
	    struct wserr *);

/*
 * The clients and options of a new export: the given ones, else the
 * configured ones; checked.  No clients anywhere is exit 78.
 */
int	 nfs_export_spec(struct ctx *, const char *clients,
	    const char *options, struct nfs_export *, struct wserr *);

/* exportfs -f: flush the kernel's export cache (no undo: it only drops
 * what the kernel rebuilds). */
int	 nfs_flush(struct txn *, struct wserr *);

/* exportfs -u that counts an entry missing from the live table as
 * withdrawn: the step of unexport, and nfs_undo_unexport's undo. */
int	 nfs_unexport_tolerant(struct ctx *, char *const *, struct wserr *);

/*
 * The undo kinds of exportfs steps: "exportfs" runs its argv once;
 * "exportfs-unexport" withdraws with nfs_unexport_tolerant.  goal_met
 * reads the live table: the specs withdrawn, or the one spec exported.
 */
extern const struct undo_kind nfs_undo_once, nfs_undo_unexport;
/* Those two: NULL-terminated. */
extern const struct undo_kind *const nfs_undo_kinds[];

/*
 * Is any "CLIENT:PATH" of the NULL-terminated specs in the live table?
 * unsure: the answer when it cannot tell (no table, a spec without ":/").
 */
int	 nfs_specs_live(struct ctx *, char *const *specs, int unsure);

/* The live table from exportfs -v: path, client, options (fsid inside). */
struct nfs_live {
	char	*path;
	char	*client;
	char	*options;
};
int	 nfs_live_read(struct ctx *, struct nfs_live **, size_t *,
	    struct wserr *);
void	 nfs_live_free(struct nfs_live *, size_t);
/* The fsid= value inside a live entry's options, or NULL. */
char	*nfs_live_fsid(const struct nfs_live *);

void	 nfs_export_free(struct nfs_export *);

/*
 * The nfs-utils version of the configured exportfs, read from its sibling
 * rpc.mountd (exportfs itself has no version option); NULL when unknown.
 */
char	*nfs_utils_version(struct ctx *);

#endif
