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
/* Creates path as a new file (mode) for writing and returns its fd, or -1
 * with errno set. A leftover at path (ours from a killed run, or a symlink
 * someone planted) is unlinked first, never followed; the create is
 * O_EXCL|O_NOFOLLOW, so a name planted again in between fails with EEXIST
 * rather than being written through. */
int fs_create(const char *path, mode_t mode);
/* Creates dir (0700) when missing and checks what is there: a directory (not
 * a symlink unless follow is set) owned by this user and writable by no one
 * else. A symlink, another owner or loose modes are CDC_EUSAGE naming dir and
 * the fix (others could plant files in it); a file there is CDC_ERUNTIME. what names it in messages
 * ("state dir", "staging dir"). */
int fs_private_dir(const char *dir, const char *what, bool follow);
int fs_fsync_parent(const char *path);
struct progress;

/* Copies src into a new file dst (mode, created by fs_create), fsynced. With midpoint set, calls it
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
