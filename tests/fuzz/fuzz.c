/*
 * libFuzzer harnesses for every parser and validator of warpstor, one
 * binary per FUZZ_* target (make fuzz builds them all from this file).
 * Beyond not crashing, each checks the promise its code makes: what a
 * validator accepts can never break an exports-file line or reach zfs
 * with a byte it should not.
 */
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "fs/filter.h"
#include "txn/journal.h"
#include "nfs/nfsd.h"
#include "nfs/nfs.h"
#include "lib/validate.h"
#include "zfs/zfs.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
cstr(const uint8_t *data, size_t size)
{
	char	*s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The input as a file, without touching the disk. */
__attribute__((unused)) static int
as_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	int	 fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd == -1 || write(fd, data, size) != (ssize_t)size)
		abort();
	(void)snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

__attribute__((unused)) static void
check(int ok)
{
	if (!ok)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wserr	 e;
	char		*s = cstr(data, size);

	(void)e;
#if defined(FUZZ_NAMES)
	{
		uid_t	 u;
		gid_t	 g;

		if (valid_dataset(s, &e) == 0) {
			check(strlen(s) <= 255 && strchr(s, '@') == NULL);
			check(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
			    "opqrstuvwxyz0123456789_-.:/") == strlen(s));
			check(s[0] != '-' && s[0] != '/' && strstr(s, "//") == NULL);
		}
		if (valid_snapshot(s, &e) == 0)
			check(strchr(s, '@') == strrchr(s, '@') &&
			    strpbrk(s, " \t\n") == NULL);
		(void)valid_dataset_or_snapshot(s, &e);
		if (valid_pattern(s, &e) == 0)
			check(strpbrk(s, " \t\n\\$`;|&'\"(){}<>") == NULL);
		if (size < 16) {
			(void)parse_uid(s, &u, &e);
			(void)parse_gid(s, &g, &e);
		}
	}
#elif defined(FUZZ_CLIENTS)
	if (valid_clients(s, &e) == 0) {
		struct strvec	 cl = STRVEC_INIT;
		size_t		 i;

		check(strpbrk(s, " \t\n\"'#") == NULL && s[0] != '-');
		/* each entry: a client without parentheses, then at most
		 * its own options, which pass --export-options' check */
		clients_split(s, &cl);
		for (i = 0; i < cl.n; i++) {
			char	*own = client_own_options(cl.v[i]);
			size_t	 n = client_len(cl.v[i]);

			check(n > 0 && memchr(cl.v[i], ')', n) == NULL);
			check(own == NULL ? cl.v[i][n] == '\0' :
			    valid_options(own, &e) == 0 &&
			    strlen(own) + n + 2 == strlen(cl.v[i]));
			free(own);
		}
		strvec_clear(&cl);
	}
#elif defined(FUZZ_OPTIONS)
	if (valid_options(s, &e) == 0) {
		check(strpbrk(s, " \t\n()\"'#") == NULL);
		/* no option fsid=: warpstor's own (a path may hold "fsid") */
		check(strncmp(s, "fsid", 4) != 0 && strstr(s, ",fsid") == NULL);
	}
#elif defined(FUZZ_FILTER)
	{
		struct filter	 f = { NULL, 0 };
		char		*nl = strchr(s, '\n');

		if (nl != NULL)
			*nl++ = '\0';
		if (filter_add(&f, s, &e) == 0) {
			check(s[0] != '/' && strcmp(s, "..") != 0 &&
			    strncmp(s, "../", 3) != 0 && strstr(s, "/../") == NULL);
			if (nl != NULL)
				(void)filter_match(&f, nl);
		}
		filter_free(&f);
		/* a warpstor:filter value: every glob checked, and it
		 * round-trips through filter_record */
		if (filter_add_record(&f, s, &e) == 0) {
			struct filter	 g = { NULL, 0 };
			char		*rec = filter_record(&f);
			size_t		 i;

			check(rec == NULL ? f.n == 0 :
			    filter_add_record(&g, rec, &e) == 0 && g.n == f.n);
			for (i = 0; i < f.n; i++) {
				check(f.globs[i][0] != '/');
				check(i >= g.n || strcmp(f.globs[i], g.globs[i]) == 0);
			}
			free(rec);
			filter_free(&g);
		}
		filter_free(&f);
	}
#elif defined(FUZZ_CONFIG)
	{
		struct config	 c;
		char		 path[64];
		int		 fd = as_file(data, size, path, sizeof(path));

		if (config_load(&c, path, 1, &e) == 0 &&
		    c.export_clients != NULL)
			check(valid_clients(c.export_clients, &e) == 0);
		config_free(&c);
		(void)close(fd);
	}
#elif defined(FUZZ_ZFS)
	{
		struct zfs_dslist l;
		struct zfs_names n, sus;
		char		*copy = strdup(s);

		if (copy == NULL)
			abort();
		/* the lists own the buffer, parsed or not */
		(void)zfs_parse_get(copy, (1u << ZP_COUNT) - 1, &l, &sus, &e);
		zfs_dslist_free(&l);
		free(sus.v);
		copy = strdup(s);
		if (copy == NULL)
			abort();
		(void)zfs_parse_names(copy, &n, &e);
		zfs_names_free(&n);
	}
#elif defined(FUZZ_EXPORTS)
	{
		struct nfs_file	 f;
		struct nfs_export *ex;
		size_t		 n, i;
		char		 path[64], *out;
		int		 fd = as_file(data, size, path, sizeof(path));

		if (nfs_file_read(path, &f, &e) == 0) {
			(void)nfs_file_exports(&f, &ex, &n);
			for (i = 0; i < n; i++)
				nfs_export_free(&ex[i]);
			free(ex);
			out = nfs_file_render(&f);
			free(out);
		}
		nfs_file_free(&f);
		(void)close(fd);
	}
#elif defined(FUZZ_JOURNAL)
	{
		struct journal	 j;
		char		 path[64];
		int		 fd = as_file(data, size, path, sizeof(path));

		if (journal_read(path, &j, &e) == 0)
			journal_free(&j);
		(void)close(fd);
	}
#elif defined(FUZZ_NFSD)
	{
		const char	*name;
		unsigned long	 ino;
		size_t		 len;
		int		 rc;

		/* any dev: 0x2b:8 and every other one */
		rc = nfsd_parse_record(s, 0, &ino, &name, &len);
		(void)rc;
		rc = nfsd_parse_record(s, makedev(0x2b, 8), &ino, &name, &len);
		if (rc == 1) {
			/* the name lies inside the line, before its " }" */
			check(name > s && name + len + 3 == s + strlen(s));
			check(strncmp(s, "- 0x", 4) == 0 && ino != 0);
			check(memchr(name, '\n', len) == NULL);
		}
	}
#else
#error "define one FUZZ_* target"
#endif
	free(s);
	return 0;
}
