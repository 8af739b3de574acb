/*
 * node.c: zfs on a node, this one or another over ssh (one connection a
 * run, ssh's control master): the calls of replicate, receive-replica
 * and takeover, their argv and the parsing of what zfs prints.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/argv.h"
#include "lib/output.h"
#include "lib/progress.h"
#include "lib/validate.h"
#include "run/tool.h"
#include "zfs/node.h"
#include "zfs/zfs.h"

/* The ssh words to reach n: its control master serves every call. */
static void
node_ssh(const struct node *n, struct strvec *out)
{
	size_t	 i;

	for (i = 0; i < n->ctx->cfg.ssh.n; i++)
		strvec_push(out, n->ctx->cfg.ssh.v[i]);
	if (n->ctlpath == NULL)
		return;
	strvec_pushl(out, "-o", "ControlMaster=auto", "-o", SV_END);
	strvec_pushf(out, "ControlPath=%s", n->ctlpath);
	/* a run that is cut off leaves it a minute at most */
	strvec_pushl(out, "-o", "ControlPersist=60", SV_END);
}

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
	node_ssh(n, out);
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

/* zfs WORDS... on n, requiring exit 0; its output dropped. */
static int
node_do(const struct node *n, struct wserr *e, ...)
{
	struct strvec	 argv = STRVEC_INIT;
	va_list		 ap;
	const char	*w;
	int		 rc;

	strvec_push(&argv, n->ctx->cfg.zfs);
	va_start(ap, e);
	while ((w = va_arg(ap, const char *)) != NULL)
		strvec_push(&argv, w);
	va_end(ap);
	rc = node_zfs(n, &argv, 1, NULL, e);
	strvec_clear(&argv);
	return rc;
}

/* The control master's socket closed (its process gone) at the end. */
void
node_close(struct node *n)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result r;
	struct wserr	 e;

	node_forget(n);
	if (n->host == NULL || n->ctlpath == NULL)
		return;
	/* ssh names the socket (%C); without a master this says so, no more */
	node_ssh(n, &argv);
	strvec_pushl(&argv, "-O", "exit", n->host, SV_END);
	if (tool_run(n->ctx, TOOL_SSH, argv.v, &r, &e) == 0)
		spawn_result_free(&r);
	strvec_clear(&argv);
	free(n->ctlpath);
	n->ctlpath = NULL;
}

void
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

const struct snap *
snap_by_guid(const struct snaps *s, const char *guid)
{
	size_t	 i;

	for (i = 0; guid != NULL && i < s->n; i++)
		if (strcmp(s->v[i].guid, guid) == 0)
			return &s->v[i];
	return NULL;
}

/*
 * ds's own snapshots on n, oldest first, each with its guid: zfs list
 * -t snapshot -d 1 -s createtxg, then one zfs get guid of them.  Every
 * line is checked: a name of ds's, a guid of digits.
 */
int
node_snapshots(const struct node *n, const char *ds, struct snaps *out,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result r;
	char		*p, *line, *tab;
	size_t		 len = strlen(ds), i;
	int		 rc = -1;

	out->v = NULL;
	out->n = 0;
	out->exists = 0;
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
			    strlen(tab) <= 20 &&
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

/*
 * One property of name on n as zfs get -H -p prints it (value, source),
 * or *val NULL where zfs has no such property (zfs-fuse: written) or
 * name does not exist.  A value with a control byte is refused.
 */
int
node_prop(const struct node *n, const char *name, const char *prop,
    char **val, char **src, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result r;
	char		*tab;
	size_t		 len;
	int		 rc;

	*val = NULL;
	if (src != NULL)
		*src = NULL;
	if (n->cache != NULL && strcmp(n->cache->name, name) == 0) {
		size_t	 i;

		for (i = 0; i < n->cache->prop.n; i++)
			if (strcmp(n->cache->prop.v[i], prop) == 0)
				break;
		if (i < n->cache->prop.n) {
			if (n->cache->known[i] && n->cache->val.v[i][0] != '\0') {
				*val = xstrdup(n->cache->val.v[i]);
				if (src != NULL)
					*src = xstrdup(n->cache->src.v[i]);
			}
			return 0;
		}
	}
	strvec_pushl(&argv, n->ctx->cfg.zfs, "get", "-H", "-p", "-o",
	    "value,source", prop, name, SV_END);
	rc = node_zfs(n, &argv, 0, &r, e);
	strvec_clear(&argv);
	if (rc == -1)
		return -1;
	len = strcspn(r.out.data, "\n");
	if (r.status == 0 && (tab = memchr(r.out.data, '\t', len)) != NULL) {
		r.out.data[len] = '\0';
		*tab++ = '\0';
		if (has_control_bytes(r.out.data) || has_control_bytes(tab)) {
			wserr_set(e, EX_DATAERR, "%s: %s holds a control "
			    "character", name, prop);
			rc = -1;
		} else {
			*val = xstrdup(r.out.data);
			if (src != NULL)
				*src = xstrdup(tab);
		}
	}
	spawn_result_free(&r);
	return rc;
}

int
node_knows(const struct node *n, const char *prop)
{
	size_t	 i;

	for (i = 0; n->cache != NULL && i < n->cache->prop.n; i++)
		if (strcmp(n->cache->prop.v[i], prop) == 0)
			return n->cache->known[i];
	return 0;
}

void
node_forget(struct node *n)
{
	if (n->cache == NULL)
		return;
	free(n->cache->name);
	strvec_clear(&n->cache->prop);
	strvec_clear(&n->cache->val);
	strvec_clear(&n->cache->src);
	free(n->cache);
	n->cache = NULL;
}

/*
 * props (comma-separated, at most 8) of name on n in one zfs get, kept
 * for node_prop.  A zfs that does not know one of them (zfs-fuse:
 * written, receive_resume_token) refuses the whole list: asked again
 * without those, which node_prop then gives as absent.  Every line is
 * checked: one of the properties asked, once, no control byte.
 */
int
node_prefetch(struct node *n, const char *name, const char *props,
    const char *base, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result r;
	struct propcache *c;
	char		*p, *line, *f[3];
	size_t		 i;
	int		 k, rc, tries;

	node_forget(n);
	c = xcalloc(1, sizeof(*c));
	c->name = xstrdup(name);
	strvec_split(&c->prop, props, ",", 0);
	for (i = 0; i < c->prop.n; i++) {
		strvec_push(&c->val, "");
		strvec_push(&c->src, "");
	}
	for (tries = 0; tries < 2; tries++) {
		strvec_clear(&argv);
		strvec_pushl(&argv, n->ctx->cfg.zfs, "get", "-H", "-p", "-o",
		    "property,value,source", tries == 0 ? props : base, name,
		    SV_END);
		if ((rc = node_zfs(n, &argv, tries == 0 ? 0 : 1, &r, e)) == -1)
			break;
		if (r.status != 0) {
			spawn_result_free(&r);
			continue;
		}
		for (i = 0; i < c->prop.n; i++)
			c->known[i] = tries == 0 || strstr(base,
			    c->prop.v[i]) != NULL;
		for (p = r.out.data; (line = strsep(&p, "\n")) != NULL;) {
			if (*line == '\0')
				continue;
			for (k = 0; k < 3 && line != NULL; k++)
				f[k] = strsep(&line, "\t");
			for (i = 0; k == 3 && line == NULL && i < c->prop.n; i++)
				if (strcmp(c->prop.v[i], f[0]) == 0 &&
				    c->val.v[i][0] == '\0')
					break;
			if (k != 3 || line != NULL || i == c->prop.n ||
			    has_control_bytes(f[1]) || has_control_bytes(f[2])) {
				wserr_set(e, EX_UNAVAILABLE, "unexpected zfs "
				    "output for %s", name);
				rc = -1;
				break;
			}
			free(c->val.v[i]);
			free(c->src.v[i]);
			c->val.v[i] = xstrdup(f[1]);
			c->src.v[i] = xstrdup(f[2]);
		}
		spawn_result_free(&r);
		break;
	}
	strvec_clear(&argv);
	if (rc == -1 || tries == 2) {
		n->cache = c;
		node_forget(n);
		return rc == -1 ? -1 : 0;
	}
	n->cache = c;
	return 0;
}


/*
 * zfs get of warpstor:holds, warpstor:txn and userrefs of every snapshot
 * of s on n, in one call; info[i] for s->v[i].  A line that is not one
 * of s's snapshots, or a value with a control byte, is refused.
 */
int
node_snap_info(const struct node *n, const struct snaps *s, struct snapinfo *info,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result r;
	char		*p, *line, *f[4];
	const char	*errstr;
	size_t		 i;
	int		 k, rc;

	memset(info, 0, s->n * sizeof(*info));
	if (s->n == 0)
		return 0;
	strvec_pushl(&argv, n->ctx->cfg.zfs, "get", "-H", "-p", "-o",
	    "name,property,value,source", "warpstor:holds,warpstor:txn,userrefs",
	    SV_END);
	for (i = 0; i < s->n; i++)
		strvec_push(&argv, s->v[i].name);
	rc = node_zfs(n, &argv, 1, &r, e);
	strvec_clear(&argv);
	if (rc == -1)
		return -1;
	for (p = r.out.data; (line = strsep(&p, "\n")) != NULL;) {
		if (*line == '\0')
			continue;
		for (k = 0; k < 4 && (f[k] = strsep(&line, "\t")) != NULL; k++)
			;
		for (i = 0; k == 4 && line == NULL && i < s->n &&
		    strcmp(s->v[i].name, f[0]) != 0; i++)
			;
		if (k != 4 || line != NULL || i == s->n ||
		    has_control_bytes(f[2])) {
			wserr_set(e, EX_UNAVAILABLE, "unexpected zfs output "
			    "for %s's snapshots", s->v[0].name);
			spawn_result_free(&r);
			return -1;
		}
		if (strcmp(f[1], zfs_prop_name(ZP_HOLDS)) == 0 &&
		    strcmp(f[3], "local") == 0 && strcmp(f[2], "-") != 0) {
			free(info[i].holds);
			info[i].holds = xstrdup(f[2]);
		} else if (strcmp(f[1], zfs_prop_name(ZP_TXN)) == 0)
			info[i].ours = strcmp(f[3], "local") == 0;
		else if (strcmp(f[1], "userrefs") == 0)
			info[i].userrefs = strtonum(f[2], 0, LLONG_MAX, &errstr);
	}
	spawn_result_free(&r);
	return 0;
}

void
snap_info_free(struct snapinfo *info, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(info[i].holds);
	free(info);
}

/* warpstor:holds of snap set to list (NULL: none, inherited away). */
int
node_holds_set(const struct node *n, const char *snap, const char *list,
    struct wserr *e)
{
	return node_set(n, snap, zfs_prop_name(ZP_HOLDS), list != NULL &&
	    *list != '\0' ? list : NULL, e);
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

const struct undo_kind zfs_undo_transfer = { "replicate-transfer",
    transfer_undo, transfer_goal };


/* zpool sync of ds's pool: 0 when it ran and succeeded. */
int
node_pool_sync(struct ctx *ctx, const char *ds)
{
	struct strvec	 argv = STRVEC_INIT;
	struct wserr	 e;
	char		*pool = xstrndup(ds, strcspn(ds, "/@"));
	int		 rc;

	strvec_pushl(&argv, "zpool", "sync", pool, SV_END);
	rc = tool_run_ok(ctx, TOOL_ZPOOL, argv.v, NULL, &e);
	strvec_clear(&argv);
	free(pool);
	return rc;
}


/* "destination ... has been modified": a replica written since. */
static int
recv_modified(const struct spawn_result *r2)
{
	return r2->err.data != NULL && (strstr(r2->err.data,
	    "has been modified") != NULL || strstr(r2->err.data,
	    "destination has snapshots") != NULL);
}


int
node_set(const struct node *n, const char *name, const char *prop,
    const char *val, struct wserr *e)
{
	char	*kv;
	int	 rc;

	if (val == NULL)
		return node_do(n, e, "inherit", prop, name, SV_END);
	kv = xasprintf("%s=%s", prop, val);
	rc = node_do(n, e, "set", kv, name, SV_END);
	free(kv);
	return rc;
}

/* zfs hold or release tag snap; zfs saying so already is no error. */
static int
node_tag(const struct node *n, const char *verb, const char *tag,
    const char *snap, const char *already, struct wserr *e)
{
	if (node_do(n, e, verb, tag, snap, SV_END) == -1)
		return strstr(e->msg, already) != NULL ? 0 : -1;
	return 0;
}

int
node_hold(const struct node *n, const char *tag, const char *snap,
    struct wserr *e)
{
	return node_tag(n, "hold", tag, snap, "exists", e);
}

int
node_release(const struct node *n, const char *tag, const char *snap,
    struct wserr *e)
{
	return node_tag(n, "release", tag, snap, "no such tag", e);
}

int
node_destroy(const struct node *n, const char *name, int recursive,
    struct wserr *e)
{
	if (recursive)
		return node_do(n, e, "destroy", "-r", name, SV_END);
	return node_do(n, e, "destroy", name, SV_END);
}

int
node_rollback(const struct node *n, const char *snap, struct wserr *e)
{
	return node_do(n, e, "rollback", "-r", snap, SV_END);
}

int
node_unmount(const struct node *n, const char *name, struct wserr *e)
{
	return node_do(n, e, "umount", name, SV_END);
}

int
node_receive_abort(const struct node *n, const char *name, struct wserr *e)
{
	return node_do(n, e, "receive", "-A", name, SV_END);
}

/* One property a call: zfs-fuse sets no more. */
int
node_mark_replica(const struct node *n, const char *target,
    const char *mark, struct wserr *e)
{
	return node_set(n, target, "canmount", "noauto", e) == -1 ||
	    node_set(n, target, "mountpoint", NULL, e) == -1 ||
	    node_set(n, target, "sharenfs", NULL, e) == -1 ||
	    node_set(n, target, "sharesmb", NULL, e) == -1 ||
	    node_set(n, target, "readonly", "on", e) == -1 ||
	    node_set(n, target, zfs_prop_name(ZP_REPLICA), mark, e) == -1 ?
	    -1 : 0;
}

/* zfs receive's usage, where it runs, says what it can do. */
void
node_recv_caps(const struct node *n, struct recv_caps *c)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result res;
	struct wserr	 e;

	c->resumable = c->exclude = 0;
	strvec_pushl(&argv, n->ctx->cfg.zfs, "receive", SV_END);
	if (node_zfs(n, &argv, 0, &res, &e) == 0) {
		/* OpenZFS's usage has receive -A, the abort of -s */
		c->resumable = strstr(res.err.data, "receive -A") != NULL;
		c->exclude = strstr(res.err.data, "[-x ") != NULL;
		spawn_result_free(&res);
	}
	strvec_clear(&argv);
}

void
zfs_token_names(struct ctx *ctx, const char *token, char **name,
    unsigned long long *guid)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result res;
	struct wserr	 e;
	char		*p, *line, *toname = NULL, *toguid = NULL;
	unsigned long long g;

	*name = NULL;
	*guid = 0;
	if (strspn(token, "0123456789abcdef-") != strlen(token))
		return;
	strvec_pushl(&argv, ctx->cfg.zfs, "send", "-nv", "-t", token, SV_END);
	if (tool_run(ctx, TOOL_ZFS, argv.v, &res, &e) == 0) {
		/* "\ttoguid = 0x...", "\ttoname = pool/ds@snap" */
		for (p = res.out.data; (line = strsep(&p, "\n")) != NULL;) {
			line += strspn(line, " \t");
			if (strncmp(line, "toname = ", 9) == 0)
				toname = line + 9;
			else if (strncmp(line, "toguid = ", 9) == 0)
				toguid = line + 9;
		}
		errno = 0;
		if (toname != NULL && toguid != NULL &&
		    valid_snapshot(toname, &e) == 0 &&
		    (g = strtoull(toguid, NULL, 0)) != 0 && errno == 0) {
			*name = xstrdup(toname);
			*guid = g;
		}
		spawn_result_free(&res);
	}
	strvec_clear(&argv);
}

/*
 * A clone's origin on TARGET's pool is found by guid, as zfs receive
 * looks for it.
 */
int
node_guid_in_pool(const struct node *n, const char *pool, const char *guid,
    int *found, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result res;
	char		*p, *line, *tab;
	int		 rc;

	*found = 0;
	strvec_pushl(&argv, n->ctx->cfg.zfs, "get", "-H", "-p", "-r", "-o",
	    "name,value", "guid", pool, SV_END);
	rc = node_zfs(n, &argv, 1, &res, e);
	strvec_clear(&argv);
	if (rc == -1)
		return -1;
	for (p = res.out.data; (line = strsep(&p, "\n")) != NULL;)
		if ((tab = strchr(line, '\t')) != NULL && strcmp(tab + 1,
		    guid) == 0 && memchr(line, '@', (size_t)(tab - line)) != NULL)
			*found = 1;
	spawn_result_free(&res);
	return 0;
}

/* A bookmark line of zfs list -o name,guid: DS#NAME, a guid of digits. */
static int
bookmark_line(const char *line, const char *tab, const char *ds)
{
	size_t	 len = strlen(ds);

	return strncmp(line, ds, len) == 0 && line[len] == '#' &&
	    (size_t)(tab - line) < 256 &&
	    strspn(line + len + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh"
	    "ijklmnopqrstuvwxyz0123456789_.:-") == (size_t)(tab - line) -
	    len - 1 && tab[1] != '\0' && strlen(tab + 1) <= 20 &&
	    strspn(tab + 1, "0123456789") == strlen(tab + 1);
}

int
node_bookmarks(struct node *n, const char *ds, struct snaps *out,
    struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result res;
	char		*p, *line, *tab;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (n->no_bookmarks)
		return 0;
	strvec_pushl(&argv, n->ctx->cfg.zfs, "list", "-H", "-p", "-o",
	    "name,guid", "-t", "bookmark", "-d", "1", ds, SV_END);
	rc = node_zfs(n, &argv, 0, &res, e);
	strvec_clear(&argv);
	if (rc == -1)
		return -1;
	if (res.status != 0) {
		/* zfs-fuse: "invalid type 'bookmark'" */
		if (strstr(res.err.data, "bookmark") != NULL)
			n->no_bookmarks = 1;
		spawn_result_free(&res);
		return 0;
	}
	out->exists = 1;
	for (p = res.out.data; (line = strsep(&p, "\n")) != NULL;) {
		if (*line == '\0')
			continue;
		if ((tab = strchr(line, '\t')) == NULL ||
		    !bookmark_line(line, tab, ds)) {
			wserr_set(e, EX_UNAVAILABLE, "unexpected zfs output: "
			    "'%.100s'", line);
			spawn_result_free(&res);
			snaps_free(out);
			return -1;
		}
		*tab++ = '\0';
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n].name = xstrdup(line);
		out->v[out->n++].guid = xstrdup(tab);
	}
	spawn_result_free(&res);
	return 0;
}

void
node_bookmark(struct node *n, const char *snap, const char *bm)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result res;
	struct wserr	 e;
	int		 tries;

	if (n->no_bookmarks)
		return;
	for (tries = 0; tries < 2; tries++) {
		strvec_clear(&argv);
		strvec_pushl(&argv, n->ctx->cfg.zfs, "bookmark", snap, bm,
		    SV_END);
		if (node_zfs(n, &argv, 0, &res, &e) == -1)
			break;
		if (res.status == 0) {
			spawn_result_free(&res);
			break;
		}
		if (tries > 0 || strstr(res.err.data, "exists") == NULL) {
			/* zfs-fuse: "unrecognized command 'bookmark'" */
			if (strstr(res.err.data, "unrecognized") != NULL ||
			    strstr(res.err.data, "usage") != NULL)
				n->no_bookmarks = 1;
			else
				out_warn(n->ctx, "bookmark %s left undone", bm);
			spawn_result_free(&res);
			break;
		}
		spawn_result_free(&res);
		/* the older bookmark of that name goes, for the new one */
		if (node_destroy(n, bm, 0, &e) == -1)
			break;
	}
	strvec_clear(&argv);
}

void
zfs_send_argv(const struct ctx *ctx, const char *token, const char *from,
    int single, const char *to, struct strvec *out)
{
	strvec_pushl(out, ctx->cfg.zfs, "send", SV_END);
	if (token != NULL) {
		strvec_pushl(out, "-t", token, SV_END);
		return;
	}
	strvec_push(out, "-p");
	if (from != NULL)
		strvec_pushl(out, single || strchr(from, '#') != NULL ? "-i" :
		    "-I", from, SV_END);
	strvec_push(out, to);
}

enum tool
node_recv_argv(const struct node *n, const struct recv_caps *c, int rollback,
    const char *target, struct strvec *out)
{
	static const char *const never[] = { "mountpoint", "canmount",
	    "sharenfs", "sharesmb" };
	struct strvec	 zrecv = STRVEC_INIT;
	enum tool	 t;
	size_t		 i;

	/* never mounted while received; nothing from it picks a path */
	strvec_pushl(&zrecv, n->ctx->cfg.zfs, "receive", "-u", SV_END);
	if (c->resumable)
		strvec_push(&zrecv, "-s");
	for (i = 0; c->exclude && i < sizeof(never) / sizeof(never[0]); i++)
		strvec_pushl(&zrecv, "-x", never[i], SV_END);
	if (rollback)
		strvec_push(&zrecv, "-F");
	strvec_push(&zrecv, target);
	t = node_argv(n, zrecv.v, out);
	strvec_clear(&zrecv);
	return t;
}

void
node_remote_argv(const struct node *n, char *const *words, struct strvec *out)
{
	struct buf	 cmd = { NULL, 0, 0 };

	node_ssh(n, out);
	strvec_push(out, n->host);
	/* one word for the remote shell, each of warpstor's quoted for it */
	argv_join(&cmd, words);
	strvec_push(out, cmd.data);
	buf_free(&cmd);
}

int
node_remote_run(const struct node *n, char *const *words, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	int		 rc;

	node_remote_argv(n, words, &argv);
	rc = tool_run_ok(n->ctx, TOOL_SSH, argv.v, NULL, e);
	strvec_clear(&argv);
	return rc;
}

/* A stream on its way: counted for the progress line, capped by limit. */
struct flow {
	struct progress	 p;
	unsigned long long limit;	/* bytes a second, or 0 */
	long long	 t0;		/* ms */
};

static void
flow_tick(void *arg, size_t n)
{
	struct flow	*f = arg;
	long long	 due, now;
	struct timespec	 ts;

	progress_add(&f->p, n);
	if (f->limit == 0)
		return;
	/* ahead of the rate: wait until the bytes so far are due */
	due = f->t0 + (long long)(f->p.done * 1000ULL / f->limit);
	if ((now = now_ms()) < due) {
		ts.tv_sec = (time_t)((due - now) / 1000);
		ts.tv_nsec = (long)((due - now) % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
}

int
node_pipe(struct ctx *ctx, char *const *send, enum tool t, char *const *recv,
    struct node_xfer *x, struct wserr *e)
{
	struct spawn_result r1, r2;
	struct flow	 f;
	int		 rc;

	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	x->modified = 0;
	x->said = NULL;
	progress_start(&f.p, ctx->progress, x->what, "bytes", 0);
	f.limit = x->limit;
	f.t0 = now_ms();
	rc = tool_pipe(ctx, TOOL_ZFS, send, t, recv, &r1, &r2, flow_tick, &f,
	    e);
	progress_end(&f.p);
	x->ms += now_ms() - f.t0;
	x->bytes += f.p.done;
	if (rc == 0 && (r1.status != 0 || r2.status != 0)) {
		spawn_fail(e, r1.status != 0 ? send : recv,
		    r1.status != 0 ? &r1 : &r2);
		/*
		 * the other node's receive-replica said why, in its own exit
		 * status (73 live, 75 its lock held, ...): kept (ssh's own
		 * failures are 255)
		 */
		if (r1.status == 0 && x->remote &&
		    r2.status >= EX__BASE && r2.status <= EX__MAX)
			e->code = r2.status;
		x->modified = r2.status != 0 && recv_modified(&r2);
		rc = -1;
	} else if (rc == 0 && r2.out.data != NULL)
		x->said = xstrdup(r2.out.data);
	spawn_result_free(&r1);
	spawn_result_free(&r2);
	return rc;
}

int
zfs_receive_stdin(struct ctx *ctx, const struct recv_caps *c, int rollback,
    const char *target, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	struct spawn_result res;
	struct node	 here = { ctx, NULL, NULL, NULL, 0 };
	int		 rc = -1;

	(void)node_recv_argv(&here, c, rollback, target, &argv);
	if (tool_run_in(ctx, TOOL_ZFS, argv.v, STDIN_FILENO, &res, e) == 0) {
		if (res.status != 0)
			spawn_fail(e, argv.v, &res);
		else
			rc = 0;
		spawn_result_free(&res);
	}
	strvec_clear(&argv);
	return rc;
}
