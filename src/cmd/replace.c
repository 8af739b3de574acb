/*
 * replace.c: replace and rebuild-vol, the commands that change what
 * is behind an export while the export itself stays.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "model/dsname.h"
#include "fs/filter.h"
#include "fs/fsops.h"
#include "nfs/nfs.h"
#include "lib/progress.h"
#include "model/state.h"
#include "txn/txn.h"
#include "lib/validate.h"
#include "zfs/zfs.h"

static const struct zfs_ds *
find(const struct zfs_dslist *l, const char *name)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

static long long
txg(const struct zfs_ds *d)
{
	const char *errstr;
	long long n;

	if (d == NULL || d->val[ZP_CREATETXG] == NULL)
		return 0;
	n = strtonum(d->val[ZP_CREATETXG], 0, LLONG_MAX, &errstr);
	return errstr != NULL ? 0 : n;
}

/* What replace was asked, and what its checks found. */
struct repl {
	const char	*name, *source, *keep, *user, *group;
	struct strvec	 opts;		/* -o PROP=VAL */
	struct filter	 filter;	/* warpstor:filter, then extra's */
	struct filter	 extra;		/* -x, -X */
	int		 force;
	int		 keep_exists;	/* --keep NAME is taken */
	uid_t		 uid;
	gid_t		 gid;
	struct zfs_dslist l;
	const struct zfs_ds *old, *src;
	char		*srcds;		/* SOURCE's dataset (a snapshot) */
	int		 self;		/* SOURCE is a snapshot of NAME */
	struct strvec	 newer;		/* then NAME's snapshots after it */
	char		*go;		/* go[i]: r->l.v[i] goes with the old */
	int		 exported;
	struct nfs_export ex;
	struct strvec	 props;		/* what the new content gets */
	const char	*path;		/* NAME's mountpoint, the same after */
	char		*newtmp;	/* the new content until the switch */
	char		*newmp;		/* and where it is mounted */
	char		*oldtmp;	/* the old content after the switch */
	long long	 switched_ms;	/* how long the switch took */
};

/*
 * What replace looks at: NAME with its snapshots and children, SOURCE
 * (a filesystem: with its snapshots and children; a snapshot of another
 * dataset: alone), and the clones of those snapshots, which zfs's clones
 * property names (OpenZFS).  Where zfs has no such property (zfs-fuse),
 * every filesystem of the pool is read for its origin instead.  No
 * other pool is read.
 */
static int
replace_query(struct ctx *ctx, struct repl *r, struct wserr *e)
{
	const unsigned	 mask = STATE_PROPS | ZPM(ZP_CREATETXG) |
	    ZPM(ZP_USERREFS) | ZPM(ZP_HOLDS);
	struct zfs_dslist m;
	const char	*of[2];
	char		*pool;
	size_t		 n = 0;
	int		 rc, fs = !ds_is_snapshot(r->source);

	if (zfs_get(ctx, mask, r->name, 1, &r->l, e) == -1)
		return -1;
	of[n++] = r->name;
	if (fs || !ds_snapshot_of(r->source, r->name)) {
		if (zfs_get(ctx, mask, r->source, fs ? 1 : -1, &m, e) == -1)
			return -1;
		zfs_dslist_merge(&r->l, &m);
		if (fs)
			of[n++] = r->source;
	}
	if ((rc = zfs_get_clones(ctx, mask, of, n, 1, &m, e)) == 1) {
		pool = ds_pool(r->name);
		rc = zfs_get_datasets(ctx, mask, pool, ZFS_RECURSE, &m, e);
		free(pool);
		if (rc == 0)
			rc = 1;		/* the pool is read: --keep is in it */
	}
	if (rc == -1)
		return -1;
	zfs_dslist_merge(&r->l, &m);
	if (r->keep == NULL)
		return 0;
	if (rc == 1) {
		r->keep_exists = find(&r->l, r->keep) != NULL;
		return 0;
	}
	return zfs_exists(ctx, r->keep, &r->keep_exists, e);
}

static int
repl_option(struct ctx *ctx, int ch, const char *val, void *arg)
{
	struct repl	*r = arg;
	struct wserr	 e;

	switch (ch) {
	case 'F':
		r->force = 1;
		break;
	case 'g':
		r->group = val;
		break;
	case 'k':
		r->keep = val;
		break;
	case 'o':
		if (valid_propassign(val, &e) == -1)
			return cmd_fail(ctx, &e);
		strvec_push(&r->opts, val);
		break;
	case 'u':
		r->user = val;
		break;
	default:
		if ((ch == 'x' ? filter_add(&r->extra, val, &e) :
		    filter_add_file(&r->extra, val, 0, &e)) == -1)
			return cmd_fail(ctx, &e);
	}
	return CMD_GO_ON;
}

static int
repl_args(struct ctx *ctx, int argc, char **argv, struct repl *r,
    struct wserr *e)
{
	int	 rc;

	if ((rc = cmd_parse(ctx, argc, argv, repl_option, r, 2, 2)) !=
	    CMD_GO_ON)
		return rc;
	r->name = argv[optind];
	r->source = argv[optind + 1];
	if (valid_dataset(r->name, e) == -1 ||
	    valid_dataset_or_snapshot(r->source, e) == -1 ||
	    (r->keep != NULL && valid_dataset(r->keep, e) == -1) ||
	    (r->user != NULL && parse_uid(r->user, &r->uid, e) == -1) ||
	    (r->group != NULL && parse_gid(r->group, &r->gid, e) == -1))
		return cmd_fail(ctx, e);
	return CMD_GO_ON;
}

/* Names of l's datasets that are children of ds, comma-separated. */
static int
children(const struct zfs_dslist *l, const char *ds)
{
	size_t	 i, len = strlen(ds);

	for (i = 0; i < l->n; i++)
		if (strncmp(l->v[i].name, ds, len) == 0 &&
		    l->v[i].name[len] == '/')
			return 1;
	return 0;
}

/*
 * A dataset SOURCE is someone's content: refused (77, saying which)
 * when it is exported, has clones, or is mounted with something in use,
 * unless --force.
 */
static int
source_in_use(const struct repl *r, struct wserr *e)
{
	const char	*mp = r->src->val[ZP_MOUNTPOINT];
	char		*held;
	size_t		 i;

	if (r->force)
		return 0;
	if (state_exported(r->src)) {
		wserr_set(e, EX_NOPERM, "%s is exported (to %s): it is in use; "
		    "--force takes it over all the same", r->source,
		    r->src->val[ZP_CLIENTS]);
		return -1;
	}
	for (i = 0; i < r->l.n; i++) {
		const char *o = r->l.v[i].val[ZP_ORIGIN];

		if (ds_snapshot_of(o, r->source)) {
			wserr_set(e, EX_NOPERM, "%s has clones (%s): it is in "
			    "use; --force takes it over all the same",
			    r->source, r->l.v[i].name);
			return -1;
		}
	}
	if ((held = fs_holders(mp)) != NULL) {
		wserr_set(e, EX_NOPERM, "%s is in use (%s is held by: %s); "
		    "--force takes it over all the same", r->source, mp, held);
		free(held);
		return -1;
	}
	return 0;
}

/* NAME and SOURCE are there and are what replace takes. */
static int
repl_check_kinds(const struct repl *r, struct wserr *e)
{
	const char	*name = r->name, *source = r->source;

	if (r->old == NULL || !state_is_type(r->old, "filesystem"))
		wserr_set(e, EX_NOINPUT, "%s: %s", name, r->old == NULL ?
		    "does not exist" : "not a filesystem");
	else if (r->src == NULL)
		wserr_set(e, EX_NOINPUT, "%s: does not exist", source);
	else if (!state_mounted(r->old))
		wserr_set(e, EX_UNAVAILABLE, "%s is not mounted", name);
	else if (r->old->local & ZPM(ZP_MOUNTPOINT))
		wserr_set(e, EX_NOPERM, "%s has a mountpoint property of its "
		    "own; replace works on inherited mountpoints", name);
	else if (r->keep_exists)
		wserr_set(e, EX_CANTCREAT, "%s already exists", r->keep);
	else if (children(&r->l, name))
		wserr_set(e, EX_NOPERM, "%s has child datasets; replace works "
		    "on a dataset without children", name);
	else if (ds_is_snapshot(source))
		return 0;
	else if (!state_is_type(r->src, "filesystem") || strcmp(source,
	    name) == 0 || ds_in_tree(source, name) || ds_in_tree(name, source))
		wserr_set(e, EX_DATAERR, "%s cannot replace %s: a source "
		    "dataset is another filesystem, outside it", source, name);
	else if (!state_mounted(r->src))
		wserr_set(e, EX_UNAVAILABLE, "%s is not mounted", source);
	else if (children(&r->l, source))
		wserr_set(e, EX_NOPERM, "%s has child datasets", source);
	else
		return source_in_use(r, e);
	return -1;
}

/*
 * The old one goes unless kept: clones of its snapshots would stop that,
 * except those that a promote hands to the new one (the snapshots up to
 * SOURCE, when SOURCE is one of DATASET's).
 */
static int
repl_check_clones(const struct repl *r, struct wserr *e)
{
	struct some	 deps = { { NULL, 0, 0 }, 0 };
	size_t		 i;

	for (i = 0; r->keep == NULL && i < r->l.n; i++) {
		const char *o = r->l.v[i].val[ZP_ORIGIN];

		if (!ds_snapshot_of(o, r->name))
			continue;
		if (r->self && txg(find(&r->l, o)) <= txg(r->src))
			continue;
		name_some(&deps, r->l.v[i].name);
	}
	if (deps.n == 0)
		return 0;
	wserr_set(e, EX_NOPERM, "%s has dependent clones: %s; promote them "
	    "first, or use --keep", r->name, name_some_end(&deps));
	buf_free(&deps.b);
	return -1;
}

/*
 * SOURCE a snapshot of NAME itself: NAME's snapshots newer than it stay
 * with the old content, and go with it (as zfs rollback without -r would
 * refuse).  Refused (77, naming each) unless --force; -n names them
 * either way.
 */
static int
repl_check_newer(struct repl *r, struct wserr *e)
{
	struct some	 b = { { NULL, 0, 0 }, 0 };
	long long	 at = txg(r->src);
	size_t		 i;

	for (i = 0; i < r->l.n; i++)
		if (ds_snapshot_of(r->l.v[i].name, r->name) &&
		    txg(&r->l.v[i]) > at)
			strvec_push(&r->newer, r->l.v[i].name);
	if (r->newer.n == 0 || r->force || r->keep != NULL)
		return 0;
	for (i = 0; i < r->newer.n; i++)
		name_some(&b, r->newer.v[i]);
	wserr_set(e, EX_NOPERM, "%s has snapshots newer than %s, which would "
	    "be lost: %s; --force destroys them, --keep NAME keeps them",
	    r->name, r->source, name_some_end(&b));
	buf_free(&b.b);
	return -1;
}

/*
 * The old content's snapshots go with it (unless kept; in the self case
 * those up to SOURCE move to the new content): none may be held.
 */
static int
repl_check_held(struct ctx *ctx, struct repl *r, struct wserr *e)
{
	size_t	 i;

	if (r->keep != NULL)
		return 0;
	r->go = xcalloc(r->l.n ? r->l.n : 1, 1);
	for (i = 0; i < r->l.n; i++)
		r->go[i] = (char)(ds_snapshot_of(r->l.v[i].name, r->name) &&
		    (!r->self || txg(&r->l.v[i]) > txg(r->src)));
	return state_check_holds(ctx, &r->l, r->go, e);
}

/*
 * Everything that can be checked before the first change: both exist and
 * are what replace takes, no children, no dependent clones that would
 * stop the old content from going, the source free, and the owner (-u
 * and -g default to the owner of NAME's root).
 */
static int
repl_check(struct ctx *ctx, struct repl *r, struct wserr *e)
{
	struct stat	 sb;
	size_t		 plen = strcspn(r->name, "/");

	if (ds_is_volume(r->name)) {
		wserr_set(e, EX_NOPERM, "refusing to replace %s: it is a "
		    "volume (a pool's root)", r->name);
		return -1;
	}
	if (!ds_same_pool(r->name, r->source)) {
		wserr_set(e, EX_DATAERR, "%s cannot replace %s: they are in "
		    "different pools (replicate copies across)", r->source,
		    r->name);
		return -1;
	}
	if (r->keep != NULL && (strncmp(r->keep, r->name, plen) != 0 ||
	    r->keep[plen] != '/')) {
		wserr_set(e, EX_DATAERR, "--keep %s: must be in %.*s, the "
		    "volume of %s", r->keep, (int)plen, r->name, r->name);
		return -1;
	}
	if (replace_query(ctx, r, e) == -1)
		return -1;
	r->old = find(&r->l, r->name);
	r->src = find(&r->l, r->source);
	if (repl_check_kinds(r, e) == -1)
		return -1;
	if (ds_is_snapshot(r->source)) {
		r->srcds = ds_fs(r->source);
		r->self = strcmp(r->srcds, r->name) == 0;
	}
	if (r->self && repl_check_newer(r, e) == -1)
		return -1;
	if (repl_check_clones(r, e) == -1 || repl_check_held(ctx, r, e) == -1)
		return -1;
	if ((r->user == NULL || r->group == NULL) &&
	    lstat(r->old->val[ZP_MOUNTPOINT], &sb) == -1) {
		wserr_set(e, EX_UNAVAILABLE, "%s: %s", r->old->val[ZP_MOUNTPOINT],
		    strerror(errno));
		return -1;
	}
	if (r->user == NULL)
		r->uid = sb.st_uid;
	if (r->group == NULL)
		r->gid = sb.st_gid;
	return 0;
}

/*
 * What the new content gets: every property set locally on NAME (its
 * policy: quota, reservation, compression, ...), then -o, then the
 * export's, then the filter's record.  The filter is NAME's
 * (warpstor:filter, as filtered-clone recorded it) and -x/-X.
 */
static int
repl_policy(struct ctx *ctx, struct repl *r, struct wserr *e)
{
	struct strvec	 local = STRVEC_INIT;
	const char	*fv;
	char		*enc;
	size_t		 i;
	int		 rc = -1;

	if (zfs_local_props(ctx, r->name, &local, e) == -1)
		goto out;
	for (i = 0; i < local.n; i++) {
		const char *kv = local.v[i];

		if (zfs_kv_is(kv, ZP_FILTER, &fv)) {
			if (filter_add_record(&r->filter, fv, e) == -1) {
				char	 msg[sizeof(e->msg)];

				(void)strlcpy(msg, e->msg, sizeof(msg));
				wserr_set(e, EX_DATAERR, "%s: %s: %s", r->name,
				    zfs_prop_name(ZP_FILTER), msg);
				goto out;
			}
			continue;
		}
		/* the export's are carried below, where they are valid */
		if (prop_is_ours(kv))
			continue;
		strvec_push(&r->props, kv);
	}
	for (i = 0; i < r->extra.n; i++)
		if (!filter_has(&r->filter, r->extra.globs[i]) &&
		    filter_add(&r->filter, r->extra.globs[i], e) == -1)
			goto out;
	for (i = 0; i < r->opts.n; i++)
		strvec_push(&r->props, r->opts.v[i]);
	if (r->exported) {
		strvec_pushf(&r->props, "%s=%s", zfs_prop_name(ZP_FSID),
		    r->ex.fsid);
		strvec_pushf(&r->props, "%s=%s", zfs_prop_name(ZP_CLIENTS),
		    r->ex.clients);
		strvec_pushf(&r->props, "%s=%s", zfs_prop_name(ZP_OPTIONS),
		    r->ex.options);
	}
	if (r->filter.n > 0) {
		enc = filter_record(&r->filter);
		strvec_pushf(&r->props, "%s=%s", zfs_prop_name(ZP_FILTER), enc);
		free(enc);
	}
	rc = 0;
out:
	strvec_clear(&local);
	return rc;
}

/*
 * A dataset SOURCE taken over: its own export goes first; then it gets
 * NAME's policy with zfs set (each undone by setting it back).
 */
static int
take_over(struct txn *t, struct repl *r, struct wserr *e)
{
	struct strvec	 had = STRVEC_INIT;
	const char	*v;
	size_t		 i, k, n;
	int		 rc = -1;

	if (state_exported(r->src)) {
		struct nfs_export sx;

		memset(&sx, 0, sizeof(sx));
		state_export(r->src, NULL, &sx);
		rc = nfs_withdraw(t, &sx, 1, e);
		nfs_export_free(&sx);
		if (rc == -1)
			return -1;
	}
	if (zfs_local_props(t->ctx, r->source, &had, e) == -1)
		return -1;
	for (i = 0; i < r->props.n; i++) {
		const char *kv = r->props.v[i], *eq = strchr(kv, '=');
		char	*prop = xstrndup(kv, (size_t)(eq - kv));
		const char *old = NULL;

		n = strlen(prop);
		for (k = 0; k < had.n; k++)
			if (strncmp(had.v[k], prop, n) == 0 &&
			    had.v[k][n] == '=')
				old = had.v[k] + n + 1;
		rc = zfs_set(t, r->source, prop, eq + 1, old, e);
		free(prop);
		if (rc == -1)
			goto out;
	}
	/* SOURCE's own export properties that NAME's do not replace */
	if (!r->exported) {
		for (k = 0; k < had.n; k++) {
			if (zfs_kv_is(had.v[k], ZP_CLIENTS, &v) &&
			    zfs_inherit(t, r->source, zfs_prop_name(ZP_CLIENTS),
			    v, e) == -1)
				goto out;
			if (zfs_kv_is(had.v[k], ZP_FSID, &v) &&
			    zfs_inherit(t, r->source, zfs_prop_name(ZP_FSID),
			    v, e) == -1)
				goto out;
		}
	}
	rc = 0;
out:
	strvec_clear(&had);
	return rc;
}

/* Remove what the filter matches from the new content at mp. */
static int
repl_filter(struct txn *t, struct repl *r, const char *ds, const char *mp,
    struct wserr *e)
{
	if (r->filter.n == 0 || txn_step(t, "filter %s (%zu glob%s)", mp,
	    r->filter.n, r->filter.n == 1 ? "" : "s") == 1)
		return 0;
	if (txn_check(t, e) == -1)
		return -1;
	return filter_apply_mount(&r->filter, ds, mp, t->ctx->verbose,
	    t->ctx->progress, e);
}

static void
repl_free(struct repl *r)
{
	free(r->newtmp);
	free(r->newmp);
	free(r->oldtmp);
	strvec_clear(&r->opts);
	strvec_clear(&r->newer);
	free(r->go);
	strvec_clear(&r->props);
	filter_free(&r->filter);
	filter_free(&r->extra);
	free(r->srcds);
	nfs_export_free(&r->ex);
	zfs_dslist_free(&r->l);
}

/* The new content's mountpoint under -n: beside NAME's. */
static char *
dry_mountpoint(const char *path, const char *tmp)
{
	char	*dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	char	*mp = xasprintf("%s/%s", dir, strrchr(tmp, '/') + 1);

	free(dir);
	return mp;
}

/*
 * 1. The new content, ready beside the old: SOURCE cloned (a snapshot)
 * or taken over (a dataset), filtered, and chowned.
 */
static int
repl_prepare(struct txn *t, struct repl *r, struct wserr *e)
{
	struct ctx	*ctx = t->ctx;

	/* replicate's holds on what goes with the old content, by name */
	if (r->go != NULL && state_release_holds(t, &r->l, r->go, e) == -1)
		return -1;

	if (r->srcds != NULL) {
		r->newtmp = state_temp_name(r->name, "wsnew");
		if (zfs_clone(t, r->source, r->newtmp, &r->props, e) == -1)
			return -1;
		if (ctx->dry_run)
			r->newmp = dry_mountpoint(r->path, r->newtmp);
		else if ((r->newmp = fs_mount_of(r->newtmp)) == NULL) {
			wserr_set(e, EX_UNAVAILABLE, "%s is not mounted",
			    r->newtmp);
			return -1;
		}
	} else {
		r->newtmp = xstrdup(r->source);
		r->newmp = xstrdup(r->src->val[ZP_MOUNTPOINT]);
		if (take_over(t, r, e) == -1)
			return -1;
	}
	if (repl_filter(t, r, r->newtmp, r->newmp, e) == -1)
		return -1;
	return state_chown_tree(t, r->newtmp, r->newmp, r->uid, r->gid, e);
}

/*
 * 2. The switch, as short as it can be: withdraw, unmount both, the old
 * aside and the new to NAME, mount, export the same again.
 */
static int
repl_switch(struct txn *t, struct repl *r, struct wserr *e)
{
	struct ctx	*ctx = t->ctx;
	char		*mps[2] = { (char *)r->path, r->newmp };
	long long	 t0;
	int		 fd;

	state_release(ctx, r->name, r->path);
	t0 = now_ms();
	if (r->exported && nfs_withdraw(t, &r->ex, 1, e) == -1)
		return -1;
	if (state_umount(t, r->name, 0, e) == -1 ||
	    state_umount(t, r->newtmp, 0, e) == -1 ||
	    zfs_rename(t, r->name, r->oldtmp, e) == -1 ||
	    zfs_rename(t, r->newtmp, r->name, e) == -1) {
		fs_note_holders(e, mps, 2);
		return -1;
	}
	if (zfs_mount(t, r->name, e) == -1)
		return -1;
	if (!ctx->dry_run) {
		/* the same path, now the new filesystem */
		if ((fd = fs_open_mount(r->path, r->name, e)) == -1)
			return -1;
		(void)close(fd);
	}
	if (r->exported && (nfs_publish(t, &r->ex, 1, e) == -1 ||
	    nfs_flush(t, e) == -1))
		return -1;
	r->switched_ms = now_ms() - t0;
	if (ctx->verbose && !ctx->dry_run)
		(void)fprintf(stderr, "replace: %s was switched in %lld ms\n",
		    r->name, r->switched_ms);
	return 0;
}

/*
 * 3. The old content: kept under --keep's name (without the export,
 * which is NAME's), or destroyed (after a promote, in the self case).
 */
static int
repl_old(struct txn *t, struct repl *r, struct wserr *e)
{
	static const enum zprop export_props[] = {
		ZP_CLIENTS, ZP_OPTIONS, ZP_FSID
	};
	const char	*was[3] = { r->ex.clients, r->ex.options, r->ex.fsid };
	size_t		 i;

	if (r->keep == NULL) {
		if (r->self && zfs_promote(t, r->name, r->oldtmp, e) == -1)
			return -1;
		for (i = 0; i < r->newer.n; i++)
			(void)txn_step(t, "destroys %s, newer than %s",
			    r->newer.v[i], r->source);
		return state_destroy(t, r->oldtmp, "-r", 0, e);
	}
	for (i = 0; r->exported && i < 3; i++)
		if (zfs_inherit(t, r->oldtmp, zfs_prop_name(export_props[i]),
		    was[i], e) == -1)
			return -1;
	return zfs_mount(t, r->keep, e);
}

/* -j: the export it kept, the owner, how long the switch took. */
static struct json_object *
repl_json(const struct repl *r)
{
	struct json_object *o = json_object_new_object();

	if (r->exported)
		cmd_json_export(o, &r->ex);
	cmd_json_owner(o, r->uid, r->gid);
	json_object_object_add(o, "switched_ms",
	    json_object_new_int64(r->switched_ms));
	return o;
}

/*
 * replace DATASET SOURCE [-u UID] [-g GID] [-o PROP=VAL]... [-x GLOB]...
 *     [-X FILE]... [--keep NAME] [--force]
 * DATASET's content becomes SOURCE (a snapshot, cloned under a temporary
 * name next to DATASET; or a dataset, taken over), owned by UID:GID (by
 * default DATASET's root's owner) and exported at the same path with the
 * same fsid, clients and options.  It keeps DATASET's policy: every
 * property set locally on it goes onto the new content in the same zfs
 * clone (zfs set for a dataset SOURCE), and its filter (warpstor:filter)
 * is applied again.  The new content is made ready first; then the
 * switch: withdraw, unmount, rename the old away, rename the new into
 * place, mount, export, exportfs -f.  Then the old is destroyed (after
 * promoting the new when SOURCE is a snapshot of DATASET itself), or
 * kept as NAME.
 * Runs: zfs get of every filesystem of NAME's pool, zfs get -d 1 NAME
 * [zfs get SOURCE], zfs get -s local (names, then values), zfs clone,
 * zfs get, chown, exportfs -u, zfs umount x2, zfs rename x2, zfs mount,
 * the exports file, exportfs -o, exportfs -f, [zfs promote],
 * zfs destroy -r | zfs rename, zfs mount.
 */
int
cmd_replace(struct ctx *ctx, int argc, char **argv)
{
	struct repl	 r;
	struct txn	 t;
	struct wserr	 e;
	int		 rc;

	memset(&r, 0, sizeof(r));
	if ((rc = repl_args(ctx, argc, argv, &r, &e)) != CMD_GO_ON)
		goto out;
	if (r.name == NULL || r.source == NULL) {
		rc = EX_SOFTWARE;	/* repl_args sets both to go on */
		goto out;
	}
	if (repl_check(ctx, &r, &e) == -1) {
		rc = cmd_fail(ctx, &e);
		goto out;
	}
	state_warn_one(ctx, r.old);
	state_warn_one(ctx, r.src);
	r.exported = state_exported(r.old);
	r.path = r.old->val[ZP_MOUNTPOINT];
	if (r.exported)
		state_export(r.old, NULL, &r.ex);
	if (repl_policy(ctx, &r, &e) == -1) {
		rc = cmd_fail(ctx, &e);
		goto out;
	}
	txn_init(&t, ctx);
	/*
	 * With --keep the old content goes straight to NAME in the switch: a
	 * second rename later would make zfs remount the new dataset (a
	 * dependent clone of the old one's snapshot, in the self case).
	 */
	r.oldtmp = r.keep != NULL ? xstrdup(r.keep) :
	    state_temp_name(r.name, "wsold");
	if (repl_prepare(&t, &r, &e) == -1 || repl_switch(&t, &r, &e) == -1 ||
	    repl_old(&t, &r, &e) == -1 || txn_check(&t, &e) == -1) {
		rc = cmd_rollback(&t, &e);
		goto out;
	}
	rc = cmd_done(&t, r.name, repl_json(&r));
out:
	repl_free(&r);
	return rc;
}

/* At a terminal: the user types VOL's name to go on. */
static int
confirmed(const char *vol, size_t ndatasets, size_t nsnaps)
{
	char	 line[512];

	(void)fprintf(stderr, "This destroys %zu dataset%s and %zu snapshot%s "
	    "in %s, and their exports.\nType the volume's name to go on: ",
	    ndatasets, ndatasets == 1 ? "" : "s", nsnaps, nsnaps == 1 ? "" :
	    "s", vol);
	(void)fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	line[strcspn(line, "\n")] = '\0';
	return strcmp(line, vol) == 0;
}

/* What rebuild-vol takes down and destroys in VOL. */
struct rebuild {
	const char	*vol;
	struct zfs_dslist l;
	struct nfs_export *exs;
	char		**mnt, **mps, **gone;
	size_t		 nex, nmnt, ngone, nds, nsnap;
};

/* Sort l into what to withdraw, unmount, destroy (and count for asking). */
static void
rebuild_plan(struct rebuild *b)
{
	size_t	 i, vlen = strlen(b->vol);

	b->exs = xcalloc(b->l.n, sizeof(*b->exs));
	b->mnt = xcalloc(b->l.n, sizeof(*b->mnt));
	b->mps = xcalloc(b->l.n, sizeof(*b->mps));
	b->gone = xcalloc(b->l.n, sizeof(*b->gone));
	for (i = 0; i < b->l.n; i++) {
		const struct zfs_ds *d = &b->l.v[i];
		const char *rest = d->name + vlen;

		if (*rest == '\0')
			continue;	/* VOL itself stays */
		if (ds_is_snapshot(d->name))
			b->nsnap++;
		else
			b->nds++;
		/* what to destroy: VOL's snapshots and VOL's children */
		if (*rest == '@' || strpbrk(rest + 1, "/@") == NULL)
			b->gone[b->ngone++] = d->name;
		if (state_withdrawable(d))
			state_export(d, NULL, &b->exs[b->nex++]);
		if (state_mounted(d) && state_is_type(d, "filesystem")) {
			b->mnt[b->nmnt] = d->name;
			b->mps[b->nmnt++] = d->val[ZP_MOUNTPOINT];
		}
	}
}

/* -j: what went. */
static struct json_object *
rebuild_json(const struct rebuild *b)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();
	size_t	 i;

	for (i = 0; i < b->ngone; i++)
		json_object_array_add(a, json_object_new_string(b->gone[i]));
	json_object_object_add(o, "destroyed", a);
	return o;
}

/*
 * Take everything down, then destroy VOL's snapshots first (-R takes
 * their clones), then its children.
 */
static int
rebuild_run(struct txn *t, struct rebuild *b, struct wserr *e)
{
	struct progress	 p;
	size_t		 i, vlen = strlen(b->vol);
	int		 pass, yes;

	if (state_release_holds(t, &b->l, NULL, e) == -1 ||
	    state_take_down(t, b->exs, b->nex, b->mnt, b->mps, b->nmnt, 0,
	    e) == -1)
		return -1;
	progress_start(&p, t->ctx->progress && !t->ctx->dry_run, "destroy",
	    "datasets and snapshots", b->ngone);
	t->ctx->shown = &p;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < b->ngone; i++) {
			if ((b->gone[i][vlen] == '@') != (pass == 0))
				continue;
			progress_add(&p, 1);
			if (pass == 1 && !t->ctx->dry_run &&
			    (zfs_exists(t->ctx, b->gone[i], &yes, e) == -1 ||
			    !yes))
				continue;	/* gone already, as a clone */
			if (state_destroy(t, b->gone[i], "-R", 1, e) == -1) {
				progress_end(&p);
				t->ctx->shown = NULL;
				if (pass == 1)
					fs_note_holders(e, b->mps, b->nmnt);
				return -1;
			}
		}
	progress_end(&p);
	t->ctx->shown = NULL;
	return 0;
}

/*
 * rebuild-vol [VOL]
 * Destroys every dataset and snapshot inside VOL (default: the
 * configured default_volume) and their exports, leaving VOL itself
 * empty, with its own properties.  Needs -y, or VOL's name typed at a
 * terminal.
 * Runs: zfs get -r VOL, the exports file, exportfs -u per client,
 * zfs umount (deepest first), zfs destroy -R of each snapshot of VOL and
 * each child of VOL (those still there).
 */
int
cmd_rebuild_vol(struct ctx *ctx, int argc, char **argv)
{
	struct rebuild	 b;
	struct txn	 t;
	struct wserr	 e;
	int		 rc;

	memset(&b, 0, sizeof(b));
	if ((rc = cmd_operands(ctx, argc, argv, 0, 1)) != CMD_GO_ON)
		return rc;
	b.vol = optind < argc ? argv[optind] : ctx->cfg.default_volume;
	if (valid_dataset(b.vol, &e) == -1)
		return cmd_fail(ctx, &e);
	if (!ds_is_volume(b.vol)) {
		wserr_set(&e, EX_DATAERR, "%s is not a volume (a pool's root "
		    "dataset)", b.vol);
		return cmd_fail(ctx, &e);
	}
	if (zfs_get(ctx, STATE_PROPS | ZPM(ZP_USERREFS) | ZPM(ZP_HOLDS), b.vol,
	    ZFS_RECURSE, &b.l, &e) == -1 ||
	    state_check_holds(ctx, &b.l, NULL, &e) == -1) {
		zfs_dslist_free(&b.l);
		return cmd_fail(ctx, &e);
	}
	state_warn_invalid(ctx, &b.l);
	rebuild_plan(&b);
	if (!ctx->yes && !ctx->dry_run && !isatty(STDIN_FILENO))
		rc = cmd_usage(ctx, "give -y to destroy everything in %s "
		    "(stdin is not a terminal to ask)", b.vol);
	else if (!ctx->yes && !ctx->dry_run && !confirmed(b.vol, b.nds,
	    b.nsnap))
		rc = cmd_error(ctx, EX_NOPERM, "not confirmed: nothing was "
		    "destroyed");
	else {
		txn_init(&t, ctx);
		if (rebuild_run(&t, &b, &e) == -1)
			rc = cmd_rollback(&t, &e);
		else
			rc = cmd_done(&t, b.vol, rebuild_json(&b));
	}
	state_exports_free(b.exs, b.nex);
	free(b.mnt);
	free(b.mps);
	free(b.gone);
	zfs_dslist_free(&b.l);
	return rc;
}
