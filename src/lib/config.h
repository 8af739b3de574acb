/*
 * config.h: the configuration file (key = value lines, # comments).
 */
#ifndef WARPSTOR_CONFIG_H
#define WARPSTOR_CONFIG_H

#include "lib/argv.h"
#include "lib/util.h"

#define CONFIG_DEFAULT	"/etc/warpstor.conf"

struct config_type {
	char	*name;
	char	*props;		/* space-separated PROP=VAL */
};

struct config {
	char	*path;			/* the file that was read, or would be */
	int	 found;			/* the file existed */
	char	*default_volume;
	char	*export_clients;	/* NULL: none, exports need --clients */
	char	*export_options;
	char	*exports_file;
	char	*lock_file;
	char	*journal_file;
	char	*audit_log;		/* one JSON line per mutating command */
	char	*zfs;
	char	*exportfs;
	struct strvec	 ssh;		/* replicate's remote shell: argv */
	char	*filter_file;
	int	 mode;			/* -1: leave as created */
	int	 replicate_keep;	/* ws-rep-* snapshots kept a side */
	unsigned long long replicate_limit;	/* bytes a second, 0 none */
	long long status_deferred_max;	/* seconds: status says older ones */
	long long status_replica_max;	/* seconds: replicas older than it */
	struct config_type *types;
	size_t	 ntypes;
};

/*
 * Read path into c (defaults first).  A missing file means defaults unless
 * required (named with -c or $WARPSTOR_CONFIG).  Errors (exit 78) name
 * the file and the line.  $WARPSTOR_ZFS and $WARPSTOR_EXPORTFS override.
 */
int	 config_load(struct config *, const char *path, int required,
	    struct wserr *);
void	 config_free(struct config *);
const struct config_type *config_type(const struct config *, const char *);

#endif
