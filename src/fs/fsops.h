/*
 * fsops.h: what warpstor does to datasets' files itself: the mount
 * table, the ownership walk of a dataset, and finding who holds a busy
 * mountpoint.
 * Nothing here follows a symlink or leaves the dataset's own filesystem.
 */
#ifndef WARPSTOR_FSOPS_H
#define WARPSTOR_FSOPS_H

#include <sys/types.h>

#include "lib/util.h"

/* Undo octal escapes (\040 for a space: mountinfo, exports(5)) in place. */
void	 fs_unoctal(char *);
/*
 * Open the mounted root of dataset at mountpoint: it must be in the mount
 * table as that dataset's mount, and the opened folder must be it (same
 * device, not a symlink).  Returns the descriptor or -1.
 */
int	 fs_open_mount(const char *mountpoint, const char *dataset,
	    struct wserr *);

/*
 * Detach the kernel zfs mount of dataset at mountpoint (umount2 with
 * MNT_DETACH): it leaves the mount table at once, and the kernel lets go
 * of the filesystem when its last user does.  Nothing but that very
 * mount, as the mount table and the opened folder show it, is detached.
 */
int	 fs_detach(const char *mountpoint, const char *dataset,
	    struct wserr *);

/*
 * Where dataset is mounted, from the mount table (a zfs or zfs-fuse
 * mount whose source is dataset; the topmost), or NULL.
 */
char	*fs_mount_of(const char *dataset);
/*
 * How many files and folders the filesystem of fd holds (its inodes in
 * use, as statvfs counts them), for a progress line's total; 0 unknown.
 */
size_t	 fs_entries(int fd);
/* The zfs dataset mounted on top at path (to free), or NULL. */
char	*fs_dataset_at(const char *path);

/* chown (and, with mode >= 0, chmod) the root folder only. */
/* fchmod fd to mode (mode < 0: left as it is). */
int	 fs_chmod_root(int fd, const char *mountpoint, int mode, struct wserr *);
int	 fs_chown_root(int fd, const char *mountpoint, uid_t, gid_t, int mode,
	    struct wserr *);

struct progress;
/*
 * chown everything below and including the root whose descriptor is fd,
 * never following a symlink (the link itself is changed) and never
 * crossing into another filesystem.  *count gets the entries changed;
 * p (or NULL) counts every entry seen.
 */
int	 fs_chown_tree(int fd, const char *mountpoint, uid_t, gid_t,
	    size_t *count, struct progress *p, struct wserr *);

/*
 * Processes whose cwd, root, open files or mappings are at or below
 * path, as "PID (COMM)" items, comma-separated; NULL when none.
 */
char	*fs_holders(const char *path);

/* Append "; MP is busy, held by: ..." to e for each held mountpoint. */
void	 fs_note_holders(struct wserr *, char *const *mountpoints, size_t);

#endif
