#!/usr/bin/env bash
# `status` only reads: on a state dir it cannot write (an operator's
# inspection with the dir made read-only, a read-only mount) it opens
# state.db read-only, creates nothing there and reports what a writable
# dir would show. When SQLite cannot read without creating the -shm and a
# -wal may hold what the file does not (a run holds the database), or a
# file-size limit stops the -shm, status exits 3 naming state.db and the
# reason, never a signal (issue 18 follow-up; docs/design.md §9).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

mounted=
trap 'rc=$?; [[ -z $mounted ]] || umount -l "$mounted"; (exit $rc); cleanup_tmp' EXIT

# fill: a chain with one acknowledged load and one change pending, and the
# status a writable state dir shows ($T/want.json).
fill() {
	core_config
	sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a')"
	cdc triggers install
	cdc load
	sql "INSERT INTO t VALUES (2, 'b')"
	cdc status --json
	jq -S '{chain, batches, pending, last: .last_published.id}' "$T/last.out" >"$T/want.json"
	[[ $(jq .pending "$T/want.json") == 1 ]] || fail "setup: $(cat "$T/want.json")"
}

# reader CODE ARGS...: cdcpack ARGS as a user who cannot write $STATE_DIR
# (root writes anywhere, so as nobody on a dir nobody owns), exit CODE.
reader() {
	local want=$1 got=0
	shift
	if (($(id -u) == 0)); then
		chown -R 65534:65534 "$(dirname "$STATE_DIR")"
		chmod 755 "$T"
		chmod a-w "$STATE_DIR"
		setpriv --reuid=65534 --regid=65534 --clear-groups "$CDCPACK" "$@" \
			>"$T/last.out" 2>"$T/last.err" || got=$?
	else
		chmod a-w "$STATE_DIR"
		"$CDCPACK" "$@" >"$T/last.out" 2>"$T/last.err" || got=$?
	fi
	((got == want)) || fail "cdcpack $* on a state dir it cannot write exited $got, expected $want: $(cat "$T/last.err")"
}

# same_status: the status just read is the one $T/want.json holds.
same_status() {
	jq -S '{chain, batches, pending, last: .last_published.id}' "$T/last.out" >"$T/got.json"
	assert_same_file "$T/want.json" "$T/got.json" "status of a state dir it cannot write: $1"
}

if (($(id -u) == 0)) && ! command -v setpriv >/dev/null; then
	echo "skipped the unwritable-dir cases: running as root without setpriv"
else
	# A state dir it cannot write: the same status, and nothing created there.
	core_use "$T/inspect"
	fill
	ls -A "$STATE_DIR" >"$T/before.ls"
	reader 0 status --json
	same_status "unwritable dir"
	reader 0 status
	assert_contains "$T/last.out" "acked=1"
	ls -A "$STATE_DIR" >"$T/after.ls"
	assert_same_file "$T/before.ls" "$T/after.ls" "files in the state dir after status"

	# A state dir of a version before batches.generation, before any run of
	# this version added it: read as it is.
	sqlite3 "$STATE_DIR/state.db" 'ALTER TABLE batches DROP COLUMN generation'
	reader 0 status --json
	same_status "a state dir from before batches.generation"

	# A -wal with frames and no -shm (a run died holding the database):
	# SQLite cannot read it without an index it cannot create, and the file
	# alone would miss the frames, so status stops.
	chmod u+w "$STATE_DIR"
	sqlite3 "$STATE_DIR/state.db" 'PRAGMA wal_autocheckpoint=0' \
		"INSERT INTO meta VALUES('test', 'x')" ".shell cp $STATE_DIR/state.db-wal $T/wal"
	[[ -s $T/wal ]] || fail "setup: no -wal frames"
	cp "$T/wal" "$STATE_DIR/state.db-wal"
	reader 3 status
	assert_contains "$T/last.err" "$STATE_DIR/state.db: cannot read it without creating or growing state.db-shm"
	assert_contains "$T/last.err" "run status where it may write the state dir"
fi

# A read-only mount (where mounting is permitted).
core_use "$T/mount"
mkdir -p "$STATE_DIR"
if mount -t tmpfs -o size=8m,mode=0700 tmpfs "$STATE_DIR" 2>"$T/mount.err"; then
	mounted=$STATE_DIR
	fill
	mount -o remount,ro "$STATE_DIR"
	cdc status --json
	same_status "read-only mount"
	mount -o remount,rw "$STATE_DIR"
else
	echo "skipped the read-only mount: $(cat "$T/mount.err")"
	fill
fi

# A file-size limit stops the -shm: exit 3 with the reason, not SIGXFSZ.
set +o pipefail
bash -c 'ulimit -f 1; exec "$@"' _ "$CDCPACK" status 2>&1 | cat >"$T/ulimit.err"
got=${PIPESTATUS[0]}
set -o pipefail
assert_eq 3 "$got" "exit status of status under ulimit -f 1"
assert_contains "$T/ulimit.err" "state.db: cannot read it without creating or growing state.db-shm"
assert_contains "$T/ulimit.err" "File too large"
echo "ok"
