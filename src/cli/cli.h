/*
 * cli.h: the front end: the command table and the commands about
 * warpstor itself.  Only cli/ includes it: it is the top floor.
 */
#ifndef WARPSTOR_CLI_H
#define WARPSTOR_CLI_H

#include <stddef.h>

#include "cmd/cmd.h"

/* Every command, in usage order; NULL-terminated. */
extern const struct command commands[];

/* The command named name (or by its alias), or NULL. */
const struct command *command_find(const char *name);
/*
 * The commands closest to a mistyped name (edit distance, or a common
 * prefix), as "'a' or 'b'" into buf; 0 when none is close.
 */
int	 command_suggest(const char *name, char *buf, size_t len);

/* about.c: list-methods, version. */
int	 cmd_list_methods(struct ctx *, int, char **);
int	 cmd_version(struct ctx *, int, char **);

#endif
