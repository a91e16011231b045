#!/usr/bin/env bash
# MariaDB: `load TABLE` acknowledges the changelog rows of the tables it
# snapshotted, and only those: another table's change, made before the load
# and not yet shipped, stays in the changelog and ships with the next run.
# The reload applied onto a replica that holds a from the first load leaves
# none of a's old rows (a row deleted before the reload is gone).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db load_one)
mysql_exec "$db" "CREATE TABLE a (id int PRIMARY KEY, v varchar(20));
	CREATE TABLE b (id int PRIMARY KEY, v varchar(20));
	INSERT INTO a VALUES (1, 'a1'), (2, 'a2'); INSERT INTO b VALUES (1, 'b1');"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
mysql_exec "$db" "INSERT INTO b VALUES (2, 'b2'); UPDATE a SET v = 'a1 again' WHERE id = 1;
	UPDATE b SET v = 'b1 again' WHERE id = 1; DELETE FROM a WHERE id = 2;"

assert_status 0 "$CDCPACK" load a
assert_eq 2 "$(mysql_changelog_count "$db")" "changelog rows of b left after reloading a"

assert_status 0 "$CDCPACK" run
cdc=$(find "$T/bucket/cdc" -name '*-00000003-*.tar.zst')
[[ -n $cdc ]] || fail "the run after the reload published no batch 3"
assert_eq "I,2,b2
U,1,b1 again" "$(tar -xOf "$cdc" --wildcards 'b/*.csv')" "b's changes in the run after reloading a"
assert_eq "" "$(tar -tf "$cdc" | grep '^a/' || true)" "a's files in batch 3 (its change is in the reload)"
assert_eq 0 "$(mysql_changelog_count "$db")" "changelog rows left"

replica=$(mysql_fresh_db load_one_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_eq "1	a1 again" "$(mysql_dump "$replica" a)" "replica a"
assert_eq "1	b1 again
2	b2" "$(mysql_dump "$replica" b)" "replica b"
