/* file:DIR — a directory that behaves like a bucket. Objects are files under
 * DIR named by their keys; a put lands by rename, a copy by link(2), which
 * fails with EEXIST: the at-most-once publish S3 gets from If-None-Match. */
#include "target.h"

#include "buf.h"
#include "err.h"
#include "fault.h"
#include "fsutil.h"
#include "hash.h"
#include "progress.h"
#include "strv.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Owns root. */
struct target {
	char *root;
};

static int file_open(struct target **out, const struct config *cfg)
{
	const char *dir = cfg->target_url + strlen("file:");
	*out = NULL;
	if (!*dir)
		return err_set(CDC_EUSAGE, "%s: [target] url names no directory (want file:DIR)",
			       cfg->target_url);
	struct target *t = xcalloc(1, sizeof(*t));
	t->root = xstrdup(dir);
	size_t n = strlen(t->root);
	while (n > 1 && t->root[n - 1] == '/')
		t->root[--n] = '\0';
	*out = t;
	return 0;
}

static void file_close(struct target *t)
{
	if (!t)
		return;
	free(t->root);
	free(t);
}

/* A bucket folder replaced by a symlink would have objects read from and
 * written to wherever it points: each folder of path below root that exists
 * must be a real one. (The root itself is the configured path.) */
static int check_folders(const struct target *t, const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = strchr(p + strlen(t->root) + 1, '/'); s && !rc; s = strchr(s + 1, '/')) {
		*s = '\0';
		struct stat sb;
		if (lstat(p, &sb) == 0 && S_ISLNK(sb.st_mode))
			rc = err_set(CDC_ERUNTIME,
				     "file target: %s is a symbolic link; refusing to follow it "
				     "(bucket folders must be real folders)",
				     p);
		*s = '/';
	}
	free(p);
	return rc;
}

/* Keys come from our own naming or from listings; still, none may leave root. */
static int key_path(struct target *t, const char *key, char **out)
{
	*out = NULL;
	if (!*key || key[0] == '/' || strstr(key, "//"))
		return err_set(CDC_ERUNTIME, "file target: bad key '%s'", key);
	for (const char *seg = key; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL)
		if (strncmp(seg, "../", 3) == 0 || strcmp(seg, "..") == 0 ||
		    strncmp(seg, "./", 2) == 0 || strcmp(seg, ".") == 0)
			return err_set(CDC_ERUNTIME, "file target: key '%s' has a . or .. segment",
				       key);
	*out = xasprintf("%s/%s", t->root, key);
	int rc = check_folders(t, *out);
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

static void mid_upload(void)
{
	fault_point("mid-upload");
}

/* The bytes copied must be the archive as staged: refused before they land
 * at the key when they hash otherwise. */
static int check_copied(const char *path, const char *sum, const struct object_info *info)
{
	if (!info || strlen(info->xxh128) != HASH_HEX_LEN || strcmp(sum, info->xxh128) == 0)
		return 0;
	return err_set(CDC_ERUNTIME,
		       "%s hashes to xxh128 %s, not the %s recorded when it was staged: it changed "
		       "since (a damaged disk, or another writer); nothing was uploaded",
		       path, sum, info->xxh128);
}

static int file_put(struct target *t, const char *key, const char *path,
		    const struct object_info *info)
{
	char *dst, *tmp = NULL;
	int rc = key_path(t, key, &dst);
	if (!rc)
		rc = fs_mkdirs_parent(dst, 0755);
	if (!rc) {
		/* Write beside the key and rename: readers never see half an object.
		 * One fixed name per key (runs hold the state dir lock), so a run
		 * killed mid-upload leaves nothing the next one does not replace. */
		char *slash = strrchr(dst, '/');
		tmp = xasprintf("%.*s/.%s.part", (int)(slash - dst), dst, slash + 1);
		struct progress bar;
		char sum[HASH_HEX_LEN + 1];
		progress_start(&bar, "upload", "bytes", info ? info->size : -1);
		rc = fs_copy_hashed(path, tmp, 0644, info && info->not_archive ? NULL : mid_upload,
				    &bar, sum);
		progress_end(&bar);
		if (!rc)
			rc = check_copied(path, sum, info);
	}
	if (!rc && rename(tmp, dst) != 0)
		rc = err_set(CDC_ERUNTIME, "%s: rename: %s", dst, strerror(errno));
	if (!rc)
		rc = fs_fsync_parent(dst);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	free(dst);
	return rc ? err_prefix(rc, "upload %s", key) : 0;
}

/* link(2) where the file system has it, else copy to a side file and link that. */
static int link_or_copy(const char *from, const char *to)
{
	if (link(from, to) == 0)
		return 0;
	if (errno == EEXIST)
		return CDC_EEXISTS;
	if (errno != EPERM && errno != EXDEV && errno != EOPNOTSUPP)
		return err_set(CDC_ERUNTIME, "%s: link: %s", to, strerror(errno));
	char *side = xasprintf("%s.copy-%ld", to, (long)getpid());
	int rc = fs_copy(from, side, 0644, NULL, NULL);
	if (!rc && link(side, to) != 0)
		rc = errno == EEXIST ? CDC_EEXISTS
				     : err_set(CDC_ERUNTIME, "%s: link: %s", to, strerror(errno));
	unlink(side);
	free(side);
	return rc;
}

static int file_copy(struct target *t, const char *src, const char *dst,
		     const struct object_info *info)
{
	(void)info;
	char *from = NULL, *to = NULL;
	int rc = key_path(t, src, &from);
	if (!rc)
		rc = key_path(t, dst, &to);
	if (!rc)
		rc = fs_mkdirs_parent(to, 0755);
	if (!rc)
		rc = link_or_copy(from, to);
	if (!rc)
		rc = fs_fsync_parent(to);
	free(from);
	free(to);
	if (rc == CDC_EEXISTS)
		return rc;
	return rc ? err_prefix(rc, "publish %s", dst) : 0;
}

static int file_head(struct target *t, const char *key, struct object_info *out)
{
	char *path;
	int rc = key_path(t, key, &path);
	if (rc)
		return rc;
	struct stat sb;
	/* lstat: a symlink at a key is not an object of ours. */
	if (lstat(path, &sb) != 0) {
		rc = errno == ENOENT ? err_set(CDC_ENOTFOUND, "%s: no such object", key)
				     : err_set(CDC_ERUNTIME, "%s: stat: %s", path, strerror(errno));
	} else if (!S_ISREG(sb.st_mode)) {
		rc = err_set(CDC_ERUNTIME, "%s: not a regular file", path);
	} else {
		/* A directory has no metadata store: the checksum is of the bytes. */
		rc = hash_file(path, out->xxh128, &out->size);
	}
	free(path);
	return rc;
}

static int file_get(struct target *t, const char *key, const char *path)
{
	char *src;
	int rc = key_path(t, key, &src);
	if (rc)
		return rc;
	struct stat sb;
	/* Absent is CDC_ENOTFOUND, as for head: a claim is read by one get. */
	if (lstat(src, &sb) != 0)
		rc = errno == ENOENT
			     ? err_set(CDC_ENOTFOUND, "%s: no such object in %s", key, t->root)
			     : err_set(CDC_ERUNTIME, "%s: stat: %s", src, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		rc = err_set(CDC_ERUNTIME, "%s: not a regular file (a symbolic link?)", src);
	else
		rc = fs_copy(src, path, 0600, NULL, NULL);
	free(src);
	return rc;
}

/* Empty folders left by a removed object go too, up to the root. */
static void remove_empty_parents(struct target *t, char *path)
{
	for (char *slash = strrchr(path, '/'); slash; slash = strrchr(path, '/')) {
		*slash = '\0';
		if (strlen(path) <= strlen(t->root) || rmdir(path) != 0)
			break;
	}
}

static int file_remove(struct target *t, const char *key)
{
	char *path;
	int rc = key_path(t, key, &path);
	if (rc)
		return rc;
	if (unlink(path) != 0 && errno != ENOENT)
		rc = err_set(CDC_ERUNTIME, "%s: delete: %s", path, strerror(errno));
	else
		remove_empty_parents(t, path);
	free(path);
	return rc;
}

static int walk(const char *root, const char *rel, const char *prefix, struct strv *out)
{
	char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(dir);
	if (!d) {
		int rc = errno == ENOENT ? 0
					 : err_set(CDC_ERUNTIME, "%s: cannot list: %s", dir,
						   strerror(errno));
		free(dir);
		return rc;
	}
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* ., .., and in-progress .NAME.part files */
		char *key = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		size_t kl = strlen(key), pl = strlen(prefix);
		bool may_match = strncmp(key, prefix, kl < pl ? kl : pl) == 0;
		unsigned type = e->d_type;
		if (type == DT_UNKNOWN) {
			struct stat sb;
			char *full = xasprintf("%s/%s", root, key);
			type = lstat(full, &sb) != 0 ? DT_UNKNOWN
			       : S_ISDIR(sb.st_mode) ? DT_DIR
			       : S_ISREG(sb.st_mode) ? DT_REG
						     : DT_UNKNOWN;
			free(full);
		}
		if (may_match && type == DT_DIR)
			rc = walk(root, key, prefix, out);
		else if (may_match && type == DT_REG && kl >= pl)
			strv_push(out, key);
		free(key);
	}
	closedir(d);
	free(dir);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int file_list(struct target *t, const char *prefix, key_fn fn, void *ctx)
{
	struct strv keys = {0};
	int rc = walk(t->root, "", prefix, &keys);
	if (keys.n)
		qsort(keys.v, keys.n, sizeof(*keys.v), cmp_str);
	for (size_t i = 0; i < keys.n && !rc; i++) {
		char *path = xasprintf("%s/%s", t->root, keys.v[i]);
		struct stat sb;
		rc = stat(path, &sb) == 0 ? fn(ctx, keys.v[i], (int64_t)sb.st_size) : 0;
		free(path);
	}
	strv_free(&keys);
	return rc;
}

static const struct url_scheme file_url = {
	.prefix = "file:",
	.example = "file:DIR",
	.usage = "file:DIR",
};

const struct target_ops file_target_ops = {
	.url = &file_url,
	.open = file_open,
	.close = file_close,
	.put_file = file_put,
	.copy = file_copy,
	.head = file_head,
	.get_file = file_get,
	.remove = file_remove,
	.list = file_list,
};
