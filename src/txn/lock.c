/*
 * lock.c: an exclusive flock(2) on lock_file, with a deadline.  The file
 * is opened as every file of warpstor's own is (file_open_trusted): no
 * symbolic link, root's file in root's folder.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/file.h"
#include "txn/lock.h"

int
lock_acquire(const char *path, int wait_secs, struct wserr *e)
{
	long long	 deadline = now_ms() + (long long)wait_secs * 1000;
	char		 pid[32], held[32] = "", v[VIS_BUFSZ], dir[PATH_MAX];
	int		 fd = -1;
	ssize_t		 n;

	/* its folder: root's alone (/run/warpstor), made when missing */
	(void)strlcpy(dir, path, sizeof(dir));
	if (mkdir(dirname(dir), 0700) == -1 && errno != EEXIST) {
		wserr_set(e, EX_UNAVAILABLE, "lock %s: mkdir %s: %s", path, dir,
		    strerror(errno));
		return -1;
	}
	for (;;) {
		e->code = 0;
		fd = file_open_trusted(path, O_RDWR | O_CREAT | O_NONBLOCK, 0600,
		    e);
		if (fd == -1) {
			if (e->code == 0)
				wserr_set(e, EX_UNAVAILABLE, "lock %s: %s",
				    path, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK) {
			wserr_set(e, EX_UNAVAILABLE, "lock %s: %s", path,
			    strerror(errno));
			(void)close(fd);
			return -1;
		}
		if (now_ms() >= deadline) {
			n = pread(fd, held, sizeof(held) - 1, 0);
			held[n > 0 ? n : 0] = '\0';
			held[strcspn(held, "\n")] = '\0';
			(void)close(fd);
			wserr_set(e, EX_TEMPFAIL, "lock %s is held by another "
			    "warpstor (pid %s); waited %d s", path,
			    held[0] ? vis_str(v, sizeof(v), held) : "unknown",
			    wait_secs);
			return -1;
		}
		(void)close(fd);
		{
			struct timespec ts = { 0, 50 * 1000000L };

			(void)nanosleep(&ts, NULL);
		}
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n) {
		wserr_set(e, EX_UNAVAILABLE, "lock %s: %s", path,
		    strerror(errno));
		(void)close(fd);
		return -1;
	}
	return fd;
}

long
lock_holder(const char *path)
{
	struct wserr	 e;
	char		 held[32];
	const char	*errstr;
	ssize_t		 n;
	long		 pid;
	int		 fd;

	if ((fd = file_open_trusted(path, O_RDONLY | O_NONBLOCK, 0, &e)) == -1)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		(void)close(fd);
		return 0;
	}
	n = pread(fd, held, sizeof(held) - 1, 0);
	(void)close(fd);
	held[n > 0 ? n : 0] = '\0';
	held[strcspn(held, "\n")] = '\0';
	pid = (long)strtonum(held, 1, INT_MAX, &errstr);
	return errstr != NULL ? -1 : pid;
}
