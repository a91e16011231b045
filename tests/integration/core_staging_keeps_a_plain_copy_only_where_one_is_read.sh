#!/usr/bin/env bash
# Staging writes each change file's bytes once where they are needed
# (issue 16, the 100k-BLOB run to S3): a file whose zstd frame is made as it
# is written keeps no plain copy in the work dir (300 MB of hex written there
# for nothing, in that run); a file without a frame (more files open at once
# than get one, docs/design.md §4 step 4) keeps it, the archive compressing
# it from there; and an uncompressed lake ([lake] compression = none), which
# publishes that copy itself, keeps it for every file. In each case the
# archives and the lake read back, and apply gives the source's rows.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
command -v strace >/dev/null || fail "strace is missing (ci/install-deps.sh installs it)"

# made NAME: the work dir's files `cdcpack run` created (traced into
# $T/NAME.trace), by suffix: "part=N zst=M".
made() {
	local work=$STATE_DIR/work
	printf 'part=%d zst=%d' \
		"$(grep -E "open(at)?\(.*\"$work/[^\"]*\.part\".*O_CREAT" "$T/$1.trace" | grep -vc ENOENT)" \
		"$(grep -E "open(at)?\(.*\"$work/[^\"]*\.zst\".*O_CREAT" "$T/$1.trace" | grep -vc ENOENT)"
}
# traced_run NAME: a run under strace, which must succeed. LeakSanitizer
# cannot run under ptrace: the ASan pass checks leaks in the untraced run
# at the end.
traced_run() {
	local got=0
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o "$T/$1.trace" -e trace=open,openat,creat "$CDCPACK" run >"$T/$1.out" 2>"$T/$1.err" || got=$?
	assert_eq 0 "$got" "exit status of the traced run $1 ($(tail -n 3 "$T/$1.err"))"
}
# changes TABLES...: a few hundred inserts, updates and deletes in each.
changes() {
	for t in "$@"; do
		sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
		  INSERT INTO $t (v, b) SELECT printf('row %d \"q\", x', i), randomblob(i % 40) FROM n;
		  UPDATE $t SET v = v || ' changed' WHERE id % 3 = 0; DELETE FROM $t WHERE id % 7 = 1;"
	done
}

tables=(t1 t2 t3 t4 t5 t6)
for t in "${tables[@]}"; do
	sql "CREATE TABLE $t (id INTEGER PRIMARY KEY, v TEXT, b BLOB);"
done
core_config
cdc triggers install
cdc load

# Two tables: both files framed, no plain copy.
changes t1 t2
traced_run framed
assert_eq "part=0 zst=2" "$(made framed)" "work files of a run of two tables"
# Six tables at once: four framed, two compressed at staging from their copy.
changes "${tables[@]}"
traced_run many
assert_eq "part=2 zst=4" "$(made many)" "work files of a run of six tables (4 get a frame)"
for a in $(published); do
	"$CDCPACK" show "$a" >/dev/null || fail "cdcpack show refuses $a"
done
apply_and_compare "$T/replica.db"

# An uncompressed lake publishes the plain copy: kept for every file.
core_config '[lake]' 'prefix = dms/' 'compression = none'
changes t1 t2
traced_run lake
assert_eq "part=2 zst=2" "$(made lake)" "work files of a run with an uncompressed lake"
for f in "$BUCKET"/dms/src/t1/2*.csv; do
	[[ -s $f ]] || fail "no t1 change file in the lake ($f)"
done
apply_and_compare "$T/replica.db"

# And a run of framed files that nothing traces (the ASan pass's leak check).
core_config
changes t1 t2 t3
cdc run
apply_and_compare "$T/replica.db"
