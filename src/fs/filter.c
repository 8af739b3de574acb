/*
 * filter.c: globs and the removal walk.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/output.h"
#include "fs/filter.h"
#include "fs/fsops.h"
#include "lib/progress.h"

#define GLOB_MAX	1024

int
filter_add(struct filter *f, const char *g, struct wserr *e)
{
	const char *p, *why = NULL;
	char	 v[VIS_BUFSZ];
	size_t	 len = strlen(g);

	if (len == 0)
		why = "empty";
	else if (len > GLOB_MAX)
		why = "longer than 1024 bytes";
	else if (g[0] == '/')
		why = "absolute: globs are relative to the dataset's root";
	for (p = g; why == NULL && *p != '\0'; p++)
		if (!isprint((unsigned char)*p))
			why = "holds a control or non-ASCII byte";
	for (p = g; why == NULL && p != NULL; p = strchr(p, '/')) {
		size_t	 n;

		if (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			why = "empty path component";
		else if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' &&
		    p[1] == '.'))
			why = "a '.' or '..' component";
	}
	if (why != NULL) {
		wserr_set(e, EX_DATAERR, "invalid filter glob '%s': %s",
		    vis_str(v, sizeof(v), g), why);
		return -1;
	}
	f->globs = xreallocarray(f->globs, f->n + 1, sizeof(*f->globs));
	f->globs[f->n++] = xstrdup(g);
	return 0;
}

int
filter_add_file(struct filter *f, const char *path, int missing_ok,
    struct wserr *e)
{
	FILE	*fp;
	char	*line, v[VIS_BUFSZ];
	size_t	 len, lineno = 0;

	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT && missing_ok)
			return 0;
		wserr_set(e, errno == ENOENT ? EX_NOINPUT : EX_DATAERR,
		    "filter file %s: %s", vis_str(v, sizeof(v), path),
		    strerror(errno));
		return -1;
	}
	while ((line = fparseln(fp, &len, &lineno, NULL, 0)) != NULL) {
		char	*s = line, *end;

		while (*s == ' ' || *s == '\t')
			s++;
		end = s + strlen(s);
		while (end > s && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*s != '\0' && filter_add(f, s, e) == -1) {
			size_t	 n = strlen(e->msg);

			(void)snprintf(e->msg + n, sizeof(e->msg) - n,
			    " (%s:%zu)", vis_str(v, sizeof(v), path), lineno);
			free(line);
			(void)fclose(fp);
			return -1;
		}
		free(line);
	}
	(void)fclose(fp);
	return 0;
}

int
filter_match(const struct filter *f, const char *rel)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		if (fnmatch(f->globs[i], rel, FNM_PATHNAME) == 0)
			return (int)i + 1;
	return 0;
}

void
filter_free(struct filter *f)
{
	free_strings(f->globs, f->n);
	memset(f, 0, sizeof(*f));
}

struct walk {
	const struct filter *f;
	const char	*root;
	dev_t		 dev;
	void		(*list)(const char *, void *);
	void		*arg;
	size_t		*removed;
	size_t		*hits;		/* per glob: the entries it matched */
	struct progress	*p;
	struct wserr	*e;
};

static int
walk_err(struct walk *w, const char *what, const char *rel)
{
	char	 v[VIS_BUFSZ];

	wserr_set(w->e, EX_UNAVAILABLE, "%s %s/%s: %s", what, w->root,
	    vis_str(v, sizeof(v), rel), strerror(errno));
	return -1;
}

/* Open the directory name in dfd: no symlink, and on our filesystem. */
static int
open_dir(struct walk *w, int dfd, const char *name, const struct stat *was)
{
	struct stat	 sb;
	int		 fd;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || sb.st_dev != w->dev ||
	    sb.st_ino != was->st_ino) {
		(void)close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

/*
 * The names in directory fd, read whole before anything is removed
 * (removing while reading may skip entries on some filesystems).
 */
static char **
read_names(int fd, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	int		 dup_fd;

	*n = 0;
	if ((dup_fd = dup(fd)) == -1)
		return NULL;
	if ((d = fdopendir(dup_fd)) == NULL) {
		(void)close(dup_fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		v = xreallocarray(v, *n + 2, sizeof(*v));
		v[(*n)++] = xstrdup(de->d_name);
	}
	(void)closedir(d);
	if (v == NULL)
		v = xcalloc(1, sizeof(*v));
	return v;
}

static void
free_names(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int empty_dir(struct walk *, int, const char *);

/* Remove name in dfd: a file or link, or a directory with all in it. */
static int
remove_entry(struct walk *w, int dfd, const char *name, const struct stat *sb,
    const char *rel)
{
	int	 cfd, rc;

	if (!S_ISDIR(sb->st_mode)) {
		if (unlinkat(dfd, name, 0) == -1)
			return walk_err(w, "remove", rel);
		return 0;
	}
	if ((cfd = open_dir(w, dfd, name, sb)) == -1)
		return walk_err(w, "open", rel);
	rc = empty_dir(w, cfd, rel);
	(void)close(cfd);
	if (rc == 0 && unlinkat(dfd, name, AT_REMOVEDIR) == -1)
		rc = walk_err(w, "remove", rel);
	return rc;
}

/* Remove everything in the directory fd, depth first. */
static int
empty_dir(struct walk *w, int fd, const char *rel)
{
	char	**names;
	size_t	  i, n;
	int	  rc = 0;

	if ((names = read_names(fd, &n)) == NULL)
		return walk_err(w, "read", rel);
	for (i = 0; rc == 0 && i < n; i++) {
		struct stat	 sb;
		char		*sub = xasprintf("%s/%s", rel, names[i]);

		if (fstatat(fd, names[i], &sb, AT_SYMLINK_NOFOLLOW) == -1)
			rc = walk_err(w, "stat", sub);
		else
			rc = remove_entry(w, fd, names[i], &sb, sub);
		free(sub);
	}
	free_names(names, n);
	return rc;
}

static int
walk_dir(struct walk *w, int fd, const char *rel)
{
	char	**names;
	size_t	  i, n;
	int	  rc = 0;

	if ((names = read_names(fd, &n)) == NULL)
		return walk_err(w, "read", rel[0] ? rel : ".");
	for (i = 0; rc == 0 && i < n; i++) {
		struct stat	 sb;
		char		*sub;
		int		 g;

		progress_add(w->p, 1);
		sub = rel[0] ? xasprintf("%s/%s", rel, names[i]) :
		    xstrdup(names[i]);
		if (fstatat(fd, names[i], &sb, AT_SYMLINK_NOFOLLOW) == -1)
			rc = walk_err(w, "stat", sub);
		else if (sb.st_dev != w->dev)
			;	/* a mount point: another filesystem, not ours */
		else if ((g = filter_match(w->f, sub)) != 0) {
			if (w->list != NULL)
				w->list(sub, w->arg);
			else
				rc = remove_entry(w, fd, names[i], &sb, sub);
			if (rc == 0) {
				(*w->removed)++;
				w->hits[g - 1]++;
			}
		} else if (S_ISDIR(sb.st_mode)) {
			int	 cfd = open_dir(w, fd, names[i], &sb);

			if (cfd == -1)
				rc = walk_err(w, "open", sub);
			else {
				rc = walk_dir(w, cfd, sub);
				(void)close(cfd);
			}
		}
		free(sub);
	}
	free_names(names, n);
	return rc;
}

int
filter_apply(const struct filter *f, int rootfd, const char *root,
    void (*list)(const char *, void *), void *arg, size_t *removed,
    size_t *hits, struct progress *p, struct wserr *e)
{
	struct walk	 w;
	struct stat	 sb;

	*removed = 0;
	memset(hits, 0, f->n * sizeof(*hits));
	if (f->n == 0)
		return 0;
	if (fstat(rootfd, &sb) == -1) {
		wserr_set(e, EX_UNAVAILABLE, "stat %s: %s", root,
		    strerror(errno));
		return -1;
	}
	w.f = f;
	w.root = root;
	w.dev = sb.st_dev;
	w.list = list;
	w.arg = arg;
	w.removed = removed;
	w.hits = hits;
	w.p = p;
	w.e = e;
	return walk_dir(&w, rootfd, "");
}

/* An encoding of globs for warpstor:filter: ',' between, %2C and %25. */
char *
filter_record(const struct filter *f)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*c;
	size_t		 i;

	for (i = 0; i < f->n; i++) {
		if (i > 0)
			buf_append(&b, ",", 1);
		for (c = f->globs[i]; *c != '\0'; c++)
			if (*c == ',')
				buf_append(&b, "%2C", 3);
			else if (*c == '%')
				buf_append(&b, "%25", 3);
			else
				buf_append(&b, c, 1);
	}
	return b.data;
}

/* Add the globs of a warpstor:filter value (checked as -x ones are). */
int
filter_add_record(struct filter *f, const char *value, struct wserr *e)
{
	char	*copy = xstrdup(value), *p = copy, *g, *d, *s;
	int	 rc = 0;

	while (rc == 0 && (g = strsep(&p, ",")) != NULL) {
		for (s = d = g; *s != '\0'; s++, d++) {
			if (strncmp(s, "%2C", 3) == 0) {
				*d = ',';
				s += 2;
			} else if (strncmp(s, "%25", 3) == 0) {
				*d = '%';
				s += 2;
			} else
				*d = *s;
		}
		*d = '\0';
		if (*g != '\0')
			rc = filter_add(f, g, e);
	}
	free(copy);
	return rc;
}

int
filter_has(const struct filter *f, const char *glob)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->globs[i], glob) == 0)
			return 1;
	return 0;
}

void
filter_report(const struct filter *f, const size_t *hits, const char *mp,
    int verbose)
{
	size_t	 i;
	char	 v[VIS_BUFSZ];

	for (i = 0; i < f->n; i++)
		if (hits[i] == 0)
			out_warn(NULL, "warning: filter glob '%s' matched "
			    "nothing in %s", vis_str(v, sizeof(v),
			    f->globs[i]), mp);
		else
			out_verbose(verbose, "filter %s: '%s': %zu entr%s "
			    "removed", mp, vis_str(v, sizeof(v), f->globs[i]),
			    hits[i], hits[i] == 1 ? "y" : "ies");
}

int
filter_apply_mount(const struct filter *f, const char *ds, const char *mp,
    int verbose, int progress, struct wserr *e)
{
	struct progress	 p;
	size_t		 removed = 0, *hits;
	char		*what;
	int		 fd, rc;

	if ((fd = fs_open_mount(mp, ds, e)) == -1)
		return -1;
	hits = xcalloc(f->n + 1, sizeof(*hits));
	what = xasprintf("filter %s", mp);
	progress_start(&p, progress, what, "entries", 0);
	rc = filter_apply(f, fd, mp, NULL, NULL, &removed, hits, &p, e);
	progress_end(&p);
	free(what);
	(void)close(fd);
	if (rc == 0) {
		filter_report(f, hits, mp, verbose);
		out_verbose(verbose, "filter %s: %zu entr%s removed", mp,
		    removed, removed == 1 ? "y" : "ies");
	}
	free(hits);
	return rc;
}
