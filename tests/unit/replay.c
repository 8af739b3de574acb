/*
 * replay.c: a main() for a fuzz harness (tests/fuzz/fuzz.c) without
 * libFuzzer: each file named, or each file of each folder named, is
 * given to LLVMFuzzerTestOneInput once.  make check-unit builds one per
 * harness with the normal compiler and replays the seed corpora, so the
 * promises the harnesses check hold for every seed in seconds, no clang.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
one(const char *path)
{
	FILE	*fp = fopen(path, "rb");
	char	*buf;
	long	 len;

	if (fp == NULL || fseek(fp, 0, SEEK_END) == -1 || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1) {
		perror(path);
		return 1;
	}
	if ((buf = malloc((size_t)len + 1)) == NULL ||
	    fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		perror(path);
		return 1;
	}
	(void)fclose(fp);
	(void)LLVMFuzzerTestOneInput((const uint8_t *)buf, (size_t)len);
	free(buf);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	char		 path[4096];
	int		 i, n = 0, bad = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1 || !S_ISDIR(sb.st_mode)) {
			bad |= one(argv[i]);
			n++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL) {
			perror(argv[i]);
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			(void)snprintf(path, sizeof(path), "%s/%s", argv[i],
			    de->d_name);
			bad |= one(path);
			n++;
		}
		(void)closedir(d);
	}
	(void)printf("%d inputs\n", n);
	return bad;
}
