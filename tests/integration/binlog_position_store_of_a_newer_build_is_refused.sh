#!/usr/bin/env bash
# Binlog capture's position store (state/binlog.db) records its layout
# (meta format) and the build that last wrote it (meta cdcpack), as
# state.db does. One a newer build wrote (a higher format) could be read
# wrong: run, load and status refuse it, exit 2, naming the file, the
# format, the build that wrote it and this one, and leave it as it was. A
# store of the builds before the number (no meta) is read as this build's:
# status leaves it so (it writes nothing), the next run records the format.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_format)
mysql_exec "$db" "CREATE TABLE t(id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, 'a')"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
store=$T/state/binlog.db
meta() { sqlite3 "$store" "SELECT v FROM meta WHERE k = '$1'"; }
assert_status 0 "$CDCPACK" run
version=$("$CDCPACK" --version)
assert_eq 1 "$(meta format)" "the binlog position format this build writes"
assert_eq "$version" "cdcpack $(meta cdcpack)" "the build that wrote binlog.db"

echo "case: a store the builds before the number made"
sqlite3 "$store" "DROP TABLE meta"
assert_status 0 "$CDCPACK" status
assert_eq 0 "$(sqlite3 "$store" "SELECT count(*) FROM sqlite_master WHERE name = 'meta'")" \
	"meta tables status made in binlog.db"
mysql_exec "$db" "INSERT INTO t VALUES (2, 'b')"
assert_status 0 "$CDCPACK" run
assert_eq 1 "$(meta format)" "the format recorded in a store that had none"

echo "case: a newer build's store"
sqlite3 "$store" "UPDATE meta SET v = '2' WHERE k = 'format';
	UPDATE meta SET v = '0.2.0 (commit 0123456789ab)' WHERE k = 'cdcpack';"
mysql_exec "$db" "INSERT INTO t VALUES (3, 'c')"
snap() { sha256sum "$store" && sqlite3 "$store" .dump; }
snap >"$T/before"
count=$(find "$T/bucket/cdc" -name '*.tar.zst' | wc -l)
for cmd in run load status; do
	assert_status 2 "$CDCPACK" $cmd
	assert_contains last.err "$store: binlog position format 2, written by cdcpack 0.2.0 (commit 0123456789ab); this cdcpack (${version#cdcpack }) reads formats up to 1 and would read it wrong: run that build or a newer one"
	snap >"$T/after"
	cmp -s "$T/before" "$T/after" || fail "binlog.db changed by a refused $cmd"
done
assert_eq "$count" "$(find "$T/bucket/cdc" -name '*.tar.zst' | wc -l)" "batches published while refused"

echo "case: the format this build knows"
sqlite3 "$store" "UPDATE meta SET v = '1' WHERE k = 'format';"
assert_status 0 "$CDCPACK" run
printf '%s\n' 'I,2,b' 'I,3,c' >want.csv
binlog_cdc_rows "$T/bucket" t >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "changes (< expected, > published)"; }
assert_eq "$version" "cdcpack $(meta cdcpack)" "the build that wrote binlog.db after the run"
echo ok
