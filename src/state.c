/*
 * state.c: reading the warpstor:* properties.
 */
#include <stdlib.h>
#include <string.h>

#include "fsops.h"
#include "state.h"

int
state_mounted(const struct zfs_ds *d)
{
	return d->val[ZP_MOUNTED] != NULL &&
	    strcmp(d->val[ZP_MOUNTED], "yes") == 0 &&
	    d->val[ZP_MOUNTPOINT] != NULL && d->val[ZP_MOUNTPOINT][0] == '/';
}

int
state_exported(const struct zfs_ds *d)
{
	return (d->local & ZPM(ZP_CLIENTS)) && (d->local & ZPM(ZP_FSID)) &&
	    d->val[ZP_CLIENTS] != NULL && d->val[ZP_FSID] != NULL;
}

int
state_withdrawable(const struct zfs_ds *d)
{
	return state_exported(d) && d->val[ZP_MOUNTPOINT] != NULL &&
	    d->val[ZP_MOUNTPOINT][0] == '/';
}

void
state_export(const struct zfs_ds *d, const char *path, struct nfs_export *ex)
{
	ex->path = xstrdup(path != NULL ? path : d->val[ZP_MOUNTPOINT]);
	ex->clients = xstrdup(d->val[ZP_CLIENTS]);
	ex->options = xstrdup(d->local & ZPM(ZP_OPTIONS) &&
	    d->val[ZP_OPTIONS] != NULL ? d->val[ZP_OPTIONS] : "");
	ex->fsid = xstrdup(d->val[ZP_FSID]);
}

void
state_exports_free(struct nfs_export *v, size_t n)
{
	size_t	 i;

	for (i = 0; v != NULL && i < n; i++)
		nfs_export_free(&v[i]);
	free(v);
}

int
state_in_tree(const char *name, const char *ds)
{
	size_t	 len = strlen(ds);

	return strncmp(name, ds, len) == 0 && (name[len] == '\0' ||
	    name[len] == '/' || name[len] == '@');
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
state_take_down(struct txn *t, const struct nfs_export *exs, size_t nex,
    char **names, char *const *mps, size_t n, int force, struct wserr *e)
{
	size_t	 i;

	sort_items(names, n, sizeof(*names), cmp_name);
	if (nfs_withdraw(t, exs, nex, e) == -1)
		return -1;
	for (i = n; i-- > 0;)
		if (zfs_umount(t, names[i], force, e) == -1) {
			fs_note_holders(e, mps, n);
			return -1;
		}
	return 0;
}
