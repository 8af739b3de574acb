/*
 * recover.c: finish or undo a command that was cut off (crash, power
 * loss, kill -9) from its journal.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "model/deferred.h"
#include "fs/fsops.h"
#include "txn/journal.h"
#include "nfs/nfs.h"
#include "lib/output.h"
#include "model/state.h"
#include "txn/txn.h"
#include "zfs/zfs.h"

/*
 * The worlds whose undo kinds a journal may name: each defines and lists
 * its own, next to the argv they undo.
 */
static const struct undo_kind *const *const worlds[] = {
	zfs_undo_kinds, nfs_undo_kinds,
};

static const struct undo_kind *
kind_named(const char *name)
{
	const struct undo_kind *const *k;
	size_t	 i;

	for (i = 0; i < sizeof(worlds) / sizeof(worlds[0]); i++)
		for (k = worlds[i]; *k != NULL; k++)
			if (strcmp((*k)->name, name) == 0)
				return *k;
	return NULL;
}

static void
say(FILE *out, const char *verb, const struct jentry *je)
{
	struct buf	 b = { NULL, 0, 0 };

	if (je->kind == J_FILE) {
		(void)fprintf(out, "%s: restore %s\n", verb, je->argv.v[0]);
		return;
	}
	argv_join(&b, je->argv.v);
	(void)fprintf(out, "%s: %s\n", verb, b.data);
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
recover_deferred(struct ctx *ctx, FILE *out, int nothing_else)
{
	struct wserr	 e;
	int		 left;

	if (ctx->dry_run) {
		if (nothing_else)
			(void)fprintf(out, "nothing to recover\n");
		return 0;
	}
	if ((left = deferred_reap(ctx, 1, out, &e)) == -1)
		return cmd_fail(ctx, &e);
	if (left > 0)
		(void)fprintf(out, "%d deferred destroy%s still busy (the NFS "
		    "server holds it, or what was made in it since)\n", left,
		    left == 1 ? "" : "s");
	else if (nothing_else)
		(void)fprintf(out, "nothing to recover\n");
	return 0;
}

/* Only the last, irreversible step was under way: finish it. */
static void
finish_final(struct ctx *ctx, FILE *out, const struct journal *j,
    struct buf *left)
{
	const struct undo_kind *zfs = &zfs_undo_retry;
	struct jentry	 fin;
	struct wserr	 e;

	memset(&fin, 0, sizeof(fin));
	fin.kind = J_UNDO;
	fin.argv = j->final;
	if (j->final_state == JF_PENDING && !ctx->dry_run &&
	    zfs->run(ctx, j->final.v, &e) == -1 &&
	    !zfs->goal_met(ctx, j->final.v) &&
	    defer_final(ctx, &j->final, &e) == -1)
		txn_left(left, zfs, j->final.v, &e);
	say(out, j->final_state == JF_PENDING ? "finish" : "was done", &fin);
}

/* Undo every step that was begun, in reverse order. */
static void
undo_all(struct ctx *ctx, FILE *out, const struct journal *j,
    struct buf *left)
{
	const struct undo_kind *kind;
	struct wserr	 e;
	size_t		 i;

	for (i = j->n; i-- > 0;) {
		const struct jentry *je = &j->v[i];

		if (je->state == JS_DROPPED)
			continue;
		kind = NULL;
		if (je->kind == J_UNDO && (kind = kind_named(je->name)) ==
		    NULL) {
			wserr_set(&e, EX_SOFTWARE, "unknown undo %s", je->name);
			txn_left(left, &zfs_undo_once, je->argv.v, &e);
			continue;
		}
		say(out, "undo", je);
		if (ctx->dry_run)
			continue;
		if (txn_undo_one(ctx, kind, je->argv.v, je->content,
		    &e) == -1 && (kind == NULL ||
		    !kind->goal_met(ctx, je->argv.v)))
			txn_left(left, kind, je->argv.v, &e);
	}
}

/* recover's work, its lines to out. */
static int
recover_run(struct ctx *ctx, FILE *out)
{
	struct journal	 j;
	struct wserr	 e;
	struct buf	 left = { NULL, 0, 0 };
	const char	*path = ctx->cfg.journal_file;

	if (journal_read(path, &j, &e) == -1)
		return cmd_fail(ctx, &e);
	if (j.cmdline == NULL)
		return recover_deferred(ctx, out, 1);
	if (j.pid > 0 && kill(j.pid, 0) == 0 && ctx->dry_run)
		(void)fprintf(out, "pid %ld may still be running: %s\n",
		    (long)j.pid, j.cmdline);
	(void)fprintf(out, "recovering: %s (pid %ld)\n", j.cmdline,
	    (long)j.pid);
	if (j.final_state != JF_NONE)
		finish_final(ctx, out, &j, &left);
	else
		undo_all(ctx, out, &j, &left);
	if (left.len > 0) {
		(void)cmd_error(ctx, EX_SOFTWARE, "not all went back; left to "
		    "finish by hand:");
		(void)fprintf(stderr, "%s", left.data);
		buf_free(&left);
		journal_free(&j);
		return EX_SOFTWARE;
	}
	if (!ctx->dry_run && journal_end(path, -1, &e) == -1) {
		journal_free(&j);
		return cmd_fail(ctx, &e);
	}
	(void)fprintf(out, "%s: %s\n", j.final_state != JF_NONE ? "finished" :
	    "undone", j.cmdline);
	journal_free(&j);
	return recover_deferred(ctx, out, 0);
}

/*
 * recover
 * Finish or undo, from its journal, a command that was cut off: when only
 * its last, irreversible step (a destroy) was under way, finish that;
 * otherwise undo every step it had begun, in reverse order.  Prints what
 * it did, a line a step (-j: {"steps": [those lines]}); a no-op when
 * nothing is pending.
 */
int
cmd_recover(struct ctx *ctx, int argc, char **argv)
{
	struct json_object *o, *a;
	FILE	*out;
	char	*buf = NULL, *p, *line;
	size_t	 len = 0;
	int	 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 0, 0)) != CMD_GO_ON)
		return rc;
	if (!ctx->json)
		return recover_run(ctx, stdout);
	if ((out = open_memstream(&buf, &len)) == NULL)
		return cmd_error(ctx, EX_OSERR, "open_memstream: %s",
		    strerror(errno));
	rc = recover_run(ctx, out);
	(void)fclose(out);
	if (rc == 0) {
		o = json_object_new_object();
		a = json_object_new_array();
		for (p = buf; (line = strsep(&p, "\n")) != NULL;)
			if (*line != '\0')
				json_object_array_add(a,
				    json_object_new_string(line));
		json_object_object_add(o, "steps", a);
		out_json(o);
	}
	free(buf);
	return rc;
}
