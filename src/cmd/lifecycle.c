/*
 * lifecycle.c: promote, rename, destroy.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "model/dsname.h"
#include "fs/fsops.h"
#include "nfs/nfs.h"
#include "lib/progress.h"
#include "model/state.h"
#include "txn/txn.h"
#include "lib/validate.h"
#include "zfs/zfs.h"

/*
 * promote CLONE
 * Runs: zfs promote CLONE.  Exports stay as they are.
 */
int
cmd_promote(struct ctx *ctx, int argc, char **argv)
{
	struct txn	 t;
	struct wserr	 e;
	const char	*name;
	int		 rc, yes;

	if ((rc = cmd_one_name(ctx, argc, argv, 0, &name)) != CMD_GO_ON)
		return rc;
	txn_init(&t, ctx);
	if (zfs_promote(&t, name, NULL, &e) == -1) {
		if (zfs_exists(ctx, name, &yes, &e) == 0 && !yes)
			wserr_set(&e, EX_NOINPUT, "%s: does not exist", name);
		return cmd_rollback(&t, &e);
	}
	return cmd_done(&t, name, NULL);
}

static int
rename_snapshot(struct ctx *ctx, const char *from, const char *to)
{
	struct txn	 t;
	struct wserr	 e;
	int		 yes;

	if (valid_snapshot(to, &e) == -1)
		return cmd_fail(ctx, &e);
	if (ds_fs_len(from) != ds_fs_len(to) ||
	    strncmp(from, to, ds_fs_len(from)) != 0) {
		wserr_set(&e, EX_DATAERR, "a snapshot is renamed within its "
		    "dataset: %s and %s differ before '@'", from, to);
		return cmd_fail(ctx, &e);
	}
	if (zfs_exists(ctx, from, &yes, &e) == -1)
		return cmd_fail(ctx, &e);
	if (!yes) {
		wserr_set(&e, EX_NOINPUT, "%s: does not exist", from);
		return cmd_fail(ctx, &e);
	}
	if (zfs_exists(ctx, to, &yes, &e) == -1)
		return cmd_fail(ctx, &e);
	if (yes) {
		wserr_set(&e, EX_CANTCREAT, "%s already exists", to);
		return cmd_fail(ctx, &e);
	}
	txn_init(&t, ctx);
	if (zfs_rename(&t, from, to, &e) == -1)
		return cmd_rollback(&t, &e);
	return cmd_done(&t, to, NULL);
}

/* NEW exists (yes), or its parent does not: 1 with e saying so. */
static int
target_taken(struct ctx *ctx, const char *to, int yes, struct wserr *e)
{
	char	*parent;
	int	 there = 1;

	if (yes) {
		wserr_set(e, EX_CANTCREAT, "%s already exists", to);
		return 1;
	}
	parent = xstrndup(to, (size_t)(strrchr(to, '/') - to));
	if (zfs_exists(ctx, parent, &there, e) == -1)
		there = 0;		/* e says why */
	else if (!there)
		wserr_set(e, EX_NOINPUT, "parent %s: does not exist", parent);
	free(parent);
	return !there;
}

/*
 * After the rename: each dataset of old that was exported and mounted,
 * mounted again under to, gets the same export at its new mountpoint
 * (into news), then a flush: the server's cache still maps each fsid to
 * the old path, and NFS clients' handles carry the fsid.
 */
static int
rename_reexport(struct txn *t, const struct zfs_dslist *old,
    const char *from, const char *to, struct nfs_export *news, size_t *nnew,
    struct wserr *e)
{
	struct zfs_dslist new;
	size_t		 i, k, len = strlen(from);
	char		*n;

	if (zfs_get(t->ctx, ZPM(ZP_MOUNTPOINT) | ZPM(ZP_MOUNTED), to,
	    ZFS_RECURSE, &new, e) == -1)
		return -1;
	for (i = 0; i < old->n; i++) {
		const struct zfs_ds *d = &old->v[i];

		if (!state_exported(d) || !state_mounted(d))
			continue;
		n = xasprintf("%s%s", to, d->name + len);
		for (k = 0; k < new.n && strcmp(new.v[k].name, n) != 0; k++)
			;
		free(n);
		if (k == new.n || !state_mounted(&new.v[k])) {
			wserr_set(e, EX_UNAVAILABLE, "%s%s is not mounted "
			    "after the rename", to, d->name + len);
			zfs_dslist_free(&new);
			return -1;
		}
		state_export(d, new.v[k].val[ZP_MOUNTPOINT], &news[(*nnew)++]);
	}
	zfs_dslist_free(&new);
	return nfs_publish(t, news, *nnew, e) == -1 || nfs_flush(t, e) == -1 ?
	    -1 : 0;
}

/* rename's checks on OLD and NEW before the first change. */
static int
rename_check(struct ctx *ctx, const char *from, const char *to,
    struct zfs_dslist *old, struct wserr *e)
{
	int	 yes;

	if (valid_dataset(from, e) == -1 || valid_dataset(to, e) == -1)
		return -1;
	if (ds_is_volume(from) || ds_is_volume(to)) {
		wserr_set(e, EX_NOPERM, "refusing to rename a volume (a "
		    "pool's root)");
		return -1;
	}
	if (ds_in_tree(to, from)) {
		wserr_set(e, EX_DATAERR, "%s is inside %s", to, from);
		return -1;
	}
	if (!ds_same_pool(from, to)) {
		wserr_set(e, EX_DATAERR, "%s and %s are in different pools: "
		    "zfs renames within a pool (replicate copies across)",
		    from, to);
		return -1;
	}
	if (zfs_get(ctx, STATE_PROPS, from, ZFS_RECURSE, old, e) == -1)
		return -1;
	/* the target free, its parent there */
	if (zfs_exists(ctx, to, &yes, e) == -1 || target_taken(ctx, to, yes,
	    e)) {
		zfs_dslist_free(old);
		return -1;
	}
	return 0;
}

/*
 * rename OLD NEW
 * Snapshots (ds@a ds@b): zfs rename.  Filesystems: withdraw the exports
 * of OLD and below (file, then exportfs -u), zfs umount them (deepest
 * first), zfs rename, zfs mount them again, and export them at their new
 * mountpoints with the same fsid, clients and options.
 * Runs: zfs get -r (OLD), zfs list (NEW), ..., zfs get -r (NEW).
 */
int
cmd_rename(struct ctx *ctx, int argc, char **argv)
{
	struct zfs_dslist old;
	struct nfs_export *olds = NULL, *news = NULL;
	struct txn	 t;
	struct wserr	 e;
	const char	*from, *to;
	char		**mounted = NULL, **mps = NULL;
	size_t		 i, nex = 0, nnew = 0, nmnt = 0, len;
	int		 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 2, 2)) != CMD_GO_ON)
		return rc;
	from = argv[optind];
	to = argv[optind + 1];
	if (ds_is_snapshot(from)) {
		if (valid_snapshot(from, &e) == -1)
			return cmd_fail(ctx, &e);
		return rename_snapshot(ctx, from, to);
	}
	if (rename_check(ctx, from, to, &old, &e) == -1)
		return cmd_fail(ctx, &e);
	state_warn_invalid(ctx, &old);
	len = strlen(from);
	olds = xcalloc(old.n, sizeof(*olds));
	news = xcalloc(old.n, sizeof(*news));
	mounted = xcalloc(old.n, sizeof(*mounted));
	mps = xcalloc(old.n, sizeof(*mps));
	for (i = 0; i < old.n; i++) {
		struct zfs_ds *d = &old.v[i];

		if (!state_is_type(d, "filesystem") || !state_mounted(d))
			continue;
		mps[nmnt] = d->val[ZP_MOUNTPOINT];
		mounted[nmnt++] = d->name;
		if (state_exported(d))
			state_export(d, NULL, &olds[nex++]);
	}
	txn_init(&t, ctx);
	if (state_take_down(&t, olds, nex, mounted, mps, nmnt, 0, &e) == -1)
		goto fail;
	if (zfs_rename(&t, from, to, &e) == -1) {
		fs_note_holders(&e, mps, nmnt);
		goto fail;
	}
	for (i = 0; i < nmnt; i++) {
		char	*n = xasprintf("%s%s", to, mounted[i] + len);

		rc = zfs_mount(&t, n, &e);
		free(n);
		if (rc == -1)
			goto fail;
	}
	if (nex > 0 && !ctx->dry_run) {
		if (rename_reexport(&t, &old, from, to, news, &nnew, &e) == -1)
			goto fail;
	} else if (nex > 0) {
		(void)txn_step(&t, "export %zu dataset%s at %s's new "
		    "mountpoints, same fsid, clients and options", nex,
		    nex == 1 ? "" : "s", to);
	}
	if (txn_check(&t, &e) == -1)
		goto fail;
	rc = cmd_done(&t, to, NULL);
	goto out;
fail:
	rc = cmd_rollback(&t, &e);
out:
	state_exports_free(olds, nex);
	state_exports_free(news, nnew);
	free(mounted);
	free(mps);
	zfs_dslist_free(&old);
	return rc;
}

/*
 * Does the snapshot name go with set?  It does when it is in set, or its
 * filesystem is: a filesystem in set goes whole, snapshots and all.
 */
static int
marked(const struct zfs_dslist *l, const char *set, const char *name)
{
	size_t	 i, dl = strcspn(name, "@");

	for (i = 0; i < l->n; i++) {
		const char *n = l->v[i].name;

		if (set[i] && (strcmp(n, name) == 0 || (strlen(n) == dl &&
		    strncmp(n, name, dl) == 0)))
			return 1;
	}
	return 0;
}

/* What destroy reads of what goes: the state, and a snapshot's holds. */
#define DESTROY_PROPS	(STATE_PROPS | ZPM(ZP_USERREFS) | ZPM(ZP_HOLDS))

/* What destroy was asked, and what it found. */
struct destroy {
	const char	*target;
	const char	*snap;		/* "@SNAP" of target, or NULL */
	int		 r, R, f;
	struct zfs_dslist l;		/* what goes, and what may depend */
	char		*set;		/* set[i]: l.v[i] goes */
	struct some	 deps;
};

static int
destroy_option(struct ctx *ctx, int ch, const char *val, void *arg)
{
	struct destroy	*d = arg;

	(void)val;
	if (ch == 'f')
		d->f = 1;
	else if (ch == 'r')
		d->r = 1;
	else
		d->R = 1;
	if (d->r && d->R)
		return cmd_usage(ctx, "-r and -R go alone");
	return CMD_GO_ON;
}

static int
destroy_args(struct ctx *ctx, int argc, char **argv, struct destroy *d)
{
	struct wserr	 e;
	int		 rc;

	if ((rc = cmd_parse(ctx, argc, argv, destroy_option, d, 1, 1)) !=
	    CMD_GO_ON)
		return rc;
	d->target = argv[optind];
	if (valid_dataset_or_snapshot(d->target, &e) == -1)
		return cmd_fail(ctx, &e);
	d->snap = strchr(d->target, '@');
	if (ds_is_volume(d->target)) {
		wserr_set(&e, EX_NOPERM, "refusing to destroy %s: it is a "
		    "volume (a pool's root); rebuild-vol empties one",
		    d->target);
		return cmd_fail(ctx, &e);
	}
	return CMD_GO_ON;
}

/*
 * The clones of what goes, where snapshots go: without -R, those that
 * zfs's clones property names (OpenZFS), read by name.  With -R, or
 * where zfs has no such property (zfs-fuse), every filesystem of
 * target's pool (a pool keeps its clones to itself; no other pool is
 * read), and with -R the pool's snapshots too, since the clones that go
 * take theirs.
 */
static int
destroy_gather_clones(struct ctx *ctx, struct destroy *d, const char *of,
    int depth, struct wserr *e)
{
	struct zfs_dslist all;
	char		*pool;
	int		 rc = 1;

	if (!d->R)
		rc = zfs_get_clones(ctx, DESTROY_PROPS, &of, 1, depth, &all, e);
	if (rc == 1) {
		pool = ds_pool(d->target);
		rc = d->R ? zfs_get(ctx, DESTROY_PROPS, pool, ZFS_RECURSE, &all,
		    e) : zfs_get_datasets(ctx, DESTROY_PROPS, pool, ZFS_RECURSE,
		    &all, e);
		free(pool);
	}
	if (rc == -1)
		return -1;
	zfs_dslist_merge(&d->l, &all);
	return 0;
}

/* What goes: the tree of target (a snapshot alone without -r), clones. */
static int
destroy_gather(struct ctx *ctx, struct destroy *d, struct wserr *e)
{
	char		*root = ds_fs(d->target);
	int		 alone = d->snap != NULL && !d->r, rc;
	size_t		 i;

	rc = zfs_get(ctx, DESTROY_PROPS, alone ? d->target : root, alone ?
	    -1 : ZFS_RECURSE, &d->l, e);
	for (i = 0; rc == 0 && i < d->l.n &&
	    !ds_is_snapshot(d->l.v[i].name); i++)
		;
	if (rc == 0 && i < d->l.n)
		rc = destroy_gather_clones(ctx, d, alone ? d->target : root,
		    alone ? -1 : ZFS_RECURSE, e);
	free(root);
	return rc;
}

/* Mark what goes by name: target's tree, or the snapshot (-r: below too). */
static void
destroy_select(struct destroy *d)
{
	size_t	 i, dl = ds_fs_len(d->target);

	d->set = xcalloc(d->l.n, 1);
	for (i = 0; i < d->l.n; i++) {
		const char *n = d->l.v[i].name, *at = strchr(n, '@');

		if (d->snap == NULL)
			d->set[i] = ds_in_tree(n, d->target) ? 1 : 0;
		else if (strcmp(n, d->target) == 0)
			d->set[i] = 1;
		else if (d->r || d->R)
			d->set[i] = at != NULL && strcmp(at, d->snap) == 0 &&
			    strncmp(n, d->target, dl) == 0 && n[dl] == '/' ?
			    1 : 0;
	}
}

/*
 * Clones of what goes: with -R they go too (and theirs, to the end),
 * else they are named in d->deps.
 */
static void
destroy_clones(struct destroy *d)
{
	size_t	 i, k;
	int	 changed;

	do {
		changed = 0;
		for (i = 0; i < d->l.n; i++) {
			const char *o = d->l.v[i].val[ZP_ORIGIN];

			if (d->set[i] || o == NULL || !marked(&d->l, d->set, o))
				continue;
			if (!d->R) {
				name_some(&d->deps, d->l.v[i].name);
				continue;
			}
			for (k = 0; k < d->l.n; k++)
				if (!d->set[k] && ds_in_tree(d->l.v[k].name,
				    d->l.v[i].name)) {
					d->set[k] = 1;
					changed = 1;
				}
		}
	} while (changed);
}

/* It exists; children and snapshots only with -r; clones only with -R. */
static int
destroy_check(struct ctx *ctx, struct destroy *d, struct wserr *e)
{
	size_t	 i, nset = 0;

	for (i = 0; i < d->l.n && !(d->set[i] && strcmp(d->l.v[i].name,
	    d->target) == 0); i++)
		;
	if (i == d->l.n) {
		wserr_set(e, EX_NOINPUT, "%s: does not exist", d->target);
		return -1;
	}
	for (i = 0; i < d->l.n; i++)
		nset += d->set[i];
	if (d->snap == NULL && nset > 1 && !d->r && !d->R) {
		for (i = 0; i < d->l.n; i++)
			if (d->set[i] && strcmp(d->l.v[i].name, d->target) != 0)
				name_some(&d->deps, d->l.v[i].name);
		wserr_set(e, EX_NOPERM, "%s has children or snapshots: %s; "
		    "-r destroys them too", d->target, name_some_end(&d->deps));
		return -1;
	}
	destroy_clones(d);
	if (d->deps.n > 0) {
		wserr_set(e, EX_NOPERM, "%s has dependent clones: %s; promote "
		    "them first (warpstor promote CLONE) or use -R to destroy "
		    "them too", d->target, name_some_end(&d->deps));
		return -1;
	}
	return state_check_holds(ctx, &d->l, d->set, e);
}

/*
 * The one zfs destroy that takes all that goes: a progress line for it
 * when it takes many (its time goes on while zfs works).
 */
static int
destroy_final(struct txn *t, const struct destroy *d, const char *flags,
    struct wserr *e)
{
	struct progress	 p;
	size_t		 i, n = 0;
	int		 rc;

	for (i = 0; i < d->l.n; i++)
		n += d->set[i] ? 1 : 0;
	progress_start(&p, t->ctx->progress && n > 1 && !t->ctx->dry_run,
	    "destroy", "datasets and snapshots", n);
	t->ctx->shown = &p;
	rc = state_destroy(t, d->target, flags, 1, e);
	if (rc == 0)
		progress_add(&p, n);
	progress_end(&p);
	t->ctx->shown = NULL;
	return rc;
}

/*
 * Withdraw what goes from NFS, unmount it, destroy target (with -n:
 * plainly, all that goes).
 */
static int
destroy_run(struct ctx *ctx, struct destroy *d)
{
	struct nfs_export *exs = xcalloc(d->l.n, sizeof(*exs));
	char		**mps = xcalloc(d->l.n, sizeof(*mps));
	char		**mnt = xcalloc(d->l.n, sizeof(*mnt));
	char		 flags[8];
	struct txn	 t;
	struct wserr	 e;
	size_t		 i, nex = 0, nmnt = 0;
	int		 rc = 0;

	for (i = 0; i < d->l.n; i++) {
		if (!d->set[i])
			continue;
		state_warn_one(ctx, &d->l.v[i]);
		if (state_withdrawable(&d->l.v[i]))
			state_export(&d->l.v[i], NULL, &exs[nex++]);
		if (!state_mounted(&d->l.v[i]))
			continue;
		mnt[nmnt] = d->l.v[i].name;
		mps[nmnt++] = d->l.v[i].val[ZP_MOUNTPOINT];
	}
	txn_init(&t, ctx);
	(void)snprintf(flags, sizeof(flags), "%s%s%s%s", d->r || d->R ||
	    d->f ? "-" : "", d->r ? "r" : "", d->R ? "R" : "", d->f ? "f" : "");
	if (state_release_holds(&t, &d->l, d->set, &e) == -1 ||
	    state_take_down(&t, exs, nex, mnt, mps, nmnt, d->f, &e) == -1)
		rc = -1;
	else if (destroy_final(&t, d, flags, &e) == -1) {
		fs_note_holders(&e, mps, nmnt);
		rc = -1;
	}
	if (rc == -1)
		rc = cmd_rollback(&t, &e);
	else {
		struct json_object *o = json_object_new_object();
		struct json_object *gone = json_object_new_array();

		for (i = 0; i < d->l.n; i++)
			if (d->set[i]) {
				(void)txn_step(&t, "destroys %s",
				    d->l.v[i].name);
				json_object_array_add(gone,
				    json_object_new_string(d->l.v[i].name));
			}
		for (i = 0; i < nex; i++)
			(void)txn_step(&t, "withdraws the export of %s to %s",
			    exs[i].path, exs[i].clients);
		json_object_object_add(o, "destroyed", gone);
		rc = cmd_done(&t, d->target, o);
	}
	state_exports_free(exs, nex);
	free(mps);
	free(mnt);
	return rc;
}

/*
 * destroy [-r | -R] [-f] DATASET | SNAPSHOT
 * Withdraws the export of everything that will go (file, then exportfs
 * -u), unmounts it (deepest first), then destroys.  Refuses a volume's
 * root, a dataset with children or snapshots without -r, and anything
 * with dependent clones without -R (naming them).
 * Runs: zfs get -r of what goes (just the snapshot, for one without -r);
 * where snapshots go, zfs get -r of its pool's filesystems for their
 * clones (zfs_get_datasets: no snapshot visited; with -R, snapshots too:
 * the clones' go with them); ..., zfs destroy.
 */
int
cmd_destroy(struct ctx *ctx, int argc, char **argv)
{
	struct destroy	 d;
	struct wserr	 e;
	int		 rc;

	memset(&d, 0, sizeof(d));
	if ((rc = destroy_args(ctx, argc, argv, &d)) != CMD_GO_ON)
		return rc;
	if (destroy_gather(ctx, &d, &e) == -1)
		rc = cmd_fail(ctx, &e);
	else {
		destroy_select(&d);
		rc = destroy_check(ctx, &d, &e) == -1 ? cmd_fail(ctx, &e) :
		    destroy_run(ctx, &d);
	}
	free(d.set);
	buf_free(&d.deps.b);
	zfs_dslist_free(&d.l);
	return rc;
}
