#!/usr/bin/env bash
# mode = binlog: a swap of two captured tables of the same columns in the
# other spellings the server logs as given: RENAME TABLES (the grammar's
# plural) and, under sql_mode ANSI_QUOTES, names in double quotes; and a
# TRUNCATE TABLE "t" under ANSI_QUOTES, which must ship as a T change. Each
# swapped table ships whole as a load after the statement, as with
# RENAME TABLE `a` TO ... (binlog_multi_table_drop_and_rename_reload_each_
# table.sh); a reader that took them for other DDL shipped the rows logged
# after the swap as changes to the other table's rows, and the replicas
# diverged (found by reading the statement parser, hunt session, Dec 7).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_spell)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE pets(id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO people VALUES (1, 'ann'); INSERT INTO pets VALUES (1, 'rex'), (2, 'tom')"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
rep=$(mysql_fresh_db binlog_spell_rep)
assert_status 0 "$CDCPACK" run
binlog_same "before the swaps" "$rep"

mysql_exec "$db" "INSERT INTO people VALUES (2, 'bob');
RENAME TABLES people TO t, pets TO people, t TO pets;
UPDATE people SET name = 'after' WHERE id = 1; INSERT INTO pets VALUES (3, 'after')"
binlog_until_idle
binlog_same "after RENAME TABLES people TO t, pets TO people, t TO pets" "$rep"

mysql_exec "$db" "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES');
RENAME TABLE \"people\" TO \"t\", \"$db\".\"pets\" TO \"people\", \"t\" TO \"pets\";
DELETE FROM people WHERE id = 1; INSERT INTO pets VALUES (4, 'quoted')"
binlog_until_idle
binlog_same "after RENAME TABLE \"people\" TO \"t\", ... under ANSI_QUOTES" "$rep"

mysql_exec "$db" "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES');
TRUNCATE TABLE \"pets\"; INSERT INTO pets VALUES (5, 'after truncate')"
binlog_until_idle
binlog_same "after TRUNCATE TABLE \"pets\" under ANSI_QUOTES" "$rep"
echo ok
