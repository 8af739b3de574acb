/*
 * check.c: warpstor's validators and parsers, one call each from the
 * command line, for tests/unit/parsers.bats (no root, no zfs):
 *
 *   check KIND VALUE      KIND: dataset snapshot pattern clients options
 *                         prop uid gid rate duration filter; prints "ok" and
 *                         exits 0, or prints the error and exits 1
 *   check journal FILE    the journal as recover reads it
 *   check zfs-get FILE    zfs get -H -p -o name,property,value,source
 *                         output as warpstor parses it
 *   check exports FILE    an exports file's exports
 *   check keyidx KEY K... the places (from 0) of KEY among the Ks, as
 *                         a sorted index finds them, or "none"
 *   check pipe SH1 SH2    sh -c SH1 | sh -c SH2 as replicate runs zfs send
 *                         | zfs receive: how each ended, then what the
 *                         second wrote
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/filter.h"
#include "lib/file.h"
#include "lib/util.h"
#include "lib/validate.h"
#include "nfs/nfs.h"
#include "run/spawn.h"
#include "txn/journal.h"
#include "zfs/zfs.h"

static int
value(const char *kind, const char *v)
{
	struct filter	 f = { NULL, 0 };
	struct wserr	 e;
	unsigned long long r;
	uid_t		 u;
	gid_t		 g;
	int		 rc;

	if (strcmp(kind, "dataset") == 0)
		rc = valid_dataset(v, &e);
	else if (strcmp(kind, "snapshot") == 0)
		rc = valid_snapshot(v, &e);
	else if (strcmp(kind, "pattern") == 0)
		rc = valid_pattern(v, &e);
	else if (strcmp(kind, "clients") == 0)
		rc = valid_clients(v, &e);
	else if (strcmp(kind, "options") == 0)
		rc = valid_options(v, &e);
	else if (strcmp(kind, "prop") == 0)
		rc = valid_propassign(v, &e);
	else if (strcmp(kind, "uid") == 0) {
		if ((rc = parse_uid(v, &u, &e)) == 0)
			(void)printf("%lu\n", (unsigned long)u);
	} else if (strcmp(kind, "gid") == 0) {
		if ((rc = parse_gid(v, &g, &e)) == 0)
			(void)printf("%lu\n", (unsigned long)g);
	} else if (strcmp(kind, "rate") == 0) {
		if ((rc = parse_rate(v, &r)) == 0)
			(void)printf("%llu\n", r);
		else
			(void)strlcpy(e.msg, "not a rate", sizeof(e.msg));
	} else if (strcmp(kind, "duration") == 0) {
		long long	 secs;

		if ((rc = parse_duration(v, &secs)) == 0)
			(void)printf("%lld\n", secs);
		else
			(void)strlcpy(e.msg, "not a duration", sizeof(e.msg));
	} else if (strcmp(kind, "filter") == 0) {
		rc = filter_add(&f, v, &e);
		filter_free(&f);
	} else {
		(void)fprintf(stderr, "check: no kind %s\n", kind);
		return 2;
	}
	(void)puts(rc == 0 ? "ok" : e.msg);
	return rc == 0 ? 0 : 1;
}

static int
journal(const char *path)
{
	struct journal	 j;
	struct wserr	 e;
	size_t		 i, k;

	if (journal_read(path, &j, &e) == -1) {
		(void)puts(e.msg);
		return 1;
	}
	(void)printf("pid %ld\ncmdline %s\n", (long)j.pid,
	    j.cmdline != NULL ? j.cmdline : "-");
	for (i = 0; i < j.n; i++) {
		(void)printf("%s %s", j.v[i].kind == J_FILE ? "file" : "undo",
		    j.v[i].name != NULL ? j.v[i].name : "-");
		for (k = 0; k < j.v[i].argv.n; k++)
			(void)printf(" [%s]", j.v[i].argv.v[k]);
		(void)printf(" state %d\n", (int)j.v[i].state);
	}
	(void)printf("final %d", (int)j.final_state);
	for (k = 0; k < j.final.n; k++)
		(void)printf(" [%s]", j.final.v[k]);
	(void)putchar('\n');
	journal_free(&j);
	return 0;
}

static char *
slurp(const char *path)
{
	char	*data;
	struct wserr e;

	if (file_read(path, &data, &e) == -1) {
		(void)puts(e.msg);
		exit(1);
	}
	return data;
}

static int
zfs_get_file(const char *path)
{
	struct zfs_dslist l;
	struct zfs_names sus;
	struct wserr	 e;
	size_t		 i, k;

	if (zfs_parse_get(slurp(path), ZPM(ZP_TYPE) | ZPM(ZP_MOUNTPOINT) |
	    ZPM(ZP_FSID) | ZPM(ZP_CLIENTS) | ZPM(ZP_OPTIONS), &l, &sus,
	    &e) == -1) {
		(void)puts(e.msg);
		return 1;
	}
	for (i = 0; i < l.n; i++) {
		(void)printf("%s", l.v[i].name);
		for (k = 0; k < ZP_COUNT; k++)
			if (l.v[i].val[k] != NULL)
				(void)printf(" %s=%s%s", zfs_prop_name(k),
				    l.v[i].val[k], l.v[i].local & ZPM(k) ?
				    " (local)" : "");
		(void)putchar('\n');
	}
	for (i = 0; i < sus.n; i++)
		(void)printf("left out: %s\n", sus.v[i]);
	zfs_dslist_free(&l);
	free(sus.v);
	return 0;
}

static int
exports(const char *path)
{
	struct nfs_file	 f;
	struct nfs_export *ex;
	struct wserr	 e;
	size_t		 n, i;

	if (nfs_file_read(path, &f, &e) == -1) {
		(void)puts(e.msg);
		return 1;
	}
	(void)nfs_file_exports(&f, &ex, &n);
	for (i = 0; i < n; i++) {
		(void)printf("%s clients=%s options=%s fsid=%s\n", ex[i].path,
		    ex[i].clients, ex[i].options, ex[i].fsid);
		nfs_export_free(&ex[i]);
	}
	free(ex);
	nfs_file_free(&f);
	return 0;
}

static int
keyidx(const char *key, char **k, size_t n)
{
	struct keyidx	*v = xcalloc(n + 1, sizeof(*v));
	size_t		 i;

	for (i = 0; i < n; i++) {
		v[i].key = k[i];
		v[i].at = i;
	}
	keyidx_sort(v, n);
	i = keyidx_find(v, n, key);
	if (i == n)
		(void)puts("none");
	for (; i < n && strcmp(v[i].key, key) == 0; i++)
		(void)printf("%zu\n", v[i].at);
	free(v);
	return 0;
}

static int
pipe2sh(const char *sh1, const char *sh2)
{
	char *const	 a1[] = { "sh", "-c", (char *)sh1, NULL };
	char *const	 a2[] = { "sh", "-c", (char *)sh2, NULL };
	struct spawn_result r1, r2;
	struct wserr	 e;

	if (spawn_pipe("/bin/sh", a1, "/bin/sh", a2, 0, &r1, &r2, NULL, NULL,
	    &e) == -1) {
		(void)printf("%s\n", e.msg);
		return 1;
	}
	(void)printf("%d %d\n%s", r1.status, r2.status, r2.out.data);
	spawn_result_free(&r1);
	spawn_result_free(&r2);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc >= 3 && strcmp(argv[1], "keyidx") == 0)
		return keyidx(argv[2], argv + 3, (size_t)argc - 3);
	if (argc == 4 && strcmp(argv[1], "pipe") == 0)
		return pipe2sh(argv[2], argv[3]);
	if (argc != 3) {
		(void)fprintf(stderr, "usage: check KIND VALUE | check "
		    "journal|zfs-get|exports FILE\n");
		return 2;
	}
	if (strcmp(argv[1], "journal") == 0)
		return journal(argv[2]);
	if (strcmp(argv[1], "zfs-get") == 0)
		return zfs_get_file(argv[2]);
	if (strcmp(argv[1], "exports") == 0)
		return exports(argv[2]);
	return value(argv[1], argv[2]);
}
