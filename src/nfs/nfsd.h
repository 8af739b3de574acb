/*
 * nfsd.h: what the kernel NFS server holds, from /proc/fs/nfsd.  The
 * only code that reads its state table.
 */
#ifndef WARPSTOR_NFSD_H
#define WARPSTOR_NFSD_H

#include <stddef.h>

/*
 * Ask NFSv4 clients to give back the delegations they hold on files of
 * the filesystem whose root folder is open as rootfd.  A client that has
 * read a file keeps a read delegation on it for as long as its host
 * keeps its lease, even after it unmounts, and the delegation holds the
 * dataset busy (zfs umount, zfs destroy).  The server recalls it when
 * the file is opened for writing: each such file is opened so, without
 * blocking (the open fails at once, the recall goes on; nothing is
 * written), found below rootfd by its inode number without following a
 * symbolic link or leaving the filesystem.  Then waits up to ms
 * milliseconds for the clients to return them.  Returns how many are
 * still held (0 also where the server has no state table).
 */
int	 nfsd_recall(int rootfd, long ms);

/*
 * One line of a client's states file: 1 for a delegation on the
 * filesystem of dev (its inode, and the file name as printed, not
 * terminated, at name for len bytes), 0 for another record of the right
 * shape, -1 for a line that is no record (a file name went on over a
 * newline).  For the tests and the fuzzer.
 */
int	 nfsd_parse_record(const char *line, unsigned long dev,
	    unsigned long *ino, const char **name, size_t *len);

/* How many delegations clients hold on files of the filesystem of dev. */
int	 nfsd_delegations(unsigned long dev);

#endif
