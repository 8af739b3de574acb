/*
 * file.h: the files warpstor keeps itself (exports file, journal, lock,
 * configuration): atomic writes, whole reads, and opens that trust only
 * root's files in root's folders.
 */
#ifndef WARPSTOR_FILE_H
#define WARPSTOR_FILE_H

#include <sys/types.h>

#include "lib/util.h"

/* Write data to path: temp file in the same folder, fsync, rename, fsync
 * of the folder.  The folder is made (0755) when missing. */
int	 file_write_atomic(const char *path, const char *data, size_t len,
	    struct wserr *);
/* Remove path and fsync its folder; a missing file is fine. */
int	 file_remove(const char *path, struct wserr *);
/*
 * Open a file of warpstor's own (configuration, journal, lock): never
 * through a symbolic link, and only a regular file in a folder, both
 * owned by root (or by whoever runs warpstor) and writable by no one
 * else; else 77 naming it.  Returns the descriptor, or -1: with errno
 * ENOENT, EEXIST or EWOULDBLOCK from open (e untouched), else e says why.
 */
int	 file_open_trusted(const char *path, int flags, mode_t mode,
	    struct wserr *);

/* Read a whole (small) file; *data NULL when it does not exist. */
int	 file_read(const char *path, char **data, struct wserr *);
/* The same, of a file of warpstor's own (file_open_trusted). */
int	 file_read_trusted(const char *path, char **data, struct wserr *);

/* Fill e (69) with "WHAT PATH: strerror(errno)"; returns -1. */
int	 file_syserr(struct wserr *, const char *what, const char *path);

#endif
