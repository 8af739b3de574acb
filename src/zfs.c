/*
 * zfs.c: argv builders for zfs(8) and parsers of its -H output.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "argv.h"
#include "spawn.h"
#include "zfs.h"

static const char *const zprop_names[ZP_COUNT] = {
	[ZP_TYPE] = "type",
	[ZP_CREATION] = "creation",
	[ZP_USED] = "used",
	[ZP_AVAILABLE] = "available",
	[ZP_REFERENCED] = "referenced",
	[ZP_MOUNTPOINT] = "mountpoint",
	[ZP_MOUNTED] = "mounted",
	[ZP_ORIGIN] = "origin",
	[ZP_CREATETXG] = "createtxg",
	[ZP_FSID] = "warpstor:fsid",
	[ZP_CLIENTS] = "warpstor:clients",
	[ZP_OPTIONS] = "warpstor:options",
};

const char *
zfs_prop_name(enum zprop p)
{
	return zprop_names[p];
}

/*
 * Run one zfs call.  Returns 0 when it ran (r holds its status), -1 with
 * e filled when it could not be started.
 */
static int
zfs_run(struct ctx *ctx, struct strvec *argv, struct spawn_result *r,
    struct wserr *e)
{
	char	 v[VIS_BUFSZ];

	if (ctx->zfs_path[0] == '\0' && spawn_which(ctx->cfg.zfs,
	    ctx->zfs_path, sizeof(ctx->zfs_path)) == -1) {
		ctx->zfs_path[0] = '\0';
		wserr_set(e, EX_UNAVAILABLE, "%s: not found in "
		    SPAWN_PATH, vis_str(v, sizeof(v), ctx->cfg.zfs));
		return -1;
	}
	return spawn_run(ctx->zfs_path, argv->v, ctx->verbose, r, e);
}

/* The one place zfs's wording is read: ENOENT has no exit status of its own. */
static int
zfs_is_noent(const struct spawn_result *r)
{
	return r->status == 1 && strstr(r->err.data, "does not exist") != NULL;
}

/* Run argv and require exit 0; a missing dataset is exit 66. */
static int
zfs_run_ok(struct ctx *ctx, struct strvec *argv, struct spawn_result *r,
    const char *target, struct wserr *e)
{
	char	 v[VIS_BUFSZ];

	if (zfs_run(ctx, argv, r, e) == -1)
		return -1;
	if (r->status == 0)
		return 0;
	if (target != NULL && zfs_is_noent(r))
		wserr_set(e, EX_NOINPUT, "%s: does not exist",
		    vis_str(v, sizeof(v), target));
	else
		spawn_fail(e, argv->v, r);
	spawn_result_free(r);
	return -1;
}

static int
unexpected(struct wserr *e, const char *line)
{
	char	 v[VIS_BUFSZ];

	wserr_set(e, EX_UNAVAILABLE, "unexpected zfs output: '%s'",
	    vis_str(v, sizeof(v), line));
	return -1;
}

static int
prop_index(const char *name, unsigned mask)
{
	int	 i;

	for (i = 0; i < ZP_COUNT; i++)
		if ((mask & ZPM(i)) && strcmp(zprop_names[i], name) == 0)
			return i;
	return -1;
}

int
zfs_parse_get(char *buf, unsigned mask, struct zfs_dslist *out,
    struct wserr *e)
{
	size_t	 alloc = 0;
	char	*line, *p = buf;

	memset(out, 0, sizeof(*out));
	out->buf = buf;
	while ((line = strsep(&p, "\n")) != NULL) {
		char	*f[4], *rest = line;
		int	 nf = 0, idx;

		if (*line == '\0' && p == NULL)
			break;		/* after the last newline */
		while (nf < 4 && (f[nf] = strsep(&rest, "\t")) != NULL)
			nf++;
		if (nf != 4 || rest != NULL || *f[0] == '\0' ||
		    (idx = prop_index(f[1], mask)) == -1)
			return unexpected(e, f[0]);
		if (out->n == 0 || strcmp(out->v[out->n - 1].name, f[0]) != 0) {
			if (out->n == alloc) {
				alloc = alloc ? alloc * 2 : 64;
				out->v = xreallocarray(out->v, alloc,
				    sizeof(*out->v));
			}
			memset(&out->v[out->n], 0, sizeof(out->v[0]));
			out->v[out->n++].name = f[0];
		}
		if (strcmp(f[2], "-") != 0)
			out->v[out->n - 1].val[idx] = f[2];
		if (strcmp(f[3], "local") == 0)
			out->v[out->n - 1].local |= ZPM(idx);
	}
	return 0;
}

void
zfs_dslist_free(struct zfs_dslist *l)
{
	free(l->v);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

int
zfs_get(struct ctx *ctx, unsigned mask, const char *target, int depth,
    struct zfs_dslist *out, struct wserr *e)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	struct buf		 props = { NULL, 0, 0 };
	int			 i, rc = -1;

	for (i = 0; i < ZP_COUNT; i++)
		if (mask & ZPM(i)) {
			if (props.len > 0)
				buf_append(&props, ",", 1);
			buf_append(&props, zprop_names[i],
			    strlen(zprop_names[i]));
		}
	strvec_pushl(&argv, ctx->cfg.zfs, "get", "-H", "-p", "-o",
	    "name,property,value,source", NULL);
	if (depth >= 0) {
		strvec_push(&argv, "-d");
		strvec_pushf(&argv, "%d", depth);
	}
	strvec_push(&argv, props.data);
	if (target != NULL)
		strvec_push(&argv, target);
	if (zfs_run_ok(ctx, &argv, &r, target, e) == 0) {
		buf_free(&r.err);
		if ((rc = zfs_parse_get(r.out.data, mask, out, e)) == -1)
			zfs_dslist_free(out);
	}
	buf_free(&props);
	strvec_clear(&argv);
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
	    types, NULL);
	if (by_creation)
		strvec_pushl(&argv, "-s", "creation", NULL);
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

	strvec_pushl(&argv, ctx->cfg.zfs, "list", "-H", "-o", "name", NULL);
	if (strchr(name, '@') != NULL)
		strvec_pushl(&argv, "-t", "snapshot", NULL);
	strvec_push(&argv, name);
	if (zfs_run(ctx, &argv, &r, e) == 0) {
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
	strvec_pushl(&argv, ctx->cfg.zfs, "version", NULL);
	if (zfs_run(ctx, &argv, &r, e) == 0) {
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
