/*
 * ctx.h: the per-run state that main() fills and passes down.  There are
 * no mutable globals; everything a command needs is here.
 */
#ifndef WARPSTOR_CTX_H
#define WARPSTOR_CTX_H

#include <limits.h>

#include "lib/config.h"

struct command;
struct progress;

/* The tools warpstor drives (tool.h runs them). */
enum tool {
	TOOL_ZFS,
	TOOL_EXPORTFS,
	TOOL_SSH,		/* replicate's way to another node */
	TOOL_ZPOOL,		/* zpool sync, where replicate reads written */
	TOOL_MOUNTD,		/* rpc.mountd --version (version) */
	TOOL_COUNT
};

struct ctx {
	const struct command *cmd;	/* the command being run */
	const char	*cmdname;	/* its name, for messages below cmd.c */
	int		 dry_run;	/* -n */
	int		 verbose;	/* -v */
	int		 json;		/* -j */
	int		 yes;		/* -y */
	int		 wait_secs;	/* -w */
	struct config	 cfg;
	char		*cmdline;	/* the command as given, for journal and log */
	char		*recover_hint;	/* "warpstor [-c FILE] recover", to copy */
	char		 tool_path[TOOL_COUNT][PATH_MAX];	/* found on first use */
	int		 zfs_get_t;	/* zfs get takes -t: 1 yes, -1 no, 0 untried */
	int		 zfs_clones;	/* zfs get knows clones: 1, -1, 0 the same */
	int		 detached;	/* mounts detached in this run (NFS-held) */
	int		 warned_location;	/* said where exports_file is */
	int		 progress;	/* stderr a terminal: progress lines */
	struct progress	*shown;		/* the line on show now, or NULL */
	int		 lockfd;	/* the lock held, or -1 */
	struct strvec	 audit_ds;	/* the datasets the command changed */
	char		*audit_fsid;	/* a fsid it involved, or NULL */
};

#endif
