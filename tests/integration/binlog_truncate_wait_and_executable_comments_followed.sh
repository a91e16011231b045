#!/usr/bin/env bash
# mode = binlog: statements the server runs and logs as given, in spellings
# the reader took for other DDL (a batch boundary), so replicas kept rows
# the source had lost or kept the old rows of swapped tables (found by the
# torture harness's `truncate` and `versioncomment` op classes, hunt_ddl,
# Dec 7: seeds 1796663973 and 1796663743):
#   - TRUNCATE TABLE t NOWAIT / WAIT n (MariaDB's lock wait);
#   - statements in executable comments the server runs (no version, or
#     one up to the server's): /*!40000 TRUNCATE t */, TRUNCATE /*!TABLE*/
#     t, /*M!100100 ... */, and a RENAME swap so wrapped;
#   - and one with a later version, which the server skips: nothing ships.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_exec)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE pets(id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO people VALUES (1, 'ann'), (2, 'bob'); INSERT INTO pets VALUES (1, 'rex'), (2, 'tom')"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
rep=$(mysql_fresh_db binlog_exec_rep)
assert_status 0 "$CDCPACK" run
binlog_same "before" "$rep"

# sql: statements as given (the client strips comments unless --comments)
sql() { mysql_root --comments -D "$db" -e "$1"; }

sql "TRUNCATE TABLE people NOWAIT; INSERT INTO people VALUES (3, 'after nowait')"
binlog_until_idle
binlog_same "after TRUNCATE TABLE people NOWAIT" "$rep"

sql "INSERT INTO pets VALUES (3, 'cat'); TRUNCATE pets WAIT 2; INSERT INTO pets VALUES (4, 'after wait')"
binlog_until_idle
binlog_same "after TRUNCATE pets WAIT 2" "$rep"

sql "INSERT INTO people VALUES (4, 'dan'); /*!40000 TRUNCATE TABLE people */;
INSERT INTO people VALUES (5, 'after 40000')"
binlog_until_idle
binlog_same "after /*!40000 TRUNCATE TABLE people */" "$rep"

sql "INSERT INTO pets VALUES (5, 'eel'); TRUNCATE /*!TABLE*/ pets; INSERT INTO pets VALUES (6, 'x')"
binlog_until_idle
binlog_same "after TRUNCATE /*!TABLE*/ pets" "$rep"

sql "INSERT INTO people VALUES (6, 'eve'); /*M!100100 truncate \`$db\`.people NOWAIT */"
binlog_until_idle
binlog_same "after /*M!100100 truncate db.people NOWAIT */" "$rep"

sql "INSERT INTO people VALUES (7, 'fay'), (8, 'gus');
/*!50001 RENAME TABLE people TO t, pets TO people, t TO pets */;
UPDATE people SET name = 'swapped' WHERE id = 6; INSERT INTO pets VALUES (9, 'swapped')"
binlog_until_idle
binlog_same "after /*!50001 RENAME TABLE people TO t, pets TO people, t TO pets */" "$rep"

# a later version's executable comment is a comment: the server runs
# nothing, and nothing may ship (a T here would empty the replica's table)
sql "/*!999999 TRUNCATE TABLE people */; INSERT INTO people VALUES (10, 'kept')"
binlog_until_idle
binlog_same "after /*!999999 TRUNCATE TABLE people */" "$rep"
[[ $(mysql_root -N -D "$db" -e "SELECT COUNT(*) FROM people") -ge 2 ]] ||
	fail "the server ran /*!999999 ... */ (the test's premise)"
echo ok
