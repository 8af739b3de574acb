/*
 * cmd_lifecycle.c: promote, rename, destroy.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "command.h"
#include "fsops.h"
#include "nfs.h"
#include "state.h"
#include "txn.h"
#include "validate.h"
#include "zfs.h"

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

	if ((rc = cmd_operands(ctx, argc, argv, 1, 1)) != CMD_GO_ON)
		return rc;
	name = argv[optind];
	if (valid_dataset(name, &e) == -1)
		return cmd_fail(ctx, &e);
	txn_init(&t, ctx);
	if (zfs_promote(&t, name, NULL, &e) == -1) {
		if (zfs_exists(ctx, name, &yes, &e) == 0 && !yes)
			wserr_set(&e, EX_NOINPUT, "%s: does not exist", name);
		return cmd_rollback(&t, &e);
	}
	txn_commit(&t);
	return 0;
}

static int
rename_snapshot(struct ctx *ctx, const char *from, const char *to)
{
	struct txn	 t;
	struct wserr	 e;
	int		 yes;

	if (valid_snapshot(to, &e) == -1)
		return cmd_fail(ctx, &e);
	if (strcspn(from, "@") != strcspn(to, "@") ||
	    strncmp(from, to, strcspn(from, "@")) != 0) {
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
	txn_commit(&t);
	return 0;
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
	struct zfs_dslist old, new;
	struct nfs_export *olds = NULL, *news = NULL;
	struct txn	 t;
	struct wserr	 e;
	const char	*from, *to;
	char		**mounted = NULL, **mps = NULL;
	size_t		 i, nex = 0, nnew = 0, nmnt = 0, len;
	int		 rc, yes;

	if ((rc = cmd_operands(ctx, argc, argv, 2, 2)) != CMD_GO_ON)
		return rc;
	from = argv[optind];
	to = argv[optind + 1];
	if (strchr(from, '@') != NULL) {
		if (valid_snapshot(from, &e) == -1)
			return cmd_fail(ctx, &e);
		return rename_snapshot(ctx, from, to);
	}
	if (valid_dataset(from, &e) == -1 || valid_dataset(to, &e) == -1)
		return cmd_fail(ctx, &e);
	if (strchr(from, '/') == NULL || strchr(to, '/') == NULL) {
		wserr_set(&e, EX_NOPERM, "refusing to rename a volume (a "
		    "pool's root)");
		return cmd_fail(ctx, &e);
	}
	if (state_in_tree(to, from)) {
		wserr_set(&e, EX_DATAERR, "%s is inside %s", to, from);
		return cmd_fail(ctx, &e);
	}
	if (zfs_get(ctx, STATE_PROPS, from, ZFS_RECURSE, &old, &e) == -1)
		return cmd_fail(ctx, &e);
	/* the target free, its parent there: before the first change */
	if (zfs_exists(ctx, to, &yes, &e) == -1 || target_taken(ctx, to, yes,
	    &e)) {
		zfs_dslist_free(&old);
		return cmd_fail(ctx, &e);
	}
	state_warn_invalid(ctx, &old);
	len = strlen(from);
	olds = xcalloc(old.n, sizeof(*olds));
	news = xcalloc(old.n, sizeof(*news));
	mounted = xcalloc(old.n, sizeof(*mounted));
	mps = xcalloc(old.n, sizeof(*mps));
	for (i = 0; i < old.n; i++) {
		struct zfs_ds *d = &old.v[i];

		if (strcmp(d->val[ZP_TYPE] ? d->val[ZP_TYPE] : "",
		    "filesystem") != 0 || !state_mounted(d))
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
		/* Where they are now, and the same export there. */
		if (zfs_get(ctx, ZPM(ZP_MOUNTPOINT) | ZPM(ZP_MOUNTED), to,
		    ZFS_RECURSE, &new, &e) == -1)
			goto fail;
		for (i = 0; i < old.n; i++) {
			struct zfs_ds *d = &old.v[i];
			char	*n;
			size_t	 k;

			if (!state_exported(d) || !state_mounted(d))
				continue;
			n = xasprintf("%s%s", to, d->name + len);
			for (k = 0; k < new.n; k++)
				if (strcmp(new.v[k].name, n) == 0)
					break;
			free(n);
			if (k == new.n || !state_mounted(&new.v[k])) {
				wserr_set(&e, EX_UNAVAILABLE, "%s%s is not "
				    "mounted after the rename", to,
				    d->name + len);
				zfs_dslist_free(&new);
				goto fail;
			}
			state_export(d, new.v[k].val[ZP_MOUNTPOINT],
			    &news[nnew++]);
		}
		zfs_dslist_free(&new);
		/*
		 * Then a flush: the server's cache still maps each fsid to
		 * the old path, and NFS clients' handles carry the fsid.
		 */
		if (nfs_publish(&t, news, nnew, &e) == -1 ||
		    nfs_flush(&t, &e) == -1)
			goto fail;
	} else if (nex > 0) {
		(void)txn_step(&t, "export %zu dataset%s at %s's new "
		    "mountpoints, same fsid, clients and options", nex,
		    nex == 1 ? "" : "s", to);
	}
	if (txn_check(&t, &e) == -1)
		goto fail;
	txn_commit(&t);
	rc = 0;
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

/* Names for a message: the first ten, comma-separated, then a count. */
#define NAME_SOME	10

struct some {
	struct buf	 b;
	size_t		 n;
};

static void
name_some(struct some *s, const char *name)
{
	if (s->n++ >= NAME_SOME)
		return;
	if (s->b.len > 0)
		buf_append(&s->b, ", ", 2);
	buf_append(&s->b, name, strlen(name));
}

/* The list as it goes into the message: "a, b, ... and 3 more". */
static const char *
name_some_end(struct some *s)
{
	char	*more;

	if (s->n > NAME_SOME) {
		more = xasprintf(" and %zu more", s->n - NAME_SOME);
		buf_append(&s->b, more, strlen(more));
		free(more);
	}
	return s->b.data;
}

/*
 * Does the snapshot name go with set?  It does when it is in set, or its
 * filesystem is: a filesystem in set goes whole, snapshots and all (those
 * of clones that -R takes are not in l: it never asks for them).
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

/*
 * destroy [-r | -R] [-f] DATASET | SNAPSHOT
 * Withdraws the export of everything that will go (file, then exportfs
 * -u), unmounts it (deepest first), then destroys.  Refuses a volume's
 * root, a dataset with children or snapshots without -r, and anything
 * with dependent clones without -R (naming them).
 * Runs: zfs get -r of what goes (just the snapshot, for one without -r);
 * where snapshots go, zfs get of every filesystem for their clones
 * (zfs_get_datasets: no snapshot visited); ..., zfs destroy.
 */
int
cmd_destroy(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct zfs_dslist l;
	struct nfs_export *exs = NULL;
	struct txn	 t;
	struct wserr	 e;
	struct some	 deps;
	const char	*target, *snap;
	char		*set = NULL, **mps = NULL, **mnt = NULL, flags[8], *root;
	size_t		 i, k, nex = 0, nmnt = 0, nset = 0;
	int		 ch, r = 0, R = 0, f = 0, rc, changed;

	memset(&deps, 0, sizeof(deps));
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "fhrR", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			f = 1;
			break;
		case 'h':
			return cmd_help(ctx);
		case 'r':
			r = 1;
			break;
		case 'R':
			R = 1;
			break;
		default:
			return cmd_badopt(ctx, argv, ch);
		}
	}
	if (r && R)
		return cmd_usage(ctx, "-r and -R go alone");
	if (argc - optind != 1)
		return cmd_usage(ctx, argc - optind < 1 ? "missing operand" :
		    "too many operands");
	target = argv[optind];
	if (valid_dataset_or_snapshot(target, &e) == -1)
		return cmd_fail(ctx, &e);
	snap = strchr(target, '@');
	if (snap == NULL && strchr(target, '/') == NULL) {
		wserr_set(&e, EX_NOPERM, "refusing to destroy %s: it is a "
		    "volume (a pool's root); rebuild-vol empties one", target);
		return cmd_fail(ctx, &e);
	}
	/* What goes, then (where snapshots go) every filesystem: clones. */
	root = xstrndup(target, strcspn(target, "@"));
	rc = zfs_get(ctx, STATE_PROPS, snap != NULL && !r ? target : root,
	    snap != NULL && !r ? -1 : ZFS_RECURSE, &l, &e);
	free(root);
	if (rc == -1)
		return cmd_fail(ctx, &e);
	for (i = 0; i < l.n && strchr(l.v[i].name, '@') == NULL; i++)
		;
	if (i < l.n) {
		struct zfs_dslist all;

		if (zfs_get_datasets(ctx, STATE_PROPS, NULL, -1, &all,
		    &e) == -1) {
			zfs_dslist_free(&l);
			return cmd_fail(ctx, &e);
		}
		zfs_dslist_merge(&l, &all);
	}
	set = xcalloc(l.n, 1);
	for (i = 0; i < l.n; i++) {
		const char *n = l.v[i].name;

		if (snap == NULL)
			set[i] = state_in_tree(n, target) ? 1 : 0;
		else if (strcmp(n, target) == 0)
			set[i] = 1;
		else if (r || R) {
			/* -r on a snapshot: the same snapshot below */
			size_t	 dl = (size_t)(snap - target);
			const char *at = strchr(n, '@');

			set[i] = at != NULL && strcmp(at, snap) == 0 &&
			    strncmp(n, target, dl) == 0 && n[dl] == '/' ? 1 : 0;
		}
	}
	for (i = 0; i < l.n && !(set[i] && strcmp(l.v[i].name, target) == 0);
	    i++)
		;
	if (i == l.n) {
		wserr_set(&e, EX_NOINPUT, "%s: does not exist", target);
		rc = cmd_fail(ctx, &e);
		goto out;
	}
	for (i = 0; i < l.n; i++)
		nset += set[i];
	if (snap == NULL && nset > 1 && !r && !R) {
		for (i = 0; i < l.n; i++)
			if (set[i] && strcmp(l.v[i].name, target) != 0)
				name_some(&deps, l.v[i].name);
		wserr_set(&e, EX_NOPERM, "%s has children or snapshots: %s; "
		    "-r destroys them too", target, name_some_end(&deps));
		rc = cmd_fail(ctx, &e);
		goto out;
	}
	/* Clones of what goes: with -R they go too (and theirs), else refuse. */
	do {
		changed = 0;
		for (i = 0; i < l.n; i++) {
			const char *o = l.v[i].val[ZP_ORIGIN];

			if (set[i] || o == NULL || !marked(&l, set, o))
				continue;
			if (!R) {
				name_some(&deps, l.v[i].name);
				continue;
			}
			for (k = 0; k < l.n; k++)
				if (!set[k] && state_in_tree(l.v[k].name,
				    l.v[i].name)) {
					set[k] = 1;
					changed = 1;
				}
		}
	} while (changed);
	if (deps.n > 0) {
		wserr_set(&e, EX_NOPERM, "%s has dependent clones: %s; promote "
		    "them first (warpstor promote CLONE) or use -R to destroy "
		    "them too", target, name_some_end(&deps));
		rc = cmd_fail(ctx, &e);
		goto out;
	}

	exs = xcalloc(l.n, sizeof(*exs));
	mps = xcalloc(l.n, sizeof(*mps));
	mnt = xcalloc(l.n, sizeof(*mnt));
	for (i = 0; i < l.n; i++) {
		if (!set[i])
			continue;
		state_warn_one(ctx, &l.v[i]);
		if (state_withdrawable(&l.v[i]))
			state_export(&l.v[i], NULL, &exs[nex++]);
		if (!state_mounted(&l.v[i]))
			continue;
		mnt[nmnt] = l.v[i].name;
		mps[nmnt++] = l.v[i].val[ZP_MOUNTPOINT];
	}
	txn_init(&t, ctx);
	if (state_take_down(&t, exs, nex, mnt, mps, nmnt, f, &e) == -1)
		goto fail;
	(void)snprintf(flags, sizeof(flags), "%s%s%s%s", r || R || f ? "-" :
	    "", r ? "r" : "", R ? "R" : "", f ? "f" : "");
	if (state_destroy(&t, target, flags, 1, &e) == -1) {
		fs_note_holders(&e, mps, nmnt);
		goto fail;
	}
	/* -n: plainly, all that goes */
	for (i = 0; i < l.n; i++)
		if (set[i])
			(void)txn_step(&t, "destroys %s", l.v[i].name);
	for (i = 0; i < nex; i++)
		(void)txn_step(&t, "withdraws the export of %s to %s",
		    exs[i].path, exs[i].clients);
	txn_commit(&t);
	rc = 0;
	goto out;
fail:
	rc = cmd_rollback(&t, &e);
out:
	state_exports_free(exs, nex);
	free(mps);
	free(mnt);
	free(set);
	buf_free(&deps.b);
	zfs_dslist_free(&l);
	return rc;
}
