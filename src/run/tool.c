/*
 * tool.c: zfs, exportfs, ssh, zpool and rpc.mountd, each found once a
 * run and run by spawn.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/progress.h"
#include "run/tool.h"

static const char *
configured(const struct ctx *ctx, enum tool tool)
{
	switch (tool) {
	case TOOL_ZFS:
		return ctx->cfg.zfs;
	case TOOL_EXPORTFS:
		return ctx->cfg.exportfs;
	case TOOL_ZPOOL:
		return "zpool";
	case TOOL_MOUNTD:
		return "rpc.mountd";
	default:
		return ctx->cfg.ssh.v[0];
	}
}

const char *
tool_name(enum tool tool)
{
	static const char *const names[TOOL_COUNT] = { "zfs", "exportfs",
	    "ssh", "zpool", "rpc.mountd" };

	return names[tool];
}

/* rpc.mountd ships in exportfs's package: beside it, where it is. */
static void
beside_exportfs(struct ctx *ctx, char *path, size_t len)
{
	char	 exp[PATH_MAX], mountd[PATH_MAX];
	int	 n;

	if (spawn_which(ctx->cfg.exportfs, exp, sizeof(exp)) == -1)
		return;
	n = snprintf(mountd, sizeof(mountd), "%s/rpc.mountd", dirname(exp));
	if (n > 0 && (size_t)n < sizeof(mountd) &&
	    spawn_which(mountd, mountd, sizeof(mountd)) == 0)
		(void)strlcpy(path, mountd, len);
}

/* The tool's path, found on first use. */
static const char *
path_of(struct ctx *ctx, enum tool tool, struct wserr *e)
{
	char	*path = ctx->tool_path[tool];

	if (path[0] == '\0' && tool == TOOL_MOUNTD)
		beside_exportfs(ctx, path, sizeof(ctx->tool_path[tool]));

	if (path[0] == '\0' && spawn_which_tool(configured(ctx, tool), path,
	    sizeof(ctx->tool_path[tool]), e) == -1)
		return NULL;
	return path;
}

static void
tick_shown(void *p)
{
	progress_add(p, 0);
}

int
tool_run(struct ctx *ctx, enum tool tool, char *const argv[],
    struct spawn_result *r, struct wserr *e)
{
	const char *path;

	memset(r, 0, sizeof(*r));
	if ((path = path_of(ctx, tool, e)) == NULL)
		return -1;
	/* a progress line on show keeps its time going while a tool runs */
	if (ctx->shown != NULL && ctx->shown->on)
		return spawn_run_ticking(path, argv, ctx->verbose, tick_shown,
		    ctx->shown, r, e);
	return spawn_run(path, argv, ctx->verbose, r, e);
}

int
tool_run_in(struct ctx *ctx, enum tool tool, char *const argv[], int infd,
    struct spawn_result *r, struct wserr *e)
{
	const char *path;

	memset(r, 0, sizeof(*r));
	if ((path = path_of(ctx, tool, e)) == NULL)
		return -1;
	return spawn_run_in(path, argv, ctx->verbose, infd, NULL, NULL, r, e);
}

int
tool_pipe(struct ctx *ctx, enum tool t1, char *const argv1[], enum tool t2,
    char *const argv2[], struct spawn_result *r1, struct spawn_result *r2,
    void (*tick)(void *, size_t), void *arg, struct wserr *e)
{
	const char *p1, *p2;

	memset(r1, 0, sizeof(*r1));
	memset(r2, 0, sizeof(*r2));
	if ((p1 = path_of(ctx, t1, e)) == NULL ||
	    (p2 = path_of(ctx, t2, e)) == NULL)
		return -1;
	return spawn_pipe(p1, argv1, p2, argv2, ctx->verbose, r1, r2, tick,
	    arg, e);
}

int
tool_run_ok(struct ctx *ctx, enum tool tool, char *const argv[],
    struct spawn_result *out, struct wserr *e)
{
	struct spawn_result	 r;

	if (tool_run(ctx, tool, argv, &r, e) == -1)
		return -1;
	if (r.status != 0) {
		spawn_fail(e, argv, &r);
		spawn_result_free(&r);
		return -1;
	}
	if (out != NULL)
		*out = r;
	else
		spawn_result_free(&r);
	return 0;
}
