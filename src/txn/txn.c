/*
 * txn.c: step log, intent journal, dry-run printing and rollback.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "lib/file.h"
#include "txn/journal.h"
#include "run/tool.h"
#include "txn/txn.h"

struct undo {
	const struct undo_kind *kind;	/* NULL: a file to restore */
	struct strvec	 argv;		/* a file's: the path */
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
	t->jfd = -1;
	(void)snprintf(t->id, sizeof(t->id), "%08x%08x", arc4random(),
	    arc4random());
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

static void
plan_argv(struct txn *t, enum tool tool, char *const *argv)
{
	struct buf	 b = { NULL, 0, 0 };

	argv_join(&b, argv);
	plan_add(t, tool_name(tool), argv, b.data);
	buf_free(&b);
}

int
txn_check(struct txn *t, struct wserr *e)
{
	(void)t;
	if (caught_signal != 0) {
		/* 128 + the signal, as a shell reports it (130, 143) */
		wserr_set(e, 128 + (int)caught_signal, "interrupted by signal "
		    "%d (%s)", (int)caught_signal, strsignal(caught_signal));
		return -1;
	}
	return 0;
}

int
txn_run(struct txn *t, enum tool tool, struct strvec *argv,
    struct spawn_result *r, struct wserr *e)
{
	if (r != NULL)
		memset(r, 0, sizeof(*r));
	if (t->ctx->dry_run) {
		plan_argv(t, tool, argv->v);
		return 0;
	}
	if (txn_check(t, e) == -1)
		return -1;
	return tool_run_ok(t->ctx, tool, argv->v, r, e);
}

/* The journal begins with the first change. */
static int
journal_open(struct txn *t, struct wserr *e)
{
	if (t->jfd != -1)
		return 0;
	return journal_begin(t->ctx->cfg.journal_file, t->ctx->cmdline,
	    t->ctx->recover_hint != NULL ? t->ctx->recover_hint :
	    "warpstor recover", &t->jfd, e);
}

static struct undo *
undo_push(struct txn *t)
{
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 16;
		t->u = xreallocarray(t->u, t->alloc, sizeof(*t->u));
	}
	memset(&t->u[t->n], 0, sizeof(t->u[0]));
	return &t->u[t->n++];
}

static void
undo_free(struct undo *u)
{
	strvec_clear(&u->argv);
	free(u->content);
}

/* The step of the last undo ended: done (rc 0), or failed (drop it). */
static int
settle(struct txn *t, int rc, struct wserr *e)
{
	struct wserr	 je;

	if (rc == 0) {
		if (journal_mark(t->jfd, JM_DONE, &je) == -1) {
			*e = je;
			return -1;	/* the undo stays: it will run */
		}
		return 0;
	}
	(void)journal_mark(t->jfd, JM_DROPPED, &je);
	undo_free(&t->u[--t->n]);
	return -1;
}

int
txn_do(struct txn *t, const struct step *st, struct wserr *e)
{
	struct undo	*u;
	int		 rc;

	if (t->ctx->dry_run) {
		plan_argv(t, st->tool, st->argv->v);
		strvec_clear(st->undo_argv);
		return 0;
	}
	if (txn_check(t, e) == -1 || journal_open(t, e) == -1) {
		strvec_clear(st->undo_argv);
		return -1;
	}
	u = undo_push(t);
	u->kind = st->undo;
	u->argv = *st->undo_argv;
	memset(st->undo_argv, 0, sizeof(*st->undo_argv));
	if (journal_pending(t->jfd, u->kind->name, u->argv.v, NULL,
	    e) == -1) {
		undo_free(&t->u[--t->n]);
		return -1;
	}
	if (st->call != NULL)
		rc = st->call(st->arg, e);
	else if (st->run != NULL)
		rc = st->run(t->ctx, st->argv->v, e);
	else
		rc = tool_run_ok(t->ctx, st->tool, st->argv->v, NULL, e);
	return settle(t, rc, e);
}

int
txn_write(struct txn *t, const char *path, const char *data,
    const char *before, struct wserr *e)
{
	struct undo	*u;
	int		 rc;

	if (t->ctx->dry_run) {
		char	*line = xasprintf("write %s", path);

		plan_add(t, "do", NULL, line);
		free(line);
		return 0;
	}
	if (txn_check(t, e) == -1 || journal_open(t, e) == -1)
		return -1;
	u = undo_push(t);
	strvec_push(&u->argv, path);
	u->content = before != NULL ? xstrdup(before) : NULL;
	if (journal_pending(t->jfd, NULL, u->argv.v, u->content, e) == -1) {
		undo_free(&t->u[--t->n]);
		return -1;
	}
	rc = file_write_atomic(path, data, strlen(data), e);
	return settle(t, rc, e);
}

int
txn_final(struct txn *t, enum tool tool, struct strvec *argv, step_fn run,
    struct wserr *e)
{
	struct wserr	 je;
	int		 rc;

	if (t->ctx->dry_run) {
		plan_argv(t, tool, argv->v);
		return 0;
	}
	if (txn_check(t, e) == -1 || journal_open(t, e) == -1 ||
	    journal_final(t->jfd, argv->v, e) == -1)
		return -1;
	rc = run != NULL ? run(t->ctx, argv->v, e) :
	    tool_run_ok(t->ctx, tool, argv->v, NULL, e);
	if (rc == 0)
		(void)journal_mark(t->jfd, JM_FINAL_DONE, &je);
	return rc;
}

int
txn_step(struct txn *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	if (!t->ctx->dry_run)
		return 0;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	plan_add(t, "do", NULL, line);
	free(line);
	return 1;
}

static void
forget(struct txn *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		undo_free(&t->u[i]);
	free(t->u);
	t->u = NULL;
	t->n = t->alloc = 0;
	if (t->plan != NULL) {
		json_object_put(t->plan);
		t->plan = NULL;
	}
}

void
txn_commit(struct txn *t)
{
	struct wserr	 e;

	if (t->plan != NULL)
		(void)puts(json_object_to_json_string_ext(t->plan,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	forget(t);
	if (t->jfd != -1) {
		(void)journal_end(t->ctx->cfg.journal_file, t->jfd, &e);
		t->jfd = -1;
	}
}

int
txn_undo_one(struct ctx *ctx, const struct undo_kind *kind, char *const *argv,
    const char *content, struct wserr *e)
{
	if (kind != NULL)
		return kind->run(ctx, argv, e);
	return content != NULL ? file_write_atomic(argv[0], content,
	    strlen(content), e) : file_remove(argv[0], e);
}

void
txn_left(struct buf *left, const struct undo_kind *kind, char *const *argv,
    const struct wserr *why)
{
	struct buf	 cmd = { NULL, 0, 0 };
	char		*l;

	if (kind == NULL)
		l = xasprintf("  %s: restore it (%s)\n", argv[0], why->msg);
	else {
		argv_join(&cmd, argv);
		l = xasprintf("  run: %s   (%s)\n", cmd.data, why->msg);
		buf_free(&cmd);
	}
	buf_append(left, l, strlen(l));
	free(l);
}

int
txn_rollback(struct txn *t, struct txn_outcome *o)
{
	struct wserr	 ue;
	size_t		 i;

	memset(o, 0, sizeof(*o));
	o->undone = t->n;
	for (i = t->n; i-- > 0;) {
		struct undo *u = &t->u[i];

		if (txn_undo_one(t->ctx, u->kind, u->argv.v, u->content,
		    &ue) == -1)
			txn_left(&o->left, u->kind, u->argv.v, &ue);
	}
	forget(t);
	if (o->left.len > 0) {
		/* the journal stays, for recover */
		if (t->jfd != -1)
			(void)close(t->jfd);
		t->jfd = -1;
		return -1;
	}
	if (t->jfd != -1)
		(void)journal_end(t->ctx->cfg.journal_file, t->jfd, &ue);
	t->jfd = -1;
	return 0;
}
