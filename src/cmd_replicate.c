/*
 * cmd_replicate.c: replicate and takeover, the commands beyond one node.
 * A replica is what zfs send -p | zfs receive makes of a dataset on a
 * standby (another pool, here or over ssh): unmounted where zfs can
 * receive so, read-only, marked warpstor:replica, never exported; its
 * warpstor:fsid came with it, so that after takeover the standby serves
 * the clients' file handles as they are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "argv.h"
#include "command.h"
#include "dsname.h"
#include "nfs.h"
#include "output.h"
#include "progress.h"
#include "state.h"
#include "tool.h"
#include "txn.h"
#include "validate.h"
#include "zfs.h"

/* Where a zfs runs: here, or on host over ssh. */
struct node {
	struct ctx	*ctx;
	const char	*host;		/* NULL: this node */
};

/* zargv (zfs's words, argv[0] the configured zfs) as run on n. */
static enum tool
node_argv(const struct node *n, char *const *zargv, struct strvec *out)
{
	struct buf	 cmd = { NULL, 0, 0 };
	size_t		 i;

	if (n->host == NULL) {
		for (i = 0; zargv[i] != NULL; i++)
			strvec_push(out, zargv[i]);
		return TOOL_ZFS;
	}
	for (i = 0; i < n->ctx->cfg.ssh.n; i++)
		strvec_push(out, n->ctx->cfg.ssh.v[i]);
	strvec_push(out, n->host);
	/* one word for the remote shell, each of zfs's quoted for it */
	argv_join(&cmd, zargv + 1);
	strvec_pushf(out, "zfs %s", cmd.data);
	buf_free(&cmd);
	return TOOL_SSH;
}

/*
 * Run zfs on n.  ok: require exit 0 (then out, when not NULL, holds what
 * it printed); else 0 when it ran at all, out saying how it ended.
 */
static int
node_zfs(const struct node *n, struct strvec *zargv, int ok,
    struct spawn_result *out, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	enum tool	 t = node_argv(n, zargv->v, &argv);
	int		 rc;

	rc = ok ? tool_run_ok(n->ctx, t, argv.v, out, e) :
	    tool_run(n->ctx, t, argv.v, out, e);
	strvec_clear(&argv);
	return rc;
}

/* One snapshot: its name and guid. */
struct snap {
	char	*name;
	char	*guid;
};

struct snaps {
	struct snap	*v;
	size_t		 n;
	int		 exists;	/* the dataset is there */
};

static void
snaps_free(struct snaps *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].guid);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/*
 * ds's own snapshots on n, oldest first, each with its guid: zfs list
 * -t snapshot -d 1 -s createtxg, then one zfs get guid of them.  Every
 * line is checked: a name of ds's, a guid of digits.
 */
static int
snapshots_of(const struct node *n, const char *ds, struct snaps *out,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result r;
	char		*p, *line, *tab;
	size_t		 len = strlen(ds), i;
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	strvec_pushl(&argv, n->ctx->cfg.zfs, "list", "-H", "-o", "name", "-t",
	    "snapshot", "-d", "1", "-s", "createtxg", ds, SV_END);
	if (node_zfs(n, &argv, 0, &r, e) == -1)
		goto out;
	if (r.status != 0) {
		out->exists = strstr(r.err.data, "does not exist") == NULL;
		if (out->exists)
			spawn_fail(e, argv.v, &r);
		spawn_result_free(&r);
		rc = out->exists ? -1 : 0;
		goto out;
	}
	out->exists = 1;
	for (p = r.out.data; (line = strsep(&p, "\n")) != NULL;) {
		if (*line == '\0')
			continue;
		if (strncmp(line, ds, len) != 0 || line[len] != '@' ||
		    valid_snapshot(line, e) == -1) {
			wserr_set(e, EX_UNAVAILABLE, "unexpected zfs output: "
			    "'%.100s'", line);
			spawn_result_free(&r);
			goto out;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n].name = xstrdup(line);
		out->v[out->n++].guid = NULL;
	}
	spawn_result_free(&r);
	rc = 0;
	if (out->n == 0)
		goto out;
	strvec_clear(&argv);
	strvec_pushl(&argv, n->ctx->cfg.zfs, "get", "-H", "-p", "-o",
	    "name,value", "guid", SV_END);
	for (i = 0; i < out->n; i++)
		strvec_push(&argv, out->v[i].name);
	if ((rc = node_zfs(n, &argv, 1, &r, e)) == -1)
		goto out;
	for (p = r.out.data; (line = strsep(&p, "\n")) != NULL;) {
		if (*line == '\0' || (tab = strchr(line, '\t')) == NULL)
			continue;
		*tab++ = '\0';
		for (i = 0; i < out->n; i++)
			if (strcmp(out->v[i].name, line) == 0 &&
			    out->v[i].guid == NULL && *tab != '\0' &&
			    strspn(tab, "0123456789") == strlen(tab))
				out->v[i].guid = xstrdup(tab);
	}
	spawn_result_free(&r);
	for (i = 0; i < out->n; i++)
		if (out->v[i].guid == NULL) {
			wserr_set(e, EX_UNAVAILABLE, "no guid for %s",
			    out->v[i].name);
			rc = -1;
		}
out:
	strvec_clear(&argv);
	if (rc == -1)
		snaps_free(out);
	return rc;
}

/* What replicate was asked, and what it found. */
struct rep {
	const char	*ds;
	struct node	 src;		/* this node */
	struct node	 dst;		/* the standby */
	const char	*target;
	struct snaps	 have;		/* ds's snapshots */
	struct snaps	 there;		/* target's */
	const char	*from;		/* the newest both have, or NULL */
	char		*to;		/* what is sent: ds's newest */
	char		*token;		/* a cut-off receive's resume token */
	char		 flags[8];	/* of zfs receive: what the front end has */
	unsigned long long bytes;
	long long	 ms;
	char		 host[256];	/* dst.host points here */
};

/*
 * [HOST:]TARGET: a HOST when a ':' comes before any '/'; it may not
 * begin with '-' (ssh would take it for an option).
 */
static int
rep_target(struct rep *r, const char *arg, struct wserr *e)
{
	const char	*colon = strchr(arg, ':');
	char		 v[VIS_BUFSZ];

	r->target = arg;
	if (colon != NULL && (strchr(arg, '/') == NULL ||
	    colon < strchr(arg, '/'))) {
		size_t	 n = (size_t)(colon - arg);

		if (n >= sizeof(r->host) || arg[0] == '-' ||
		    strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
		    "rstuvwxyz0123456789._-@[]") < n) {
			wserr_set(e, EX_DATAERR, "'%s': not a host name",
			    vis_str(v, sizeof(v), arg));
			return -1;
		}
		memcpy(r->host, arg, n);
		r->host[n] = '\0';
		r->dst.host = n > 0 ? r->host : NULL;
		r->target = colon + 1;
	}
	if (valid_dataset(r->target, e) == -1)
		return -1;
	if (ds_is_volume(r->target)) {
		wserr_set(e, EX_NOPERM, "%s is a volume (a pool's root): "
		    "replicate into a dataset inside one", r->target);
		return -1;
	}
	return 0;
}

/* The flags of zfs receive the target's zfs has, from its usage line. */
static void
recv_flags(struct rep *r)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result res;
	struct wserr	 e;
	const char	*p, *end;
	size_t		 n = 0;

	r->flags[0] = '\0';
	strvec_pushl(&argv, r->dst.ctx->cfg.zfs, "receive", SV_END);
	if (node_zfs(&r->dst, &argv, 0, &res, &e) == 0) {
		/* "receive [-vnsFu] ..." */
		if ((p = strstr(res.err.data, "receive [-")) != NULL &&
		    (end = strchr(p, ']')) != NULL)
			for (p += 10; p < end && n + 1 < sizeof(r->flags); p++)
				if (strchr("suF", *p) != NULL)
					r->flags[n++] = *p;
		r->flags[n] = '\0';
		spawn_result_free(&res);
	}
	strvec_clear(&argv);
}

/* A cut-off receive into target left a resume token (OpenZFS -s). */
static void
resume_token(struct rep *r)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result res;
	struct wserr	 e;
	size_t		 n;

	if (strchr(r->flags, 's') == NULL)
		return;
	strvec_pushl(&argv, r->dst.ctx->cfg.zfs, "get", "-H", "-o", "value",
	    "receive_resume_token", r->target, SV_END);
	if (node_zfs(&r->dst, &argv, 0, &res, &e) == 0) {
		n = strcspn(res.out.data, "\n");
		if (res.status == 0 && n > 1 && strspn(res.out.data,
		    "0123456789abcdef-") == n)
			r->token = xstrndup(res.out.data, n);
		spawn_result_free(&res);
	}
	strvec_clear(&argv);
}

/*
 * What to send: from the newest snapshot both sides have (by guid) to
 * ds's newest.  A target without any of ds's snapshots is refused (73):
 * it is not this dataset's replica.
 */
static int
rep_plan(struct rep *r, struct wserr *e)
{
	size_t	 i, k;

	if (snapshots_of(&r->dst, r->target, &r->there, e) == -1)
		return -1;
	for (i = r->have.n; i-- > 0 && r->from == NULL;)
		for (k = 0; k < r->there.n; k++)
			if (strcmp(r->have.v[i].guid, r->there.v[k].guid) == 0)
				r->from = r->have.v[i].name;
	if (r->there.exists && r->from == NULL && r->token == NULL) {
		wserr_set(e, EX_CANTCREAT, "%s%s%s exists and has no snapshot "
		    "of %s's: not its replica (no common snapshot)",
		    r->dst.host ? r->dst.host : "", r->dst.host ? ":" : "",
		    r->target, r->ds);
		return -1;
	}
	return 0;
}

static void
rep_tick(void *arg, size_t n)
{
	struct progress	*p = arg;

	progress_add(p, n);
}

/*
 * zfs send -p [-I FROM] TO | zfs receive [-u] [-s] [-F] TARGET, or
 * zfs send -t TOKEN | zfs receive -s TARGET to resume; then the replica
 * is marked: unmounted, read-only, warpstor:replica.
 */
static int
rep_transfer(struct rep *r, struct wserr *e)
{
	struct strvec	 send = STRVEC_INIT, zrecv = STRVEC_INIT;
	struct strvec	 recv = STRVEC_INIT, mark = STRVEC_INIT;
	struct spawn_result r1, r2;
	struct progress	 p;
	char		 host[256], *what;
	enum tool	 t;
	long long	 t0;
	int		 rc = -1;

	strvec_pushl(&send, r->src.ctx->cfg.zfs, "send", SV_END);
	if (r->token != NULL)
		strvec_pushl(&send, "-t", r->token, SV_END);
	else {
		strvec_push(&send, "-p");
		if (r->from != NULL)
			strvec_pushl(&send, "-I", r->from, SV_END);
		strvec_push(&send, r->to);
	}
	strvec_pushl(&zrecv, r->dst.ctx->cfg.zfs, "receive", SV_END);
	if (strchr(r->flags, 'u') != NULL)
		strvec_push(&zrecv, "-u");
	if (strchr(r->flags, 's') != NULL)
		strvec_push(&zrecv, "-s");
	if (r->from != NULL && r->token == NULL)
		strvec_push(&zrecv, "-F");	/* back to what was sent */
	strvec_push(&zrecv, r->target);
	t = node_argv(&r->dst, zrecv.v, &recv);
	what = xasprintf("send %s", r->to);
	progress_start(&p, r->src.ctx->progress, what, "bytes", 0);
	t0 = now_ms();
	rc = tool_pipe(r->src.ctx, TOOL_ZFS, send.v, t, recv.v, &r1, &r2,
	    rep_tick, &p, e);
	progress_end(&p);
	free(what);
	r->ms = now_ms() - t0;
	r->bytes = p.done;
	if (rc == 0 && (r1.status != 0 || r2.status != 0)) {
		spawn_fail(e, r1.status != 0 ? send.v : recv.v,
		    r1.status != 0 ? &r1 : &r2);
		rc = -1;
	}
	if (rc == 0 || r1.out.data != NULL) {
		spawn_result_free(&r1);
		spawn_result_free(&r2);
	}
	if (rc == 0) {
		/* where zfs receive has no -u, zfs-fuse mounted it */
		if (strchr(r->flags, 'u') == NULL) {
			strvec_pushl(&mark, r->dst.ctx->cfg.zfs, "umount",
			    r->target, SV_END);
			(void)node_zfs(&r->dst, &mark, 0, &r1, e);
			spawn_result_free(&r1);
			strvec_clear(&mark);
		}
		if (gethostname(host, sizeof(host)) == -1)
			(void)strlcpy(host, "localhost", sizeof(host));
		host[sizeof(host) - 1] = '\0';
		/* one property a call: zfs-fuse sets no more */
		strvec_pushl(&mark, r->dst.ctx->cfg.zfs, "set", "readonly=on",
		    r->target, SV_END);
		rc = node_zfs(&r->dst, &mark, 1, NULL, e);
		strvec_clear(&mark);
		strvec_pushl(&mark, r->dst.ctx->cfg.zfs, "set", SV_END);
		strvec_pushf(&mark, "%s=%s:%s", zfs_prop_name(ZP_REPLICA), host,
		    r->ds);
		strvec_push(&mark, r->target);
		if (rc == 0)
			rc = node_zfs(&r->dst, &mark, 1, NULL, e);
	}
	strvec_clear(&send);
	strvec_clear(&zrecv);
	strvec_clear(&recv);
	strvec_clear(&mark);
	return rc;
}

/*
 * The undo of a transfer cut off: nothing.  A receive that did not end
 * left nothing of itself, or (receive -s) a resume state on the target
 * that the next replicate resumes from; the replica's older snapshots
 * are as they were.
 */
static int
transfer_undo(struct ctx *ctx, char *const *argv, struct wserr *e)
{
	(void)ctx;
	(void)argv;
	(void)e;
	return 0;
}

static int
transfer_goal(struct ctx *ctx, char *const *argv)
{
	(void)ctx;
	(void)argv;
	return 1;
}

const struct undo_kind replicate_undo_transfer = { "replicate-transfer",
    transfer_undo, transfer_goal };

static int
rep_call(void *arg, struct wserr *e)
{
	return rep_transfer(arg, e);
}

/* The transfer as a journaled step of t (its undo: transfer_undo). */
static int
rep_step(struct txn *t, struct rep *r, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT, undo = STRVEC_INIT;
	int		 rc;

	if (txn_step(t, "zfs send -p %s%s%s | zfs receive %s%s%s", r->from ?
	    "-I " : "", r->from ? r->from : "", r->to, r->dst.host ?
	    r->dst.host : "", r->dst.host ? ":" : "", r->target))
		return 0;
	strvec_pushl(&argv, "replicate", r->to, SV_END);
	strvec_pushl(&undo, "replicate", r->target, SV_END);
	rc = txn_do(t, &(struct step){ TOOL_ZFS, &argv, NULL,
	    &replicate_undo_transfer, &undo, rep_call, r }, e);
	strvec_clear(&argv);
	return rc;
}

/* A name for the snapshot replicate makes: @ws-rep-UTC. */
static char *
rep_snapname(const char *ds)
{
	char		 when[32];
	time_t		 now = time(NULL);
	struct tm	 tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm) == 0)
		(void)snprintf(when, sizeof(when), "%lld", (long long)now);
	return xasprintf("%s@ws-rep-%s", ds, when);
}

/*
 * DATASET a filesystem here with a snapshot to send: its newest, or one
 * made now (kept whatever becomes of the transfer: the next run sends it).
 */
static int
rep_source(struct rep *r, struct wserr *e)
{
	struct zfs_dslist l;
	struct txn	 t;
	int		 rc;

	if (zfs_get_one(r->src.ctx, r->ds, ZPM(ZP_TYPE) | ZPM(ZP_REPLICA), &l,
	    e) == -1)
		return -1;
	rc = !state_is_type(&l.v[0], "filesystem") ? -1 :
	    state_is_replica(&l.v[0]) ? -2 : 0;
	zfs_dslist_free(&l);
	if (rc != 0) {
		wserr_set(e, EX_DATAERR, rc == -1 ? "%s is not a filesystem" :
		    "%s is a replica: replicate from where it is live", r->ds);
		return -1;
	}
	if (snapshots_of(&r->src, r->ds, &r->have, e) == -1)
		return -1;
	if (r->have.n > 0) {
		r->to = xstrdup(r->have.v[r->have.n - 1].name);
		return 0;
	}
	r->to = rep_snapname(r->ds);
	txn_init(&t, r->src.ctx);
	if (zfs_snapshot(&t, r->to, 0, e) == -1) {
		(void)txn_rollback(&t, &(struct txn_outcome){ 0 });
		return -1;
	}
	txn_commit(&t);
	if (r->src.ctx->dry_run)
		return 0;
	snaps_free(&r->have);
	return snapshots_of(&r->src, r->ds, &r->have, e);
}

static struct json_object *
rep_json(const struct rep *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "snapshot", json_object_new_string(r->to));
	json_object_object_add(o, "from", out_jstr(r->from));
	json_object_object_add(o, "host", out_jstr(r->dst.host));
	json_object_object_add(o, "bytes", json_object_new_int64(
	    (int64_t)r->bytes));
	json_object_object_add(o, "ms", json_object_new_int64(r->ms));
	return o;
}

/*
 * replicate DATASET [HOST:]TARGET
 * Send DATASET's newest snapshot (made now, @ws-rep-UTC, where it has
 * none) to TARGET on HOST (none: this node): in full the first time, then
 * from the newest snapshot both have (zfs send -p -I), properties
 * included, so that warpstor:fsid travels.  The replica is received
 * unmounted (-u where zfs has it), resumable (-s where it has that), then
 * marked read-only and warpstor:replica; it is never exported until
 * takeover.  Prints TARGET.
 * Runs: zfs get, zfs list and zfs get guid on both sides, zfs receive
 * (its usage, for its flags), [zfs get receive_resume_token], [zfs
 * snapshot], zfs send | [ssh HOST] zfs receive, zfs set readonly=on
 * warpstor:replica=HOST:DATASET.
 */
int
cmd_replicate(struct ctx *ctx, int argc, char **argv)
{
	struct rep	 r;
	struct txn	 t;
	struct wserr	 e;
	int		 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 2, 2)) != CMD_GO_ON)
		return rc;
	memset(&r, 0, sizeof(r));
	r.src.ctx = r.dst.ctx = ctx;
	r.ds = argv[optind];
	if (valid_dataset(r.ds, &e) == -1 ||
	    rep_target(&r, argv[optind + 1], &e) == -1 ||
	    rep_source(&r, &e) == -1)
		goto fail;
	recv_flags(&r);
	resume_token(&r);
	if (rep_plan(&r, &e) == -1)
		goto fail;
	if (r.from != NULL && strcmp(r.from, r.to) == 0 && r.token == NULL) {
		if (!ctx->dry_run && !ctx->json)
			(void)printf("%s: up to date (%s)\n", r.target, r.to);
		else if (ctx->json)
			out_json(rep_json(&r));
		rc = 0;
		goto out;
	}
	txn_init(&t, ctx);
	if (rep_step(&t, &r, &e) == -1) {
		rc = cmd_rollback(&t, &e);
		goto out;
	}
	rc = cmd_done(&t, r.target, rep_json(&r));
	goto out;
fail:
	rc = cmd_fail(ctx, &e);
out:
	snaps_free(&r.have);
	snaps_free(&r.there);
	free(r.to);
	free(r.token);
	return rc;
}

/* A replica, whose export (if it came with one) warpstor would make. */
static int
takeover_check(struct ctx *ctx, const struct zfs_ds *d, int exporting,
    struct wserr *e)
{
	const char	*mp = d->val[ZP_MOUNTPOINT];

	if (!state_is_replica(d)) {
		wserr_set(e, EX_NOPERM, "%s is not a replica (no "
		    "warpstor:replica of its own)", d->name);
		return -1;
	}
	if (!state_is_type(d, "filesystem") || mp == NULL || mp[0] != '/') {
		wserr_set(e, EX_DATAERR, "%s: not a filesystem with a "
		    "mountpoint", d->name);
		return -1;
	}
	if (!exporting)
		return 0;
	if (valid_clients(d->val[ZP_CLIENTS], e) == -1 ||
	    (d->val[ZP_OPTIONS] != NULL &&
	    valid_options(d->val[ZP_OPTIONS], e) == -1))
		return -1;
	if (!nfs_valid_fsid(d->val[ZP_FSID])) {
		wserr_set(e, EX_DATAERR, "%s: its warpstor:fsid is not a "
		    "UUID", d->name);
		return -1;
	}
	/* two live exports with one fsid: what the trust rules forbid */
	return state_fsid_unique(ctx, d->name, d->val[ZP_FSID], e);
}

/*
 * The export properties its own, writable, no longer a replica, mounted,
 * exported: each a step of t.
 */
static int
takeover_run(struct txn *t, const struct zfs_ds *d, int exporting,
    struct nfs_export *ex, struct wserr *e)
{
	static const enum zprop own[] = { ZP_FSID, ZP_CLIENTS, ZP_OPTIONS };
	const char	*name = d->name;
	size_t		 i;

	for (i = 0; exporting && i < 3; i++)
		if (d->val[own[i]] != NULL && zfs_set(t, name,
		    zfs_prop_name(own[i]), d->val[own[i]], NULL, e) == -1)
			return -1;
	if (zfs_inherit(t, name, zfs_prop_name(ZP_READONLY),
	    d->val[ZP_READONLY] != NULL ? d->val[ZP_READONLY] : "on", e) == -1 ||
	    zfs_inherit(t, name, zfs_prop_name(ZP_REPLICA),
	    d->val[ZP_REPLICA], e) == -1 ||
	    (!state_mounted(d) && zfs_mount(t, name, e) == -1))
		return -1;
	if (!exporting)
		return txn_check(t, e);
	ex->path = xstrdup(d->val[ZP_MOUNTPOINT]);
	ex->clients = xstrdup(d->val[ZP_CLIENTS]);
	ex->options = xstrdup(d->val[ZP_OPTIONS] != NULL ?
	    d->val[ZP_OPTIONS] : "");
	ex->fsid = xstrdup(d->val[ZP_FSID]);
	return nfs_publish(t, ex, 1, e) == -1 ? -1 : txn_check(t, e);
}

/*
 * takeover DATASET
 * A replica becomes the live dataset: the export properties it came with
 * become its own (warpstor:fsid, clients, options), it is writable again,
 * no longer a replica, mounted, and exported with that fsid.  Refused
 * when it is no replica, or another dataset here has that fsid.  Prints
 * DATASET.
 * Runs: zfs get, zfs get of every filesystem (the fsid), zfs set x3, zfs
 * inherit readonly, zfs inherit warpstor:replica, zfs mount, the exports
 * file, exportfs -o.
 */
int
cmd_takeover(struct ctx *ctx, int argc, char **argv)
{
	struct zfs_dslist l;
	struct nfs_export ex;
	struct txn	 t;
	struct wserr	 e;
	const struct zfs_ds *d;
	const char	*name;
	int		 rc, exporting;

	if ((rc = cmd_operands(ctx, argc, argv, 1, 1)) != CMD_GO_ON)
		return rc;
	name = argv[optind];
	if (valid_dataset(name, &e) == -1 || zfs_get_one(ctx, name,
	    STATE_PROPS | ZPM(ZP_READONLY), &l, &e) == -1)
		return cmd_fail(ctx, &e);
	d = &l.v[0];
	memset(&ex, 0, sizeof(ex));
	exporting = d->val[ZP_FSID] != NULL && d->val[ZP_CLIENTS] != NULL;
	if (takeover_check(ctx, d, exporting, &e) == -1) {
		zfs_dslist_free(&l);
		return cmd_fail(ctx, &e);
	}
	txn_init(&t, ctx);
	rc = takeover_run(&t, d, exporting, &ex, &e);
	if (rc == -1)
		rc = cmd_rollback(&t, &e);
	else {
		struct json_object *o = json_object_new_object();

		if (exporting)
			cmd_json_export(o, &ex);
		rc = cmd_done(&t, name, o);
	}
	nfs_export_free(&ex);
	zfs_dslist_free(&l);
	return rc;
}
