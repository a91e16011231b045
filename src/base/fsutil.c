#define _XOPEN_SOURCE 700
#include "fsutil.h"

#include "buf.h"
#include "codec.h"
#include "err.h"
#include "hash.h"
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* err_set of "PATH: " and fmt's text, PATH as messages show names
 * (docs/design.md §2): a path from the config holds any bytes. */
__attribute__((format(printf, 3, 4))) static int fs_fail(int code, const char *path,
							 const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	char *shown = name_shown(path);
	err_set_message("%s: %s", shown, buf_str(&b));
	free(shown);
	buf_free(&b);
	return err_code(code);
}

/* One folder; a new one is made durable in its parent (fsync of the parent),
 * or a file later fsynced inside it could vanish with it in a crash. */
static int mkdir_one(const char *p, mode_t mode)
{
	if (mkdir(p, mode) == 0)
		return fs_fsync_parent(p);
	if (errno == EEXIST)
		return 0;
	return fs_fail(CDC_ERUNTIME, p, "cannot create folder: %s", strerror(errno));
}

int fs_mkdirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; *s && !rc; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		rc = mkdir_one(p, mode);
		*s = '/';
	}
	if (!rc)
		rc = mkdir_one(p, mode);
	free(p);
	return rc;
}

int fs_mkdirs_parent(const char *path, mode_t mode)
{
	char *copy = xstrdup(path);
	int rc = fs_mkdirs(dirname(copy), mode);
	free(copy);
	return rc;
}

int fs_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fs_fail(CDC_ERUNTIME, dir, "cannot open folder: %s", strerror(errno));
	int rc = fsync(fd) == 0 ? 0 : fs_fail(CDC_ERUNTIME, dir, "fsync: %s", strerror(errno));
	close(fd);
	return rc;
}

int fs_fsync_parent(const char *path)
{
	char *copy = xstrdup(path);
	int rc = fs_fsync_dir(dirname(copy));
	free(copy);
	return rc;
}

int fs_create(const char *path, mode_t mode)
{
	if (unlink(path) != 0 && errno != ENOENT)
		return -1;
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
}

int fs_private_dir(const char *dir, const char *what, bool follow)
{
	bool created = mkdir(dir, 0700) == 0;
	if (!created && errno != EEXIST)
		return fs_fail(CDC_ERUNTIME, dir, "cannot create %s: %s", what, strerror(errno));
	struct stat sb;
	int rc = follow ? stat(dir, &sb) : lstat(dir, &sb);
	if (rc != 0)
		return fs_fail(CDC_ERUNTIME, dir, "%s: %s", what, strerror(errno));
	if (S_ISLNK(sb.st_mode))
		return fs_fail(CDC_EUSAGE, dir,
			       "%s is a symbolic link; refusing to follow it (remove it: "
			       "cdcpack creates the folder itself)",
			       what);
	if (!S_ISDIR(sb.st_mode))
		return fs_fail(CDC_ERUNTIME, dir, "%s is not a directory", what);
	if (sb.st_uid != geteuid())
		return fs_fail(CDC_EUSAGE, dir,
			       "%s belongs to uid %ld, not to this user (uid %ld); others "
			       "could plant files in it: use a dir of your own (chown it)",
			       what, (long)sb.st_uid, (long)geteuid());
	if (sb.st_mode & 022) {
		char *shell = name_for_shell(dir);
		rc = fs_fail(CDC_EUSAGE, dir,
			     "%s is writable by group or others (mode %04o); others could "
			     "plant files in it: run chmod 700 %s%s",
			     what, (unsigned)(sb.st_mode & 07777), shell, name_shell_note(dir));
		free(shell);
		return rc;
	}
	/* a folder lost in a crash would lose what was made durable in it
	 * (a lost state dir would fork the chain) */
	return created ? fs_fsync_parent(dir) : 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int copy_fd(int in, int out, const char *src, const char *dst, void (*midpoint)(void),
		   struct progress *bar, struct hash_stream *h)
{
	struct stat sb;
	if (fstat(in, &sb) != 0)
		return fs_fail(CDC_ERUNTIME, src, "stat: %s", strerror(errno));
	off_t half = sb.st_size / 2, done = 0;
	size_t size = 1 << 20;
	char *chunk = xmalloc(size);
	ssize_t n;
	int rc = 0;
	while ((n = read(in, chunk, size)) > 0) {
		if (write_all(out, chunk, (size_t)n) != 0) {
			rc = fs_fail(CDC_ERUNTIME, dst, "write: %s", strerror(errno));
			break;
		}
		if (h)
			hash_stream_update(h, chunk, (size_t)n);
		bool crossed = done <= half && done + n > half;
		done += n;
		if (bar)
			progress_add(bar, n);
		if (midpoint && crossed)
			midpoint();
	}
	if (!rc && n < 0)
		rc = fs_fail(CDC_ERUNTIME, src, "read: %s", strerror(errno));
	free(chunk);
	return rc;
}

int fs_copy(const char *src, const char *dst, mode_t mode, void (*midpoint)(void),
	    struct progress *bar)
{
	return fs_copy_hashed(src, dst, mode, midpoint, bar, NULL);
}

int fs_copy_hashed(const char *src, const char *dst, mode_t mode, void (*midpoint)(void),
		   struct progress *bar, char xxh128[33])
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return fs_fail(CDC_ERUNTIME, src, "cannot open: %s", strerror(errno));
	int out = fs_create(dst, mode);
	if (out < 0) {
		int e = errno;
		close(in);
		return fs_fail(CDC_ERUNTIME, dst, "cannot create: %s", strerror(e));
	}
	struct hash_stream h;
	if (xxh128)
		hash_stream_init(&h);
	int rc = copy_fd(in, out, src, dst, midpoint, bar, xxh128 ? &h : NULL);
	if (xxh128) {
		hash_stream_hex(&h, xxh128);
		hash_stream_free(&h);
	}
	if (!rc && fsync(out) != 0)
		rc = fs_fail(CDC_ERUNTIME, dst, "fsync: %s", strerror(errno));
	if (close(out) != 0 && !rc)
		rc = fs_fail(CDC_ERUNTIME, dst, "close: %s", strerror(errno));
	close(in);
	return rc;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int fs_remove_tree(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) != 0)
		return 0;
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return fs_fail(CDC_ERUNTIME, path, "cannot remove: %s", strerror(errno));
	return 0;
}
