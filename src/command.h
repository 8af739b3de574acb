/*
 * command.h: the command table's entry, the handlers, and the helpers
 * every handler uses to report usage and errors the same way.
 */
#ifndef WARPSTOR_COMMAND_H
#define WARPSTOR_COMMAND_H

#include "ctx.h"
#include "util.h"

#define CMD_ROOT	0x01	/* needs root */
#define CMD_LOCK	0x02	/* holds the lock for its whole run */
#define CMD_MUTATES	0x04	/* changes state: syslog, journal check */
#define CMD_RECOVER	0x08	/* works on a pending journal itself */

struct command {
	const char	*name;
	const char	*alias;		/* the older client's method name */
	int		(*fn)(struct ctx *, int, char **);
	const char	*synopsis;	/* what follows "warpstor NAME" */
	unsigned	 flags;
};

/* Every command, in usage order; NULL-terminated. */
extern const struct command commands[];

/* "warpstor: CMD: why", then the synopsis, on stderr; returns 64. */
int	 cmd_usage(struct ctx *, const char *, ...) WS_PRINTF(2, 3);
/* The usage error of an option getopt_long returned as ch; returns 64. */
int	 cmd_badopt(struct ctx *, char **, int ch);
/* The synopsis on stdout; returns 0. */
int	 cmd_help(struct ctx *);
/* "warpstor: CMD: msg" on stderr; returns e->code. */
int	 cmd_fail(struct ctx *, const struct wserr *);
/* What a parser returns when the command goes on (not an exit status). */
#define CMD_GO_ON	(-1)

/*
 * Parse a command that takes no options but -h, and between min and max
 * operands (max -1: any).  Returns CMD_GO_ON (operands at argv[optind]),
 * else the exit status.
 */
int	 cmd_operands(struct ctx *, int, char **, int min, int max);

struct txn;
/*
 * A step of t failed with e: report e, roll t back and report that;
 * returns e->code, or 70 when the rollback left something to do by
 * hand (listed, with the journal kept for recover).
 */
int	 cmd_rollback(struct txn *, struct wserr *);
/* Success: commit t and print the name acted on (not with -n); 0. */
int	 cmd_commit(struct txn *, const char *name);

int	 cmd_create_fs(struct ctx *, int, char **);
int	 cmd_create_fs_no_export(struct ctx *, int, char **);
int	 cmd_create_fs_only(struct ctx *, int, char **);
int	 cmd_snapshot(struct ctx *, int, char **);
int	 cmd_clone(struct ctx *, int, char **);
int	 cmd_clone_only(struct ctx *, int, char **);
int	 cmd_filtered_clone(struct ctx *, int, char **);
int	 cmd_replace(struct ctx *, int, char **);
int	 cmd_rebuild_vol(struct ctx *, int, char **);
int	 cmd_promote(struct ctx *, int, char **);
int	 cmd_rename(struct ctx *, int, char **);
int	 cmd_destroy(struct ctx *, int, char **);
int	 cmd_export(struct ctx *, int, char **);
int	 cmd_unexport(struct ctx *, int, char **);
int	 cmd_sync_exports(struct ctx *, int, char **);
int	 cmd_recover(struct ctx *, int, char **);
int	 cmd_list_vols(struct ctx *, int, char **);
int	 cmd_list_filesystems(struct ctx *, int, char **);
int	 cmd_list_snapshots(struct ctx *, int, char **);
int	 cmd_exists(struct ctx *, int, char **);
int	 cmd_snapshot_exists(struct ctx *, int, char **);
int	 cmd_used_space(struct ctx *, int, char **);
int	 cmd_available_space(struct ctx *, int, char **);
int	 cmd_vfsid(struct ctx *, int, char **);
int	 cmd_info(struct ctx *, int, char **);
int	 cmd_list_methods(struct ctx *, int, char **);
int	 cmd_version(struct ctx *, int, char **);

#endif
