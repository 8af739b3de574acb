/*
 * deferred.c: the list of destroys the NFS server holds up (deferred.h).
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "lib/output.h"
#include "model/deferred.h"
#include "model/dsname.h"
#include "lib/file.h"
#include "nfs/nfs.h"
#include "txn/txn.h"
#include "lib/validate.h"
#include "zfs/zfs.h"

struct deferred {
	char		*name;
	char		*guid;
	char		*flags;		/* "" for none */
	long long	 since;
	char		*members;	/* guids below that go, comma-separated;
					   NULL: a record of an older warpstor */
};

struct dlist {
	struct deferred	*v;
	size_t		 n;
	char		*buf;
	struct strvec	 made;		/* strings made after the read */
};

static char *
list_path(const struct ctx *ctx)
{
	return xasprintf("%s.deferred", ctx->cfg.journal_file);
}

static int
valid_flags(const char *f)
{
	if (strcmp(f, "-") == 0)
		return 1;
	return f[0] == '-' && f[1] != '\0' && strspn(f + 1, "rRf") ==
	    strlen(f + 1);
}

static int
valid_guid(const char *g)
{
	size_t	 n = strlen(g);

	return n > 0 && n <= 20 && strspn(g, "0123456789") == n;
}

/* "-", or guids comma-separated. */
static int
valid_members(const char *m)
{
	const char *p = m;
	size_t	 n;

	if (strcmp(m, "-") == 0)
		return 1;
	for (;;) {
		n = strcspn(p, ",");
		if (n == 0 || n > 20 || strspn(p, "0123456789") != n)
			return 0;
		if (p[n] == '\0')
			return 1;
		p += n + 1;
	}
}

/*
 * Read the list; a line that is not NAME GUID FLAGS SINCE [MEMBERS] with
 * each word valid is named on stderr and left out (it is dropped when
 * the list is written again): it names nothing that could be destroyed
 * safely.
 */
static int
list_read(struct ctx *ctx, struct dlist *l, struct wserr *e)
{
	char	*path = list_path(ctx), *p, *line;
	size_t	 alloc = 0, lineno = 0;

	memset(l, 0, sizeof(*l));
	/* it names what to destroy: only a file of root's */
	if (file_read_trusted(path, &l->buf, e) == -1) {
		free(path);
		return -1;
	}
	for (p = l->buf; p != NULL && (line = strsep(&p, "\n")) != NULL;) {
		struct deferred	 d;
		struct wserr	 ve;
		const char	*errstr = NULL;
		char		*w[6], *rest = line, v[VIS_BUFSZ];
		int		 nw = 0;

		lineno++;
		if (*line == '\0')
			continue;
		while (nw < 6 && (w[nw] = strsep(&rest, " ")) != NULL)
			nw++;
		if (nw == 4 || nw == 5) {
			d.since = strtonum(w[3], 0, LLONG_MAX, &errstr);
			d.name = w[0];
			d.guid = w[1];
			d.flags = strcmp(w[2], "-") == 0 ? "" : w[2];
			d.members = nw == 5 ? w[4] : NULL;
		}
		if ((nw != 4 && nw != 5) || errstr != NULL ||
		    valid_dataset_or_snapshot(w[0], &ve) == -1 ||
		    !valid_guid(w[1]) || !valid_flags(w[2]) ||
		    (nw == 5 && !valid_members(w[4]))) {
			out_warn(NULL, "%s, line %zu: not a deferred destroy, "
			    "left out: '%s'", path, lineno, vis_str(v,
			    sizeof(v), w[0]));
			continue;
		}
		if (l->n == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			l->v = xreallocarray(l->v, alloc, sizeof(*l->v));
		}
		l->v[l->n++] = d;
	}
	free(path);
	return 0;
}

/* Write the list back (atomically), or remove it when it is empty. */
static int
list_write(struct ctx *ctx, const struct dlist *l, struct wserr *e)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*path = list_path(ctx), *line;
	size_t		 i;
	int		 rc;

	for (i = 0; i < l->n; i++) {
		const struct deferred *d = &l->v[i];

		line = xasprintf("%s %s %s %lld %s\n", d->name, d->guid,
		    *d->flags != '\0' ? d->flags : "-", d->since,
		    d->members != NULL ? d->members : "-");
		buf_append(&b, line, strlen(line));
		free(line);
	}
	rc = b.len > 0 ? file_write_atomic(path, b.data, b.len, e) :
	    file_remove(path, e);
	buf_free(&b);
	free(path);
	return rc;
}

static void
list_free(struct dlist *l)
{
	free(l->v);
	free(l->buf);
	strvec_clear(&l->made);
	memset(l, 0, sizeof(*l));
}

/* A string the list keeps until it is freed. */
static char *
list_keep(struct dlist *l, char *s)
{
	strvec_push(&l->made, s);
	free(s);
	return l->made.v[l->made.n - 1];
}

static void
list_add(struct dlist *l, const char *name, const char *guid,
    const char *flags, const char *members)
{
	struct deferred	*d;

	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	d = &l->v[l->n++];
	d->name = list_keep(l, xstrdup(name));
	d->guid = list_keep(l, xstrdup(guid));
	d->flags = list_keep(l, xstrdup(flags != NULL ? flags : ""));
	d->members = list_keep(l, xstrdup(members));
	d->since = (long long)time(NULL);
}

/*
 * A private name beside name: its base with any earlier private suffix
 * taken off, then ".TAG.RANDOM" (as state_temp_name makes them).
 */
static char *
private_name(const char *name, const char *tag)
{
	const char *sep = strrchr(name, strchr(name, '@') != NULL ? '@' : '/');
	const char *base = sep != NULL ? sep + 1 : name, *dot;
	size_t	 keep = strlen(name);
	int	 room;

	/* BASE.wsgone.xxxxxxxx or BASE.wsreap.xxxxxxxx: back to BASE */
	if (keep > 16 && (dot = name + keep - 16) > base && dot[0] == '.' &&
	    (strncmp(dot + 1, "wsgone.", 7) == 0 ||
	    strncmp(dot + 1, "wsreap.", 7) == 0))
		keep -= 16;
	room = 255 - (int)strlen(tag) - 10;
	if ((int)keep > room)
		keep = (size_t)room;
	return xasprintf("%.*s.%s.%08x", (int)keep, name, tag, arc4random());
}

/* Everything in l, by guid, comma-separated but root's: "-" for none. */
static char *
guids_below(const struct zfs_dslist *l, const char *root, const char *go)
{
	struct buf	 b = { NULL, 0, 0 };
	size_t		 i;

	for (i = 0; i < l->n; i++) {
		const char *g = l->v[i].val[ZP_GUID];

		if ((go != NULL && !go[i]) || strcmp(l->v[i].name, root) == 0 ||
		    g == NULL || !valid_guid(g))
			continue;
		if (b.len > 0)
			buf_append(&b, ",", 1);
		buf_append(&b, g, strlen(g));
	}
	if (b.len == 0)
		return xstrdup("-");
	return b.data;
}

static const char *
guid_in(const struct zfs_dslist *l, const char *name)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return l->v[i].val[ZP_GUID];
	return NULL;
}

/*
 * With -R, the clones of what goes (anywhere in its pool) go too: each
 * clone root outside name's tree gets a record of its own, before
 * name's, with everything below it that goes.
 */
static int
add_clones(struct ctx *ctx, struct dlist *dl, const char *name,
    const char *flags, struct wserr *e)
{
	struct zfs_dslist l;
	char		*pool = xstrndup(name, strcspn(name, "/@")), *go;
	size_t		 i, k;
	int		 changed;

	if (zfs_get(ctx, ZPM(ZP_ORIGIN), pool, ZFS_RECURSE, &l, e) == -1) {
		free(pool);
		return -1;
	}
	free(pool);
	go = xcalloc(l.n ? l.n : 1, 1);
	for (i = 0; i < l.n; i++)
		go[i] = (char)ds_in_tree(l.v[i].name, name);
	do {
		changed = 0;
		for (i = 0; i < l.n; i++) {
			const char *o = l.v[i].val[ZP_ORIGIN];

			if (go[i] || o == NULL)
				continue;
			for (k = 0; k < l.n && !(go[k] &&
			    strcmp(l.v[k].name, o) == 0); k++)
				;
			if (k == l.n)
				continue;
			for (k = 0; k < l.n; k++)
				if (!go[k] && ds_in_tree(l.v[k].name,
				    l.v[i].name)) {
					go[k] = 2;	/* a clone's */
					changed = 1;
				}
		}
	} while (changed);
	for (i = 0; i < l.n; i++) {
		const char *o = l.v[i].val[ZP_ORIGIN];
		char	*below, *sub;

		/* a clone root: it goes, and its origin goes */
		if (go[i] != 2 || o == NULL || guid_in(&l, o) == NULL ||
		    l.v[i].val[ZP_GUID] == NULL)
			continue;
		sub = xcalloc(l.n, 1);
		for (k = 0; k < l.n; k++)
			sub[k] = (char)(go[k] == 2 && ds_in_tree(l.v[k].name,
			    l.v[i].name));
		below = guids_below(&l, l.v[i].name, sub);
		list_add(dl, l.v[i].name, l.v[i].val[ZP_GUID], flags, below);
		free(below);
		free(sub);
	}
	free(go);
	zfs_dslist_free(&l);
	return 0;
}

int
deferred_add(struct ctx *ctx, const char *name, const char *gone,
    const char *flags, struct wserr *e)
{
	struct zfs_dslist tree;
	struct dlist	 l;
	struct wserr	 busy = *e, ue;
	const char	*guid;
	char		*members = NULL;
	int		 rc = -1, aside;

	/* what goes, each by its guid: the record destroys nothing else */
	if (zfs_get(ctx, 0, name, ds_is_snapshot(name) ? -1 : ZFS_RECURSE,
	    &tree, e) == -1)
		return -1;
	if ((guid = guid_in(&tree, name)) == NULL || !valid_guid(guid)) {
		wserr_set(e, EX_UNAVAILABLE, "%s: no guid", name);
		zfs_dslist_free(&tree);
		return -1;
	}
	if (list_read(ctx, &l, e) == -1) {
		zfs_dslist_free(&tree);
		return -1;
	}
	if (flags != NULL && strchr(flags, 'R') != NULL &&
	    add_clones(ctx, &l, name, flags, e) == -1)
		goto out;
	members = guids_below(&tree, name, NULL);
	/* The record first: a crash before the rename leaves a stale one. */
	list_add(&l, gone, guid, flags, members);
	if (list_write(ctx, &l, e) == -1)
		goto out;
	aside = strcmp(name, gone) != 0;
	if (aside && zfs_rename_now(ctx, name, gone, &ue) == -1) {
		/* still busy for a rename: deferred under its own name */
		l.v[l.n - 1].name = (char *)name;
		aside = 0;
		if (list_write(ctx, &l, e) == -1)
			goto out;
	}
	/*
	 * What waits to be destroyed is exported no more: it keeps no
	 * warpstor:* export property that sync-exports or a check of fsids
	 * could take for a live one (a replaced dataset's old content has
	 * the same fsid as the new).  A failure here changes nothing that
	 * matters: the export was withdrawn already.
	 */
	if (!ds_is_snapshot(name)) {
		const char *now = aside ? gone : name;

		(void)zfs_inherit_now(ctx, now, ZP_CLIENTS, &ue);
		(void)zfs_inherit_now(ctx, now, ZP_OPTIONS, &ue);
		(void)zfs_inherit_now(ctx, now, ZP_FSID, &ue);
	}
	out_warn(ctx, "%s is withdrawn and unmounted, but still busy (%s); its "
	    "destroy is deferred%s%s: the next warpstor command or '%s' "
	    "finishes it", name, busy.msg, aside ? ", as " : "", aside ? gone : "",
	    ctx->recover_hint != NULL ? ctx->recover_hint : "warpstor recover");
	rc = 0;
out:
	free(members);
	zfs_dslist_free(&tree);
	list_free(&l);
	return rc;
}

static int
cmp_name_desc(const void *a, const void *b)
{
	return -strcmp(((const struct zfs_ds *)a)->name,
	    ((const struct zfs_ds *)b)->name);
}

/* guid is d's root or one of its members. */
static int
recorded(const struct deferred *d, const char *guid)
{
	const char *p = d->members;
	size_t	 n;

	if (guid == NULL)
		return 0;
	n = strlen(guid);
	if (strcmp(guid, d->guid) == 0)
		return 1;
	for (; p != NULL && *p != '\0' && *p != '-'; p += strcspn(p, ",")) {
		if (*p == ',')
			p++;
		if (strncmp(p, guid, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

/*
 * Destroy what d recorded, now at name (private): leaf-first, one by
 * one, each only where its guid is recorded; what was made below it
 * since is left, and so keeps its parent.  1 when all went.
 */
static int
destroy_recorded(struct ctx *ctx, const struct deferred *d,
    struct zfs_dslist *t)
{
	struct wserr	 de;
	char		*gone = xcalloc(t->n ? t->n : 1, 1), v[VIS_BUFSZ];
	const char	*f;
	size_t		 i, left;
	int		 progress = 1;

	sort_items(t->v, t->n, sizeof(t->v[0]), cmp_name_desc);
	while (progress) {
		progress = 0;
		for (i = 0; i < t->n; i++) {
			if (gone[i] || !recorded(d, t->v[i].val[ZP_GUID]))
				continue;
			f = strchr(d->flags, 'f') != NULL &&
			    !ds_is_snapshot(t->v[i].name) ? "-f" : NULL;
			if (zfs_destroy_now(ctx, t->v[i].name, f, &de) == 0) {
				gone[i] = 1;
				progress = 1;
			}
		}
	}
	for (i = left = 0; i < t->n; i++) {
		if (gone[i])
			continue;
		left++;
		if (!recorded(d, t->v[i].val[ZP_GUID]))
			out_warn(NULL, "%s was made after the destroy of %s "
			    "was deferred: left alone", vis_str(v, sizeof(v),
			    t->v[i].name), d->name);
	}
	free(gone);
	return left == 0;
}

/*
 * zfs-fuse renames no mounted dataset: what was mounted below name since
 * the deferral is unmounted first.  How many were.
 */
static int
umount_below(struct ctx *ctx, const char *name)
{
	struct zfs_dslist l;
	struct strvec	 argv = STRVEC_INIT;
	struct wserr	 e;
	size_t		 i;
	int		 n = 0;

	if (ds_is_snapshot(name) || zfs_get(ctx, ZPM(ZP_MOUNTED), name,
	    ZFS_RECURSE, &l, &e) == -1)
		return 0;
	sort_items(l.v, l.n, sizeof(l.v[0]), cmp_name_desc);
	for (i = 0; i < l.n; i++) {
		if (l.v[i].val[ZP_MOUNTED] == NULL ||
		    strcmp(l.v[i].val[ZP_MOUNTED], "yes") != 0)
			continue;
		strvec_pushl(&argv, ctx->cfg.zfs, "umount", l.v[i].name, SV_END);
		if (zfs_try(ctx, argv.v, &e) == 0)
			n++;
		strvec_clear(&argv);
	}
	zfs_dslist_free(&l);
	return n;
}

/*
 * One deferred destroy: renamed to a private name (under the lock, so
 * that no rename can swap another dataset in between), checked by guid
 * there, then destroyed as recorded.  0: finished or dropped (d is to
 * go), 1: still held (d keeps it, perhaps under its new name).
 */
static int
reap_one(struct ctx *ctx, struct dlist *l, struct deferred *d, FILE *out)
{
	struct zfs_dslist t;
	struct wserr	 de;
	const char	*g;
	char		*p = private_name(d->name, "wsreap"), v[VIS_BUFSZ];
	int		 done;

	if (zfs_rename_once(ctx, d->name, p, &de) == -1 &&
	    (strstr(de.msg, "busy") == NULL || umount_below(ctx, d->name) == 0 ||
	    zfs_rename_once(ctx, d->name, p, &de) == -1)) {
		free(p);
		if (de.code != EX_NOINPUT)
			return 1;		/* busy, or cannot tell */
		if (out != NULL)
			(void)fprintf(out, "deferred destroy of %s: gone "
			    "already\n", d->name);
		return 0;
	}
	if (zfs_get(ctx, 0, p, ds_is_snapshot(p) ? -1 : ZFS_RECURSE, &t,
	    &de) == -1) {
		d->name = list_keep(l, p);
		return 1;
	}
	if ((g = guid_in(&t, p)) == NULL || strcmp(g, d->guid) != 0) {
		out_warn(NULL, "%s is not the dataset whose destroy was deferred "
		    "(guid %s, not %s): left alone", vis_str(v, sizeof(v),
		    d->name), g != NULL ? g : "none", d->guid);
		(void)zfs_rename_once(ctx, p, d->name, &de);
		zfs_dslist_free(&t);
		free(p);
		return 0;
	}
	done = destroy_recorded(ctx, d, &t);
	zfs_dslist_free(&t);
	if (done && out != NULL)
		(void)fprintf(out, "destroyed %s (deferred %lld s ago)\n",
		    d->name, (long long)time(NULL) - d->since);
	if (!done)
		d->name = list_keep(l, xstrdup(p));
	free(p);
	return !done;
}

int
deferred_reap(struct ctx *ctx, int flush, FILE *out, struct wserr *e)
{
	struct dlist	 l;
	struct txn	 t;
	size_t		 i, k = 0;
	int		 changed = 0, rc;

	if (list_read(ctx, &l, e) == -1)
		return -1;
	if (l.buf == NULL) {
		list_free(&l);
		return 0;
	}
	if (flush && l.n > 0) {
		txn_init(&t, ctx);
		(void)nfs_flush(&t, e);
		txn_commit(&t);
	}
	for (i = 0; i < l.n; i++) {
		const char *was = l.v[i].name;

		if (reap_one(ctx, &l, &l.v[i], out) == 1) {
			l.v[k++] = l.v[i];
			changed |= l.v[i].name != was;
		} else
			changed = 1;
	}
	l.n = k;
	rc = changed ? list_write(ctx, &l, e) : 0;
	if (rc == 0)
		rc = (int)k;
	list_free(&l);
	return rc;
}

long long
deferred_since(struct ctx *ctx, const char *name)
{
	struct dlist	 l;
	struct wserr	 e;
	long long	 since = 0;
	size_t		 i;

	if (list_read(ctx, &l, &e) == -1)
		return 0;
	for (i = 0; i < l.n; i++)
		if (strcmp(l.v[i].name, name) == 0)
			since = l.v[i].since;
	list_free(&l);
	return since;
}

int
deferred_list(struct ctx *ctx, struct strvec *names, long long **since,
    size_t *n, struct wserr *e)
{
	struct dlist	 l;
	size_t		 i;

	*since = NULL;
	*n = 0;
	if (list_read(ctx, &l, e) == -1)
		return -1;
	*since = xcalloc(l.n + 1, sizeof(**since));
	for (i = 0; i < l.n; i++) {
		strvec_push(names, l.v[i].name);
		(*since)[i] = l.v[i].since;
	}
	*n = l.n;
	list_free(&l);
	return 0;
}
