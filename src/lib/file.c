/*
 * file.c: warpstor's own files: atomic writes, reads, trusted opens.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/file.h"

int
file_syserr(struct wserr *e, const char *what, const char *path)
{
	char	 v[VIS_BUFSZ];

	wserr_set(e, EX_UNAVAILABLE, "%s %s: %s", what,
	    vis_str(v, sizeof(v), path), strerror(errno));
	return -1;
}

static int
fsync_dir(const char *dir, struct wserr *e)
{
	int	 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return file_syserr(e, "open", dir);
	if (fsync(fd) == -1) {
		(void)close(fd);
		return file_syserr(e, "fsync", dir);
	}
	(void)close(fd);
	return 0;
}

int
file_write_atomic(const char *path, const char *data, size_t len,
    struct wserr *e)
{
	char	 dir[PATH_MAX], base[PATH_MAX], tmp[PATH_MAX];
	int	 fd, n;
	size_t	 off = 0;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) ||
	    strlcpy(base, path, sizeof(base)) >= sizeof(base)) {
		errno = ENAMETOOLONG;
		return file_syserr(e, "write", path);
	}
	(void)dirname(dir);
	n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, basename(base));
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return file_syserr(e, "write", path);
	}
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return file_syserr(e, "mkdir", dir);
	/* Not *.exports: exportfs -r must never read a half-written file. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return file_syserr(e, "create", tmp);
	while (off < len) {
		ssize_t	 w = write(fd, data + off, len - off);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	return fsync_dir(dir, e);
fail:
	(void)file_syserr(e, "write", tmp);
	if (fd != -1)
		(void)close(fd);
	(void)unlink(tmp);
	return -1;
}

int
file_remove(const char *path, struct wserr *e)
{
	char	 dir[PATH_MAX];

	if (unlink(path) == -1) {
		if (errno == ENOENT)
			return 0;
		return file_syserr(e, "remove", path);
	}
	(void)strlcpy(dir, path, sizeof(dir));
	return fsync_dir(dirname(dir), e);
}

static int read_file(const char *, int, char **, struct wserr *);

int
file_read(const char *path, char **data, struct wserr *e)
{
	return read_file(path, 0, data, e);
}

int
file_read_trusted(const char *path, char **data, struct wserr *e)
{
	return read_file(path, 1, data, e);
}

static int
read_file(const char *path, int trusted, char **data, struct wserr *e)
{
	struct buf	 b = { NULL, 0, 0 };
	static char	 chunk[64 * 1024];
	ssize_t		 n;
	int		 fd;

	*data = NULL;
	e->code = 0;
	fd = trusted ? file_open_trusted(path, O_RDONLY, 0, e) :
	    open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT && e->code == 0)
			return 0;
		return e->code != 0 ? -1 : file_syserr(e, "read", path);
	}
	buf_append(&b, "", 0);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			(void)file_syserr(e, "read", path);
			(void)close(fd);
			buf_free(&b);
			return -1;
		}
		buf_append(&b, chunk, (size_t)n);
	}
	(void)close(fd);
	*data = b.data;
	return 0;
}

/* Owned by root, or by whoever runs warpstor, and writable by no one else. */
static int
owner_ok(const struct stat *sb)
{
	return (sb->st_uid == 0 || sb->st_uid == geteuid()) &&
	    (sb->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

static int
untrusted(struct wserr *e, const char *what, const char *path)
{
	char	 v[VIS_BUFSZ];

	wserr_set(e, EX_NOPERM, "%s: refusing %s: not a %s owned by root and "
	    "writable by no one else", vis_str(v, sizeof(v), path), what,
	    strcmp(what, "its folder") == 0 ? "folder" : "regular file");
	return -1;
}

int
file_open_trusted(const char *path, int flags, mode_t mode, struct wserr *e)
{
	struct stat	 sb;
	char		 dir[PATH_MAX];
	int		 fd, dfd, err;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) || path[0] != '/') {
		wserr_set(e, EX_NOPERM, "%s: not an absolute path", path);
		return -1;
	}
	/* the folder first: nobody else may swap what is in it */
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (dfd == -1) {
		if (errno == ENOENT)
			return -1;
		return untrusted(e, "its folder", path);
	}
	if (fstat(dfd, &sb) == -1 || !owner_ok(&sb)) {
		(void)close(dfd);
		return untrusted(e, "its folder", path);
	}
	fd = openat(dfd, strrchr(path, '/') + 1, flags | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY, mode);
	err = errno;
	(void)close(dfd);
	errno = err;
	if (fd == -1) {
		if (errno == ENOENT || errno == EEXIST || errno == EWOULDBLOCK)
			return -1;
		if (errno == ELOOP)
			return untrusted(e, "a symbolic link", path);
		return file_syserr(e, "open", path);
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || !owner_ok(&sb)) {
		(void)close(fd);
		return untrusted(e, "it", path);
	}
	return fd;
}
