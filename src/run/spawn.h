/*
 * spawn.h: the only code that starts other programs.  argv arrays only,
 * never a shell; a fixed PATH and LC_ALL=C; no descriptor beyond 0-2;
 * stdout and stderr read to EOF together before the child is reaped.
 */
#ifndef WARPSTOR_SPAWN_H
#define WARPSTOR_SPAWN_H

#include "lib/util.h"

#define SPAWN_PATH	"/usr/sbin:/usr/bin:/sbin:/bin"

struct spawn_result {
	struct buf	 out;
	struct buf	 err;
	int		 status;	/* exit status, or -1 if signalled */
	int		 signo;		/* terminating signal, or 0 */
};

/*
 * Find name (or take it as is when it holds a '/') as an executable in
 * SPAWN_PATH.  Returns 0 and fills dst, or -1.
 */
int	 spawn_which(const char *name, char *dst, size_t dstlen);

/*
 * Run path with argv (argv[0] is what the child sees) and stdin from
 * /dev/null.  Returns 0 when the child ran (whatever its status), -1 with
 * e filled (exit 69) when it could not be started.  With echo, the argv is
 * printed shell-quoted to stderr first.
 */
int	 spawn_run(const char *path, char *const argv[], int echo,
	    struct spawn_result *, struct wserr *e);

/* The same, calling tick(arg) every tenth of a second while it runs. */
int	 spawn_run_ticking(const char *path, char *const argv[], int echo,
	    void (*tick)(void *), void *arg, struct spawn_result *,
	    struct wserr *e);

/* The same, with stdin from infd (-1: /dev/null). */
int	 spawn_run_in(const char *path, char *const argv[], int echo, int infd,
	    void (*tick)(void *), void *arg, struct spawn_result *,
	    struct wserr *e);

/*
 * spawn_which of a configured tool (zfs, exportfs), with e filled (exit
 * 69) when it is not there.
 */
int	 spawn_which_tool(const char *name, char *path, size_t pathlen,
	    struct wserr *e);

/*
 * Run path1 argv1 | path2 argv2: warpstor itself passes what the first
 * writes to the second's stdin (tick(arg, bytes) after each chunk, for
 * progress), and reads both stderrs (and the second's stdout) whole.
 * Returns 0 when both ran (r1, r2 hold how each ended), -1 with e.
 */
int	 spawn_pipe(const char *path1, char *const argv1[], const char *path2,
	    char *const argv2[], int echo, struct spawn_result *r1,
	    struct spawn_result *r2, void (*tick)(void *, size_t), void *arg,
	    struct wserr *e);

/* Fill e (exit 69) with the argv, how the child ended and its stderr. */
void	 spawn_fail(struct wserr *e, char *const argv[],
	    const struct spawn_result *);

void	 spawn_result_free(struct spawn_result *);

#endif
