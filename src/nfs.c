/*
 * nfs.c: exportfs, the exports file, nfs-utils.
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "nfs.h"
#include "spawn.h"

char *
nfs_utils_version(struct ctx *ctx)
{
	struct strvec		 argv = STRVEC_INIT;
	struct spawn_result	 r;
	struct wserr		 e;
	char			 exp[PATH_MAX], mountd[PATH_MAX], *dir, *ver = NULL;
	const char		*p;
	int			 n;

	/* rpc.mountd ships in the same package, beside exportfs. */
	mountd[0] = '\0';
	if (spawn_which(ctx->cfg.exportfs, exp, sizeof(exp)) == 0) {
		dir = dirname(exp);
		n = snprintf(mountd, sizeof(mountd), "%s/rpc.mountd", dir);
		if (n < 0 || (size_t)n >= sizeof(mountd) ||
		    spawn_which(mountd, mountd, sizeof(mountd)) == -1)
			mountd[0] = '\0';
	}
	if (mountd[0] == '\0' && spawn_which("rpc.mountd", mountd,
	    sizeof(mountd)) == -1)
		return NULL;
	strvec_pushl(&argv, "rpc.mountd", "--version", NULL);
	if (spawn_run(mountd, argv.v, ctx->verbose, &r, &e) == 0) {
		/* "rpc.mountd version 2.6.2" */
		if (r.status == 0 && (p = strstr(r.out.data, "version ")) !=
		    NULL) {
			p += strlen("version ");
			if (strcspn(p, "\n\t ") > 0)
				ver = xstrndup(p, strcspn(p, "\n\t "));
		}
		spawn_result_free(&r);
	}
	strvec_clear(&argv);
	return ver;
}
