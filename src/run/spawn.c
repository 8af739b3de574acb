/*
 * spawn.c: posix_spawn, pipes, poll and waitpid.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/argv.h"
#include "run/spawn.h"

static char *const child_env[] = {
	"PATH=" SPAWN_PATH,
	"LC_ALL=C",
	NULL
};

int
spawn_which(const char *name, char *dst, size_t dstlen)
{
	char		 dirs[] = SPAWN_PATH;
	char		*p = dirs, *dir;
	struct stat	 sb;

	if (*name == '\0')
		return -1;
	if (strchr(name, '/') != NULL) {
		if (strlcpy(dst, name, dstlen) >= dstlen)
			return -1;
		return access(dst, X_OK) == 0 ? 0 : -1;
	}
	while ((dir = strsep(&p, ":")) != NULL) {
		int	 n = snprintf(dst, dstlen, "%s/%s", dir, name);

		if (n < 0 || (size_t)n >= dstlen)
			continue;
		if (stat(dst, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(dst, X_OK) == 0)
			return 0;
	}
	return -1;
}

static void
drain(int *fd, struct buf *b)
{
	char	 chunk[65536];
	ssize_t	 n;

	n = read(*fd, chunk, sizeof(chunk));
	if (n > 0) {
		buf_append(b, chunk, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	(void)close(*fd);
	*fd = -1;
}

static void
close_fd(int *fd)
{
	if (*fd != -1)
		(void)close(*fd);
	*fd = -1;
}

/*
 * posix_spawn path with stdin from infd (-1: /dev/null), stdout and stderr on the
 * pipes' write ends, nothing beyond them, default signal handling and an
 * empty mask.  Returns posix_spawn's error number.
 */
static int
start(const char *path, char *const argv[], int infd, int outfd, int errfd,
    pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t	 attr;
	sigset_t		 none, dflt;
	int			 rc;

	posix_spawn_file_actions_init(&fa);
	if (infd == -1)
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
		    0);
	else
		posix_spawn_file_actions_adddup2(&fa, infd, 0);
	posix_spawn_file_actions_adddup2(&fa, outfd, 1);
	posix_spawn_file_actions_adddup2(&fa, errfd, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGQUIT);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(pid, path, &fa, &attr, argv, child_env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/*
 * Read both pipes to EOF and close them; -1 (errno set) if poll fails.
 * tick (where not NULL) is called every tenth of a second meanwhile.
 */
static int
collect(int fds[2], struct spawn_result *r, void (*tick)(void *), void *arg)
{
	while (fds[0] != -1 || fds[1] != -1) {
		struct pollfd	 pfd[2] = {
			{ fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 }
		};
		int		 n;

		if ((n = poll(pfd, 2, tick != NULL ? 100 : -1)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			if (tick != NULL)
				tick(arg);
			continue;
		}
		if (fds[0] != -1 && pfd[0].revents != 0)
			drain(&fds[0], &r->out);
		if (fds[1] != -1 && pfd[1].revents != 0)
			drain(&fds[1], &r->err);
	}
	return 0;
}

/* Wait for pid and record how it ended. */
static int
child_wait(pid_t pid, const char *name, struct spawn_result *r,
    struct wserr *e)
{
	int	 status;

	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			wserr_set(e, EX_UNAVAILABLE, "%s: waitpid: %s", name,
			    strerror(errno));
			return -1;
		}
	}
	if (WIFSIGNALED(status)) {
		r->status = -1;
		r->signo = WTERMSIG(status);
	} else
		r->status = WEXITSTATUS(status);
	return 0;
}

int
spawn_run(const char *path, char *const argv[], int echo,
    struct spawn_result *r, struct wserr *e)
{
	return spawn_run_ticking(path, argv, echo, NULL, NULL, r, e);
}

int
spawn_run_ticking(const char *path, char *const argv[], int echo,
    void (*tick)(void *), void *arg, struct spawn_result *r, struct wserr *e)
{
	return spawn_run_in(path, argv, echo, -1, tick, arg, r, e);
}

int
spawn_run_in(const char *path, char *const argv[], int echo, int infd,
    void (*tick)(void *), void *arg, struct spawn_result *r, struct wserr *e)
{
	int	 outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, fds[2], rc;
	pid_t	 pid;

	memset(r, 0, sizeof(*r));
	buf_append(&r->out, "", 0);
	buf_append(&r->err, "", 0);
	if (echo) {
		argv_print(stderr, argv);
		(void)fflush(stderr);
	}
	if (pipe2(outp, O_CLOEXEC) == -1 || pipe2(errp, O_CLOEXEC) == -1) {
		wserr_set(e, EX_UNAVAILABLE, "%s: pipe: %s", argv[0],
		    strerror(errno));
		goto fail;
	}
	rc = start(path, argv, infd, outp[1], errp[1], &pid);
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	if (rc != 0) {
		wserr_set(e, EX_UNAVAILABLE, "cannot run %s: %s", path,
		    strerror(rc));
		goto fail;
	}
	fds[0] = outp[0];
	fds[1] = errp[0];
	outp[0] = errp[0] = -1;
	if (collect(fds, r, tick, arg) == -1) {
		/* what it printed is lost: closing the pipes ends it */
		wserr_set(e, EX_UNAVAILABLE, "%s: poll: %s", argv[0],
		    strerror(errno));
		close_fd(&fds[0]);
		close_fd(&fds[1]);
		(void)child_wait(pid, argv[0], r, e);
		spawn_result_free(r);
		return -1;
	}
	if (child_wait(pid, argv[0], r, e) == -1)
		goto fail;
	return 0;

fail:
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	spawn_result_free(r);
	return -1;
}

int
spawn_which_tool(const char *name, char *path, size_t pathlen,
    struct wserr *e)
{
	char	 v[VIS_BUFSZ];

	if (spawn_which(name, path, pathlen) == 0)
		return 0;
	path[0] = '\0';
	wserr_set(e, EX_UNAVAILABLE, "%s: not found%s",
	    vis_str(v, sizeof(v), name), strchr(name, '/') ? "" :
	    " in " SPAWN_PATH);
	return -1;
}

void
spawn_fail(struct wserr *e, char *const argv[], const struct spawn_result *r)
{
	struct buf	 cmd = { NULL, 0, 0 };
	char		 how[64], *msg, *p, *vis, *viscmd;
	size_t		 len;

	argv_join(&cmd, argv);
	if (r->signo != 0)
		(void)snprintf(how, sizeof(how), "killed by signal %d",
		    r->signo);
	else
		(void)snprintf(how, sizeof(how), "exit %d", r->status);
	/* The child's stderr, trimmed and folded onto the one line. */
	msg = xstrdup(r->err.data != NULL ? r->err.data : "");
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	for (p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	/* and every other control byte escaped: \033 never reaches a tty */
	vis = vis_dup(msg);
	viscmd = vis_dup(cmd.data);
	wserr_set(e, EX_UNAVAILABLE, "`%s` failed (%s)%s%s", viscmd, how,
	    *vis != '\0' ? ": " : "", vis);
	free(vis);
	free(viscmd);
	free(msg);
	buf_free(&cmd);
}

void
spawn_result_free(struct spawn_result *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}

/* The pipes and children of spawn_pipe. */
struct relay {
	int	 from;		/* the first's stdout */
	int	 to;		/* the second's stdin */
	int	 err[2];	/* both stderrs */
	int	 out2;		/* the second's stdout */
	char	*buf;
	size_t	 len, off;
};

static int
nonblock(int fd)
{
	int	 fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Move what the first writes to the second, collecting both stderrs. */
static int
relay_run(struct relay *x, struct spawn_result *r1, struct spawn_result *r2,
    void (*tick)(void *, size_t), void *arg)
{
	enum { CAP = 1 << 20 };
	struct pollfd	 p[5];
	ssize_t		 n;

	x->buf = xmalloc(CAP);
	for (;;) {
		if (x->from == -1 && x->off == x->len)
			close_fd(&x->to);	/* all passed on: EOF */
		/* after that close: a poll of nothing would never return */
		if (x->from == -1 && x->to == -1 && x->err[0] == -1 &&
		    x->err[1] == -1 && x->out2 == -1)
			break;
		p[0] = (struct pollfd){ x->off == x->len ? x->from : -1,
		    POLLIN, 0 };
		p[1] = (struct pollfd){ x->off < x->len ? x->to : -1, POLLOUT,
		    0 };
		p[2] = (struct pollfd){ x->err[0], POLLIN, 0 };
		p[3] = (struct pollfd){ x->err[1], POLLIN, 0 };
		p[4] = (struct pollfd){ x->out2, POLLIN, 0 };
		if (poll(p, 5, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].revents != 0) {
			n = read(x->from, x->buf, CAP);
			if (n > 0) {
				x->len = (size_t)n;
				x->off = 0;
				if (tick != NULL)
					tick(arg, (size_t)n);
			} else if (n == 0 || (errno != EINTR &&
			    errno != EAGAIN))
				close_fd(&x->from);
		}
		if (p[1].revents != 0) {
			n = write(x->to, x->buf + x->off, x->len - x->off);
			if (n > 0)
				x->off += (size_t)n;
			else if (n == -1 && errno != EINTR && errno != EAGAIN) {
				/* the second ended: the first gets EPIPE */
				close_fd(&x->to);
				close_fd(&x->from);
				x->off = x->len;
			}
		}
		if (x->err[0] != -1 && p[2].revents != 0)
			drain(&x->err[0], &r1->err);
		if (x->err[1] != -1 && p[3].revents != 0)
			drain(&x->err[1], &r2->err);
		if (x->out2 != -1 && p[4].revents != 0)
			drain(&x->out2, &r2->out);
	}
	return 0;
}

int
spawn_pipe(const char *path1, char *const argv1[], const char *path2,
    char *const argv2[], int echo, struct spawn_result *r1,
    struct spawn_result *r2, void (*tick)(void *, size_t), void *arg,
    struct wserr *e)
{
	struct relay	 x = { -1, -1, { -1, -1 }, -1, NULL, 0, 0 };
	struct sigaction sa, old;
	int		 a[2] = { -1, -1 }, b[2] = { -1, -1 }, e1[2] = { -1, -1 };
	int		 e2[2] = { -1, -1 }, o2[2] = { -1, -1 }, rc = -1;
	pid_t		 pid1 = -1, pid2 = -1;

	memset(r1, 0, sizeof(*r1));
	memset(r2, 0, sizeof(*r2));
	buf_append(&r1->out, "", 0);
	buf_append(&r1->err, "", 0);
	buf_append(&r2->out, "", 0);
	buf_append(&r2->err, "", 0);
	if (echo) {
		argv_print(stderr, argv1);
		argv_print(stderr, argv2);
		(void)fflush(stderr);
	}
	if (pipe2(a, O_CLOEXEC) == -1 || pipe2(b, O_CLOEXEC) == -1 ||
	    pipe2(e1, O_CLOEXEC) == -1 || pipe2(e2, O_CLOEXEC) == -1 ||
	    pipe2(o2, O_CLOEXEC) == -1) {
		wserr_set(e, EX_UNAVAILABLE, "pipe: %s", strerror(errno));
		goto out;
	}
	if ((rc = start(path1, argv1, -1, a[1], e1[1], &pid1)) != 0 ||
	    (rc = start(path2, argv2, b[0], o2[1], e2[1], &pid2)) != 0) {
		wserr_set(e, EX_UNAVAILABLE, "cannot run %s: %s", pid1 == -1 ?
		    path1 : path2, strerror(rc));
		if (pid1 != -1)
			(void)kill(pid1, SIGTERM);
		rc = -1;
		goto out;
	}
	close_fd(&a[1]);
	close_fd(&b[0]);
	close_fd(&e1[1]);
	close_fd(&e2[1]);
	close_fd(&o2[1]);
	x.from = a[0];
	x.to = b[1];
	x.err[0] = e1[0];
	x.err[1] = e2[0];
	x.out2 = o2[0];
	a[0] = b[1] = e1[0] = e2[0] = o2[0] = -1;
	(void)nonblock(x.to);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, &old);
	rc = relay_run(&x, r1, r2, tick, arg);
	(void)sigaction(SIGPIPE, &old, NULL);
	if (rc == -1)
		wserr_set(e, EX_UNAVAILABLE, "%s: poll: %s", argv1[0],
		    strerror(errno));
out:
	close_fd(&x.from);
	close_fd(&x.to);
	close_fd(&x.err[0]);
	close_fd(&x.err[1]);
	close_fd(&x.out2);
	free(x.buf);
	close_fd(&a[0]); close_fd(&a[1]); close_fd(&b[0]); close_fd(&b[1]);
	close_fd(&e1[0]); close_fd(&e1[1]); close_fd(&e2[0]); close_fd(&e2[1]);
	close_fd(&o2[0]); close_fd(&o2[1]);
	if (pid1 != -1 && child_wait(pid1, argv1[0], r1, e) == -1)
		rc = -1;
	if (pid2 != -1 && child_wait(pid2, argv2[0], r2, e) == -1)
		rc = -1;
	if (rc == -1) {
		spawn_result_free(r1);
		spawn_result_free(r2);
	}
	return rc;
}
