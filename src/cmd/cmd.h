/*
 * cmd.h: the command table's entry, the handlers, and the helpers
 * every handler uses to report usage and errors the same way.
 */
#ifndef WARPSTOR_COMMAND_H
#define WARPSTOR_COMMAND_H

#include "lib/ctx.h"
#include "lib/util.h"

#define CMD_ROOT	0x01	/* needs root */
#define CMD_LOCK	0x02	/* holds the lock for its whole run */
#define CMD_MUTATES	0x04	/* changes state: syslog, journal check */
#define CMD_RECOVER	0x08	/* works on a pending journal itself */

/* One option of a command: -h explains it, cmd_getopt parses it. */
struct cmd_option {
	int		 code;		/* what cmd_getopt returns; 0 ends a list */
	char		 sh;		/* the short letter, or 0 */
	const char	*lng;		/* the long name, or NULL */
	const char	*arg;		/* the value's name; NULL: a flag */
	const char	*help;
};

struct command {
	const char	*name;
	const char	*alias;		/* the older client's method name */
	int		(*fn)(struct ctx *, int, char **);
	const char	*synopsis;	/* what follows "warpstor NAME" */
	unsigned	 flags;
	const struct cmd_option *opts;	/* its options but -h; NULL: none */
	const char	*what;		/* one line: what it does */
};

/* The global options (-c, -h, -j, ...): one table, NULL-terminated. */
extern const struct cmd_option global_options[];
/* getopt_long of the global options before COMMAND ("+:" first). */
int	 global_getopt(int argc, char **argv);
/* Set the global flag code (-j -n -v -y), or -w to val: 0, or -1 (bad). */
int	 global_set(struct ctx *, int code, const char *val);
/* "[-hjnVvy] [-c FILE] [-w SECONDS] COMMAND [OPTIONS] [ARGS]". */
const char *global_synopsis(void);
/*
 * The long names of the global options (after: only those that may
 * follow COMMAND, and help) into names, max at most; how many.
 */
size_t	 global_names(const char **names, size_t max, int after);

/* The closest of long option names (given without "--") to "--word". */
int	 cmd_suggest_long(const char *word, const char *const *names, size_t n,
	    char *buf, size_t len);

/*
 * "warpstor: CMD: why", then the synopsis and "warpstor CMD -h" on
 * stderr (with -j also the JSON error on stdout); returns 64.
 */
int	 cmd_usage(struct ctx *, const char *, ...) WS_PRINTF(2, 3);
/* The synopsis, what it does and every option explained, on stdout; 0. */
int	 cmd_help(struct ctx *);
/*
 * "warpstor: CMD: msg" on stderr; with -j, {"error": {"code", "command",
 * "message"}} on stdout too.  Returns e->code.
 */
int	 cmd_fail(struct ctx *, const struct wserr *);
/* The same of a message (before a command is known: "warpstor: msg"). */
int	 cmd_error(struct ctx *, int code, const char *, ...) WS_PRINTF(3, 4);

/*
 * A command's handler of its own options: called with each option's code
 * and value (NULL for a flag); returns CMD_GO_ON, or the exit status to
 * stop with.
 */
typedef int (*cmd_opt_fn)(struct ctx *, int code, const char *arg, void *);
/*
 * Parse the command's options from its table (and -h): each to fn (NULL
 * for a command with no options but -h), an unknown or valueless one a
 * usage error naming it; then between min and max operands (max -1: any).
 * Returns CMD_GO_ON (operands at argv[optind]), else the exit status.
 */
int	 cmd_parse(struct ctx *, int argc, char **argv, cmd_opt_fn fn, void *,
	    int min, int max);
/* A cmd_opt_fn for a command's one flag: sets the int arg points to. */
int	 cmd_flag(struct ctx *, int code, const char *arg, void *);

/*
 * -n, -v, -j (and --dry-run, --verbose, --json) given after the command,
 * as zfs users type them (destroy -nv): set in ctx and taken out of argv
 * (argc adjusted), minding the command's own options and their values.
 */
void	 cmd_take_globals(struct ctx *, int *argc, char **argv);
/* What a parser returns when the command goes on (not an exit status). */
#define CMD_GO_ON	(-1)

/* cmd_parse of a command that takes no options but -h. */
int	 cmd_operands(struct ctx *, int, char **, int min, int max);
/*
 * cmd_operands of one DATASET (snapshot: one SNAPSHOT), checked:
 * CMD_GO_ON with *name, else the exit status (the error said).
 */
int	 cmd_one_name(struct ctx *, int, char **, int snapshot,
	    const char **name);

struct txn;
/*
 * A step of t failed with e: report e, roll t back and report that;
 * returns e->code, or 70 when the rollback left something to do by
 * hand (listed, with the journal kept for recover).
 */
int	 cmd_rollback(struct txn *, struct wserr *);

struct json_object;
/*
 * Success of a mutating command: commit t (printing the plan with -n),
 * then (not with -n) print the name acted on, or with -j the object o
 * (NULL: a new one) with "name" added.  Takes o over; returns 0.
 */
int	 cmd_done(struct txn *, const char *name, struct json_object *o);
/*
 * For the audit log: the command changed dataset (once, in order), with
 * fsid (the first given is kept; NULL: none).  Not under -n.
 */
void	 cmd_audit(struct ctx *, const char *dataset, const char *fsid);
/*
 * Drift (export.c): what sync-exports would change.  Datasets whose
 * properties export them but the exports file or the live table lacks,
 * and file lines and live exports of warpstor's that nothing wants; in
 * POOL (or everywhere).  exports: how many the properties export there;
 * n: how many drift, the first ten in what/where.
 */
struct drift {
	size_t		 exports;
	size_t		 n;
	struct strvec	 what;
	struct strvec	 where;
};
struct zfs_dslist;
int	 export_drift(struct ctx *, const char *pool, unsigned extra,
	    struct drift *, struct zfs_dslist *keep, struct wserr *);
void	 drift_free(struct drift *);
struct nfs_export;
/* Add an export's fsid, path, clients and options to o. */
void	 cmd_json_export(struct json_object *o, const struct nfs_export *);
/* Add "owner": "UID:GID" to o. */
void	 cmd_json_owner(struct json_object *o, unsigned long uid,
	    unsigned long gid);

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
int	 cmd_replicate(struct ctx *, int, char **);
int	 cmd_receive_replica(struct ctx *, int, char **);
int	 cmd_takeover(struct ctx *, int, char **);
int	 cmd_status(struct ctx *, int, char **);
int	 cmd_metrics(struct ctx *, int, char **);

int	 cmd_list_vols(struct ctx *, int, char **);
int	 cmd_list_exports(struct ctx *, int, char **);
int	 cmd_list_filesystems(struct ctx *, int, char **);
int	 cmd_list_snapshots(struct ctx *, int, char **);
int	 cmd_exists(struct ctx *, int, char **);
int	 cmd_snapshot_exists(struct ctx *, int, char **);
int	 cmd_used_space(struct ctx *, int, char **);
int	 cmd_available_space(struct ctx *, int, char **);
int	 cmd_vfsid(struct ctx *, int, char **);
int	 cmd_info(struct ctx *, int, char **);

#endif
