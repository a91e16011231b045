#!/usr/bin/env bash
# MariaDB: RENAME TABLE c TO c2 moves c's triggers, which keep logging c.
# triggers status names the rename for c2; the next run rebuilds c2's
# triggers and drops the old ones under one lock, so later changes are
# logged once, as c2, and `triggers install c2` never doubles them; after
# `load c2`, a replica's c2 equals the source's.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db rename)
mysql_exec "$db" "CREATE TABLE c (id int PRIMARY KEY, v varchar(30)); INSERT INTO c VALUES (1, 'one')"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
mysql_exec "$db" "RENAME TABLE c TO c2; INSERT INTO c2 VALUES (3, 'between')"
assert_status 0 "$CDCPACK" triggers status
assert_contains "$T/last.out" "was made for another table name"
assert_status 0 "$CDCPACK" run
assert_contains "$T/last.err" "table c2 was renamed"
assert_status 0 "$CDCPACK" triggers install c2
mysql_exec "$db" "INSERT INTO c2 VALUES (4, 'after'); UPDATE c2 SET v = 'updated' WHERE id = 1"
assert_eq "c2 I
c2 U" "$(mysql_exec "$db" "SELECT tbl, op FROM cdcpack_changelog ORDER BY seq" | tr '\t' ' ')" \
	"changelog rows after the rebuild: each change once, as c2"
assert_eq 3 "$(mysql_exec "$db" "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = 'c2'")" "triggers on c2"
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" load c2
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "$(mysql_exec "$db" 'SELECT id, v FROM c2 ORDER BY id' | tr '\t' '|')" \
	"$(sqlite3 "$T/replica.db" 'SELECT id, v FROM c2 ORDER BY id')" "c2 in the replica"
