/*
 * txn.h: the steps of a composite command.  Each step that changes
 * something runs through here: with -n it is printed instead (one line a
 * step, or JSON with -j), otherwise it runs and its undo is recorded, so
 * that a later failure (or SIGINT, SIGTERM, SIGHUP) undoes the earlier
 * steps in reverse order.
 */
#ifndef WARPSTOR_TXN_H
#define WARPSTOR_TXN_H

#include "argv.h"
#include "ctx.h"
#include "spawn.h"
#include "util.h"

enum tool {
	TOOL_ZFS,
	TOOL_EXPORTFS
};

struct undo;

struct txn {
	struct ctx	*ctx;
	struct undo	*u;
	size_t		 n;
	size_t		 alloc;
	struct json_object *plan;	/* -n -j: the steps */
};

void	 txn_init(struct txn *, struct ctx *);

/*
 * Run argv with tool as one step, or print it with -n.  Returns 0 on exit
 * status 0, else -1 with e filled (the argv and the tool's stderr).  With
 * r, the caller gets the result (and frees it) on success.
 */
int	 txn_run(struct txn *, enum tool, struct strvec *,
	    struct spawn_result *r, struct wserr *);

/* Record how to undo the last step; argv is taken over (cleared). */
void	 txn_undo_run(struct txn *, enum tool, struct strvec *);
/*
 * Record an undo that is a function of the module that knows it (fn runs
 * with argv, which also tells a person what to run by hand); argv is
 * taken over.
 */
typedef int (*undo_fn)(struct ctx *, char *const *, struct wserr *);
void	 txn_undo_fn(struct txn *, undo_fn, struct strvec *);
/* Record that path held content before (NULL: it did not exist). */
void	 txn_undo_file(struct txn *, const char *path, const char *content);

/*
 * A step that is not a command (chown, chmod, file write): with -n print
 * the line and return 1 (the caller skips the work), else return 0.
 */
int	 txn_step(struct txn *, const char *, ...) WS_PRINTF(2, 3);

/* Fail with e if a signal asked us to stop. */
int	 txn_check(struct txn *, struct wserr *);

/* Success: forget the undo log; with -n -j print the plan. */
void	 txn_commit(struct txn *);

/*
 * A step failed with e: print e, undo everything done so far in reverse
 * order, and return e->code; 70 when an undo failed, after listing what
 * is left and the commands that finish by hand.
 */
int	 txn_fail(struct txn *, struct wserr *);

/* Block and catch SIGINT, SIGTERM and SIGHUP for the whole run. */
void	 txn_signals(void);

#endif
