/*
 * cmd_replace.c: replace and rebuild-vol, the commands that change what
 * is behind an export while the export itself stays.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "fsops.h"
#include "nfs.h"
#include "state.h"
#include "txn.h"
#include "validate.h"
#include "zfs.h"

static const struct zfs_ds *
find(const struct zfs_dslist *l, const char *name)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

static int
is_type(const struct zfs_ds *d, const char *type)
{
	return d != NULL && d->val[ZP_TYPE] != NULL &&
	    strcmp(d->val[ZP_TYPE], type) == 0;
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

/*
 * What replace looks at: every filesystem (for children and clones),
 * NAME's snapshots (the origins of its clones) and SOURCE where it is a
 * snapshot of another dataset, and no other snapshot.
 */
static int
replace_query(struct ctx *ctx, const char *name, const char *source,
    struct zfs_dslist *l, struct wserr *e)
{
	const unsigned	 mask = STATE_PROPS | ZPM(ZP_CREATETXG);
	struct zfs_dslist m;
	size_t		 dl = strcspn(source, "@");

	if (zfs_get_datasets(ctx, mask, NULL, -1, l, e) == -1)
		return -1;
	if (zfs_get(ctx, mask, name, 1, &m, e) == -1)
		goto fail;
	zfs_dslist_merge(l, &m);
	if (source[dl] == '@' && (strncmp(source, name, dl) != 0 ||
	    name[dl] != '\0')) {
		if (zfs_get(ctx, mask, source, -1, &m, e) == -1)
			goto fail;
		zfs_dslist_merge(l, &m);
	}
	return 0;
fail:
	zfs_dslist_free(l);
	return -1;
}

static long long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * replace DATASET SOURCE -u UID -g GID [--keep NAME]
 * DATASET's content becomes SOURCE (a snapshot, cloned under a temporary
 * name next to DATASET; or a dataset, taken over), owned by UID:GID and
 * exported at the same path with the same fsid, clients and options.
 * The new content is made ready first; then the switch: withdraw,
 * unmount, rename the old away, rename the new into place, mount,
 * export, exportfs -f.  Then the old is destroyed (after promoting the
 * new when SOURCE is a snapshot of DATASET itself), or kept as NAME.
 * Runs: zfs get of every filesystem (zfs_get_datasets), zfs get -d 1 NAME
 * [zfs get SOURCE], zfs clone, zfs get, chown, exportfs -u,
 * zfs umount x2, zfs rename x2, zfs mount, the exports file, exportfs -o,
 * exportfs -f, [zfs promote], zfs destroy -r | zfs rename, zfs mount.
 */
int
cmd_replace(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "keep", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct zfs_dslist l;
	const struct zfs_ds *old, *src, *d;
	struct nfs_export ex;
	struct strvec	 props = STRVEC_INIT;
	struct buf	 deps = { NULL, 0, 0 };
	struct txn	 t;
	struct wserr	 e;
	const char	*name, *source, *keep = NULL, *user = NULL;
	const char	*group = NULL, *path;
	char		*newtmp = NULL, *oldtmp = NULL, *newmp = NULL;
	char		*srcds = NULL, *mps[2];
	uid_t		 uid;
	gid_t		 gid;
	size_t		 i, plen;
	long long	 t0 = 0;
	int		 ch, rc, exported, self = 0, fd;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":g:hu:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'g':
			group = optarg;
			break;
		case 'h':
			return cmd_help(ctx);
		case 'k':
			keep = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case ':':
			return cmd_usage(ctx, "option '%s' needs a value",
			    argv[optind - 1]);
		default:
			return cmd_badopt(ctx, argv, ch);
		}
	}
	if (argc - optind != 2)
		return cmd_usage(ctx, argc - optind < 2 ? "missing operand" :
		    "too many operands");
	if (user == NULL || group == NULL)
		return cmd_usage(ctx, "-u UID and -g GID are required");
	name = argv[optind];
	source = argv[optind + 1];
	if (valid_dataset(name, &e) == -1 ||
	    valid_dataset_or_snapshot(source, &e) == -1 ||
	    (keep != NULL && valid_dataset(keep, &e) == -1) ||
	    parse_uid(user, &uid, &e) == -1 || parse_gid(group, &gid, &e) == -1)
		return cmd_fail(ctx, &e);
	if (strchr(name, '/') == NULL) {
		wserr_set(&e, EX_NOPERM, "refusing to replace %s: it is a "
		    "volume (a pool's root)", name);
		return cmd_fail(ctx, &e);
	}
	plen = strcspn(name, "/");
	if (keep != NULL && (strncmp(keep, name, plen) != 0 ||
	    keep[plen] != '/')) {
		wserr_set(&e, EX_DATAERR, "--keep %s: must be in %.*s, the "
		    "volume of %s", keep, (int)plen, name, name);
		return cmd_fail(ctx, &e);
	}
	if (replace_query(ctx, name, source, &l, &e) == -1)
		return cmd_fail(ctx, &e);
	memset(&ex, 0, sizeof(ex));
	txn_init(&t, ctx);

	/* Everything is checked before the first change. */
	old = find(&l, name);
	src = find(&l, source);
	if (old == NULL || !is_type(old, "filesystem"))
		wserr_set(&e, EX_NOINPUT, "%s: %s", name, old == NULL ?
		    "does not exist" : "not a filesystem");
	else if (src == NULL)
		wserr_set(&e, EX_NOINPUT, "%s: does not exist", source);
	else if (!state_mounted(old))
		wserr_set(&e, EX_UNAVAILABLE, "%s is not mounted", name);
	else if (old->local & ZPM(ZP_MOUNTPOINT))
		wserr_set(&e, EX_NOPERM, "%s has a mountpoint property of its "
		    "own; replace works on inherited mountpoints", name);
	else if (keep != NULL && find(&l, keep) != NULL)
		wserr_set(&e, EX_CANTCREAT, "%s already exists", keep);
	else
		e.code = 0;
	for (i = 0; e.code == 0 && i < l.n; i++) {
		d = &l.v[i];
		if (strncmp(d->name, name, strlen(name)) == 0 &&
		    d->name[strlen(name)] == '/')
			wserr_set(&e, EX_NOPERM, "%s has child datasets (%s); "
			    "replace works on a dataset without children",
			    name, d->name);
	}
	if (e.code == 0 && strchr(source, '@') == NULL) {
		if (!is_type(src, "filesystem") || strcmp(source, name) == 0 ||
		    state_in_tree(source, name) || state_in_tree(name, source))
			wserr_set(&e, EX_DATAERR, "%s cannot replace %s: a "
			    "source dataset is another filesystem, outside it",
			    source, name);
		else if (!state_mounted(src))
			wserr_set(&e, EX_UNAVAILABLE, "%s is not mounted",
			    source);
		for (i = 0; e.code == 0 && i < l.n; i++)
			if (strncmp(l.v[i].name, source, strlen(source)) == 0 &&
			    l.v[i].name[strlen(source)] == '/')
				wserr_set(&e, EX_NOPERM, "%s has child "
				    "datasets", source);
	}
	if (e.code == 0 && strchr(source, '@') != NULL) {
		srcds = xstrndup(source, strcspn(source, "@"));
		self = strcmp(srcds, name) == 0;
	}
	/*
	 * The old one goes unless kept: clones of its snapshots would stop
	 * that, except those that a promote hands to the new one (the
	 * snapshots up to SOURCE, when SOURCE is one of DATASET's).
	 */
	for (i = 0; e.code == 0 && keep == NULL && i < l.n; i++) {
		const char *o = l.v[i].val[ZP_ORIGIN];

		d = &l.v[i];
		if (o == NULL || strncmp(o, name, strlen(name)) != 0 ||
		    o[strlen(name)] != '@')
			continue;
		if (self && txg(find(&l, o)) <= txg(src))
			continue;
		if (deps.len > 0)
			buf_append(&deps, ", ", 2);
		buf_append(&deps, d->name, strlen(d->name));
	}
	if (e.code == 0 && deps.len > 0)
		wserr_set(&e, EX_NOPERM, "%s has dependent clones: %s; promote "
		    "them first, or use --keep", name, deps.data);
	if (e.code != 0 || old == NULL || src == NULL) {
		rc = cmd_fail(ctx, &e);
		goto out;
	}

	state_warn_one(ctx, old);
	state_warn_one(ctx, src);
	exported = state_exported(old);
	path = old->val[ZP_MOUNTPOINT];
	if (exported)
		state_export(old, NULL, &ex);
	/*
	 * With --keep the old content goes straight to NAME in the switch: a
	 * second rename later would make zfs remount the new dataset (a
	 * dependent clone of the old one's snapshot, in the self case).
	 */
	oldtmp = keep != NULL ? xstrdup(keep) : state_temp_name(name, "wsold");

	/* 1. The new content, ready beside the old. */
	if (srcds != NULL) {
		newtmp = state_temp_name(name, "wsnew");
		if (exported) {
			strvec_pushf(&props, "%s=%s", zfs_prop_name(ZP_FSID),
			    ex.fsid);
			strvec_pushf(&props, "%s=%s",
			    zfs_prop_name(ZP_CLIENTS), ex.clients);
			strvec_pushf(&props, "%s=%s",
			    zfs_prop_name(ZP_OPTIONS), ex.options);
		}
		if (zfs_clone(&t, source, newtmp, &props, &e) == -1)
			goto fail;
		if (ctx->dry_run) {
			char	*dir = xstrndup(path, strrchr(path, '/') - path);

			newmp = xasprintf("%s/%s", dir, strrchr(newtmp, '/') + 1);
			free(dir);
		} else {
			struct zfs_dslist nl;

			if (zfs_get_one(ctx, newtmp, ZPM(ZP_MOUNTPOINT) |
			    ZPM(ZP_MOUNTED), &nl, &e) == -1)
				goto fail;
			if (state_mounted(&nl.v[0]))
				newmp = xstrdup(nl.v[0].val[ZP_MOUNTPOINT]);
			zfs_dslist_free(&nl);
			if (newmp == NULL) {
				wserr_set(&e, EX_UNAVAILABLE, "%s is not "
				    "mounted", newtmp);
				goto fail;
			}
		}
	} else {
		/* A dataset is taken over: its own export goes first. */
		newtmp = xstrdup(source);
		newmp = xstrdup(src->val[ZP_MOUNTPOINT]);
		if (state_exported(src)) {
			struct nfs_export sx;

			memset(&sx, 0, sizeof(sx));
			state_export(src, NULL, &sx);
			rc = nfs_withdraw(&t, &sx, 1, &e);
			nfs_export_free(&sx);
			if (rc == -1)
				goto fail;
		}
#define SRCLOCAL(p)	(src->local & ZPM(p) ? src->val[p] : NULL)
		if (exported) {
			if (zfs_set(&t, source, zfs_prop_name(ZP_FSID), ex.fsid,
			    SRCLOCAL(ZP_FSID), &e) == -1 ||
			    zfs_set(&t, source, zfs_prop_name(ZP_CLIENTS),
			    ex.clients, SRCLOCAL(ZP_CLIENTS), &e) == -1 ||
			    zfs_set(&t, source, zfs_prop_name(ZP_OPTIONS),
			    ex.options, SRCLOCAL(ZP_OPTIONS), &e) == -1)
				goto fail;
		} else if ((SRCLOCAL(ZP_CLIENTS) != NULL && zfs_inherit(&t,
		    source, zfs_prop_name(ZP_CLIENTS), SRCLOCAL(ZP_CLIENTS),
		    &e) == -1) || (SRCLOCAL(ZP_FSID) != NULL && zfs_inherit(&t,
		    source, zfs_prop_name(ZP_FSID), SRCLOCAL(ZP_FSID),
		    &e) == -1))
			goto fail;
#undef SRCLOCAL
	}
	if (txn_step(&t, "chown -R %lu:%lu %s", (unsigned long)uid,
	    (unsigned long)gid, newmp) == 0) {
		size_t	 count;

		if (txn_check(&t, &e) == -1 ||
		    (fd = fs_open_mount(newmp, newtmp, &e)) == -1)
			goto fail;
		rc = fs_chown_tree(fd, newmp, uid, gid, &count, &e);
		(void)close(fd);
		if (rc == -1)
			goto fail;
	}

	/* 2. The switch, as short as it can be. */
	state_release(ctx, name, path);
	t0 = now_ms();
	mps[0] = (char *)path;
	mps[1] = newmp;
	if (exported && nfs_withdraw(&t, &ex, 1, &e) == -1)
		goto fail;
	if (state_umount(&t, name, 0, &e) == -1 ||
	    state_umount(&t, newtmp, 0, &e) == -1 ||
	    zfs_rename(&t, name, oldtmp, &e) == -1 ||
	    zfs_rename(&t, newtmp, name, &e) == -1) {
		fs_note_holders(&e, mps, 2);
		goto fail;
	}
	if (zfs_mount(&t, name, &e) == -1)
		goto fail;
	if (!ctx->dry_run) {
		/* the same path, now the new filesystem */
		if ((fd = fs_open_mount(path, name, &e)) == -1)
			goto fail;
		(void)close(fd);
	}
	if (exported && (nfs_publish(&t, &ex, 1, &e) == -1 ||
	    nfs_flush(&t, &e) == -1))
		goto fail;
	if (ctx->verbose && !ctx->dry_run)
		(void)fprintf(stderr, "replace: %s was switched in %lld ms\n",
		    name, now_ms() - t0);

	/* 3. The old content: kept under NAME, or destroyed. */
	if (keep != NULL) {
		if ((exported && (zfs_inherit(&t, oldtmp,
		    zfs_prop_name(ZP_CLIENTS), ex.clients, &e) == -1 ||
		    zfs_inherit(&t, oldtmp, zfs_prop_name(ZP_OPTIONS),
		    ex.options, &e) == -1 || zfs_inherit(&t, oldtmp,
		    zfs_prop_name(ZP_FSID), ex.fsid, &e) == -1)) ||
		    zfs_mount(&t, keep, &e) == -1)
			goto fail;
	} else {
		if (self && zfs_promote(&t, name, oldtmp, &e) == -1)
			goto fail;
		if (state_destroy(&t, oldtmp, "-r", 0, &e) == -1)
			goto fail;
	}
	if (txn_check(&t, &e) == -1)
		goto fail;
	txn_commit(&t);
	if (!ctx->dry_run)
		(void)puts(name);
	rc = 0;
	goto out;
fail:
	rc = txn_fail(&t, &e);
out:
	free(newtmp);
	free(oldtmp);
	free(newmp);
	free(srcds);
	buf_free(&deps);
	strvec_clear(&props);
	nfs_export_free(&ex);
	zfs_dslist_free(&l);
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
	struct zfs_dslist l;
	struct nfs_export *exs = NULL;
	struct txn	 t;
	struct wserr	 e;
	const char	*vol;
	char		**mnt = NULL, **mps = NULL, **gone = NULL;
	size_t		 i, nex = 0, nmnt = 0, ngone = 0, nds = 0, nsnap = 0;
	size_t		 vlen;
	int		 rc, yes;

	if ((rc = cmd_operands(ctx, argc, argv, 0, 1)) != -1)
		return rc;
	vol = optind < argc ? argv[optind] : ctx->cfg.default_volume;
	if (valid_dataset(vol, &e) == -1)
		return cmd_fail(ctx, &e);
	if (strchr(vol, '/') != NULL) {
		wserr_set(&e, EX_DATAERR, "%s is not a volume (a pool's root "
		    "dataset)", vol);
		return cmd_fail(ctx, &e);
	}
	if (zfs_get(ctx, STATE_PROPS, vol, ZFS_RECURSE, &l, &e) == -1)
		return cmd_fail(ctx, &e);
	state_warn_invalid(ctx, &l);
	vlen = strlen(vol);
	exs = xcalloc(l.n, sizeof(*exs));
	mnt = xcalloc(l.n, sizeof(*mnt));
	mps = xcalloc(l.n, sizeof(*mps));
	gone = xcalloc(l.n, sizeof(*gone));
	for (i = 0; i < l.n; i++) {
		const struct zfs_ds *d = &l.v[i];
		const char *rest = d->name + vlen;

		if (*rest == '\0')
			continue;	/* VOL itself stays */
		if (strchr(d->name, '@') != NULL)
			nsnap++;
		else
			nds++;
		/* what to destroy: VOL's snapshots and VOL's children */
		if (*rest == '@' || strpbrk(rest + 1, "/@") == NULL)
			gone[ngone++] = d->name;
		if (state_withdrawable(d))
			state_export(d, NULL, &exs[nex++]);
		if (state_mounted(d) && is_type(d, "filesystem")) {
			mnt[nmnt] = d->name;
			mps[nmnt++] = d->val[ZP_MOUNTPOINT];
		}
	}
	if (!ctx->yes && !ctx->dry_run) {
		if (!isatty(STDIN_FILENO)) {
			rc = cmd_usage(ctx, "give -y to destroy everything in "
			    "%s (stdin is not a terminal to ask)", vol);
			goto out;
		}
		if (!confirmed(vol, nds, nsnap)) {
			rc = cmd_usage(ctx, "not confirmed: nothing was "
			    "destroyed");
			goto out;
		}
	}
	txn_init(&t, ctx);
	if (state_take_down(&t, exs, nex, mnt, mps, nmnt, 0, &e) == -1)
		goto fail;
	/* Snapshots of VOL first (-R takes their clones), then children. */
	for (i = 0; i < ngone; i++) {
		if (gone[i][vlen] != '@')
			continue;
		if (state_destroy(&t, gone[i], "-R", 1, &e) == -1)
			goto fail;
	}
	for (i = 0; i < ngone; i++) {
		if (gone[i][vlen] == '@')
			continue;
		if (!ctx->dry_run && (zfs_exists(ctx, gone[i], &yes, &e) ==
		    -1 || !yes))
			continue;	/* gone already, as a clone */
		if (state_destroy(&t, gone[i], "-R", 1, &e) == -1) {
			fs_note_holders(&e, mps, nmnt);
			goto fail;
		}
	}
	txn_commit(&t);
	rc = 0;
	goto out;
fail:
	rc = txn_fail(&t, &e);
out:
	state_exports_free(exs, nex);
	free(mnt);
	free(mps);
	free(gone);
	zfs_dslist_free(&l);
	return rc;
}
