/*
 * cmd_recover.c: finish or undo a command that was cut off (crash, power
 * loss, kill -9) from its journal.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "command.h"
#include "deferred.h"
#include "fsops.h"
#include "journal.h"
#include "nfs.h"
#include "state.h"
#include "txn.h"
#include "zfs.h"

/* The undo functions a journal may name. */
static const struct {
	const char	*name;
	undo_fn		 fn;
} undo_fns[] = {
	{ "zfs-destroy-created", zfs_undo_destroy },
	{ "zfs-retry", zfs_retry },
	{ "exportfs-unexport", nfs_unexport_tolerant },
};

static undo_fn
fn_named(const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && i < sizeof(undo_fns) / sizeof(undo_fns[0]);
	    i++)
		if (strcmp(undo_fns[i].name, name) == 0)
			return undo_fns[i].fn;
	return NULL;
}

static int
exists(struct ctx *ctx, const char *name)
{
	struct wserr	 e;
	int		 yes = 1;

	(void)zfs_exists(ctx, name, &yes, &e);
	return yes;
}

static const char *
prop(struct ctx *ctx, const char *name, enum zprop p, char *buf, size_t len)
{
	struct zfs_dslist l;
	struct wserr	 e;

	buf[0] = '\0';
	if (zfs_get_one(ctx, name, ZPM(p), &l, &e) == 0) {
		if (l.v[0].val[p] != NULL)
			(void)strlcpy(buf, l.v[0].val[p], len);
		zfs_dslist_free(&l);
	}
	return buf;
}

/*
 * An undo failed: is what it was to bring about so already?  (The step
 * it undoes may never have run: the journal says so of a pending one.)
 */
static int
goal_met(struct ctx *ctx, const struct jentry *je)
{
	char *const *a = je->argv.v;
	size_t	 n = je->argv.n, k;
	char	 buf[64];

	if (je->kind == J_FILE || n < 3)
		return 0;
	if (je->kind == J_RUN_EXPORTFS || (je->kind == J_FN &&
	    strcmp(je->fn, "exportfs-unexport") == 0)) {
		/* exportfs -u SPEC...: none of them live any more */
		if (strcmp(a[1], "-u") == 0)
			return !nfs_specs_live(ctx, a + 2, 0);
		/* exportfs [-i] -o OPTIONS SPEC: SPEC live */
		k = strcmp(a[1], "-i") == 0 ? 2 : 1;
		return n == k + 3 && strcmp(a[k], "-o") == 0 &&
		    nfs_specs_live(ctx, a + n - 1, 0);
	}
	if (strcmp(a[1], "destroy") == 0)
		return !exists(ctx, strncmp(a[n - 1], "warpstor:txn=", 13) == 0 ?
		    a[n - 2] : a[n - 1]);
	if (strcmp(a[1], "rename") == 0 && n == 4)
		return !exists(ctx, a[2]) && exists(ctx, a[3]);
	if (strcmp(a[1], "mount") == 0)
		return strcmp(prop(ctx, a[n - 1], ZP_MOUNTED, buf, sizeof(buf)),
		    "yes") == 0;
	if (strcmp(a[1], "umount") == 0)
		return strcmp(prop(ctx, a[n - 1], ZP_MOUNTED, buf, sizeof(buf)),
		    "yes") != 0;
	if (strcmp(a[1], "promote") == 0)
		return prop(ctx, a[2], ZP_ORIGIN, buf, sizeof(buf))[0] == '\0';
	return 0;
}

static void
say(const char *verb, const struct jentry *je)
{
	struct buf	 b = { NULL, 0, 0 };

	if (je->kind == J_FILE) {
		(void)printf("%s: restore %s\n", verb, je->argv.v[0]);
		return;
	}
	argv_join(&b, je->argv.v);
	(void)printf("%s: %s\n", verb, b.data);
	buf_free(&b);
}

/*
 * The cut-off destroy stays busy: where it is a dataset whose mount is
 * gone (detached, the NFS server holding it), defer it as the command
 * would have.  argv: zfs destroy [FLAGS] NAME.
 */
static int
defer_final(struct ctx *ctx, const struct strvec *argv, struct wserr *e)
{
	const char	*name = argv->v[argv->n - 1];
	const char	*flags = argv->n == 4 ? argv->v[2] : NULL;
	char		*gone, *mp;
	int		 rc;

	if (argv->n < 3 || argv->n > 4 || strstr(e->msg, "busy") == NULL)
		return -1;
	if ((mp = fs_mount_of(name)) != NULL) {
		free(mp);	/* mounted: a process holds it, not the server */
		return -1;
	}
	gone = strchr(name, '@') != NULL ? xstrdup(name) :
	    state_temp_name(name, "wsgone");
	rc = deferred_add(ctx, name, gone, flags, e);
	free(gone);
	return rc;
}

/*
 * The destroys deferred while the NFS server held them: try each again
 * (after exportfs -f, so that the server lets go of what it can), saying
 * what became of them; "nothing to recover" when there was nothing.
 */
static int
reap(struct ctx *ctx, int nothing_else)
{
	struct wserr	 e;
	int		 left;

	if (ctx->dry_run) {
		if (nothing_else)
			(void)printf("nothing to recover\n");
		return 0;
	}
	if ((left = deferred_reap(ctx, 1, stdout, &e)) == -1)
		return cmd_fail(ctx, &e);
	if (left > 0)
		(void)printf("%d deferred destroy%s still held by the NFS "
		    "server\n", left, left == 1 ? "" : "s");
	else if (nothing_else)
		(void)printf("nothing to recover\n");
	return 0;
}

/*
 * recover
 * Finish or undo, from its journal, a command that was cut off: when only
 * its last, irreversible step (a destroy) was under way, finish that;
 * otherwise undo every step it had begun, in reverse order.  Prints what
 * it did; a no-op when nothing is pending.
 */
int
cmd_recover(struct ctx *ctx, int argc, char **argv)
{
	struct journal	 j;
	struct wserr	 e;
	struct buf	 left = { NULL, 0, 0 };
	const char	*path = ctx->cfg.journal_file;
	size_t		 i, done = 0;
	int		 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 0, 0)) != -1)
		return rc;
	if (journal_read(path, &j, &e) == -1)
		return cmd_fail(ctx, &e);
	if (j.cmdline == NULL)
		return reap(ctx, 1);
	if (j.pid > 0 && kill(j.pid, 0) == 0 && ctx->dry_run) {
		(void)printf("pid %ld may still be running: %s\n",
		    (long)j.pid, j.cmdline);
	}
	(void)printf("recovering: %s (pid %ld)\n", j.cmdline, (long)j.pid);
	if (j.final_state != 0) {
		struct jentry	 fin;

		memset(&fin, 0, sizeof(fin));
		fin.kind = J_RUN_ZFS;
		fin.argv = j.final;
		if (j.final_state == 'P' && !ctx->dry_run &&
		    zfs_retry(ctx, j.final.v, &e) == -1 && !goal_met(ctx, &fin) &&
		    defer_final(ctx, &j.final, &e) == -1)
			txn_left(&left, J_RUN_ZFS, j.final.v, &e);
		say(j.final_state == 'P' ? "finish" : "was done", &fin);
		done = 1;
	} else {
		for (i = j.n; i-- > 0;) {
			struct jentry	*je = &j.v[i];
			undo_fn		 fn = NULL;

			if (je->state == 'X')
				continue;
			if (je->kind == J_FN && (fn = fn_named(je->fn)) == NULL) {
				wserr_set(&e, EX_SOFTWARE, "unknown undo %s",
				    je->fn);
				txn_left(&left, je->kind, je->argv.v, &e);
				continue;
			}
			say("undo", je);
			done++;
			if (ctx->dry_run)
				continue;
			if (txn_undo_one(ctx, je->kind, fn, je->argv.v,
			    je->content, &e) == -1 && !goal_met(ctx, je))
				txn_left(&left, je->kind, je->argv.v, &e);
		}
	}
	if (left.len > 0) {
		(void)fprintf(stderr, "warpstor: recover: not all went back; "
		    "left to finish by hand:\n%s", left.data);
		buf_free(&left);
		journal_free(&j);
		return EX_SOFTWARE;
	}
	if (!ctx->dry_run && journal_end(path, -1, &e) == -1) {
		journal_free(&j);
		return cmd_fail(ctx, &e);
	}
	(void)printf("%s: %s\n", j.final_state != 0 ? "finished" : "undone",
	    j.cmdline);
	(void)done;
	journal_free(&j);
	return reap(ctx, 0);
}
