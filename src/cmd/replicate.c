/*
 * replicate.c: replicate, receive-replica and takeover, the commands
 * beyond one node (their zfs calls are zfs/node.c's).
 * A replica is what zfs send -p | zfs receive makes of a dataset on a
 * standby (another pool, here or over ssh): unmounted where zfs can
 * receive so, read-only, marked warpstor:replica, never exported; its
 * warpstor:fsid came with it, so that after takeover the standby serves
 * the clients' file handles as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/argv.h"
#include "cmd/cmd.h"
#include "model/dsname.h"
#include "fs/fsops.h"
#include "txn/lock.h"
#include "nfs/nfs.h"
#include "lib/output.h"
#include "lib/progress.h"
#include "model/state.h"
#include "txn/txn.h"
#include "lib/validate.h"
#include "zfs/node.h"
#include "zfs/zfs.h"

/* What replicate was asked, and what it found. */
struct rep {
	const char	*ds;
	char		*dsname;	/* DATASET without @SNAP */
	char		*own_ds;	/* -r: ds and target, allocated */
	char		*own_target;
	int		 tree;		/* -r */
	int		 flags_known;	/* caps asked already */
	const char	*at;		/* @SNAP given, or NULL */
	int		 force;
	struct node	 src;		/* this node */
	struct node	 dst;		/* the standby */
	const char	*target;
	char		 me[256];	/* this node's name, for the mark */
	struct snaps	 have;		/* DATASET's snapshots */
	struct snaps	 there;		/* TARGET's */
	const char	*from;		/* the newest both have, or NULL */
	const char	*first;		/* a first run: the oldest, in full */
	char		*to;		/* what is sent: DATASET as it is now */
	char		*token;		/* a resume token that is DATASET's */
	struct recv_caps caps;		/* what TARGET's zfs receive can do */
	int		 aborted;	/* a partial receive not DATASET's: -A */
	int		 exported;	/* TARGET is exported (--force) */
	int		 mounted;	/* TARGET is mounted (--force) */
	int		 rollback;	/* receive -F: --force over what it finds */
	int		 destroy;	/* --force, no common: over it in full */
	int		 make;		/* TO is to be made (rep_snapshot) */
	char		*origin;	/* DATASET a clone: its origin (source) */
	int		 as_clone;	/* origin is on TARGET's pool: -i from it */
	int		 keep;		/* --keep N: ws-rep-* kept a side */
	unsigned long long limit;	/* --limit: bytes a second, 0 none */
	char		*tag;		/* the hold of this target: warpstor:HOST:TARGET */
	struct strvec	 pruned;	/* ws-rep-* snapshots destroyed */
	char		*from_copy;	/* from, once the lists are read again */
	char		*from_guid;	/* from's guid */
	char		*bookmark;	/* from, where it is DATASET's bookmark */
	unsigned long long bytes;
	long long	 ms;
	char		 host[256];	/* dst.host points here */
	char		*replicated;	/* DATASET's warpstor:replicated */
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

/*
 * A cut-off receive into TARGET left a resume token (OpenZFS -s): kept
 * only when the snapshot it resumes is DATASET's (zfs send -nvt names it
 * here, on this node, with its guid); any other partial state is aborted
 * (zfs receive -A) and the send starts over.
 */
static int
resume_token(struct rep *r, struct wserr *e)
{
	char		*tok, *toname;
	unsigned long long g;
	size_t		 i;
	int		 ok = 0;

	if (!r->caps.resumable || !r->there.exists)
		return 0;
	if (node_prop(&r->dst, r->target, "receive_resume_token", &tok, NULL,
	    e) == -1)
		return -1;
	if (tok == NULL || strcmp(tok, "-") == 0 || *tok == '\0') {
		free(tok);
		return 0;
	}
	zfs_token_names(r->src.ctx, tok, &toname, &g);
	for (i = 0; toname != NULL && ds_snapshot_of(toname, r->dsname) &&
	    i < r->have.n && !ok; i++)
		ok = strcmp(r->have.v[i].name, toname) == 0 &&
		    strtoull(r->have.v[i].guid, NULL, 10) == g;
	free(toname);
	if (ok) {
		r->token = tok;
		return 0;
	}
	free(tok);
	out_warn(r->src.ctx, "%s holds a partial receive that is not of %s's "
	    "snapshots: aborted (zfs receive -A), sent again", r->target,
	    r->dsname);
	r->aborted = 1;
	if (r->src.ctx->dry_run)
		return 0;
	return node_receive_abort(&r->dst, r->target, e);
}

/*
 * TARGET, where it exists, is DATASET's replica and nothing else: a
 * local warpstor:replica naming DATASET (from this node), not mounted,
 * not exported (else 73, saying which); nothing written and no snapshot
 * made there since the newest one both have (else 77, naming them).
 * --force takes it all the same, saying what it discards.
 */
/*
 * Whether TARGET is DATASET's replica (*replica), and mounted or exported
 * (r->mounted, r->exported).
 */
static int
rep_target_state(struct rep *r, int *replica, struct wserr *e)
{
	char	*mark = NULL, *msrc = NULL, *mnt = NULL, *fsid = NULL,
		*fsrc = NULL, *want;
	int	 rc = -1;

	if (node_prop(&r->dst, r->target, zfs_prop_name(ZP_REPLICA), &mark,
	    &msrc, e) == -1 || node_prop(&r->dst, r->target, "mounted", &mnt,
	    NULL, e) == -1 || node_prop(&r->dst, r->target,
	    zfs_prop_name(ZP_FSID), &fsid, &fsrc, e) == -1)
		goto out;
	want = xasprintf("%s:%s", r->me, r->dsname);
	*replica = mark != NULL && msrc != NULL &&
	    strcmp(msrc, "local") == 0 && strcmp(mark, want) == 0;
	free(want);
	r->mounted = mnt != NULL && strcmp(mnt, "yes") == 0;
	/* its own fsid and no replica mark: a live export (taken over) */
	r->exported = !*replica && fsid != NULL && fsrc != NULL &&
	    strcmp(fsrc, "local") == 0;
	rc = 0;
out:
	free(mark);
	free(msrc);
	free(mnt);
	free(fsid);
	free(fsrc);
	return rc;
}

/* A TARGET that is live (not a replica, mounted, exported): 73, or --force. */
static int
rep_live(struct rep *r, int replica, struct wserr *e)
{
	if (replica && !r->mounted && !r->exported)
		return 0;
	if (!r->force) {
		wserr_set(e, EX_CANTCREAT, "%s%s%s exists and %s: replicate "
		    "never receives onto live data (--force takes it: a "
		    "failback)", r->dst.host ? r->dst.host : "",
		    r->dst.host ? ":" : "", r->target, !replica ? "is not a "
		    "replica of this node's DATASET (no local warpstor:replica "
		    "naming it)" : r->mounted ? "is mounted" : "is exported");
		return -1;
	}
	(void)fprintf(stderr, "warpstor: %s: --force: %s%s%s, %s, is taken as "
	    "%s's replica%s\n", r->src.ctx->cmdname, r->dst.host ?
	    r->dst.host : "", r->dst.host ? ":" : "", r->target, !replica ?
	    "not a replica" : r->mounted ? "mounted" : "exported", r->dsname,
	    r->exported ? ": its export is withdrawn" : "");
	return 0;
}

static int
rep_check_target(struct rep *r, struct wserr *e)
{
	char	*written = NULL;
	struct buf newer = { NULL, 0, 0 };
	size_t	 i, at = 0;
	int	 rc = -1, replica = 0;

	if (rep_target_state(r, &replica, e) == -1)
		return -1;
	for (i = 0; i < r->there.n; i++)
		if (r->from_guid != NULL && strcmp(r->there.v[i].guid,
		    r->from_guid) == 0)
			at = i + 1;
	for (i = at; r->from != NULL && i < r->there.n; i++) {
		if (newer.len > 0)
			buf_append(&newer, ", ", 2);
		buf_append(&newer, r->there.v[i].name,
		    strlen(r->there.v[i].name));
	}
	/* written: bytes changed since its newest snapshot, where zfs has it */
	if (r->from != NULL && newer.len == 0 && node_prop(&r->dst, r->target,
	    "written", &written, NULL, e) == -1)
		goto out;
	if (rep_live(r, replica, e) == -1)
		goto out;
	if (r->from == NULL && r->there.n == 0 && r->force) {
		(void)fprintf(stderr, "warpstor: %s: --force: %s, without "
		    "snapshots, is destroyed and sent again in full\n",
		    r->src.ctx->cmdname, r->target);
		r->destroy = 1;
	} else if (r->from == NULL && r->there.n == 0) {
		wserr_set(e, EX_CANTCREAT, "%s exists and has no snapshot of "
		    "%s's: not its replica", r->target, r->dsname);
		goto out;
	} else if (r->from == NULL && r->there.n > 0) {
		if (!r->force) {
			wserr_set(e, EX_NOPERM, "%s has no snapshot in common "
			    "with %s (replaced or rolled back?): --force sends "
			    "it in full over it, destroying %s's snapshots",
			    r->target, r->dsname, r->target);
			goto out;
		}
		(void)fprintf(stderr, "warpstor: %s: --force: no snapshot in "
		    "common: %s and its snapshots are destroyed and sent again "
		    "in full\n", r->src.ctx->cmdname, r->target);
		r->destroy = 1;
	} else if (newer.len > 0 || (written != NULL &&
	    strcmp(written, "0") != 0)) {
		if (!r->force) {
			if (newer.len > 0)
				wserr_set(e, EX_NOPERM, "%s has snapshots newer "
				    "than %s, the newest in common: %s; --force "
				    "discards them", r->target, r->from,
				    newer.data);
			else
				wserr_set(e, EX_NOPERM, "%s has data written "
				    "since %s, the newest in common (%s bytes); "
				    "--force discards it", r->target, r->from,
				    written);
			goto out;
		}
		(void)fprintf(stderr, "warpstor: %s: --force: discards what "
		    "%s has since %s%s%s\n", r->src.ctx->cmdname, r->target,
		    r->from, newer.len > 0 ? ": " : " (data written there)",
		    newer.len > 0 ? newer.data : "");
		r->rollback = 1;
	} else if (r->force && (!replica || r->mounted || r->exported))
		r->rollback = 1;
	rc = 0;
out:
	buf_free(&newer);
	free(written);
	return rc;
}

/*
 * A clone's first run: is its origin on TARGET's pool already (a
 * snapshot with the origin's guid, found by guid: zfs receive looks for
 * it so)?  Then the stream is -i from the origin, and the replica is a
 * clone there too, sharing its blocks; else a full send, said.
 */
static int
rep_origin(struct rep *r, struct wserr *e)
{
	char	*guid = NULL, *pool;
	int	 rc;

	if (r->origin == NULL)
		return 0;
	if (node_prop(&r->src, r->origin, "guid", &guid, NULL, e) == -1)
		return -1;
	if (guid == NULL)
		return 0;
	pool = xstrndup(r->target, strcspn(r->target, "/"));
	rc = node_guid_in_pool(&r->dst, pool, guid, &r->as_clone, e);
	free(pool);
	free(guid);
	if (rc == 0 && !r->as_clone)
		out_warn(r->src.ctx, "%s is a clone of %s, which was never "
		    "replicated to %s's pool: a full send (replicate the "
		    "origin first to keep it a clone there)", r->dsname,
		    r->origin, r->target);
	return rc;
}

/*
 * The bookmark replicate keeps on DATASET for a target: ws-rep- and a
 * hash of the target's hold tag (a bookmark name cannot hold the tag's
 * '/' and ':'), one a target.
 */
static char *
rep_bookmark_name(const struct rep *r)
{
	uint64_t	 h = 14695981039346656037ULL;	/* FNV-1a */
	const char	*p;

	for (p = r->tag; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	return xasprintf("%s#ws-rep-%016llx", r->dsname, (unsigned long long)h);
}

/*
 * TARGET's newest snapshot is not in common (none is, or an older one
 * only): is one newer than the common one still DATASET's as a bookmark
 * (its snapshot destroyed here since)?  Then from is that bookmark (zfs
 * send -i takes one).  Each line of zfs list is checked: a
 * bookmark of DATASET's, a guid of digits.  Where zfs has no bookmarks,
 * none.
 */
static int
rep_find_bookmark(struct rep *r, struct wserr *e)
{
	struct snaps	 bms;
	const struct snap *sp, *best = NULL;
	size_t		 i;

	if (r->from_guid != NULL)
		best = snap_by_guid(&r->there, r->from_guid);
	if (node_bookmarks(&r->src, r->dsname, &bms, e) == -1)
		return -1;
	for (i = 0; i < bms.n; i++)
		/* the one of the newest snapshot TARGET has */
		if ((sp = snap_by_guid(&r->there, bms.v[i].guid)) != NULL &&
		    (best == NULL || sp > best)) {
			best = sp;
			free(r->bookmark);
			free(r->from_guid);
			r->bookmark = xstrdup(bms.v[i].name);
			r->from_guid = xstrdup(bms.v[i].guid);
		}
	snaps_free(&bms);
	if (r->bookmark != NULL) {
		r->from = r->bookmark;
		out_warn(r->src.ctx, "%s: the newest snapshot in common with %s "
		    "is gone here; sending from its bookmark %s", r->dsname,
		    r->target, r->bookmark);
	}
	return 0;
}

/*
 * After a transfer: TO bookmarked on DATASET as this target's bookmark
 * (the old one destroyed), so that an incremental still works if someone
 * releases and destroys the snapshot.  Where zfs has no bookmarks
 * (zfs-fuse), nothing: the hold alone keeps the chain.
 */
static void
rep_keep_bookmark(struct rep *r)
{
	char	*bm = rep_bookmark_name(r);

	node_bookmark(&r->src, r->to, bm);
	free(bm);
}

/*
 * What to send: from the newest snapshot both sides have (by guid) to
 * DATASET's TO; where TARGET does not exist, every snapshot (the oldest
 * in full, then -I to TO).
 */
static int
rep_plan_read(struct rep *r, struct wserr *e)
{
	size_t	 i, k, to;

	if (node_snapshots(&r->dst, r->target, &r->there, e) == -1)
		return -1;
	/*
	 * On another node, what the checks read of TARGET comes in one call;
	 * its zfs resumes receives (-s) where it knows the token property.
	 */
	if (r->dst.host != NULL && r->there.exists) {
		if (node_prefetch(&r->dst, r->target, "warpstor:replica,mounted,"
		    "warpstor:fsid,written,receive_resume_token",
		    "warpstor:replica,mounted,warpstor:fsid", e) == -1)
			return -1;
		r->caps.resumable = node_knows(&r->dst, "receive_resume_token");
	}
	/*
	 * A receive cut off: resumed where its token is DATASET's, else
	 * aborted (which takes a first run's partial dataset away).
	 */
	if (r->there.exists && resume_token(r, e) == -1)
		return -1;
	if (r->there.exists && r->token == NULL && r->aborted) {
		node_forget(&r->dst);
		snaps_free(&r->there);
		if (node_snapshots(&r->dst, r->target, &r->there, e) == -1)
			return -1;
	}
	for (to = 0; to < r->have.n && strcmp(r->have.v[to].name, r->to) != 0;
	    to++)
		;
	for (i = to + 1; i-- > 0 && r->from == NULL && to < r->have.n;)
		for (k = 0; k < r->there.n; k++)
			if (strcmp(r->have.v[i].guid, r->there.v[k].guid) == 0) {
				r->from = r->have.v[i].name;
				r->from_guid = xstrdup(r->have.v[i].guid);
			}
	/* the newest common snapshot destroyed here: its bookmark, if kept */
	if (r->there.exists && r->there.n > 0 && (r->from_guid == NULL ||
	    strcmp(r->there.v[r->there.n - 1].guid, r->from_guid) != 0) &&
	    rep_find_bookmark(r, e) == -1)
		return -1;
	if (!r->there.exists) {
		r->first = r->have.n > 0 ? r->have.v[0].name : r->to;
		return rep_origin(r, e);
	}
	/* a partial receive of DATASET's own: no live data there */
	if (r->token != NULL)
		return 0;
	if (rep_check_target(r, e) == -1)
		return -1;
	if (r->destroy) {
		r->from = NULL;
		r->first = r->have.n > 0 ? r->have.v[0].name : r->to;
	}
	return 0;
}

/* rep_plan_read, its prefetched properties let go after. */
static int
rep_plan(struct rep *r, struct wserr *e)
{
	int	 rc = rep_plan_read(r, e);

	node_forget(&r->dst);
	return rc;
}

/*
 * After a receive: nothing of the stream picks a path or a share.  The
 * replica never mounts by itself (canmount=noauto, first, so that no
 * change below mounts it), takes its place from TARGET's parent here,
 * shares nothing, is read-only and marked warpstor:replica.  One
 * property a call: zfs-fuse sets no more.
 */
static int
rep_mark(struct rep *r, struct wserr *e)
{
	char	*mark = xasprintf("%s:%s", r->me, r->dsname);
	int	 rc;

	rc = node_mark_replica(&r->dst, r->target, mark, e);
	free(mark);
	return rc;
}

/*
 * zfs send ... | [ssh HOST] zfs receive ...: the two argvs.  full: 0 an
 * incremental (-I FROM), 1 in full, 2 a clone's first (-i its origin).
 */
static enum tool
rep_argvs(const struct rep *r, const char *from, const char *to, int full,
    struct strvec *send, struct strvec *recv)
{
	struct strvec	 w = STRVEC_INIT;

	zfs_send_argv(r->src.ctx, full ? NULL : r->token, from, full == 2, to,
	    send);
	if (r->dst.host == NULL)
		return node_recv_argv(&r->dst, &r->caps, r->rollback &&
		    from != NULL, r->target, recv);
	/* the other node's warpstor receives, under its own lock */
	strvec_pushl(&w, "warpstor", "-w", SV_END);
	strvec_pushf(&w, "%d", r->src.ctx->wait_secs);
	strvec_pushl(&w, "receive-replica", "--of", SV_END);
	strvec_pushf(&w, "%s:%s", r->me, r->dsname);
	if (r->force)
		strvec_push(&w, "--force");
	if (r->rollback && from != NULL)
		strvec_push(&w, "--rollback");
	/* it holds what it received and prunes its side itself */
	strvec_pushl(&w, "--tag", r->tag, "--keep", SV_END);
	strvec_pushf(&w, "%d", r->keep);
	strvec_pushl(&w, "--", r->target, SV_END);
	node_remote_argv(&r->dst, w.v, recv);
	strvec_clear(&w);
	return TOOL_SSH;
}

/*
 * What the other node's receive-replica pruned, one snapshot a line: each
 * one of TARGET's, else left out (said).
 */
static void
rcv_pruned(struct rep *r, char *out)
{
	struct wserr	 e;
	char		*line;
	size_t		 len = strlen(r->target);

	while (out != NULL && (line = strsep(&out, "\n")) != NULL) {
		if (*line == '\0')
			continue;
		if (strncmp(line, r->target, len) == 0 && line[len] == '@' &&
		    valid_snapshot(line, &e) == 0)
			strvec_push(&r->pruned, line);
		else
			(void)fprintf(stderr, "warpstor: %s: the other node's "
			    "receive-replica said '%.60s': not one of %s's "
			    "snapshots, left out\n", r->src.ctx->cmdname,
			    vis_str((char[VIS_BUFSZ]){ 0 }, VIS_BUFSZ, line),
			    r->target);
	}
}

/* One stream: send | receive, relayed and counted; then the marks. */
static int
rep_stream(struct rep *r, const char *from, const char *to, int full,
    struct wserr *e)
{
	struct strvec	 send = STRVEC_INIT, recv = STRVEC_INIT;
	struct node_xfer x;
	char		*what;
	enum tool	 t;
	int		 rc;

	t = rep_argvs(r, from, to, full, &send, &recv);
	what = xasprintf("send %s", to != NULL ? to : "(resumed)");
	memset(&x, 0, sizeof(x));
	x.what = what;
	x.limit = r->limit;
	x.remote = r->dst.host != NULL;
	rc = node_pipe(r->src.ctx, send.v, t, recv.v, &x, e);
	free(what);
	r->ms += x.ms;
	r->bytes += x.bytes;
	if (rc == -1 && x.modified) {
		char	 msg[sizeof(e->msg)];

		(void)strlcpy(msg, e->msg, sizeof(msg));
		wserr_set(e, EX_NOPERM, "%s was written since %s, the newest "
		    "in common: --force discards it (%s)", r->target,
		    from != NULL ? from : "its snapshot", msg);
	}
	if (rc == 0 && r->dst.host != NULL)
		rcv_pruned(r, x.said);
	free(x.said);
	strvec_clear(&send);
	strvec_clear(&recv);
	/* the other node's receive-replica marked it already */
	if (rc == 0 && r->dst.host == NULL)
		rc = rep_mark(r, e);
	return rc;
}

/*
 * What --force found in TARGET's way goes (its export went before, as a
 * step of its own): its mount, and with no snapshot in common, the
 * dataset itself.
 */
static int
rep_clear(struct rep *r, struct wserr *e)
{
	if (r->mounted && node_unmount(&r->dst, r->target, e) == -1)
		return -1;
	if (r->destroy)
		return node_destroy(&r->dst, r->target, 1, e);
	return 0;
}

/*
 * On one side (the snapshots s of n): the newest in common, keep, held
 * by this target's tag and recorded in warpstor:holds (zfs-fuse has no
 * zfs holds to ask); every other snapshot this tag holds released; then
 * the ws-rep-* snapshots beyond the newest r->keep destroyed, but keep,
 * those warpstor did not make (where it can tell: mine), and those held
 * by anyone.  What goes is added to r->pruned.  A failure here is said
 * and left: the data went across.
 */
static void
rep_side(struct rep *r, const struct node *n, const struct snaps *s,
    const char *keep, int mine)
{
	struct snapinfo	*info = xcalloc(s->n ? s->n : 1, sizeof(*info));
	struct strvec	 list = STRVEC_INIT;
	struct buf	 b = { NULL, 0, 0 };
	struct wserr	 e;
	size_t		 i, k, nrep = 0;
	int		 have, failed = 0;

	if (node_snap_info(n, s, info, &e) == -1) {
		(void)fprintf(stderr, "warpstor: %s: %s\n", n->ctx->cmdname,
		    e.msg);
		free(info);
		return;
	}
	for (i = 0; i < s->n; i++) {
		strvec_clear(&list);
		if (info[i].holds != NULL)
			strvec_split(&list, info[i].holds, ",", 0);
		for (k = 0, have = 0; k < list.n; k++)
			have |= strcmp(list.v[k], r->tag) == 0;
		if (strcmp(s->v[i].name, keep) == 0) {
			if (have)
				continue;
			if (node_hold(n, r->tag, keep, &e) == -1) {
				failed = 1;
				continue;
			}
			strvec_push(&list, r->tag);
		} else if (have) {
			if (node_release(n, r->tag, s->v[i].name, &e) ==
			    -1) {
				failed = 1;
				continue;
			}
			info[i].userrefs--;
			for (k = 0; k < list.n && strcmp(list.v[k], r->tag) != 0;
			    k++)
				;
			free(list.v[k]);
			list.v[k] = list.v[--list.n];
			list.v[list.n] = NULL;
		} else
			continue;
		buf_free(&b);
		for (k = 0; k < list.n; k++) {
			if (k > 0)
				buf_append(&b, ",", 1);
			buf_append(&b, list.v[k], strlen(list.v[k]));
		}
		if (node_holds_set(n, s->v[i].name, b.data, &e) == -1)
			failed = 1;
	}
	/* the newest ws-rep-* kept, counted from the newest back */
	for (i = s->n; i-- > 0;) {
		const char *at = strchr(s->v[i].name, '@');

		if (at == NULL || strncmp(at + 1, "ws-rep-", 7) != 0)
			continue;
		if (++nrep <= (size_t)r->keep || strcmp(s->v[i].name,
		    keep) == 0 || (mine && !info[i].ours) ||
		    info[i].userrefs > 0)
			continue;
		if (node_destroy(n, s->v[i].name, 0, &e) == -1)
			failed = 1;
		else
			strvec_push(&r->pruned, s->v[i].name);
	}
	if (failed)
		(void)fprintf(stderr, "warpstor: %s: holds or pruning of %s "
		    "left undone: %s\n", n->ctx->cmdname, s->n > 0 ?
		    s->v[0].name : "", e.msg);
	buf_free(&b);
	strvec_clear(&list);
	snap_info_free(info, s->n);
}

/*
 * After the transfer: what the chain needs is kept (the newest common
 * snapshot held on both sides by this target's tag, the tag's older
 * holds released), and the older ws-rep-* pruned on both sides.
 */
static void
rep_keep(struct rep *r)
{
	struct wserr	 e;
	char		*there;

	/* from and first point into the lists read again here */
	r->from_copy = r->from != NULL ? xstrdup(r->from) : NULL;
	r->from = r->from_copy;
	r->first = NULL;
	snaps_free(&r->have);
	snaps_free(&r->there);
	if (node_snapshots(&r->src, r->dsname, &r->have, &e) == -1 ||
	    (r->dst.host == NULL && node_snapshots(&r->dst, r->target, &r->there,
	    &e) == -1)) {
		(void)fprintf(stderr, "warpstor: %s: %s\n",
		    r->src.ctx->cmdname, e.msg);
		return;
	}
	rep_side(r, &r->src, &r->have, r->to, 1);
	rep_keep_bookmark(r);
	/* the other node's receive-replica held and pruned its side */
	if (r->dst.host != NULL)
		return;
	there = xasprintf("%s%s", r->target, strchr(r->to, '@'));
	rep_side(r, &r->dst, &r->there, there, 0);
	free(there);
}

/* TARGET back to its snapshot of TO (-r: what came after goes), marked. */
static int
rep_rollback(struct rep *r, struct wserr *e)
{
	char	*snap = xasprintf("%s%s", r->target, strchr(r->to, '@'));
	int	 rc;

	rc = node_rollback(&r->dst, snap, e);
	free(snap);
	return rc == -1 ? -1 : rep_mark(r, e);
}

/*
 * The transfer: what --force clears first, then the first run's full
 * stream of the oldest snapshot and -I up to TO, or -I from the newest
 * in common (or the resume of a cut-off one).
 */
static int
rep_transfer(struct rep *r, struct wserr *e)
{
	size_t	 i;

	if (rep_clear(r, e) == -1)
		return -1;
	if (r->token != NULL) {
		if (rep_stream(r, NULL, NULL, 0, e) == -1)
			return -1;
		free(r->token);
		r->token = NULL;
		/* what the resumed one brought, and then on to TO */
		snaps_free(&r->there);
		if (node_snapshots(&r->dst, r->target, &r->there, e) == -1)
			return -1;
		r->from = NULL;
		for (i = r->have.n; i-- > 0 && r->from == NULL;)
			if (snap_by_guid(&r->there, r->have.v[i].guid) != NULL)
				r->from = r->have.v[i].name;
		if (r->from == NULL || strcmp(r->from, r->to) == 0)
			return 0;
		return rep_stream(r, r->from, r->to, 0, e);
	}
	if (r->first != NULL) {
		/* a clone's first: from its origin, which TARGET's pool has */
		if (rep_stream(r, r->as_clone ? r->origin : NULL, r->first,
		    r->as_clone ? 2 : 1, e) == -1)
			return -1;
		if (strcmp(r->first, r->to) == 0)
			return 0;
		r->from = r->first;
	}
	/*
	 * --force over a replica already at TO (written to, or ahead, over
	 * there): nothing to send; it is rolled back to TO and marked.
	 */
	if (r->rollback && r->from != NULL && strcmp(r->from, r->to) == 0)
		return rep_rollback(r, e);
	return rep_stream(r, r->from, r->to, 0, e);
}

/* -n: a stream's commands as they would run, ssh and all. */
static void
rep_plan_stream(struct txn *t, const struct rep *r, const char *from,
    const char *to, int full)
{
	struct strvec	 send = STRVEC_INIT, recv = STRVEC_INIT;
	struct buf	 a = { NULL, 0, 0 }, b = { NULL, 0, 0 };

	(void)rep_argvs(r, from, to, full, &send, &recv);
	argv_join(&a, send.v);
	argv_join(&b, recv.v);
	(void)txn_step(t, "%s | %s", a.data, b.data);
	buf_free(&a);
	buf_free(&b);
	strvec_clear(&send);
	strvec_clear(&recv);
}

/* The transfer, then what the chain needs: a journaled step (this node). */
static int
rep_call(void *arg, struct wserr *e)
{
	struct rep	*r = arg;

	if (rep_transfer(r, e) == -1)
		return -1;
	rep_keep(r);
	return 0;
}

/*
 * To another node: the transfer with the lock let go while the stream
 * flows, taken again for the holds and the pruning here, so that a long
 * send keeps no other command (the OCF agent's stop) waiting.  Not a
 * journaled step: a transfer cut off leaves nothing of itself, or a
 * resume state the next run resumes from; there is nothing to undo.  (To
 * this node the lock stays: it is the receiving side's too, so takeover
 * cannot race the receive.)
 */
static int
rep_unlocked(struct ctx *ctx, struct rep *r, struct wserr *e)
{
	struct wserr	 le;
	int		 rc;

	if (ctx->lockfd != -1) {
		(void)close(ctx->lockfd);
		ctx->lockfd = -1;
	}
	rc = rep_transfer(r, e);
	/* its own error: the transfer's, in e, is what the run ends with */
	if (ctx->lockfd == -1 && !ctx->dry_run &&
	    (ctx->lockfd = lock_acquire(ctx->cfg.lock_file, ctx->wait_secs,
	    &le)) == -1) {
		if (rc == 0)
			(void)fprintf(stderr, "warpstor: %s: %s is sent; its "
			    "holds and pruning wait for the next run: %s\n",
			    ctx->cmdname, r->to, le.msg);
		return rc;
	}
	if (rc == 0)
		rep_keep(r);
	return rc;
}

/* The transfer as a journaled step of t (its undo: transfer_undo). */
static int
rep_step(struct txn *t, struct rep *r, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT, undo = STRVEC_INIT;
	int		 rc;

	if (t->ctx->dry_run) {
		if (r->mounted)
			(void)txn_step(t, "zfs umount %s", r->target);
		if (r->destroy)
			(void)txn_step(t, "zfs destroy -r %s", r->target);
		if (r->token != NULL)
			rep_plan_stream(t, r, NULL, NULL, 0);
		else if (r->first != NULL) {
			rep_plan_stream(t, r, r->as_clone ? r->origin : NULL,
			    r->first, r->as_clone ? 2 : 1);
			if (strcmp(r->first, r->to) != 0)
				rep_plan_stream(t, r, r->first, r->to, 0);
		} else
			rep_plan_stream(t, r, r->from, r->to, 0);
		(void)txn_step(t, "mark %s: canmount=noauto, mountpoint and "
		    "shares inherited, readonly=on, %s=%s:%s", r->target,
		    zfs_prop_name(ZP_REPLICA), r->me, r->dsname);
		return 0;
	}
	strvec_pushl(&argv, "replicate", r->to, SV_END);
	strvec_pushl(&undo, "replicate", r->target, SV_END);
	rc = txn_do(t, &(struct step){ TOOL_ZFS, &argv, NULL,
	    &zfs_undo_transfer, &undo, rep_call, r }, e);
	strvec_clear(&argv);
	return rc;
}

/*
 * A name for the snapshot replicate makes: @ws-rep-UTC, with -N after it
 * where one of that second is there already.
 */
static char *
rep_snapname(const struct snaps *have, const char *ds)
{
	char		 when[32], *name;
	time_t		 now = time(NULL);
	struct tm	 tm;
	size_t		 i;
	int		 n = 0, taken;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm) == 0)
		(void)snprintf(when, sizeof(when), "%lld", (long long)now);
	for (;;) {
		name = n == 0 ? xasprintf("%s@ws-rep-%s", ds, when) :
		    xasprintf("%s@ws-rep-%s-%d", ds, when, n);
		for (i = 0, taken = 0; i < have->n && !taken; i++)
			taken = strcmp(have->v[i].name, name) == 0;
		if (!taken)
			return name;
		free(name);
		n++;
	}
}

/*
 * Whether DATASET changed since its newest snapshot: zfs's written (0:
 * no), where zfs has it; where it has not (zfs-fuse), it may have.
 */
static int
rep_written(struct rep *r, int *changed, struct wserr *e)
{
	char	*w, *mp;
	int	 fd;

	*changed = 1;
	if (r->have.n == 0)
		return 0;
	/* what was just written counts once its transaction group is out */
	if ((mp = fs_mount_of(r->dsname)) != NULL) {
		if ((fd = open(mp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
			(void)syncfs(fd);
			(void)close(fd);
		}
		free(mp);
	}
	if (node_prop(&r->src, r->dsname, "written", &w, NULL, e) == -1)
		return -1;
	/*
	 * 0 may be a transaction group behind (syncfs commits the intent
	 * log, not the group): where zpool sync pushes it out, ask again.
	 */
	if (w != NULL && strcmp(w, "0") == 0 && node_pool_sync(r->src.ctx,
	    r->dsname) == 0) {
		free(w);
		if (node_prop(&r->src, r->dsname, "written", &w, NULL,
		    e) == -1)
			return -1;
	}
	*changed = w == NULL || strcmp(w, "0") != 0;
	free(w);
	return 0;
}

/*
 * DATASET a filesystem here, and what to send: @SNAP when given, else
 * DATASET as it is now, its newest snapshot where nothing was written
 * since, or one made now (kept whatever becomes of the transfer: the
 * next run sends it).
 */
static int
rep_source(struct rep *r, struct wserr *e)
{
	struct zfs_dslist l;
	size_t		 i;
	int		 rc, changed;

	if (zfs_get_one(r->src.ctx, r->dsname, ZPM(ZP_TYPE) | ZPM(ZP_REPLICA) |
	    ZPM(ZP_ORIGIN) | ZPM(ZP_REPLICATED), &l, e) == -1)
		return -1;
	free(r->replicated);
	r->replicated = (l.v[0].local & ZPM(ZP_REPLICATED)) &&
	    l.v[0].val[ZP_REPLICATED] != NULL ?
	    xstrdup(l.v[0].val[ZP_REPLICATED]) : NULL;
	rc = !state_is_type(&l.v[0], "filesystem") ? -1 :
	    state_is_replica(&l.v[0]) ? -2 : 0;
	if (l.v[0].val[ZP_ORIGIN] != NULL && ds_is_snapshot(l.v[0].val[ZP_ORIGIN]))
		r->origin = xstrdup(l.v[0].val[ZP_ORIGIN]);
	zfs_dslist_free(&l);
	if (rc != 0) {
		wserr_set(e, EX_DATAERR, rc == -1 ? "%s is not a filesystem" :
		    "%s is a replica: replicate from where it is live",
		    r->dsname);
		return -1;
	}
	if (node_snapshots(&r->src, r->dsname, &r->have, e) == -1)
		return -1;
	if (r->at != NULL) {
		for (i = 0; i < r->have.n && strcmp(r->have.v[i].name, r->ds) != 0;
		    i++)
			;
		if (i == r->have.n) {
			wserr_set(e, EX_NOINPUT, "%s: does not exist", r->ds);
			return -1;
		}
		r->to = xstrdup(r->ds);
		return 0;
	}
	if (rep_written(r, &changed, e) == -1)
		return -1;
	if (!changed) {
		r->to = xstrdup(r->have.v[r->have.n - 1].name);
		return 0;
	}
	/* made once the checks passed (rep_snapshot); no guid till then */
	r->to = rep_snapname(&r->have, r->dsname);
	r->make = 1;
	r->have.v = xreallocarray(r->have.v, r->have.n + 1,
	    sizeof(*r->have.v));
	r->have.v[r->have.n].name = xstrdup(r->to);
	r->have.v[r->have.n++].guid = xstrdup("-");
	return 0;
}

/*
 * The snapshot TO, where it is to be made: made now, after every check,
 * and kept whatever becomes of the transfer (the next run sends it).
 */
static int
rep_snapshot(struct rep *r, struct wserr *e)
{
	struct txn	 t;
	char		*from, *first;
	size_t		 i;
	int		 rc;

	if (!r->make)
		return 0;
	txn_init(&t, r->src.ctx);
	if (zfs_snapshot(&t, r->to, 0, e) == -1) {
		(void)txn_rollback(&t, &(struct txn_outcome){ 0 });
		return -1;
	}
	txn_commit(&t);
	if (r->src.ctx->dry_run)
		return 0;
	/* read again, for its guid: from and first point into the list */
	from = r->from != NULL ? xstrdup(r->from) : NULL;
	first = r->first != NULL ? xstrdup(r->first) : NULL;
	snaps_free(&r->have);
	rc = node_snapshots(&r->src, r->dsname, &r->have, e);
	r->from = r->first = NULL;
	for (i = 0; rc == 0 && i < r->have.n; i++) {
		if (from != NULL && strcmp(r->have.v[i].name, from) == 0)
			r->from = r->have.v[i].name;
		if (first != NULL && strcmp(r->have.v[i].name, first) == 0)
			r->first = r->have.v[i].name;
	}
	if (from != NULL && r->bookmark != NULL &&
	    strcmp(from, r->bookmark) == 0)
		r->from = r->bookmark;
	free(from);
	free(first);
	return rc;
}

static struct json_object *
rep_json(const struct rep *r)
{
	struct json_object *o = json_object_new_object(), *a;
	size_t		 i;

	json_object_object_add(o, "name", json_object_new_string(r->target));
	json_object_object_add(o, "snapshot", json_object_new_string(r->to));
	json_object_object_add(o, "from", out_jstr(r->from));
	json_object_object_add(o, "host", out_jstr(r->dst.host));
	json_object_object_add(o, "bytes", json_object_new_int64(
	    (int64_t)r->bytes));
	json_object_object_add(o, "ms", json_object_new_int64(r->ms));
	a = json_object_new_array();
	for (i = 0; i < r->pruned.n; i++)
		json_object_array_add(a, json_object_new_string(r->pruned.v[i]));
	json_object_object_add(o, "pruned", a);
	return o;
}

static int
rep_option(struct ctx *ctx, int ch, const char *val, void *arg)
{
	struct rep	*r = arg;

	const char	*errstr;
	struct wserr	 e;

	if (ch == 'F')
		r->force = 1;
	else if (ch == 'r')
		r->tree = 1;
	else if (ch == 'L') {
		if (parse_rate(val, &r->limit) == -1) {
			wserr_set(&e, EX_DATAERR, "--limit %s: bytes a second, "
			    "with K, M or G", val);
			return cmd_fail(ctx, &e);
		}
	} else {
		r->keep = (int)strtonum(val, 1, 100000, &errstr);
		if (errstr != NULL) {
			wserr_set(&e, EX_DATAERR, "--keep %s: a number from 1 "
			    "to 100000", val);
			return cmd_fail(ctx, &e);
		}
	}
	return CMD_GO_ON;
}

/* The operands: DATASET[@SNAP] and [HOST:]TARGET; the node's names. */
static int
rep_args(struct ctx *ctx, int argc, char **argv, struct rep *r,
    struct wserr *e)
{
	int	 rc;

	if ((rc = cmd_parse(ctx, argc, argv, rep_option, r, 2, 2)) !=
	    CMD_GO_ON)
		return rc;
	r->ds = argv[optind];
	r->at = strchr(r->ds, '@');
	if ((r->at != NULL ? valid_snapshot(r->ds, e) :
	    valid_dataset(r->ds, e)) == -1 ||
	    rep_target(r, argv[optind + 1], e) == -1)
		return cmd_fail(ctx, e);
	r->dsname = ds_fs(r->ds);
	if (r->keep == 0)
		r->keep = ctx->cfg.replicate_keep;
	if (r->limit == 0)
		r->limit = ctx->cfg.replicate_limit;
	r->tag = xasprintf(WS_PREFIX "%s:%s", r->dst.host != NULL ?
	    r->dst.host : "", r->target);
	if (gethostname(r->me, sizeof(r->me)) == -1 || r->me[0] == '\0')
		(void)strlcpy(r->me, "localhost", sizeof(r->me));
	r->me[sizeof(r->me) - 1] = '\0';
	/* one ssh connection a run: its socket in the lock's private folder */
	if (r->dst.host != NULL) {
		char	*dir = xstrndup(ctx->cfg.lock_file,
		    (size_t)(strrchr(ctx->cfg.lock_file, '/') -
		    ctx->cfg.lock_file));

		r->dst.ctlpath = xasprintf("%s/ssh-%%C", dir);
		free(dir);
	}
	return CMD_GO_ON;
}

/*
 * --force over a TARGET exported on this node: its export withdrawn
 * first, as a step of t (the other node's warpstor withdraws its own).
 */
static int
rep_withdraw(struct txn *t, struct rep *r, struct wserr *e)
{
	struct strvec	 argv = STRVEC_INIT;
	struct zfs_dslist l;
	struct nfs_export ex;
	char		*name, *mp;
	int		 rc, nex = 0;

	if (r->dst.host != NULL) {
		if (!r->exported || txn_step(t, "ssh %s warpstor unexport -- %s",
		    r->dst.host, r->target))
			return 0;
		strvec_pushl(&argv, "warpstor", "unexport", "--", r->target,
		    SV_END);
		rc = node_remote_run(&r->dst, argv.v, e);
		strvec_clear(&argv);
		return rc;
	}
	/*
	 * Here: withdrawn and unmounted as destroy takes a dataset down (an
	 * NFS server that served it may hold it: its mount is detached),
	 * each a step undone if the transfer fails.
	 */
	if ((!r->exported && !r->mounted) || zfs_get_one(t->ctx, r->target,
	    STATE_PROPS, &l, e) == -1)
		return !r->exported && !r->mounted ? 0 : -1;
	memset(&ex, 0, sizeof(ex));
	if (state_withdrawable(&l.v[0])) {
		state_export(&l.v[0], NULL, &ex);
		nex = 1;
	}
	name = l.v[0].name;
	mp = l.v[0].val[ZP_MOUNTPOINT];
	rc = state_take_down(t, &ex, (size_t)nex, &name, &mp,
	    state_mounted(&l.v[0]) ? 1 : 0, 0, e);
	r->mounted = 0;		/* down: rep_clear has no more to do */
	if (nex)
		nfs_export_free(&ex);
	zfs_dslist_free(&l);
	return rc;
}

static void
rep_free(struct rep *r)
{
	node_close(&r->dst);
	snaps_free(&r->have);
	snaps_free(&r->there);
	free(r->to);
	free(r->token);
	free(r->dsname);
	free(r->own_ds);
	free(r->own_target);
	free(r->replicated);
	free(r->tag);
	free(r->from_copy);
	free(r->from_guid);
	free(r->bookmark);
	free(r->origin);
	strvec_clear(&r->pruned);
}

/*
 * The run succeeded: DATASET's warpstor:replicated says so for this
 * target (when, and the bytes sent), for status and metrics.  A failure
 * to record it is said and left: the data went across.
 */
static void
rep_record(struct rep *r)
{
	struct wserr	 e;
	char		 t[512], *v;

	(void)snprintf(t, sizeof(t), "%s%s%s", r->dst.host != NULL ?
	    r->dst.host : "", r->dst.host != NULL ? ":" : "", r->target);
	v = state_replicated_with(r->replicated, t, (long long)time(NULL),
	    r->bytes);
	if (zfs_set_now(r->src.ctx, r->dsname, ZP_REPLICATED, v, &e) == -1)
		out_warn(r->src.ctx, "%s: its last replication left "
		    "unrecorded: %s", r->dsname, e.msg);
	free(v);
}

/*
 * One dataset: DATASET as it is now reaches TARGET.  On success its
 * line is printed (TARGET, or "up to date"), or with -j its object is
 * left in *jo for the caller to print.
 */
static int
rep_one(struct ctx *ctx, struct rep *r, struct json_object **jo)
{
	struct txn	 t;
	struct wserr	 e;

	*jo = NULL;
	if (rep_source(r, &e) == -1)
		return cmd_fail(ctx, &e);
	/* the other node's receive-replica asks its own zfs */
	if (!r->flags_known && r->dst.host == NULL)
		node_recv_caps(&r->dst, &r->caps);
	if (rep_plan(r, &e) == -1 || rep_snapshot(r, &e) == -1)
		return cmd_fail(ctx, &e);
	if (r->from != NULL && strcmp(r->from, r->to) == 0 &&
	    r->token == NULL && !r->rollback) {
		if (!ctx->dry_run)
			rep_record(r);
		if (ctx->json)
			*jo = rep_json(r);
		else if (!ctx->dry_run)
			(void)printf("%s: up to date (%s)\n", r->target, r->to);
		return 0;
	}
	txn_init(&t, ctx);
	if (rep_withdraw(&t, r, &e) == -1 || ((r->dst.host == NULL ||
	    ctx->dry_run) && rep_step(&t, r, &e) == -1))
		return cmd_rollback(&t, &e);
	txn_commit(&t);
	if (r->dst.host != NULL && !ctx->dry_run &&
	    rep_unlocked(ctx, r, &e) == -1)
		return cmd_fail(ctx, &e);
	if (ctx->dry_run)
		return 0;
	cmd_audit(ctx, r->target, NULL);
	rep_record(r);
	if (ctx->json)
		*jo = rep_json(r);
	else
		(void)puts(r->target);
	return 0;
}

/* m: r's run for NAME, DATASET or one below it (TARGET and the same below). */
static void
rep_member(struct rep *m, const struct rep *r, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->src = r->src;
	m->dst = r->dst;		/* r's master, closed by r */
	m->force = r->force;
	m->keep = r->keep;
	m->limit = r->limit;
	m->caps = r->caps;
	m->flags_known = r->flags_known;
	(void)memcpy(m->me, r->me, sizeof(m->me));
	m->own_ds = r->at != NULL ? xasprintf("%s%s", name, r->at) :
	    xstrdup(name);
	m->ds = m->own_ds;
	m->at = strchr(m->ds, '@');
	m->dsname = xstrdup(name);
	m->own_target = xasprintf("%s%s", r->target, name + strlen(r->dsname));
	m->target = m->own_target;
	m->tag = xasprintf(WS_PREFIX "%s:%s", r->dst.host != NULL ?
	    r->dst.host : "", m->target);
}

/*
 * -r: DATASET's filesystems (replicas here left out: they are some other
 * node's) in the order they can be received: a parent before its
 * children, an origin's dataset before its clones.  Their names go to
 * names, and beside each, in origins, the dataset its origin is a
 * snapshot of ("" for none).
 */
static int
rep_tree(struct ctx *ctx, const char *ds, struct strvec *names,
    struct strvec *origins, struct wserr *e)
{
	struct zfs_dslist l;
	unsigned char	*state;		/* 0 to send, 1 sent, 2 never */
	char		**od;
	size_t		 i, j, left = 0;
	int		 moved;

	if (zfs_get_datasets(ctx, ZPM(ZP_TYPE) | ZPM(ZP_ORIGIN) |
	    ZPM(ZP_REPLICA), ds, ZFS_RECURSE, &l, e) == -1)
		return -1;
	state = xcalloc(l.n + 1, 1);
	od = xcalloc(l.n + 1, sizeof(*od));
	for (i = 0; i < l.n; i++) {
		const char *o = l.v[i].val[ZP_ORIGIN];

		od[i] = o != NULL && ds_is_snapshot(o) ? ds_fs(o) : xstrdup("");
		if (!state_is_type(&l.v[i], "filesystem"))
			state[i] = 2;
		else if (state_is_replica(&l.v[i])) {
			(void)fprintf(stderr, "warpstor: replicate: %s is a "
			    "replica, left out\n", l.v[i].name);
			state[i] = 2;
		} else
			left++;
	}
	while (left > 0) {
		moved = 0;
		for (i = 0; i < l.n; i++) {
			if (state[i] != 0)
				continue;
			/* its origin's dataset and its parent, if sent, first */
			for (j = 0; j < l.n; j++)
				if (state[j] == 0 && j != i &&
				    (strcmp(l.v[j].name, od[i]) == 0 ||
				    ds_in_tree(l.v[i].name, l.v[j].name)))
					break;
			if (j < l.n)
				continue;
			strvec_push(names, l.v[i].name);
			strvec_push(origins, od[i]);
			state[i] = 1;
			left--;
			moved = 1;
		}
		if (!moved)
			break;
	}
	for (i = 0; i < l.n; i++)
		free(od[i]);
	free(od);
	free(state);
	zfs_dslist_free(&l);
	if (left > 0) {
		/* zfs makes no such tree; a forged origin might */
		wserr_set(e, EX_DATAERR, "%s: no order of its clones and their "
		    "origins can be received", ds);
		return -1;
	}
	return 0;
}

/*
 * replicate [-r] DATASET[@SNAP] [HOST:]TARGET [--force]
 * Bring TARGET on HOST (none: this node) up to DATASET as it is now: a
 * snapshot made (@ws-rep-UTC) unless @SNAP is given or nothing was
 * written since its newest; the first run sends the oldest snapshot in
 * full and then every later one (-I), later runs from the newest
 * snapshot both have (by guid), properties included, so that
 * warpstor:fsid travels.  Never onto live data: a TARGET that is not
 * DATASET's replica, or is mounted or exported, is 73; one with
 * snapshots or data newer than the common one is 77; --force takes it
 * (the failback), withdrawing its export and saying what it discards.
 * Nothing of the stream picks a path: received -u (and -x where zfs has
 * it), then canmount=noauto, mountpoint and shares inherited,
 * readonly=on, warpstor:replica=THISNODE:DATASET.  A resume token is
 * used only when its snapshot is DATASET's, else aborted.  Every ssh
 * call of a run goes over one connection (a control master).  -r: each
 * filesystem below DATASET too, to the same place below TARGET, origins
 * before their clones; one that fails fails itself and what depends on
 * it (its children, its clones), and the run goes on with the rest.
 * Prints TARGET (each one's, with -r; -j: an object, or with -r an
 * array).
 */
int
cmd_replicate(struct ctx *ctx, int argc, char **argv)
{
	struct rep	 r, m;
	struct strvec	 names = STRVEC_INIT, origins = STRVEC_INIT;
	struct strvec	 failed = STRVEC_INIT;
	struct json_object *jo = NULL, *arr = NULL;
	struct wserr	 e;
	size_t		 i, j;
	int		 rc, one;

	memset(&r, 0, sizeof(r));
	r.src.ctx = r.dst.ctx = ctx;
	if ((rc = rep_args(ctx, argc, argv, &r, &e)) != CMD_GO_ON)
		goto out;
	if (!r.tree) {
		if ((rc = rep_one(ctx, &r, &jo)) == 0 && jo != NULL)
			out_json(jo);
		goto out;
	}
	if (rep_tree(ctx, r.dsname, &names, &origins, &e) == -1) {
		rc = cmd_fail(ctx, &e);
		goto out;
	}
	if (r.dst.host == NULL)
		node_recv_caps(&r.dst, &r.caps);
	r.flags_known = 1;
	rc = 0;
	arr = json_object_new_array();
	for (i = 0; i < names.n; i++) {
		/* below or a clone of one that failed: not tried */
		for (j = 0; j < failed.n; j++)
			if (ds_in_tree(names.v[i], failed.v[j]) ||
			    strcmp(origins.v[i], failed.v[j]) == 0)
				break;
		if (j < failed.n) {
			(void)fprintf(stderr, "warpstor: replicate: %s: left "
			    "out, as %s failed\n", names.v[i], failed.v[j]);
			strvec_push(&failed, names.v[i]);
			continue;
		}
		rep_member(&m, &r, names.v[i]);
		one = valid_dataset(m.target, &e) == -1 ? cmd_fail(ctx, &e) :
		    rep_one(ctx, &m, &jo);
		m.dst.ctlpath = NULL;	/* r's, closed by r */
		rep_free(&m);
		if (one != 0) {
			strvec_push(&failed, names.v[i]);
			if (rc == 0)
				rc = one;
		} else if (jo != NULL)
			json_object_array_add(arr, jo);
	}
	if (ctx->json && !(ctx->dry_run && json_object_array_length(arr) == 0)) {
		out_json(arr);
		arr = NULL;
	}
out:
	if (arr != NULL)
		json_object_put(arr);
	strvec_clear(&names);
	strvec_clear(&origins);
	strvec_clear(&failed);
	rep_free(&r);
	return rc;
}

/* What receive-replica was asked. */
struct rcv {
	const char	*of;		/* --of NODE:DATASET */
	const char	*tag;		/* --tag: hold what came by it */
	int		 keep;		/* --keep: ws-rep-* kept */
	int		 force;		/* the sender took TARGET (--force) */
	int		 rollback;	/* receive -F */
};

static int
rcv_option(struct ctx *ctx, int ch, const char *val, void *arg)
{
	struct rcv	*k = arg;

	const char	*errstr;
	struct wserr	 e;

	if (ch == 'F')
		k->force = 1;
	else if (ch == 'R')
		k->rollback = 1;
	else if (ch == 'T') {
		if (!prop_is_ours(val) || strlen(val) >= 256 ||
		    has_control_bytes(val)) {
			wserr_set(&e, EX_USAGE, "--tag %s: a hold tag "
			    "warpstor:HOST:TARGET", vis_str((char[VIS_BUFSZ]){ 0 },
			    VIS_BUFSZ, val));
			return cmd_fail(ctx, &e);
		}
		k->tag = val;
	} else if (ch == 'K') {
		k->keep = (int)strtonum(val, 1, 100000, &errstr);
		if (errstr != NULL) {
			wserr_set(&e, EX_USAGE, "--keep %s: a number from 1 "
			    "to 100000", val);
			return cmd_fail(ctx, &e);
		}
	} else
		k->of = val;
	return CMD_GO_ON;
}

/*
 * Under this node's lock: TARGET, where it exists, is still NODE:DATASET's
 * replica and not live (the sender's checks were made before the stream,
 * and a takeover here may have come since): not mounted, and unless the
 * sender took it with --force, marked so and not exported.  73 else.
 */
static int
rcv_check(struct ctx *ctx, struct rep *r, const struct rcv *k,
    struct wserr *e)
{
	int	 exists, replica = 0, rc;

	if (zfs_exists(ctx, r->target, &exists, e) == -1)
		return -1;
	if (!exists)
		return 0;
	/* replicate's own reading of a target, in one zfs get here too */
	rc = node_prefetch(&r->dst, r->target, "warpstor:replica,mounted,"
	    "warpstor:fsid", "warpstor:replica,mounted,warpstor:fsid", e) == -1 ||
	    rep_target_state(r, &replica, e) == -1 ? -1 : 0;
	node_forget(&r->dst);
	if (rc == -1)
		return -1;
	if (r->mounted || (!k->force && (!replica || r->exported))) {
		wserr_set(e, EX_CANTCREAT, "%s %s: a replica is never received "
		    "onto live data", r->target, r->mounted ? "is mounted" :
		    !replica ? "is not a replica of that DATASET" :
		    "is exported");
		return -1;
	}
	return 0;
}

/*
 * receive-replica --of NODE:DATASET [--force] [--rollback] TARGET
 * replicate's receiving side on another node, run there over ssh with
 * the stream on stdin: under this node's lock, so that takeover cannot
 * race it, TARGET is checked again (rcv_check), received -u (-s and -x
 * where zfs has them, -F with --rollback), and marked a replica of
 * NODE:DATASET as replicate marks one here.  Prints nothing.
 */
int
cmd_receive_replica(struct ctx *ctx, int argc, char **argv)
{
	struct rcv	 k = { NULL, NULL, 0, 0, 0 };
	struct rep	 r;
	struct wserr	 e;
	const char	*colon;
	size_t		 i;
	int		 rc;

	if ((rc = cmd_parse(ctx, argc, argv, rcv_option, &k, 1, 1)) !=
	    CMD_GO_ON)
		return rc;
	memset(&r, 0, sizeof(r));
	r.src.ctx = r.dst.ctx = ctx;
	r.target = argv[optind];
	if (valid_dataset(r.target, &e) == -1)
		return cmd_fail(ctx, &e);
	if (k.of == NULL || (colon = strchr(k.of, ':')) == NULL ||
	    colon == k.of || (size_t)(colon - k.of) >= sizeof(r.me) ||
	    has_control_bytes(k.of) || valid_dataset(colon + 1, &e) == -1) {
		wserr_set(&e, EX_USAGE, "--of NODE:DATASET, the replica's "
		    "source, is required");
		return cmd_fail(ctx, &e);
	}
	(void)memcpy(r.me, k.of, (size_t)(colon - k.of));
	r.dsname = xstrdup(colon + 1);
	if (rcv_check(ctx, &r, &k, &e) == -1) {
		rc = cmd_fail(ctx, &e);
		goto out;
	}
	node_recv_caps(&r.dst, &r.caps);
	if (zfs_receive_stdin(ctx, &r.caps, k.rollback, r.target, &e) == -1 ||
	    rep_mark(&r, &e) == -1) {
		rc = cmd_fail(ctx, &e);
		goto out;
	}
	/*
	 * With --tag: what it received (its newest snapshot now) held by the
	 * tag, the tag's older holds released, ws-rep-* beyond --keep pruned
	 * (printed, for the sender's -j); as replicate does on its own node.
	 */
	if (k.tag != NULL) {
		r.tag = (char *)k.tag;
		r.keep = k.keep > 0 ? k.keep : ctx->cfg.replicate_keep;
		if (node_snapshots(&r.dst, r.target, &r.there, &e) == -1)
			(void)fprintf(stderr, "warpstor: %s: %s\n",
			    ctx->cmdname, e.msg);
		else if (r.there.n > 0)
			rep_side(&r, &r.dst, &r.there,
			    r.there.v[r.there.n - 1].name, 0);
		for (i = 0; i < r.pruned.n; i++)
			(void)puts(r.pruned.v[i]);
		r.tag = NULL;
	}
	cmd_audit(ctx, r.target, NULL);
	rc = 0;
out:
	strvec_clear(&r.pruned);
	snaps_free(&r.there);
	free(r.dsname);
	return rc;
}

/* What takeover was asked. */
struct tko {
	const char	*name;
	const char	*clients;	/* --clients: replace the received */
	const char	*options;	/* --export-options: likewise */
	const char	*mountpoint;	/* -o mountpoint=PATH */
};

static int
tko_option(struct ctx *ctx, int ch, const char *val, void *arg)
{
	struct tko	*k = arg;
	struct wserr	 e;

	if (ch == 'C')
		k->clients = val;
	else if (ch == 'E')
		k->options = val;
	else {
		if (strncmp(val, "mountpoint=/", 12) != 0 ||
		    valid_propassign(val, &e) == -1) {
			wserr_set(&e, EX_DATAERR, "-o %s: takeover takes "
			    "-o mountpoint=PATH (an absolute path) alone", val);
			return cmd_fail(ctx, &e);
		}
		k->mountpoint = val + 11;
	}
	return CMD_GO_ON;
}

/*
 * Received policy that gives more than this node's own config would:
 * the client * (unless export_clients has it) and the options that open
 * a share up (unless export_options has them).  1 with e naming it.
 */
static int
opens_up(const char *options, const char *cfg_o, struct wserr *e)
{
	static const char *const open_up[] = { "no_root_squash", "insecure",
	    "insecure_locks", "no_auth_nlm", "no_all_squash" };
	size_t		 i;

	for (i = 0; i < sizeof(open_up) / sizeof(open_up[0]); i++)
		if (list_has(options, open_up[i]) && (cfg_o == NULL ||
		    !list_has(cfg_o, open_up[i]))) {
			wserr_set(e, EX_NOPERM, "the received options %s hold "
			    "%s, which this node's export_options does not: "
			    "give --export-options to take over", options,
			    open_up[i]);
			return 1;
		}
	return 0;
}

static int
widens(const struct ctx *ctx, const char *clients, const char *options,
    struct wserr *e)
{
	const char	*cfg_c = ctx->cfg.export_clients;
	struct strvec	 cl = STRVEC_INIT;
	char		*own;
	size_t		 i;
	int		 w = 0;

	if (clients != NULL && clients_has(clients, "*") &&
	    (cfg_c == NULL || !clients_has(cfg_c, "*"))) {
		wserr_set(e, EX_NOPERM, "the received clients %s include *, "
		    "which this node's export_clients does not: give "
		    "--clients to take over", clients);
		return 1;
	}
	if (options != NULL && opens_up(options, ctx->cfg.export_options, e))
		return 1;
	/* a received client's own options, likewise */
	if (clients != NULL)
		clients_split(clients, &cl);
	for (i = 0; i < cl.n && !w; i++)
		if ((own = client_own_options(cl.v[i])) != NULL) {
			w = opens_up(own, ctx->cfg.export_options, e);
			free(own);
		}
	strvec_clear(&cl);
	return w;
}

/* name's parent here gives it a place to mount: a path, not none/legacy. */
static int
parent_mountpoint(struct ctx *ctx, const char *name, struct wserr *e)
{
	struct zfs_dslist l;
	char	*parent = xstrndup(name, (size_t)(strrchr(name, '/') - name));
	int	 rc;

	rc = zfs_get_one(ctx, parent, ZPM(ZP_MOUNTPOINT), &l, e);
	if (rc == 0) {
		const char *mp = l.v[0].val[ZP_MOUNTPOINT];

		if (mp == NULL || mp[0] != '/') {
			wserr_set(e, EX_DATAERR, "%s: its parent %s has "
			    "mountpoint %s: give -o mountpoint=PATH", name,
			    parent, mp != NULL ? mp : "none");
			rc = -1;
		}
		zfs_dslist_free(&l);
	}
	free(parent);
	return rc;
}

/*
 * A replica, whose export (if it came with one, or is given) warpstor
 * would make: received policy checked as hand-set values are, and never
 * wider than this node's config unless given again here.
 */
static int
takeover_check(struct ctx *ctx, const struct zfs_ds *d, const struct tko *k,
    int exporting, struct wserr *e)
{
	const char	*mp = d->val[ZP_MOUNTPOINT];

	if (!state_is_replica(d)) {
		wserr_set(e, EX_NOPERM, "%s is not a replica (no "
		    "warpstor:replica of its own)", d->name);
		return -1;
	}
	if (!state_is_type(d, "filesystem")) {
		wserr_set(e, EX_DATAERR, "%s: not a filesystem", d->name);
		return -1;
	}
	/*
	 * Its place is this node's: set here by hand, given with -o, or
	 * from its parent (never the path a stream brought).
	 */
	if (k->mountpoint == NULL && !(d->local & ZPM(ZP_MOUNTPOINT)) &&
	    parent_mountpoint(ctx, d->name, e) == -1)
		return -1;
	if ((d->local & ZPM(ZP_MOUNTPOINT)) && k->mountpoint == NULL &&
	    (mp == NULL || mp[0] != '/')) {
		wserr_set(e, EX_DATAERR, "%s: its mountpoint is %s: give -o "
		    "mountpoint=PATH", d->name, mp != NULL ? mp : "none");
		return -1;
	}
	if (!exporting)
		return 0;
	if (valid_clients(d->val[ZP_CLIENTS], e) == -1 ||
	    (d->val[ZP_OPTIONS] != NULL &&
	    valid_options(d->val[ZP_OPTIONS], e) == -1))
		return -1;
	if (widens(ctx, k->clients == NULL ? d->val[ZP_CLIENTS] : NULL,
	    k->options == NULL ? d->val[ZP_OPTIONS] : NULL, e))
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
takeover_run(struct txn *t, const struct zfs_ds *d, const struct tko *k,
    int exporting, struct nfs_export *ex, struct wserr *e)
{
	const char	*name = d->name, *v[3];
	static const enum zprop own[] = { ZP_FSID, ZP_CLIENTS, ZP_OPTIONS };
	char		*mp = NULL;
	size_t		 i;

	v[0] = d->val[ZP_FSID];
	v[1] = k->clients != NULL ? k->clients : d->val[ZP_CLIENTS];
	v[2] = k->options != NULL ? k->options : d->val[ZP_OPTIONS];
	for (i = 0; exporting && i < 3; i++)
		if (v[i] != NULL && zfs_set(t, name, zfs_prop_name(own[i]),
		    v[i], NULL, e) == -1)
			return -1;
	if ((k->mountpoint != NULL && zfs_set(t, name, "mountpoint",
	    k->mountpoint, NULL, e) == -1) ||
	    (k->mountpoint == NULL && !(d->local & ZPM(ZP_MOUNTPOINT)) &&
	    zfs_inherit(t, name, "mountpoint", NULL, e) == -1) ||
	    zfs_set(t, name, "canmount", "on", "noauto", e) == -1 ||
	    zfs_inherit(t, name, zfs_prop_name(ZP_READONLY),
	    d->val[ZP_READONLY] != NULL ? d->val[ZP_READONLY] : "on", e) == -1 ||
	    zfs_inherit(t, name, zfs_prop_name(ZP_REPLICA),
	    d->val[ZP_REPLICA], e) == -1 ||
	    (!state_mounted(d) && zfs_mount(t, name, e) == -1))
		return -1;
	if (!exporting)
		return txn_check(t, e);
	/* the path is its own mount here, never a property's text */
	if (!t->ctx->dry_run && (mp = fs_mount_of(name)) == NULL) {
		wserr_set(e, EX_UNAVAILABLE, "%s is not mounted", name);
		return -1;
	}
	ex->path = mp != NULL ? mp : xstrdup(k->mountpoint != NULL ?
	    k->mountpoint : d->val[ZP_MOUNTPOINT]);
	ex->clients = xstrdup(v[1]);
	ex->options = xstrdup(v[2] != NULL ? v[2] : "");
	ex->fsid = xstrdup(v[0]);
	return nfs_publish(t, ex, 1, e) == -1 ? -1 : txn_check(t, e);
}

/*
 * takeover DATASET [-o mountpoint=PATH] [--clients LIST]
 *     [--export-options OPTS]
 * A replica becomes the live dataset: the export properties it came with
 * (or those given) become its own, it is writable again, no longer a
 * replica, mounted at its own place on this node (from its parent, or
 * PATH), and exported with that fsid.  Refused when it is no replica,
 * when another export here has that fsid, and when received policy
 * gives more than this node's config (*, no_root_squash, insecure, ...)
 * and is not given again here.  Prints DATASET.
 * Runs: zfs get, the exports file and exportfs -v (the fsid), zfs set
 * x3, [zfs set mountpoint], zfs inherit canmount, readonly,
 * warpstor:replica, zfs mount, the exports file, exportfs -o.
 */
int
cmd_takeover(struct ctx *ctx, int argc, char **argv)
{
	struct zfs_dslist l;
	struct nfs_export ex;
	struct tko	 k;
	struct txn	 t;
	struct wserr	 e;
	const struct zfs_ds *d;
	int		 rc, exporting;

	memset(&k, 0, sizeof(k));
	if ((rc = cmd_parse(ctx, argc, argv, tko_option, &k, 1, 1)) !=
	    CMD_GO_ON)
		return rc;
	k.name = argv[optind];
	if (valid_dataset(k.name, &e) == -1 ||
	    (k.clients != NULL && valid_clients(k.clients, &e) == -1) ||
	    (k.options != NULL && valid_options(k.options, &e) == -1) ||
	    zfs_get_one(ctx, k.name, STATE_PROPS | ZPM(ZP_READONLY), &l,
	    &e) == -1)
		return cmd_fail(ctx, &e);
	d = &l.v[0];
	memset(&ex, 0, sizeof(ex));
	exporting = d->val[ZP_FSID] != NULL && (d->val[ZP_CLIENTS] != NULL ||
	    k.clients != NULL);
	if (takeover_check(ctx, d, &k, exporting, &e) == -1) {
		zfs_dslist_free(&l);
		return cmd_fail(ctx, &e);
	}
	txn_init(&t, ctx);
	rc = takeover_run(&t, d, &k, exporting, &ex, &e);
	if (rc == -1)
		rc = cmd_rollback(&t, &e);
	else {
		struct json_object *o = json_object_new_object();

		if (exporting)
			cmd_json_export(o, &ex);
		rc = cmd_done(&t, k.name, o);
	}
	nfs_export_free(&ex);
	zfs_dslist_free(&l);
	return rc;
}
