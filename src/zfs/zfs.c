/*
 * zfs.c: argv builders for zfs(8) and parsers of its -H output.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "lib/output.h"
#include "lib/argv.h"
#include "lib/validate.h"
#include "run/tool.h"
#include "zfs/node.h"
#include "zfs/zfs.h"

static void zfs_argv(struct ctx *, struct strvec *, ...);

static const char *const zprop_names[ZP_COUNT] = {
	[ZP_TYPE] = "type",
	[ZP_CREATION] = "creation",
	[ZP_USED] = "used",
	[ZP_AVAILABLE] = "available",
	[ZP_QUOTA] = "quota",
	[ZP_REFERENCED] = "referenced",
	[ZP_MOUNTPOINT] = "mountpoint",
	[ZP_MOUNTED] = "mounted",
	[ZP_ORIGIN] = "origin",
	[ZP_CREATETXG] = "createtxg",
	[ZP_GUID] = "guid",
	[ZP_READONLY] = "readonly",
	[ZP_USERREFS] = "userrefs",
	[ZP_FSID] = "warpstor:fsid",
	[ZP_CLIENTS] = "warpstor:clients",
	[ZP_OPTIONS] = "warpstor:options",
	[ZP_TXN] = "warpstor:txn",
	[ZP_REPLICA] = "warpstor:replica",
	[ZP_HOLDS] = "warpstor:holds",
	[ZP_FILTER] = "warpstor:filter",
	[ZP_REPLICATED] = "warpstor:replicated",
};

const char *
zfs_prop_name(enum zprop p)
{
	return zprop_names[p];
}

int
zfs_kv_is(const char *kv, enum zprop p, const char **val)
{
	size_t	 len = strlen(zprop_names[p]);

	if (strncmp(kv, zprop_names[p], len) != 0 || kv[len] != '=')
		return 0;
	if (val != NULL)
		*val = kv + len + 1;
	return 1;
}

/* The one place zfs's wording is read: ENOENT has no exit status of its own. */
static int
zfs_is_noent(const struct spawn_result *r)
{
	return r->status == 1 && strstr(r->err.data, "does not exist") != NULL;
}

/*
 * A get or list whose only complaints are of datasets that vanished
 * while it walked (another tool destroyed them): each stderr line
 * "cannot open 'NAME': dataset does not exist", NAME not target.  What
 * it printed of the rest stands; a vanished dataset is no error for a
 * command that did not name it.
 */
static int
zfs_only_vanished(const struct spawn_result *r, const char *target)
{
	static const char pre[] = "cannot open '";
	static const char post[] = "': dataset does not exist";
	const char	*p = r->err.data, *nl, *q;
	size_t		 len, tl = target != NULL ? strlen(target) : 0;

	if (r->status != 1 || p == NULL || *p == '\0')
		return 0;
	for (; *p != '\0'; p = *nl == '\n' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		len = (size_t)(nl - p);
		if (len == 0)
			continue;
		if (len <= sizeof(pre) - 1 + sizeof(post) - 1 ||
		    strncmp(p, pre, sizeof(pre) - 1) != 0 ||
		    strncmp(nl - (sizeof(post) - 1), post,
		    sizeof(post) - 1) != 0)
			return 0;
		q = p + sizeof(pre) - 1;
		if (target != NULL && (size_t)(nl - (sizeof(post) - 1) - q) ==
		    tl && strncmp(q, target, tl) == 0)
			return 0;
	}
	return 1;
}

/* Require exit 0 of a call that ran; a missing target is exit 66. */
static int
zfs_check(struct strvec *argv, struct spawn_result *r, const char *target,
    struct wserr *e)
{
	char	 v[VIS_BUFSZ];

	if (r->status == 0)
		return 0;
	if (strcmp(argv->v[1], "get") == 0 && zfs_only_vanished(r, target))
		return 0;
	if (target != NULL && zfs_is_noent(r))
		wserr_set(e, EX_NOINPUT, "%s: does not exist",
		    vis_str(v, sizeof(v), target));
	else
		spawn_fail(e, argv->v, r);
	spawn_result_free(r);
	return -1;
}

/* Run argv and require exit 0; a missing dataset is exit 66. */
static int
zfs_run_ok(struct ctx *ctx, struct strvec *argv, struct spawn_result *r,
    const char *target, struct wserr *e)
{
	if (tool_run(ctx, TOOL_ZFS, argv->v, r, e) == -1)
		return -1;
	return zfs_check(argv, r, target, e);
}

static int
unexpected(struct wserr *e, const char *line)
{
	char	 v[VIS_BUFSZ];

	wserr_set(e, EX_UNAVAILABLE, "unexpected zfs output: '%s'",
	    vis_str(v, sizeof(v), line));
	return -1;
}

/*
 * The properties of mask in the order get_argv asks for them and zfs get
 * prints them for each dataset: the user properties first, guid always
 * and last.  No value but guid's, which zfs makes itself, can end a
 * dataset's lines, so a value that forges lines is always followed by a
 * real line of its own dataset: a group broken in two, or too long.
 */
static int
props_order(unsigned mask, int order[ZP_COUNT])
{
	int	 i, n = 0;

	for (i = ZP_FIRST_USER; i < ZP_COUNT; i++)
		if (mask & ZPM(i))
			order[n++] = i;
	for (i = 0; i < ZP_FIRST_USER; i++)
		if (i != ZP_GUID && (mask & ZPM(i)))
			order[n++] = i;
	order[n++] = ZP_GUID;
	return n;
}

/* One line of zfs get -H -o name,property,value,source, split in place. */
struct gline {
	char	*f[4];
	int	 ok;		/* four fields, none with a control byte */
};

/* A run of lines with the same name; at: its place among the runs. */
struct group {
	size_t	 first, n, at;
	int	 bad;
};

static int
cmp_group_name(const void *a, const void *b, void *arg)
{
	const struct gline *l = arg;
	const struct group *x = a, *y = b;

	return strcmp(l[x->first].f[0], l[y->first].f[0]);
}

static void
names_add(struct zfs_names *n, char *name)
{
	n->v = xreallocarray(n->v, n->n + 1, sizeof(*n->v));
	n->v[n->n++] = name;
}

/* Split buf into lines and those into fields; *n lines. */
static struct gline *
split_lines(char *buf, size_t *n)
{
	struct gline	*v = NULL;
	size_t		 alloc = 0;
	char		*line, *p = buf;

	*n = 0;
	while ((line = strsep(&p, "\n")) != NULL) {
		char	*rest = line;
		int	 nf = 0;

		if (*line == '\0' && p == NULL)
			break;		/* after the last newline */
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			v = xreallocarray(v, alloc, sizeof(*v));
		}
		memset(&v[*n], 0, sizeof(v[0]));
		while (nf < 4 && (v[*n].f[nf] = strsep(&rest, "\t")) != NULL)
			nf++;
		v[*n].ok = nf == 4 && rest == NULL && *v[*n].f[0] != '\0';
		for (nf = 0; v[*n].ok && nf < 4; nf++)
			v[*n].ok = !has_control_bytes(v[*n].f[nf]);
		if (v[*n].f[0] == NULL)
			v[*n].f[0] = line;
		(*n)++;
	}
	return v;
}

/* Mark bad the groups of g that no single dataset's lines explain. */
static void
judge(const struct gline *l, struct group *g, size_t ng, const int *order,
    int k)
{
	struct group	*s;
	size_t		 i, j;
	int		*span, depth;

	for (i = 0; i < ng; i++) {
		if (g[i].n != (size_t)k)
			g[i].bad = 1;
		for (j = 0; !g[i].bad && j < g[i].n; j++)
			g[i].bad = !l[g[i].first + j].ok ||
			    strcmp(l[g[i].first + j].f[1],
			    zprop_names[order[j]]) != 0;
	}
	if (ng < 2)
		return;
	/* A name twice: both, and whatever lies between, are suspect. */
	s = xreallocarray(NULL, ng, sizeof(*s));
	memcpy(s, g, ng * sizeof(*g));
	qsort_r(s, ng, sizeof(*s), cmp_group_name, (void *)l);
	span = xcalloc(ng + 1, sizeof(*span));
	for (i = 0; i + 1 < ng; i = j) {
		size_t	 lo = SIZE_MAX, hi = 0;

		for (j = i + 1; j < ng && cmp_group_name(&s[i], &s[j],
		    (void *)l) == 0; j++)
			;
		if (j - i < 2)
			continue;
		for (; i < j; i++) {
			lo = s[i].at < lo ? s[i].at : lo;
			hi = s[i].at > hi ? s[i].at : hi;
		}
		span[lo]++;
		span[hi + 1]--;
	}
	for (i = 0, depth = 0; i < ng; i++) {
		depth += span[i];
		if (depth > 0)
			g[i].bad = 1;
	}
	free(span);
	free(s);
}

int
zfs_parse_get(char *buf, unsigned mask, struct zfs_dslist *out,
    struct zfs_names *suspects, struct wserr *e)
{
	struct gline	*l;
	struct group	*g = NULL;
	size_t		 nl, ng = 0, i, j;
	int		 order[ZP_COUNT], k;

	(void)e;
	memset(out, 0, sizeof(*out));
	memset(suspects, 0, sizeof(*suspects));
	out->buf = buf;
	k = props_order(mask, order);
	l = split_lines(buf, &nl);
	for (i = 0; i < nl; i++) {
		if (ng == 0 || strcmp(l[g[ng - 1].first].f[0], l[i].f[0]) != 0) {
			g = xreallocarray(g, ng + 1, sizeof(*g));
			g[ng].first = i;
			g[ng].n = 0;
			g[ng].at = ng;
			g[ng++].bad = 0;
		}
		g[ng - 1].n++;
	}
	judge(l, g, ng, order, k);
	for (i = 0; i < ng; i++) {
		struct zfs_ds	*d;

		if (g[i].bad) {
			for (j = 0; j < suspects->n && strcmp(suspects->v[j],
			    l[g[i].first].f[0]) != 0; j++)
				;
			if (j == suspects->n)
				names_add(suspects, l[g[i].first].f[0]);
			continue;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		d = &out->v[out->n++];
		memset(d, 0, sizeof(*d));
		d->name = l[g[i].first].f[0];
		d->asked = mask;
		for (j = 0; j < g[i].n; j++) {
			const struct gline *r = &l[g[i].first + j];

			if (strcmp(r->f[2], "-") != 0)
				d->val[order[j]] = r->f[2];
			if (strcmp(r->f[3], "local") == 0)
				d->local |= ZPM(order[j]);
		}
	}
	free(g);
	free(l);
	return 0;
}

void
zfs_dslist_free(struct zfs_dslist *l)
{
	free_strings(l->more, l->nmore);
	free(l->v);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

/* A get's depth: -r, -d N, or nothing (the target alone). */
static void
push_depth(struct strvec *argv, int depth)
{
	if (depth == ZFS_RECURSE)
		strvec_push(argv, "-r");
	else if (depth >= 0) {
		strvec_push(argv, "-d");
		strvec_pushf(argv, "%d", depth);
	}
}

/* zfs get -H -p -o name,property,value,source [-t TYPES] [-r|-d N] PROPS */
static void
get_argv(struct ctx *ctx, struct strvec *argv, unsigned mask,
    const char *types, int depth)
{
	struct buf	 props = { NULL, 0, 0 };
	int		 i, n, order[ZP_COUNT];

	n = props_order(mask, order);
	for (i = 0; i < n; i++) {
		if (props.len > 0)
			buf_append(&props, ",", 1);
		buf_append(&props, zprop_names[order[i]],
		    strlen(zprop_names[order[i]]));
	}
	strvec_pushl(argv, ctx->cfg.zfs, "get", "-H", "-p", "-o",
	    "name,property,value,source", SV_END);
	if (types != NULL)
		strvec_pushl(argv, "-t", types, SV_END);
	push_depth(argv, depth);
	strvec_push(argv, props.data);
	buf_free(&props);
}

/*
 * A suspect of a parse, asked for alone: its own lines only, which no
 * other dataset's value can forge.  Whole, it joins out; broken, it is
 * left out and named; gone (a name some value made up), it is dropped.
 */
static void
ask_alone(struct ctx *ctx, unsigned mask, const char *name, int quiet,
    struct zfs_dslist *out)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	struct zfs_dslist	 m;
	struct zfs_names	 sus;
	struct wserr		 e;
	char			 v[VIS_BUFSZ];
	int			 rc;

	/* made up by a value: no argument of ours may start with '-' */
	if (has_control_bytes(name) || !isalnum((unsigned char)name[0]))
		return;
	get_argv(ctx, &argv, mask, NULL, -1);
	strvec_push(&argv, name);
	rc = tool_run(ctx, TOOL_ZFS, argv.v, &r, &e);
	strvec_clear(&argv);
	if (rc == -1)
		return;
	if (r.status != 0) {
		spawn_result_free(&r);	/* gone: a name made up */
		return;
	}
	buf_free(&r.err);
	(void)zfs_parse_get(r.out.data, mask, &m, &sus, &e);
	if (sus.n == 0 && m.n == 1 && strcmp(m.v[0].name, name) == 0) {
		zfs_dslist_merge(out, &m);
	} else {
		if (!quiet)
			out_warn(ctx, "%s: a property value holds a tab, "
			    "newline or other control character; left out",
			    vis_str(v, sizeof(v), name));
		out->nbad++;
		zfs_dslist_free(&m);
	}
	free(sus.v);
}

/*
 * Parse the output of a get that succeeded; the list takes it.  A
 * dataset left out is named on stderr, but for target, the one dataset
 * asked for: its caller says so.
 */
static int
get_parse(struct ctx *ctx, struct spawn_result *r, unsigned mask,
    const char *target, struct zfs_dslist *out, struct wserr *e)
{
	struct zfs_names sus;
	size_t		 i;
	int		 order[ZP_COUNT];
	char		*tab, *line = r->out.data;

	buf_free(&r->err);
	/*
	 * What no value can forge: zfs's first line begins with a name and
	 * the first property asked for.  Anything else is not zfs get.
	 */
	(void)props_order(mask, order);
	if (*line != '\0' && ((tab = strchr(line, '\t')) == NULL ||
	    strncmp(tab + 1, zprop_names[order[0]],
	    strlen(zprop_names[order[0]])) != 0 ||
	    tab[1 + strlen(zprop_names[order[0]])] != '\t')) {
		line[strcspn(line, "\n")] = '\0';
		(void)unexpected(e, line);
		free(r->out.data);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	if (zfs_parse_get(r->out.data, mask, out, &sus, e) == -1) {
		zfs_dslist_free(out);
		free(sus.v);
		return -1;
	}
	for (i = 0; i < sus.n; i++)
		ask_alone(ctx, mask, sus.v[i], target != NULL &&
		    strcmp(sus.v[i], target) == 0, out);
	free(sus.v);
	return 0;
}

/* Run a get argv and parse its output; target names a 66 when missing. */
static int
get_run(struct ctx *ctx, struct strvec *argv, unsigned mask,
    const char *target, struct zfs_dslist *out, struct wserr *e)
{
	struct spawn_result	 r;

	if (zfs_run_ok(ctx, argv, &r, target, e) == -1)
		return -1;
	return get_parse(ctx, &r, mask, target, out, e);
}

int
zfs_get(struct ctx *ctx, unsigned mask, const char *target, int depth,
    struct zfs_dslist *out, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	int		 rc;

	get_argv(ctx, &argv, mask, NULL, depth);
	if (target != NULL)
		strvec_push(&argv, target);
	rc = get_run(ctx, &argv, mask, target, out, e);
	strvec_clear(&argv);
	return rc;
}

/*
 * The longest value zfs get prints whole: it formats each into a buffer
 * of ZFS_MAXPROPLEN (4096) bytes and cuts what is longer (a snapshot
 * with a hundred clones or so fills it).
 */
#define ZFS_VALUE_MAX	4095

/*
 * One line of zfs get -o name,value clones: a snapshot's clones (names,
 * each a dataset of its pool, joined by commas) go to out; a dataset's
 * line (no '@') has none.  1 where the list may have been cut.
 *
 * A receive cut off into DS (zfs receive -s) leaves a hidden clone of
 * DS's newest snapshot, DS/%recv: the receive's state, which zfs list
 * never shows, zfs rename moves and zfs destroy -r takes along with DS
 * (seen on OpenZFS 2.1).  It is no clone anyone made: left out.
 */
static int
clones_line(char *line, struct strvec *out, struct wserr *e)
{
	char	*val = strchr(line, '\t'), *c;
	size_t	 pl = strcspn(line, "/@");

	if (val == NULL || strchr(val + 1, '\t') != NULL)
		return unexpected(e, line);
	if (val[1] == '\0' || strcmp(val + 1, "-") == 0)
		return 0;		/* none, or a dataset's line */
	/* zfs get cuts a value at its buffer's end without a word */
	if (strlen(val + 1) >= ZFS_VALUE_MAX)
		return 1;
	if (memchr(line, '@', (size_t)(val - line)) == NULL)
		return unexpected(e, line);
	*val++ = '\0';
	while ((c = strsep(&val, ",")) != NULL) {
		struct wserr	 bad;

		char	*hid = strstr(c, "/%");
		int	 here;

		if (hid != NULL)
			*hid = '\0';	/* DS of DS/%recv */
		here = strncmp(c, line, pl) == 0 && (c[pl] == '/' ||
		    (hid != NULL && c[pl] == '\0'));
		if (valid_dataset(c, &bad) == -1 || !here || (hid != NULL &&
		    (hid[2] == '\0' || hid[2 + strspn(hid + 2,
		    "abcdefghijklmnopqrstuvwxyz")] != '\0')))
			return unexpected(e, c);
		if (hid == NULL)
			strvec_push(out, c);
	}
	return 0;
}

/*
 * The names of the clones (zfs get clones, one call) into out (empty);
 * 1 (out empty) where zfs cannot say, as zfs_get_clones.
 */
static int
snapshot_clones(struct ctx *ctx, const char *const *names, size_t n,
    int depth, struct strvec *out, struct wserr *e)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	char			*line, *p;
	size_t			 i;
	int			 rc;

	if (ctx->zfs_clones < 0)
		return 1;
	zfs_argv(ctx, &argv, "get", "-H", "-p", "-o", "name,value", SV_END);
	push_depth(&argv, depth);
	strvec_push(&argv, "clones");
	for (i = 0; i < n; i++)
		strvec_push(&argv, names[i]);
	rc = tool_run(ctx, TOOL_ZFS, argv.v, &r, e);
	if (rc == 0 && r.status == 2 && ctx->zfs_clones == 0) {
		/* usage: this zfs get has no clones property */
		ctx->zfs_clones = -1;
		spawn_result_free(&r);
		rc = 1;
	} else if (rc == 0 && (rc = zfs_check(&argv, &r, n == 1 ? names[0] :
	    NULL, e)) == 0) {
		ctx->zfs_clones = 1;
		buf_free(&r.err);
		for (p = r.out.data; rc == 0 && p != NULL && *p != '\0';) {
			line = strsep(&p, "\n");
			if (*line != '\0' || p != NULL)
				rc = clones_line(line, out, e);
		}
		free(r.out.data);
		if (rc == 1)
			strvec_clear(out);
	}
	strvec_clear(&argv);
	return rc;
}

int
zfs_get_clones(struct ctx *ctx, unsigned mask, const char *const *names,
    size_t n, int depth, struct zfs_dslist *out, struct wserr *e)
{
	struct strvec	 clones = STRVEC_INIT;
	int		 rc;

	memset(out, 0, sizeof(*out));
	rc = snapshot_clones(ctx, names, n, depth, &clones, e);
	if (rc == 0 && clones.n > 0)
		rc = zfs_get_each(ctx, mask, clones.v, clones.n, -1, out, e);
	strvec_clear(&clones);
	return rc;
}

/* Drop the snapshots from l. */
static void
drop_snapshots(struct zfs_dslist *l)
{
	size_t	 i, k = 0;

	for (i = 0; i < l->n; i++)
		if (strchr(l->v[i].name, '@') == NULL)
			l->v[k++] = l->v[i];
	l->n = k;
}

/* Append m's entries to l and take m's buffers. */
static void
dslist_take(struct zfs_dslist *l, struct zfs_dslist *m)
{
	size_t	 i;

	if (m->n > 0) {
		l->v = xreallocarray(l->v, l->n + m->n, sizeof(*l->v));
		memcpy(l->v + l->n, m->v, m->n * sizeof(*m->v));
		l->n += m->n;
	}
	l->more = xreallocarray(l->more, l->nmore + m->nmore + 1,
	    sizeof(*l->more));
	l->more[l->nmore++] = m->buf;
	for (i = 0; i < m->nmore; i++)
		l->more[l->nmore++] = m->more[i];
	free(m->v);
	free(m->more);
	memset(m, 0, sizeof(*m));
}

/* argv bytes per zfs get of named datasets: far below ARG_MAX. */
#define NAMES_CHUNK	((size_t)128 * 1024)

/*
 * zfs-fuse: every filesystem and volume (to depth) without a snapshot:
 * their names from zfs list, then zfs get of those names, in chunks.
 */
static int
get_datasets_listed(struct ctx *ctx, unsigned mask, int depth,
    struct zfs_dslist *out, struct wserr *e)
{
	struct zfs_names	 names;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (zfs_list_names(ctx, "filesystem,volume", 0, depth, &names,
	    e) == -1)
		return -1;
	rc = zfs_get_each(ctx, mask, names.v, names.n, -1, out, e);
	zfs_names_free(&names);
	return rc;
}

int
zfs_get_each(struct ctx *ctx, unsigned mask, char *const *names, size_t n,
    int depth, struct zfs_dslist *out, struct wserr *e)
{
	size_t	 i = 0;

	memset(out, 0, sizeof(*out));
	while (i < n) {
		struct strvec	 argv = STRVEC_INIT;
		struct zfs_dslist m;
		size_t		 bytes = 0;
		int		 rc;

		get_argv(ctx, &argv, mask, NULL, depth);
		for (; i < n && bytes < NAMES_CHUNK; i++) {
			strvec_push(&argv, names[i]);
			bytes += strlen(names[i]) + 1;
		}
		rc = get_run(ctx, &argv, mask, NULL, &m, e);
		strvec_clear(&argv);
		if (rc == -1) {
			zfs_dslist_free(out);
			return -1;
		}
		dslist_take(out, &m);
	}
	return 0;
}

int
zfs_get_datasets(struct ctx *ctx, unsigned mask, const char *target,
    int depth, struct zfs_dslist *out, struct wserr *e)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	int			 rc;

	/* the pools' roots alone: there is no snapshot to skip */
	if (target == NULL && depth == 0)
		return zfs_get(ctx, mask, NULL, 0, out, e);
	if (ctx->zfs_get_t >= 0) {
		get_argv(ctx, &argv, mask, "filesystem,volume", depth);
		if (target != NULL)
			strvec_push(&argv, target);
		if ((rc = tool_run(ctx, TOOL_ZFS, argv.v, &r, e)) == 0) {
			/* exit 2: usage, so this zfs get has no -t */
			ctx->zfs_get_t = r.status == 2 ? -1 : 1;
			if (ctx->zfs_get_t == -1)
				spawn_result_free(&r);
			else if ((rc = zfs_check(&argv, &r, target, e)) == 0)
				rc = get_parse(ctx, &r, mask, target, out, e);
		}
		strvec_clear(&argv);
		if (rc == -1 || ctx->zfs_get_t == 1)
			return rc;
	}
	if (target == NULL)
		return get_datasets_listed(ctx, mask, depth, out, e);
	if (zfs_get(ctx, mask, target, depth, out, e) == -1)
		return -1;
	drop_snapshots(out);
	return 0;
}

static int
cmp_ds(const void *a, const void *b)
{
	return strcmp(((const struct zfs_ds *)a)->name,
	    ((const struct zfs_ds *)b)->name);
}

void
zfs_dslist_merge(struct zfs_dslist *l, struct zfs_dslist *m)
{
	size_t	 i, k = 0;

	sort_items(l->v, l->n, sizeof(l->v[0]), cmp_ds);
	for (i = 0; i < m->n; i++)
		if (l->n == 0 || bsearch(&m->v[i], l->v, l->n,
		    sizeof(l->v[0]), cmp_ds) == NULL)
			m->v[k++] = m->v[i];
	m->n = k;
	dslist_take(l, m);
	sort_items(l->v, l->n, sizeof(l->v[0]), cmp_ds);
}

int
zfs_get_one(struct ctx *ctx, const char *name, unsigned mask,
    struct zfs_dslist *l, struct wserr *e)
{
	char	 v[VIS_BUFSZ];

	if (zfs_get(ctx, mask, name, -1, l, e) == -1)
		return -1;
	if (l->n != 1 || strcmp(l->v[0].name, name) != 0) {
		if (l->nbad > 0)
			wserr_set(e, EX_DATAERR, "%s: a property value holds "
			    "a tab, newline or other control character",
			    vis_str(v, sizeof(v), name));
		else
			wserr_set(e, EX_UNAVAILABLE, "unexpected zfs output "
			    "for %s", vis_str(v, sizeof(v), name));
		zfs_dslist_free(l);
		return -1;
	}
	return 0;
}

/*
 * Properties no zfs clone or zfs set can give a new clone: fixed when a
 * filesystem is made (a clone takes them from its origin), or the
 * volume's.  Everything else set locally is policy, and is carried.
 */
static int
not_carried(const char *prop)
{
	static const char *const fixed[] = { "casesensitivity",
	    "normalization", "utf8only", "encryption", "keyformat",
	    "keylocation", "pbkdf2iters", "version", "volsize",
	    "volblocksize", NULL };
	size_t	 i;

	for (i = 0; fixed[i] != NULL; i++)
		if (strcmp(prop, fixed[i]) == 0)
			return 1;
	return 0;
}

int
zfs_local_props(struct ctx *ctx, const char *name, struct strvec *out,
    struct wserr *e)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	struct zfs_names	 props;
	struct buf		 list = { NULL, 0, 0 };
	char			*line, *p, v[VIS_BUFSZ];
	size_t			 i = 0;
	int			 rc = -1;

	/* 1. Their names alone: no value printed, nothing to forge. */
	zfs_argv(ctx, &argv, "get", "-H", "-o", "property", "-s", "local",
	    "all", name, SV_END);
	if (zfs_run_ok(ctx, &argv, &r, name, e) == -1) {
		strvec_clear(&argv);
		return -1;
	}
	strvec_clear(&argv);
	buf_free(&r.err);
	if (zfs_parse_names(r.out.data, &props, e) == -1) {
		zfs_names_free(&props);
		return -1;
	}
	for (i = 0; i < props.n; i++) {
		if (not_carried(props.v[i]))
			continue;
		if (list.len > 0)
			buf_append(&list, ",", 1);
		buf_append(&list, props.v[i], strlen(props.v[i]));
	}
	zfs_names_free(&props);
	if (list.len == 0)
		return 0;
	/* 2. Their values, in that order, guid last: exactly so, or none. */
	buf_append(&list, ",guid", 5);
	zfs_argv(ctx, &argv, "get", "-H", "-p", "-o",
	    "name,property,value,source", list.data, name, SV_END);
	if (zfs_run_ok(ctx, &argv, &r, name, e) == -1)
		goto out;
	buf_free(&r.err);
	p = r.out.data;
	for (line = list.data; line != NULL;) {
		char	*want = strsep(&line, ","), *l = strsep(&p, "\n");
		char	*f[4], *rest = l;
		int	 nf = 0;

		while (l != NULL && nf < 4 && (f[nf] = strsep(&rest, "\t")) !=
		    NULL)
			nf++;
		if (l == NULL || nf != 4 || rest != NULL ||
		    strcmp(f[0], name) != 0 || strcmp(f[1], want) != 0 ||
		    has_control_bytes(f[2]) || (strcmp(want, "guid") != 0 &&
		    strcmp(f[3], "local") != 0)) {
			wserr_set(e, EX_DATAERR, "%s: a property value holds a "
			    "tab, newline or other control character (at %s); "
			    "its properties are not carried over",
			    vis_str(v, sizeof(v), name), want);
			free(r.out.data);
			goto out;
		}
		if (strcmp(want, "guid") != 0)
			strvec_pushf(out, "%s=%s", f[1], f[2]);
	}
	rc = p == NULL || *p == '\0' ? 0 : -1;
	if (rc == -1)
		wserr_set(e, EX_DATAERR, "%s: a property value holds a newline; "
		    "its properties are not carried over", vis_str(v, sizeof(v),
		    name));
	free(r.out.data);
out:
	strvec_clear(&argv);
	buf_free(&list);
	return rc;
}

int
zfs_parse_names(char *buf, struct zfs_names *out, struct wserr *e)
{
	size_t	 alloc = 0;
	char	*line, *p = buf;

	memset(out, 0, sizeof(*out));
	out->buf = buf;
	while ((line = strsep(&p, "\n")) != NULL) {
		if (*line == '\0' && p == NULL)
			break;
		if (*line == '\0' || strchr(line, '\t') != NULL)
			return unexpected(e, line);
		if (out->n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			out->v = xreallocarray(out->v, alloc, sizeof(*out->v));
		}
		out->v[out->n++] = line;
	}
	return 0;
}

void
zfs_names_free(struct zfs_names *l)
{
	free(l->v);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

int
zfs_list_names(struct ctx *ctx, const char *types, int by_creation,
    int depth, struct zfs_names *out, struct wserr *e)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	int			 rc = -1;

	strvec_pushl(&argv, ctx->cfg.zfs, "list", "-H", "-o", "name", "-t",
	    types, SV_END);
	/* createtxg is exact within a pool, creation (seconds) across */
	if (by_creation)
		strvec_pushl(&argv, "-s", "creation", "-s", "createtxg",
		    SV_END);
	if (depth >= 0) {
		strvec_push(&argv, "-d");
		strvec_pushf(&argv, "%d", depth);
	}
	if (zfs_run_ok(ctx, &argv, &r, NULL, e) == 0) {
		buf_free(&r.err);
		if ((rc = zfs_parse_names(r.out.data, out, e)) == -1)
			zfs_names_free(out);
	}
	strvec_clear(&argv);
	return rc;
}

int
zfs_exists(struct ctx *ctx, const char *name, int *exists, struct wserr *e)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	int			 rc = -1;

	strvec_pushl(&argv, ctx->cfg.zfs, "list", "-H", "-o", "name", SV_END);
	if (strchr(name, '@') != NULL)
		strvec_pushl(&argv, "-t", "snapshot", SV_END);
	strvec_push(&argv, name);
	if (tool_run(ctx, TOOL_ZFS, argv.v, &r, e) == 0) {
		size_t	 len = strlen(name);

		if (r.status == 0 && strncmp(r.out.data, name, len) == 0 &&
		    r.out.data[len] == '\n') {
			*exists = 1;
			rc = 0;
		} else if (zfs_is_noent(&r)) {
			*exists = 0;
			rc = 0;
		} else if (r.status == 0)
			(void)unexpected(e, r.out.data);
		else
			spawn_fail(e, argv.v, &r);
		spawn_result_free(&r);
	}
	strvec_clear(&argv);
	return rc;
}

int
zfs_version(struct ctx *ctx, char **ver, struct wserr *e)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	int			 rc = -1;

	*ver = NULL;
	strvec_pushl(&argv, ctx->cfg.zfs, "version", SV_END);
	if (tool_run(ctx, TOOL_ZFS, argv.v, &r, e) == 0) {
		/* OpenZFS: "zfs-2.1.11-1\nzfs-kmod-2.1.11-1\n"; zfs-fuse has no such command. */
		if (r.status == 0 && strncmp(r.out.data, "zfs-", 4) == 0)
			*ver = xstrndup(r.out.data + 4,
			    strcspn(r.out.data + 4, "\n\t "));
		spawn_result_free(&r);
		rc = 0;
	}
	strvec_clear(&argv);
	return rc;
}

char *
zfs_hold_tags(struct ctx *ctx, const char *snap)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	struct buf		 b = { NULL, 0, 0 };
	struct wserr		 e;
	char			*p, *line, *f[3], *v;
	int			 k;

	zfs_argv(ctx, &argv, "holds", "-H", snap, SV_END);
	if (tool_run(ctx, TOOL_ZFS, argv.v, &r, &e) == -1) {
		strvec_clear(&argv);
		return NULL;
	}
	strvec_clear(&argv);
	/* NAME<tab>TAG<tab>TIMESTAMP a line; a tag is shown escaped */
	for (p = r.status == 0 ? r.out.data : NULL; p != NULL &&
	    (line = strsep(&p, "\n")) != NULL;) {
		for (k = 0; k < 3 && (f[k] = strsep(&line, "\t")) != NULL; k++)
			;
		if (k != 3 || line != NULL || strcmp(f[0], snap) != 0)
			continue;
		if (b.len > 0)
			buf_append(&b, ", ", 2);
		v = vis_dup(f[1]);	/* a tag is anyone's text */
		buf_append(&b, v, strlen(v));
		free(v);
	}
	spawn_result_free(&r);
	return b.data;
}

static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1)
		;
}

/*
 * The one place zfs's "busy" is read: a refusal that may pass in a
 * moment (a dataset just unmounted, a mount still settling).  Anything
 * else zfs refuses (another pool, a name taken, a hold) is for good.
 */
static int
zfs_is_busy(const struct spawn_result *r)
{
	return r->status != 0 && r->err.data != NULL &&
	    strstr(r->err.data, "busy") != NULL;
}

/*
 * Run argv directly, trying again while zfs says busy: after 25 ms, then
 * twice as long each time up to a second a wait.  "Busy" right after an
 * unmount mostly clears within milliseconds; a flat half second made one
 * destroy in two take ten times the reference's time.  Nine tries wait
 * 3.6 s in all, as eight with flat naps did.  A refusal that is not
 * "busy" is final: it is never tried again.
 */
static int
run_retry(struct ctx *ctx, char *const *argv, int tries, struct wserr *e)
{
	struct spawn_result	 r;
	int			 i, wait = 25;

	for (i = 0; i < tries; i++) {
		if (i > 0) {
			nap(wait);
			wait = wait * 2 > 1000 ? 1000 : wait * 2;
		}
		if (tool_run(ctx, TOOL_ZFS, argv, &r, e) == -1)
			return -1;
		if (r.status == 0) {
			spawn_result_free(&r);
			return 0;
		}
		spawn_fail(e, argv, &r);
		if (!zfs_is_busy(&r))
			i = tries;
		spawn_result_free(&r);
	}
	return -1;
}

static void
zfs_argv(struct ctx *ctx, struct strvec *argv, ...)
{
	va_list	 ap;
	const char *s;

	strvec_push(argv, ctx->cfg.zfs);
	va_start(ap, argv);
	while ((s = va_arg(ap, const char *)) != NULL)
		strvec_push(argv, s);
	va_end(ap);
}

/*
 * Undo of what this run made (argv: zfs destroy [-r] NAME TAG): where
 * NAME carries TAG (warpstor:txn=ID, local), unmount it, then destroy
 * it; where it does not exist, or is not ours (the step that would have
 * made it failed, or never ran: what stands there is someone else's),
 * there is nothing to undo.
 */
int
zfs_undo_destroy(struct ctx *ctx, char *const *argv, struct wserr *e)
{
	struct strvec	 um = STRVEC_INIT, rm = STRVEC_INIT;
	struct zfs_dslist l;
	struct wserr	 ignore;
	const char	*name, *id;
	size_t		 n, i;
	int		 rc, ours;

	for (n = 0; argv[n] != NULL; n++)
		;
	if (n < 4 || !zfs_kv_is(argv[n - 1], ZP_TXN, &id)) {
		wserr_set(e, EX_SOFTWARE, "undo without the tag of its run: "
		    "nothing is destroyed");
		return -1;
	}
	name = argv[n - 2];
	if (zfs_get_one(ctx, name, ZPM(ZP_TXN), &l, e) == -1)
		return e->code == EX_NOINPUT ? 0 : -1;
	ours = (l.v[0].local & ZPM(ZP_TXN)) && l.v[0].val[ZP_TXN] != NULL &&
	    strcmp(l.v[0].val[ZP_TXN], id) == 0;
	zfs_dslist_free(&l);
	if (!ours)
		return 0;
	for (i = 0; i + 1 < n; i++)
		strvec_push(&rm, argv[i]);
	if (strchr(name, '@') == NULL) {
		zfs_argv(ctx, &um, "umount", name, SV_END);
		(void)run_retry(ctx, um.v, 1, &ignore);
		strvec_clear(&um);
	}
	rc = run_retry(ctx, rm.v, 9, e);
	strvec_clear(&rm);
	return rc;
}

int
zfs_try(struct ctx *ctx, char *const *argv, struct wserr *e)
{
	return run_retry(ctx, argv, 1, e);
}

/* A step that zfs may refuse for a moment (busy): tried a few times. */
int
zfs_retry(struct ctx *ctx, char *const *argv, struct wserr *e)
{
	return run_retry(ctx, argv, 9, e);
}

/* The undo of a plain step: its argv, run once. */
static int
zfs_undo_run(struct ctx *ctx, char *const *argv, struct wserr *e)
{
	return tool_run_ok(ctx, TOOL_ZFS, argv, NULL, e);
}

static int
exists_now(struct ctx *ctx, const char *name)
{
	struct wserr	 e;
	int		 yes = 1;

	(void)zfs_exists(ctx, name, &yes, &e);
	return yes;
}

static int
prop_is(struct ctx *ctx, const char *name, enum zprop p, const char *want)
{
	struct zfs_dslist l;
	struct wserr	 e;
	int		 is = strcmp("", want) == 0;	/* when it cannot tell */

	if (zfs_get_one(ctx, name, ZPM(p), &l, &e) == 0) {
		is = strcmp(l.v[0].val[p] != NULL ? l.v[0].val[p] : "",
		    want) == 0;
		zfs_dslist_free(&l);
	}
	return is;
}

/*
 * Is what the undo argv (zfs VERB ... NAME) brings about so already?
 * Read from the pool, never from the undo's own success.
 */
static int
zfs_goal_met(struct ctx *ctx, char *const *a)
{
	size_t	 n;

	for (n = 0; a[n] != NULL; n++)
		;
	if (n < 3)
		return 0;
	if (strcmp(a[1], "destroy") == 0)
		return !exists_now(ctx, zfs_kv_is(a[n - 1], ZP_TXN, NULL) ?
		    a[n - 2] : a[n - 1]);
	if (strcmp(a[1], "rename") == 0 && n == 4)
		return !exists_now(ctx, a[2]) && exists_now(ctx, a[3]);
	if (strcmp(a[1], "mount") == 0)
		return prop_is(ctx, a[n - 1], ZP_MOUNTED, "yes");
	if (strcmp(a[1], "umount") == 0)
		return !prop_is(ctx, a[n - 1], ZP_MOUNTED, "yes");
	if (strcmp(a[1], "promote") == 0)
		return prop_is(ctx, a[2], ZP_ORIGIN, "");
	return 0;
}

const struct undo_kind zfs_undo_once = { "zfs", zfs_undo_run, zfs_goal_met };
const struct undo_kind zfs_undo_retry = { "zfs-retry", zfs_retry,
    zfs_goal_met };
const struct undo_kind zfs_undo_created = { "zfs-destroy-created",
    zfs_undo_destroy, zfs_goal_met };
/* Every undo kind of the zfs world (node.c's too), for recover. */
const struct undo_kind *const zfs_undo_kinds[] = { &zfs_undo_once,
    &zfs_undo_retry, &zfs_undo_created, &zfs_undo_transfer, NULL };

int
zfs_rename_once(struct ctx *ctx, const char *from, const char *to,
    struct wserr *e)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	int			 rc;

	zfs_argv(ctx, &argv, "rename", from, to, SV_END);
	rc = zfs_run_ok(ctx, &argv, &r, from, e);
	if (rc == 0)
		spawn_result_free(&r);
	strvec_clear(&argv);
	return rc;
}

int
zfs_rename_now(struct ctx *ctx, const char *from, const char *to,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	int		 rc;

	zfs_argv(ctx, &argv, "rename", from, to, SV_END);
	rc = run_retry(ctx, argv.v, 9, e);
	strvec_clear(&argv);
	return rc;
}

int
zfs_inherit_now(struct ctx *ctx, const char *name, enum zprop p,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	int		 rc;

	zfs_argv(ctx, &argv, "inherit", "-r", zprop_names[p], name, SV_END);
	rc = run_retry(ctx, argv.v, 1, e);
	strvec_clear(&argv);
	return rc;
}

int
zfs_set_now(struct ctx *ctx, const char *name, enum zprop p,
    const char *value, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	int		 rc;

	zfs_argv(ctx, &argv, "set", SV_END);
	strvec_pushf(&argv, "%s=%s", zprop_names[p], value);
	strvec_push(&argv, name);
	rc = run_retry(ctx, argv.v, 1, e);
	strvec_clear(&argv);
	return rc;
}

int
zfs_destroy_now(struct ctx *ctx, const char *name, const char *flags,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	int		 rc;

	zfs_argv(ctx, &argv, "destroy", SV_END);
	if (flags != NULL && *flags != '\0')
		strvec_push(&argv, flags);
	strvec_push(&argv, name);
	rc = run_retry(ctx, argv.v, 1, e);
	strvec_clear(&argv);
	return rc;
}

/*
 * A step that makes name (argv carries -o warpstor:txn=ID, from
 * tag_argv); its undo destroys it only where it carries that tag.
 */
static int
created(struct txn *t, struct strvec *argv, const char *flags,
    const char *name, struct wserr *e)
{
	struct strvec	 undo = STRVEC_INIT;

	zfs_argv(t->ctx, &undo, "destroy", SV_END);
	if (flags != NULL)
		strvec_push(&undo, flags);
	strvec_push(&undo, name);
	strvec_pushf(&undo, "%s=%s", zprop_names[ZP_TXN], t->id);
	struct step	 st = { TOOL_ZFS, argv, NULL, &zfs_undo_created, &undo,
	    NULL, NULL };

	return txn_do(t, &st, e);
}

/* -o warpstor:txn=ID: what the run makes carries its id. */
static void
tag_argv(struct txn *t, struct strvec *argv)
{
	strvec_push(argv, "-o");
	strvec_pushf(argv, "%s=%s", zprop_names[ZP_TXN], t->id);
}

static void
push_props(struct strvec *argv, const struct strvec *props)
{
	size_t	 i;

	for (i = 0; props != NULL && i < props->n; i++)
		strvec_pushl(argv, "-o", props->v[i], SV_END);
}

int
zfs_create(struct txn *t, const char *name, const struct strvec *props,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	int		 rc;

	zfs_argv(t->ctx, &argv, "create", SV_END);
	push_props(&argv, props);
	tag_argv(t, &argv);
	strvec_push(&argv, name);
	rc = created(t, &argv, NULL, name, e);
	strvec_clear(&argv);
	return rc;
}

int
zfs_clone(struct txn *t, const char *snap, const char *name,
    const struct strvec *props, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	int		 rc;

	zfs_argv(t->ctx, &argv, "clone", SV_END);
	push_props(&argv, props);
	tag_argv(t, &argv);
	strvec_pushl(&argv, snap, name, SV_END);
	rc = created(t, &argv, NULL, name, e);
	strvec_clear(&argv);
	return rc;
}

/* One zfs step (run by run, or once) undone by undo_argv as kind says. */
static int
step(struct txn *t, struct strvec *argv, step_fn run,
    const struct undo_kind *kind, struct strvec *undo_argv, struct wserr *e)
{
	struct step	 st = { TOOL_ZFS, argv, run, kind, undo_argv, NULL, NULL };
	int		 rc;

	rc = txn_do(t, &st, e);
	strvec_clear(argv);
	return rc;
}

int
zfs_snapshot(struct txn *t, const char *name, int recursive, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	int		 rc;

	zfs_argv(t->ctx, &argv, "snapshot", SV_END);
	if (recursive)
		strvec_push(&argv, "-r");
	tag_argv(t, &argv);
	strvec_push(&argv, name);
	rc = created(t, &argv, recursive ? "-r" : NULL, name, e);
	strvec_clear(&argv);
	return rc;
}

int
zfs_promote(struct txn *t, const char *name, const char *undo_name,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT, undo = STRVEC_INIT;
	int		 rc;

	zfs_argv(t->ctx, &argv, "promote", name, SV_END);
	if (undo_name == NULL) {
		rc = txn_run(t, TOOL_ZFS, &argv, NULL, e);
		strvec_clear(&argv);
		return rc;
	}
	zfs_argv(t->ctx, &undo, "promote", undo_name, SV_END);
	return step(t, &argv, NULL, &zfs_undo_once, &undo, e);
}

int
zfs_set(struct txn *t, const char *name, const char *prop, const char *value,
    const char *old, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT, undo = STRVEC_INIT;

	zfs_argv(t->ctx, &argv, "set", SV_END);
	strvec_pushf(&argv, "%s=%s", prop, value);
	strvec_push(&argv, name);
	if (old != NULL) {
		zfs_argv(t->ctx, &undo, "set", SV_END);
		strvec_pushf(&undo, "%s=%s", prop, old);
	} else
		zfs_argv(t->ctx, &undo, "inherit", prop, SV_END);
	strvec_push(&undo, name);
	return step(t, &argv, NULL, &zfs_undo_once, &undo, e);
}

int
zfs_inherit(struct txn *t, const char *name, const char *prop,
    const char *old, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT, undo = STRVEC_INIT;
	int		 rc;

	zfs_argv(t->ctx, &argv, "inherit", prop, name, SV_END);
	if (old == NULL) {
		rc = txn_run(t, TOOL_ZFS, &argv, NULL, e);
		strvec_clear(&argv);
		return rc;
	}
	zfs_argv(t->ctx, &undo, "set", SV_END);
	strvec_pushf(&undo, "%s=%s", prop, old);
	strvec_push(&undo, name);
	return step(t, &argv, NULL, &zfs_undo_once, &undo, e);
}

int
zfs_mount(struct txn *t, const char *name, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT, undo = STRVEC_INIT;

	zfs_argv(t->ctx, &argv, "mount", name, SV_END);
	zfs_argv(t->ctx, &undo, "umount", name, SV_END);
	return step(t, &argv, NULL, &zfs_undo_retry, &undo, e);
}

int
zfs_umount(struct txn *t, const char *name, const char *flags, step_fn run,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT, undo = STRVEC_INIT;

	zfs_argv(t->ctx, &argv, "umount", SV_END);
	if (flags != NULL && *flags != '\0')
		strvec_push(&argv, flags);
	strvec_push(&argv, name);
	zfs_argv(t->ctx, &undo, "mount", name, SV_END);
	/* a detached dataset mounts again at once (its superblock lives) */
	return step(t, &argv, run, &zfs_undo_once, &undo, e);
}

int
zfs_rename(struct txn *t, const char *from, const char *to, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT, undo = STRVEC_INIT;

	zfs_argv(t->ctx, &argv, "rename", from, to, SV_END);
	zfs_argv(t->ctx, &undo, "rename", to, from, SV_END);
	return step(t, &argv, zfs_retry, &zfs_undo_retry, &undo, e);
}

int
zfs_release(struct txn *t, const char *tag, const char *snap,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT, undo = STRVEC_INIT;

	zfs_argv(t->ctx, &argv, "release", tag, snap, SV_END);
	zfs_argv(t->ctx, &undo, "hold", tag, snap, SV_END);
	return step(t, &argv, NULL, &zfs_undo_once, &undo, e);
}

int
zfs_destroy(struct txn *t, const char *name, const char *flags,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	int		 rc;

	zfs_argv(t->ctx, &argv, "destroy", SV_END);
	if (flags != NULL && *flags != '\0')
		strvec_push(&argv, flags);
	strvec_push(&argv, name);
	rc = txn_final(t, TOOL_ZFS, &argv, zfs_retry, e);
	strvec_clear(&argv);
	return rc;
}
