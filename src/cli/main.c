/*
 * warpstor: hand out ZFS datasets to users over NFS.
 *
 * main(): global options, configuration, the command table and dispatch,
 * and the check of stdout before exit.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/argv.h"
#include "lib/file.h"
#include "lib/output.h"
#include "cli/cli.h"
#include "cmd/cmd.h"
#include "model/deferred.h"
#include "txn/journal.h"
#include "txn/lock.h"
#include "lib/progress.h"
#include "txn/txn.h"

#ifndef WARPSTOR_VERSION
#define WARPSTOR_VERSION "0.0.0"
#endif

/* Every command: -h, help. */
static void
usage(void)
{
	const struct command *c;

	(void)printf("usage: warpstor %s\n\ncommands:\n", global_synopsis());
	for (c = commands; c->name != NULL; c++)
		(void)printf("  %-20s %s\n", c->name, c->what);
	(void)printf("\n'warpstor help COMMAND' or 'warpstor COMMAND -h' "
	    "explains one; see warpstor(8).\n");
}

/*
 * A usage error before the command: the reason (naming word, which is
 * made safe to print), the synopsis; 64.
 */
static int
global_usage_near(struct ctx *ctx, const char *why, const char *word,
    const char *near)
{
	char	 v[VIS_BUFSZ];

	if (word != NULL)
		(void)cmd_error(ctx, EX_USAGE, "%s '%s'%s%s%s", why,
		    vis_str(v, sizeof(v), word), near != NULL ? "; did you "
		    "mean " : "", near != NULL ? near : "", near != NULL ?
		    "?" : "");
	else
		(void)cmd_error(ctx, EX_USAGE, "%s", why);
	(void)fprintf(stderr, "usage: warpstor %s\n'warpstor help' lists "
	    "the commands\n", global_synopsis());
	return EX_USAGE;
}

static int
global_usage(struct ctx *ctx, const char *why, const char *word)
{
	return global_usage_near(ctx, why, word, NULL);
}

/* The command line as given, for the syslog line (getopt permutes argv). */
static char *
log_words(int argc, char **argv)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 v[VIS_BUFSZ];
	int		 i;

	buf_append(&b, "", 0);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			buf_append(&b, " ", 1);
		vis_str(v, sizeof(v), argv[i]);
		buf_append(&b, v, strlen(v));
	}
	return b.data;
}

/* One syslog line per mutating command: who, what, and how it ended. */
static void
log_outcome(const char *words, int rc)
{
	const char	*sudo = getenv("SUDO_USER");
	char		 v[VIS_BUFSZ];

	openlog("warpstor", LOG_PID, LOG_USER);
	syslog(rc == 0 ? LOG_NOTICE : LOG_ERR, "uid=%lu sudo_user=%s: %s: %s "
	    "(exit %d)", (unsigned long)getuid(), sudo != NULL ?
	    vis_str(v, sizeof(v), sudo) : "-", words, rc == 0 ? "ok" :
	    "failed", rc);
	closelog();
}

/*
 * The audit log, opened before the command's first change: appended to,
 * never through a symbolic link, only root's file in root's folder (its
 * folder made 0750 when missing, the file 0640).  77 naming it when it
 * cannot be.
 */
static int
audit_open(struct ctx *ctx, int *fd, struct wserr *e)
{
	const char	*path = ctx->cfg.audit_log;
	char		 dir[PATH_MAX];
	struct stat	 sb;
	int		 tries;

	for (tries = 0; tries < 2; tries++) {
		*fd = file_open_trusted(path, O_WRONLY | O_APPEND | O_CREAT,
		    0640, e);
		if (*fd != -1 || errno != ENOENT)
			break;		/* open, or e says why */
		/* its folder is missing: made once */
		if (tries > 0 || strlcpy(dir, path, sizeof(dir)) >=
		    sizeof(dir) || (mkdir(dirname(dir), 0750) == -1 &&
		    errno != EEXIST)) {
			(void)file_syserr(e, "open", path);
			break;
		}
	}
	if (*fd == -1) {
		char	 msg[sizeof(e->msg)];

		(void)strlcpy(msg, e->msg, sizeof(msg));
		wserr_set(e, EX_NOPERM, "audit_log %s cannot be written: %s",
		    path, msg);
		return -1;
	}
	if (fstat(*fd, &sb) == 0 && sb.st_size == 0)
		(void)fchmod(*fd, 0640);
	return 0;
}

/*
 * One JSON line of what the command did: time (RFC 3339 UTC), uid,
 * sudo_user, command, argv, exit, ms, datasets, fsid.
 */
static void
audit_write(struct ctx *ctx, int fd, const struct strvec *argv, int rc,
    long long ms)
{
	struct json_object *o = json_object_new_object(), *a;
	const char	*sudo = getenv("SUDO_USER"), *line;
	char		 when[32];
	time_t		 now = time(NULL);
	struct tm	 tm;
	size_t		 i;
	size_t		 k;

	(void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
	    gmtime_r(&now, &tm));
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "uid", json_object_new_int64(
	    (int64_t)getuid()));
	json_object_object_add(o, "sudo_user", out_jstr(sudo));
	json_object_object_add(o, "command",
	    json_object_new_string(ctx->cmd->name));
	a = json_object_new_array();
	for (k = 0; k < argv->n; k++)
		json_object_array_add(a, json_object_new_string(argv->v[k]));
	json_object_object_add(o, "argv", a);
	json_object_object_add(o, "exit", json_object_new_int(rc));
	json_object_object_add(o, "ms", json_object_new_int64(ms));
	a = json_object_new_array();
	for (i = 0; rc == 0 && i < ctx->audit_ds.n; i++)
		json_object_array_add(a,
		    json_object_new_string(ctx->audit_ds.v[i]));
	json_object_object_add(o, "datasets", a);
	json_object_object_add(o, "fsid", out_jstr(ctx->audit_fsid));
	line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	/* one write: O_APPEND keeps a line whole beside other writers */
	if (dprintf(fd, "%s\n", line) < 0)
		(void)fprintf(stderr, "warpstor: %s: audit_log %s: %s\n",
		    ctx->cmd->name, ctx->cfg.audit_log, strerror(errno));
	json_object_put(o);
}

/*
 * A journal left by a command that was cut off: with the lock held, it
 * cannot be a running command's, and a change now would mix with it
 * (70); a query only warns, unless the writer still runs.
 */
static int
journal_check(struct ctx *ctx, int locked, struct wserr *e)
{
	struct journal	 j;
	struct stat	 sb;

	if (stat(ctx->cfg.journal_file, &sb) == -1)
		return 0;
	if (journal_read(ctx->cfg.journal_file, &j, e) == -1)
		return -1;
	if (j.cmdline == NULL)
		return 0;
	if (!locked && j.pid > 0 && kill(j.pid, 0) == 0) {
		journal_free(&j);
		return 0;		/* under way */
	}
	wserr_set(e, EX_SOFTWARE, "an interrupted command left its journal "
	    "%s (pid %ld: %s): run '%s'", ctx->cfg.journal_file,
	    (long)j.pid, j.cmdline, ctx->recover_hint);
	journal_free(&j);
	if (locked)
		return -1;
	(void)fprintf(stderr, "warpstor: warning: %s\n", e->msg);
	return 0;
}

/* The recover command to copy: with the -c in use, shell-quoted. */
static char *
recover_hint(const char *config)
{
	struct strvec	 argv = STRVEC_INIT;
	struct buf	 b = { NULL, 0, 0 };

	strvec_push(&argv, "warpstor");
	if (config != NULL)
		strvec_pushl(&argv, "-c", config, SV_END);
	strvec_push(&argv, "recover");
	argv_join(&b, argv.v);
	strvec_clear(&argv);
	return b.data;
}

static int
finish(const char *name, int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		(void)fprintf(stderr, "warpstor: %s: stdout: %s\n", name,
		    strerror(errno ? errno : EIO));
		return EX_IOERR;
	}
	return rc;
}

/* What the global options asked for, before the command. */
struct globals {
	const char	*config;	/* -c */
	int		 exit;		/* -1: go on; else exit with it */
};

/* The unknown option getopt stopped at: "-q" of a group, or "--long". */
static const char *
global_word(char **argv)
{
	static char	 w[3];		/* read at once, by global_usage */
	const char	*a = argv[optind - 1];

	if (strncmp(a, "--", 2) == 0)
		return a;
	w[0] = '-';
	w[1] = (char)optopt;
	return w;
}

/* An unknown global option, with the closest long one. */
static int
global_unknown(struct ctx *ctx, const char *word)
{
	const char	*names[16];
	char		 near[128];
	size_t		 n = global_names(names, 16, 0);

	return global_usage_near(ctx, "unknown option", word,
	    cmd_suggest_long(word, names, n, near, sizeof(near)) ? near :
	    NULL);
}

/* The options before COMMAND (global_options); argv[optind] is COMMAND. */
static void
parse_globals(struct ctx *ctx, int argc, char **argv, struct globals *g)
{
	int	 ch;

	g->config = NULL;
	g->exit = CMD_GO_ON;
	while (g->exit == CMD_GO_ON && (ch = global_getopt(argc,
	    argv)) != -1) {
		switch (ch) {
		case 'c':
			g->config = optarg;
			break;
		case 'h':
			usage();
			g->exit = finish("help", 0);
			break;
		case 'V':
			(void)printf("warpstor %s\n", WARPSTOR_VERSION);
			g->exit = finish("version", 0);
			break;
		case 'w':
			if (global_set(ctx, ch, optarg) == -1)
				g->exit = global_usage(ctx, "-w takes seconds "
				    "from 0 to 86400, not", optarg);
			break;
		case ':':
			g->exit = global_usage(ctx, "a value is missing "
			    "after", argv[optind - 1]);
			break;
		default:
			if (global_set(ctx, ch, NULL) == -1)
				g->exit = global_unknown(ctx,
				    global_word(argv));
		}
	}
}

/*
 * The command named by argv[0] (help COMMAND included) into ctx->cmd:
 * CMD_GO_ON, or the exit status when there is nothing more to run.
 */
static int
find_command(struct ctx *ctx, int argc, char **argv)
{
	const char	*name = argc > 1 && strcmp(argv[0], "help") == 0 ?
	    argv[1] : argc > 0 ? argv[0] : NULL;
	char		 near[256], v[VIS_BUFSZ];

	if (argc == 0)
		return global_usage(ctx, "missing command", NULL);
	if (strcmp(argv[0], "help") == 0 && argc < 2) {
		usage();
		return finish("help", 0);
	}
	if ((ctx->cmd = command_find(name)) == NULL) {
		if (command_suggest(name, near, sizeof(near)))
			return cmd_error(ctx, EX_USAGE, "unknown command '%s'; "
			    "did you mean %s?", vis_str(v, sizeof(v), name),
			    near);
		return global_usage(ctx, "unknown command", name);
	}
	if (strcmp(argv[0], "help") == 0)
		return finish("help", cmd_help(ctx));
	return CMD_GO_ON;
}

/*
 * What comes before the command runs: root, the configuration, the lock,
 * the journal left by a cut-off command, the destroys the NFS server held
 * up.  Returns CMD_GO_ON (with *lockfd the lock, or -1), or the exit
 * status.
 */
static int
prepare(struct ctx *ctx, const char *config, int *lockfd)
{
	struct wserr	 e;
	const char	*env = NULL;
	int		 required = 1;

	*lockfd = -1;
	if ((ctx->cmd->flags & CMD_ROOT) && geteuid() != 0 && !ctx->dry_run) {
		return cmd_error(ctx, EX_NOPERM, "must be run as root");
	}
	if (config == NULL) {
		if ((env = getenv("WARPSTOR_CONFIG")) != NULL && *env != '\0')
			config = env;
		else {
			config = CONFIG_DEFAULT;
			required = 0;
		}
	}
	if (config[0] != '/') {
		char	 v[VIS_BUFSZ];

		return cmd_error(ctx, EX_USAGE, "%s %s: the configuration file "
		    "is named by its absolute path", config == env ?
		    "WARPSTOR_CONFIG" : "-c", vis_str(v, sizeof(v), config));
	}
	if (config_load(&ctx->cfg, config, required, &e) == -1)
		return cmd_fail(ctx, &e);
	if ((ctx->cmd->flags & CMD_LOCK) && !ctx->dry_run &&
	    (*lockfd = lock_acquire(ctx->cfg.lock_file, ctx->wait_secs,
	    &e)) == -1)
		return cmd_fail(ctx, &e);
	if (!(ctx->cmd->flags & CMD_RECOVER) &&
	    journal_check(ctx, *lockfd != -1, &e) == -1)
		return cmd_fail(ctx, &e);
	/*
	 * Destroys the NFS server held up: finished by the next command
	 * that holds the lock (recover says more about them itself).
	 */
	if (*lockfd != -1 && !(ctx->cmd->flags & CMD_RECOVER))
		(void)deferred_reap(ctx, 0, NULL, &e);
	return CMD_GO_ON;
}

int
main(int argc, char *argv[])
{
	struct ctx	 ctx;
	struct globals	 g;
	struct wserr	 e;
	char		*words;
	struct strvec	 given = STRVEC_INIT;
	long long	 t0 = now_ms();
	int		 rc, lockfd, audit, k;

	/* No descriptor of our caller's goes any further than we do. */
	closefrom(3);
	memset(&ctx, 0, sizeof(ctx));
	ctx.wait_secs = 30;
	ctx.progress = progress_allowed();

	parse_globals(&ctx, argc, argv, &g);
	if (g.exit != CMD_GO_ON)
		return g.exit;
	argc -= optind;
	argv += optind;
	if ((rc = find_command(&ctx, argc, argv)) != CMD_GO_ON)
		return rc;
	ctx.cmdname = ctx.cmd->name;
	cmd_take_globals(&ctx, &argc, argv);
	ctx.recover_hint = recover_hint(g.config);
	if ((rc = prepare(&ctx, g.config, &lockfd)) != CMD_GO_ON) {
		free(ctx.recover_hint);
		if (lockfd != -1)
			(void)close(lockfd);
		config_free(&ctx.cfg);
		return rc;
	}
	audit = -1;
	if ((ctx.cmd->flags & CMD_MUTATES) && !ctx.dry_run && lockfd != -1 &&
	    audit_open(&ctx, &audit, &e) == -1) {
		rc = cmd_fail(&ctx, &e);
		(void)close(lockfd);
		free(ctx.recover_hint);
		config_free(&ctx.cfg);
		return finish(ctx.cmd->name, rc);
	}
	words = log_words(argc, argv);
	ctx.cmdline = words;
	/* as given: the command's getopt permutes argv */
	for (k = 0; audit != -1 && k < argc; k++)
		strvec_push(&given, argv[k]);
	ctx.lockfd = lockfd;
	if ((ctx.cmd->flags & CMD_MUTATES) && !ctx.dry_run)
		txn_signals();
	rc = ctx.cmd->fn(&ctx, argc, argv);
	if ((ctx.cmd->flags & CMD_MUTATES) && !ctx.dry_run)
		log_outcome(words, rc);
	if (audit != -1) {
		audit_write(&ctx, audit, &given, rc, now_ms() - t0);
		(void)close(audit);
	}
	strvec_clear(&given);
	strvec_clear(&ctx.audit_ds);
	free(ctx.audit_fsid);
	free(words);
	free(ctx.recover_hint);
	/* a command may have let it go and taken it again (replicate) */
	if (ctx.lockfd != -1)
		(void)close(ctx.lockfd);
	config_free(&ctx.cfg);
	return finish(ctx.cmd->name, rc);
}
