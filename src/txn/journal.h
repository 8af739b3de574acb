/*
 * journal.h: the intent journal of composite commands.  Before its first
 * change a command writes who it is; before each step, how to undo it
 * (pending); after the step, that it is done.  Every record is fsynced,
 * so a crash, a power loss or kill -9 leaves enough for `warpstor
 * recover` to undo the cut-off command, or to finish it when only its
 * last, irreversible step was under way.
 */
#ifndef WARPSTOR_JOURNAL_H
#define WARPSTOR_JOURNAL_H

#include <sys/types.h>

#include "lib/argv.h"
#include "lib/util.h"

/* What an undo is: an undo kind of zfs.c/nfs.c run on an argv, or a file. */
enum jkind {
	J_UNDO,		/* name: the undo kind; argv: its words */
	J_FILE		/* argv: the path; content: what it held before */
};

/* What became of the step of an undo record. */
enum jstate {
	JS_PENDING,	/* under way, or cut off: undo it */
	JS_DONE,	/* it ran: undo it */
	JS_DROPPED	/* it failed: nothing to undo */
};

/* What the journal says of the last, irreversible step. */
enum jfinal {
	JF_NONE,
	JF_PENDING,	/* under way: finish it */
	JF_DONE		/* it ran */
};

/* The marks that end a step (their letters in the journal). */
enum jmark {
	JM_DONE = 'D',		/* the last undo's step ran */
	JM_DROPPED = 'X',	/* the last undo's step failed */
	JM_FINAL_DONE = 'Y'	/* the last, irreversible step ran */
};

struct jentry {
	enum jkind	 kind;
	char		*name;		/* J_UNDO: the undo kind's name */
	struct strvec	 argv;		/* J_UNDO: argv; J_FILE: path */
	char		*content;	/* J_FILE: NULL when it did not exist */
	enum jstate	 state;
};

struct journal {
	pid_t		 pid;
	char		*cmdline;	/* as the command was given */
	struct jentry	*v;
	size_t		 n;
	struct strvec	 final;		/* the last, irreversible step */
	enum jfinal	 final_state;
};

/* Start a journal at path (fails when one is there: 70, naming hint). */
int	 journal_begin(const char *path, const char *cmdline, const char *hint,
	    int *fd, struct wserr *);
/* An undo before its step: kind's name and argv, or (name NULL) a file. */
int	 journal_pending(int fd, const char *name, char *const *argv,
	    const char *content, struct wserr *);
int	 journal_mark(int fd, enum jmark, struct wserr *);
int	 journal_final(int fd, char *const *argv, struct wserr *);
/* The command is over (done or rolled back): remove the journal. */
int	 journal_end(const char *path, int fd, struct wserr *);

/* Read one back; 0 with j->cmdline NULL when there is none. */
int	 journal_read(const char *path, struct journal *, struct wserr *);
void	 journal_free(struct journal *);

#endif
