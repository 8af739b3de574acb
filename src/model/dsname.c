/*
 * dsname.c: reading dataset names.
 */
#include <string.h>

#include "model/dsname.h"
#include "lib/util.h"

int
ds_is_snapshot(const char *name)
{
	return strchr(name, '@') != NULL;
}

int
ds_is_volume(const char *name)
{
	return strchr(name, '/') == NULL && strchr(name, '@') == NULL;
}

size_t
ds_fs_len(const char *name)
{
	return strcspn(name, "@");
}

char *
ds_fs(const char *name)
{
	return xstrndup(name, ds_fs_len(name));
}

int
ds_in_tree(const char *name, const char *ds)
{
	size_t	 len = strlen(ds);

	return strncmp(name, ds, len) == 0 && (name[len] == '\0' ||
	    name[len] == '/' || name[len] == '@');
}

int
ds_snapshot_of(const char *snap, const char *fs)
{
	size_t	 len = strlen(fs);

	return snap != NULL && strncmp(snap, fs, len) == 0 && snap[len] == '@';
}

size_t
ds_pool_len(const char *name)
{
	return strcspn(name, "/@");
}

char *
ds_pool(const char *name)
{
	return xstrndup(name, ds_pool_len(name));
}

int
ds_same_pool(const char *a, const char *b)
{
	size_t	 len = ds_pool_len(a);

	return len == ds_pool_len(b) && strncmp(a, b, len) == 0;
}
