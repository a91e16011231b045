/* The SQLite source's fingerprint (docs/design.md §4, "Idle runs"): what an
 * idle run compares with the last clean run's to skip opening the source. It
 * is read with plain read(2) and one fcntl(F_GETLK) probe, never through
 * SQLite, since any statement makes SQLite load the whole schema (3 s at
 * 10,000 tables with triggers). Each part, and the writes it catches:
 *   - the database file's dev, inode, size, mtime and ctime, and its 100-byte
 *     header: the file change counter (offset 24) moves at every commit in
 *     rollback-journal modes (journal_mode OFF too), at least once per lock
 *     in exclusive locking mode; a restored copy has another inode, or an
 *     older counter;
 *   - the -wal file's header (salts: new at every WAL reset), size and last
 *     frame, and the -shm wal-index header (mxFrame, the change counter and
 *     the last valid frame's checksum: new at every WAL commit, even one
 *     that rewrites a reset log within its old size);
 *   - the -journal file: one whose header is live (not zeroed, not empty)
 *     is a transaction in progress or a hot journal: no fingerprint;
 *   - a writer's lock (RESERVED, PENDING or EXCLUSIVE, exclusive locking
 *     mode's included) held on the database: no fingerprint.
 * No fingerprint (*out NULL) means "cannot tell": the run opens the source.
 * Only call this while this process has no connection to the file: closing
 * a descriptor drops every POSIX lock the process holds on it. */
#include "source_sqlite.h"

#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* SQLite's lock bytes (os_unix.c): PENDING, RESERVED, then the SHARED range. */
#define LOCK_PENDING_BYTE 0x40000000
#define LOCK_BYTES 512

struct fp {
	struct hash_stream h;
	bool doubt;
};

static void add(struct fp *f, const void *p, size_t n)
{
	hash_stream_update(&f->h, p, n);
}

/* The file's identity, size and mtime (and ctime, with_ctime: SQLite
 * running as root fchowns the -wal, -shm and -journal files it opens, which
 * moves their ctime at every connection); absent files count as a marker.
 * *fd open (or -1 when absent). */
static void add_file(struct fp *f, const char *path, bool with_ctime, int *fd, struct stat *st)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	memset(st, 0, sizeof(*st));
	if (*fd < 0 || fstat(*fd, st) != 0) {
		/* Absent is a state; anything else (no permission) is a doubt. */
		f->doubt = f->doubt || errno != ENOENT;
		add(f, "-", 1);
		return;
	}
	/* Some file systems give no inode numbers: a replaced file would pass. */
	f->doubt = f->doubt || st->st_ino == 0;
	int64_t v[] = {(int64_t)st->st_dev, (int64_t)st->st_ino, (int64_t)st->st_size,
		       (int64_t)st->st_mtim.tv_sec, (int64_t)st->st_mtim.tv_nsec};
	add(f, v, sizeof(v));
	int64_t c[] = {(int64_t)st->st_ctim.tv_sec, (int64_t)st->st_ctim.tv_nsec};
	if (with_ctime)
		add(f, c, sizeof(c));
}

/* n bytes at off, hashed; a short read hashes what there is (its size is
 * in the hash already). */
static void add_bytes(struct fp *f, int fd, off_t off, size_t n, unsigned char *out)
{
	unsigned char b[128] = {0};
	ssize_t got = n <= sizeof(b) ? pread(fd, b, n, off) : -1;
	f->doubt = f->doubt || got < 0;
	add(f, b, got > 0 ? (size_t)got : 0);
	if (out && got > 0)
		memcpy(out, b, (size_t)got);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A writer holds a lock: its transaction may be half written. */
static void probe_locks(struct fp *f, int fd)
{
	struct flock l = {.l_type = F_RDLCK,
			  .l_whence = SEEK_SET,
			  .l_start = LOCK_PENDING_BYTE,
			  .l_len = LOCK_BYTES};
	if (fcntl(fd, F_GETLK, &l) != 0 || l.l_type != F_UNLCK)
		f->doubt = true;
}

static void add_wal(struct fp *f, const char *path)
{
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
	struct stat st, sst;
	int fd, sfd;
	add_file(f, wal, false, &fd, &st);
	unsigned char hdr[32] = {0};
	if (fd >= 0)
		add_bytes(f, fd, 0, sizeof(hdr), hdr);
	off_t frame = 24 + (off_t)be32(hdr + 8);
	if (fd >= 0 && st.st_size > 32) {
		/* A partial frame: a writer is appending, or a crash left it. */
		f->doubt = f->doubt || be32(hdr + 8) == 0 || (st.st_size - 32) % frame != 0;
		if (!f->doubt)
			add_bytes(f, fd, st.st_size - frame, 24, NULL);
	}
	add_file(f, shm, false, &sfd, &sst);
	/* Both copies of the wal-index header (WalIndexHdr, 48 bytes each). */
	if (sfd >= 0)
		add_bytes(f, sfd, 0, 96, NULL);
	/* Frames but no wal-index: the next opener recovers the log. */
	f->doubt = f->doubt || (fd >= 0 && st.st_size > 32 && sfd < 0);
	if (fd >= 0)
		close(fd);
	if (sfd >= 0)
		close(sfd);
	free(wal);
	free(shm);
}

static void add_journal(struct fp *f, const char *path)
{
	char *journal = xasprintf("%s-journal", path);
	struct stat st;
	int fd;
	add_file(f, journal, false, &fd, &st);
	unsigned char magic[8] = {0};
	if (fd >= 0 && st.st_size > 0) {
		add_bytes(f, fd, 0, sizeof(magic), magic);
		/* Live header: a transaction in progress, or a hot journal
		 * (PERSIST zeroes it at commit, TRUNCATE empties it). */
		static const unsigned char zero[8];
		f->doubt = f->doubt || memcmp(magic, zero, sizeof(zero)) != 0;
	}
	if (fd >= 0)
		close(fd);
	free(journal);
}

int sqlite_fingerprint(const char *url, char **out)
{
	const char *path = url + strlen("sqlite:");
	struct fp f = {.doubt = false};
	*out = NULL;
	hash_stream_init(&f.h);
	struct stat st;
	int fd;
	add_file(&f, path, true, &fd, &st);
	f.doubt = f.doubt || fd < 0;
	if (fd >= 0)
		add_bytes(&f, fd, 0, 100, NULL);
	add_wal(&f, path);
	add_journal(&f, path);
	/* Last: a writer that held its lock at any moment since the header
	 * was read either holds it still (doubt) or has committed, and then
	 * the run's own read, which starts later, sees its commit. */
	if (fd >= 0) {
		probe_locks(&f, fd);
		close(fd);
	}
	char hex[HASH_HEX_LEN + 1];
	hash_stream_hex(&f.h, hex);
	hash_stream_free(&f.h);
	if (!f.doubt)
		*out = xstrdup(hex);
	return 0;
}
