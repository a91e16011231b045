/* The batch archive reader (src/format/archive.c) on any bytes: the input is
 * written to a file, read with archive_read_batch into a fresh directory,
 * and that directory must then hold only the generated *.part names. */
#include "fuzz.h"

#include "archive.h"
#include "buf.h"
#include "err.h"
#include "fsutil.h"
#include "source.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static volatile unsigned sink;

/* Links the source registry, whose constructor registers the type rules (fuzz_config.c). */
const void *const fuzz_archive_registry = (const void *)source_ops_for_url;

/* Extraction writes NNNNNN.part files only: entry names never become paths. */
static void check_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		__builtin_trap();
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		size_t len = strlen(n);
		if (len != 11 || strcmp(n + 6, ".part") != 0 || strspn(n, "0123456789") != 6)
			__builtin_trap();
	}
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *scratch = fuzz_scratch_dir();
	char *file = xasprintf("%s/input.tar", scratch);
	char *dir = xasprintf("%s/out", scratch);
	fuzz_write_file(file, data, size);
	if (fs_mkdirs(dir, 0700) != 0)
		__builtin_trap();
	struct manifest m;
	int rc = archive_read_batch(file, dir, &m);
	if (rc == 0) {
		for (size_t i = 0; i < m.nfiles; i++)
			if (!m.files[i].local)
				__builtin_trap();
		sink += (unsigned)m.nfiles;
	} else {
		sink += (unsigned)strlen(err_msg());
	}
	check_dir(dir);
	manifest_free(&m);
	fs_remove_tree(dir);
	err_clear();
	free(file);
	free(dir);
	return 0;
}
