/*
 * nfsd.c: delegations of the kernel NFS server (nfsd.h).
 *
 * /proc/fs/nfsd/clients/ID/states (Linux 5.3 and later) has a record per
 * stateid; a delegation is one line
 *   - 0xGGGGGGGGOOOOOOOOOOOOOOOOOOOOOOOO: { type: deleg, access: r,
 *     superblock: "00:2b:8", filename: "dir/f" }
 * (without the line break): the stateid (32 hex digits), the
 * filesystem's device (major:minor, hex) and the inode number, and the
 * last two components of the file's path, printed as they are: a client
 * that names a file with a newline and a record's text in it makes that
 * text a line of its own.  So each record is read to its exact shape, a
 * record's file name is checked against the name of the file found by
 * its inode, and a file whose record does not hold up makes the rest of
 * that client's file untrusted.  The files are opened without following
 * anything (O_PATH), checked after opening (a regular file on that
 * filesystem) and only then opened for writing through the descriptor,
 * without blocking; the whole recall is bounded in time.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/file.h"
#include "nfs/nfsd.h"
#include "lib/util.h"

/*
 * The test build (tests/unit, NFSD_TEST) reads a folder of its own and
 * is told of each open; warpstor reads the kernel's, and no environment
 * variable or option can change that.
 */
#ifdef NFSD_TEST
extern const char *nfsd_test_dir;
void	 nfsd_test_hook(const char *);
#define NFSD_CLIENTS_DIR	nfsd_test_dir
#define NFSD_TEST_HOOK(name)	nfsd_test_hook(name)
#else
#define NFSD_CLIENTS_DIR	"/proc/fs/nfsd/clients"
#define NFSD_TEST_HOOK(name)	((void)(name))
#endif
#define WALK_DEPTH	64
#define STATEID_HEX	32

/* A delegation record: the inode, and the file name the kernel printed. */
struct deleg {
	unsigned long	 ino;
	char		*name;		/* its last component */
	size_t		 file;		/* which client's states file */
	int		 bad;		/* found, and its name did not match */
	int		 fd;		/* O_PATH of the file found, or -1 */
};

struct delegs {
	struct deleg	*v;
	size_t		 n;
	size_t		 nfiles;
};

static long long
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
hexn(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return 1;
}

/* A number of base 16 or 10 at *p, up to stop; advances *p past stop. */
static int
number(const char **p, int base, char stop, unsigned long max,
    unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	int	 d, n = 0;

	for (; *s != stop; s++, n++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return -1;
		if (n > 20 || v > (max - (unsigned long)d) / (unsigned long)base)
			return -1;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	if (n == 0)
		return -1;
	*out = v;
	*p = s + 1;
	return 0;
}

/*
 * One line of a states file.  Returns 1 for a delegation on dev (*ino,
 * and its file name in [*name, *name + *len)), 0 for any other record of
 * the right shape, -1 for a line that is no record: the continuation of
 * a file name with a newline in it.
 */
int
nfsd_parse_record(const char *line, unsigned long dev, unsigned long *ino,
    const char **name, size_t *len)
{
	static const char deleg[] = ": { type: deleg, access: ";
	static const char sb[] = ", superblock: \"";
	static const char fn[] = "\", filename: \"";
	const char	*p = line, *end;
	unsigned long	 maj, min;
	size_t		 n = strlen(line);

	if (strncmp(p, "- 0x", 4) != 0 || n < 4 + STATEID_HEX ||
	    !hexn(p + 4, STATEID_HEX))
		return -1;
	p += 4 + STATEID_HEX;
	if (strncmp(p, ": { type: ", 10) != 0 || n < 2 ||
	    strcmp(line + n - 2, " }") != 0)
		return -1;
	if (strncmp(p, deleg, sizeof(deleg) - 1) != 0)
		return 0;		/* open, lock, layout: not ours */
	p += sizeof(deleg) - 1;
	if ((*p != 'r' && *p != 'w') || strncmp(p + 1, sb, sizeof(sb) - 1) != 0)
		return -1;
	p += 1 + sizeof(sb) - 1;
	if (number(&p, 16, ':', 0xfff, &maj) == -1 ||
	    number(&p, 16, ':', 0xfffff, &min) == -1 ||
	    number(&p, 10, '"', (unsigned long)-1, ino) == -1)
		return -1;
	p--;
	if (strncmp(p, fn, sizeof(fn) - 1) != 0)
		return -1;
	p += sizeof(fn) - 1;
	end = line + n - 3;		/* the closing quote before " }" */
	if (end < p || *end != '"')
		return -1;
	*name = p;
	*len = (size_t)(end - p);
	return makedev(maj, min) == dev && *ino != 0 ? 1 : 0;
}

static void
delegs_free(struct delegs *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		if (l->v[i].fd != -1)
			(void)close(l->v[i].fd);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * The delegations on dev's files in one client's states (buf, edited):
 * every record up to the first line that is none (a file name's newline:
 * from there on, a name could have forged what follows).
 */
static void
parse_states(char *buf, unsigned long dev, size_t file, struct delegs *out)
{
	char	*p = buf, *line;

	while ((line = strsep(&p, "\n")) != NULL) {
		unsigned long	 ino;
		const char	*name, *slash;
		size_t		 len;
		int		 rc;

		if (*line == '\0' && p == NULL)
			break;		/* the end of the file */
		if ((rc = nfsd_parse_record(line, dev, &ino, &name,
		    &len)) == -1) {
			/* the record before went on over a newline */
			if (out->n > 0 && out->v[out->n - 1].file == file) {
				free(out->v[--out->n].name);
			}
			break;
		}
		if (rc == 0)
			continue;
		for (slash = name + len; slash > name && slash[-1] != '/';
		    slash--)
			;
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n].ino = ino;
		out->v[out->n].name = xstrndup(slash,
		    (size_t)(name + len - slash));
		out->v[out->n].file = file;
		out->v[out->n].bad = 0;
		out->v[out->n++].fd = -1;
	}
}

/* The delegations on dev's files, from every client's states. */
static void
delegations(unsigned long dev, struct delegs *out)
{
	DIR		*d;
	struct dirent	*de;
	struct wserr	 e;
	char		 path[PATH_MAX], *buf;

	memset(out, 0, sizeof(*out));
	if ((d = opendir(NFSD_CLIENTS_DIR)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (size_t)snprintf(path,
		    sizeof(path), "%s/%s/states", NFSD_CLIENTS_DIR,
		    de->d_name) >= sizeof(path))
			continue;
		if (file_read(path, &buf, &e) == -1 || buf == NULL)
			continue;
		parse_states(buf, dev, out->nfiles++, out);
		free(buf);
	}
	(void)closedir(d);
}

int
nfsd_delegations(unsigned long dev)
{
	struct delegs	 l;
	int		 n;

	delegations(dev, &l);
	n = (int)l.n;
	delegs_free(&l);
	return n;
}

/* The record of ino not yet found, or NULL. */
static struct deleg *
wanted(struct delegs *l, unsigned long ino)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].ino == ino && l->v[i].fd == -1 && !l->v[i].bad)
			return &l->v[i];
	return NULL;
}

/*
 * Below the folder dfd (on dev), until deadline: each regular file whose
 * inode a record names, opened O_PATH (nothing followed, nothing run)
 * and checked on the descriptor: still a regular file, that inode, on
 * dev, and named as the record says; kept in the record.  dfd is closed.
 */
static void
walk(int dfd, dev_t dev, struct delegs *l, int depth, long long deadline)
{
	DIR		*d;
	struct dirent	*de;
	struct deleg	*r;
	struct stat	 sb;
	int		 fd;

	if ((d = fdopendir(dfd)) == NULL) {
		(void)close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL && mono_ms() < deadline) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR && depth < WALK_DEPTH) {
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			if (fd == -1)
				continue;
			if (fstat(fd, &sb) == -1 || sb.st_dev != dev) {
				(void)close(fd);	/* another filesystem */
				continue;
			}
			walk(fd, dev, l, depth + 1, deadline);
			continue;
		}
		if ((de->d_type != DT_REG && de->d_type != DT_UNKNOWN) ||
		    (r = wanted(l, (unsigned long)de->d_ino)) == NULL)
			continue;
		fd = openat(dirfd(d), de->d_name, O_PATH | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd == -1)
			continue;
		if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
		    sb.st_dev != dev || (unsigned long)sb.st_ino != r->ino) {
			(void)close(fd);
			continue;
		}
		if (strcmp(de->d_name, r->name) != 0) {
			r->bad = 1;	/* a name that forged records */
			(void)close(fd);
			continue;
		}
		r->fd = fd;
	}
	(void)closedir(d);
}

/*
 * Open the file held by pathfd (O_PATH) for writing, without blocking,
 * and close it at once: the server recalls its delegations.  The open
 * goes through the descriptor (what a rename swapped in since is never
 * reached), and what was opened is checked again.
 */
static void
recall_one(int pathfd, dev_t dev, unsigned long ino, const char *name)
{
	char	 proc[64];
	struct stat sb;
	int	 fd;

	NFSD_TEST_HOOK(name);
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	/* EWOULDBLOCK: the lease is being broken, the recall is sent */
	fd = open(proc, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return;
	/* the same file, by its descriptor; nothing is written to it */
	if (fstat(fd, &sb) == 0 && (!S_ISREG(sb.st_mode) || sb.st_dev != dev ||
	    (unsigned long)sb.st_ino != ino))
		errno = ESTALE;
	(void)close(fd);
}

int
nfsd_recall(int rootfd, long ms)
{
	struct delegs	 l;
	struct stat	 sb;
	long long	 deadline = mono_ms() + ms;
	size_t		 i, k;
	int		 fd, left;

	if (fstat(rootfd, &sb) == -1)
		return 0;
	delegations(sb.st_dev, &l);
	if (l.n == 0) {
		delegs_free(&l);
		return 0;
	}
	if ((fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1)
		walk(fd, sb.st_dev, &l, 0, deadline);
	/* a client's file with a forged record: none of its records after it */
	for (i = 0; i < l.n; i++)
		if (l.v[i].bad)
			for (k = i; k < l.n; k++)
				if (l.v[k].file == l.v[i].file && l.v[k].fd != -1) {
					(void)close(l.v[k].fd);
					l.v[k].fd = -1;
				}
	for (i = 0; i < l.n; i++)
		if (l.v[i].fd != -1)
			recall_one(l.v[i].fd, sb.st_dev, l.v[i].ino, l.v[i].name);
	delegs_free(&l);
	while ((left = nfsd_delegations(sb.st_dev)) > 0 &&
	    mono_ms() < deadline) {
		struct timespec ts = { 0, 50 * 1000000L };

		(void)nanosleep(&ts, NULL);
	}
	return left;
}
