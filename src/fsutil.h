/* File system steps done the durable way: fsync before rename, then the folder. */
#ifndef CDCPACK_FSUTIL_H
#define CDCPACK_FSUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* mkdir -p with mode for each folder it creates, each made durable in its parent. */
int fs_mkdirs(const char *path, mode_t mode);
/* Creates the folders above path. */
int fs_mkdirs_parent(const char *path, mode_t mode);
int fs_fsync_dir(const char *dir);
int fs_fsync_parent(const char *path);
struct progress;

/* Copies src into a new file dst (mode), fsynced. With midpoint set, calls it
 * after half of the bytes (the mid-upload fault point); with bar set, counts
 * the bytes on it. */
int fs_copy(const char *src, const char *dst, mode_t mode, void (*midpoint)(void),
	    struct progress *bar);
/* fs_copy that also gives the XXH3-128 of the bytes it wrote (32 hex digits). */
int fs_copy_hashed(const char *src, const char *dst, mode_t mode, void (*midpoint)(void),
		   struct progress *bar, char xxh128[33]);
/* rm -rf; absent is fine. */
int fs_remove_tree(const char *path);

#endif
