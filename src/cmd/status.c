/*
 * status.c: status and metrics, the node at a glance: the pending
 * journal, deferred destroys, drift between the properties, the exports
 * file and the live table, replicas and replicated datasets, the lock.
 * status is for a person and for Nagios (exit 1: needs attention),
 * metrics for Prometheus (node_exporter's textfile collector).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "lib/file.h"
#include "lib/output.h"
#include "lib/validate.h"
#include "model/deferred.h"
#include "model/dsname.h"
#include "model/state.h"
#include "txn/journal.h"
#include "txn/lock.h"
#include "zfs/zfs.h"

/* A replica here: of what, and its newest snapshot. */
struct replica {
	const char	*name;
	const char	*source;	/* warpstor:replica: NODE:DATASET */
	char		*newest;	/* NULL: none */
	long long	 when;		/* its creation, seconds */
};

/* What status and metrics read. */
struct nodestate {
	long long	 now;
	struct journal	 j;		/* j.cmdline NULL: none pending */
	long		 lock_pid;
	struct strvec	 dnames;	/* deferred destroys */
	long long	*dsince;
	size_t		 nd;
	struct drift	 drift;
	struct zfs_dslist l;		/* POOL's filesystems, or every one */
	struct replica	*rep;
	size_t		 nrep;
};

#define NODE_PROPS	(STATE_PROPS | ZPM(ZP_USED) | ZPM(ZP_REFERENCED) | \
	ZPM(ZP_QUOTA) | ZPM(ZP_REPLICATED))

/* A replica's newest snapshot and its creation, of l. */
static void
newest_in(const struct zfs_dslist *l, struct replica *r)
{
	const char	*errstr;
	long long	 txg, best = -1;
	size_t		 i;

	for (i = 0; i < l->n; i++) {
		if (!ds_snapshot_of(l->v[i].name, r->name) ||
		    l->v[i].val[ZP_CREATETXG] == NULL ||
		    l->v[i].val[ZP_CREATION] == NULL)
			continue;
		txg = strtonum(l->v[i].val[ZP_CREATETXG], 0, LLONG_MAX,
		    &errstr);
		if (errstr != NULL || txg <= best)
			continue;
		best = txg;
		free(r->newest);
		r->newest = xstrdup(l->v[i].name);
		r->when = strtonum(l->v[i].val[ZP_CREATION], 0, LLONG_MAX,
		    &errstr);
	}
}

/*
 * The replicas' newest snapshots: one zfs get -d 1 of them all; where
 * that fails (one went meanwhile), one a replica, and a replica that
 * cannot be read has none.
 */
static void
newest_of(struct ctx *ctx, struct replica *rep, size_t n)
{
	const unsigned	 mask = ZPM(ZP_CREATION) | ZPM(ZP_CREATETXG);
	struct zfs_dslist l;
	struct wserr	 e;
	char		**names = xcalloc(n + 1, sizeof(*names));
	size_t		 i;

	for (i = 0; i < n; i++)
		names[i] = (char *)rep[i].name;
	if (zfs_get_each(ctx, mask, names, n, 1, &l, &e) == 0) {
		for (i = 0; i < n; i++)
			newest_in(&l, &rep[i]);
		zfs_dslist_free(&l);
	} else
		for (i = 0; i < n; i++)
			if (zfs_get(ctx, mask, rep[i].name, 1, &l, &e) == 0) {
				newest_in(&l, &rep[i]);
				zfs_dslist_free(&l);
			}
	free(names);
}

static void
node_free(struct nodestate *s)
{
	size_t	 i;

	if (s->j.cmdline != NULL)
		journal_free(&s->j);
	strvec_clear(&s->dnames);
	free(s->dsince);
	drift_free(&s->drift);
	for (i = 0; i < s->nrep; i++)
		free(s->rep[i].newest);
	free(s->rep);
	zfs_dslist_free(&s->l);
}

/* Everything status and metrics say, of POOL or of the node. */
static int
node_read(struct ctx *ctx, const char *pool, struct nodestate *s,
    struct wserr *e)
{
	struct stat	 sb;
	size_t		 i;

	memset(s, 0, sizeof(*s));
	s->now = (long long)time(NULL);
	if (stat(ctx->cfg.journal_file, &sb) == 0 &&
	    journal_read(ctx->cfg.journal_file, &s->j, e) == -1)
		return -1;
	s->lock_pid = lock_holder(ctx->cfg.lock_file);
	/* one zfs get: the drift's read (POOL's, or every filesystem's) */
	if (deferred_list(ctx, &s->dnames, &s->dsince, &s->nd, e) == -1 ||
	    export_drift(ctx, pool, NODE_PROPS, &s->drift, &s->l, e) == -1)
		return -1;
	if (pool != NULL && (s->l.n == 0 ||
	    strcmp(s->l.v[0].name, pool) != 0)) {
		wserr_set(e, EX_NOINPUT, "%s: does not exist", pool);
		return -1;
	}
	s->rep = xcalloc(s->l.n + 1, sizeof(*s->rep));
	for (i = 0; i < s->l.n; i++)
		if (state_is_replica(&s->l.v[i])) {
			s->rep[s->nrep].name = s->l.v[i].name;
			s->rep[s->nrep++].source = s->l.v[i].val[ZP_REPLICA];
		}
	newest_of(ctx, s->rep, s->nrep);
	return 0;
}

/* Which of a deferred destroy's names are in POOL (or any). */
static int
in_pool(const char *pool, const char *name)
{
	return pool == NULL || ds_in_tree(name, pool);
}

/* "3m" of seconds, for a person. */
static const char *
age(long long secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		(void)snprintf(buf, len, "%llds", secs);
	else if (secs < 7200)
		(void)snprintf(buf, len, "%lldm", secs / 60);
	else if (secs < 172800)
		(void)snprintf(buf, len, "%lldh", secs / 3600);
	else
		(void)snprintf(buf, len, "%lldd", secs / 86400);
	return buf;
}

/* What needs attention, one reason a line into why; how many. */
static size_t
attention(const struct ctx *ctx, const char *pool,
    const struct nodestate *s, struct strvec *why)
{
	struct replication *rv;
	size_t		 i, k, n;
	char		 a[32];

	if (s->j.cmdline != NULL)
		strvec_pushf(why, "a cut-off command's journal is pending: "
		    "run '%s'", ctx->recover_hint);
	if (s->drift.n > 0)
		strvec_pushf(why, "%zu export%s drift: run 'warpstor "
		    "sync-exports'", s->drift.n, s->drift.n == 1 ? "" : "s");
	for (i = 0; i < s->nd; i++)
		if (in_pool(pool, s->dnames.v[i]) && s->now - s->dsince[i] >
		    ctx->cfg.status_deferred_max)
			strvec_pushf(why, "the destroy of %s is deferred since "
			    "%s", s->dnames.v[i], age(s->now - s->dsince[i], a,
			    sizeof(a)));
	for (i = 0; i < s->nrep; i++)
		if (s->rep[i].newest == NULL || s->now - s->rep[i].when >
		    ctx->cfg.status_replica_max)
			strvec_pushf(why, "replica %s: its newest snapshot is "
			    "%s old", s->rep[i].name, s->rep[i].newest == NULL ?
			    "none" : age(s->now - s->rep[i].when, a, sizeof(a)));
	for (i = 0; i < s->l.n; i++) {
		n = state_replications(&s->l.v[i], &rv);
		for (k = 0; k < n; k++)
			if (s->now - rv[k].when > ctx->cfg.status_replica_max)
				strvec_pushf(why, "%s last replicated to %s %s "
				    "ago", s->l.v[i].name, rv[k].target,
				    age(s->now - rv[k].when, a, sizeof(a)));
		state_replications_free(rv, n);
	}
	return why->n;
}

static void
status_text(const struct nodestate *s, const char *pool,
    const struct strvec *why)
{
	struct replication *rv;
	size_t		 i, k, n;
	char		 a[32];

	if (s->j.cmdline != NULL)
		(void)printf("journal: pending (pid %ld: %s)\n", (long)s->j.pid,
		    s->j.cmdline);
	else
		(void)printf("journal: none pending\n");
	if (s->lock_pid != 0)
		(void)printf("lock: held by pid %ld\n", s->lock_pid);
	else
		(void)printf("lock: free\n");
	for (i = k = 0; i < s->nd; i++)
		k += in_pool(pool, s->dnames.v[i]);
	(void)printf("deferred destroys: %zu\n", k);
	for (i = 0; i < s->nd; i++)
		if (in_pool(pool, s->dnames.v[i]))
			(void)printf("  %s\tsince %s\n", s->dnames.v[i],
			    age(s->now - s->dsince[i], a, sizeof(a)));
	(void)printf("exports: %zu, drift: %zu\n", s->drift.exports,
	    s->drift.n);
	for (i = 0; i < s->drift.what.n; i++)
		(void)printf("  %s\t%s\n", s->drift.what.v[i],
		    s->drift.where.v[i]);
	(void)printf("replicas: %zu\n", s->nrep);
	for (i = 0; i < s->nrep; i++)
		(void)printf("  %s\tof %s\t%s\t%s\n", s->rep[i].name,
		    s->rep[i].source, s->rep[i].newest != NULL ?
		    s->rep[i].newest : "-", s->rep[i].newest != NULL ?
		    age(s->now - s->rep[i].when, a, sizeof(a)) : "-");
	for (i = 0; i < s->l.n; i++) {
		n = state_replications(&s->l.v[i], &rv);
		for (k = 0; k < n; k++)
			(void)printf("replicated: %s\tto %s\t%s ago\t%llu "
			    "bytes\n", s->l.v[i].name, rv[k].target,
			    age(s->now - rv[k].when, a, sizeof(a)),
			    rv[k].bytes);
		state_replications_free(rv, n);
	}
	if (why->n == 0)
		(void)printf("status: ok\n");
	for (i = 0; i < why->n; i++)
		(void)printf("needs attention: %s\n", why->v[i]);
}

static struct json_object *
status_json_replicas(const struct nodestate *s)
{
	struct json_object *a = json_object_new_array(), *o;
	struct replication *rv;
	size_t		 i, k, n;

	for (i = 0; i < s->nrep; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "name",
		    json_object_new_string(s->rep[i].name));
		json_object_object_add(o, "source", out_jstr(s->rep[i].source));
		json_object_object_add(o, "newest", out_jstr(s->rep[i].newest));
		json_object_object_add(o, "age", s->rep[i].newest == NULL ?
		    NULL : json_object_new_int64(s->now - s->rep[i].when));
		json_object_array_add(a, o);
	}
	for (i = 0; i < s->l.n; i++) {
		n = state_replications(&s->l.v[i], &rv);
		for (k = 0; k < n; k++) {
			o = json_object_new_object();
			json_object_object_add(o, "name",
			    json_object_new_string(s->l.v[i].name));
			json_object_object_add(o, "target",
			    json_object_new_string(rv[k].target));
			json_object_object_add(o, "last_success",
			    json_object_new_int64(rv[k].when));
			json_object_object_add(o, "age",
			    json_object_new_int64(s->now - rv[k].when));
			json_object_object_add(o, "bytes",
			    json_object_new_int64((int64_t)rv[k].bytes));
			json_object_array_add(a, o);
		}
		state_replications_free(rv, n);
	}
	return a;
}

static void
status_json(const struct nodestate *s, const char *pool,
    const struct strvec *why)
{
	struct json_object *o = json_object_new_object(), *a, *x;
	size_t		 i;

	x = NULL;
	if (s->j.cmdline != NULL) {
		x = json_object_new_object();
		json_object_object_add(x, "pid",
		    json_object_new_int64(s->j.pid));
		json_object_object_add(x, "command",
		    json_object_new_string(s->j.cmdline));
	}
	json_object_object_add(o, "journal", x);
	json_object_object_add(o, "lock", s->lock_pid != 0 ?
	    json_object_new_int64(s->lock_pid) : NULL);
	a = json_object_new_array();
	for (i = 0; i < s->nd; i++) {
		if (!in_pool(pool, s->dnames.v[i]))
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "name",
		    json_object_new_string(s->dnames.v[i]));
		json_object_object_add(x, "age",
		    json_object_new_int64(s->now - s->dsince[i]));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "deferred", a);
	json_object_object_add(o, "exports",
	    json_object_new_int64((int64_t)s->drift.exports));
	x = json_object_new_object();
	json_object_object_add(x, "count",
	    json_object_new_int64((int64_t)s->drift.n));
	a = json_object_new_array();
	for (i = 0; i < s->drift.what.n; i++) {
		struct json_object *d = json_object_new_object();

		json_object_object_add(d, "name",
		    json_object_new_string(s->drift.what.v[i]));
		json_object_object_add(d, "where",
		    json_object_new_string(s->drift.where.v[i]));
		json_object_array_add(a, d);
	}
	json_object_object_add(x, "first", a);
	json_object_object_add(o, "drift", x);
	json_object_object_add(o, "replication", status_json_replicas(s));
	a = json_object_new_array();
	for (i = 0; i < why->n; i++)
		json_object_array_add(a, json_object_new_string(why->v[i]));
	json_object_object_add(o, "attention", a);
	out_json(o);
}

/* POOL, when given: checked, a pool's name. */
static int
pool_arg(struct ctx *ctx, int argc, char **argv, const char **pool)
{
	struct wserr	 e;

	*pool = NULL;
	if (optind == argc)
		return CMD_GO_ON;
	*pool = argv[optind];
	if (valid_dataset(*pool, &e) == -1)
		return cmd_fail(ctx, &e);
	if (strchr(*pool, '/') != NULL)
		return cmd_usage(ctx, "POOL is a pool's name, not '%s'", *pool);
	return CMD_GO_ON;
}

/*
 * status [POOL]
 * The node (or POOL) at a glance; exit 0 when nothing needs attention,
 * 1 when something does: a pending journal, any drift, a deferred
 * destroy older than status_deferred_max, a replica or replicated
 * dataset whose newest snapshot or last replication is older than
 * status_replica_max.
 * Runs: zfs get of every filesystem, or of POOL's (one, for the drift and
 * the rest), exportfs -v, zfs get -d 1 of each replica; reads the journal,
 * the deferred list, the lock and the exports file.
 */
int
cmd_status(struct ctx *ctx, int argc, char **argv)
{
	struct nodestate s;
	struct strvec	 why = STRVEC_INIT;
	struct wserr	 e;
	const char	*pool;
	int		 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 0, 1)) != CMD_GO_ON ||
	    (rc = pool_arg(ctx, argc, argv, &pool)) != CMD_GO_ON)
		return rc;
	if (node_read(ctx, pool, &s, &e) == -1) {
		node_free(&s);
		return cmd_fail(ctx, &e);
	}
	rc = attention(ctx, pool, &s, &why) > 0 ? 1 : 0;
	if (ctx->json)
		status_json(&s, pool, &why);
	else
		status_text(&s, pool, &why);
	strvec_clear(&why);
	node_free(&s);
	return rc;
}

/* A label value in the exposition format: \, " and newline escaped. */
static void
label(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			buf_append(b, "\\", 1);
		if (*v == '\n')
			buf_append(b, "\\n", 2);
		else
			buf_append(b, v, 1);
	}
}

/* One family's HELP and TYPE lines. */
static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	char	*s = xasprintf("# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);

	buf_append(b, s, strlen(s));
	free(s);
}

/* name{dataset="D"[,target="T"]} value */
static void
sample(struct buf *b, const char *name, const char *ds, const char *target,
    const char *value)
{
	buf_append(b, name, strlen(name));
	if (ds != NULL) {
		buf_append(b, "{dataset=\"", 10);
		label(b, ds);
		buf_append(b, "\"", 1);
		if (target != NULL) {
			buf_append(b, ",target=\"", 9);
			label(b, target);
			buf_append(b, "\"", 1);
		}
		buf_append(b, "}", 1);
	}
	buf_append(b, " ", 1);
	buf_append(b, value, strlen(value));
	buf_append(b, "\n", 1);
}

/* A zfs number as the exposition format wants it ("-": left out). */
static int
number(const char *v)
{
	return v != NULL && *v != '\0' && strlen(v) <= 20 &&
	    strspn(v, "0123456789") == strlen(v);
}

/* The per-dataset families of the exported datasets. */
static void
metrics_datasets(struct buf *b, const struct nodestate *s)
{
	static const struct { const char *name; enum zprop p; const char *help; }
	    f[] = {
		{ "warpstor_dataset_used_bytes", ZP_USED,
		    "Space used by an exported dataset and its descendants." },
		{ "warpstor_dataset_referenced_bytes", ZP_REFERENCED,
		    "Space an exported dataset references." },
		{ "warpstor_dataset_quota_bytes", ZP_QUOTA,
		    "An exported dataset's quota (0: none)." },
	};
	size_t	 i, k;

	for (k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		family(b, f[k].name, "gauge", f[k].help);
		for (i = 0; i < s->l.n; i++)
			if (state_withdrawable(&s->l.v[i]) &&
			    number(s->l.v[i].val[f[k].p]))
				sample(b, f[k].name, s->l.v[i].name, NULL,
				    s->l.v[i].val[f[k].p]);
	}
}

/* The replication families: replicas here, replicated datasets here. */
static void
metrics_replication(struct buf *b, const struct nodestate *s)
{
	struct replication *rv;
	char		 v[32];
	size_t		 i, k, n;

	family(b, "warpstor_replica_newest_snapshot_timestamp_seconds", "gauge",
	    "Creation time of a replica's newest snapshot.");
	for (i = 0; i < s->nrep; i++)
		if (s->rep[i].newest != NULL) {
			(void)snprintf(v, sizeof(v), "%lld", s->rep[i].when);
			sample(b, "warpstor_replica_newest_snapshot_timestamp_"
			    "seconds", s->rep[i].name, NULL, v);
		}
	family(b, "warpstor_replicate_last_success_timestamp_seconds", "gauge",
	    "When replicate last brought a target up to a dataset.");
	for (i = 0; i < s->l.n; i++) {
		n = state_replications(&s->l.v[i], &rv);
		for (k = 0; k < n; k++) {
			(void)snprintf(v, sizeof(v), "%lld", rv[k].when);
			sample(b, "warpstor_replicate_last_success_timestamp_"
			    "seconds", s->l.v[i].name, rv[k].target, v);
		}
		state_replications_free(rv, n);
	}
	family(b, "warpstor_replicate_last_bytes", "gauge",
	    "Bytes the last successful replicate sent to a target.");
	for (i = 0; i < s->l.n; i++) {
		n = state_replications(&s->l.v[i], &rv);
		for (k = 0; k < n; k++) {
			(void)snprintf(v, sizeof(v), "%llu", rv[k].bytes);
			sample(b, "warpstor_replicate_last_bytes",
			    s->l.v[i].name, rv[k].target, v);
		}
		state_replications_free(rv, n);
	}
}

static void
metrics_node(struct buf *b, const struct nodestate *s)
{
	const struct { const char *name, *help; size_t v; } g[] = {
		{ "warpstor_exports", "Datasets whose properties export them.",
		    s->drift.exports },
		{ "warpstor_deferred_destroys", "Destroys deferred while the "
		    "NFS server held a dataset.", s->nd },
		{ "warpstor_journal_pending", "1 when a cut-off command's "
		    "journal waits for recover.", s->j.cmdline != NULL },
		{ "warpstor_drift_entries", "Exports the properties, the "
		    "exports file and the live table disagree on.",
		    s->drift.n },
	};
	char	 v[32];
	size_t	 i;

	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		family(b, g[i].name, "gauge", g[i].help);
		(void)snprintf(v, sizeof(v), "%zu", g[i].v);
		sample(b, g[i].name, NULL, NULL, v);
	}
}

/*
 * DIR/warpstor.prom, through a new file (O_EXCL) renamed into place;
 * DIR a folder of root's that no one else may write.
 */
static int
textfile(const char *dir, const struct buf *b, struct wserr *e)
{
	char	*tmp, *path;
	int	 fd, rc = -1;

	path = xasprintf("%s/warpstor.prom", dir);
	tmp = xasprintf("%s/.warpstor.prom.%ld", dir, (long)getpid());
	(void)unlink(tmp);
	errno = 0;
	fd = file_open_trusted(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644, e);
	if (fd == -1) {
		if (errno != 0 && e->code == 0)
			(void)file_syserr(e, "open", tmp);
		goto out;
	}
	if (write(fd, b->data, b->len) != (ssize_t)b->len || fsync(fd) == -1 ||
	    fchmod(fd, 0644) == -1) {
		(void)file_syserr(e, "write", tmp);
		(void)close(fd);
		(void)unlink(tmp);
		goto out;
	}
	(void)close(fd);
	if (rename(tmp, path) == -1) {
		(void)file_syserr(e, "rename", tmp);
		(void)unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(path);
	return rc;
}

static int
metrics_option(struct ctx *ctx, int code, const char *val, void *arg)
{
	(void)ctx;
	if (code == 'T')
		*(const char **)arg = val;
	return CMD_GO_ON;
}

/*
 * metrics [--textfile DIR]
 * The node's figures in the Prometheus text exposition format, on
 * stdout, or written atomically as DIR/warpstor.prom (node_exporter's
 * textfile collector).  Label sets: the exported datasets and the
 * replicas and replication targets, nothing else.
 * Runs: as status.
 */
int
cmd_metrics(struct ctx *ctx, int argc, char **argv)
{
	struct nodestate s;
	struct buf	 b = { NULL, 0, 0 };
	struct wserr	 e;
	const char	*dir = NULL;
	int		 rc;

	if ((rc = cmd_parse(ctx, argc, argv, metrics_option, &dir, 0, 0)) !=
	    CMD_GO_ON)
		return rc;
	if (dir != NULL && dir[0] != '/')
		return cmd_usage(ctx, "--textfile takes an absolute path");
	if (node_read(ctx, NULL, &s, &e) == -1) {
		node_free(&s);
		return cmd_fail(ctx, &e);
	}
	buf_append(&b, "", 0);
	metrics_node(&b, &s);
	metrics_datasets(&b, &s);
	metrics_replication(&b, &s);
	node_free(&s);
	if (dir == NULL)
		(void)fwrite(b.data, 1, b.len, stdout);
	else if (textfile(dir, &b, &e) == -1)
		rc = cmd_fail(ctx, &e);
	buf_free(&b);
	return rc == CMD_GO_ON ? 0 : rc;
}
