/*
 * tool.h: the one way warpstor runs the tools it drives, zfs(8),
 * exportfs(8) and ssh(1) (replicate).  Each is named in the configuration, found once a run,
 * and run by spawn with its argv echoed under -v.
 */
#ifndef WARPSTOR_TOOL_H
#define WARPSTOR_TOOL_H

#include "lib/ctx.h"
#include "run/spawn.h"
#include "lib/util.h"

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

/* tool_run with stdin from infd (a stream passed on: receive-replica). */
int	 tool_run_in(struct ctx *, enum tool, char *const argv[], int infd,
	    struct spawn_result *r, struct wserr *e);

/*
 * argv1 | argv2, run with tools t1 and t2 (spawn_pipe): 0 when both ran
 * (r1, r2 say how each ended; the caller frees them), else -1 with e.
 */
int	 tool_pipe(struct ctx *, enum tool t1, char *const argv1[],
	    enum tool t2, char *const argv2[], struct spawn_result *r1,
	    struct spawn_result *r2, void (*tick)(void *, size_t), void *arg,
	    struct wserr *e);

#endif
