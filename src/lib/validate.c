/*
 * validate.c: names, patterns, clients, export options, properties.
 *
 * Stricter than zfs on purpose: no spaces or other bytes that would need
 * quoting in an exports-file line or a shell.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "lib/validate.h"

static const char name_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:";

static int
bad(struct wserr *e, const char *what, const char *s, const char *why)
{
	char	 v[VIS_BUFSZ];

	wserr_set(e, EX_DATAERR, "invalid %s '%s': %s", what,
	    vis_str(v, sizeof(v), s), why);
	return -1;
}

/* One component of a dataset name, or the part after '@'. */
static const char *
component_error(const char *c, size_t len)
{
	size_t	 i;

	if (len == 0)
		return "empty component";
	if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' &&
	    c[1] == '.'))
		return "component '.' or '..'";
	if (c[0] == '-')
		return "component starts with '-'";
	for (i = 0; i < len; i++)
		if (c[i] == '\0' || strchr(name_chars, c[i]) == NULL)
			return "only A-Z a-z 0-9 _ - . : may be used in a name";
	return NULL;
}

static const char *
dataset_error(const char *s, size_t len)
{
	const char *p = s, *end = s + len, *slash, *why;

	if (len == 0)
		return "empty name";
	for (;;) {
		slash = memchr(p, '/', (size_t)(end - p));
		if (slash == NULL)
			slash = end;
		if ((why = component_error(p, (size_t)(slash - p))) != NULL)
			return why;
		if (slash == end)
			return NULL;
		p = slash + 1;
	}
}

int
valid_dataset(const char *s, struct wserr *e)
{
	const char *why;
	size_t	 len = strlen(s);

	if (len > NAME_MAX_BYTES)
		return bad(e, "dataset name", s, "longer than 255 bytes");
	if (strchr(s, '@') != NULL)
		return bad(e, "dataset name", s, "a dataset name has no '@'");
	if ((why = dataset_error(s, len)) != NULL)
		return bad(e, "dataset name", s, why);
	return 0;
}

int
valid_snapshot(const char *s, struct wserr *e)
{
	const char *at = strchr(s, '@'), *why;
	size_t	 len = strlen(s);

	if (len > NAME_MAX_BYTES)
		return bad(e, "snapshot name", s, "longer than 255 bytes");
	if (at == NULL)
		return bad(e, "snapshot name", s, "no '@' in a snapshot name");
	if (strchr(at + 1, '@') != NULL)
		return bad(e, "snapshot name", s, "more than one '@'");
	if ((why = dataset_error(s, (size_t)(at - s))) != NULL)
		return bad(e, "snapshot name", s, why);
	if ((why = component_error(at + 1, strlen(at + 1))) != NULL)
		return bad(e, "snapshot name", s, why);
	return 0;
}

int
valid_dataset_or_snapshot(const char *s, struct wserr *e)
{
	return strchr(s, '@') != NULL ? valid_snapshot(s, e) :
	    valid_dataset(s, e);
}

int
valid_pattern(const char *s, struct wserr *e)
{
	const char *p;

	if (*s == '\0')
		return bad(e, "pattern", s, "empty pattern");
	if (strlen(s) > NAME_MAX_BYTES)
		return bad(e, "pattern", s, "longer than 255 bytes");
	if (*s == '-')
		return bad(e, "pattern", s, "starts with '-'");
	for (p = s; *p != '\0'; p++)
		if (strchr(name_chars, *p) == NULL &&
		    strchr("/@*?[]!^", *p) == NULL)
			return bad(e, "pattern", s, "only name characters and "
			    "the glob characters * ? [ ] ! ^ may be used");
	return 0;
}

/* A host name with optional * and ? wildcards, as exports(5) allows. */
static int
valid_hostname(const char *h, size_t len)
{
	size_t	 i, label = 0;

	if (len == 0 || len > 253 || h[0] == '-' || h[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (h[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isascii((unsigned char)h[i]) ||
		    (!isalnum((unsigned char)h[i]) && h[i] != '-' &&
		    h[i] != '*' && h[i] != '?' && h[i] != '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0;
}

static int
valid_prefix(const char *s, long max)
{
	const char *errstr;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
		return 0;
	(void)strtonum(s, 0, max, &errstr);
	return errstr == NULL;
}

static int
valid_client(const char *c, size_t len)
{
	char		 tmp[256], *slash;
	unsigned char	 addr[16];

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, c, len);
	tmp[len] = '\0';
	if (strcmp(tmp, "*") == 0)
		return 1;
	if (tmp[0] == '@')
		return len > 1 && strspn(tmp + 1, name_chars) == len - 1 &&
		    tmp[1] != '-';
	slash = strchr(tmp, '/');
	if (slash != NULL) {
		*slash++ = '\0';
		if (inet_pton(AF_INET, tmp, addr) == 1)
			return valid_prefix(slash, 32) ||
			    inet_pton(AF_INET, slash, addr) == 1;
		if (inet_pton(AF_INET6, tmp, addr) == 1)
			return valid_prefix(slash, 128);
		return 0;
	}
	if (inet_pton(AF_INET, tmp, addr) == 1 ||
	    inet_pton(AF_INET6, tmp, addr) == 1)
		return 1;
	return valid_hostname(tmp, len);
}

/* The length of the entry at p: up to the first comma outside (). */
static size_t
entry_len(const char *p)
{
	size_t	 n = strcspn(p, ",(");

	if (p[n] == '(')
		n += strcspn(p + n, ")") + (p[n + strcspn(p + n, ")")] == ')');
	return n;
}

void
clients_split(const char *clients, struct strvec *out)
{
	const char	*p = clients;
	size_t		 n;

	while (*p != '\0') {
		n = entry_len(p);
		strvec_pushf(out, "%.*s", (int)n, p);
		p += n + (p[n] == ',');
	}
}

size_t
client_len(const char *entry)
{
	return strcspn(entry, "(");
}

char *
client_own_options(const char *entry)
{
	const char	*paren = strchr(entry, '(');

	if (paren == NULL)
		return NULL;
	return xstrndup(paren + 1, strcspn(paren + 1, ")"));
}

int
clients_has(const char *clients, const char *client)
{
	struct strvec	 cl = STRVEC_INIT;
	size_t		 i, len = strlen(client);
	int		 has = 0;

	clients_split(clients, &cl);
	for (i = 0; i < cl.n && !has; i++)
		has = client_len(cl.v[i]) == len &&
		    strncmp(cl.v[i], client, len) == 0;
	strvec_clear(&cl);
	return has;
}

/*
 * One entry of a clients list: a client, and with "(OPTS)" right after
 * it its own export options, checked as --export-options is: 0, -1 (a
 * bad entry), -2 (bad options: e says why).
 */
static int
valid_entry(const char *p, size_t n, struct wserr *e)
{
	size_t	 c = strcspn(p, "(");
	char	*opts;
	int	 rc;

	if (c > n)
		c = n;
	if (!valid_client(p, c))
		return -1;
	if (c == n)
		return 0;
	if (n < c + 3 || p[n - 1] != ')')
		return -1;
	opts = xstrndup(p + c + 1, n - c - 2);
	rc = strchr(opts, '(') != NULL ? -1 : valid_options(opts, e) == 0 ?
	    0 : -2;
	free(opts);
	return rc;
}

int
valid_clients(const char *s, struct wserr *e)
{
	const char *p = s;
	char	 why[sizeof(e->msg)];
	size_t	 n;
	int	 rc;

	if (*s == '\0')
		return bad(e, "client list", s, "empty");
	for (;;) {
		n = entry_len(p);
		if ((rc = valid_entry(p, n, e)) == -2) {
			(void)strlcpy(why, e->msg, sizeof(why));
			return bad(e, "client list", s, why);
		}
		if (rc == -1)
			return bad(e, "client list", s, "each client is *, a "
			    "host name, an IP address, ADDR/PREFIX or "
			    "@netgroup, with its own exports(5) options in "
			    "parentheses if it has any");
		if (p[n] == '\0')
			return 0;
		if (p[n] != ',')
			return bad(e, "client list", s, "a ',' goes between "
			    "clients");
		p += n + 1;
	}
}

static const char *const flag_options[] = {
	"rw", "ro", "sync", "async", "secure", "insecure", "wdelay",
	"no_wdelay", "hide", "nohide", "crossmnt", "nocrossmnt",
	"subtree_check", "no_subtree_check", "secure_locks", "insecure_locks",
	"auth_nlm", "no_auth_nlm", "root_squash", "no_root_squash",
	"all_squash", "no_all_squash", "acl", "no_acl", "pnfs", "no_pnfs",
	"security_label", "mp", "mountpoint", NULL
};

static const char *const sec_flavors[] = {
	"sys", "krb5", "krb5i", "krb5p", "none", NULL
};

static int
in_list(const char *const *list, const char *s, size_t len)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == len && strncmp(*list, s, len) == 0)
			return 1;
	return 0;
}

static int
valid_sec(const char *s)
{
	const char *colon;

	for (;;) {
		colon = strchr(s, ':');
		if (!in_list(sec_flavors, s, colon ? (size_t)(colon - s) :
		    strlen(s)))
			return 0;
		if (colon == NULL)
			return 1;
		s = colon + 1;
	}
}

/* An absolute path of name characters with no '.' or '..' component. */
static int
valid_abspath(const char *s)
{
	const char *p, *slash;

	if (s[0] != '/')
		return 0;
	for (p = s + 1; *p != '\0'; p = slash + 1) {
		slash = strchr(p, '/');
		if (slash == NULL)
			return component_error(p, strlen(p)) == NULL;
		if (slash > p && component_error(p, (size_t)(slash - p)))
			return 0;
	}
	return 1;
}

static const char *
option_error(const char *o, size_t len)
{
	char	 tmp[256], *eq;

	if (len == 0)
		return "empty option";
	if (len >= sizeof(tmp))
		return "option too long";
	memcpy(tmp, o, len);
	tmp[len] = '\0';
	if (in_list(flag_options, tmp, len))
		return NULL;
	if ((eq = strchr(tmp, '=')) == NULL)
		return "unknown export option";
	*eq++ = '\0';
	if (strcmp(tmp, "fsid") == 0)
		return "fsid is chosen and kept by warpstor";
	if (strcmp(tmp, "anonuid") == 0 || strcmp(tmp, "anongid") == 0)
		return valid_prefix(eq, 4294967294L) ? NULL :
		    "anonuid/anongid take a number";
	if (strcmp(tmp, "sec") == 0)
		return valid_sec(eq) ? NULL :
		    "sec takes sys, krb5, krb5i, krb5p or none, ':'-separated";
	if (strcmp(tmp, "mountpoint") == 0 || strcmp(tmp, "mp") == 0)
		return valid_abspath(eq) ? NULL :
		    "mountpoint= takes an absolute path of name characters";
	return "unknown export option";
}

int
valid_options(const char *s, struct wserr *e)
{
	const char *p = s, *comma, *why;

	if (*s == '\0')
		return bad(e, "export options", s, "empty");
	for (;;) {
		comma = strchr(p, ',');
		why = option_error(p, comma ? (size_t)(comma - p) : strlen(p));
		if (why != NULL)
			return bad(e, "export options", s, why);
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

int
valid_propassign(const char *s, struct wserr *e)
{
	const char *eq = strchr(s, '='), *p;

	if (eq == NULL || eq == s)
		return bad(e, "property", s, "expected PROP=VALUE");
	for (p = s; p < eq; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    strchr("_:.-", *p) == NULL)
			return bad(e, "property", s, "property names use "
			    "a-z 0-9 _ : . - only");
	if (s[0] == '-')
		return bad(e, "property", s, "starts with '-'");
	if (prop_is_ours(s))
		return bad(e, "property", s, "warpstor: properties are kept "
		    "by warpstor itself");
	for (p = eq + 1; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p))
			return bad(e, "property", s, "value holds a space or "
			    "control character");
	return 0;
}

static int
parse_id(const char *s, unsigned long *id, int group, struct wserr *e)
{
	const char	*errstr;
	const char	*what = group ? "group" : "user";

	if (*s == '\0')
		return bad(e, what, s, "empty");
	if (strspn(s, "0123456789") == strlen(s)) {
		/* (uid_t)-1 means "no change" to chown(2): never a real id */
		*id = (unsigned long)strtonum(s, 0, 4294967294LL, &errstr);
		if (errstr != NULL)
			return bad(e, what, s, "out of range 0 to 4294967294");
		return 0;
	}
	if (strlen(s) > 64 || strspn(s, name_chars) != strlen(s) || s[0] == '-')
		return bad(e, what, s, "not a number or a valid name");
	if (group) {
		struct group	*gr = getgrnam(s);

		if (gr == NULL)
			return bad(e, what, s, "no such group on this host");
		*id = gr->gr_gid;
	} else {
		struct passwd	*pw = getpwnam(s);

		if (pw == NULL)
			return bad(e, what, s, "no such user on this host");
		*id = pw->pw_uid;
	}
	return 0;
}

int
parse_uid(const char *s, uid_t *uid, struct wserr *e)
{
	unsigned long	 id;

	if (parse_id(s, &id, 0, e) == -1)
		return -1;
	*uid = (uid_t)id;
	return 0;
}

int
parse_gid(const char *s, gid_t *gid, struct wserr *e)
{
	unsigned long	 id;

	if (parse_id(s, &id, 1, e) == -1)
		return -1;
	*gid = (gid_t)id;
	return 0;
}

int
parse_rate(const char *s, unsigned long long *out)
{
	int64_t	 v;

	/* digits, then at most a K, M or G (powers of 1024) */
	if (*s < '0' || *s > '9' || strspn(s, "0123456789") + 1 < strlen(s) ||
	    (s[strspn(s, "0123456789")] != '\0' &&
	    strchr("KMG", s[strspn(s, "0123456789")]) == NULL) ||
	    dehumanize_number(s, &v) == -1 || v <= 0)
		return -1;
	*out = (unsigned long long)v;
	return 0;
}

int
prop_is_ours(const char *s)
{
	return strncmp(s, WS_PREFIX, sizeof(WS_PREFIX) - 1) == 0;
}

int
parse_duration(const char *s, long long *secs)
{
	static const struct { char c; long long mult; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	const char	*errstr;
	char		 num[24];
	size_t		 n = strspn(s, "0123456789"), i;
	long long	 mult = 1, v;

	if (n == 0 || n >= sizeof(num) || (s[n] != '\0' && s[n + 1] != '\0'))
		return -1;
	if (s[n] != '\0') {
		for (i = 0; i < sizeof(units) / sizeof(units[0]) &&
		    units[i].c != s[n]; i++)
			;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		mult = units[i].mult;
	}
	(void)memcpy(num, s, n);
	num[n] = '\0';
	v = strtonum(num, 0, 365LL * 86400, &errstr);
	if (errstr != NULL || v > 365LL * 86400 / mult)
		return -1;
	*secs = v * mult;
	return 0;
}
