/*
 * warpstor: hand out ZFS datasets to users over NFS.
 *
 * main(): global options, configuration, the command table and dispatch,
 * and the check of stdout before exit.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <syslog.h>
#include <sysexits.h>
#include <unistd.h>

#include "argv.h"
#include "command.h"
#include "deferred.h"
#include "journal.h"
#include "lock.h"
#include "txn.h"

#ifndef WARPSTOR_VERSION
#define WARPSTOR_VERSION "0.0.0"
#endif

/* In usage order; list-methods prints the names in this order. */
#define MUT	(CMD_ROOT | CMD_LOCK | CMD_MUTATES)

const struct command commands[] = {
	{ "create-fs", "create_fs", cmd_create_fs, "DATASET -u UID -g GID "
	    "[-t TYPE] [-o PROP=VAL]... [--clients LIST] "
	    "[--export-options OPTS]", MUT },
	{ "create-fs-no-export", "create_fs_no_export", cmd_create_fs_no_export,
	    "DATASET -u UID -g GID [-t TYPE] [-o PROP=VAL]...", MUT },
	{ "create-fs-only", "create_fs_only", cmd_create_fs_only,
	    "DATASET [-o PROP=VAL]...", MUT },
	{ "snapshot", "snapshot", cmd_snapshot,
	    "DATASET@NAME | DATASET NAME [-r]", MUT },
	{ "clone", "clone", cmd_clone, "SNAPSHOT DATASET -u UID -g GID "
	    "[-o PROP=VAL]... [--clients LIST] [--export-options OPTS]", MUT },
	{ "clone-only", "clone_only", cmd_clone_only,
	    "SNAPSHOT DATASET [-o PROP=VAL]...", MUT },
	{ "filtered-clone", "filtered_clone", cmd_filtered_clone,
	    "SNAPSHOT DATASET -u UID -g GID [-x GLOB]... [-X FILE]... "
	    "[-o PROP=VAL]... [--clients LIST] [--export-options OPTS]", MUT },
	{ "promote", "promote", cmd_promote, "CLONE", MUT },
	{ "rename", "rename", cmd_rename, "OLD NEW", MUT },
	{ "destroy", "destroy", cmd_destroy, "[-r | -R] [-f] DATASET | SNAPSHOT",
	    MUT },
	{ "replace", "replace", cmd_replace, "DATASET SOURCE [-u UID] [-g GID] "
	    "[-o PROP=VAL]... [-x GLOB]... [-X FILE]... [--keep NAME] "
	    "[--force]", MUT },
	{ "rebuild-vol", "rebuild_vol", cmd_rebuild_vol, "[VOL]", MUT },
	{ "export", NULL, cmd_export, "DATASET [--clients LIST] "
	    "[--export-options OPTS]", MUT },
	{ "unexport", NULL, cmd_unexport, "DATASET", MUT },
	{ "sync-exports", NULL, cmd_sync_exports, "", MUT },
	{ "recover", NULL, cmd_recover, "", MUT | CMD_RECOVER },
	{ "exists", "dataset_exists_not", cmd_exists, "DATASET", 0 },
	{ "snapshot-exists", "snapshot_exists_not", cmd_snapshot_exists,
	    "SNAPSHOT", 0 },
	{ "list-filesystems", "list_filesystems", cmd_list_filesystems,
	    "[PATTERN]", 0 },
	{ "list-snapshots", "list_snapshots", cmd_list_snapshots,
	    "[PATTERN]", 0 },
	{ "list-vols", "list_vols", cmd_list_vols, "", 0 },
	{ "used-space", "get_used_space_for_vol", cmd_used_space,
	    "[VOL] [--human]", 0 },
	{ "available-space", "get_available_space_for_vol",
	    cmd_available_space, "[VOL] [--human]", 0 },
	{ "vfsid", "get_vfsid_for_export", cmd_vfsid, "DATASET", 0 },
	{ "info", NULL, cmd_info, "DATASET", 0 },
	{ "list-methods", "list_wst_methods", cmd_list_methods, "", 0 },
	{ "version", NULL, cmd_version, "", 0 },
	{ NULL, NULL, NULL, NULL, 0 }
};

static void
usage(FILE *fp, const char *why)
{
	const struct command *c;

	if (why != NULL)
		(void)fprintf(fp, "warpstor: %s\n", why);
	(void)fprintf(fp, "usage: warpstor [-hjnVvy] [-c FILE] [-w SECONDS] "
	    "COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
	for (c = commands; c->name != NULL; c++)
		(void)fprintf(fp, "  %s%s%s\n", c->name,
		    *c->synopsis ? " " : "", c->synopsis);
	(void)fprintf(fp, "\n'warpstor COMMAND -h' shows one command's "
	    "usage; see warpstor(8).\n");
}

static const struct command *
command_find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0 ||
		    (c->alias != NULL && strcmp(c->alias, name) == 0))
			return c;
	return NULL;
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
	    "%s (pid %ld: %s): run 'warpstor recover'", ctx->cfg.journal_file,
	    (long)j.pid, j.cmdline);
	journal_free(&j);
	if (locked)
		return -1;
	(void)fprintf(stderr, "warpstor: warning: %s\n", e->msg);
	return 0;
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

/* The options before COMMAND (-hjnVvwy, -c); argv[optind] is COMMAND. */
static void
parse_globals(struct ctx *ctx, int argc, char **argv, struct globals *g)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "wait", required_argument, NULL, 'w' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*errstr;
	int		 ch;

	g->config = NULL;
	g->exit = CMD_GO_ON;
	opterr = 0;
	while (g->exit == CMD_GO_ON && (ch = getopt_long(argc, argv,
	    "+c:hjnVvw:y", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			g->config = optarg;
			break;
		case 'h':
			usage(stdout, NULL);
			g->exit = finish("help", 0);
			break;
		case 'j':
			ctx->json = 1;
			break;
		case 'n':
			ctx->dry_run = 1;
			break;
		case 'V':
			(void)printf("warpstor %s\n", WARPSTOR_VERSION);
			g->exit = finish("version", 0);
			break;
		case 'v':
			ctx->verbose = 1;
			break;
		case 'w':
			ctx->wait_secs = (int)strtonum(optarg, 0, 86400, &errstr);
			if (errstr != NULL) {
				usage(stderr, "-w takes seconds from 0 to 86400");
				g->exit = EX_USAGE;
			}
			break;
		case 'y':
			ctx->yes = 1;
			break;
		default:
			usage(stderr, optopt == 'c' || optopt == 'w' ?
			    "an option is missing its argument" :
			    "unknown option");
			g->exit = EX_USAGE;
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
	char	 v[VIS_BUFSZ];

	if (argc == 0) {
		usage(stderr, "missing command");
		return EX_USAGE;
	}
	if (strcmp(argv[0], "help") == 0) {
		if (argc < 2) {
			usage(stdout, NULL);
			return finish("help", 0);
		}
		if ((ctx->cmd = command_find(argv[1])) == NULL) {
			usage(stderr, "unknown command");
			return EX_USAGE;
		}
		return finish("help", cmd_help(ctx));
	}
	if ((ctx->cmd = command_find(argv[0])) != NULL)
		return CMD_GO_ON;
	(void)fprintf(stderr, "warpstor: unknown command '%s'\n",
	    vis_str(v, sizeof(v), argv[0]));
	usage(stderr, NULL);
	return EX_USAGE;
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
	const char	*env;
	int		 required = 1;

	*lockfd = -1;
	if ((ctx->cmd->flags & CMD_ROOT) && geteuid() != 0 && !ctx->dry_run) {
		(void)fprintf(stderr, "warpstor: %s: must be run as root\n",
		    ctx->cmd->name);
		return EX_NOPERM;
	}
	if (config == NULL) {
		if ((env = getenv("WARPSTOR_CONFIG")) != NULL && *env != '\0')
			config = env;
		else {
			config = CONFIG_DEFAULT;
			required = 0;
		}
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
	char		*words;
	int		 rc, lockfd;

	/* No descriptor of our caller's goes any further than we do. */
	closefrom(3);
	memset(&ctx, 0, sizeof(ctx));
	ctx.wait_secs = 30;

	parse_globals(&ctx, argc, argv, &g);
	if (g.exit != CMD_GO_ON)
		return g.exit;
	argc -= optind;
	argv += optind;
	if ((rc = find_command(&ctx, argc, argv)) != CMD_GO_ON)
		return rc;
	ctx.cmdname = ctx.cmd->name;
	if ((rc = prepare(&ctx, g.config, &lockfd)) != CMD_GO_ON) {
		if (lockfd != -1)
			(void)close(lockfd);
		config_free(&ctx.cfg);
		return rc;
	}
	words = log_words(argc, argv);
	ctx.cmdline = words;
	if ((ctx.cmd->flags & CMD_MUTATES) && !ctx.dry_run)
		txn_signals();
	rc = ctx.cmd->fn(&ctx, argc, argv);
	if ((ctx.cmd->flags & CMD_MUTATES) && !ctx.dry_run)
		log_outcome(words, rc);
	free(words);
	if (lockfd != -1)
		(void)close(lockfd);
	config_free(&ctx.cfg);
	return finish(ctx.cmd->name, rc);
}
