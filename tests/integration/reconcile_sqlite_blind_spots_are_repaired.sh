#!/usr/bin/env bash
# Trigger capture's blind spots, made on purpose on a SQLite source, are
# repaired by the next reconcile: a changelog row deleted by hand, writes
# made while the triggers were dropped (triggers remove, write, triggers
# install), and INSERT OR REPLACE deleting a row on a secondary UNIQUE
# index (no delete trigger fires without recursive_triggers). Each time
# `apply` of the chain gives a replica equal to the source (sqlite3's own
# .dump of both), the reconcile batch (kind reconcile) carries exactly the
# repair, its counts are in the log, --json, the manifest and status; a
# clean source reconciles to nothing and publishes nothing; a second
# reconcile after a repair finds nothing.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
sql "CREATE TABLE Badges(id INTEGER PRIMARY KEY, code TEXT UNIQUE, owner INTEGER);
     INSERT INTO Badges VALUES(1,'A',1),(2,'B',2),(3,'C',3);"
core_config '[capture]' 'reconcile = manual'
cdc triggers install
cdc load
REP=$T/replica.db

# dump DB: each table's rows as sqlite3 prints them (.dump, cdcpack's own
# tables left out), in key order.
dump() {
	local t
	for t in Badges Persons; do
		sqlite3 "$1" ".mode quote" "SELECT * FROM \"$t\" ORDER BY 1"
	done
}

# replica_equal WHAT: apply the chain; the replica's dump is the source's.
replica_equal() {
	cdc apply --to "sqlite:$REP"
	dump "$SRC_DB" >"$T/src.dump"
	dump "$REP" >"$T/rep.dump"
	assert_same_file "$T/src.dump" "$T/rep.dump" "$1: replica dump vs source dump"
}

# reconcile_expect WHAT TABLE I U D: a reconcile ships TABLE's repair as
# I inserts, U updates, D deletes in one reconcile batch (all 0: none).
reconcile_expect() {
	local what=$1 table=$2 i=$3 u=$4 d=$5 before
	before=$(published_count)
	cdc --json reconcile
	jq -e --arg t "$table" --argjson i "$i" --argjson u "$u" --argjson d "$d" \
		'.ok and (.reconciled[] | select(.table == $t) | .skipped == null and .inserted == $i and .updated == $u and .deleted == $d)' \
		"$T/last.out" >/dev/null || fail "$what: reconcile report: $(cat "$T/last.out")"
	if ((i + u + d == 0)); then
		assert_eq "$before" "$(published_count)" "$what: objects after a reconcile with nothing to repair"
		assert_eq 0 "$(jq .batches "$T/last.out")" "$what: batches"
		return
	fi
	assert_eq $((before + 1)) "$(published_count)" "$what: one reconcile batch"
	local last
	last=$(published | tail -n 1)
	manifest "$last" >"$T/m.json"
	assert_eq reconcile "$(jq -r .batch.kind "$T/m.json")" "$what: batch kind"
	assert_eq "$i $u $d" "$(jq -r --arg t "$table" '[.tables[] | select(.name == $t) | .ops] |
		"\(map(.I) | add) \(map(.U) | add) \(map(.D) | add)"' "$T/m.json")" "$what: manifest ops"
	grep -q "reconcile of table $table: $((i + u + d)) row(s)" "$T/last.err" ||
		fail "$what: no warning in the log: $(cat "$T/last.err")"
}

cdc run
replica_equal "after the load"
reconcile_expect "clean source" Persons 0 0 0
sql "UPDATE Persons SET City = 'Reno' WHERE PersonID = 3"
reconcile_expect "a change pending in the changelog is left to the run" Persons 0 0 0
cdc run
reconcile_expect "after the run, nothing" Persons 0 0 0

# 1. a changelog row deleted by hand: the update never ships
sql "UPDATE Persons SET City = 'Lost' WHERE PersonID = 4;
     DELETE FROM cdcpack_changelog;"
cdc run
assert_eq 0 "$(jq .batches "$T/last.out" 2>/dev/null || echo 0)" "nothing captured"
reconcile_expect "changelog row deleted" Persons 0 1 0
replica_equal "changelog row deleted"
reconcile_expect "repaired once" Persons 0 0 0

# 2. writes while the triggers were away
cdc triggers remove Persons
sql "INSERT INTO Persons VALUES(500, 'Ghost Writer', 'Nowhere');
     UPDATE Persons SET FullName = 'Changed Quietly' WHERE PersonID = 5;
     DELETE FROM Persons WHERE PersonID = 6;"
cdc triggers install Persons
cdc run
reconcile_expect "triggers dropped" Persons 1 1 1
replica_equal "triggers dropped"

# 3. INSERT OR REPLACE on a secondary UNIQUE index deletes row 2 unseen
sql "INSERT OR REPLACE INTO Badges VALUES(4, 'B', 9)"
cdc run
reconcile_expect "REPLACE on a UNIQUE index" Badges 0 0 1
replica_equal "REPLACE on a UNIQUE index"
reconcile_expect "all repaired" Badges 0 0 0

# status tells the last reconcile
cdc --json status
jq -e '.reconcile.tables | length == 2' "$T/last.out" >/dev/null ||
	fail "status: last reconcile: $(cat "$T/last.out")"
