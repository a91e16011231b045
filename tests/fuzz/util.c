/* Helpers for the harnesses (see fuzz.h); linked into each of them. */
#include "fuzz.h"

#include "fsutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char scratch[4096];

static void remove_scratch(void)
{
	if (scratch[0])
		fs_remove_tree(scratch);
}

const char *fuzz_scratch_dir(void)
{
	if (scratch[0])
		return scratch;
	const char *base = getenv("TMPDIR");
	snprintf(scratch, sizeof(scratch), "%s/cdcpack-fuzz.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(scratch)) {
		perror(scratch);
		abort();
	}
	atexit(remove_scratch);
	return scratch;
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	while (size) {
		ssize_t w = write(fd, data, size);
		if (w <= 0) {
			perror(path);
			abort();
		}
		data += w;
		size -= (size_t)w;
	}
	close(fd);
}

unsigned fuzz_touch(const void *p, size_t n)
{
	const unsigned char *b = p;
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += b[i];
	return sum;
}
