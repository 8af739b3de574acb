/*
 * parse.c: what every command handler shares: the global options'
 * table, the command's usage, help and options from the command table,
 * its errors (text, and JSON with -j), its operands, and the report of
 * its end.  No command is here.
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
#include "lib/validate.h"
#include "txn/txn.h"

/* Options a list may hold at most (cmd_getopt's arrays). */
#define MAXOPTS	16

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

/*
 * The global options, one table: main() parses them before COMMAND
 * (global_getopt), cmd_take_globals those of GLOBAL_AFTER after it too,
 * and a mistyped one is matched against their names here.
 */
const struct cmd_option global_options[] = {
	{ 'c', 'c', "config", "FILE", "the configuration file, by its "
	    "absolute path" },
	{ 'h', 'h', "help", NULL, "the commands" },
	{ 'j', 'j', "json", NULL, "JSON on stdout" },
	{ 'n', 'n', "dry-run", NULL, "print the plan, change nothing" },
	{ 'V', 'V', "version", NULL, "warpstor's version" },
	{ 'v', 'v', "verbose", NULL, "print each zfs and exportfs as it runs" },
	{ 'w', 'w', "wait", "SECONDS", "wait up to SECONDS for the lock "
	    "(default 30)" },
	{ 'y', 'y', "yes", NULL, "do not ask" },
	{ 0, 0, NULL, NULL, NULL }
};
/* The global flags that may follow COMMAND too (destroy -nv). */
#define GLOBAL_AFTER	"jnv"

/*
 * getopt's short option string and long options of opts, after lead;
 * with help, -h and --help too.
 */
static void
getopt_tables(const struct cmd_option *opts, const char *lead, int help,
    char *so, struct option *lo)
{
	const struct cmd_option *o;
	size_t	 ns, nl = 0;

	ns = strlcpy(so, lead, 4);
	if (help)
		so[ns++] = 'h';
	for (o = opts; o != NULL && o->code != 0 && nl < MAXOPTS; o++) {
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
	if (help) {
		lo[nl].name = "help";
		lo[nl].has_arg = no_argument;
		lo[nl].flag = NULL;
		lo[nl++].val = 'h';
	}
	memset(&lo[nl], 0, sizeof(lo[nl]));
}

int
global_getopt(int argc, char **argv)
{
	struct option	 lo[MAXOPTS + 2];
	char		 so[2 * MAXOPTS + 5];

	getopt_tables(global_options, "+:", 0, so, lo);
	opterr = 0;
	return getopt_long(argc, argv, so, lo, NULL);
}

int
global_set(struct ctx *ctx, int code, const char *val)
{
	const char	*errstr;

	switch (code) {
	case 'j':
		ctx->json = 1;
		break;
	case 'n':
		ctx->dry_run = 1;
		break;
	case 'v':
		ctx->verbose = 1;
		break;
	case 'w':
		ctx->wait_secs = (int)strtonum(val, 0, 86400, &errstr);
		return errstr != NULL ? -1 : 0;
	case 'y':
		ctx->yes = 1;
		break;
	default:
		return -1;
	}
	return 0;
}

const char *
global_synopsis(void)
{
	static char	 syn[128];
	const struct cmd_option *o;
	char		 flags[32] = "", *p = flags;

	if (syn[0] != '\0')
		return syn;
	for (o = global_options; o->code != 0; o++)
		if (o->arg == NULL)
			*p++ = o->sh;
	*p = '\0';
	(void)snprintf(syn, sizeof(syn), "[-%s]", flags);
	for (o = global_options; o->code != 0; o++)
		if (o->arg != NULL)
			(void)snprintf(syn + strlen(syn), sizeof(syn) -
			    strlen(syn), " [-%c %s]", o->sh, o->arg);
	(void)strlcat(syn, " COMMAND [OPTIONS] [ARGS]", sizeof(syn));
	return syn;
}

size_t
global_names(const char **names, size_t max, int after)
{
	const struct cmd_option *o;
	size_t	 n = 0;

	for (o = global_options; o->code != 0 && n < max; o++)
		if (!after || strchr(GLOBAL_AFTER, o->sh) != NULL ||
		    o->sh == 'h')
			names[n++] = o->lng;
	return n;
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
	return words_near(word, v, i, buf, len);
}

/* An unknown option: named, and the closest long one suggested. */
static int
unknown_option(struct ctx *ctx, const char *word)
{
	const char	*names[MAXOPTS + 8];
	const struct cmd_option *o;
	char		 v[VIS_BUFSZ], near[128];
	size_t		 n = global_names(names, 8, 1);

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

	getopt_tables(ctx->cmd->opts, ":", 1, so, lo);
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

/* A global flag that may follow COMMAND, by long name or letter: set it. */
static int
take_global(struct ctx *ctx, const char *lng, char sh)
{
	const struct cmd_option *o;

	for (o = global_options; o->code != 0; o++)
		if (strchr(GLOBAL_AFTER, o->sh) != NULL && ((lng != NULL &&
		    strcmp(lng, o->lng) == 0) || (sh != 0 && sh == o->sh)))
			return global_set(ctx, o->code, NULL) == 0;
	return 0;
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
cmd_one_name(struct ctx *ctx, int argc, char **argv, int snapshot,
    const char **name)
{
	struct wserr	 e;
	int		 rc;

	if ((rc = cmd_operands(ctx, argc, argv, 1, 1)) != CMD_GO_ON)
		return rc;
	*name = argv[optind];
	if ((snapshot ? valid_snapshot(*name, &e) : valid_dataset(*name,
	    &e)) == -1)
		return cmd_fail(ctx, &e);
	return CMD_GO_ON;
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

void
cmd_audit(struct ctx *ctx, const char *dataset, const char *fsid)
{
	size_t	 i;

	if (ctx->dry_run)
		return;
	for (i = 0; dataset != NULL && i < ctx->audit_ds.n; i++)
		if (strcmp(ctx->audit_ds.v[i], dataset) == 0)
			break;
	if (dataset != NULL && i == ctx->audit_ds.n)
		strvec_push(&ctx->audit_ds, dataset);
	if (fsid != NULL && *fsid != '\0' && ctx->audit_fsid == NULL)
		ctx->audit_fsid = xstrdup(fsid);
}

int
cmd_done(struct txn *t, const char *name, struct json_object *o)
{
	struct ctx	*ctx = t->ctx;
	struct json_object *out, *f;

	txn_commit(t);
	cmd_audit(ctx, name, o != NULL && json_object_object_get_ex(o, "fsid",
	    &f) && json_object_is_type(f, json_type_string) ?
	    json_object_get_string(f) : NULL);
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
