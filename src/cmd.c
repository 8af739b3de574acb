/*
 * cmd.c: what every command handler shares: its usage and help from the
 * command table, its errors, its operands, and the report of a rollback.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "command.h"
#include "txn.h"

static void
synopsis(FILE *fp, const struct command *c)
{
	(void)fprintf(fp, "usage: warpstor %s%s%s\n", c->name,
	    *c->synopsis ? " " : "", c->synopsis);
}

int
cmd_usage(struct ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;

	(void)fprintf(stderr, "warpstor: %s: ", ctx->cmd->name);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	synopsis(stderr, ctx->cmd);
	return EX_USAGE;
}

int
cmd_help(struct ctx *ctx)
{
	synopsis(stdout, ctx->cmd);
	return 0;
}

int
cmd_fail(struct ctx *ctx, const struct wserr *e)
{
	(void)fprintf(stderr, "warpstor: %s: %s\n", ctx->cmd->name, e->msg);
	return e->code;
}

int
cmd_badopt(struct ctx *ctx, char **argv, int ch)
{
	/* getopt names a bad short option (maybe one of a group) in optopt */
	if (ch == '?' && optopt > ' ' && optopt < 127)
		return cmd_usage(ctx, "unknown option '-%c'", optopt);
	return cmd_usage(ctx, "unknown option '%s'", argv[optind - 1]);
}

int
cmd_operands(struct ctx *ctx, int argc, char **argv, int min, int max)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch, n;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch == 'h')
			return cmd_help(ctx);
		return cmd_badopt(ctx, argv, ch);
	}
	n = argc - optind;
	if (n < min)
		return cmd_usage(ctx, "missing operand");
	if (max >= 0 && n > max)
		return cmd_usage(ctx, "too many operands");
	return CMD_GO_ON;
}

int
cmd_rollback(struct txn *t, struct wserr *e)
{
	struct txn_outcome o;
	const char	*name = t->ctx->cmd->name;
	int		 code = cmd_fail(t->ctx, e);

	if (txn_rollback(t, &o) == -1) {
		(void)fprintf(stderr, "warpstor: %s: rollback failed; left to "
		    "finish by hand (or with 'warpstor recover'):\n%s", name,
		    o.left.data);
		code = EX_SOFTWARE;
	} else if (o.undone > 0)
		(void)fprintf(stderr, "warpstor: %s: rolled back %zu step%s\n",
		    name, o.undone, o.undone == 1 ? "" : "s");
	buf_free(&o.left);
	return code;
}

int
cmd_commit(struct txn *t, const char *name)
{
	int	 dry = t->ctx->dry_run;

	txn_commit(t);
	if (!dry)
		(void)puts(name);
	return 0;
}
