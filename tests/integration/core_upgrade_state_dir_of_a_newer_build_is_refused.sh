#!/usr/bin/env bash
# state.db records its layout (meta state_format) and the build that last
# wrote it (meta cdcpack, as --version names it). A state dir a newer build
# wrote (a higher state_format) could be read wrong: every command that
# opens it, `status` too, refuses it with exit 2 naming the format, the
# build that wrote it and this one, and changes nothing in the state dir.
# With the format this build knows, it runs on.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO a VALUES (1, 'one');"
core_config
cdc triggers install
cdc load
version=$("$CDCPACK" --version)
meta() { sqlite3 "$STATE_DIR/state.db" "SELECT v FROM meta WHERE k = '$1'"; }
assert_eq 1 "$(meta state_format)" "state_format this build writes"
assert_eq "$version" "cdcpack $(meta cdcpack)" "the build that wrote the state dir"

sql "INSERT INTO a VALUES (2, 'two');"
sqlite3 "$STATE_DIR/state.db" "UPDATE meta SET v = '2' WHERE k = 'state_format';
	UPDATE meta SET v = '0.2.0 (commit 0123456789ab)' WHERE k = 'cdcpack';"
# The files and their bytes. Not the folder's own mtime, nor -wal and -shm:
# SQLite makes them to read a WAL database (status, read-only, leaves them
# as it does on any state dir); the -wal must hold nothing.
snap() {
	(cd "$STATE_DIR" && find . -mindepth 1 ! -name 'state.db-[ws][ah][lm]' -printf '%p %s %T@\n' |
		sort && sha256sum state.db && sqlite3 state.db .dump)
	[[ ! -s $STATE_DIR/state.db-wal ]] || echo "state.db-wal holds $(stat -c %s "$STATE_DIR/state.db-wal") bytes"
}
snap >"$T/before"
count=$(published_count)
for cmd in run status load reconcile; do
	# shellcheck disable=SC2086 # the command's words
	cdc_status 2 $cmd
	assert_contains "$T/last.err" "$STATE_DIR/state.db: state format 2, written by cdcpack 0.2.0 (commit 0123456789ab); this cdcpack (${version#cdcpack }) reads formats up to 1 and would read it wrong: run that build or a newer one"
	snap >"$T/after"
	assert_same_file "$T/before" "$T/after" "the state dir after a refused $cmd"
done
assert_eq "$count" "$(published_count)" "batches published while refused"

# A newer build's meta table may be made otherwise (here: v may be NULL, and
# its build left unnamed): still refused, naming it "(newer)", not a crash.
cp "$STATE_DIR/state.db" "$T/state.db.keep"
sqlite3 "$STATE_DIR/state.db" "ALTER TABLE meta RENAME TO meta_was;
	CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT);
	INSERT INTO meta SELECT k, v FROM meta_was; DROP TABLE meta_was;
	UPDATE meta SET v = NULL WHERE k = 'cdcpack';"
cdc_status 2 status
assert_contains "$T/last.err" "$STATE_DIR/state.db: state format 2, written by cdcpack (newer); this cdcpack"
cp "$T/state.db.keep" "$STATE_DIR/state.db"

# The build name comes from a file anyone may have written: shown as names
# are (a backslash doubled), so the text \x0A cannot pass for an escaped
# newline, nor a newline start a forged line.
sqlite3 "$STATE_DIR/state.db" "UPDATE meta SET v = 'a\x0A b' || char(10) || 'ERROR forged' WHERE k = 'cdcpack';"
cdc_status 2 status
assert_contains "$T/last.err" 'state format 2, written by cdcpack a\\x0A b\x0AERROR forged; this cdcpack'
if grep -q '^ERROR forged' "$T/last.err"; then fail "the build name reached the log raw"; fi
cp "$T/state.db.keep" "$STATE_DIR/state.db"

# The format this build knows: the run ships the change, and records itself.
sqlite3 "$STATE_DIR/state.db" "UPDATE meta SET v = '1' WHERE k = 'state_format';"
cdc run
check_cdc_rows "the change made while refused, once" 'I,2,two'
assert_eq "$version" "cdcpack $(meta cdcpack)" "the build that wrote the state dir after the run"
