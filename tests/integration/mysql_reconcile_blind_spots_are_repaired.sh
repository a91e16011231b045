#!/usr/bin/env bash
# Trigger capture's blind spots on MariaDB, made on purpose, are repaired by
# the next reconcile: a foreign-key cascade (no trigger fires for it), a
# changelog row deleted by hand, writes made while the triggers were
# removed, and TRUNCATE. After each, a MariaDB replica built by `apply`
# equals the source (the client's own SELECT of both); a clean source --
# every type cdcpack carries, shipped through the triggers' JSON images --
# reconciles to nothing and publishes nothing, so image and scan hash alike.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

mysql_types_fixture reconcile
# The published state is kept from when reconcile is on: a load starts it.
printf '[capture]\nreconcile = manual\n' >>"$CDCPACK_CONFIG"
assert_status 0 "$CDCPACK" load
published() { find "$T/bucket/cdc" -type f | wc -l; }

# reconcile_expect WHAT TABLE I U D: one reconcile; TABLE's repair counts.
reconcile_expect() {
	local what=$1 table=$2 i=$3 u=$4 d=$5 before
	before=$(published)
	assert_status 0 "$CDCPACK" --json reconcile
	jq -e --arg t "$table" --argjson i "$i" --argjson u "$u" --argjson d "$d" \
		'.reconciled[] | select(.table == $t) | .skipped == null and .inserted == $i and .updated == $u and .deleted == $d' \
		"$T/last.out" >/dev/null || fail "$what: reconcile report: $(cat "$T/last.out") $(cat "$T/last.err")"
	local want=$((before + (i + u + d > 0 ? 1 : 0)))
	assert_eq "$want" "$(published)" "$what: objects published"
}

reconcile_expect "every type, clean" types 0 0 0
reconcile_expect "every type, clean" "odd name" 0 0 0
jq -e '[.reconciled[] | .inserted + .updated + .deleted] | add == 0' "$T/last.out" >/dev/null ||
	fail "clean source: $(cat "$T/last.out")"
assert_eq "$(mysql_exec "$db" "SELECT COUNT(*) FROM types")" \
	"$(jq '.reconciled[] | select(.table == "types") | .rows' "$T/last.out")" "rows of types compared"

mysql_exec "$db" "
CREATE TABLE parent (id int PRIMARY KEY, name varchar(20));
CREATE TABLE child (id int PRIMARY KEY, pid int, note varchar(20),
  CONSTRAINT child_parent FOREIGN KEY (pid) REFERENCES parent (id) ON DELETE CASCADE);
INSERT INTO parent VALUES (1, 'one'), (2, 'two');
INSERT INTO child VALUES (10, 1, 'a'), (11, 1, 'b'), (20, 2, 'c');"
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load parent child
reconcile_expect "parent and child loaded" child 0 0 0

replica=$(mysql_fresh_db reconcile_replica)
replica_equal() { # replica_equal WHAT
	local t
	assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
	for t in parent child; do
		assert_eq "$(mysql_exec "$db" "SELECT * FROM $t ORDER BY id")" \
			"$(mysql_exec "$replica" "SELECT * FROM $t ORDER BY id")" "$1: $t in the replica"
	done
	assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
}

# 1. a cascade deletes child rows 10 and 11 without a trace
mysql_exec "$db" "DELETE FROM parent WHERE id = 1"
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_status 1 "$CDCPACK" verify --against "$(mysql_url "$replica")"
reconcile_expect "ON DELETE CASCADE" child 0 0 2
replica_equal "ON DELETE CASCADE"

# 2. a changelog row deleted by hand
mysql_exec "$db" "UPDATE child SET note = 'lost' WHERE id = 20; DELETE FROM cdcpack_changelog"
assert_status 0 "$CDCPACK" run
reconcile_expect "changelog row deleted" child 0 1 0
replica_equal "changelog row deleted"

# 3. writes while the triggers were removed
assert_status 0 "$CDCPACK" triggers remove parent
mysql_exec "$db" "INSERT INTO parent VALUES (3, 'three'); UPDATE parent SET name = 'TWO' WHERE id = 2"
assert_status 0 "$CDCPACK" triggers install parent
assert_status 0 "$CDCPACK" run
reconcile_expect "triggers removed" parent 1 1 0
replica_equal "triggers removed"

# 4. TRUNCATE fires no trigger
mysql_exec "$db" "SET FOREIGN_KEY_CHECKS = 0; TRUNCATE child; SET FOREIGN_KEY_CHECKS = 1"
assert_status 0 "$CDCPACK" run
reconcile_expect "TRUNCATE" child 0 0 1
replica_equal "TRUNCATE"
reconcile_expect "all repaired" child 0 0 0
reconcile_expect "all repaired" parent 0 0 0
