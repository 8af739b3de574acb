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

#include "lib/argv.h"
#include "lib/ctx.h"
#include "txn/journal.h"
#include "run/spawn.h"
#include "lib/util.h"

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

/*
 * How one kind of step is undone, defined next to the argv it undoes
 * (zfs.c, nfs.c): run undoes it with the undo's argv; goal_met tells
 * recover whether what the undo was to bring about is so already (the
 * step it undoes may never have run).  The journal names the kind.
 */
struct undo_kind {
	const char	*name;
	step_fn		 run;
	int		(*goal_met)(struct ctx *, char *const *argv);
};

/* One undoable step. */
struct step {
	enum tool	 tool;		/* runs argv, when run is NULL */
	struct strvec	*argv;
	step_fn		 run;		/* or this runs it */
	const struct undo_kind *undo;	/* how undo_argv undoes it */
	struct strvec	*undo_argv;	/* taken over */
	int		(*call)(void *, struct wserr *);	/* or this, */
	void		*arg;		/* with arg, runs it */
};

/*
 * Journal the undo as pending, run the step (requiring exit status 0 of
 * argv when run is NULL), then mark it done, or drop the undo when the
 * step failed.  With -n: print argv only.
 */
int	 txn_do(struct txn *, const struct step *, struct wserr *);

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

/* What a rollback came to. */
struct txn_outcome {
	size_t		 undone;	/* steps undone */
	struct buf	 left;		/* what is left to finish by hand */
};

/*
 * A step failed: undo everything done so far in reverse order, each
 * undo whatever became of the others.  Returns 0, or -1 when an undo
 * failed (the journal then stays, for recover, and o->left lists what
 * is left to do by hand).  The caller reports; it frees o->left.
 */
int	 txn_rollback(struct txn *, struct txn_outcome *o);

/* Undo one step, by kind (NULL: restore a file); rollback and recover. */
int	 txn_undo_one(struct ctx *, const struct undo_kind *,
	    char *const *argv, const char *content, struct wserr *);
/* Append "what is left to do by hand" for an undo that failed. */
void	 txn_left(struct buf *, const struct undo_kind *, char *const *argv,
	    const struct wserr *);

/*
 * Catch SIGINT, SIGTERM and SIGHUP for the whole run: a signal is noted
 * and acted on between steps (txn_check), never in the middle of one.
 */
void	 txn_signals(void);

#endif
