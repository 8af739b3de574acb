/*
 * export.c: export, unexport, sync-exports, and list-exports (which
 * reads the same three places: properties, exports file, live table).
 */
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd/cmd.h"
#include "fs/fsops.h"
#include "model/dsname.h"
#include "nfs/nfs.h"
#include "lib/output.h"
#include "lib/progress.h"
#include "model/state.h"
#include "txn/txn.h"
#include "lib/validate.h"
#include "zfs/zfs.h"

/* The one dataset a command names, with its state; checks the name. */
static int
one_dataset(struct ctx *ctx, const char *name, struct zfs_dslist *l,
    struct wserr *e)
{
	if (valid_dataset(name, e) == -1 ||
	    zfs_get_one(ctx, name, STATE_PROPS, l, e) == -1)
		return -1;
	if (!state_is_type(&l->v[0], "filesystem")) {
		wserr_set(e, EX_DATAERR, "%s is not a filesystem", name);
		zfs_dslist_free(l);
		return -1;
	}
	return 0;
}

/* zfs set a warpstor:* property unless it is so locally already. */
static int
set_changed(struct txn *t, const struct zfs_ds *d, enum zprop p,
    const char *value, struct wserr *e)
{
	const char *old = d->local & ZPM(p) ? d->val[p] : NULL;

	if (old != NULL && strcmp(old, value) == 0)
		return 0;
	return zfs_set(t, d->name, zfs_prop_name(p), value, old, e);
}

/* What export was asked: NAME, --clients, --export-options. */
struct export_args {
	const char	*name;
	const char	*clients;
	const char	*options;
};

static int
export_option(struct ctx *ctx, int ch, const char *val, void *arg)
{
	struct export_args *x = arg;

	(void)ctx;
	if (ch == 'C')
		x->clients = val;
	else
		x->options = val;
	return CMD_GO_ON;
}

static int
export_args(struct ctx *ctx, int argc, char **argv, struct export_args *x)
{
	struct wserr	 e;
	int		 rc;

	if ((rc = cmd_parse(ctx, argc, argv, export_option, x, 1, 1)) !=
	    CMD_GO_ON)
		return rc;
	x->name = argv[optind];
	if (valid_dataset(x->name, &e) == -1 ||
	    (x->clients != NULL && valid_clients(x->clients, &e) == -1) ||
	    (x->options != NULL && valid_options(x->options, &e) == -1))
		return cmd_fail(ctx, &e);
	return CMD_GO_ON;
}

/*
 * The export d gets (into ex): what was asked, else what it had (old,
 * when it was exported), and its fsid kept when it has a valid one of
 * its own (which must be its alone), else a new one.
 */
static int
export_plan(struct ctx *ctx, const struct zfs_ds *d, struct export_args *x,
    struct nfs_export *old, struct nfs_export *ex, struct wserr *e)
{
	char	 fsid[FSID_LEN + 1];

	if (!state_mounted(d)) {
		wserr_set(e, EX_UNAVAILABLE, "%s is not mounted: nothing to "
		    "export", x->name);
		return -1;
	}
	if (state_exported(d)) {
		state_export(d, NULL, old);
		if (x->clients == NULL)
			x->clients = old->clients;
		if (x->options == NULL && old->options[0] != '\0')
			x->options = old->options;
	}
	if (nfs_export_spec(ctx, x->clients, x->options, ex, e) == -1)
		return -1;
	ex->path = xstrdup(d->val[ZP_MOUNTPOINT]);
	if ((d->local & ZPM(ZP_FSID)) && nfs_valid_fsid(d->val[ZP_FSID])) {
		ex->fsid = xstrdup(d->val[ZP_FSID]);
		return state_fsid_unique(ctx, x->name, ex->fsid, e);
	}
	nfs_fsid_new(fsid);
	ex->fsid = xstrdup(fsid);
	return 0;
}

/*
 * export DATASET [--clients LIST] [--export-options OPTS]
 * Export an existing, mounted filesystem; it keeps its fsid if it had
 * one.  An exported one is exported anew with the clients and options
 * given (its own where none are given).
 * Runs: zfs get; zfs set for each warpstor:* property that changes; the
 * exports file; exportfs -u of the old clients, exportfs -o of the new.
 */
int
cmd_export(struct ctx *ctx, int argc, char **argv)
{
	struct export_args x = { NULL, NULL, NULL };
	struct json_object *o;
	struct zfs_dslist l;
	struct zfs_ds	*d;
	struct nfs_export old, ex;
	struct txn	 t;
	struct wserr	 e;
	int		 rc;

	if ((rc = export_args(ctx, argc, argv, &x)) != CMD_GO_ON)
		return rc;
	if (one_dataset(ctx, x.name, &l, &e) == -1)
		return cmd_fail(ctx, &e);
	d = &l.v[0];
	memset(&old, 0, sizeof(old));
	memset(&ex, 0, sizeof(ex));
	if (export_plan(ctx, d, &x, &old, &ex, &e) == -1) {
		rc = cmd_fail(ctx, &e);
		goto out;
	}
	txn_init(&t, ctx);
	if ((old.path != NULL && nfs_withdraw(&t, &old, 1, &e) == -1) ||
	    set_changed(&t, d, ZP_FSID, ex.fsid, &e) == -1 ||
	    set_changed(&t, d, ZP_CLIENTS, ex.clients, &e) == -1 ||
	    set_changed(&t, d, ZP_OPTIONS, ex.options, &e) == -1 ||
	    nfs_publish(&t, &ex, 1, &e) == -1 || txn_check(&t, &e) == -1) {
		rc = cmd_rollback(&t, &e);
		goto out;
	}
	o = json_object_new_object();
	cmd_json_export(o, &ex);
	rc = cmd_done(&t, x.name, o);
out:
	nfs_export_free(&old);
	nfs_export_free(&ex);
	zfs_dslist_free(&l);
	return rc;
}

/*
 * unexport DATASET
 * Withdraw the export; the fsid property stays for a later export.
 * Runs: zfs get; the exports file; exportfs -u per client; zfs inherit
 * warpstor:clients and warpstor:options.
 */
int
cmd_unexport(struct ctx *ctx, int argc, char **argv)
{
	struct zfs_dslist l;
	struct zfs_ds	*d;
	struct nfs_export ex;
	struct txn	 t;
	struct wserr	 e;
	const char	*name;
	int		 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 1, 1)) != CMD_GO_ON)
		return rc;
	name = argv[optind];
	if (one_dataset(ctx, name, &l, &e) == -1)
		return cmd_fail(ctx, &e);
	d = &l.v[0];
	if (!state_exported(d)) {
		zfs_dslist_free(&l);
		wserr_set(&e, EX_NOINPUT, "%s: not exported", name);
		return cmd_fail(ctx, &e);
	}
	memset(&ex, 0, sizeof(ex));
	state_export(d, NULL, &ex);
	txn_init(&t, ctx);
	/* while its clients can still give their delegations back */
	if (state_mounted(d))
		state_release(ctx, name, d->val[ZP_MOUNTPOINT]);
	if ((state_mounted(d) && nfs_withdraw(&t, &ex, 1, &e) == -1) ||
	    zfs_inherit(&t, name, zfs_prop_name(ZP_CLIENTS), ex.clients,
	    &e) == -1 ||
	    ((d->local & ZPM(ZP_OPTIONS)) && zfs_inherit(&t, name,
	    zfs_prop_name(ZP_OPTIONS), d->val[ZP_OPTIONS], &e) == -1) ||
	    txn_check(&t, &e) == -1)
		rc = cmd_rollback(&t, &e);
	else
		rc = cmd_done(&t, name, NULL);
	nfs_export_free(&ex);
	zfs_dslist_free(&l);
	return rc;
}

/* Every option of want is among have's (exportfs -v spells out more). */
static int
options_cover(const char *have, const char *want)
{
	struct strvec	 w = STRVEC_INIT;
	size_t		 i;
	int		 ok = 1;

	strvec_split(&w, want, ",", 0);
	for (i = 0; ok && i < w.n; i++)
		ok = list_has(have, w.v[i]);
	strvec_clear(&w);
	return ok;
}

/* The live table, with an index of it by path. */
struct live_table {
	struct nfs_live	*v;
	size_t		 n;
	struct keyidx	*by_path;
};

/* Index v (n entries, kept by lt and freed with it). */
static void
live_index(struct live_table *lt, struct nfs_live *v, size_t n)
{
	size_t	 i;

	lt->v = v;
	lt->n = n;
	lt->by_path = xcalloc(n + 1, sizeof(*lt->by_path));
	for (i = 0; i < n; i++) {
		lt->by_path[i].key = v[i].path;
		lt->by_path[i].at = i;
	}
	keyidx_sort(lt->by_path, n);
}

static void
live_table_free(struct live_table *lt)
{
	nfs_live_free(lt->v, lt->n);
	free(lt->by_path);
	memset(lt, 0, sizeof(*lt));
}

/*
 * Is want exported to client in the live table, with its fsid and
 * options (and, with mp, the mp every export of warpstor's carries: one
 * an older warpstor made is to be made again)?
 */
static int
live_ok(const struct live_table *lt, const struct nfs_export *want,
    const char *client, int mp)
{
	char	*own = client_own_options(client);
	size_t	 j, len = client_len(client);
	int	 ok = 0;

	for (j = keyidx_find(lt->by_path, lt->n, want->path); j < lt->n &&
	    strcmp(lt->by_path[j].key, want->path) == 0 && !ok; j++) {
		const struct nfs_live *l = &lt->v[lt->by_path[j].at];
		char	*fs;

		if (strlen(l->client) != len ||
		    strncmp(l->client, client, len) != 0)
			continue;
		fs = nfs_live_fsid(l);
		ok = fs != NULL && strcmp(fs, want->fsid) == 0 &&
		    options_cover(l->options, own != NULL ? own :
		    want->options) &&
		    (!mp || list_has(l->options, NFS_MP_LIVE));
		free(fs);
	}
	free(own);
	return ok;
}

/* An export sync-exports must make: want[want] to client. */
struct miss {
	size_t	 want;
	char	*client;
};

static void
miss_add(struct miss **v, size_t *n, size_t want, const char *client)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].want = want;
	(*v)[*n].client = xstrdup(client);
	(*n)++;
}

static void
miss_free(struct miss *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i].client);
	free(v);
}

/*
 * Export what is missing.  One at a time, each exportfs call reads the
 * whole live table and every exports file and writes the table back:
 * with a thousand exports, a sync from scratch took minutes.  So when
 * there are several and exportfs reads the file just written, they go
 * in one call that takes each export's options and fsid from the file,
 * and a read of the live table after it finds any that did not take
 * (a client named in another exports file too, say); those get their
 * own exportfs -o.
 */
static int
export_missing(struct txn *t, const struct nfs_export *want,
    struct miss *miss, size_t nmiss, struct wserr *e)
{
	struct nfs_live	*live;
	struct live_table lt;
	struct progress	 p;
	char		**specs;
	size_t		 i, nlive;
	int		 rc;

	if (nmiss < 2 || !nfs_file_read_by_exportfs(t->ctx->cfg.exports_file))
		goto one_by_one;
	specs = xreallocarray(NULL, nmiss, sizeof(*specs));
	for (i = 0; i < nmiss; i++) {
		char	*name = xstrndup(miss[i].client,
		    client_len(miss[i].client));

		specs[i] = nfs_spec(name, want[miss[i].want].path);
		free(name);
	}
	rc = nfs_export_batch(t, specs, nmiss, e);
	for (i = 0; i < nmiss; i++)
		free(specs[i]);
	free(specs);
	if (rc == -1)
		return -1;
	if (t->ctx->dry_run)
		return 0;
	if (nfs_live_read(t->ctx, &live, &nlive, e) == -1)
		return -1;
	live_index(&lt, live, nlive);
	for (i = 0, rc = 0; i < nmiss && rc == 0; i++)
		if (!live_ok(&lt, &want[miss[i].want], miss[i].client, 1))
			rc = nfs_export_one(t, &want[miss[i].want],
			    miss[i].client, e);
	live_table_free(&lt);
	return rc;
one_by_one:
	progress_start(&p, t->ctx->progress && !t->ctx->dry_run && nmiss > 1,
	    "sync-exports: export", "exports", nmiss);
	for (i = 0, rc = 0; i < nmiss && rc == 0; i++) {
		rc = nfs_export_one(t, &want[miss[i].want], miss[i].client, e);
		progress_add(&p, 1);
	}
	progress_end(&p);
	return rc;
}

static void
report(struct ctx *ctx, struct json_object *a, const char *action,
    const char *client, const char *path)
{
	if (ctx->dry_run)
		return;		/* the plan says it */
	if (a != NULL) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "action",
		    json_object_new_string(action));
		json_object_object_add(o, "client", out_jstr(client));
		json_object_object_add(o, "path", json_object_new_string(path));
		json_object_array_add(a, o);
	} else if (client != NULL)
		(void)printf("%s %s:%s\n", action, client, path);
	else
		(void)printf("%s %s\n", action, path);
}

static long long
createtxg(const struct zfs_ds *d)
{
	const char *errstr;
	long long n;

	if (d->val[ZP_CREATETXG] == NULL)
		return LLONG_MAX;
	n = strtonum(d->val[ZP_CREATETXG], 0, LLONG_MAX, &errstr);
	return errstr != NULL ? LLONG_MAX : n;
}

/* Is path exported with fsid in the exports file as it was read? */
static int
in_file(const struct nfs_export *old, size_t nold, const char *path,
    const char *fsid)
{
	size_t	 i;

	for (i = 0; i < nold; i++)
		if (strcmp(old[i].path, path) == 0 &&
		    strcmp(old[i].fsid, fsid) == 0)
			return 1;
	return 0;
}

/*
 * fsids are unique on the node: of the datasets cand[0..n) that carry
 * one fsid (a zfs send -p copy, a hand-set property), the one keeps it
 * whose export the exports file carries already, else the one made
 * first (lowest createtxg); the others are named, with it, and left out
 * (cand[i] = NULL).
 */
static void
unique_fsids(struct ctx *ctx, const struct zfs_ds **cand, size_t n,
    const struct nfs_export *old, size_t nold)
{
	size_t	 i, j, keep;

	for (i = 0; i < n; i++) {
		if (cand[i] == NULL)
			continue;
		keep = i;
		for (j = i + 1; j < n; j++) {
			if (cand[j] == NULL || strcmp(cand[j]->val[ZP_FSID],
			    cand[keep]->val[ZP_FSID]) != 0)
				continue;
			if (!in_file(old, nold, cand[keep]->val[ZP_MOUNTPOINT],
			    cand[keep]->val[ZP_FSID]) &&
			    (in_file(old, nold, cand[j]->val[ZP_MOUNTPOINT],
			    cand[j]->val[ZP_FSID]) ||
			    createtxg(cand[j]) < createtxg(cand[keep])))
				keep = j;
		}
		for (j = i; j < n; j++) {
			if (j == keep || cand[j] == NULL ||
			    strcmp(cand[j]->val[ZP_FSID],
			    cand[keep]->val[ZP_FSID]) != 0)
				continue;
			(void)fprintf(stderr, "warpstor: %s: %s: %s %s is %s's "
			    "already; not exported\n", ctx->cmd->name,
			    cand[j]->name, zfs_prop_name(ZP_FSID),
			    cand[j]->val[ZP_FSID], cand[keep]->name);
			cand[j] = NULL;
		}
	}
}

/* What sync-exports reads, and what it wants. */
struct sync {
	struct zfs_dslist l;		/* every filesystem */
	struct live_table lt;		/* the live table */
	struct nfs_file	 f;		/* the exports file */
	struct nfs_export *old;		/* what the file exported */
	size_t		 nold;
	struct nfs_export *want;	/* what the properties export */
	const char	**wname;	/* and of which dataset each */
	size_t		 nwant;
	struct json_object *a;		/* -j: what was done */
	const char	*scope;		/* POOL: only its exports; or NULL */
	/* indexes: l by mountpoint and by local fsid, old and want by path */
	struct keyidx	*by_mp, *by_fsid, *by_old, *by_want;
	size_t		 nby_mp, nby_fsid, nby_old, nby_want;
};

/* name is in the pool sync-exports was given (or none was). */
static int
in_scope(const struct sync *s, const char *name)
{
	return s->scope == NULL || ds_in_tree(name, s->scope);
}

/* The dataset of s->l mounted at path, or NULL. */
static const struct zfs_ds *
dataset_at(const struct sync *s, const char *path)
{
	size_t	 i = keyidx_find(s->by_mp, s->nby_mp, path);

	return i < s->nby_mp ? &s->l.v[s->by_mp[i].at] : NULL;
}

/* An index of the n strings key(i) that are not NULL; their count. */
static struct keyidx *
index_of(size_t n, const char *(*key)(const struct sync *, size_t),
    const struct sync *s, size_t *count)
{
	struct keyidx	*v = xcalloc(n + 1, sizeof(*v));
	size_t		 i, k = 0;

	for (i = 0; i < n; i++)
		if ((v[k].key = key(s, i)) != NULL)
			v[k++].at = i;
	keyidx_sort(v, k);
	*count = k;
	return v;
}

static const char *
key_mp(const struct sync *s, size_t i)
{
	return s->l.v[i].val[ZP_MOUNTPOINT];
}

static const char *
key_fsid(const struct sync *s, size_t i)
{
	return s->l.v[i].local & ZPM(ZP_FSID) ? s->l.v[i].val[ZP_FSID] : NULL;
}

static const char *
key_old(const struct sync *s, size_t i)
{
	return s->old[i].path;
}

static const char *
key_want(const struct sync *s, size_t i)
{
	return s->want[i].path;
}

static int
sync_read(struct ctx *ctx, struct sync *s, unsigned extra, struct wserr *e)
{
	struct nfs_live	*live;
	size_t		 nlive;

	/* with POOL, POOL alone: the other pools are not its business */
	if (zfs_get_datasets(ctx, STATE_PROPS | ZPM(ZP_CREATETXG) | extra,
	    s->scope, s->scope != NULL ? ZFS_RECURSE : -1, &s->l, e) == -1 ||
	    nfs_live_read(ctx, &live, &nlive, e) == -1)
		return -1;
	live_index(&s->lt, live, nlive);
	if (nfs_file_read(ctx->cfg.exports_file, &s->f, e) == -1)
		return -1;
	(void)nfs_file_exports(&s->f, &s->old, &s->nold);
	s->by_mp = index_of(s->l.n, key_mp, s, &s->nby_mp);
	s->by_fsid = index_of(s->l.n, key_fsid, s, &s->nby_fsid);
	s->by_old = index_of(s->nold, key_old, s, &s->nby_old);
	return 0;
}

/* What sync_read and sync_want allocated. */
static void
sync_free(struct sync *s)
{
	free(s->wname);
	free(s->by_mp);
	free(s->by_fsid);
	free(s->by_old);
	free(s->by_want);
	state_exports_free(s->want, s->nwant);
	state_exports_free(s->old, s->nold);
	live_table_free(&s->lt);
	nfs_file_free(&s->f);
	zfs_dslist_free(&s->l);
}

/*
 * With POOL: an export at path, where nothing is mounted, with the fsid
 * of one of POOL's datasets (read alone), is one it left behind (a rename
 * by hand); another pool's dataset mounted there makes it that pool's.
 */
static int
left_behind(const struct sync *s, const char *path, const char *fsid)
{
	char	*other;
	int	 none;

	if (fsid == NULL ||
	    keyidx_find(s->by_fsid, s->nby_fsid, fsid) == s->nby_fsid)
		return 0;
	none = (other = fs_dataset_at(path)) == NULL;
	free(other);
	return none;
}

/*
 * With POOL only POOL is read, and the file and the live table tell the
 * rest: an export there at a path no dataset of POOL is mounted at, with
 * the fsid of one of POOL's candidates, is another pool's where the mount
 * table has another pool's dataset at that path: the candidate is named
 * and left out, as unique_fsids does.
 */
static void
foreign_fsids(struct ctx *ctx, struct sync *s, const struct zfs_ds **cand,
    size_t n)
{
	struct keyidx	*v = xcalloc(n + 1, sizeof(*v));
	size_t		 i, j, k = 0, nold = s->nold;

	for (i = 0; i < n; i++)
		if (cand[i] != NULL) {
			v[k].key = cand[i]->val[ZP_FSID];
			v[k++].at = i;
		}
	keyidx_sort(v, k);
	for (i = 0; i < nold + s->lt.n; i++) {
		const char *path = i < nold ? s->old[i].path :
		    s->lt.v[i - nold].path;
		char	*fs = i < nold ? (s->old[i].fsid != NULL ?
		    xstrdup(s->old[i].fsid) : NULL) :
		    nfs_live_fsid(&s->lt.v[i - nold]);
		char	*other = NULL;
		const struct zfs_ds *c;

		/* a line left behind is sync_file's to drop */
		j = fs == NULL || dataset_at(s, path) != NULL ||
		    (i < nold && left_behind(s, path, fs)) ? k :
		    keyidx_find(v, k, fs);
		free(fs);
		if (j == k || (c = cand[v[j].at]) == NULL)
			continue;
		if ((other = fs_dataset_at(path)) != NULL &&
		    !ds_in_tree(other, s->scope)) {
			(void)fprintf(stderr, "warpstor: %s: %s: %s %s is "
			    "%s's already; not exported\n", ctx->cmd->name,
			    c->name, zfs_prop_name(ZP_FSID), c->val[ZP_FSID],
			    other);
			cand[v[j].at] = NULL;
		}
		free(other);
	}
	free(v);
}

/* What is wanted: each exported, mounted dataset, one fsid each. */
static void
sync_want(struct ctx *ctx, struct sync *s)
{
	const struct zfs_ds **cand;
	size_t		 i, n = 0;

	state_warn_invalid(ctx, &s->l);
	cand = xreallocarray(NULL, s->l.n + 1, sizeof(const void *));
	for (i = 0; i < s->l.n; i++) {
		if (!state_exported(&s->l.v[i]))
			continue;
		if (!state_mounted(&s->l.v[i])) {
			/* said of POOL's only, when one was given */
			if (in_scope(s, s->l.v[i].name))
				out_warn(ctx, "%s is not mounted: not "
				    "exported", s->l.v[i].name);
			continue;
		}
		cand[n++] = &s->l.v[i];
	}
	if (s->scope != NULL)
		foreign_fsids(ctx, s, cand, n);
	unique_fsids(ctx, cand, n, s->old, s->nold);
	s->want = xcalloc(s->l.n, sizeof(*s->want));
	s->wname = xcalloc(s->l.n + 1, sizeof(*s->wname));
	for (i = 0; i < n; i++)
		if (cand[i] != NULL) {
			s->wname[s->nwant] = cand[i]->name;
			state_export(cand[i], NULL, &s->want[s->nwant++]);
		}
	free(cand);
	s->by_want = index_of(s->nwant, key_want, s, &s->nby_want);
}

/*
 * The file: rebuilt whole from what is wanted; with POOL, only the lines
 * at a path a dataset of POOL is mounted at (or one left behind) are
 * rebuilt, and the other pools' lines stay as they are.
 */
static int
sync_file(struct txn *t, struct sync *s, struct wserr *e)
{
	size_t	 i;

	if (s->scope == NULL)
		return nfs_file_rebuild(t, &s->f, s->want, s->nwant, e);
	for (i = 0; i < s->nold; i++)
		if (dataset_at(s, s->old[i].path) != NULL ||
		    left_behind(s, s->old[i].path, s->old[i].fsid))
			nfs_file_drop(&s->f, s->old[i].path);
	for (i = 0; i < s->nwant; i++)
		nfs_file_set(&s->f, &s->want[i]);
	return nfs_file_update(t, &s->f, e);
}

/* The live table: export what is wanted and not live yet. */
static int
sync_missing(struct txn *t, struct sync *s, struct wserr *e)
{
	struct miss	*miss = NULL;
	struct strvec	 cl = STRVEC_INIT;
	size_t		 i, k, nmiss = 0;
	int		 rc;

	for (i = 0; i < s->nwant; i++) {
		if (!in_scope(s, s->wname[i]))
			continue;
		clients_split(s->want[i].clients, &cl);
		for (k = 0; k < cl.n; k++)
			if (!live_ok(&s->lt, &s->want[i], cl.v[k], 1))
				miss_add(&miss, &nmiss, i, cl.v[k]);
		strvec_clear(&cl);
	}
	rc = export_missing(t, s->want, miss, nmiss, e);
	for (i = 0; rc == 0 && i < nmiss; i++) {
		report(t->ctx, s->a, "export", miss[i].client,
		    s->want[miss[i].want].path);
		cmd_audit(t->ctx, s->wname[miss[i].want],
		    s->want[miss[i].want].fsid);
	}
	miss_free(miss, nmiss);
	return rc;
}

/*
 * Is the live export l warpstor's (its path in the file, or its fsid a
 * dataset's) and no longer wanted?
 */
static int
sync_stale(const struct sync *s, const struct nfs_live *l, const char *fsid)
{
	size_t	 i;
	int	 ours = 0;

	const struct zfs_ds *at = dataset_at(s, l->path);

	/* with a POOL, only what is mounted from it, or left behind by it */
	if (s->scope != NULL && (at == NULL ? !left_behind(s, l->path, fsid) :
	    !in_scope(s, at->name)))
		return 0;
	ours = keyidx_find(s->by_old, s->nby_old, l->path) < s->nby_old ||
	    (fsid != NULL && keyidx_find(s->by_fsid, s->nby_fsid, fsid) <
	    s->nby_fsid);
	for (i = keyidx_find(s->by_want, s->nby_want, l->path); ours &&
	    i < s->nby_want && strcmp(s->by_want[i].key, l->path) == 0; i++)
		if (clients_has(s->want[s->by_want[i].at].clients, l->client))
			return 0;
	return ours;
}

/* Withdraw what warpstor exported that nothing wants any more. */
static int
sync_withdraw(struct txn *t, struct sync *s, struct wserr *e)
{
	struct progress	 p;
	size_t		 j;
	int		 rc = 0;

	progress_start(&p, t->ctx->progress && !t->ctx->dry_run &&
	    s->lt.n > 1, "sync-exports: check", "live exports", s->lt.n);
	for (j = 0; j < s->lt.n && rc == 0; j++) {
		const struct nfs_live *l = &s->lt.v[j];

		progress_add(&p, 1);
		struct nfs_export ex;
		char	*fs = nfs_live_fsid(l);

		if (sync_stale(s, l, fs)) {
			ex.path = l->path;
			ex.clients = l->client;
			ex.options = l->options;
			ex.fsid = fs != NULL ? fs : (char *)"";
			rc = nfs_unexport_one(t, &ex, l->client, e);
			if (rc == 0) {
				const struct zfs_ds *at = dataset_at(s,
				    l->path);

				report(t->ctx, s->a, "unexport", l->client,
				    l->path);
				cmd_audit(t->ctx, at != NULL ? at->name :
				    l->path, ex.fsid);
			}
		}
		free(fs);
	}
	progress_end(&p);
	return rc;
}

/*
 * --withdraw POOL: every export of POOL's datasets taken down, the file
 * and the live table, their clients' delegations given back first and
 * the server's cache flushed after; the properties stay (the pool moves
 * to another node with them, where sync-exports POOL exports them).
 */
static int
sync_release(struct txn *t, struct sync *s, struct wserr *e)
{
	struct nfs_export *exs = xcalloc(s->l.n + 1, sizeof(*exs));
	size_t		 i, n = 0;
	int		 rc = 0;

	for (i = 0; i < s->l.n; i++) {
		const struct zfs_ds *d = &s->l.v[i];

		if (!in_scope(s, d->name) || !state_withdrawable(d))
			continue;
		if (state_mounted(d))
			state_release(t->ctx, d->name, d->val[ZP_MOUNTPOINT]);
		state_export(d, NULL, &exs[n]);
		report(t->ctx, s->a, "unexport", exs[n].clients, exs[n].path);
		n++;
	}
	if (n > 0 && (nfs_withdraw(t, exs, n, e) == -1 ||
	    nfs_flush(t, e) == -1))
		rc = -1;
	state_exports_free(exs, n);
	return rc;
}

static int
sync_args(struct ctx *ctx, int argc, char **argv, struct sync *s,
    int *withdraw)
{
	struct wserr	 e;
	int		 rc;

	if ((rc = cmd_parse(ctx, argc, argv, cmd_flag, withdraw, 0, 1)) !=
	    CMD_GO_ON)
		return rc;
	if (*withdraw && optind == argc)
		return cmd_usage(ctx, "--withdraw needs the POOL");
	if (optind < argc) {
		s->scope = argv[optind];
		if (valid_dataset(s->scope, &e) == -1)
			return cmd_fail(ctx, &e);
	}
	return CMD_GO_ON;
}

/*
 * sync-exports
 * Rebuild the exports file and the live table from the properties:
 * export what is missing or differs, withdraw what warpstor exported
 * (in the old file, or with a fsid warpstor keeps) that no property
 * names any more; print what changed.
 * Runs: zfs get of every filesystem, or of POOL's (zfs_get_datasets),
 * exportfs -v, the exports file, exportfs -o / -u per client that changes.
 */
int
cmd_sync_exports(struct ctx *ctx, int argc, char **argv)
{
	struct sync	 s;
	struct txn	 t;
	struct wserr	 e;
	int		 rc, w, withdraw = 0;

	memset(&s, 0, sizeof(s));
	if ((rc = sync_args(ctx, argc, argv, &s, &withdraw)) != CMD_GO_ON)
		return rc;
	if (sync_read(ctx, &s, 0, &e) == -1) {
		/* a pool that is not here has no export to withdraw */
		rc = withdraw && e.code == EX_NOINPUT ? 0 : cmd_fail(ctx, &e);
		goto out;
	}
	if (ctx->json && !ctx->dry_run)
		s.a = json_object_new_array();
	txn_init(&t, ctx);
	if (withdraw) {
		if (sync_release(&t, &s, &e) == -1 ||
		    txn_check(&t, &e) == -1) {
			rc = cmd_rollback(&t, &e);
			goto out;
		}
		goto done;
	}
	sync_want(ctx, &s);
	if ((w = sync_file(&t, &s, &e)) == 1)
		report(ctx, s.a, "write", NULL, ctx->cfg.exports_file);
	if (w == -1 || sync_missing(&t, &s, &e) == -1 ||
	    sync_withdraw(&t, &s, &e) == -1 || txn_check(&t, &e) == -1) {
		rc = cmd_rollback(&t, &e);
		goto out;
	}
done:
	txn_commit(&t);
	if (s.a != NULL) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "changes", s.a);
		out_json(o);
		s.a = NULL;
	}
	rc = 0;
out:
	if (s.a != NULL)
		json_object_put(s.a);
	sync_free(&s);
	return rc;
}

/* Where an export is: in the live table (every client), in the file. */
static const char *
export_where(const struct sync *s, const struct nfs_export *ex)
{
	struct strvec	 cl = STRVEC_INIT;
	size_t		 i;
	int		 live = 1, file = 0;

	clients_split(ex->clients, &cl);
	for (i = 0; i < cl.n && live; i++)
		live = live_ok(&s->lt, ex, cl.v[i], 0);
	strvec_clear(&cl);
	for (i = keyidx_find(s->by_old, s->nby_old, ex->path); !file &&
	    i < s->nby_old && strcmp(s->by_old[i].key, ex->path) == 0; i++)
		file = s->old[s->by_old[i].at].fsid != NULL &&
		    strcmp(s->old[s->by_old[i].at].fsid, ex->fsid) == 0;
	return live && file ? "live+file" : live ? "live" : file ? "file" :
	    "missing";
}

static void
export_row(struct json_object *a, const char *name,
    const struct nfs_export *ex, const char *where)
{
	struct json_object *o;

	if (a == NULL) {
		(void)printf("%s\t%s\t%s\t%s\t%s\t%s\n", ex->path, name,
		    ex->clients, *ex->options != '\0' ? ex->options : "-",
		    ex->fsid, where);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	cmd_json_export(o, ex);
	json_object_object_add(o, "where", json_object_new_string(where));
	json_object_array_add(a, o);
}

static int
cmp_export_path(const void *a, const void *b)
{
	const struct zfs_ds *const *l = a, *const *r = b;

	return strcmp((*l)->val[ZP_MOUNTPOINT], (*r)->val[ZP_MOUNTPOINT]);
}

static void
drift_add(struct drift *d, const char *what, const char *where)
{
	if (d->n++ < 10) {
		strvec_push(&d->what, what);
		strvec_push(&d->where, where);
	}
}

/* Live exports of warpstor's that nothing wants. */
static void
drift_live(const struct sync *s, struct drift *d)
{
	const struct nfs_live *l;
	char	*fs, *spec;

	for (l = s->lt.v; l < s->lt.v + s->lt.n; l++) {
		if (sync_stale(s, l, fs = nfs_live_fsid(l))) {
			spec = nfs_spec(l->client, l->path);
			drift_add(d, spec, "live, not wanted");
			free(spec);
		}
		free(fs);
	}
}

/*
 * The drift of POOL's exports (or the node's), into d; the node's
 * filesystems as read for it, with the properties of extra too, into
 * keep (one zfs get for a caller that needs them as well).
 */
int
export_drift(struct ctx *ctx, const char *pool, unsigned extra,
    struct drift *d, struct zfs_dslist *keep, struct wserr *e)
{
	struct sync	 s;
	size_t		 i, k;
	int		 rc = -1;

	memset(&s, 0, sizeof(s));
	memset(d, 0, sizeof(*d));
	s.scope = pool;
	if (sync_read(ctx, &s, extra, e) == -1)
		goto out;
	sync_want(ctx, &s);
	for (i = 0; i < s.nwant; i++) {
		const char *where;

		if (!in_scope(&s, s.wname[i]))
			continue;
		d->exports++;
		if (strcmp(where = export_where(&s, &s.want[i]),
		    "live+file") != 0)
			drift_add(d, s.wname[i], where);
	}
	for (i = 0; i < s.nold; i++) {
		const struct zfs_ds *at = dataset_at(&s, s.old[i].path);

		k = keyidx_find(s.by_want, s.nby_want, s.old[i].path);
		if (k == s.nby_want && (pool == NULL || (at != NULL &&
		    in_scope(&s, at->name))))
			drift_add(d, s.old[i].path, "file, not wanted");
	}
	drift_live(&s, d);
	rc = 0;
	*keep = s.l;
	memset(&s.l, 0, sizeof(s.l));
out:
	sync_free(&s);
	return rc;
}

void
drift_free(struct drift *d)
{
	strvec_clear(&d->what);
	strvec_clear(&d->where);
}

/*
 * list-exports [PATTERN]
 * One line per dataset its properties export (PATTERN: a glob on its
 * name), sorted by path: PATH, DATASET, CLIENTS, OPTIONS, FSID and where
 * the export is, tab-separated: live+file, live (every client in the
 * live table with its fsid), file (the exports file has it), missing.
 * Runs: zfs get of every filesystem (zfs_get_datasets), exportfs -v,
 * reads the exports file.
 */
int
cmd_list_exports(struct ctx *ctx, int argc, char **argv)
{
	struct sync	 s;
	struct wserr	 e;
	struct json_object *a = NULL;
	const struct zfs_ds **v;
	const char	*pattern = NULL;
	size_t		 i, n = 0;
	int		 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 0, 1)) != CMD_GO_ON)
		return rc;
	if (optind < argc) {
		pattern = argv[optind];
		if (valid_pattern(pattern, &e) == -1)
			return cmd_fail(ctx, &e);
	}
	memset(&s, 0, sizeof(s));
	if (sync_read(ctx, &s, 0, &e) == -1) {
		rc = cmd_fail(ctx, &e);
		goto out;
	}
	state_warn_invalid(ctx, &s.l);
	v = xreallocarray(NULL, s.l.n + 1, sizeof(const void *));
	for (i = 0; i < s.l.n; i++)
		if (state_withdrawable(&s.l.v[i]) && (pattern == NULL ||
		    fnmatch(pattern, s.l.v[i].name, 0) == 0))
			v[n++] = &s.l.v[i];
	sort_items(v, n, sizeof(const void *), cmp_export_path);
	if (ctx->json)
		a = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct nfs_export ex;

		state_export(v[i], NULL, &ex);
		export_row(a, v[i]->name, &ex, export_where(&s, &ex));
		nfs_export_free(&ex);
	}
	if (a != NULL)
		out_json(a);
	free(v);
	rc = 0;
out:
	sync_free(&s);
	return rc;
}
