/*
 * fsops.c: mounts, the chown walk, /proc scans.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/file.h"
#include "fs/fsops.h"
#include "lib/progress.h"

void
fs_unoctal(char *s)
{
	char	*d = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 3;
		} else
			*d++ = *s;
	}
	*d = '\0';
}

/* "MAJOR:MINOR" of mountinfo. */
static int
parse_majmin(const char *s, unsigned *maj, unsigned *min)
{
	const char *errstr;
	char	 buf[32], *colon;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf) ||
	    (colon = strchr(buf, ':')) == NULL)
		return -1;
	*colon = '\0';
	*maj = (unsigned)strtonum(buf, 0, 0xfffff, &errstr);
	if (errstr != NULL)
		return -1;
	*min = (unsigned)strtonum(colon + 1, 0, 0xfffff, &errstr);
	return errstr != NULL ? -1 : 0;
}

/*
 * One line of mountinfo, split in place: "id parent maj:min root
 * mountpoint opts ... - type source ...".  Returns -1 for a line that is
 * not of that shape.
 */
static int
mountinfo_line(char *line, char **majmin, char **mountpoint, char **type,
    char **source, char **super)
{
	char	*p = line, *f[5], *sep;
	int	 i;

	for (i = 0; i < 5; i++)
		if ((f[i] = strsep(&p, " ")) == NULL)
			return -1;
	if (p == NULL || (sep = strstr(p, " - ")) == NULL)
		return -1;
	p = sep + 3;
	if ((*type = strsep(&p, " ")) == NULL ||
	    (*source = strsep(&p, " ")) == NULL)
		return -1;
	*super = p != NULL ? p : "";
	fs_unoctal(f[4]);
	fs_unoctal(*source);
	*majmin = f[2];
	*mountpoint = f[4];
	return 0;
}

/*
 * Is it a mount that zfs made: the kernel's zfs, or zfs-fuse's (a FUSE
 * mount made by root: user_id=0)?  Any user allowed FUSE mounts can name
 * the source and the subtype of one as he likes, not its user_id.
 */
static int
zfs_own(const char *type, const char *super)
{
	const char *u;

	if (strcmp(type, "zfs") == 0)
		return 1;
	if (strcmp(type, "fuse.zfs") != 0 && strcmp(type, "fuse") != 0)
		return 0;
	for (u = super; (u = strstr(u, "user_id=")) != NULL; u++)
		if ((u == super || u[-1] == ',') && strncmp(u + 8, "0", 1) == 0 &&
		    (u[9] == ',' || u[9] == '\0' || u[9] == ' '))
			return 1;
	return 0;
}

/*
 * The whole of /proc/self/mountinfo (to free), or NULL.  In one go with
 * large reads: the kernel walks the mount table from its start at every
 * read, so stdio's 1 KiB reads (its size for /proc) cost the square of
 * the number of mounts; with a thousand datasets mounted that was 300
 * reads and 10 ms a scan.
 */
static char *
mountinfo(void)
{
	struct wserr	 e;
	char		*data;

	if (file_read("/proc/self/mountinfo", &data, &e) == -1)
		return NULL;
	return data;
}

/*
 * The topmost mount of dataset in mountinfo (the last line that fits):
 * at mountpoint, of any type, or, with mountpoint NULL, anywhere as a zfs
 * or zfs-fuse mount.  Gives its device (dev not NULL) and its mountpoint
 * (at not NULL, to free).
 */
static int
find_mount(const char *dataset, const char *mountpoint, dev_t *dev,
    char **at, int *kernel)
{
	char	*all, *p, *line, *mm, *mp, *type, *src, *super;
	unsigned maj, min;
	int	 found = 0;

	if ((all = p = mountinfo()) == NULL)
		return 0;
	while ((line = strsep(&p, "\n")) != NULL) {
		if (mountinfo_line(line, &mm, &mp, &type, &src, &super) == -1 ||
		    strcmp(src, dataset) != 0 || !zfs_own(type, super))
			continue;
		if (mountpoint != NULL ? strcmp(mp, mountpoint) != 0 :
		    mp[0] != '/')
			continue;
		if (dev != NULL) {
			if (parse_majmin(mm, &maj, &min) == -1)
				continue;
			*dev = makedev(maj, min);
		}
		if (at != NULL) {
			free(*at);
			*at = xstrdup(mp);
		}
		if (kernel != NULL)
			*kernel = strcmp(type, "zfs") == 0;
		found = 1;
	}
	free(all);
	return found;
}

char *
fs_dataset_at(const char *path)
{
	char	*all, *p, *line, *mm, *mp, *type, *src, *super, *ds = NULL;

	if ((all = p = mountinfo()) == NULL)
		return NULL;
	while ((line = strsep(&p, "\n")) != NULL) {
		if (mountinfo_line(line, &mm, &mp, &type, &src, &super) == -1 ||
		    strcmp(mp, path) != 0)
			continue;
		/* the topmost mount at path: the last line that names it */
		free(ds);
		ds = zfs_own(type, super) ? xstrdup(src) : NULL;
	}
	free(all);
	return ds;
}

char *
fs_mount_of(const char *dataset)
{
	char	*mp = NULL;

	(void)find_mount(dataset, NULL, NULL, &mp, NULL);
	return mp;
}

int
fs_open_mount(const char *mountpoint, const char *dataset, struct wserr *e)
{
	struct stat	 sb;
	dev_t		 dev;
	char		 v[VIS_BUFSZ];
	int		 fd;

	if (mountpoint == NULL || mountpoint[0] != '/' ||
	    !find_mount(dataset, mountpoint, &dev, NULL, NULL)) {
		wserr_set(e, EX_UNAVAILABLE, "%s is not mounted at %s",
		    dataset, vis_str(v, sizeof(v), mountpoint ? mountpoint :
		    "(none)"));
		return -1;
	}
	fd = open(mountpoint, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return file_syserr(e, "open", mountpoint);
	if (fstat(fd, &sb) == -1 || sb.st_dev != dev) {
		(void)close(fd);
		wserr_set(e, EX_UNAVAILABLE, "%s: not the mount of %s",
		    vis_str(v, sizeof(v), mountpoint), dataset);
		return -1;
	}
	return fd;
}

int
fs_detach(const char *mountpoint, const char *dataset, struct wserr *e)
{
	int	 fd, kernel = 0;

	if ((fd = fs_open_mount(mountpoint, dataset, e)) == -1)
		return -1;
	(void)close(fd);
	if (!find_mount(dataset, mountpoint, NULL, NULL, &kernel) || !kernel) {
		wserr_set(e, EX_UNAVAILABLE, "%s: not a kernel zfs mount; not "
		    "detached", dataset);
		return -1;
	}
	if (umount2(mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) == -1)
		return file_syserr(e, "detach", mountpoint);
	return 0;
}

size_t
fs_entries(int fd)
{
	struct statvfs	 sv;

	/* ZFS counts the objects in use: f_files less those still free */
	if (fstatvfs(fd, &sv) == -1 || sv.f_files <= sv.f_ffree ||
	    sv.f_files - sv.f_ffree > (fsfilcnt_t)SIZE_MAX)
		return 0;
	return (size_t)(sv.f_files - sv.f_ffree);
}

int
fs_chown_root(int fd, const char *mountpoint, uid_t uid, gid_t gid, int mode,
    struct wserr *e)
{
	if (fchown(fd, uid, gid) == -1)
		return file_syserr(e, "chown", mountpoint);
	return fs_chmod_root(fd, mountpoint, mode, e);
}

int
fs_chmod_root(int fd, const char *mountpoint, int mode, struct wserr *e)
{
	if (mode >= 0 && fchmod(fd, (mode_t)mode) == -1)
		return file_syserr(e, "chmod", mountpoint);
	return 0;
}

/* Is anything mounted below mountpoint (not on it)?  Unsure: yes. */
static int
mounts_below(const char *mountpoint)
{
	char	*all, *p, *line, *mm, *mp, *type, *src, *super;
	size_t	 len = strlen(mountpoint);
	int	 found = 0;

	if ((all = p = mountinfo()) == NULL)
		return 1;
	while (!found && (line = strsep(&p, "\n")) != NULL)
		found = mountinfo_line(line, &mm, &mp, &type, &src,
		    &super) == 0 &&
		    strncmp(mp, mountpoint, len) == 0 && mp[len] == '/';
	free(all);
	return found;
}

/*
 * Without anything mounted inside, only directories are stat'ed (the
 * type of an entry comes from readdir): a file's stat told nothing the
 * chown needs, and on FUSE it cost a round trip per file (chown -R does
 * not stat either).
 * With mounts inside, every entry is stat'ed and checked for its device,
 * so that nothing of another filesystem is touched.
 */
int
fs_chown_tree(int fd, const char *mountpoint, uid_t uid, gid_t gid,
    size_t *count, struct progress *p, struct wserr *e)
{
	char	*const paths[] = { (char *)mountpoint, NULL };
	struct stat	 root;
	FTS		*fts;
	FTSENT		*ent;
	int		 rc = 0, nostat;

	*count = 0;
	if (fstat(fd, &root) == -1)
		return file_syserr(e, "stat", mountpoint);
	nostat = !mounts_below(mountpoint);
	fts = fts_open(paths, FTS_PHYSICAL | FTS_XDEV |
	    (nostat ? FTS_NOSTAT : 0), NULL);
	if (fts == NULL)
		return file_syserr(e, "walk", mountpoint);
	while ((ent = fts_read(fts)) != NULL) {
		/* with FTS_NOSTAT, glibc leaves fts_statp unset, even for
		 * a directory */
		const struct stat *sb = nostat ? NULL : ent->fts_statp;
		struct stat	 dir;

		progress_add(p, 1);
		if (ent->fts_info == FTS_D && sb == NULL) {
			if (lstat(ent->fts_accpath, &dir) == -1) {
				rc = file_syserr(e, "stat", ent->fts_path);
				goto out;
			}
			sb = &dir;
		}
		switch (ent->fts_info) {
		case FTS_DP:
			continue;
		case FTS_DNR:
		case FTS_ERR:
		case FTS_NS:
			errno = ent->fts_errno;
			rc = file_syserr(e, "walk", ent->fts_path);
			goto out;
		case FTS_NSOK:
			/* not a directory, nothing mounted inside: no stat */
			break;
		default:
			if (sb == NULL)
				break;
			if (ent->fts_level == FTS_ROOTLEVEL &&
			    (sb->st_dev != root.st_dev ||
			    sb->st_ino != root.st_ino)) {
				wserr_set(e, EX_UNAVAILABLE, "%s changed "
				    "under us", mountpoint);
				rc = -1;
				goto out;
			}
			if (sb->st_dev != root.st_dev) {
				/* another filesystem mounted inside */
				(void)fts_set(fts, ent, FTS_SKIP);
				continue;
			}
			if (sb->st_uid == uid && sb->st_gid == gid)
				continue;
			break;
		}
		if (lchown(ent->fts_accpath, uid, gid) == -1) {
			rc = file_syserr(e, "chown", ent->fts_path);
			goto out;
		}
		(*count)++;
	}
	if (errno != 0 && ent == NULL)
		rc = file_syserr(e, "walk", mountpoint);
out:
	(void)fts_close(fts);
	return rc;
}

static int
under(const char *p, const char *path, size_t len)
{
	return strncmp(p, path, len) == 0 && (p[len] == '\0' || p[len] == '/');
}

static int
link_under(const char *link, const char *path, size_t len)
{
	char	 buf[PATH_MAX];
	ssize_t	 n = readlink(link, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return under(buf, path, len);
}

static int
pid_holds(const char *pid, const char *path, size_t len, const char **how)
{
	char	 p[PATH_MAX], *line = NULL;
	size_t	 cap = 0;
	DIR	*d;
	struct dirent *de;
	FILE	*fp;
	int	 found = 0;

	(void)snprintf(p, sizeof(p), "/proc/%s/cwd", pid);
	if (link_under(p, path, len)) {
		*how = "cwd";
		return 1;
	}
	(void)snprintf(p, sizeof(p), "/proc/%s/root", pid);
	if (link_under(p, path, len)) {
		*how = "root";
		return 1;
	}
	(void)snprintf(p, sizeof(p), "/proc/%s/fd", pid);
	if ((d = opendir(p)) != NULL) {
		while (!found && (de = readdir(d)) != NULL) {
			char	 fdp[PATH_MAX];

			if (de->d_name[0] == '.')
				continue;
			(void)snprintf(fdp, sizeof(fdp), "/proc/%s/fd/%s", pid,
			    de->d_name);
			found = link_under(fdp, path, len);
		}
		(void)closedir(d);
		if (found) {
			*how = "open file";
			return 1;
		}
	}
	(void)snprintf(p, sizeof(p), "/proc/%s/maps", pid);
	if ((fp = fopen(p, "re")) != NULL) {
		while (!found && getline(&line, &cap, fp) != -1) {
			char	*slash = strchr(line, '/');

			if (slash != NULL) {
				slash[strcspn(slash, "\n")] = '\0';
				found = under(slash, path, len);
			}
		}
		free(line);
		(void)fclose(fp);
		if (found) {
			*how = "mapping";
			return 1;
		}
	}
	return 0;
}

char *
fs_holders(const char *path)
{
	struct buf	 b = { NULL, 0, 0 };
	struct dirent	*de;
	DIR		*d;
	size_t		 len = strlen(path);
	char		 self[32];

	if (len == 0 || (d = opendir("/proc")) == NULL)
		return NULL;
	(void)snprintf(self, sizeof(self), "%ld", (long)getpid());
	while (len > 1 && path[len - 1] == '/')
		len--;
	while ((de = readdir(d)) != NULL) {
		char		 p[PATH_MAX], comm[64] = "?", *item, vcomm[256];
		const char	*how;
		FILE		*fp;

		if (!isdigit((unsigned char)de->d_name[0]) ||
		    strcmp(de->d_name, self) == 0 ||
		    !pid_holds(de->d_name, path, len, &how))
			continue;
		(void)snprintf(p, sizeof(p), "/proc/%s/comm", de->d_name);
		if ((fp = fopen(p, "re")) != NULL) {
			if (fgets(comm, sizeof(comm), fp) != NULL)
				comm[strcspn(comm, "\n")] = '\0';
			(void)fclose(fp);
		}
		/* a process names itself: its name is escaped */
		item = xasprintf("%s%s (%s, %s)", b.len ? ", " : "", de->d_name,
		    vis_str(vcomm, sizeof(vcomm), comm), how);
		buf_append(&b, item, strlen(item));
		free(item);
	}
	(void)closedir(d);
	return b.data;
}

void
fs_note_holders(struct wserr *e, char *const *mps, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		char	*h = fs_holders(mps[i]);

		if (h != NULL) {
			size_t	 len = strlen(e->msg);

			(void)snprintf(e->msg + len, sizeof(e->msg) - len,
			    "; %s is busy, held by: %s", mps[i], h);
			free(h);
		}
	}
}
