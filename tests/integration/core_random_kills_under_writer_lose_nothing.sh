#!/usr/bin/env bash
# run.sh: alone (a kill loop: its moments are meant to fall across every step)
# Runs killed with SIGKILL at random moments while a writer inserts,
# updates, changes keys and deletes; then runs until idle: the cdc rows of
# all published batches are exactly the writer's changes in order (none
# lost, none twice), the chain has no gap, and the replica equals the
# source. The source is in WAL mode (readers and the writer overlap). The
# kill delays come from a fixed seed (CORE_KILL_SEED overrides).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
assert_eq wal "$(sql 'PRAGMA journal_mode = WAL')" "journal mode"
core_config '[batch]' 'max_rows = 7'
cdc triggers install
cdc load

# The writer's changes, as SQL (one transaction each step) and as the rows
# they must ship.
: >"$T/want.csv"
for ((i = 1; i <= 24; i++)); do
	id=$((1000 + i)) stmt="INSERT INTO Persons VALUES($id, 'W $i', 'C $i'); UPDATE Persons SET City = 'U $i' WHERE PersonID = $id;"
	printf 'I,%s,W %s,C %s\nU,%s,W %s,U %s\n' "$id" "$i" "$i" "$id" "$i" "$i" >>"$T/want.csv"
	if ((i % 3 == 0)); then
		stmt+=" UPDATE Persons SET PersonID = $((id + 1000)) WHERE PersonID = $id;"
		printf 'D,%s,W %s,U %s\nI,%s,W %s,U %s\n' "$id" "$i" "$i" "$((id + 1000))" "$i" "$i" >>"$T/want.csv"
		id=$((id + 1000))
	fi
	if ((i % 4 == 0)); then
		stmt+=" DELETE FROM Persons WHERE PersonID = $id;"
		printf 'D,%s,W %s,U %s\n' "$id" "$i" "$i" >>"$T/want.csv"
	fi
	printf '%s\n' "$stmt" >>"$T/writer.sql"
done
(
	while IFS= read -r stmt; do
		sqlite3 "$SRC_DB" "PRAGMA busy_timeout = 30000; BEGIN IMMEDIATE; $stmt COMMIT;" >/dev/null
	done <"$T/writer.sql"
) &
writer=$!

RANDOM=${CORE_KILL_SEED:-4242}
kills=0
while kill -0 "$writer" 2>/dev/null && ((kills < 12)); do
	"$CDCPACK" run >>"$T/runs.log" 2>&1 &
	run=$!
	sleep "0.$(printf '%03d' $((RANDOM % 250)))"
	kill -9 "$run" 2>/dev/null && kills=$((kills + 1))
	wait "$run" 2>/dev/null || true
done
wait "$writer" || fail "the writer failed"
run_until_idle 20

cdc_rows >"$T/rows.csv"
assert_same_file "$T/want.csv" "$T/rows.csv" "after $kills kills, the cdc rows are not the writer's changes, once each"
check_chain
# A kill mid-upload may leave a side file (core_crash_mid_upload_* covers it).
assert_eq "" "$(temp_objects | grep -v '/\.[^/]*\.part-[0-9]*$' || true)" "objects left under the temp prefix"
apply_and_compare "$T/replica.db"
echo "kills: $kills"
