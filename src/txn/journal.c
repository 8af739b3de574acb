/*
 * journal.c: append-only records, one a line, each word vis-encoded.
 *
 *   W 1 PID WORD...          the command (version 1)
 *   U f NAME WORD...         a pending undo: undo kind NAME, its argv
 *   U c PATH [CONTENT]       a pending undo: restore a file
 *                            (an earlier version wrote "U z WORD..." and
 *                            "U e WORD...": undo kinds zfs and exportfs)
 *   D / X                    the last pending undo's step is done / failed
 *   Z WORD...                the last, irreversible step, under way
 *   Y                        that step is done
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
#define LIBBSD_OPENBSD_VIS
#include <vis.h>

#include "lib/file.h"
#include "txn/journal.h"

static int
jerr(struct wserr *e, const char *what, const char *path)
{
	wserr_set(e, EX_UNAVAILABLE, "journal %s %s: %s", what, path,
	    strerror(errno));
	return -1;
}

/*
 * A word as stravis(3) encodes it with VIS_CSTYLE | VIS_OCTAL | VIS_WHITE
 * (\s \n \t \\, every other byte outside printable ASCII as \ooo), for
 * strunvis(3) to decode; by hand, because libbsd's vis takes every byte
 * through the multibyte conversions: a 100 KB exports file (900 exports)
 * in an undo record cost 54 million instructions, 10 ms of every command
 * that changed it.
 */
static void
add_word(struct buf *b, const char *w)
{
	static const char octal[] = "01234567";
	char	 out[4096];
	size_t	 n = 0;

	buf_append(b, " ", 1);
	if (w == NULL || *w == '\0') {
		buf_append(b, "\\000", 4);	/* an empty word */
		return;
	}
	for (; *w != '\0'; w++) {
		unsigned char c = (unsigned char)*w;

		if (n > sizeof(out) - 4) {
			buf_append(b, out, n);
			n = 0;
		}
		if (c > ' ' && c < 0x7f && c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		out[n++] = '\\';
		switch (c) {
		case '\\':
			out[n++] = '\\';
			break;
		case ' ':
			out[n++] = 's';
			break;
		case '\n':
			out[n++] = 'n';
			break;
		case '\t':
			out[n++] = 't';
			break;
		default:
			out[n++] = octal[c >> 6];
			out[n++] = octal[(c >> 3) & 7];
			out[n++] = octal[c & 7];
		}
	}
	buf_append(b, out, n);
}

/*
 * Write b as one record; with sync, on disk before the return.  A record
 * says what is about to be done (W, U, Z): it is synced, so that after a
 * power cut the journal holds every step that may have run.  A mark (D,
 * X, Y) says a step ended: it is not, and the next synced record takes
 * it along; lost with a power cut, the journal reads as if the command
 * had been killed just before the mark, a state recover already handles
 * (every undo is tolerant of a step that did not run).  That is 3 to 5
 * fsyncs a command fewer.
 */
static int
append(int fd, struct buf *b, int sync, struct wserr *e)
{
	size_t	 off = 0;

	buf_append(b, "\n", 1);
	while (off < b->len) {
		ssize_t	 n = write(fd, b->data + off, b->len - off);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			buf_free(b);
			return jerr(e, "write", "");
		}
		off += (size_t)n;
	}
	buf_free(b);
	if (sync && fsync(fd) == -1)
		return jerr(e, "fsync", "");
	return 0;
}

static int
fsync_parent(const char *path)
{
	char	 dir[PATH_MAX];
	int	 fd, rc = 0;

	(void)strlcpy(dir, path, sizeof(dir));
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (fsync(fd) == -1)
		rc = -1;
	(void)close(fd);
	return rc;
}

int
journal_begin(const char *path, const char *cmdline, const char *hint,
    int *fd, struct wserr *e)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 dir[PATH_MAX], pid[32];

	(void)strlcpy(dir, path, sizeof(dir));
	if (mkdir(dirname(dir), 0700) == -1 && errno != EEXIST)
		return jerr(e, "mkdir", dir);
	e->code = 0;
	*fd = file_open_trusted(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND,
	    0600, e);
	if (*fd == -1) {
		if (e->code == EX_NOPERM && errno != EEXIST)
			return -1;
		if (errno == EEXIST) {
			wserr_set(e, EX_SOFTWARE, "an interrupted command left "
			    "its journal %s: run '%s' first", path, hint);
			return -1;
		}
		return jerr(e, "create", path);
	}
	(void)snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	buf_append(&b, "W 1", 3);
	add_word(&b, pid);
	add_word(&b, cmdline);
	if (append(*fd, &b, 1, e) == -1 || fsync_parent(path) == -1) {
		(void)close(*fd);
		(void)unlink(path);
		return jerr(e, "write", path);
	}
	return 0;
}

int
journal_pending(int fd, const char *name, char *const *argv,
    const char *content, struct wserr *e)
{
	struct buf	 b = { NULL, 0, 0 };
	size_t		 i;

	buf_append(&b, name != NULL ? "U f" : "U c", 3);
	if (name != NULL)
		add_word(&b, name);
	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		add_word(&b, argv[i]);
	if (name == NULL && content != NULL)
		add_word(&b, content);
	return append(fd, &b, 1, e);
}

int
journal_mark(int fd, enum jmark mark, struct wserr *e)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 c = (char)mark;

	buf_append(&b, &c, 1);
	return append(fd, &b, 0, e);
}

int
journal_final(int fd, char *const *argv, struct wserr *e)
{
	struct buf	 b = { NULL, 0, 0 };
	size_t		 i;

	buf_append(&b, "Z", 1);
	for (i = 0; argv[i] != NULL; i++)
		add_word(&b, argv[i]);
	return append(fd, &b, 1, e);
}

int
journal_end(const char *path, int fd, struct wserr *e)
{
	if (fd != -1)
		(void)close(fd);
	if (unlink(path) == -1 && errno != ENOENT)
		return jerr(e, "remove", path);
	(void)fsync_parent(path);
	return 0;
}

static char *
decode(const char *w)
{
	char	*d = xmalloc(strlen(w) + 1);

	if (strcmp(w, "\\000") == 0)
		*d = '\0';
	else if (strunvis(d, w) == -1) {
		free(d);
		return NULL;
	}
	return d;
}

void
journal_free(struct journal *j)
{
	size_t	 i;

	for (i = 0; i < j->n; i++) {
		free(j->v[i].name);
		strvec_clear(&j->v[i].argv);
		free(j->v[i].content);
	}
	free(j->v);
	free(j->cmdline);
	strvec_clear(&j->final);
	memset(j, 0, sizeof(*j));
}

/* The words of a record after its letter, decoded; -1 if one is not. */
static int
split_words(char *p, struct strvec *words)
{
	char	*w, *d;

	while (p != NULL && (w = strsep(&p, " ")) != NULL) {
		if ((d = decode(w)) == NULL)
			return -1;
		strvec_push(words, d);
		free(d);
	}
	return 0;
}

/* U KIND ...: a pending undo. */
static int
read_undo(struct journal *j, const struct strvec *w)
{
	struct jentry	*je;
	const char	*k = w->n > 0 ? w->v[0] : "";
	size_t		 i = 1;

	if (strlen(k) != 1 || strchr("zefc", k[0]) == NULL ||
	    w->n < (k[0] == 'z' || k[0] == 'e' ? 1u : 2u))
		return -1;
	j->v = xreallocarray(j->v, j->n + 1, sizeof(*j->v));
	je = &j->v[j->n++];
	memset(je, 0, sizeof(*je));
	je->state = JS_PENDING;
	if (k[0] == 'c') {
		je->kind = J_FILE;
		strvec_push(&je->argv, w->v[1]);
		if (w->n > 2)
			je->content = xstrdup(w->v[2]);
		return 0;
	}
	je->kind = J_UNDO;
	if (k[0] == 'f')
		je->name = xstrdup(w->v[i++]);
	else
		je->name = xstrdup(k[0] == 'z' ? "zfs" : "exportfs");
	for (; i < w->n; i++)
		strvec_push(&je->argv, w->v[i]);
	return 0;
}

/* One record; -1 when it does not fit what came before. */
static int
read_record(struct journal *j, char letter, const struct strvec *w)
{
	size_t	 i;

	switch (letter) {
	case 'W':
		if (j->cmdline != NULL || w->n != 3 ||
		    strcmp(w->v[0], "1") != 0)
			return -1;
		j->pid = (pid_t)strtol(w->v[1], NULL, 10);
		j->cmdline = xstrdup(w->v[2]);
		return 0;
	case 'U':
		return read_undo(j, w);
	case JM_DONE:
	case JM_DROPPED:
		if (j->n == 0 || j->v[j->n - 1].state != JS_PENDING)
			return -1;
		j->v[j->n - 1].state = letter == JM_DONE ? JS_DONE :
		    JS_DROPPED;
		return 0;
	case 'Z':
		strvec_clear(&j->final);
		for (i = 0; i < w->n; i++)
			strvec_push(&j->final, w->v[i]);
		j->final_state = JF_PENDING;
		return 0;
	case JM_FINAL_DONE:
		j->final_state = JF_DONE;
		return 0;
	}
	return -1;
}

int
journal_read(const char *path, struct journal *j, struct wserr *e)
{
	FILE	*fp;
	char	*line = NULL, *p;
	size_t	 cap = 0;
	ssize_t	 len;
	int	 bad = 0, fd;

	memset(j, 0, sizeof(*j));
	e->code = 0;
	/* recover runs what it says as root: only a file of root's */
	if ((fd = file_open_trusted(path, O_RDONLY, 0, e)) == -1) {
		if (errno == ENOENT && e->code != EX_NOPERM)
			return 0;
		return e->code == EX_NOPERM ? -1 : jerr(e, "read", path);
	}
	if ((fp = fdopen(fd, "re")) == NULL) {
		(void)close(fd);
		return jerr(e, "read", path);
	}
	while (!bad && (len = getline(&line, &cap, fp)) != -1) {
		struct strvec	 words = STRVEC_INIT;

		if (len == 0 || line[len - 1] != '\n')
			break;		/* a torn last record: never written */
		line[len - 1] = '\0';
		p = line;
		(void)strsep(&p, " ");	/* the record's letter, line[0] */
		bad = split_words(p, &words) == -1 ||
		    read_record(j, line[0], &words) == -1;
		strvec_clear(&words);
	}
	free(line);
	(void)fclose(fp);
	if (bad || j->cmdline == NULL) {
		journal_free(j);
		wserr_set(e, EX_SOFTWARE, "journal %s is damaged; look at it "
		    "and remove it by hand", path);
		return -1;
	}
	return 0;
}
