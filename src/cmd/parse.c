/*
 * cmd.c: what every command handler shares: finding the command, its
 * usage, help and options from the command table, its errors (text, and
 * JSON with -j), its operands, and the report of its end.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "lib/argv.h"
#include "cmd/cmd.h"
#include "nfs/nfs.h"
#include "lib/output.h"
#include "txn/txn.h"

/* Options a list may hold at most (cmd_getopt's arrays). */
#define MAXOPTS	16

const struct command *
command_find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0 ||
		    (c->alias != NULL && strcmp(c->alias, name) == 0))
			return c;
	return NULL;
}

/* Edit distance, a swap of two neighbours counting one (lsit, list). */
static size_t
distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, d[32][32];

	if (la >= 32 || lb >= 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t	 best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* The closest of words (n of them) to w, "'a' or 'b'" into buf. */
static int
suggest(const char *w, const char *const *words, size_t n, char *buf,
    size_t len)
{
	size_t	 i, best = 3, wl = strlen(w);
	int	 found = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		size_t	 d = distance(w, words[i]);

		if (wl >= 3 && strncmp(words[i], w, wl) == 0)
			d = 1;		/* a prefix of it */
		if (d < best) {
			best = d;
			buf[0] = '\0';
			found = 0;
		}
		if (d == best && d < 3) {
			(void)strlcat(buf, found ? " or '" : "'", len);
			(void)strlcat(buf, words[i], len);
			(void)strlcat(buf, "'", len);
			found = 1;
		}
	}
	return found;
}

int
command_suggest(const char *name, char *buf, size_t len)
{
	const char	*names[64];
	size_t		 n = 0;
	const struct command *c;

	for (c = commands; c->name != NULL && n < 64; c++)
		names[n++] = c->name;
	return suggest(name, names, n, buf, len);
}

static void
synopsis(FILE *fp, const struct command *c)
{
	(void)fprintf(fp, "usage: warpstor %s%s%s\n", c->name,
	    *c->synopsis ? " " : "", c->synopsis);
}

/* With -j: the one JSON document of a failure, on stdout. */
static void
json_error(struct ctx *ctx, int code, const char *msg)
{
	struct json_object *o, *err;

	if (!ctx->json)
		return;
	o = json_object_new_object();
	err = json_object_new_object();
	json_object_object_add(err, "code", json_object_new_int(code));
	json_object_object_add(err, "command", out_jstr(ctx->cmd != NULL ?
	    ctx->cmd->name : NULL));
	json_object_object_add(err, "message", json_object_new_string(msg));
	json_object_object_add(o, "error", err);
	out_json(o);
}

int
cmd_usage(struct ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "warpstor: %s: %s\n", ctx->cmd->name, msg);
	synopsis(stderr, ctx->cmd);
	(void)fprintf(stderr, "'warpstor %s -h' explains its options\n",
	    ctx->cmd->name);
	json_error(ctx, EX_USAGE, msg);
	free(msg);
	return EX_USAGE;
}

/* "-u, --long VALUE" as -h shows an option. */
static void
option_words(const struct cmd_option *o, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%s%c%s%s%s%s%s", o->sh ? "-" : "",
	    o->sh ? o->sh : ' ', o->sh && o->lng ? ", " : "",
	    o->lng ? "--" : "", o->lng ? o->lng : "", o->arg ? " " : "",
	    o->arg ? o->arg : "");
	if (!o->sh)
		(void)memmove(buf, buf + 1, strlen(buf));
}

int
cmd_help(struct ctx *ctx)
{
	const struct cmd_option *o;
	const struct command *c = ctx->cmd;
	char	 w[64];

	synopsis(stdout, c);
	(void)printf("%s\n\noptions:\n", c->what);
	for (o = c->opts; o != NULL && o->code != 0; o++) {
		option_words(o, w, sizeof(w));
		(void)printf("  %-24s %s\n", w, o->help);
	}
	(void)printf("  %-24s %s\n", "-h, --help", "this help");
	(void)printf("  %-24s %s\n", "-n, -v, -j", "dry run, verbose, JSON "
	    "(here or before the command)");
	if (c->alias != NULL && strcmp(c->alias, c->name) != 0)
		(void)printf("\nalso answers to '%s' (the older client's "
		    "method).\n", c->alias);
	return 0;
}

int
cmd_error(struct ctx *ctx, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "warpstor: %s%s%s\n", ctx->cmd != NULL ?
	    ctx->cmd->name : "", ctx->cmd != NULL ? ": " : "", msg);
	json_error(ctx, code, msg);
	free(msg);
	return code;
}

int
cmd_fail(struct ctx *ctx, const struct wserr *e)
{
	return cmd_error(ctx, e->code, "%s", e->msg);
}

/* getopt's short option string and long options of the command. */
static void
getopt_tables(const struct command *c, char *so, struct option *lo)
{
	const struct cmd_option *o;
	size_t	 ns = 0, nl = 0;

	so[ns++] = ':';
	so[ns++] = 'h';
	for (o = c->opts; o != NULL && o->code != 0 && nl < MAXOPTS; o++) {
		if (o->sh) {
			so[ns++] = o->sh;
			if (o->arg != NULL)
				so[ns++] = ':';
		}
		if (o->lng != NULL) {
			lo[nl].name = o->lng;
			lo[nl].has_arg = o->arg != NULL ? required_argument :
			    no_argument;
			lo[nl].flag = NULL;
			lo[nl++].val = o->code;
		}
	}
	so[ns] = '\0';
	lo[nl].name = "help";
	lo[nl].has_arg = no_argument;
	lo[nl].flag = NULL;
	lo[nl++].val = 'h';
	memset(&lo[nl], 0, sizeof(lo[nl]));
}

/* The option word getopt stopped at: "-x" of a group, or "--long". */
static void
bad_word(char **argv, char *buf, size_t len)
{
	const char *w = argv[optind - 1];

	if (strncmp(w, "--", 2) == 0)
		(void)snprintf(buf, len, "%.*s", (int)strcspn(w, "="), w);
	else
		(void)snprintf(buf, len, "-%c", optopt > ' ' && optopt < 127 ?
		    optopt : '?');
}

int
cmd_suggest_long(const char *word, const char *const *names, size_t n,
    char *buf, size_t len)
{
	char	 dashed[MAXOPTS + 8][40];
	const char *v[MAXOPTS + 8];
	size_t	 i;

	if (strncmp(word, "--", 2) != 0)
		return 0;
	for (i = 0; i < n && i < MAXOPTS + 8; i++) {
		(void)snprintf(dashed[i], sizeof(dashed[i]), "--%s", names[i]);
		v[i] = dashed[i];
	}
	return suggest(word, v, i, buf, len);
}

/* An unknown option: named, and the closest long one suggested. */
static int
unknown_option(struct ctx *ctx, const char *word)
{
	const char	*names[MAXOPTS + 8] = { "json", "dry-run", "verbose",
	    "help" };
	const struct cmd_option *o;
	char		 v[VIS_BUFSZ], near[128];
	size_t		 n = 4;

	for (o = ctx->cmd->opts; o != NULL && o->code != 0 && n < MAXOPTS + 4;
	    o++)
		if (o->lng != NULL)
			names[n++] = o->lng;
	if (cmd_suggest_long(word, names, n, near, sizeof(near)))
		return cmd_usage(ctx, "unknown option '%s'; did you mean %s?",
		    vis_str(v, sizeof(v), word), near);
	return cmd_usage(ctx, "unknown option '%s'", vis_str(v, sizeof(v),
	    word));
}

/*
 * The next option of the command, from its table (and -h): its code
 * (optarg holding a value), -1 after the last, or CMD_OPT_EXIT after -h
 * (*rc 0) or a usage error naming the option (*rc 64).
 */
#define CMD_OPT_EXIT	(-2)
static int
cmd_getopt(struct ctx *ctx, int argc, char **argv, int *rc)
{
	struct option	 lo[MAXOPTS + 2];
	char		 so[2 * MAXOPTS + 3], w[64];
	int		 ch;

	getopt_tables(ctx->cmd, so, lo);
	opterr = 0;
	ch = getopt_long(argc, argv, so, lo, NULL);
	switch (ch) {
	case 'h':
		*rc = cmd_help(ctx);
		return CMD_OPT_EXIT;
	case ':':
		bad_word(argv, w, sizeof(w));
		*rc = cmd_usage(ctx, "option '%s' needs a value", w);
		return CMD_OPT_EXIT;
	case '?':
		bad_word(argv, w, sizeof(w));
		*rc = unknown_option(ctx, w);
		return CMD_OPT_EXIT;
	}
	return ch;
}

/* The command's option of short letter c, or of long name (len bytes). */
static const struct cmd_option *
option_of(const struct command *c, char sh, const char *lng, size_t len)
{
	const struct cmd_option *o;

	for (o = c->opts; o != NULL && o->code != 0; o++)
		if ((sh != 0 && o->sh == sh) || (lng != NULL && o->lng !=
		    NULL && strlen(o->lng) == len && strncmp(o->lng, lng,
		    len) == 0))
			return o;
	return NULL;
}

/* A global flag by its long name or letter: set it; 0 if not one. */
static int
take_global(struct ctx *ctx, const char *lng, char sh)
{
	if ((lng != NULL && strcmp(lng, "dry-run") == 0) || sh == 'n')
		ctx->dry_run = 1;
	else if ((lng != NULL && strcmp(lng, "verbose") == 0) || sh == 'v')
		ctx->verbose = 1;
	else if ((lng != NULL && strcmp(lng, "json") == 0) || sh == 'j')
		ctx->json = 1;
	else
		return 0;
	return 1;
}

/*
 * One word of options "-abc": the global letters taken out (the word
 * emptied when none is left).  Returns 1 when the next word is the
 * value of its last option.
 */
static int
take_from_group(struct ctx *ctx, char *w)
{
	const struct cmd_option *o;
	char	*r = w + 1, *p;

	for (p = w + 1; *p != '\0'; p++) {
		if ((o = option_of(ctx->cmd, *p, NULL, 0)) != NULL) {
			*r++ = *p;
			if (o->arg != NULL) {
				/* the rest of the word is its value */
				(void)memmove(r, p + 1, strlen(p + 1) + 1);
				return p[1] == '\0';
			}
		} else if (!take_global(ctx, NULL, *p))
			*r++ = *p;
	}
	*r = '\0';
	if (r == w + 1)
		*w = '\0';
	return 0;
}

void
cmd_take_globals(struct ctx *ctx, int *argc, char **argv)
{
	const struct cmd_option *o;
	int	 i, n = 1, skip = 0;

	for (i = 1; i < *argc; i++) {
		char	*w = argv[i];

		if (skip || strcmp(w, "--") == 0) {
			skip = strcmp(w, "--") == 0 ? 2 : 0;
			argv[n++] = w;
			if (skip == 2)
				while (++i < *argc)
					argv[n++] = argv[i];
			continue;
		}
		if (strncmp(w, "--", 2) == 0) {
			if (take_global(ctx, w + 2, 0))
				continue;
			o = option_of(ctx->cmd, 0, w + 2, strcspn(w + 2, "="));
			skip = o != NULL && o->arg != NULL &&
			    strchr(w, '=') == NULL;
		} else if (w[0] == '-' && w[1] != '\0') {
			skip = take_from_group(ctx, w);
			if (*w == '\0')
				continue;
		}
		argv[n++] = w;
	}
	argv[n] = NULL;
	*argc = n;
}

int
cmd_parse(struct ctx *ctx, int argc, char **argv, cmd_opt_fn fn, void *arg,
    int min, int max)
{
	int	 ch, n, rc = 0;

	optind = 0;
	while ((ch = cmd_getopt(ctx, argc, argv, &rc)) != -1) {
		if (ch == CMD_OPT_EXIT)
			return rc;
		if (fn != NULL && (rc = fn(ctx, ch, optarg, arg)) != CMD_GO_ON)
			return rc;
	}
	n = argc - optind;
	if (n < min)
		return cmd_usage(ctx, "missing operand");
	if (max >= 0 && n > max)
		return cmd_usage(ctx, "too many operands");
	return CMD_GO_ON;
}

int
cmd_flag(struct ctx *ctx, int code, const char *arg, void *p)
{
	(void)ctx;
	(void)code;
	(void)arg;
	*(int *)p = 1;
	return CMD_GO_ON;
}

int
cmd_operands(struct ctx *ctx, int argc, char **argv, int min, int max)
{
	return cmd_parse(ctx, argc, argv, NULL, NULL, min, max);
}

int
cmd_rollback(struct txn *t, struct wserr *e)
{
	struct txn_outcome o;
	struct ctx	*ctx = t->ctx;
	const char	*name = ctx->cmd->name;
	int		 code = e->code;

	(void)fprintf(stderr, "warpstor: %s: %s\n", name, e->msg);
	if (txn_rollback(t, &o) == -1) {
		(void)fprintf(stderr, "warpstor: %s: rollback failed; left to "
		    "finish by hand (or with '%s'):\n%s", name,
		    ctx->recover_hint, o.left.data);
		code = EX_SOFTWARE;
	} else if (o.undone > 0)
		(void)fprintf(stderr, "warpstor: %s: rolled back %zu step%s\n",
		    name, o.undone, o.undone == 1 ? "" : "s");
	json_error(ctx, code, e->msg);
	buf_free(&o.left);
	return code;
}

int
cmd_done(struct txn *t, const char *name, struct json_object *o)
{
	struct ctx	*ctx = t->ctx;
	struct json_object *out;

	txn_commit(t);
	if (ctx->dry_run) {
		if (o != NULL)
			json_object_put(o);
		return 0;
	}
	if (!ctx->json) {
		(void)puts(name);
		if (o != NULL)
			json_object_put(o);
		return 0;
	}
	/* "name" first, then what o says */
	out = json_object_new_object();
	json_object_object_add(out, "name", json_object_new_string(name));
	if (o != NULL) {
		struct json_object_iterator it = json_object_iter_begin(o);
		struct json_object_iterator end = json_object_iter_end(o);

		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it))
			json_object_object_add(out, json_object_iter_peek_name(&it),
			    json_object_get(json_object_iter_peek_value(&it)));
		json_object_put(o);
	}
	out_json(out);
	return 0;
}

void
cmd_json_export(struct json_object *o, const struct nfs_export *ex)
{
	json_object_object_add(o, "fsid", out_jstr(ex->fsid));
	json_object_object_add(o, "path", out_jstr(ex->path));
	json_object_object_add(o, "clients", out_jstr(ex->clients));
	json_object_object_add(o, "options", out_jstr(ex->options));
}

void
cmd_json_owner(struct json_object *o, unsigned long uid, unsigned long gid)
{
	char	 owner[64];

	(void)snprintf(owner, sizeof(owner), "%lu:%lu", uid, gid);
	json_object_object_add(o, "owner", json_object_new_string(owner));
}
