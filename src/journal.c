/*
 * journal.c: append-only records, one a line, each word vis-encoded.
 *
 *   W 1 PID WORD...          the command (version 1)
 *   U KIND [FN] WORD...      a pending undo (KIND: z zfs, e exportfs,
 *                            f function, c file: PATH [CONTENT])
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

#include "fsops.h"
#include "journal.h"

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
	static const char hex[] = "01234567";
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
			out[n++] = hex[c >> 6];
			out[n++] = hex[(c >> 3) & 7];
			out[n++] = hex[c & 7];
		}
	}
	buf_append(b, out, n);
}

static int
append(int fd, struct buf *b, struct wserr *e)
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
	if (fsync(fd) == -1)
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
journal_begin(const char *path, const char *cmdline, int *fd, struct wserr *e)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 dir[PATH_MAX], pid[32];

	(void)strlcpy(dir, path, sizeof(dir));
	if (mkdir(dirname(dir), 0700) == -1 && errno != EEXIST)
		return jerr(e, "mkdir", dir);
	e->code = 0;
	*fd = fs_open_trusted(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND,
	    0600, e);
	if (*fd == -1) {
		if (e->code == EX_NOPERM && errno != EEXIST)
			return -1;
		if (errno == EEXIST) {
			wserr_set(e, EX_SOFTWARE, "an interrupted command left "
			    "its journal %s: run 'warpstor recover' first",
			    path);
			return -1;
		}
		return jerr(e, "create", path);
	}
	(void)snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	buf_append(&b, "W 1", 3);
	add_word(&b, pid);
	add_word(&b, cmdline);
	if (append(*fd, &b, e) == -1 || fsync_parent(path) == -1) {
		(void)close(*fd);
		(void)unlink(path);
		return jerr(e, "write", path);
	}
	return 0;
}

int
journal_pending(int fd, enum jkind kind, const char *fn, char *const *argv,
    const char *content, struct wserr *e)
{
	static const char kinds[] = { 'z', 'e', 'f', 'c' };
	struct buf	 b = { NULL, 0, 0 };
	size_t		 i;

	buf_append(&b, "U ", 2);
	buf_append(&b, &kinds[kind], 1);
	if (kind == J_FN)
		add_word(&b, fn);
	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		add_word(&b, argv[i]);
	if (kind == J_FILE && content != NULL)
		add_word(&b, content);
	return append(fd, &b, e);
}

int
journal_mark(int fd, char state, struct wserr *e)
{
	struct buf	 b = { NULL, 0, 0 };

	buf_append(&b, &state, 1);
	return append(fd, &b, e);
}

int
journal_final(int fd, char *const *argv, struct wserr *e)
{
	struct buf	 b = { NULL, 0, 0 };
	size_t		 i;

	buf_append(&b, "Z", 1);
	for (i = 0; argv[i] != NULL; i++)
		add_word(&b, argv[i]);
	return append(fd, &b, e);
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
		free(j->v[i].fn);
		strvec_clear(&j->v[i].argv);
		free(j->v[i].content);
	}
	free(j->v);
	free(j->cmdline);
	strvec_clear(&j->final);
	memset(j, 0, sizeof(*j));
}

int
journal_read(const char *path, struct journal *j, struct wserr *e)
{
	FILE	*fp;
	char	*line = NULL, *p, *w, *d;
	size_t	 cap = 0;
	ssize_t	 len;
	int	 bad = 0, fd;

	memset(j, 0, sizeof(*j));
	e->code = 0;
	/* recover runs what it says as root: only a file of root's */
	if ((fd = fs_open_trusted(path, O_RDONLY, 0, e)) == -1) {
		if (errno == ENOENT && e->code != EX_NOPERM)
			return 0;
		return e->code == EX_NOPERM ? -1 : jerr(e, "read", path);
	}
	if ((fp = fdopen(fd, "re")) == NULL) {
		(void)close(fd);
		return jerr(e, "read", path);
	}
	while (!bad && (len = getline(&line, &cap, fp)) != -1) {
		struct jentry	*je;
		struct strvec	 words = STRVEC_INIT;
		size_t		 i;

		if (len == 0 || line[len - 1] != '\n')
			break;		/* a torn last record: never written */
		line[len - 1] = '\0';
		p = line;
		(void)strsep(&p, " ");	/* the record's letter, line[0] */
		while (p != NULL && (w = strsep(&p, " ")) != NULL) {
			if ((d = decode(w)) == NULL) {
				bad = 1;
				break;
			}
			strvec_push(&words, d);
			free(d);
		}
		switch (line[0]) {
		case 'W':
			if (j->cmdline != NULL || words.n != 3 ||
			    strcmp(words.v[0], "1") != 0) {
				bad = 1;
				break;
			}
			j->pid = (pid_t)strtol(words.v[1], NULL, 10);
			j->cmdline = xstrdup(words.v[2]);
			break;
		case 'U':
			if (words.n < 1 || strlen(words.v[0]) != 1 ||
			    strchr("zefc", words.v[0][0]) == NULL) {
				bad = 1;
				break;
			}
			j->v = xreallocarray(j->v, j->n + 1, sizeof(*j->v));
			je = &j->v[j->n++];
			memset(je, 0, sizeof(*je));
			je->state = 'P';
			je->kind = (enum jkind)(strchr("zefc", words.v[0][0]) -
			    "zefc");
			i = 1;
			if (je->kind == J_FN) {
				if (words.n < 2) {
					bad = 1;
					break;
				}
				je->fn = xstrdup(words.v[i++]);
			}
			if (je->kind == J_FILE) {
				if (words.n < 2) {
					bad = 1;
					break;
				}
				strvec_push(&je->argv, words.v[1]);
				if (words.n > 2)
					je->content = xstrdup(words.v[2]);
				break;
			}
			for (; i < words.n; i++)
				strvec_push(&je->argv, words.v[i]);
			break;
		case 'D':
		case 'X':
			if (j->n == 0 || j->v[j->n - 1].state != 'P')
				bad = 1;
			else
				j->v[j->n - 1].state = (unsigned char)line[0];
			break;
		case 'Z':
			strvec_clear(&j->final);
			for (i = 0; i < words.n; i++)
				strvec_push(&j->final, words.v[i]);
			j->final_state = 'P';
			break;
		case 'Y':
			j->final_state = 'D';
			break;
		default:
			bad = 1;
		}
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
