/*
 * nfsd_test.c: src/nfsd.c against a states folder the test writes,
 * instead of the kernel's /proc/fs/nfsd/clients (the test build alone
 * names another folder, at compile time; warpstor itself never does).
 *
 *   nfsd-test CLIENTS_DIR ROOT [SWAP]
 *
 * Recalls the delegations on ROOT's filesystem that CLIENTS_DIR/ * /states
 * name, and prints the name of each file it is about to open for
 * writing.  With SWAP, just before that open of the file named SWAP, a
 * FIFO ROOT/SWAP.fifo is renamed over it: the race of a client that
 * swaps a special file in between.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nfs/nfsd.h"

const char	*nfsd_test_dir;
void		 nfsd_test_hook(const char *);

static const char *root, *swap;

void
nfsd_test_hook(const char *name)
{
	char	 from[4096], to[4096];

	(void)printf("recall %s\n", name);
	(void)fflush(stdout);
	if (swap == NULL || strcmp(name, swap) != 0)
		return;
	(void)snprintf(from, sizeof(from), "%s/%s.fifo", root, name);
	(void)snprintf(to, sizeof(to), "%s/%s", root, name);
	if (rename(from, to) == -1)
		perror("rename");
}

int
main(int argc, char **argv)
{
	int	 fd;

	if (argc < 3)
		return 64;
	nfsd_test_dir = argv[1];
	root = argv[2];
	swap = argc > 3 ? argv[3] : NULL;
	if ((fd = open(root, O_RDONLY | O_DIRECTORY)) == -1) {
		perror(root);
		return 66;
	}
	(void)printf("left %d\n", nfsd_recall(fd, 300));
	return 0;
}
