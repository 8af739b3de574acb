/*
 * nfs.h: the only code that knows exportfs(8), the exports file and
 * nfs-utils.
 */
#ifndef WARPSTOR_NFS_H
#define WARPSTOR_NFS_H

#include "ctx.h"
#include "util.h"

/*
 * The nfs-utils version of the configured exportfs, read from its sibling
 * rpc.mountd (exportfs itself has no version option); NULL when unknown.
 */
char	*nfs_utils_version(struct ctx *);

#endif
