#!/usr/bin/env bash
# mode = binlog, statements that give several captured names to other
# tables at once, between runs: RENAME TABLE a TO t, b TO a, t TO b (two
# tables of the same columns swapped, so no column comparison sees it) and
# DROP TABLE a, b followed by CREATE TABLE a with the same columns. Each
# captured table the statement names ships whole as a load at a snapshot
# after it (its rows logged after it belong to another table than the one
# the chain shipped); the changes logged before it ship as changes, and so
# do the other tables' around it. MariaDB and SQLite replicas equal the
# source after each.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_multi)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE pets(id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE toys(id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO people VALUES (1, 'ann'); INSERT INTO pets VALUES (1, 'rex'), (2, 'tom');
INSERT INTO toys VALUES (1, 'ball')"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
rep=$(mysql_fresh_db binlog_multi_rep)
assert_status 0 "$CDCPACK" run

mysql_exec "$db" "INSERT INTO people VALUES (2, 'bob'); INSERT INTO toys VALUES (2, 'kite');
RENAME TABLE people TO t, pets TO people, t TO pets;
INSERT INTO people VALUES (3, 'after'); INSERT INTO pets VALUES (3, 'after');
INSERT INTO toys VALUES (3, 'top')"
binlog_until_idle
binlog_same "after RENAME TABLE people TO t, pets TO people, t TO pets" "$rep"
printf '%s\n' 'I,2,kite' 'I,3,top' >want.csv
binlog_cdc_rows "$T/bucket" toys >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "toys around the renames (< expected, > published)"; }

mysql_exec "$db" "INSERT INTO pets VALUES (4, 'gone soon'); DROP TABLE pets, toys;
CREATE TABLE pets(id INT PRIMARY KEY, name VARCHAR(40)); INSERT INTO pets VALUES (9, 'new')"
binlog_until_idle
mysql_exec "$rep" "DROP TABLE toys"
sqlite3 "$T/replica.db" "DROP TABLE toys"
binlog_same "after DROP TABLE pets, toys and CREATE TABLE pets" "$rep"
echo ok
