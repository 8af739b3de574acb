/*
 * txn.c: step log, dry-run printing and rollback.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "command.h"
#include "fsops.h"
#include "txn.h"

struct undo {
	enum { UNDO_RUN, UNDO_FN, UNDO_FILE } kind;
	enum tool	 tool;
	undo_fn		 fn;
	struct strvec	 argv;
	char		*path;
	char		*content;
};

/*
 * The one mutable global: a signal handler can reach nothing else.  It
 * is read between steps; a step in flight finishes first.
 */
static volatile sig_atomic_t caught_signal;

static void
on_signal(int sig)
{
	caught_signal = sig;
}

void
txn_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
}

void
txn_init(struct txn *t, struct ctx *ctx)
{
	memset(t, 0, sizeof(*t));
	t->ctx = ctx;
	if (ctx->dry_run && ctx->json)
		t->plan = json_object_new_array();
}

static void
plan_add(struct txn *t, const char *kind, char *const *argv, const char *line)
{
	struct json_object *o, *a;
	size_t	 i;

	if (t->plan == NULL) {
		(void)puts(line);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "step", json_object_new_string(kind));
	if (argv != NULL) {
		a = json_object_new_array();
		for (i = 0; argv[i] != NULL; i++)
			json_object_array_add(a,
			    json_object_new_string(argv[i]));
		json_object_object_add(o, "argv", a);
	} else
		json_object_object_add(o, "do", json_object_new_string(line));
	json_object_array_add(t->plan, o);
}

static int
run_tool(struct ctx *ctx, enum tool tool, char *const *argv,
    struct spawn_result *r, struct wserr *e)
{
	if (tool == TOOL_ZFS)
		return spawn_tool(ctx->zfs_path, sizeof(ctx->zfs_path),
		    ctx->cfg.zfs, argv, ctx->verbose, r, e);
	return spawn_tool(ctx->exportfs_path, sizeof(ctx->exportfs_path),
	    ctx->cfg.exportfs, argv, ctx->verbose, r, e);
}

int
txn_check(struct txn *t, struct wserr *e)
{
	(void)t;
	if (caught_signal != 0) {
		wserr_set(e, EX_UNAVAILABLE, "interrupted by signal %d (%s)",
		    (int)caught_signal, strsignal(caught_signal));
		return -1;
	}
	return 0;
}

int
txn_run(struct txn *t, enum tool tool, struct strvec *argv,
    struct spawn_result *r, struct wserr *e)
{
	struct spawn_result	 res;

	if (t->ctx->dry_run) {
		struct buf	 b = { NULL, 0, 0 };

		argv_join(&b, argv->v);
		plan_add(t, tool == TOOL_ZFS ? "zfs" : "exportfs", argv->v,
		    b.data);
		buf_free(&b);
		if (r != NULL)
			memset(r, 0, sizeof(*r));
		return 0;
	}
	if (txn_check(t, e) == -1)
		return -1;
	if (run_tool(t->ctx, tool, argv->v, &res, e) == -1)
		return -1;
	if (res.status != 0) {
		spawn_fail(e, argv->v, &res);
		spawn_result_free(&res);
		return -1;
	}
	if (r != NULL)
		*r = res;
	else
		spawn_result_free(&res);
	return 0;
}

static struct undo *
undo_new(struct txn *t)
{
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 16;
		t->u = xreallocarray(t->u, t->alloc, sizeof(*t->u));
	}
	memset(&t->u[t->n], 0, sizeof(t->u[0]));
	return &t->u[t->n++];
}

void
txn_undo_run(struct txn *t, enum tool tool, struct strvec *argv)
{
	struct undo	*u;

	if (t->ctx->dry_run) {
		strvec_clear(argv);
		return;
	}
	u = undo_new(t);
	u->kind = UNDO_RUN;
	u->tool = tool;
	u->argv = *argv;
	memset(argv, 0, sizeof(*argv));
}

void
txn_undo_fn(struct txn *t, undo_fn fn, struct strvec *argv)
{
	struct undo	*u;

	if (t->ctx->dry_run) {
		strvec_clear(argv);
		return;
	}
	u = undo_new(t);
	u->kind = UNDO_FN;
	u->fn = fn;
	u->argv = *argv;
	memset(argv, 0, sizeof(*argv));
}

void
txn_undo_file(struct txn *t, const char *path, const char *content)
{
	struct undo	*u;

	if (t->ctx->dry_run)
		return;
	u = undo_new(t);
	u->kind = UNDO_FILE;
	u->path = xstrdup(path);
	u->content = content != NULL ? xstrdup(content) : NULL;
}

int
txn_step(struct txn *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	if (!t->ctx->dry_run)
		return 0;
	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (line != NULL) {
		plan_add(t, "do", NULL, line);
		free(line);
	}
	return 1;
}

static void
undo_free(struct undo *u)
{
	strvec_clear(&u->argv);
	free(u->path);
	free(u->content);
}

void
txn_commit(struct txn *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		undo_free(&t->u[i]);
	free(t->u);
	t->u = NULL;
	t->n = t->alloc = 0;
	if (t->plan != NULL) {
		(void)puts(json_object_to_json_string_ext(t->plan,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(t->plan);
		t->plan = NULL;
	}
}

int
txn_fail(struct txn *t, struct wserr *e)
{
	struct spawn_result r;
	struct wserr	 ue;
	struct buf	 left = { NULL, 0, 0 };
	size_t		 i;
	int		 code = e->code;

	(void)cmd_fail(t->ctx, e);
	if (t->plan != NULL) {
		json_object_put(t->plan);
		t->plan = NULL;
	}
	/* Undo in reverse order, each step whatever became of the others. */
	for (i = t->n; i-- > 0;) {
		struct undo *u = &t->u[i];
		int	 ok = 0;

		if (u->kind == UNDO_FILE) {
			ok = u->content != NULL ?
			    fs_write_atomic(u->path, u->content,
			    strlen(u->content), &ue) == 0 :
			    fs_remove(u->path, &ue) == 0;
			if (!ok) {
				char	*l = xasprintf("  %s: restore it: %s\n",
				    u->path, ue.msg);

				buf_append(&left, l, strlen(l));
				free(l);
			}
			continue;
		}
		if (u->kind == UNDO_FN)
			ok = u->fn(t->ctx, u->argv.v, &ue) == 0;
		else if (run_tool(t->ctx, u->tool, u->argv.v, &r, &ue) == 0) {
			ok = r.status == 0;
			if (!ok)
				spawn_fail(&ue, u->argv.v, &r);
			spawn_result_free(&r);
		}
		if (!ok) {
			struct buf	 cmd = { NULL, 0, 0 };
			char		*l;

			argv_join(&cmd, u->argv.v);
			l = xasprintf("  run: %s   (%s)\n", cmd.data, ue.msg);
			buf_append(&left, l, strlen(l));
			free(l);
			buf_free(&cmd);
		}
	}
	if (left.len > 0) {
		(void)fprintf(stderr, "warpstor: %s: rollback failed; left to "
		    "finish by hand:\n%s", t->ctx->cmd->name, left.data);
		code = EX_SOFTWARE;
	} else if (t->n > 0)
		(void)fprintf(stderr, "warpstor: %s: rolled back %zu step%s\n",
		    t->ctx->cmd->name, t->n, t->n == 1 ? "" : "s");
	buf_free(&left);
	txn_commit(t);
	return code;
}
