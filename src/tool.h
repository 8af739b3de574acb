/*
 * tool.h: the one way warpstor runs the tools it drives, zfs(8) and
 * exportfs(8).  Each is named in the configuration, found once a run,
 * and run by spawn with its argv echoed under -v.
 */
#ifndef WARPSTOR_TOOL_H
#define WARPSTOR_TOOL_H

#include "ctx.h"
#include "spawn.h"
#include "util.h"

/* The tool's name, as -n prints it: "zfs", "exportfs". */
const char *tool_name(enum tool);

/*
 * Run argv with tool.  Returns 0 when it ran (r holds its status, and
 * the caller frees r), -1 with e filled (exit 69) when it could not be
 * started.
 */
int	 tool_run(struct ctx *, enum tool, char *const argv[],
	    struct spawn_result *r, struct wserr *e);

/*
 * tool_run requiring exit status 0 (else e says how it ended).  With out,
 * the caller gets the result (and frees it) on success.
 */
int	 tool_run_ok(struct ctx *, enum tool, char *const argv[],
	    struct spawn_result *out, struct wserr *e);

#endif
