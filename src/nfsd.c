/*
 * nfsd.c: delegations of the kernel NFS server (nfsd.h).
 *
 * /proc/fs/nfsd/clients/ID/states (Linux 5.3 and later) has a line per
 * stateid; a delegation reads
 *   - 0x...: { type: deleg, access: r, superblock: "00:2b:8", filename: "/f" }
 * with the filesystem's device (major:minor, hex) and the inode number.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nfsd.h"
#include "util.h"

#define CLIENTS_DIR	"/proc/fs/nfsd/clients"
#define WALK_DEPTH	64

struct inos {
	unsigned long	*v;
	size_t		 n;
};

/* The inode of a delegation line on the filesystem of dev, or 0. */
static unsigned long
deleg_ino(const char *line, unsigned long dev)
{
	const char	*sb;
	char		*end;
	unsigned long	 maj, min, ino;

	if (strstr(line, "type: deleg") == NULL ||
	    (sb = strstr(line, "superblock: \"")) == NULL)
		return 0;
	/* "MAJOR:MINOR:INODE", the first two in hex */
	errno = 0;
	maj = strtoul(sb + 13, &end, 16);
	if (*end != ':' || end == sb + 13)
		return 0;
	min = strtoul(end + 1, &end, 16);
	if (*end != ':')
		return 0;
	ino = strtoul(end + 1, &end, 10);
	if (*end != '"' || errno != 0 || maj > 0xfff || min > 0xfffff)
		return 0;
	return makedev(maj, min) == dev ? ino : 0;
}

/* The delegations on dev's files, from every client's states. */
static void
delegations(unsigned long dev, struct inos *out)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[300], *line = NULL;
	size_t		 cap = 0;

	memset(out, 0, sizeof(*out));
	if ((d = opendir(CLIENTS_DIR)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		FILE	*fp;

		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s/states", CLIENTS_DIR,
		    de->d_name);
		if ((fp = fopen(path, "re")) == NULL)
			continue;
		while (getline(&line, &cap, fp) != -1) {
			unsigned long ino = deleg_ino(line, dev);

			if (ino == 0)
				continue;
			out->v = xreallocarray(out->v, out->n + 1,
			    sizeof(*out->v));
			out->v[out->n++] = ino;
		}
		(void)fclose(fp);
	}
	free(line);
	(void)closedir(d);
}

int
nfsd_delegations(unsigned long dev)
{
	struct inos	 l;
	int		 n;

	delegations(dev, &l);
	n = (int)l.n;
	free(l.v);
	return n;
}

static int
wanted(const struct inos *l, unsigned long ino)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == ino)
			return 1;
	return 0;
}

/*
 * Below the folder dfd (on dev): open each regular file whose inode is
 * wanted for writing, without blocking, and close it again at once.
 * Returns how many were found.  dfd is closed.
 */
static size_t
walk(int dfd, dev_t dev, const struct inos *l, int depth)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	size_t		 found = 0;
	int		 fd;

	if ((d = fdopendir(dfd)) == NULL) {
		(void)close(dfd);
		return 0;
	}
	while (found < l->n && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR && depth < WALK_DEPTH) {
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (fd == -1)
				continue;
			if (fstat(fd, &sb) == -1 || sb.st_dev != dev) {
				(void)close(fd);	/* another filesystem */
				continue;
			}
			found += walk(fd, dev, l, depth + 1);
			continue;
		}
		if ((de->d_type != DT_REG && de->d_type != DT_UNKNOWN) ||
		    !wanted(l, (unsigned long)de->d_ino))
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(sb.st_mode) || sb.st_dev != dev ||
		    !wanted(l, (unsigned long)sb.st_ino))
			continue;
		found++;
		/* EWOULDBLOCK: the lease is being broken, the recall is sent */
		fd = openat(dirfd(d), de->d_name, O_WRONLY | O_NONBLOCK |
		    O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		if (fd != -1)
			(void)close(fd);
	}
	(void)closedir(d);
	return found;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL);
}

int
nfsd_recall(int rootfd, long ms)
{
	struct inos	 l;
	struct stat	 sb;
	long		 waited = 0;
	int		 fd, left;

	if (fstat(rootfd, &sb) == -1)
		return 0;
	delegations(sb.st_dev, &l);
	if (l.n == 0)
		return 0;
	if ((fd = dup(rootfd)) != -1) {
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		(void)lseek(fd, 0, SEEK_SET);
		(void)walk(fd, sb.st_dev, &l, 0);
	}
	free(l.v);
	while ((left = nfsd_delegations(sb.st_dev)) > 0 && waited < ms) {
		nap_ms(50);
		waited += 50;
	}
	return left;
}
