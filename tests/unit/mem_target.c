#include "mem_target.h"

#include "buf.h"
#include "err.h"
#include "fault.h"
#include "fsutil.h"
#include "hash.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_MAX_OBJECTS 512
#define MEM_KEY_MAX 512
#define FOREIGN_BYTE 'F'
#define FOREIGN_SIZE 16

struct mem_object {
	bool live;
	bool foreign; /* placed by MEM_FOREIGN, not by cdcpack */
	char key[MEM_KEY_MAX];
	size_t off; /* into data */
	int64_t size;
	char xxh128[HASH_HEX_LEN + 1]; /* "" when stored without one */
};

/* Lives at the start of the shared mapping; data follows it. Space freed by
 * a remove or an overwrite is not reused before the next reset: objects of a
 * test are a few kilobytes. */
struct mem_store {
	size_t mapped, capacity, used;
	struct mem_object obj[MEM_MAX_OBJECTS];
	int calls[MEM_NOPS];
	enum mem_op fault_op;
	int fault_call; /* 0: none */
	enum mem_answer fault_answer;
	bool drop_metadata;
	char guard[MEM_KEY_MAX];
	char breach[2 * MEM_KEY_MAX]; /* "" when none */
	unsigned char data[];
};

struct target {
	struct mem_store *s;
};

static const char *const op_names[MEM_NOPS] = {"put", "copy", "head", "get", "remove", "list"};
static const char *const answer_names[MEM_NANSWERS] = {
	"ok", "failed", "lost", "lost-retried", "exists", "foreign", "truncated", "no-metadata",
};

const char *mem_op_name(enum mem_op op)
{
	return op_names[op];
}

const char *mem_answer_name(enum mem_answer a)
{
	return answer_names[a];
}

struct mem_store *mem_store_new(size_t capacity)
{
	size_t mapped = sizeof(struct mem_store) + capacity;
	void *p = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	struct mem_store *s = p;
	s->mapped = mapped;
	s->capacity = capacity;
	mem_store_reset(s);
	return s;
}

void mem_store_free(struct mem_store *s)
{
	if (s)
		munmap(s, s->mapped);
}

void mem_store_reset(struct mem_store *s)
{
	s->used = 0;
	memset(s->obj, 0, sizeof(s->obj));
	memset(s->calls, 0, sizeof(s->calls));
	s->fault_call = 0;
	s->drop_metadata = false;
	s->guard[0] = '\0';
	s->breach[0] = '\0';
}

void mem_store_drop_metadata(struct mem_store *s, bool drop)
{
	s->drop_metadata = drop;
}

void mem_store_inject(struct mem_store *s, enum mem_op op, int call, enum mem_answer answer)
{
	memset(s->calls, 0, sizeof(s->calls));
	s->fault_op = op;
	s->fault_call = call;
	s->fault_answer = answer;
}

int mem_store_calls(const struct mem_store *s, enum mem_op op)
{
	return s->calls[op];
}

void mem_store_guard(struct mem_store *s, const char *prefix)
{
	snprintf(s->guard, sizeof(s->guard), "%s", prefix);
	s->breach[0] = '\0';
}

const char *mem_store_breach(const struct mem_store *s)
{
	return s->breach[0] ? s->breach : NULL;
}

static void breach(struct mem_store *s, const char *what, const char *key)
{
	if (!s->breach[0])
		snprintf(s->breach, sizeof(s->breach), "%s %s", what, key);
}

static struct mem_object *find(struct mem_store *s, const char *key)
{
	for (size_t i = 0; i < MEM_MAX_OBJECTS; i++)
		if (s->obj[i].live && strcmp(s->obj[i].key, key) == 0)
			return &s->obj[i];
	return NULL;
}

/* Room for size bytes; false when the store is full. */
static bool alloc(struct mem_store *s, int64_t size, size_t *off)
{
	if (s->used + (size_t)size > s->capacity)
		return false;
	*off = s->used;
	s->used += (size_t)size;
	return true;
}

/* The slot for key: its object's, or a free one (NULL when none is). */
static struct mem_object *slot(struct mem_store *s, const char *key)
{
	struct mem_object *o = find(s, key);
	for (size_t i = 0; !o && i < MEM_MAX_OBJECTS; i++)
		if (!s->obj[i].live)
			o = &s->obj[i];
	return o && strlen(key) < MEM_KEY_MAX ? o : NULL;
}

/* The object at key made new at offset off, over what was there, not yet
 * live; NULL when there is no slot for it. */
static struct mem_object *place(struct mem_store *s, const char *key, size_t off, int64_t size)
{
	struct mem_object *o = slot(s, key);
	if (!o)
		return NULL;
	memset(o, 0, sizeof(*o));
	snprintf(o->key, sizeof(o->key), "%s", key);
	o->off = off;
	o->size = size;
	return o;
}

/* place() with new room for size bytes, at *data. */
static struct mem_object *make(struct mem_store *s, const char *key, int64_t size,
			       unsigned char **data)
{
	size_t off;
	if (!alloc(s, size, &off))
		return NULL;
	*data = s->data + off;
	return place(s, key, off, size);
}

static int full(const char *key)
{
	return err_set(CDC_ERUNTIME, "mem target: no room for %s", key);
}

/* Counts the call and says how to answer it. */
static enum mem_answer next_answer(struct mem_store *s, enum mem_op op)
{
	int n = ++s->calls[op];
	return s->fault_call && s->fault_op == op && s->fault_call == n ? s->fault_answer : MEM_OK;
}

/* Answers that fail a call before it does anything (to a conditional copy,
 * MEM_EXISTS is an answer instead; to anything else, a 412 is a failure). */
static bool fails_first(enum mem_answer a)
{
	return a == MEM_FAILED || a == MEM_EXISTS;
}

static int failure(enum mem_op op, const char *key, enum mem_answer a)
{
	return err_set(CDC_ERUNTIME, "mem target: %s %s: answered %s", op_names[op], key,
		       answer_names[a]);
}

static bool guarded(const struct mem_store *s, const char *key)
{
	return s->guard[0] && strncmp(key, s->guard, strlen(s->guard)) == 0;
}

/* MEM_FOREIGN: another writer's object lands at key, of size bytes. */
static int place_foreign(struct mem_store *s, const char *key, int64_t size)
{
	unsigned char *data;
	struct mem_object *o = make(s, key, size, &data);
	if (!o)
		return full(key);
	memset(data, FOREIGN_BYTE, (size_t)size);
	o->foreign = true;
	o->live = true;
	return 0;
}

static int64_t size_at(struct mem_store *s, const char *key, int64_t otherwise)
{
	struct mem_object *o = find(s, key);
	return o ? o->size : otherwise;
}

/* The damage answer a (or a store that drops metadata) does to an object as stored. */
static void damage(const struct mem_store *s, struct mem_object *o, enum mem_answer a)
{
	if (s->drop_metadata)
		o->xxh128[0] = '\0';
	if (a == MEM_TRUNCATED && o->size > 0)
		o->size--;
	if (a == MEM_NO_METADATA)
		o->xxh128[0] = '\0';
}

/* Does o hold the object info describes (by its bytes)? */
static bool is_object(const struct mem_store *s, const struct mem_object *o,
		      const struct object_info *info)
{
	char sum[HASH_HEX_LEN + 1];
	struct hash_stream h;
	hash_stream_init(&h);
	hash_stream_update(&h, s->data + o->off, (size_t)o->size);
	hash_stream_hex(&h, sum);
	hash_stream_free(&h);
	return o->size == info->size && strcmp(sum, info->xxh128) == 0;
}

static void mem_close(struct target *t)
{
	free(t);
}

static int mem_open(struct target **out, const struct config *cfg)
{
	*out = NULL;
	return err_set(CDC_EUSAGE, "%s: the mem target is opened by mem_target_new",
		       cfg->target_url);
}

struct target *mem_target_new(struct mem_store *s)
{
	struct target *t = xcalloc(1, sizeof(*t));
	t->s = s;
	return t;
}

/* Reads size bytes of path into data. */
static int read_whole(const char *path, unsigned char *data, int64_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(CDC_ERUNTIME, "mem target: %s: %s", path, strerror(errno));
	int64_t done = 0;
	for (ssize_t n = 1; done < size && n > 0; done += n > 0 ? n : 0)
		n = read(fd, data + done, (size_t)(size - done));
	close(fd);
	return done == size ? 0 : err_set(CDC_ERUNTIME, "mem target: %s: short read", path);
}

static int mem_put(struct target *t, const char *key, const char *path,
		   const struct object_info *info)
{
	struct mem_store *s = t->s;
	enum mem_answer a = next_answer(s, MEM_PUT);
	int64_t size;
	char sum[HASH_HEX_LEN + 1];
	int rc = hash_file(path, sum, &size);
	/* As the drivers do: an archive that no longer hashes as it did when
	 * staged is refused. */
	if (!rc && info && strlen(info->xxh128) == HASH_HEX_LEN && strcmp(sum, info->xxh128) != 0)
		rc = err_set(CDC_ERUNTIME, "mem target: %s hashes to %s, not the %s recorded", path,
			     sum, info->xxh128);
	if (rc)
		return rc;
	if (fails_first(a))
		return failure(MEM_PUT, key, a);
	/* Written aside, then made visible: a put lands whole or not at all. */
	size_t off;
	if (!alloc(s, size, &off))
		return full(key);
	rc = read_whole(path, s->data + off, size);
	if (rc)
		return rc;
	fault_point("mid-upload");
	struct mem_object *o = place(s, key, off, size);
	if (!o)
		return full(key);
	snprintf(o->xxh128, sizeof(o->xxh128), "%s", info ? info->xxh128 : "");
	o->live = true;
	damage(s, o, a);
	if (guarded(s, key))
		breach(s, "put below the final prefix:", key);
	/* Before ours, another writer's object would only be overwritten: it
	 * lands just after, the last writer winning. */
	if (a == MEM_FOREIGN && (rc = place_foreign(s, key, size)) != 0)
		return rc;
	return a == MEM_LOST ? failure(MEM_PUT, key, a) : 0;
}

static int mem_copy(struct target *t, const char *src, const char *dst,
		    const struct object_info *info)
{
	struct mem_store *s = t->s;
	enum mem_answer a = next_answer(s, MEM_COPY);
	struct mem_object *from = find(s, src);
	int rc = a == MEM_FOREIGN ? place_foreign(s, dst, from ? from->size : FOREIGN_SIZE) : 0;
	if (rc)
		return rc;
	if (a == MEM_EXISTS || find(s, dst))
		return err_set(CDC_EEXISTS, "%s: already exists", dst);
	if (fails_first(a))
		return failure(MEM_COPY, dst, a);
	if (!from)
		return err_set(CDC_ERUNTIME, "mem target: copy %s: NoSuchKey %s", dst, src);
	/* an archive is verified before it is copied; the source name's claim
	 * (not_archive) is read back after its copy instead */
	if (s->guard[0] && !info->not_archive && !is_object(s, from, info))
		breach(s, "published an object it had not verified:", src);
	unsigned char *data;
	struct mem_object copied = *from;
	struct mem_object *o = make(s, dst, copied.size, &data);
	if (!o)
		return full(dst);
	memcpy(data, s->data + copied.off, (size_t)copied.size);
	memcpy(o->xxh128, copied.xxh128, sizeof(o->xxh128));
	o->live = true;
	damage(s, o, a);
	if (a == MEM_LOST)
		return failure(MEM_COPY, dst, a);
	return a == MEM_LOST_RETRIED ? err_set(CDC_EEXISTS, "%s: already exists", dst) : 0;
}

/* The object a read call finds at key, and the answer *a it gets; NULL
 * with *rc set when it fails. */
static struct mem_object *read_call(struct mem_store *s, enum mem_op op, const char *key,
				    enum mem_answer *a, int *rc)
{
	*a = next_answer(s, op);
	*rc = *a == MEM_FOREIGN ? place_foreign(s, key, size_at(s, key, FOREIGN_SIZE)) : 0;
	if (*rc)
		return NULL;
	if (fails_first(*a) || *a == MEM_LOST) {
		*rc = failure(op, key, *a);
		return NULL;
	}
	struct mem_object *o = find(s, key);
	if (!o)
		*rc = err_set(CDC_ENOTFOUND, "%s: no such object", key);
	return o;
}

/* The size a read serves: one byte short when it is answered so. */
static int64_t served_size(const struct mem_object *o, enum mem_answer a)
{
	return a == MEM_TRUNCATED && o->size > 0 ? o->size - 1 : o->size;
}

static int mem_head(struct target *t, const char *key, struct object_info *out)
{
	enum mem_answer a;
	int rc;
	struct mem_object *o = read_call(t->s, MEM_HEAD, key, &a, &rc);
	if (!o)
		return rc;
	out->size = served_size(o, a);
	snprintf(out->xxh128, sizeof(out->xxh128), "%s", a == MEM_NO_METADATA ? "" : o->xxh128);
	return 0;
}

static int mem_get(struct target *t, const char *key, const char *path)
{
	enum mem_answer a;
	int rc;
	struct mem_object *o = read_call(t->s, MEM_GET, key, &a, &rc);
	if (!o)
		return rc;
	int64_t size = served_size(o, a);
	int fd = fs_create(path, 0644);
	if (fd < 0)
		return err_set(CDC_ERUNTIME, "mem target: %s: %s", path, strerror(errno));
	const unsigned char *data = t->s->data + o->off;
	int64_t done = 0;
	for (ssize_t n = 1; done < size && n > 0; done += n > 0 ? n : 0)
		n = write(fd, data + done, (size_t)(size - done));
	if (close(fd) != 0 || done != size) {
		unlink(path);
		return err_set(CDC_ERUNTIME, "mem target: %s: cannot write", path);
	}
	return 0;
}

static int mem_remove(struct target *t, const char *key)
{
	struct mem_store *s = t->s;
	enum mem_answer a = next_answer(s, MEM_REMOVE);
	int rc = a == MEM_FOREIGN ? place_foreign(s, key, size_at(s, key, FOREIGN_SIZE)) : 0;
	if (rc)
		return rc;
	if (fails_first(a))
		return failure(MEM_REMOVE, key, a);
	if (mem_store_delete(s, key) && guarded(s, key))
		breach(s, "delete below the final prefix:", key);
	return a == MEM_LOST ? failure(MEM_REMOVE, key, a) : 0;
}

static int by_key(const void *a, const void *b)
{
	const struct mem_object *x = *(const struct mem_object *const *)a;
	const struct mem_object *y = *(const struct mem_object *const *)b;
	return strcmp(x->key, y->key);
}

/* The live objects below prefix, by key; the caller frees the array. */
static size_t sorted(const struct mem_store *s, const char *prefix, const struct mem_object ***out)
{
	const struct mem_object **v = xcalloc(MEM_MAX_OBJECTS, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < MEM_MAX_OBJECTS; i++)
		if (s->obj[i].live && strncmp(s->obj[i].key, prefix, strlen(prefix)) == 0)
			v[n++] = &s->obj[i];
	qsort(v, n, sizeof(*v), by_key);
	*out = v;
	return n;
}

static int mem_list(struct target *t, const char *prefix, key_fn fn, void *ctx)
{
	struct mem_store *s = t->s;
	enum mem_answer a = next_answer(s, MEM_LIST);
	char *foreign = xasprintf("%sforeign-object", prefix);
	int rc = a == MEM_FOREIGN ? place_foreign(s, foreign, FOREIGN_SIZE) : 0;
	free(foreign);
	if (!rc && (fails_first(a) || a == MEM_LOST))
		rc = failure(MEM_LIST, prefix, a);
	if (rc)
		return rc;
	const struct mem_object **v;
	size_t n = sorted(s, prefix, &v);
	/* Keys copied first: fn may call the target. */
	struct strv keys = {0};
	for (size_t i = 0; i < n; i++)
		strv_push(&keys, v[i]->key);
	for (size_t i = 0; i < n && !rc; i++)
		rc = fn(ctx, keys.v[i], v[i]->size);
	strv_free(&keys);
	free(v);
	return rc;
}

void mem_store_each(const struct mem_store *s, const char *prefix, mem_object_fn fn, void *ctx)
{
	const struct mem_object **v;
	size_t n = sorted(s, prefix, &v);
	for (size_t i = 0; i < n; i++)
		fn(ctx, v[i]->key, s->data + v[i]->off, v[i]->size, v[i]->xxh128, v[i]->foreign);
	free(v);
}

bool mem_store_delete(struct mem_store *s, const char *key)
{
	struct mem_object *o = find(s, key);
	if (o)
		o->live = false;
	return o != NULL;
}

void mem_store_foreign(struct mem_store *s, const char *key)
{
	(void)place_foreign(s, key, size_at(s, key, FOREIGN_SIZE));
}

static const struct url_scheme mem_url = {
	.prefix = "mem:",
	.example = "mem:",
	.usage = "mem:",
};

const struct target_ops mem_target_ops = {
	.url = &mem_url,
	.open = mem_open,
	.close = mem_close,
	.put_file = mem_put,
	.copy = mem_copy,
	.head = mem_head,
	.get_file = mem_get,
	.remove = mem_remove,
	.list = mem_list,
};
