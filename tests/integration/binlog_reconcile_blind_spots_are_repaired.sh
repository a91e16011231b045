#!/usr/bin/env bash
# mode = binlog, reconcile: the published state follows every acknowledged
# binlog batch -- a TRUNCATE (T row) in the middle of a batch voids the
# rows noted before it, a table whose columns changed ships as a load --
# so a clean source reconciles to nothing and publishes nothing. Binlog
# capture's blind spot, writes made with SET sql_log_bin = 0 by a
# privileged user, is repaired by the next reconcile: a MariaDB replica
# built by apply, which verify found different before, equals the source
# after (verify, and the client's own SELECT of both). The race rule: a key
# with a change in the log after the acknowledged position (not shipped
# yet) is left to the cdc batch (pending), a pending TRUNCATE leaves the
# whole table to it, and a blind write to another key in the same window is
# repaired; each change ships once.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_reconcile)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE pets(id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO people VALUES (1, 'one'), (2, 'two'), (3, 'three');
INSERT INTO pets VALUES (1, 'rex'), (2, 'tom');"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog' 'reconcile = manual'
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" run
published() { find "$T/bucket/cdc" -type f | wc -l; }

# reconcile_expect WHAT TABLE I U D [PENDING]: one reconcile; TABLE's counts.
reconcile_expect() {
	local what=$1 table=$2 i=$3 u=$4 d=$5 pending=${6:-0} before
	before=$(published)
	assert_status 0 "$CDCPACK" --json reconcile
	jq -e --arg t "$table" --argjson i "$i" --argjson u "$u" --argjson d "$d" --argjson p "$pending" \
		'.reconciled[] | select(.table == $t) | .skipped == null and .inserted == $i and .updated == $u and .deleted == $d and .pending == $p' \
		"$T/last.out" >/dev/null || fail "$what: reconcile report: $(cat "$T/last.out") $(cat "$T/last.err")"
	local want=$((before + (i + u + d > 0 ? 1 : 0)))
	assert_eq "$want" "$(published)" "$what: objects published"
}
replica=$(mysql_fresh_db binlog_reconcile_replica)
dump() { mysql_exec "$1" "SELECT * FROM people ORDER BY id; SELECT 'pets'; SELECT * FROM pets ORDER BY id"; }
replica_equal() { # replica_equal WHAT
	assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
	assert_eq "$(dump "$db")" "$(dump "$replica")" "$1: the replica's rows"
	assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
}

reconcile_expect "loaded, clean" people 0 0 0
reconcile_expect "loaded, clean" pets 0 0 0

# Binlog batches move the published state: changes, and a TRUNCATE between
# inserts of one batch (pets 3 is gone, pets 4 is there).
mysql_exec "$db" "INSERT INTO people VALUES (4, 'four'); UPDATE people SET name = 'ONE' WHERE id = 1;
DELETE FROM people WHERE id = 3; INSERT INTO pets VALUES (3, 'kit'); TRUNCATE pets;
INSERT INTO pets VALUES (4, 'rex again')"
assert_status 0 "$CDCPACK" run
reconcile_expect "after a batch with a TRUNCATE" people 0 0 0
reconcile_expect "after a batch with a TRUNCATE" pets 0 0 0
replica_equal "after a batch with a TRUNCATE"

# A table whose columns changed ships as a load: the state starts over.
mysql_exec "$db" "ALTER TABLE people ADD COLUMN city VARCHAR(20); UPDATE people SET city = 'Oslo' WHERE id = 2"
assert_status 0 "$CDCPACK" --json run
assert_eq load "$(jq -r '.published[0].kind' "$T/last.out")" "new columns ship as a load"
reconcile_expect "after the load of new columns" people 0 0 0
replica_equal "after the load of new columns"

# The blind spot: writes the binary log never saw.
mysql_exec "$db" "SET sql_log_bin = 0; INSERT INTO people VALUES (10, 'unlogged', NULL);
UPDATE people SET name = 'TWO' WHERE id = 2; DELETE FROM pets WHERE id = 4; SET sql_log_bin = 1"
assert_status 0 "$CDCPACK" --json run
assert_eq 0 "$(jq '.batches' "$T/last.out")" "nothing in the log to ship"
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_status 1 "$CDCPACK" verify --against "$(mysql_url "$replica")"
reconcile_expect "sql_log_bin = 0" people 1 1 0
jq -e '.reconciled[] | select(.table == "pets") | .deleted == 1' "$T/last.out" >/dev/null ||
	fail "sql_log_bin = 0: pets: $(cat "$T/last.out")"
replica_equal "sql_log_bin = 0"
reconcile_expect "repaired" people 0 0 0

# The race rule: people 1 changed in the log (not shipped yet) and blindly
# too is left to the cdc batch; people 2's blind change is repaired; a
# TRUNCATE in the log leaves pets to the cdc batch.
mysql_exec "$db" "INSERT INTO pets VALUES (7, 'new'); UPDATE people SET name = 'logged' WHERE id = 1;
SET sql_log_bin = 0; UPDATE people SET city = 'unlogged' WHERE id = 1;
UPDATE people SET city = 'Bergen' WHERE id = 2; SET sql_log_bin = 1"
reconcile_expect "a logged change pending" people 0 1 0 1
jq -e '.reconciled[] | select(.table == "pets") | .skipped == null and .inserted == 0 and .pending == 1' \
	"$T/last.out" >/dev/null || fail "pets 7 pending: $(cat "$T/last.out")"
a=$(find "$T/bucket/cdc" -name '*.tar.zst' | LC_ALL=C sort | tail -1)
tar -xOf "$a" --wildcards 'people/*' >rec.csv
assert_eq "U,2,TWO,Bergen" "$(cat rec.csv)" "the reconcile batch carries people 2 only"
mysql_exec "$db" "TRUNCATE pets; INSERT INTO pets VALUES (8, 'after')"
assert_status 0 "$CDCPACK" --json reconcile
jq -e '.reconciled[] | select(.table == "pets") | .skipped == "a TRUNCATE pending"' "$T/last.out" >/dev/null ||
	fail "a pending TRUNCATE: $(cat "$T/last.out")"
assert_status 0 "$CDCPACK" run
binlog_cdc_rows "$T/bucket" people | grep -c '^U,1,logged' >n.txt || true
assert_eq 1 "$(cat n.txt)" "people 1's logged change shipped once"
# What the log carried for people 1 is its row as the log saw it: the
# blind city is repaired by the next reconcile.
reconcile_expect "after the cdc batch" people 0 1 0
jq -e '.reconciled[] | select(.table == "pets") | .inserted + .updated + .deleted == 0' "$T/last.out" \
	>/dev/null || fail "pets after the cdc batch: $(cat "$T/last.out")"
replica_equal "after the race"
reconcile_expect "all repaired" people 0 0 0
reconcile_expect "all repaired" pets 0 0 0
echo ok
