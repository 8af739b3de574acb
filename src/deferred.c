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

#include "deferred.h"
#include "file.h"
#include "nfs.h"
#include "txn.h"
#include "validate.h"
#include "zfs.h"

struct deferred {
	char		*name;
	char		*guid;
	char		*flags;		/* "" for none */
	long long	 since;
};

struct dlist {
	struct deferred	*v;
	size_t		 n;
	char		*buf;
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

/*
 * Read the list; a line that is not NAME GUID FLAGS SINCE with each word
 * valid is named on stderr and left out (it is dropped when the list is
 * written again): it names nothing that could be destroyed safely.
 */
static int
list_read(struct ctx *ctx, struct dlist *l, struct wserr *e)
{
	char	*path = list_path(ctx), *p, *line;
	size_t	 alloc = 0, lineno = 0;

	memset(l, 0, sizeof(*l));
	/* it names what to destroy: only a file of root's */
	if (fs_read_trusted(path, &l->buf, e) == -1) {
		free(path);
		return -1;
	}
	for (p = l->buf; p != NULL && (line = strsep(&p, "\n")) != NULL;) {
		struct deferred	 d;
		struct wserr	 ve;
		const char	*errstr = NULL;
		char		*w[5], *rest = line, v[VIS_BUFSZ];
		int		 nw = 0;

		lineno++;
		if (*line == '\0')
			continue;
		while (nw < 5 && (w[nw] = strsep(&rest, " ")) != NULL)
			nw++;
		if (nw == 4) {
			d.since = strtonum(w[3], 0, LLONG_MAX, &errstr);
			d.name = w[0];
			d.guid = w[1];
			d.flags = strcmp(w[2], "-") == 0 ? "" : w[2];
		}
		if (nw != 4 || errstr != NULL ||
		    valid_dataset_or_snapshot(w[0], &ve) == -1 ||
		    !valid_guid(w[1]) || !valid_flags(w[2])) {
			(void)fprintf(stderr, "warpstor: %s, line %zu: not a "
			    "deferred destroy, left out: '%s'\n", path, lineno,
			    vis_str(v, sizeof(v), w[0]));
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
		line = xasprintf("%s %s %s %lld\n", l->v[i].name, l->v[i].guid,
		    *l->v[i].flags != '\0' ? l->v[i].flags : "-",
		    l->v[i].since);
		buf_append(&b, line, strlen(line));
		free(line);
	}
	rc = b.len > 0 ? fs_write_atomic(path, b.data, b.len, e) :
	    fs_remove(path, e);
	buf_free(&b);
	free(path);
	return rc;
}

static void
list_free(struct dlist *l)
{
	free(l->v);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

/* name's guid, or NULL (with *missing when it does not exist). */
static char *
guid_of(struct ctx *ctx, const char *name, int *missing, struct wserr *e)
{
	struct zfs_dslist l;
	char		*g = NULL;

	*missing = 0;
	if (zfs_get_one(ctx, name, ZPM(ZP_GUID), &l, e) == -1) {
		*missing = e->code == EX_NOINPUT;
		return NULL;
	}
	if (l.v[0].val[ZP_GUID] != NULL && valid_guid(l.v[0].val[ZP_GUID]))
		g = xstrdup(l.v[0].val[ZP_GUID]);
	else
		wserr_set(e, EX_UNAVAILABLE, "%s: no guid", name);
	zfs_dslist_free(&l);
	return g;
}

int
deferred_add(struct ctx *ctx, const char *name, const char *gone,
    const char *flags, struct wserr *e)
{
	struct dlist	 l;
	struct wserr	 busy = *e, ue;
	char		*guid;
	int		 missing, rc = -1;

	if ((guid = guid_of(ctx, name, &missing, e)) == NULL)
		return -1;
	if (list_read(ctx, &l, e) == -1)
		goto out;
	/* The record first: a crash before the rename leaves a stale one. */
	l.v = xreallocarray(l.v, l.n + 1, sizeof(*l.v));
	l.v[l.n].name = (char *)gone;
	l.v[l.n].guid = guid;
	l.v[l.n].flags = (char *)(flags != NULL ? flags : "");
	l.v[l.n++].since = (long long)time(NULL);
	if (list_write(ctx, &l, e) == -1)
		goto out;
	if (strcmp(name, gone) != 0 && zfs_rename_now(ctx, name, gone,
	    e) == -1) {
		l.n--;
		(void)list_write(ctx, &l, &ue);
		goto out;
	}
	/*
	 * What waits to be destroyed is exported no more: it keeps no
	 * warpstor:* export property that sync-exports or a check of fsids
	 * could take for a live one (a replaced dataset's old content has
	 * the same fsid as the new).  A failure here changes nothing that
	 * matters: the export was withdrawn already.
	 */
	if (strchr(gone, '@') == NULL) {
		(void)zfs_inherit_now(ctx, gone, ZP_CLIENTS, &ue);
		(void)zfs_inherit_now(ctx, gone, ZP_OPTIONS, &ue);
		(void)zfs_inherit_now(ctx, gone, ZP_FSID, &ue);
	}
	(void)fprintf(stderr, "warpstor: %s: %s is withdrawn and unmounted, "
	    "but the NFS server still holds it (%s); its destroy is deferred"
	    "%s%s: the next warpstor command or '%s' finishes it\n",
	    ctx->cmdname, name, busy.msg, strcmp(name, gone) != 0 ? ", as " :
	    "", strcmp(name, gone) != 0 ? gone : "", ctx->recover_hint != NULL ?
	    ctx->recover_hint : "warpstor recover");
	rc = 0;
out:
	free(guid);
	list_free(&l);
	return rc;
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
		struct deferred	*d = &l.v[i];
		struct wserr	 de;
		char		*guid, v[VIS_BUFSZ];
		int		 missing;

		guid = guid_of(ctx, d->name, &missing, &de);
		if (guid == NULL && !missing) {
			l.v[k++] = *d;		/* cannot tell: keep it */
			continue;
		}
		changed = 1;
		if (guid == NULL) {
			if (out != NULL)
				(void)fprintf(out, "deferred destroy of %s: "
				    "gone already\n", d->name);
		} else if (strcmp(guid, d->guid) != 0) {
			(void)fprintf(stderr, "warpstor: %s is not the dataset "
			    "whose destroy was deferred (guid %s, not %s): left "
			    "alone\n", vis_str(v, sizeof(v), d->name), guid,
			    d->guid);
		} else if (zfs_destroy_now(ctx, d->name, d->flags, &de) == 0) {
			if (out != NULL)
				(void)fprintf(out, "destroyed %s (deferred %lld "
				    "s ago)\n", d->name, (long long)time(NULL) -
				    d->since);
		} else {
			l.v[k++] = *d;		/* still held */
			changed = k != i + 1;
		}
		free(guid);
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
