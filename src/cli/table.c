/*
 * table.c: the command table, and finding a command in it by name.
 * Usage, `help COMMAND`, `COMMAND -h`, list-methods, completion and the
 * lock policy all read it; each command's options are parsed from its
 * own list here (cmd_getopt), so what -h explains is what is parsed.
 */
#include <stddef.h>
#include <string.h>

#include "cli/cli.h"
#include "cmd/cmd.h"

/* Options that several commands share. */
#define O_UID		{ 'u', 'u', NULL, "UID", "owner of the files: a " \
			    "user id or name" }
#define O_GID		{ 'g', 'g', NULL, "GID", "their group: a group id " \
			    "or name" }
#define O_TYPE		{ 't', 't', NULL, "TYPE", "properties of the " \
			    "type.TYPE line of the configuration" }
#define O_PROP		{ 'o', 'o', NULL, "PROP=VAL", "a property of the " \
			    "new dataset (again for more)" }
#define O_CLIENTS	{ 'C', 0, "clients", "LIST", "NFS clients, " \
			    "comma-separated (default: export_clients)" }
#define O_EXPOPTS	{ 'E', 0, "export-options", "OPTS", "exports(5) " \
			    "options (default: export_options)" }
#define O_GLOB		{ 'x', 'x', NULL, "GLOB", "remove what matches " \
			    "GLOB, relative to the dataset root (again for " \
			    "more)" }
#define O_GLOBFILE	{ 'X', 'X', NULL, "FILE", "the globs of FILE, one " \
			    "a line" }
#define O_HUMAN		{ 'H', 0, "human", NULL, "sizes (and dates) as " \
			    "zfs prints them: 8.56M, 2026-11-29T10:00:00Z" }
#define O_END		{ 0, 0, NULL, NULL, NULL }

static const struct cmd_option o_create_fs[] = {
	O_UID, O_GID, O_TYPE, O_PROP, O_CLIENTS, O_EXPOPTS, O_END
};
static const struct cmd_option o_create_noexp[] = {
	O_UID, O_GID, O_TYPE, O_PROP, O_END
};
static const struct cmd_option o_prop[] = { O_PROP, O_END };
static const struct cmd_option o_snapshot[] = {
	{ 'r', 'r', NULL, NULL, "the same snapshot of every child too" },
	O_END
};
static const struct cmd_option o_clone[] = {
	O_UID, O_GID, O_PROP, O_CLIENTS, O_EXPOPTS, O_END
};
static const struct cmd_option o_filtered[] = {
	O_UID, O_GID, O_GLOB, O_GLOBFILE, O_PROP, O_CLIENTS, O_EXPOPTS, O_END
};
static const struct cmd_option o_destroy[] = {
	{ 'r', 'r', NULL, NULL, "children and snapshots too (a snapshot: "
	    "the same snapshot below)" },
	{ 'R', 'R', NULL, NULL, "dependent clones too, and theirs" },
	{ 'f', 'f', NULL, NULL, "unmount even when busy" },
	O_END
};
static const struct cmd_option o_replace[] = {
	{ 'u', 'u', NULL, "UID", "owner of the new content (default: "
	    "DATASET's root's)" },
	{ 'g', 'g', NULL, "GID", "its group (default: DATASET's root's)" },
	O_PROP, O_GLOB, O_GLOBFILE,
	{ 'k', 0, "keep", "NAME", "keep the old content as NAME instead of "
	    "destroying it" },
	{ 'F', 0, "force", NULL, "take over a SOURCE dataset that is in use" },
	O_END
};
static const struct cmd_option o_export[] = { O_CLIENTS, O_EXPOPTS, O_END };
static const struct cmd_option o_sync[] = {
	{ 'W', 0, "withdraw", NULL, "take down every export of POOL's "
	    "datasets, keeping their properties (before zpool export)" },
	O_END
};
static const struct cmd_option o_human[] = { O_HUMAN, O_END };
static const struct cmd_option o_takeover[] = {
	{ 'o', 'o', NULL, "mountpoint=PATH", "where to mount it, when its "
	    "parent here gives it no place (none, legacy)" },
	{ 'C', 0, "clients", "LIST", "NFS clients, replacing those it came "
	    "with" },
	{ 'E', 0, "export-options", "OPTS", "exports(5) options, replacing "
	    "those it came with" },
	O_END
};
static const struct cmd_option o_replicate[] = {
	{ 'r', 'r', NULL, NULL, "DATASET and every filesystem below it, "
	    "origins before their clones" },
	{ 'F', 0, "force", NULL, "take a TARGET that is live, written to or "
	    "ahead, or has no snapshot in common (a failback), saying what "
	    "it discards" },
	{ 'k', 0, "keep", "N", "ws-rep-* snapshots kept on each side "
	    "(default: replicate_keep)" },
	{ 'L', 0, "limit", "RATE", "cap the stream at RATE bytes a second "
	    "(K, M, G; default: replicate_limit)" },
	O_END
};

static const struct cmd_option o_receive_replica[] = {
	{ 'O', 0, "of", "NODE:DATASET", "the replica's source, as its mark "
	    "names it" },
	{ 'F', 0, "force", NULL, "the sender took a TARGET that was live "
	    "(replicate --force): not refused for it" },
	{ 'R', 0, "rollback", NULL, "receive -F: what TARGET has since the "
	    "common snapshot goes" },
	{ 'T', 0, "tag", "TAG", "hold what it received by TAG "
	    "(warpstor:HOST:TARGET), releasing the tag's older holds" },
	{ 'K', 0, "keep", "N", "with --tag: ws-rep-* kept (default: "
	    "replicate_keep); the pruned printed" },
	O_END
};

static const struct cmd_option o_metrics[] = {
	{ 'T', 0, "textfile", "DIR", "write DIR/warpstor.prom atomically "
	    "(node_exporter's textfile collector) instead of stdout" },
	O_END
};

/* In usage order; list-methods prints the names in this order. */
#define MUT	(CMD_ROOT | CMD_LOCK | CMD_MUTATES)

const struct command commands[] = {
	{ "create-fs", "create_fs", cmd_create_fs, "DATASET -u UID -g GID "
	    "[-t TYPE] [-o PROP=VAL]... [--clients LIST] "
	    "[--export-options OPTS]", MUT, o_create_fs,
	    "create a dataset owned by UID:GID and export it" },
	{ "create-fs-no-export", "create_fs_no_export", cmd_create_fs_no_export,
	    "DATASET -u UID -g GID [-t TYPE] [-o PROP=VAL]...", MUT,
	    o_create_noexp, "create a dataset owned by UID:GID" },
	{ "create-fs-only", "create_fs_only", cmd_create_fs_only,
	    "DATASET [-o PROP=VAL]...", MUT, o_prop,
	    "zfs create and nothing else" },
	{ "snapshot", "snapshot", cmd_snapshot,
	    "DATASET@NAME | DATASET NAME [-r]", MUT, o_snapshot,
	    "take a snapshot" },
	{ "clone", "clone", cmd_clone, "SNAPSHOT DATASET -u UID -g GID "
	    "[-o PROP=VAL]... [--clients LIST] [--export-options OPTS]", MUT,
	    o_clone, "clone a snapshot, owned by UID:GID, and export it" },
	{ "clone-only", "clone_only", cmd_clone_only,
	    "SNAPSHOT DATASET [-o PROP=VAL]...", MUT, o_prop,
	    "zfs clone and nothing else" },
	{ "filtered-clone", "filtered_clone", cmd_filtered_clone,
	    "SNAPSHOT DATASET -u UID -g GID [-x GLOB]... [-X FILE]... "
	    "[-o PROP=VAL]... [--clients LIST] [--export-options OPTS]", MUT,
	    o_filtered, "clone, remove what the filter matches, chown, "
	    "export" },
	{ "promote", "promote", cmd_promote, "CLONE", MUT, NULL,
	    "zfs promote; the exports stay" },
	{ "rename", "rename", cmd_rename, "OLD NEW", MUT, NULL,
	    "rename, the exports moved along with the same fsid" },
	{ "destroy", "destroy", cmd_destroy, "[-r | -R] [-f] DATASET | SNAPSHOT",
	    MUT, o_destroy, "withdraw the exports of what goes, then destroy" },
	{ "replace", "replace", cmd_replace, "DATASET SOURCE [-u UID] [-g GID] "
	    "[-o PROP=VAL]... [-x GLOB]... [-X FILE]... [--keep NAME] "
	    "[--force]", MUT, o_replace, "give DATASET the content of SOURCE "
	    "under the same export; clients keep their mount" },
	{ "rebuild-vol", "rebuild_vol", cmd_rebuild_vol, "[VOL]", MUT, NULL,
	    "destroy everything inside VOL (asks, unless -y)" },
	{ "export", NULL, cmd_export, "DATASET [--clients LIST] "
	    "[--export-options OPTS]", MUT, o_export,
	    "export a dataset (its fsid kept if it had one)" },
	{ "unexport", NULL, cmd_unexport, "DATASET", MUT, NULL,
	    "withdraw a dataset's export (its fsid kept)" },
	{ "sync-exports", NULL, cmd_sync_exports, "[--withdraw] [POOL]", MUT,
	    o_sync, "rebuild the exports file and the live table from the "
	    "properties (POOL: only its exports)" },
	{ "recover", NULL, cmd_recover, "", MUT | CMD_RECOVER, NULL,
	    "finish or undo a command that was cut off" },
	{ "replicate", NULL, cmd_replicate, "[-r] DATASET[@SNAP] [HOST:]TARGET "
	    "[--keep N] [--limit RATE] [--force]", MUT, o_replicate, "bring a replica on a standby up "
	    "to DATASET as it is now (full, then incremental)" },
	{ "receive-replica", NULL, cmd_receive_replica, "--of NODE:DATASET "
	    "[--force] [--rollback] [--tag TAG [--keep N]] TARGET", MUT, o_receive_replica,
	    "receive a replica stream from stdin into TARGET under this "
	    "node's lock (what replicate runs on the other node)" },
	{ "takeover", NULL, cmd_takeover, "DATASET [-o mountpoint=PATH] "
	    "[--clients LIST] [--export-options OPTS]", MUT, o_takeover,
	    "make a replica the live dataset, exported with its own fsid" },
	{ "status", NULL, cmd_status, "[POOL]", 0, NULL, "the node at a glance: "
	    "journal, deferred destroys, drift, replicas, lock; exit 1 when "
	    "something needs attention" },
	{ "metrics", NULL, cmd_metrics, "[--textfile DIR]", 0, o_metrics,
	    "the node's figures for Prometheus, on stdout or into "
	    "DIR/warpstor.prom" },
	{ "exists", "dataset_exists_not", cmd_exists, "DATASET", 0, NULL,
	    "exit 0 when the filesystem exists, 1 when not" },
	{ "snapshot-exists", "snapshot_exists_not", cmd_snapshot_exists,
	    "SNAPSHOT", 0, NULL, "exit 0 when the snapshot exists, 1 when not" },
	{ "list-filesystems", "list_filesystems", cmd_list_filesystems,
	    "[PATTERN]", 0, NULL, "filesystems, sorted by name" },
	{ "list-snapshots", "list_snapshots", cmd_list_snapshots,
	    "[DATASET | PATTERN]", 0, NULL,
	    "snapshots, oldest first (a DATASET: its snapshots)" },
	{ "list-vols", "list_vols", cmd_list_vols, "", 0, NULL,
	    "the volumes (pools' root datasets)" },
	{ "list-exports", NULL, cmd_list_exports, "[PATTERN]", 0, NULL,
	    "exported datasets: path, dataset, clients, options, fsid, where "
	    "the export is" },
	{ "used-space", "get_used_space_for_vol", cmd_used_space,
	    "[VOL] [--human]", 0, o_human, "bytes used in VOL" },
	{ "available-space", "get_available_space_for_vol",
	    cmd_available_space, "[VOL] [--human]", 0, o_human,
	    "bytes available in VOL" },
	{ "vfsid", "get_vfsid_for_export", cmd_vfsid, "DATASET", 0, NULL,
	    "the fsid of a dataset's export" },
	{ "info", NULL, cmd_info, "DATASET [--human]", 0, o_human,
	    "what warpstor knows of a dataset" },
	{ "list-methods", "list_wst_methods", cmd_list_methods, "", 0, NULL,
	    "every command name, comma-separated" },
	{ "version", NULL, cmd_version, "", 0, NULL,
	    "the versions of warpstor, zfs and nfs-utils" },
	{ NULL, NULL, NULL, NULL, 0, NULL, NULL }
};

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

int
command_suggest(const char *name, char *buf, size_t len)
{
	const char	*names[64];
	size_t		 n = 0;
	const struct command *c;

	for (c = commands; c->name != NULL && n < 64; c++)
		names[n++] = c->name;
	return words_near(name, names, n, buf, len);
}

