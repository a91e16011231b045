#!/usr/bin/env bash
# mode = binlog with binlog_row_metadata = FULL: the table map names the
# columns as they were when the rows were logged, and the reader checks
# them against the columns it maps the rows to. Two same-typed columns
# swapped by RENAME COLUMN and swapped back between runs keep the table's
# columns as the chain last shipped them (no load) and the column count of
# the rows logged in between: mapped by position those rows would ship
# with a's value under b and b's under a. The run stops (exit 3) naming the
# table, the column and 'cdcpack load'; after that load the replicas equal
# the source and no row was shipped swapped. init warns while the server
# logs no column names.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_swap)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, a VARCHAR(20), b VARCHAR(20));
INSERT INTO people VALUES (1, 'a one', 'b one')"
binlog_user "$db"
metadata=$(mysql_root -N -e "SELECT @@global.binlog_row_metadata")
trap '_rc=$?; mysql_root -e "SET GLOBAL binlog_row_metadata = '"'$metadata'"';
DROP USER IF EXISTS cdc_binlog@localhost, cdc_binlog@\`127.0.0.1\`" || true; (exit $_rc); cleanup_tmp' EXIT
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
rep=$(mysql_fresh_db binlog_swap_rep)

mysql_root -e "SET GLOBAL binlog_row_metadata = 'MINIMAL'"
assert_status 0 "$CDCPACK" init
assert_contains "$T/last.err" "binlog_row_metadata is MINIMAL: rows in the log are mapped to columns by position only"
mysql_root -e "SET GLOBAL binlog_row_metadata = 'FULL'"
assert_status 0 "$CDCPACK" init
assert_not_contains "$T/last.err" "binlog_row_metadata"
assert_status 0 "$CDCPACK" run

swap="ALTER TABLE people RENAME COLUMN a TO t; ALTER TABLE people RENAME COLUMN b TO a;
ALTER TABLE people RENAME COLUMN t TO b"
mysql_exec "$db" "INSERT INTO people VALUES (2, 'a two', 'b two'); $swap;
INSERT INTO people (id, a, b) VALUES (3, 'a three', 'b three'); $swap"
assert_status 0 "$CDCPACK" run # up to the first ALTER
assert_status 3 "$CDCPACK" run
assert_contains "$T/last.err" "table people: column 2 is b in the log and a now"
assert_contains "$T/last.err" 'run `cdcpack load people`'
assert_status 3 "$CDCPACK" run # until someone acts, never past it

assert_status 0 "$CDCPACK" load people
mysql_exec "$db" "INSERT INTO people VALUES (4, 'a four', 'b four')"
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" run
printf '%s\n' 'I,2,a two,b two' 'I,4,a four,b four' >want.csv
binlog_cdc_rows "$T/bucket" people >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "people's changes (< expected, > published)"; }
for r in "sqlite:$T/replica.db" "$(mysql_url "$rep")"; do
	assert_status 0 "$CDCPACK" apply --to "$r"
	assert_status 0 "$CDCPACK" verify --against "$r"
done
echo ok
