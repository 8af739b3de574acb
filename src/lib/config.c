/*
 * config.c: read and check /etc/warpstor.conf.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/file.h"
#include "lib/validate.h"

static void
set(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	set(&c->default_volume, "wsvol");
	set(&c->export_options, "rw,sync,no_subtree_check,root_squash");
	set(&c->exports_file, "/etc/exports.d/warpstor.exports");
	set(&c->lock_file, "/run/warpstor/lock");
	set(&c->journal_file, "/var/lib/warpstor/journal");
	set(&c->audit_log, "/var/log/warpstor/audit.log");
	c->status_deferred_max = 3600;
	c->status_replica_max = 3600;
	set(&c->zfs, "zfs");
	set(&c->exportfs, "exportfs");
	set(&c->filter_file, "/etc/warpstor/filter");
	strvec_pushl(&c->ssh, "ssh", "-o", "BatchMode=yes", SV_END);
	c->replicate_keep = 10;
	c->mode = -1;
}

static int
all_graph(const char *v)
{
	for (; *v != '\0'; v++)
		if (!isgraph((unsigned char)*v))
			return 0;
	return 1;
}

static int
valid_path(const char *v)
{
	return v[0] == '/' && all_graph(v);
}

static int
valid_program(const char *v)
{
	if (*v == '\0' || *v == '-')
		return 0;
	if (strchr(v, '/') != NULL && v[0] != '/')
		return 0;
	return all_graph(v);
}

static int
valid_type_name(const char *n)
{
	const char *p;

	if (*n == '\0' || *n == '-')
		return 0;
	for (p = n; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

/* Check "PROP=VAL PROP=VAL"; why gets the reason. */
static int
valid_type_props(const char *v, struct wserr *why)
{
	char	*copy = xstrdup(v), *p = copy, *tok;
	int	 n = 0, rc = 0;

	while ((tok = strsep(&p, " \t")) != NULL) {
		if (*tok == '\0')
			continue;
		n++;
		if (valid_propassign(tok, why) == -1) {
			rc = -1;
			break;
		}
	}
	free(copy);
	if (rc == 0 && n == 0) {
		wserr_set(why, EX_CONFIG, "no properties given");
		rc = -1;
	}
	return rc;
}

static char *
trim(char *s)
{
	char	*end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* ssh: a program, then its arguments (replicate's remote shell). */
static const char *
set_ssh(struct config *c, const char *val)
{
	struct strvec	 w = STRVEC_INIT;
	size_t		 i;

	strvec_split(&w, val, " \t", 0);
	for (i = 0; i < w.n && (i > 0 || valid_program(w.v[0])) &&
	    all_graph(w.v[i]); i++)
		;
	if (w.n == 0 || i < w.n) {
		strvec_clear(&w);
		return "a program name or absolute path, then its arguments";
	}
	strvec_clear(&c->ssh);
	c->ssh = w;
	return NULL;
}

/* Apply one key = value; returns NULL or the reason it is wrong. */
static const char *
config_set(struct config *c, const char *key, const char *val,
    struct wserr *why)
{
	static char	 reason[sizeof(why->msg)];
	char		*end;
	long		 m;

	if (*val == '\0')
		return "missing value";
	if (strcmp(key, "default_volume") == 0) {
		if (valid_dataset(val, why) == -1 || strchr(val, '/') != NULL)
			return "not a volume (pool) name";
		set(&c->default_volume, val);
	} else if (strcmp(key, "export_clients") == 0) {
		if (valid_clients(val, why) == -1)
			goto why;
		set(&c->export_clients, val);
	} else if (strcmp(key, "export_options") == 0) {
		if (valid_options(val, why) == -1)
			goto why;
		set(&c->export_options, val);
	} else if (strcmp(key, "exports_file") == 0 ||
	    strcmp(key, "lock_file") == 0 || strcmp(key, "filter_file") == 0 ||
	    strcmp(key, "journal_file") == 0 || strcmp(key, "audit_log") == 0) {
		if (!valid_path(val))
			return "not an absolute path";
		set(key[0] == 'e' ? &c->exports_file : key[0] == 'l' ?
		    &c->lock_file : key[0] == 'j' ? &c->journal_file :
		    key[0] == 'a' ? &c->audit_log : &c->filter_file, val);
	} else if (strcmp(key, "status_deferred_max") == 0 ||
	    strcmp(key, "status_replica_max") == 0) {
		long long	 secs;

		if (parse_duration(val, &secs) == -1)
			return "not a duration (seconds, or with s, m, h or d)";
		*(key[7] == 'd' ? &c->status_deferred_max :
		    &c->status_replica_max) = secs;
	} else if (strcmp(key, "zfs") == 0 || strcmp(key, "exportfs") == 0) {
		if (!valid_program(val))
			return "not a program name or absolute path";
		set(key[0] == 'z' ? &c->zfs : &c->exportfs, val);
	} else if (strcmp(key, "ssh") == 0) {
		return set_ssh(c, val);
	} else if (strcmp(key, "replicate_keep") == 0) {
		const char *errstr;

		c->replicate_keep = (int)strtonum(val, 1, 100000, &errstr);
		if (errstr != NULL)
			return "not a number from 1 to 100000";
	} else if (strcmp(key, "replicate_limit") == 0) {
		if (parse_rate(val, &c->replicate_limit) == -1)
			return "not a rate: bytes a second, with K, M or G";
	} else if (strcmp(key, "mode") == 0) {
		errno = 0;
		m = strtol(val, &end, 8);
		if (errno != 0 || *end != '\0' || m < 0 || m > 07777 ||
		    strspn(val, "01234567") != strlen(val))
			return "not an octal mode from 0 to 7777";
		c->mode = (int)m;
	} else if (strncmp(key, "type.", 5) == 0) {
		if (!valid_type_name(key + 5))
			return "type names use A-Z a-z 0-9 _ - only";
		if (config_type(c, key + 5) != NULL)
			return "duplicate type";
		if (valid_type_props(val, why) == -1)
			goto why;
		c->types = xreallocarray(c->types, c->ntypes + 1,
		    sizeof(*c->types));
		c->types[c->ntypes].name = xstrdup(key + 5);
		c->types[c->ntypes].props = xstrdup(val);
		c->ntypes++;
	} else
		return "unknown key";
	return NULL;
why:
	(void)strlcpy(reason, why->msg, sizeof(reason));
	return reason;
}

/*
 * One line, trimmed and not empty: key = value.  Returns NULL, or why it
 * is bad (*key then set when the line has a key).
 */
static const char *
config_line(struct config *c, char *s, unsigned *seen, const char **key,
    struct wserr *why)
{
	static const char *const once[] = { "default_volume", "export_clients",
	    "export_options", "exports_file", "lock_file", "zfs", "exportfs",
	    "mode", "filter_file", "journal_file", "ssh", "replicate_keep",
	    "replicate_limit", "audit_log", "status_deferred_max",
	    "status_replica_max", NULL };
	char	*eq;
	int	 i;

	*key = NULL;
	if ((eq = strchr(s, '=')) == NULL)
		return "expected key = value";
	*eq = '\0';
	*key = trim(s);
	for (i = 0; once[i] != NULL; i++)
		if (strcmp(*key, once[i]) == 0) {
			if (*seen & (1u << i))
				return "key given twice";
			*seen |= 1u << i;
		}
	return config_set(c, *key, trim(eq + 1), why);
}

/* Every line of fp; -1 with e saying where and why at the first bad one. */
static int
config_read(struct config *c, FILE *fp, const char *path, struct wserr *e)
{
	struct wserr	 why;
	unsigned	 seen = 0;
	const char	*bad = NULL, *key;
	char		*line, *s, v[VIS_BUFSZ], k[VIS_BUFSZ];
	size_t		 len, lineno = 0;

	while (bad == NULL && (line = fparseln(fp, &len, &lineno, NULL,
	    0)) != NULL) {
		if (*(s = trim(line)) != '\0' &&
		    (bad = config_line(c, s, &seen, &key, &why)) != NULL)
			wserr_set(e, EX_CONFIG, "%s:%zu: %s%s%s",
			    vis_str(v, sizeof(v), path), lineno,
			    key != NULL && *key != '\0' ?
			    vis_str(k, sizeof(k), key) : "",
			    key != NULL ? ": " : "", bad);
		free(line);
	}
	if (bad != NULL)
		return -1;
	if (ferror(fp)) {
		wserr_set(e, EX_CONFIG, "%s: %s", vis_str(v, sizeof(v), path),
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
config_load(struct config *c, const char *path, int required,
    struct wserr *e)
{
	struct wserr	 why;
	FILE		*fp;
	char		 v[VIS_BUFSZ];
	const char	*env;
	int		 fd, rc;

	config_defaults(c);
	c->path = xstrdup(path);
	/* root reads it: only a file nobody else could have written */
	if ((fd = file_open_trusted(path, O_RDONLY, 0, &why)) == -1 ||
	    (fp = fdopen(fd, "re")) == NULL) {
		if (fd == -1 && errno == ENOENT && !required)
			goto env;
		if (fd != -1)
			(void)close(fd);
		if (fd == -1 && errno != ENOENT && why.code == EX_NOPERM) {
			*e = why;
			return -1;
		}
		wserr_set(e, EX_CONFIG, "%s: %s", vis_str(v, sizeof(v), path),
		    strerror(errno));
		return -1;
	}
	c->found = 1;
	rc = config_read(c, fp, path, e);
	(void)fclose(fp);
	if (rc == -1)
		return -1;
env:
	if ((env = getenv("WARPSTOR_ZFS")) != NULL && *env != '\0')
		set(&c->zfs, env);
	if ((env = getenv("WARPSTOR_EXPORTFS")) != NULL && *env != '\0')
		set(&c->exportfs, env);
	return 0;
}

void
config_free(struct config *c)
{
	size_t	 i;

	free(c->path);
	free(c->default_volume);
	free(c->export_clients);
	free(c->export_options);
	free(c->exports_file);
	free(c->lock_file);
	free(c->journal_file);
	free(c->audit_log);
	free(c->zfs);
	free(c->exportfs);
	free(c->filter_file);
	strvec_clear(&c->ssh);
	for (i = 0; i < c->ntypes; i++) {
		free(c->types[i].name);
		free(c->types[i].props);
	}
	free(c->types);
	memset(c, 0, sizeof(*c));
}

const struct config_type *
config_type(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->ntypes; i++)
		if (strcmp(c->types[i].name, name) == 0)
			return &c->types[i];
	return NULL;
}
