/*
 * txn.h: the steps of a composite command.  Each step that changes
 * something runs through here: with -n it is printed instead (one line a
 * step, or JSON with -j), otherwise its undo is written to the journal
 * and kept, then it runs, so that a later failure (or SIGINT, SIGTERM,
 * SIGHUP) undoes the earlier steps in reverse order, and a crash leaves
 * what `warpstor recover` needs.
 */
#ifndef WARPSTOR_TXN_H
#define WARPSTOR_TXN_H

#include "argv.h"
#include "ctx.h"
#include "journal.h"
#include "spawn.h"
#include "util.h"

struct undo;

struct txn {
	struct ctx	*ctx;
	struct undo	*u;
	size_t		 n;
	size_t		 alloc;
	struct json_object *plan;	/* -n -j: the steps */
	int		 jfd;		/* the journal, once begun; else -1 */
	char		 id[17];	/* the run's id: warpstor:txn of what it makes */
};

void	 txn_init(struct txn *, struct ctx *);

/*
 * Run argv with tool and require exit status 0, or print it with -n.
 * Not journaled: for steps without an undo (exportfs -f).  With r, the
 * caller gets the result (and frees it) on success.
 */
int	 txn_run(struct txn *, enum tool, struct strvec *,
	    struct spawn_result *r, struct wserr *);

/* How a step is run when plain txn_run is not enough (retries, ...). */
typedef int (*step_fn)(struct ctx *, char *const *, struct wserr *);
/* An undo that is a function of the module that knows it. */
typedef int (*undo_fn)(struct ctx *, char *const *, struct wserr *);

/*
 * One undoable step: journal its undo (undo_argv, run with tool, or by
 * fn, which recover finds again by fn_name) as pending, run argv (by run,
 * or txn_run), then mark the step done, or drop the undo when it failed.
 * undo_argv is taken over.  With -n: print argv only.
 */
int	 txn_do(struct txn *, enum tool, struct strvec *argv, step_fn run,
	    const char *fn_name, undo_fn fn, struct strvec *undo_argv,
	    struct wserr *);

/*
 * Write data to path atomically as one step (undo: the content before,
 * NULL when there was no file).  With -n: print "write PATH".
 */
int	 txn_write(struct txn *, const char *path, const char *data,
	    const char *before, struct wserr *);

/*
 * The last, irreversible step (a destroy): journaled so that recover
 * finishes it rather than undoing everything before it.
 */
int	 txn_final(struct txn *, enum tool, struct strvec *argv, step_fn run,
	    struct wserr *);

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

/* Undo one step (rollback and recover alike). */
int	 txn_undo_one(struct ctx *, enum jkind, undo_fn, char *const *argv,
	    const char *content, struct wserr *);
/* Append "what is left to do by hand" for an undo that failed. */
void	 txn_left(struct buf *, enum jkind, char *const *argv,
	    const struct wserr *);

/* Block and catch SIGINT, SIGTERM and SIGHUP for the whole run. */
void	 txn_signals(void);

#endif
