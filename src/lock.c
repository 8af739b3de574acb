/*
 * lock.c: flopen(3) with a deadline.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"

static long long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
lock_acquire(const char *path, int wait_secs, struct wserr *e)
{
	long long	 deadline = now_ms() + (long long)wait_secs * 1000;
	char		 pid[32], held[32] = "";
	int		 fd;
	ssize_t		 n;

	for (;;) {
		fd = flopen(path, O_RDWR | O_CREAT | O_NONBLOCK | O_CLOEXEC,
		    0644);
		if (fd != -1)
			break;
		if (errno != EWOULDBLOCK) {
			wserr_set(e, EX_UNAVAILABLE, "lock %s: %s", path,
			    strerror(errno));
			return -1;
		}
		if (now_ms() >= deadline) {
			int	 rfd = open(path, O_RDONLY | O_CLOEXEC);

			if (rfd != -1) {
				n = read(rfd, held, sizeof(held) - 1);
				held[n > 0 ? n : 0] = '\0';
				held[strcspn(held, "\n")] = '\0';
				(void)close(rfd);
			}
			wserr_set(e, EX_TEMPFAIL, "lock %s is held by another "
			    "warpstor (pid %s); waited %d s", path,
			    held[0] ? held : "unknown", wait_secs);
			return -1;
		}
		{
			struct timespec ts = { 0, 50 * 1000000L };

			(void)nanosleep(&ts, NULL);
		}
	}
	/* flopen leaves O_NONBLOCK on: it does not matter for a lock file. */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n) {
		wserr_set(e, EX_UNAVAILABLE, "lock %s: %s", path,
		    strerror(errno));
		(void)close(fd);
		return -1;
	}
	return fd;
}
