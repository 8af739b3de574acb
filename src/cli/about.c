/*
 * about.c: the commands about warpstor itself: list-methods (the names
 * of the command table) and version.
 */
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "cli/cli.h"
#include "cmd/cmd.h"
#include "lib/output.h"
#include "nfs/nfs.h"
#include "zfs/zfs.h"

#ifndef WARPSTOR_VERSION
#define WARPSTOR_VERSION "0.0.0"
#endif

/*
 * list-methods
 * Every command name, comma-separated on one line, in table order.
 * Runs nothing.
 */
int
cmd_list_methods(struct ctx *ctx, int argc, char **argv)
{
	const struct command *c;
	struct json_object *a;
	int	 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 0, 0)) != CMD_GO_ON)
		return rc;
	if (ctx->json) {
		a = json_object_new_array();
		for (c = commands; c->name != NULL; c++)
			json_object_array_add(a,
			    json_object_new_string(c->name));
		out_json(a);
		return 0;
	}
	for (c = commands; c->name != NULL; c++)
		(void)printf("%s%s", c == commands ? "" : ",", c->name);
	(void)putchar('\n');
	return 0;
}

/*
 * version
 * "warpstor X.Y.Z, zfs V, nfs-utils V" (V "unknown" where it cannot tell).
 * Runs: zfs version; rpc.mountd --version (beside exportfs)
 */
int
cmd_version(struct ctx *ctx, int argc, char **argv)
{
	struct wserr	 e;
	char		*zv = NULL, *nv;
	int		 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 0, 0)) != CMD_GO_ON)
		return rc;
	if (zfs_version(ctx, &zv, &e) == -1)
		zv = NULL;		/* no zfs at all: still say ours */
	nv = nfs_utils_version(ctx);
	if (ctx->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "warpstor",
		    json_object_new_string(WARPSTOR_VERSION));
		json_object_object_add(o, "zfs", out_jstr(zv));
		json_object_object_add(o, "nfs-utils", out_jstr(nv));
		out_json(o);
	} else
		(void)printf("warpstor %s, zfs %s, nfs-utils %s\n",
		    WARPSTOR_VERSION, zv ? zv : "unknown", nv ? nv : "unknown");
	free(zv);
	free(nv);
	return 0;
}
