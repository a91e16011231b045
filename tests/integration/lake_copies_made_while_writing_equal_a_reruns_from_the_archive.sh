#!/usr/bin/env bash
# One pass over the bytes (issues 13 and 16): the run that stages a batch
# publishes the lake copies its worker thread gzipped while writing the
# change files ("from=copy"), and its archive is a run of zstd frames
# made the same way. A run killed after the first lake object finishes the
# batch from the archive ("from=archive"), gzipping its files again: the
# objects there already hold the same bytes (else the rerun would stop at
# "other bytes"), and every lake object, of either path, decompresses to
# the archive's file. Seven tables in one cdc run: more files open at once
# than get a frame of their own (the rest are compressed when staged), and
# files of several 256 KiB buffers. t1's change file is the first lake
# object, the one both runs gzip: it spans several buffers, which the
# package and the rerun split differently (igzip's output would follow the
# split but for gzstream's fixed blocks).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

tables=(t1 t2 t3 t4 t5 t6 t7)
for t in "${tables[@]}"; do
	sql "CREATE TABLE $t (id INTEGER PRIMARY KEY, v TEXT, r REAL);
	  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
	  INSERT INTO $t SELECT i, printf('row %d of $t, \"quoted\", %s', i, hex(randomblob(8))), i / 7.0 FROM n;"
done
core_config '[lake]' 'prefix = dms/' 'compression = gzip'
cdc triggers install
cdc -v load
assert_contains "$T/last.err" "from=copy"
for t in "${tables[@]}"; do
	sql "UPDATE $t SET v = v || ' changed' WHERE id % 3 = 0; DELETE FROM $t WHERE id % 50 = 1;"
done
sql "UPDATE t1 SET r = r + 1;"
crashed mid-lake -v run
first=$(find "$BUCKET/dms/src/t1" -name '2*.csv.gz')
[[ -n $first ]] || fail "the run killed mid-lake left no t1 change file in the lake"
bytes=$(zcat "$first" | wc -c)
((bytes > 3 * 262144)) || fail "t1's change file has $bytes bytes, expected several 256 KiB buffers"
cdc -v run
assert_contains "$T/last.err" "from=archive"
assert_not_contains "$T/last.err" "from=copy"

# Every archive decompresses as a whole; its files are the lake's objects.
mkdir "$T/u"
n=0
for a in $(published); do
	frames=$(zstd -lv "$a" 2>/dev/null | sed -n 's/^# Zstandard Frames: *//p')
	((frames > 1)) || fail "$a: $frames zstd frame(s), expected one per file and the tar's own"
	zstd -dcq "$a" | tar -xf - -C "$T/u" || fail "$a does not unpack"
done
for t in "${tables[@]}"; do
	for f in "$T/u/$t"/*.csv; do
		obj=$(find "$BUCKET/dms/src/$t" -name "$(basename "$f").gz")
		[[ -n $obj ]] || fail "$t/$(basename "$f"): no lake object"
		zcat "$obj" | cmp -s - "$f" || fail "$obj is not the archive's $t/$(basename "$f")"
		n=$((n + 1))
	done
done
assert_eq 14 "$n" "lake objects checked (a load and a cdc file per table)"
assert_eq 14 "$(find "$BUCKET/dms" -type f | wc -l)" "lake objects"

# Each object is one gzip member (a reader that stops after the first
# would see all of it) with no file name or time in its header.
find "$BUCKET/dms" -type f -name '*.gz' -print0 | xargs -0 gzip -t || fail "gzip -t refuses a lake object"
python3 - "$BUCKET/dms" <<'PY' || fail "a lake object is not one gzip member without name or time"
import pathlib, sys, zlib
for p in pathlib.Path(sys.argv[1]).rglob("*.gz"):
    b = p.read_bytes()
    d = zlib.decompressobj(31)
    d.decompress(b)
    flags, mtime = b[3], int.from_bytes(b[4:8], "little")
    if not d.eof or d.unused_data or flags & 0x08 or mtime:
        sys.exit(f"{p}: ended {d.eof}, {len(d.unused_data)} bytes after the member, FLG {flags:#x}, MTIME {mtime}")
PY
