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

#include "argv.h"
#include "util.h"

/* What an undo is: an argv to run, a function of zfs.c/nfs.c, a file. */
enum jkind {
	J_RUN_ZFS,
	J_RUN_EXPORTFS,
	J_FN,		/* argv[0] of the record names the function */
	J_FILE		/* path, content before ("" with absent) */
};

struct jentry {
	enum jkind	 kind;
	char		*fn;		/* J_FN: the function's name */
	struct strvec	 argv;		/* J_RUN_*, J_FN: argv; J_FILE: path */
	char		*content;	/* J_FILE: NULL when it did not exist */
	int		 state;		/* 'P' pending, 'D' done, 'X' dropped */
};

struct journal {
	pid_t		 pid;
	char		*cmdline;	/* as the command was given */
	struct jentry	*v;
	size_t		 n;
	struct strvec	 final;		/* the last, irreversible step */
	int		 final_state;	/* 0 none, 'P' pending, 'D' done */
};

/* Start a journal at path (fails when one is there: 70). */
int	 journal_begin(const char *path, const char *cmdline, int *fd,
	    struct wserr *);
int	 journal_pending(int fd, enum jkind, const char *fn,
	    char *const *argv, const char *content, struct wserr *);
int	 journal_mark(int fd, char state, struct wserr *);
int	 journal_final(int fd, char *const *argv, struct wserr *);
/* The command is over (done or rolled back): remove the journal. */
int	 journal_end(const char *path, int fd, struct wserr *);

/* Read one back; 0 with j->cmdline NULL when there is none. */
int	 journal_read(const char *path, struct journal *, struct wserr *);
void	 journal_free(struct journal *);

#endif
