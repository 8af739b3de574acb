/*
 * create.c: the commands that make datasets: create-fs,
 * create-fs-no-export, create-fs-only, clone, filtered-clone,
 * clone-only, snapshot.
 */
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
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
#include "model/state.h"
#include "txn/txn.h"
#include "lib/validate.h"
#include "zfs/zfs.h"

#define NEW_IDS		0x01	/* -u UID -g GID, required */
#define NEW_TYPE	0x02	/* -t TYPE */
#define NEW_PROPS	0x04	/* -o PROP=VAL ... */
#define NEW_EXPORT	0x08	/* --clients, --export-options */
#define NEW_SNAP	0x10	/* SNAPSHOT DATASET operands */
#define NEW_FILTER	0x20	/* -x GLOB, -X FILE */

/* The options of a command that makes a dataset, as given. */
struct newds_opts {
	const char	*user, *group, *tname;
	int		 filtered;
};

/* What a command that makes a dataset was asked for. */
struct newds {
	const char	*snap;
	const char	*name;
	uid_t		 uid;
	gid_t		 gid;
	struct strvec	 props;
	const char	*clients;
	const char	*options;
	struct filter	 filter;
	struct newds_opts o;
};

/* One option of a command that makes a dataset (arg: its newds). */
static int
newds_option(struct ctx *ctx, int ch, const char *val, void *arg)
{
	struct newds	*nd = arg;
	struct wserr	 e;

	switch (ch) {
	case 'X':
	case 'x':
		if ((ch == 'x' ? filter_add(&nd->filter, val, &e) :
		    filter_add_file(&nd->filter, val, 0, &e)) == -1)
			return cmd_fail(ctx, &e);
		nd->o.filtered = 1;
		break;
	case 'C':
		nd->clients = val;
		break;
	case 'E':
		nd->options = val;
		break;
	case 'g':
		nd->o.group = val;
		break;
	case 'o':
		if (valid_propassign(val, &e) == -1)
			return cmd_fail(ctx, &e);
		strvec_push(&nd->props, val);
		break;
	case 't':
		nd->o.tname = val;
		break;
	case 'u':
		nd->o.user = val;
		break;
	}
	return CMD_GO_ON;
}

/* The type's properties go first, so that -o can override them. */
static int
newds_type(struct ctx *ctx, const char *tname, struct newds *nd,
    struct wserr *e)
{
	const struct config_type *type;
	struct strvec	 all = STRVEC_INIT;
	char		 v[VIS_BUFSZ];
	size_t		 i;

	if ((type = config_type(&ctx->cfg, tname)) == NULL) {
		wserr_set(e, EX_DATAERR, "unknown type '%s' (types come from "
		    "type.NAME lines in %s)", vis_str(v, sizeof(v), tname),
		    ctx->cfg.path);
		return -1;
	}
	strvec_split(&all, type->props, " \t", 0);
	for (i = 0; i < nd->props.n; i++)
		strvec_push(&all, nd->props.v[i]);
	strvec_clear(&nd->props);
	nd->props = all;
	return 0;
}

/* Parse and check; returns CMD_GO_ON, else the exit status. */
static int
newds_parse(struct ctx *ctx, int argc, char **argv, unsigned what,
    struct newds *nd)
{
	struct newds_opts *o = &nd->o;
	struct wserr	 e;
	int		 rc, want = what & NEW_SNAP ? 2 : 1;

	memset(nd, 0, sizeof(*nd));
	if ((rc = cmd_parse(ctx, argc, argv, newds_option, nd, want,
	    want)) != CMD_GO_ON)
		return rc;
	if ((what & NEW_FILTER) && !o->filtered &&
	    filter_add_file(&nd->filter, ctx->cfg.filter_file, 1, &e) == -1)
		return cmd_fail(ctx, &e);
	if (what & NEW_SNAP) {
		nd->snap = argv[optind++];
		if (valid_snapshot(nd->snap, &e) == -1)
			return cmd_fail(ctx, &e);
	}
	nd->name = argv[optind];
	if (valid_dataset(nd->name, &e) == -1)
		return cmd_fail(ctx, &e);
	if (ds_is_volume(nd->name)) {
		wserr_set(&e, EX_DATAERR, "%s is a volume (a pool's root); "
		    "name a dataset inside one", nd->name);
		return cmd_fail(ctx, &e);
	}
	if (what & NEW_IDS) {
		if (o->user == NULL || o->group == NULL)
			return cmd_usage(ctx, "-u UID and -g GID are required");
		if (parse_uid(o->user, &nd->uid, &e) == -1 ||
		    parse_gid(o->group, &nd->gid, &e) == -1)
			return cmd_fail(ctx, &e);
	}
	if (o->tname != NULL && newds_type(ctx, o->tname, nd, &e) == -1)
		return cmd_fail(ctx, &e);
	return CMD_GO_ON;
}

/*
 * Why did zfs create/clone of name fail?  Only on that path: one query
 * each, to tell "exists" (73) and "missing" (66) apart without reading
 * zfs's wording.
 */
static void
why_not_created(struct ctx *ctx, const char *snap, const char *name,
    struct wserr *e)
{
	struct wserr	 qe;
	char		 parent[PATH_MAX], *slash;
	int		 yes;

	if (name == NULL)
		return;
	if (zfs_exists(ctx, name, &yes, &qe) == 0 && yes) {
		wserr_set(e, EX_CANTCREAT, "%s already exists", name);
		return;
	}
	if (snap != NULL && zfs_exists(ctx, snap, &yes, &qe) == 0 && !yes) {
		wserr_set(e, EX_NOINPUT, "%s: does not exist", snap);
		return;
	}
	(void)strlcpy(parent, name, sizeof(parent));
	if ((slash = strrchr(parent, '/')) == NULL)
		return;
	*slash = '\0';
	if (zfs_exists(ctx, parent, &yes, &qe) == 0 && !yes)
		wserr_set(e, EX_NOINPUT, "parent %s: does not exist", parent);
}

/* Why zfs snapshot of name would fail or failed: it exists (73), or
 * its dataset does not (66); e untouched otherwise. */
static void
why_no_snapshot(struct ctx *ctx, const char *name, struct wserr *e)
{
	char	*ds = xstrndup(name, strcspn(name, "@"));
	int	 yes;
	struct wserr qe;

	if (zfs_exists(ctx, name, &yes, &qe) == 0 && yes)
		wserr_set(e, EX_CANTCREAT, "%s already exists", name);
	else if (zfs_exists(ctx, ds, &yes, &qe) == 0 && !yes)
		wserr_set(e, EX_NOINPUT, "%s: does not exist", ds);
	free(ds);
}

/*
 * The mountpoint of a dataset just made: where the mount table has it
 * (no zfs call), else what zfs get says.  With -n nothing was made: it
 * is worked out from the -o mountpoint= given, or from the parent's.
 */
static int
new_mountpoint(struct ctx *ctx, const struct newds *nd, char **mp,
    struct wserr *e)
{
	struct zfs_dslist l;
	char		 parent[PATH_MAX];
	size_t		 i;

	*mp = NULL;
	if (!ctx->dry_run && (*mp = fs_mount_of(nd->name)) != NULL)
		return 0;
	if (!ctx->dry_run) {
		if (zfs_get_one(ctx, nd->name, ZPM(ZP_MOUNTPOINT) |
		    ZPM(ZP_MOUNTED), &l, e) == -1)
			return -1;
		if (state_mounted(&l.v[0]))
			*mp = xstrdup(l.v[0].val[ZP_MOUNTPOINT]);
		else
			wserr_set(e, EX_UNAVAILABLE, "%s is not mounted "
			    "(mountpoint %s)", nd->name,
			    l.v[0].val[ZP_MOUNTPOINT] ?
			    l.v[0].val[ZP_MOUNTPOINT] : "none");
		zfs_dslist_free(&l);
		return *mp != NULL ? 0 : -1;
	}
	for (i = 0; i < nd->props.n; i++)
		if (strncmp(nd->props.v[i], "mountpoint=", 11) == 0)
			*mp = xstrdup(nd->props.v[i] + 11);
	if (*mp != NULL)
		return 0;
	(void)strlcpy(parent, nd->name, sizeof(parent));
	*strrchr(parent, '/') = '\0';
	if (zfs_get_one(ctx, parent, ZPM(ZP_MOUNTPOINT), &l, e) == -1)
		return -1;
	*mp = xasprintf("%s/%s", l.v[0].val[ZP_MOUNTPOINT] ?
	    l.v[0].val[ZP_MOUNTPOINT] : "none", strrchr(nd->name, '/') + 1);
	zfs_dslist_free(&l);
	return 0;
}

struct listing {
	struct txn	*t;
	const char	*mp;
};

static void
list_removal(const char *rel, void *arg)
{
	struct listing	*l = arg;

	(void)txn_step(l->t, "remove %s/%s", l->mp, rel);
}

/* -j: what was made: the export, the owner. */
static struct json_object *
made_json(const struct newds *nd, const struct nfs_export *ex, int owning)
{
	struct json_object *o = json_object_new_object();

	if (ex != NULL)
		cmd_json_export(o, ex);
	if (owning)
		cmd_json_owner(o, nd->uid, nd->gid);
	return o;
}

/*
 * Remove what the filter matches from the new clone.  With -n the clone
 * does not exist: the snapshot is read where zfs shows it
 * (MOUNTPOINT/.zfs/snapshot/NAME); where it cannot be (zfs-fuse has no
 * .zfs), the plan names the globs instead.
 */
static int
apply_filter(struct txn *t, const struct newds *nd, const char *mp,
    struct wserr *e)
{
	struct listing	 l = { t, mp };
	size_t		 removed = 0, i, *hits;
	int		 fd, rc;

	if (nd->filter.n == 0 || nd->snap == NULL)
		return 0;
	if (t->ctx->dry_run) {
		struct zfs_dslist ol;
		char	*ds = xstrndup(nd->snap, strcspn(nd->snap, "@")), *p;

		fd = -1;
		if (zfs_get_one(t->ctx, ds, ZPM(ZP_MOUNTPOINT), &ol, e) == 0) {
			if (ol.v[0].val[ZP_MOUNTPOINT] != NULL) {
				p = xasprintf("%s/.zfs/snapshot/%s",
				    ol.v[0].val[ZP_MOUNTPOINT],
				    strchr(nd->snap, '@') + 1);
				fd = open(p, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
				free(p);
			}
			zfs_dslist_free(&ol);
		}
		free(ds);
		if (fd == -1) {
			for (i = 0; i < nd->filter.n; i++)
				(void)txn_step(t, "remove %s/%s", mp,
				    nd->filter.globs[i]);
			return 0;
		}
		hits = xcalloc(nd->filter.n + 1, sizeof(*hits));
		rc = filter_apply(&nd->filter, fd, mp, list_removal, &l,
		    &removed, hits, NULL, e);
		(void)close(fd);
		if (rc == 0)
			filter_report(&nd->filter, hits, mp, 0);
		free(hits);
		return rc;
	}
	if (txn_check(t, e) == -1)
		return -1;
	return filter_apply_mount(&nd->filter, nd->name, mp, t->ctx->verbose,
	    t->ctx->progress, e);
}

/* chown the new dataset's root (create) or whole tree (clone). */
static int
take_ownership(struct txn *t, const struct newds *nd, const char *mp,
    int tree, struct wserr *e)
{
	int	 mode = t->ctx->cfg.mode, fd, rc;

	/* a clone's whole tree; its root gets the mode, as create's does */
	if (tree && state_chown_tree(t, nd->name, mp, nd->uid, nd->gid,
	    e) == -1)
		return -1;
	if (tree && (mode < 0 || txn_step(t, "chmod %04o %s", mode, mp)))
		return 0;
	if (!tree && txn_step(t, "chown %lu:%lu %s", (unsigned long)nd->uid,
	    (unsigned long)nd->gid, mp)) {
		if (mode >= 0)
			(void)txn_step(t, "chmod %04o %s", mode, mp);
		return 0;
	}
	if (txn_check(t, e) == -1 ||
	    (fd = fs_open_mount(mp, nd->name, e)) == -1)
		return -1;
	rc = tree ? fs_chmod_root(fd, mp, mode, e) :
	    fs_chown_root(fd, mp, nd->uid, nd->gid, mode, e);
	(void)close(fd);
	return rc;
}

/*
 * The composite: make (create or clone) with the export's properties in
 * the same call, chown, export.  what says which parts.
 */
static int
make_dataset(struct ctx *ctx, int argc, char **argv, unsigned what,
    int chown_tree)
{
	struct newds	 nd;
	struct nfs_export ex;
	struct txn	 t;
	struct wserr	 e;
	char		 fsid[FSID_LEN + 1], *mp = NULL;
	int		 rc, exporting = (what & NEW_EXPORT) != 0;
	int		 owning = (what & NEW_IDS) != 0;

	memset(&ex, 0, sizeof(ex));
	if ((rc = newds_parse(ctx, argc, argv, what, &nd)) != CMD_GO_ON)
		goto out;
	if (exporting) {
		if (nfs_export_spec(ctx, nd.clients, nd.options, &ex, &e) == -1) {
			rc = cmd_fail(ctx, &e);
			goto out;
		}
		nfs_fsid_new(fsid);
		ex.fsid = xstrdup(fsid);
		strvec_pushf(&nd.props, "%s=%s", zfs_prop_name(ZP_FSID), fsid);
		strvec_pushf(&nd.props, "%s=%s", zfs_prop_name(ZP_CLIENTS),
		    ex.clients);
		strvec_pushf(&nd.props, "%s=%s", zfs_prop_name(ZP_OPTIONS),
		    ex.options);
	}
	/* -n checks what the run would find, with the same code */
	e.code = 0;
	if (ctx->dry_run)
		why_not_created(ctx, nd.snap, nd.name, &e);
	if (e.code != 0) {
		rc = cmd_fail(ctx, &e);
		goto out;
	}
	/* the filter stays with the dataset: replace applies it again */
	if ((what & NEW_FILTER) && nd.filter.n > 0) {
		char	*rec = filter_record(&nd.filter);

		strvec_pushf(&nd.props, "%s=%s", zfs_prop_name(ZP_FILTER), rec);
		free(rec);
	}
	txn_init(&t, ctx);
	if ((nd.snap != NULL ? zfs_clone(&t, nd.snap, nd.name, &nd.props, &e) :
	    zfs_create(&t, nd.name, &nd.props, &e)) == -1) {
		if (!ctx->dry_run)
			why_not_created(ctx, nd.snap, nd.name, &e);
		rc = cmd_rollback(&t, &e);
		goto out;
	}
	if (owning || exporting) {
		if (new_mountpoint(ctx, &nd, &mp, &e) == -1 ||
		    ((what & NEW_FILTER) && apply_filter(&t, &nd, mp,
		    &e) == -1) ||
		    (owning && take_ownership(&t, &nd, mp, chown_tree,
		    &e) == -1)) {
			rc = cmd_rollback(&t, &e);
			goto out;
		}
	}
	if (exporting) {
		ex.path = xstrdup(mp);
		if (nfs_publish(&t, &ex, 1, &e) == -1) {
			rc = cmd_rollback(&t, &e);
			goto out;
		}
	}
	if (txn_check(&t, &e) == -1) {
		rc = cmd_rollback(&t, &e);
		goto out;
	}
	rc = cmd_done(&t, nd.name, made_json(&nd, exporting ? &ex : NULL,
	    owning));
out:
	free(mp);
	nfs_export_free(&ex);
	strvec_clear(&nd.props);
	filter_free(&nd.filter);
	return rc;
}

/*
 * create-fs DATASET -u UID -g GID [-t TYPE] [-o PROP=VAL]...
 *     [--clients LIST] [--export-options OPTS]
 * Runs: zfs create -o ... -o warpstor:fsid=U -o warpstor:clients=C
 *     -o warpstor:options=O DATASET; zfs get (its mountpoint); chown (and
 *     chmod) of the mountpoint; the exports file; exportfs -o per client.
 */
int
cmd_create_fs(struct ctx *ctx, int argc, char **argv)
{
	return make_dataset(ctx, argc, argv, NEW_IDS | NEW_TYPE | NEW_PROPS |
	    NEW_EXPORT, 0);
}

/*
 * create-fs-no-export DATASET -u UID -g GID [-t TYPE] [-o PROP=VAL]...
 * Runs: zfs create; zfs get (its mountpoint); chown (and chmod).
 */
int
cmd_create_fs_no_export(struct ctx *ctx, int argc, char **argv)
{
	return make_dataset(ctx, argc, argv, NEW_IDS | NEW_TYPE | NEW_PROPS, 0);
}

/*
 * create-fs-only DATASET [-o PROP=VAL]...
 * Runs: zfs create.
 */
int
cmd_create_fs_only(struct ctx *ctx, int argc, char **argv)
{
	return make_dataset(ctx, argc, argv, NEW_PROPS, 0);
}

/*
 * clone SNAPSHOT DATASET -u UID -g GID [-o PROP=VAL]... [--clients LIST]
 *     [--export-options OPTS]
 * Runs: zfs clone -o ... -o warpstor:* SNAPSHOT DATASET; zfs get (its
 *     mountpoint); chown of the whole tree; the exports file; exportfs -o
 *     per client.
 */
int
cmd_clone(struct ctx *ctx, int argc, char **argv)
{
	return make_dataset(ctx, argc, argv, NEW_SNAP | NEW_IDS | NEW_PROPS |
	    NEW_EXPORT, 1);
}

/*
 * filtered-clone SNAPSHOT DATASET -u UID -g GID [-x GLOB]... [-X FILE]...
 *     [-o PROP=VAL]... [--clients LIST] [--export-options OPTS]
 * As clone, but first removes from the clone every path that a glob
 * matches (default: the configured filter_file).
 * Runs: zfs clone; zfs get; the removal; chown of the tree; the exports
 *     file; exportfs -o per client.
 */
int
cmd_filtered_clone(struct ctx *ctx, int argc, char **argv)
{
	return make_dataset(ctx, argc, argv, NEW_SNAP | NEW_IDS | NEW_PROPS |
	    NEW_EXPORT | NEW_FILTER, 1);
}

/*
 * clone-only SNAPSHOT DATASET [-o PROP=VAL]...
 * Runs: zfs clone.
 */
int
cmd_clone_only(struct ctx *ctx, int argc, char **argv)
{
	return make_dataset(ctx, argc, argv, NEW_SNAP | NEW_PROPS, 0);
}

/*
 * snapshot DATASET@NAME | DATASET NAME [-r]
 * Runs: zfs snapshot [-r] DATASET@NAME; prints the snapshot's name.
 */
int
cmd_snapshot(struct ctx *ctx, int argc, char **argv)
{
	struct txn	 t;
	struct wserr	 e;
	char		*name, v[VIS_BUFSZ];
	int		 recursive = 0, n, rc;

	if ((rc = cmd_parse(ctx, argc, argv, cmd_flag, &recursive, 1,
	    2)) != CMD_GO_ON)
		return rc;
	n = argc - optind;
	if (n == 2 && (strchr(argv[optind], '@') != NULL ||
	    strchr(argv[optind + 1], '@') != NULL)) {
		wserr_set(&e, EX_DATAERR, "'%s': %s", vis_str(v, sizeof(v),
		    argv[optind + (strchr(argv[optind], '@') == NULL)]),
		    strchr(argv[optind], '@') != NULL ? "a dataset name holds "
		    "no '@' (give DATASET@NAME alone)" : "a snapshot's NAME "
		    "holds no '@'");
		return cmd_fail(ctx, &e);
	}
	name = n == 2 ? xasprintf("%s@%s", argv[optind], argv[optind + 1]) :
	    xstrdup(argv[optind]);
	if (valid_snapshot(name, &e) == -1) {
		free(name);
		return cmd_fail(ctx, &e);
	}
	/* -n checks what the run would find, with the same code */
	e.code = 0;
	if (ctx->dry_run)
		why_no_snapshot(ctx, name, &e);
	if (e.code != 0) {
		free(name);
		return cmd_fail(ctx, &e);
	}
	txn_init(&t, ctx);
	if (zfs_snapshot(&t, name, recursive, &e) == -1) {
		why_no_snapshot(ctx, name, &e);
		rc = cmd_rollback(&t, &e);
	} else
		rc = cmd_done(&t, name, NULL);
	free(name);
	return rc;
}
