#!/usr/bin/env bash
# mode = binlog, ALTER TABLE ... RENAME between runs, followed as RENAME
# TABLE is: two captured tables of the same columns swapped by three
# ALTER TABLE a RENAME [TO] b statements (one combined with another spec,
# one with a comment), then a captured table moved to another database and
# a same-columned table from there moved in under its name (ALTER TABLE
# db.a RENAME TO db2.b). No column comparison sees either; each captured
# name the ALTER gives away ships whole as a load at a snapshot after it,
# the changes logged before it ship as changes, and so do the other
# table's around it. MariaDB and SQLite replicas equal the source after
# each. (Before ALTER ... RENAME was parsed, the reader took it for plain
# DDL and passed it: the rows of the table that took the name shipped as
# changes of the one that had it, and the replicas kept the old rows.)
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_alter_ren)
other=$(mysql_fresh_db binlog_alter_ren_other)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE pets(id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE toys(id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO people VALUES (1, 'ann'); INSERT INTO pets VALUES (1, 'rex'), (2, 'tom');
INSERT INTO toys VALUES (1, 'ball')"
mysql_exec "$other" "CREATE TABLE strays(id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO strays VALUES (7, 'stray'), (8, 'lost')"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
rep=$(mysql_fresh_db binlog_alter_ren_rep)
assert_status 0 "$CDCPACK" run

mysql_exec "$db" "INSERT INTO people VALUES (2, 'bob'); INSERT INTO toys VALUES (2, 'kite');
ALTER TABLE people RENAME TO t;
ALTER TABLE /* swap */ pets RENAME people, COMMENT 'swapped, RENAME TO x';
ALTER TABLE \`t\` COMMENT 'back', RENAME AS pets;
INSERT INTO people VALUES (3, 'after'); INSERT INTO pets VALUES (3, 'after');
INSERT INTO toys VALUES (3, 'top')"
binlog_until_idle
binlog_same "after three ALTER TABLE ... RENAME swapping people and pets" "$rep"
printf '%s\n' 'I,2,kite' 'I,3,top' >want.csv
binlog_cdc_rows "$T/bucket" toys >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "toys around the renames (< expected, > published)"; }

mysql_root -e "INSERT INTO \`$db\`.pets VALUES (4, 'moved soon');
ALTER TABLE \`$db\`.pets RENAME TO \`$other\`.pets;
ALTER TABLE \`$other\`.strays RENAME TO \`$db\`.pets;
INSERT INTO \`$db\`.pets VALUES (9, 'new')"
binlog_until_idle
binlog_same "after ALTER TABLE db.pets RENAME TO other.pets and other.strays RENAME TO db.pets" "$rep"
echo ok
