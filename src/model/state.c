/*
 * state.c: reading the warpstor:* properties.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <string.h>
#include <unistd.h>

#include "lib/output.h"
#include "model/deferred.h"
#include "model/dsname.h"
#include "fs/fsops.h"
#include "nfs/nfsd.h"
#include "lib/progress.h"
#include "model/state.h"
#include "lib/validate.h"

/* How long clients get to give back their delegations. */
#define RECALL_WAIT_MS	3000

int
state_is_type(const struct zfs_ds *d, const char *type)
{
	return d != NULL && d->val[ZP_TYPE] != NULL &&
	    strcmp(d->val[ZP_TYPE], type) == 0;
}

/* d was read with the properties mask: else a mistake here, refused. */
static void
state_needs(const struct zfs_ds *d, unsigned mask, const char *fn)
{
	if ((d->asked & mask) == mask)
		return;
	(void)fprintf(stderr, "warpstor: internal error: %s of %s read without "
	    "the properties it needs (0x%x of 0x%x)\n", fn, d->name,
	    d->asked & mask, mask);
	abort();
}

int
state_is_replica(const struct zfs_ds *d)
{
	state_needs(d, ZPM(ZP_REPLICA), "state_is_replica");
	return (d->local & ZPM(ZP_REPLICA)) && d->val[ZP_REPLICA] != NULL;
}

int
state_mounted(const struct zfs_ds *d)
{
	state_needs(d, ZPM(ZP_MOUNTED) | ZPM(ZP_MOUNTPOINT), "state_mounted");
	return d->val[ZP_MOUNTED] != NULL &&
	    strcmp(d->val[ZP_MOUNTED], "yes") == 0 &&
	    d->val[ZP_MOUNTPOINT] != NULL && d->val[ZP_MOUNTPOINT][0] == '/';
}

/* d's warpstor:options, or "" where it has none of its own. */
static const char *
options_of(const struct zfs_ds *d)
{
	return d->local & ZPM(ZP_OPTIONS) && d->val[ZP_OPTIONS] != NULL ?
	    d->val[ZP_OPTIONS] : "";
}

int
state_export_invalid(const struct zfs_ds *d, struct wserr *e)
{
	char	 v[VIS_BUFSZ];

	if (!(d->local & ZPM(ZP_CLIENTS)) || !(d->local & ZPM(ZP_FSID)) ||
	    d->val[ZP_CLIENTS] == NULL || d->val[ZP_FSID] == NULL)
		return 0;
	if (!nfs_valid_fsid(d->val[ZP_FSID]))
		wserr_set(e, EX_DATAERR, "%s: bad %s '%s' (not a UUID)",
		    d->name, zfs_prop_name(ZP_FSID), vis_str(v, sizeof(v),
		    d->val[ZP_FSID]));
	else if (valid_clients(d->val[ZP_CLIENTS], e) == -1 ||
	    (*options_of(d) != '\0' && valid_options(options_of(d),
	    e) == -1)) {
		(void)strlcpy(v, e->msg, sizeof(v));
		wserr_set(e, EX_DATAERR, "%s: %s", d->name, v);
	} else
		return 0;
	return 1;
}

int
state_exported(const struct zfs_ds *d)
{
	struct wserr	 e;

	state_needs(d, STATE_EXPORT_PROPS, "state_exported");
	return (d->local & ZPM(ZP_CLIENTS)) && (d->local & ZPM(ZP_FSID)) &&
	    d->val[ZP_CLIENTS] != NULL && d->val[ZP_FSID] != NULL &&
	    !state_is_replica(d) && !state_export_invalid(d, &e);
}

void
state_warn_one(struct ctx *ctx, const struct zfs_ds *d)
{
	struct wserr	 e;

	if (d != NULL && state_export_invalid(d, &e))
		out_warn(ctx, "%s; left out: not exported", e.msg);
}

void
state_warn_invalid(struct ctx *ctx, const struct zfs_dslist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		state_warn_one(ctx, &l->v[i]);
}

int
state_withdrawable(const struct zfs_ds *d)
{
	state_needs(d, ZPM(ZP_MOUNTPOINT), "state_withdrawable");
	return state_exported(d) && d->val[ZP_MOUNTPOINT] != NULL &&
	    d->val[ZP_MOUNTPOINT][0] == '/';
}

void
state_export(const struct zfs_ds *d, const char *path, struct nfs_export *ex)
{
	ex->path = xstrdup(path != NULL ? path : d->val[ZP_MOUNTPOINT]);
	ex->clients = xstrdup(d->val[ZP_CLIENTS]);
	ex->options = xstrdup(options_of(d));
	ex->fsid = xstrdup(d->val[ZP_FSID]);
}

void
state_exports_free(struct nfs_export *v, size_t n)
{
	size_t	 i;

	for (i = 0; v != NULL && i < n; i++)
		nfs_export_free(&v[i]);
	free(v);
}

/*
 * The step of an unmount: zfs umount, and where the dataset stays busy
 * with no process holding anything below its mountpoint, the holder is
 * the kernel NFS server: a client that has used an export keeps the
 * server's export cache entries, which hold the mount, for up to the
 * cache's lifetime (mountd gives 30 minutes) after the export is
 * withdrawn.  Then the mount is detached (umount -l): it leaves the
 * mount table at once, so rename, replace and mount go on, and the
 * server lets go of it later (state_destroy finishes a destroy then).
 * The undo is the same zfs mount either way: a detached dataset mounts
 * again at once, its superblock still alive.
 */
static int
umount_step(struct ctx *ctx, char *const *argv, struct wserr *e)
{
	struct wserr	 de;
	const char	*name;
	char		*mp, *held;
	size_t		 n;

	if (zfs_try(ctx, argv, e) == 0)
		return 0;
	for (n = 0; argv[n] != NULL; n++)
		;
	name = argv[n - 1];
	if (strstr(e->msg, "busy") == NULL || (mp = fs_mount_of(name)) == NULL)
		return -1;
	if ((held = fs_holders(mp)) != NULL) {
		free(held);	/* a process: the caller names it */
		free(mp);
		return -1;
	}
	if (fs_detach(mp, name, &de) == -1) {
		free(mp);
		return -1;
	}
	if (ctx->verbose)
		out_warn(ctx, "%s was busy with no process holding it (the NFS "
		    "server's cache): detached", mp);
	ctx->detached++;
	free(mp);
	return 0;
}

int
state_umount(struct txn *t, const char *name, int force, struct wserr *e)
{
	return zfs_umount(t, name, force ? "-f" : NULL, umount_step, e);
}

void
state_release(struct ctx *ctx, const char *name, const char *mp)
{
	struct wserr	 e;
	int		 fd, left;

	if (ctx->dry_run || (fd = fs_open_mount(mp, name, &e)) == -1)
		return;
	left = nfsd_recall(fd, RECALL_WAIT_MS);
	(void)close(fd);
	if (left > 0 && ctx->verbose)
		out_warn(ctx, "%s: %d NFSv4 delegation%s still held after %d "
		    "ms", name, left, left == 1 ? "" : "s", RECALL_WAIT_MS);
}

int
state_take_down(struct txn *t, const struct nfs_export *exs, size_t nex,
    char **names, char *const *mps, size_t n, int force, struct wserr *e)
{
	struct progress	 p;
	size_t		 i;
	int		 before = t->ctx->detached;

	for (i = 0; i < n; i++)
		state_release(t->ctx, names[i], mps[i]);
	sort_items(names, n, sizeof(*names), cmp_str);
	if (nfs_withdraw(t, exs, nex, e) == -1)
		return -1;
	progress_start(&p, t->ctx->progress && n > 1 && !t->ctx->dry_run,
	    "unmount", "datasets", n);
	t->ctx->shown = &p;
	for (i = n; i-- > 0;) {
		if (state_umount(t, names[i], force, e) == -1) {
			progress_end(&p);
			t->ctx->shown = NULL;
			fs_note_holders(e, mps, n);
			return -1;
		}
		progress_add(&p, 1);
	}
	progress_end(&p);
	t->ctx->shown = NULL;
	/*
	 * A flush after the detach: entries made before it still hold the
	 * detached mount; none made after it can reach it by its path.
	 */
	if (t->ctx->detached > before && nfs_flush(t, e) == -1)
		return -1;
	return 0;
}

/* Some process holds something under a mount of name's tree. */
static int
state_held_by_process(const char *name)
{
	char	*mp = fs_mount_of(name), *held = NULL;

	if (mp != NULL)
		held = fs_holders(mp);
	free(mp);
	free(held);
	return held != NULL;
}

int
state_destroy(struct txn *t, const char *name, const char *flags, int aside,
    struct wserr *e)
{
	char	*gone;
	int	 rc;

	if (zfs_destroy(t, name, flags, e) == 0)
		return 0;
	if (t->ctx->dry_run || strstr(e->msg, "busy") == NULL ||
	    state_held_by_process(name))
		return -1;
	/*
	 * Withdrawn and unmounted, and still busy with no process holding
	 * it: the NFS server (it lets go minutes later), or zfs itself a
	 * moment after an unmount.  Deferred: the command succeeds.
	 */
	gone = aside && strchr(name, '@') == NULL ?
	    state_temp_name(name, "wsgone") : xstrdup(name);
	rc = deferred_add(t->ctx, name, gone, flags, e);
	free(gone);
	return rc;
}

char *
state_temp_name(const char *ds, const char *tag)
{
	const char *slash = strrchr(ds, '/'), *base;
	int	 room;

	base = slash != NULL ? slash + 1 : ds;
	room = 255 - (int)(base - ds) - (int)strlen(tag) - 10;
	return xasprintf("%.*s%.*s.%s.%08x", (int)(base - ds), ds,
	    room > 0 ? room : 1, base, tag, arc4random());
}

/* fsid is at path, which is not name's own mount: 1, with e naming both. */
static int
fsid_taken(const char *name, const char *fsid, const char *path,
    const char *where, struct wserr *e)
{
	char	*other = fs_dataset_at(path), v[VIS_BUFSZ];
	int	 taken = other == NULL || strcmp(other, name) != 0;

	if (taken)
		wserr_set(e, EX_DATAERR, "%s: %s %s is %s's too (%s %s); fsids "
		    "are unique on a node (unexport one, or give it a new one: "
		    "zfs inherit %s)", name, zfs_prop_name(ZP_FSID), fsid,
		    other != NULL ? other : vis_str(v, sizeof(v), path), where,
		    vis_str(v, sizeof(v), path), zfs_prop_name(ZP_FSID));
	free(other);
	return taken;
}

int
state_fsid_unique(struct ctx *ctx, const char *name, const char *fsid,
    struct wserr *e)
{
	struct nfs_file	 f;
	struct nfs_export *exs = NULL;
	struct nfs_live	*live = NULL;
	size_t		 i, n = 0, nlive = 0;
	int		 rc = -1;
	char		*lf;

	/* the exports file and the live table hold every exported fsid */
	if (nfs_file_read(ctx->cfg.exports_file, &f, e) == -1)
		return -1;
	(void)nfs_file_exports(&f, &exs, &n);
	for (i = 0; i < n; i++)
		if (exs[i].fsid != NULL && strcmp(exs[i].fsid, fsid) == 0 &&
		    fsid_taken(name, fsid, exs[i].path, "exported at", e))
			goto out;
	if (nfs_live_read(ctx, &live, &nlive, e) == -1)
		goto out;
	for (i = 0; i < nlive; i++) {
		int taken;

		if ((lf = nfs_live_fsid(&live[i])) == NULL)
			continue;
		taken = strcmp(lf, fsid) == 0 && fsid_taken(name, fsid,
		    live[i].path, "live at", e);
		free(lf);
		if (taken)
			goto out;
	}
	rc = 0;
out:
	nfs_live_free(live, nlive);
	state_exports_free(exs, n);
	nfs_file_free(&f);
	return rc;
}

/* How many of a snapshot's tags warpstor recorded (warpstor:holds). */
static size_t
own_holds(const struct zfs_ds *d, struct strvec *tags)
{
	const char	*h = d->val[ZP_HOLDS];
	size_t		 i, n = 0;

	if (h == NULL || !(d->local & ZPM(ZP_HOLDS)))
		return 0;
	strvec_split(tags, h, ",", 0);
	for (i = 0; i < tags->n; i++)
		n += prop_is_ours(tags->v[i]);
	return n;
}

int
state_check_holds(struct ctx *ctx, const struct zfs_dslist *l,
    const char *go, struct wserr *e)
{
	struct buf	 b = { NULL, 0, 0 };
	struct strvec	 own = STRVEC_INIT;
	const char	*errstr;
	size_t		 i, n = 0;
	long long	 refs;
	char		*tags;

	for (i = 0; i < l->n; i++) {
		const char *u = l->v[i].val[ZP_USERREFS];

		if ((go != NULL && !go[i]) || !ds_is_snapshot(l->v[i].name) ||
		    u == NULL)
			continue;
		refs = strtonum(u, 0, LLONG_MAX, &errstr);
		strvec_clear(&own);
		/* replicate's own holds go with it (state_release_holds) */
		if (errstr == NULL && refs <= (long long)own_holds(&l->v[i],
		    &own))
			continue;
		if (n++ < 10) {
			if (b.len > 0)
				buf_append(&b, ", ", 2);
			tags = zfs_hold_tags(ctx, l->v[i].name);
			buf_append(&b, l->v[i].name, strlen(l->v[i].name));
			if (tags != NULL) {
				buf_append(&b, " (", 2);
				buf_append(&b, tags, strlen(tags));
				buf_append(&b, ")", 1);
			}
			free(tags);
		}
	}
	strvec_clear(&own);
	if (n == 0)
		return 0;
	wserr_set(e, EX_NOPERM, "held by zfs hold, so it cannot be destroyed: "
	    "%s%s; zfs release the hold first", b.data, n > 10 ? ", ..." : "");
	buf_free(&b);
	return -1;
}

int
state_release_holds(struct txn *t, const struct zfs_dslist *l,
    const char *go, struct wserr *e)
{
	struct strvec	 own = STRVEC_INIT;
	size_t		 i, k;
	int		 rc = 0;

	for (i = 0; i < l->n && rc == 0; i++) {
		if ((go != NULL && !go[i]) || !ds_is_snapshot(l->v[i].name))
			continue;
		strvec_clear(&own);
		if (own_holds(&l->v[i], &own) == 0)
			continue;
		for (k = 0; k < own.n && rc == 0; k++) {
			if (!prop_is_ours(own.v[k]))
				continue;
			if (!t->ctx->dry_run)
				out_warn(t->ctx, "%s goes: its hold %s "
				    "(replication to %s) is released",
				    l->v[i].name, own.v[k], own.v[k] +
				    sizeof(WS_PREFIX) - 1);
			rc = zfs_release(t, own.v[k], l->v[i].name, e);
		}
	}
	strvec_clear(&own);
	return rc;
}

int
state_chown_tree(struct txn *t, const char *ds, const char *mp, uid_t uid,
    gid_t gid, struct wserr *e)
{
	struct progress	 p;
	char		*what;
	size_t		 count = 0;
	int		 fd, rc;

	if (txn_step(t, "chown -R %lu:%lu %s", (unsigned long)uid,
	    (unsigned long)gid, mp))
		return 0;
	if (txn_check(t, e) == -1 || (fd = fs_open_mount(mp, ds, e)) == -1)
		return -1;
	what = xasprintf("chown -R %s", mp);
	progress_start(&p, t->ctx->progress, what, "entries",
	    fs_entries(fd));
	rc = fs_chown_tree(fd, mp, uid, gid, &count, &p, e);
	progress_end(&p);
	free(what);
	(void)close(fd);
	if (rc == 0)
		out_verbose(t->ctx->verbose, "chown -R %lu:%lu %s: %zu entries "
		    "changed", (unsigned long)uid, (unsigned long)gid, mp,
		    count);
	return rc;
}

/* [HOST:]TARGET as replicate takes it, with no room for a forged field. */
static int
valid_target(const char *t)
{
	const char	*colon = strchr(t, ':'), *slash = strchr(t, '/');
	struct wserr	 e;

	if (strlen(t) >= 512 || strpbrk(t, " ,") != NULL ||
	    has_control_bytes(t))
		return 0;
	if (colon != NULL && (slash == NULL || colon < slash))
		t = colon + 1;
	return valid_dataset(t, &e) == 0;
}

/* The entries of a warpstor:replicated value, each checked. */
static size_t
replications_parse(const char *v, struct replication **out)
{
	struct strvec	 ents = STRVEC_INIT;
	const char	*errstr;
	size_t		 i, n = 0;

	strvec_split(&ents, v, ",", 0);
	*out = xcalloc(ents.n + 1, sizeof(**out));
	for (i = 0; i < ents.n; i++) {
		char	*f[3], *p = ents.v[i];
		int	 k;

		for (k = 0; k < 3 && (f[k] = strsep(&p, " ")) != NULL; k++)
			;
		if (k != 3 || p != NULL || !valid_target(f[0]))
			continue;
		(*out)[n].when = strtonum(f[1], 0, LLONG_MAX, &errstr);
		if (errstr != NULL || strspn(f[2], "0123456789") !=
		    strlen(f[2]) || strlen(f[2]) > 19 || *f[2] == '\0')
			continue;
		(*out)[n].bytes = strtoull(f[2], NULL, 10);
		(void)strlcpy((*out)[n++].target, f[0],
		    sizeof((*out)[0].target));
	}
	strvec_clear(&ents);
	return n;
}

size_t
state_replications(const struct zfs_ds *d, struct replication **out)
{
	*out = NULL;
	if (d->val[ZP_REPLICATED] == NULL ||
	    !(d->local & ZPM(ZP_REPLICATED)))
		return 0;
	return replications_parse(d->val[ZP_REPLICATED], out);
}

void
state_replications_free(struct replication *v, size_t n)
{
	(void)n;
	free(v);
}

char *
state_replicated_with(const char *old, const char *target, long long when,
    unsigned long long bytes)
{
	struct replication *v = NULL;
	struct buf	 b = { NULL, 0, 0 };
	size_t		 i, n = old != NULL ? replications_parse(old, &v) : 0;
	char		*e = xasprintf("%s %lld %llu", target, when, bytes);

	/* this target's entry first; the others kept where they are valid */
	buf_append(&b, e, strlen(e));
	free(e);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].target, target) == 0)
			continue;
		e = xasprintf(",%s %lld %llu", v[i].target, v[i].when,
		    v[i].bytes);
		buf_append(&b, e, strlen(e));
		free(e);
	}
	state_replications_free(v, n);
	return b.data;
}
