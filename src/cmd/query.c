/*
 * query.c: the read-only commands about datasets: list-vols,
 * list-filesystems, list-snapshots, exists, snapshot-exists, used-space,
 * available-space, vfsid, info.  Each makes exactly one zfs call, takes
 * no lock and changes nothing.
 */
#include <sys/stat.h>

#include <fnmatch.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd/cmd.h"
#include "model/deferred.h"
#include "model/dsname.h"
#include "nfs/nfs.h"
#include "lib/output.h"
#include "model/state.h"
#include "lib/validate.h"
#include "zfs/zfs.h"

#ifndef WARPSTOR_VERSION
#define WARPSTOR_VERSION "0.0.0"
#endif

/* The optional PATTERN operand: NULL when absent, or checked. */
static int
pattern_arg(struct ctx *ctx, int argc, char **argv, const char **pattern)
{
	struct wserr	 e;

	*pattern = NULL;
	if (optind < argc) {
		if (valid_pattern(argv[optind], &e) == -1)
			return cmd_fail(ctx, &e);
		*pattern = argv[optind];
	}
	return CMD_GO_ON;
}

static int
matches(const char *pattern, const char *name)
{
	return pattern == NULL || fnmatch(pattern, name, 0) == 0;
}

static int
cmp_ds_name(const void *a, const void *b)
{
	return strcmp(((const struct zfs_ds *)a)->name,
	    ((const struct zfs_ds *)b)->name);
}

static long long
num(const char *s)
{
	const char *errstr;
	long long n;

	n = s == NULL ? 0 : strtonum(s, 0, LLONG_MAX, &errstr);
	return s == NULL || errstr != NULL ? 0 : n;
}

/*
 * Oldest first, as zfs list -s creation -s createtxg sorts: by creation
 * (seconds), then createtxg (exact within a pool), then name.
 */
static int
cmp_snap_age(const void *a, const void *b)
{
	const struct zfs_ds *l = a, *r = b;
	long long lc = num(l->val[ZP_CREATION]), rc = num(r->val[ZP_CREATION]);
	size_t	 ll, rl;
	int	 c;

	if (lc != rc)
		return lc < rc ? -1 : 1;
	lc = num(l->val[ZP_CREATETXG]);
	rc = num(r->val[ZP_CREATETXG]);
	if (lc != rc)
		return lc < rc ? -1 : 1;
	/* as zfs breaks ties: the dataset part alone first */
	ll = ds_fs_len(l->name);
	rl = ds_fs_len(r->name);
	c = strncmp(l->name, r->name, ll < rl ? ll : rl);
	if (c == 0 && ll != rl)
		c = ll < rl ? -1 : 1;
	return c != 0 ? c : strcmp(l->name, r->name);
}

/* The JSON object of a filesystem or volume. */
static struct json_object *
fs_json(const struct zfs_ds *d)
{
	struct json_object *o = json_object_new_object();
	int	 exported = state_exported(d);

	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "used", out_jnum(d->val[ZP_USED]));
	json_object_object_add(o, "available", out_jnum(d->val[ZP_AVAILABLE]));
	json_object_object_add(o, "mountpoint", out_jstr(d->val[ZP_MOUNTPOINT]));
	json_object_object_add(o, "origin", out_jstr(d->val[ZP_ORIGIN]));
	json_object_object_add(o, "exported", json_object_new_boolean(exported));
	json_object_object_add(o, "fsid", out_jstr(exported ?
	    d->val[ZP_FSID] : NULL));
	return o;
}

#define FS_PROPS	(ZPM(ZP_TYPE) | ZPM(ZP_USED) | ZPM(ZP_AVAILABLE) | \
	ZPM(ZP_MOUNTPOINT) | ZPM(ZP_ORIGIN) | STATE_EXPORT_PROPS)

/*
 * Filesystems as JSON, sorted by name: zfs get -H -p -o
 * name,property,value,source PROPS [-d DEPTH] of filesystems and volumes
 * (zfs_get_datasets: one call on OpenZFS, list + get on zfs-fuse).
 */
static int
list_fs_json(struct ctx *ctx, const char *pattern, int depth)
{
	struct zfs_dslist l;
	struct json_object *a;
	struct wserr	 e;
	size_t		 i;

	if (zfs_get_datasets(ctx, FS_PROPS, NULL, depth, &l, &e) == -1)
		return cmd_fail(ctx, &e);
	sort_items(l.v, l.n, sizeof(l.v[0]), cmp_ds_name);
	a = json_object_new_array();
	for (i = 0; i < l.n; i++)
		if (state_is_type(&l.v[i], "filesystem") &&
		    matches(pattern, l.v[i].name))
			json_object_array_add(a, fs_json(&l.v[i]));
	out_json(a);
	zfs_dslist_free(&l);
	return 0;
}

/* Names from one zfs list, filtered, optionally sorted, one a line. */
static int
list_names(struct ctx *ctx, const char *types, int by_creation, int depth,
    const char *pattern, int sort)
{
	struct zfs_names l;
	struct wserr	 e;
	size_t		 i;

	if (zfs_list_names(ctx, types, by_creation, depth, &l, &e) == -1)
		return cmd_fail(ctx, &e);
	if (sort)
		sort_items(l.v, l.n, sizeof(l.v[0]), cmp_str);
	for (i = 0; i < l.n; i++)
		if (matches(pattern, l.v[i]))
			(void)puts(l.v[i]);
	zfs_names_free(&l);
	return 0;
}

/*
 * list-vols
 * The pools' root datasets, by name.
 * Runs: zfs list -H -o name -t filesystem -d 0
 * (-j: zfs get -H -p -o name,property,value,source ... -d 0)
 */
int
cmd_list_vols(struct ctx *ctx, int argc, char **argv)
{
	int	 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 0, 0)) != CMD_GO_ON)
		return rc;
	if (ctx->json)
		return list_fs_json(ctx, NULL, 0);
	return list_names(ctx, "filesystem", 0, 0, NULL, 1);
}

/*
 * list-filesystems [PATTERN]
 * Filesystem names, sorted by name (byte order); PATTERN is a glob on
 * the full name.
 * Runs: zfs list -H -o name -t filesystem
 * (-j: zfs get -H -p -o name,property,value,source ...)
 */
int
cmd_list_filesystems(struct ctx *ctx, int argc, char **argv)
{
	const char *pattern;
	int	 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 0, 1)) != CMD_GO_ON ||
	    (rc = pattern_arg(ctx, argc, argv, &pattern)) != CMD_GO_ON)
		return rc;
	if (ctx->json)
		return list_fs_json(ctx, pattern, -1);
	return list_names(ctx, "filesystem", 0, -1, pattern, 1);
}

/*
 * list-snapshots [DATASET | PATTERN]
 * Snapshot names, oldest first; a plain dataset name (no '@', no glob)
 * means its snapshots.
 * Runs: zfs list -H -o name -t snapshot -s creation -s createtxg
 * (-j: zfs get -H -p -o name,property,value,source type,creation,used,createtxg)
 */
int
cmd_list_snapshots(struct ctx *ctx, int argc, char **argv)
{
	struct zfs_dslist l;
	struct json_object *a, *o;
	struct wserr	 e;
	const char	*pattern;
	char		*mine = NULL;
	size_t		 i;
	int		 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 0, 1)) != CMD_GO_ON ||
	    (rc = pattern_arg(ctx, argc, argv, &pattern)) != CMD_GO_ON)
		return rc;
	if (pattern != NULL && strpbrk(pattern, "@*?[") == NULL)
		pattern = mine = xasprintf("%s@*", pattern);
	if (!ctx->json) {
		rc = list_names(ctx, "snapshot", 1, -1, pattern, 0);
		free(mine);
		return rc;
	}
	if (zfs_get(ctx, ZPM(ZP_TYPE) | ZPM(ZP_CREATION) | ZPM(ZP_USED) |
	    ZPM(ZP_CREATETXG), NULL, -1, &l, &e) == -1) {
		free(mine);
		return cmd_fail(ctx, &e);
	}
	sort_items(l.v, l.n, sizeof(l.v[0]), cmp_snap_age);
	a = json_object_new_array();
	for (i = 0; i < l.n; i++) {
		if (!state_is_type(&l.v[i], "snapshot") ||
		    !matches(pattern, l.v[i].name))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name",
		    json_object_new_string(l.v[i].name));
		json_object_object_add(o, "creation",
		    out_jnum(l.v[i].val[ZP_CREATION]));
		json_object_object_add(o, "used", out_jnum(l.v[i].val[ZP_USED]));
		json_object_array_add(a, o);
	}
	out_json(a);
	zfs_dslist_free(&l);
	free(mine);
	return 0;
}

/* exists and snapshot-exists: 0 yes, 1 no, >= 64 error. */
static int
exists(struct ctx *ctx, int argc, char **argv, int snapshot)
{
	struct wserr	 e;
	const char	*name;
	int		 rc, yes;

	if ((rc = cmd_one_name(ctx, argc, argv, snapshot, &name)) != CMD_GO_ON)
		return rc;
	if (zfs_exists(ctx, name, &yes, &e) == -1)
		return cmd_fail(ctx, &e);
	if (ctx->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "exists",
		    json_object_new_boolean(yes));
		out_json(o);
	}
	return yes ? 0 : 1;
}

/*
 * exists DATASET
 * Exit 0 if the filesystem or volume exists, 1 if not.
 * Runs: zfs list -H -o name DATASET
 */
int
cmd_exists(struct ctx *ctx, int argc, char **argv)
{
	return exists(ctx, argc, argv, 0);
}

/*
 * snapshot-exists SNAPSHOT
 * Exit 0 if the snapshot exists, 1 if not.
 * Runs: zfs list -H -o name -t snapshot SNAPSHOT
 */
int
cmd_snapshot_exists(struct ctx *ctx, int argc, char **argv)
{
	return exists(ctx, argc, argv, 1);
}

/* used-space and available-space. */
static int
space(struct ctx *ctx, int argc, char **argv, enum zprop prop)
{
	struct zfs_dslist l;
	struct wserr	 e;
	const char	*vol;
	int		 human = 0, rc;

	if ((rc = cmd_parse(ctx, argc, argv, cmd_flag, &human, 0, 1)) !=
	    CMD_GO_ON)
		return rc;
	vol = optind < argc ? argv[optind] : ctx->cfg.default_volume;
	if (valid_dataset(vol, &e) == -1 ||
	    zfs_get(ctx, ZPM(prop), vol, -1, &l, &e) == -1)
		return cmd_fail(ctx, &e);
	if (l.n != 1) {
		zfs_dslist_free(&l);
		wserr_set(&e, EX_UNAVAILABLE, "unexpected zfs output: %zu "
		    "datasets for one", l.n);
		return cmd_fail(ctx, &e);
	}
	if (ctx->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(vol));
		json_object_object_add(o, zfs_prop_name(prop),
		    out_jnum(l.v[0].val[prop]));
		out_json(o);
	} else
		out_size(l.v[0].val[prop], human);
	zfs_dslist_free(&l);
	return 0;
}

/*
 * used-space [VOL] [--human]
 * Bytes used by VOL (default: default_volume).
 * Runs: zfs get -H -p -o name,property,value,source used VOL
 */
int
cmd_used_space(struct ctx *ctx, int argc, char **argv)
{
	return space(ctx, argc, argv, ZP_USED);
}

/*
 * available-space [VOL] [--human]
 * Bytes available to VOL (default: default_volume).
 * Runs: zfs get -H -p -o name,property,value,source available VOL
 */
int
cmd_available_space(struct ctx *ctx, int argc, char **argv)
{
	return space(ctx, argc, argv, ZP_AVAILABLE);
}

/*
 * vfsid DATASET
 * The fsid of DATASET's export; 66 when it is not exported.
 * Runs: zfs get -H -p -o name,property,value,source warpstor:fsid,... DATASET
 */
int
cmd_vfsid(struct ctx *ctx, int argc, char **argv)
{
	struct zfs_dslist l;
	struct wserr	 e;
	const char	*name, *fsid;
	int		 rc;

	if ((rc = cmd_one_name(ctx, argc, argv, 0, &name)) != CMD_GO_ON)
		return rc;
	if (zfs_get_one(ctx, name, STATE_EXPORT_PROPS, &l, &e) == -1)
		return cmd_fail(ctx, &e);
	state_warn_one(ctx, &l.v[0]);
	fsid = l.v[0].val[ZP_FSID];
	if (!state_exported(&l.v[0])) {
		zfs_dslist_free(&l);
		wserr_set(&e, EX_NOINPUT, "%s: not exported", name);
		return cmd_fail(ctx, &e);
	}
	if (ctx->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "fsid", json_object_new_string(fsid));
		out_json(o);
	} else
		(void)puts(fsid);
	zfs_dslist_free(&l);
	return 0;
}

#define INFO_PROPS	(ZPM(ZP_TYPE) | ZPM(ZP_ORIGIN) | ZPM(ZP_CREATION) | \
	ZPM(ZP_USED) | ZPM(ZP_AVAILABLE) | ZPM(ZP_REFERENCED) | \
	ZPM(ZP_MOUNTPOINT) | ZPM(ZP_MOUNTED) | STATE_EXPORT_PROPS)

/* What info shows beside the properties. */
struct info {
	const char	*owner;		/* UID:GID of the mounted root, or NULL */
	int		 exported;
	long long	 deferred;	/* a destroy deferred since, or 0 */
	int		 human;		/* --human: dates and sizes as zfs */
};

#define LOCAL(d, p)	((d)->local & ZPM(p) ? (d)->val[p] : NULL)

static void
info_json(const struct zfs_ds *d, const struct info *in)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "type", out_jstr(d->val[ZP_TYPE]));
	json_object_object_add(o, "origin", out_jstr(d->val[ZP_ORIGIN]));
	json_object_object_add(o, "creation", out_jnum(d->val[ZP_CREATION]));
	json_object_object_add(o, "used", out_jnum(d->val[ZP_USED]));
	json_object_object_add(o, "available", out_jnum(d->val[ZP_AVAILABLE]));
	json_object_object_add(o, "referenced",
	    out_jnum(d->val[ZP_REFERENCED]));
	json_object_object_add(o, "mountpoint", out_jstr(d->val[ZP_MOUNTPOINT]));
	json_object_object_add(o, "owner", out_jstr(in->owner));
	json_object_object_add(o, "exported",
	    json_object_new_boolean(in->exported));
	json_object_object_add(o, "fsid", out_jstr(LOCAL(d, ZP_FSID)));
	json_object_object_add(o, "clients", out_jstr(LOCAL(d, ZP_CLIENTS)));
	json_object_object_add(o, "options", out_jstr(LOCAL(d, ZP_OPTIONS)));
	json_object_object_add(o, "destroy_deferred", in->deferred > 0 ?
	    json_object_new_int64(in->deferred) : NULL);
	out_json(o);
}

static void
info_text(const struct zfs_ds *d, const struct info *in)
{
	char	 when[64], b[4][32];

#define ROW(k, v)	(void)printf("%-11s%s\n", k, (v) != NULL ? (v) : "-")
	ROW("name", d->name);
	ROW("type", d->val[ZP_TYPE]);
	ROW("origin", d->val[ZP_ORIGIN]);
	ROW("creation", in->human ? out_iso8601(d->val[ZP_CREATION], b[0],
	    sizeof(b[0])) : d->val[ZP_CREATION]);
	ROW("used", in->human ? out_human_size(d->val[ZP_USED], b[1],
	    sizeof(b[1])) : d->val[ZP_USED]);
	ROW("available", in->human ? out_human_size(d->val[ZP_AVAILABLE],
	    b[2], sizeof(b[2])) : d->val[ZP_AVAILABLE]);
	ROW("referenced", in->human ? out_human_size(d->val[ZP_REFERENCED],
	    b[3], sizeof(b[3])) : d->val[ZP_REFERENCED]);
	ROW("mountpoint", d->val[ZP_MOUNTPOINT]);
	ROW("owner", in->owner);
	ROW("exported", in->exported ? "yes" : "no");
	ROW("fsid", LOCAL(d, ZP_FSID));
	ROW("clients", LOCAL(d, ZP_CLIENTS));
	ROW("options", LOCAL(d, ZP_OPTIONS));
	if (in->deferred > 0) {
		(void)snprintf(when, sizeof(when), "deferred since %lld (the "
		    "NFS server holds it)", in->deferred);
		ROW("destroy", when);
	}
#undef ROW
}

#undef LOCAL

/*
 * info DATASET [--human]
 * name, type, origin, creation, used, available, referenced, mountpoint,
 * owner (of the mounted mountpoint), exported, fsid, clients, options.
 * --human: creation in ISO 8601 (UTC), sizes as zfs prints them.
 * Runs: zfs get -H -p -o name,property,value,source ... DATASET
 */
int
cmd_info(struct ctx *ctx, int argc, char **argv)
{
	struct zfs_dslist l;
	struct wserr	 e;
	struct stat	 sb;
	struct info	 in = { NULL, 0, 0, 0 };
	const char	*name;
	char		 owner[64];
	int		 rc;

	if ((rc = cmd_parse(ctx, argc, argv, cmd_flag, &in.human, 1, 1)) !=
	    CMD_GO_ON)
		return rc;
	name = argv[optind];
	if (valid_dataset_or_snapshot(name, &e) == -1 ||
	    zfs_get_one(ctx, name, INFO_PROPS, &l, &e) == -1)
		return cmd_fail(ctx, &e);
	if (state_mounted(&l.v[0]) && lstat(l.v[0].val[ZP_MOUNTPOINT],
	    &sb) == 0) {
		(void)snprintf(owner, sizeof(owner), "%lu:%lu",
		    (unsigned long)sb.st_uid, (unsigned long)sb.st_gid);
		in.owner = owner;
	}
	state_warn_one(ctx, &l.v[0]);
	in.exported = state_exported(&l.v[0]);
	in.deferred = deferred_since(ctx, name);
	if (ctx->json)
		info_json(&l.v[0], &in);
	else
		info_text(&l.v[0], &in);
	zfs_dslist_free(&l);
	return 0;
}
