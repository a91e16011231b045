#!/usr/bin/env bash
# run.sh: alone (timing: its concurrent writes must land inside a fault point's delay)
# The load -> cdc handoff loses nothing and ships nothing twice. Changes made
# after `triggers install` but before the load's snapshot are in the load
# and are not shipped again as cdc; changes a concurrent writer makes while
# the load is held after its capture (CDCPACK_FAULT=delay:after-capture) are
# not in the load and are shipped as cdc, once; later changes too.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
core_config
cdc triggers install
sql "UPDATE Persons SET City = 'Before' WHERE PersonID = 5;
     INSERT INTO Persons VALUES(140, 'Early Bird', 'Dawn');
     DELETE FROM Persons WHERE PersonID = 11;"

: >"$T/load.err"
CDCPACK_FAULT=delay:after-capture:1500 "$CDCPACK" load >"$T/load.out" 2>"$T/load.err" &
loader=$!
for ((i = 0; i < 100; i++)); do
	[[ $(<"$T/load.err") == *"delay at after-capture"* ]] && break
	sleep 0.05
done
[[ $(<"$T/load.err") == *"delay at after-capture"* ]] || fail "the load never reached after-capture: $(cat "$T/load.err")"
# The load has read its snapshot and holds no lock on the source: these
# writes must not block, and must not be in the load.
sql "UPDATE Persons SET City = 'During' WHERE PersonID = 6;
     INSERT INTO Persons VALUES(141, 'Late Comer', 'Dusk');
     DELETE FROM Persons WHERE PersonID = 9;"
kill -0 "$loader" 2>/dev/null || fail "the load ended before the concurrent writes: the window was not real"
wait "$loader" || fail "load failed: $(cat "$T/load.err")"

load=$(published)
assert_eq 1 "$(published_count)" "batches after the load"
manifest "$load" | jq -r '.tables[].file' | while IFS= read -r f; do archive_member "$load" "$f"; done >"$T/load.csv"
assert_eq 101 "$(wc -l <"$T/load.csv")" "rows in the load (101 - 11 + 140)"
assert_contains "$T/load.csv" "5,Farid Smith,Before"
assert_contains "$T/load.csv" "140,Early Bird,Dawn"
assert_contains "$T/load.csv" "9,Carla Berg,Dallas"
assert_contains "$T/load.csv" "6,Gus Ortiz,Austin"
assert_eq "" "$(grep -E '^(11|141),' "$T/load.csv" || true)" "rows 11 (deleted before the load) and 141 (inserted after its snapshot) in the load"

cdc run
sql "UPDATE Persons SET City = 'After' WHERE PersonID = 7"
cdc run
run_until_idle
check_cdc_rows "cdc rows after the load are not exactly the changes made after its snapshot" \
	'U,6,Gus Ortiz,During' 'I,141,Late Comer,Dusk' 'D,9,Carla Berg,Dallas' 'U,7,Ann Nguyen,After'
check_chain
apply_and_compare "$T/replica.db"
