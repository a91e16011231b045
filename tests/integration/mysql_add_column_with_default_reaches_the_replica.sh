#!/usr/bin/env bash
# Issue 11 #10 on MariaDB: ALTER TABLE ... ADD COLUMN with a DEFAULT (and a
# value set in the new column before the next run, logged by the old
# trigger without it) reaches a MariaDB and a SQLite replica: the run ships
# the table whole as a load batch with the new column, apply exits 0, and
# each replica equals the source, compared by the engines' own clients
# ordered by key. The next change ships as a cdc batch again.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db adddef)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, a varchar(10)); INSERT INTO t VALUES (1, 'x'), (2, 'y')"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
rep=$(mysql_fresh_db adddef_rep)
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$rep")"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"

mysql_exec "$db" "ALTER TABLE t ADD COLUMN c varchar(10) NOT NULL DEFAULT 'dflt';
	UPDATE t SET c = 'own' WHERE id = 1"
assert_status 0 "$CDCPACK" run
cp "$T/last.err" "$T/reload.err"
mysql_exec "$db" "UPDATE t SET a = 'Y' WHERE id = 2; INSERT INTO t VALUES (3, 'z', 'new')"
assert_status 0 "$CDCPACK" --json run
assert_eq cdc "$(jq -r '.published[0].kind' "$T/last.out")" "the batch after the reload"

want=$(mysql_exec "$db" "SELECT id, a, c FROM t ORDER BY id")
assert_eq "1	x	own
2	Y	dflt
3	z	new" "$want" "source rows"
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$rep")"
assert_eq "$want" "$(mysql_exec "$rep" "SELECT id, a, c FROM t ORDER BY id")" "MariaDB replica rows"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "$want" "$(sqlite3 -separator $'\t' "$T/replica.db" "SELECT id, a, c FROM t ORDER BY id")" \
	"SQLite replica rows"
assert_contains "$T/reload.err" "table t: its columns changed since the chain last shipped it"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$rep")"
