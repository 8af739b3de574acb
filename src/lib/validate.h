/*
 * validate.h: checks on everything that comes from the user before it
 * reaches zfs, exportfs or the exports file.  Each returns 0, or -1 with
 * e filled (exit 65) and a message that shows the input safely.
 */
#ifndef WARPSTOR_VALIDATE_H
#define WARPSTOR_VALIDATE_H

#include <sys/types.h>

#include "lib/argv.h"
#include "lib/util.h"

#define NAME_MAX_BYTES	255

int	 valid_dataset(const char *, struct wserr *);
int	 valid_snapshot(const char *, struct wserr *);
/* A dataset or a snapshot, whichever it looks like. */
int	 valid_dataset_or_snapshot(const char *, struct wserr *);
/* A shell glob on a full dataset or snapshot name. */
int	 valid_pattern(const char *, struct wserr *);
/* A comma-separated list of exports(5) clients. */
int	 valid_clients(const char *, struct wserr *);
/*
 * A clients list (--clients, warpstor:clients): entries "HOST" or
 * "HOST(OPTS)" (the client's own export options), comma-separated; the
 * commas inside parentheses belong to the entry.
 */
void	 clients_split(const char *clients, struct strvec *out);
/* An entry's client: its length (before "(OPTS)"). */
size_t	 client_len(const char *entry);
/* An entry's own options, allocated, or NULL (the export's apply). */
char	*client_own_options(const char *entry);
/* Whether the list has an entry for client (by its name). */
int	 clients_has(const char *clients, const char *client);
/* A comma-separated list of known exports(5) options, without fsid. */
int	 valid_options(const char *, struct wserr *);
/* One PROP=VAL for zfs create/clone -o. */
int	 valid_propassign(const char *, struct wserr *);

/* A uid or gid as a number (0 to 4294967294) or a name on this host. */
int	 parse_uid(const char *, uid_t *, struct wserr *);
int	 parse_gid(const char *, gid_t *, struct wserr *);

/* A rate in bytes a second: digits and K, M or G (powers of 1024), > 0. */
int	 parse_rate(const char *, unsigned long long *);

/*
 * warpstor's own namespace: its user properties (warpstor:fsid, ...) and
 * its hold tags (warpstor:HOST:TARGET) begin so.
 */
#define WS_PREFIX	"warpstor:"
/* Whether s (a property, "PROP=VALUE", or a tag) is in it. */
int	 prop_is_ours(const char *s);
/* "90", "90s", "15m", "1h", "2d" (at most a year) in seconds; -1 if not. */
int	 parse_duration(const char *s, long long *secs);

#endif
