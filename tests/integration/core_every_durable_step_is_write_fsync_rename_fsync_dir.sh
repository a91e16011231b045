#!/usr/bin/env bash
# Durability a killed process cannot show (the page cache survives it): the
# system calls of `load` and `run`, traced with strace, put every file
# cdcpack keeps (state dir, staging, file: target, snapshot store) in place
# as write -> fsync(file) -> rename or link -> fsync(folder), every new
# folder and every file written in place with an fsync of its folder, each
# folder fsync before the next SQLite commit relies on it
# (tests/lib/syscall_order.py), and every state change (a commit writing
# state.db-wal) fsynced before cdcpack touches the bucket, the source or its
# state dir again, and before it exits (synchronous=FULL). Traced: the first load (state dir, staging
# and bucket created), a run, runs that recover a batch staged or uploaded
# by a killed run, and snapshot mode's first and second runs.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
command -v strace >/dev/null || fail "strace is missing (ci/install-deps.sh installs it)"
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3

# traced NAME ARGS...: `cdcpack ARGS` under strace, which must succeed and
# keep the order everywhere under $T (but the scratch work dir and the lock).
traced() {
	local name=$1 got=0
	shift
	strace -f -qq -y -o "$T/$name.trace" -e trace=%file,%desc "$CDCPACK" "$@" >"$T/$name.out" 2>"$T/$name.err" || got=$?
	assert_eq 0 "$got" "exit status of traced $name ($(tail -n 3 "$T/$name.err"))"
	"$PY" "$ROOT/tests/lib/syscall_order.py" "$T/$name.trace" "$T" \
		--skip "$STATE_DIR/work" --skip "$STATE_DIR/lock" >"$T/$name.order" ||
		fail "$name: durable steps out of order: $(cat "$T/$name.order")"
	state_synced "$name"
}
# state_synced NAME: in the trace, each write to state.db-wal (a commit) is
# followed by an fsync or fdatasync of it before the next write, rename,
# link, unlink or mkdir in the bucket, the source database or the state dir
# (other than SQLite's state.db files), and before the end.
state_synced() {
	awk -v wal="<$STATE_DIR/state.db-wal>" -v st="$STATE_DIR/" -v bucket="$BUCKET/" -v src="$SRC_DB" '
		$2 ~ /^(write|pwrite64|pwritev)\(/ && index($0, wal) { dirty = NR; next }
		$2 ~ /^(fsync|fdatasync)\(/ && index($0, wal) { dirty = 0; synced++; next }
		dirty && $2 ~ /^(write|pwrite64|pwritev|rename|renameat2?|link|linkat|unlink|unlinkat|mkdir|mkdirat)\(/ &&
		    (index($0, bucket) || index($0, src) || (index($0, st) && !index($0, st "state.db"))) {
			printf "line %d: %s with the state change of line %d not fsynced\n", NR, $2, dirty
			bad = 1
			dirty = 0
		}
		END {
			if (dirty) { printf "the trace ends with the state change of line %d not fsynced\n", dirty; bad = 1 }
			if (!synced) { print "no fsync of state.db-wal at all"; bad = 1 }
			exit bad
		}' "$T/$1.trace" >"$T/$1.walsync" || fail "$1: state changes not made durable: $(head -n 5 "$T/$1.walsync")"
}
# saw NAME ERE WHAT: the trace shows the step (the check was not vacuous).
saw() {
	grep -qE -- "$2" "$T/$1.trace" || fail "$1: the trace has no $3"
}
crashed_at() {
	local got=0
	{ CDCPACK_FAULT=crash:$1 "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
	assert_eq 137 "$got" "exit status of the run killed at $1"
}

core_use "$T/trigger"
persons_db "$SRC_DB"
core_config
cdc triggers install
traced load load
saw load "^[0-9]+ +mkdir\(\"$STATE_DIR\"" "state dir created"
saw load "^[0-9]+ +rename\(\"$STATE_DIR/staging/[^\"]+\.tmp\"" "staged archive renamed into place"
saw load "^[0-9]+ +fsync\([0-9]+<$STATE_DIR/staging>" "fsync of staging"
saw load "^[0-9]+ +link\(\"$BUCKET/_tmp/" "publish by link"
sql "UPDATE Persons SET City = 'Traced' WHERE PersonID = 1"
traced run run
sql "UPDATE Persons SET City = 'Staged' WHERE PersonID = 2"
crashed_at after-stage
traced recover-staged run
saw recover-staged "^[0-9]+ +rename\(\"$BUCKET/_tmp/[^\"]+\.part\"" "upload renamed into place"
sql "UPDATE Persons SET City = 'Uploaded' WHERE PersonID = 3"
crashed_at after-upload
traced recover-uploaded run
saw recover-uploaded "^[0-9]+ +link\(\"$BUCKET/_tmp/" "publish by link"
check_chain

# The other archive writer: gzip (and none) go through libarchive, zstd
# splices its frames; each makes its staged archive durable on its own.
core_use "$T/gzip"
persons_db "$SRC_DB"
core_config '[batch]' 'compression = gzip'
cdc triggers install
traced gzip-load load
saw gzip-load "^[0-9]+ +rename\(\"$STATE_DIR/staging/[^\"]+\.tar\.gz\.tmp\"" "staged gzip archive renamed into place"

core_use "$T/snapshot"
persons_db "$SRC_DB"
core_config '[capture]' 'mode = snapshot'
traced snapshot-load run
saw snapshot-load "^[0-9]+ +openat\([^)]*$STATE_DIR/snapshot/[^\"]+\.snap\", O_WRONLY\|O_CREAT" "snapshot file written"
sql "DELETE FROM Persons WHERE PersonID = 4"
traced snapshot-run run
assert_eq 2 "$(published_count)" "snapshot batches"
