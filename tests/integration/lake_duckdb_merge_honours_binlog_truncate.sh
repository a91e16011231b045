#!/usr/bin/env bash
# The lake merge (examples/lake/merge.sql) and binlog mode's TRUNCATE rows
# (Op T, every other field empty): DuckDB, reading the lake objects of a
# MariaDB source in binlog mode in place, drops the table's load rows and
# every change before its last T, in file order (a T in the middle of a
# file, T in an earlier file than later changes, keys changed before and
# after it), and equals the source's rows; a table never truncated merges
# as before.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"
source "$ROOT/tests/lib/lake.sh"

db=$(mysql_fresh_db lake_trunc)
mysql_exec "$db" "CREATE TABLE acct(id INT PRIMARY KEY, owner VARCHAR(40));
CREATE TABLE tag(k VARCHAR(20) PRIMARY KEY, note TEXT);
INSERT INTO acct VALUES (1, 'ann'), (2, 'bob'), (3, 'cy'); INSERT INTO tag VALUES ('a', 'x')"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog' '[lake]' 'prefix = dms/'
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" run

# A T in the middle of a file, keys changed before and after it.
mysql_exec "$db" "INSERT INTO acct VALUES (4, 'dee'); UPDATE acct SET owner = 'ANN' WHERE id = 1;
TRUNCATE TABLE acct; INSERT INTO acct VALUES (1, 'ann again'), (5, 'eve');
INSERT INTO tag VALUES ('b', NULL)"
assert_status 0 "$CDCPACK" run
# A second T, then changes in later files only.
mysql_exec "$db" "INSERT INTO acct VALUES (6, 'fay'); TRUNCATE acct; INSERT INTO acct VALUES (7, 'gus'), (8, 'hal')"
assert_status 0 "$CDCPACK" run
mysql_exec "$db" "DELETE FROM acct WHERE id = 7; INSERT INTO acct VALUES (9, 'ida'); UPDATE tag SET note = 'y'"
assert_status 0 "$CDCPACK" run
assert_eq 2 "$(find "$T/bucket/dms" -path '*/acct/2*.csv' -exec grep -c '^T,' {} + | awk -F: '{ s += $NF } END { print s }')" \
	"T rows in acct's lake objects"

dir=$(dirname "$(find "$T/bucket/dms" -path '*/acct/LOAD*' | head -n 1)")
mysql_exec "$db" "SELECT id, owner FROM acct ORDER BY id" >"$T/src.acct"
lake_merge "$dir" id,owner id | sort -t$'\t' -k1,1n >"$T/lake.acct"
assert_same_rows "$T/src.acct" "$T/lake.acct" acct
mysql_exec "$db" "SELECT k, note FROM tag ORDER BY k" | sed 's/\tNULL$/\t\\N/' >"$T/src.tag"
lake_merge "$(dirname "$dir")/tag" k,note k | LC_ALL=C sort >"$T/lake.tag"
assert_same_rows "$T/src.tag" "$T/lake.tag" tag
echo ok
