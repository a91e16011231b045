#!/usr/bin/env bash
# status only reads (docs/design.md §9), binlog.db too: a position store of
# the layout before GTIDs and skips were recorded (no gtid and skips
# columns, no meta) is read as it is, the columns added at the next run,
# never by status; and on a state dir it cannot write status reads it all
# the same (exit 0, the acknowledged position shown). status added the
# columns (writing to a store it only reads), and on a read-only dir failed.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_status_ro)
mysql_exec "$db" "CREATE TABLE t(id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, 'a')"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
store=$T/state/binlog.db
assert_status 0 "$CDCPACK" run
mysql_exec "$db" "INSERT INTO t VALUES (2, 'b')"
assert_status 0 "$CDCPACK" run
pos=$(sqlite3 "$store" "SELECT pos FROM position WHERE acked ORDER BY seq DESC LIMIT 1")
[[ -n $pos ]] || fail "setup: no acknowledged position"

# The earlier layout: position(seq, pos, acked), no meta.
sqlite3 "$store" "CREATE TABLE old(seq INTEGER PRIMARY KEY, pos TEXT NOT NULL,
		acked INTEGER NOT NULL DEFAULT 0);
	INSERT INTO old SELECT seq, pos, acked FROM position; DROP TABLE position;
	ALTER TABLE old RENAME TO position; DROP TABLE meta;"
snap() { sha256sum "$store" && sqlite3 "$store" .schema && sqlite3 "$store" 'SELECT * FROM position'; }
snap >"$T/before"

echo "case: status on a writable state dir"
assert_status 0 "$CDCPACK" --json status
assert_eq "$pos" "$(jq -r .log_position "$T/last.out")" "the position status shows"
snap >"$T/after"
cmp -s "$T/before" "$T/after" || { diff "$T/before" "$T/after" >&2; fail "status changed binlog.db"; }

echo "case: status on a state dir it cannot write"
chown -R 65534:65534 "$T"
chmod 755 "$T"
chmod a-w "$T/state"
got=0
setpriv --reuid=65534 --regid=65534 --clear-groups "$CDCPACK" --json status >"$T/last.out" 2>"$T/last.err" || got=$?
((got == 0)) || fail "status on a state dir it cannot write exited $got: $(cat "$T/last.err")"
assert_eq "$pos" "$(jq -r .log_position "$T/last.out")" "the position status shows, read-only"
snap >"$T/after"
cmp -s "$T/before" "$T/after" || fail "status changed binlog.db on a read-only dir"
chmod u+w "$T/state"
chown -R 0:0 "$T"

echo "case: the next run brings the store up to date"
mysql_exec "$db" "INSERT INTO t VALUES (3, 'c')"
assert_status 0 "$CDCPACK" run
assert_eq 2 "$(sqlite3 "$store" "SELECT count(*) FROM pragma_table_info('position') WHERE name IN ('gtid', 'skips')")" \
	"columns the run added"
assert_eq 1 "$(sqlite3 "$store" "SELECT v FROM meta WHERE k = 'format'")" "the format the run recorded"
printf '%s\n' 'I,2,b' 'I,3,c' >want.csv
binlog_cdc_rows "$T/bucket" t >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "changes (< expected, > published)"; }
echo ok
