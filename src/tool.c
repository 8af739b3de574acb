/*
 * tool.c: zfs and exportfs, found once a run and run by spawn.
 */
#include <string.h>

#include "tool.h"

static const char *
configured(const struct ctx *ctx, enum tool tool)
{
	return tool == TOOL_ZFS ? ctx->cfg.zfs : ctx->cfg.exportfs;
}

const char *
tool_name(enum tool tool)
{
	return tool == TOOL_ZFS ? "zfs" : "exportfs";
}

int
tool_run(struct ctx *ctx, enum tool tool, char *const argv[],
    struct spawn_result *r, struct wserr *e)
{
	char	*path = ctx->tool_path[tool];

	memset(r, 0, sizeof(*r));
	if (path[0] == '\0' && spawn_which_tool(configured(ctx, tool), path,
	    sizeof(ctx->tool_path[tool]), e) == -1)
		return -1;
	return spawn_run(path, argv, ctx->verbose, r, e);
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
