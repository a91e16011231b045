#!/usr/bin/env bash
# Snapshot mode killed (SIGKILL) at each fault point, then changed again and
# run until idle: the stored snapshot moves on only when a batch is
# acknowledged, so every change ships exactly once (none lost, none twice),
# objects published before the rerun keep their bytes, the chain has no
# gap, and the replica equals the source. Killed before staging, the rerun
# ships both rounds of changes as one batch; killed later, the recovered
# batch ships first and the second round after it.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/snapshot.sh"

round_a=('D,2,,' 'U,7,ABC XYZ,Phoenix' 'D,10,,' 'I,130,Alica Bing,New York' 'I,200,Carla Nguyen,Chicago')
round_b=('U,130,Alica Bing,Boston' 'I,131,Malinda Bing,Detroit' 'D,200,,')
merged=('D,2,,' 'U,7,ABC XYZ,Phoenix' 'D,10,,' 'I,130,Alica Bing,Boston' 'I,131,Malinda Bing,Detroit')

crash_at() { # crash_at POINT
	local point=$1 got=0
	core_use "$T/$point"
	persons_db "$SRC_DB"
	snapshot_config
	cdc run
	sql "UPDATE Persons SET FullName = 'ABC XYZ' WHERE PersonID = 7;
	     INSERT INTO Persons VALUES(130, 'Alica Bing', 'New York');
	     UPDATE Persons SET PersonID = 200 WHERE PersonID = 2;
	     DELETE FROM Persons WHERE PersonID = 10;"
	{ CDCPACK_FAULT=crash:$point "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
	if ((got != 137)); then
		cat "$T/crash.err" >&2
		fail "run with CDCPACK_FAULT=crash:$point exited $got, expected 137 (SIGKILL)"
	fi
	assert_contains "$T/crash.err" "crash at $point"
	published | xargs -r -d '\n' sha256sum >"$T/before.sha"
	sql "INSERT INTO Persons VALUES(131, 'Malinda Bing', 'Detroit');
	     UPDATE Persons SET City = 'Boston' WHERE PersonID = 130;
	     DELETE FROM Persons WHERE PersonID = 200;"
	run_until_idle
	sha256sum --quiet -c "$T/before.sha" >"$T/sha.err" 2>&1 ||
		fail "crash at $point: an object published before the rerun changed: $(cat "$T/sha.err")"

	if [[ $point == after-capture ]]; then
		printf '%s\n' "${merged[@]}" >"$T/want.csv"
	else
		printf '%s\n' "${round_a[@]}" "${round_b[@]}" >"$T/want.csv"
	fi
	cdc_rows >"$T/rows.csv"
	if ! cmp -s "$T/want.csv" "$T/rows.csv"; then
		diff "$T/want.csv" "$T/rows.csv" >&2 || true
		fail "crash at $point: published changes are not each change once (< expected, > published)"
	fi
	snapshot_check_chain
	apply_and_compare "$T/$point/replica.db"
}

for point in after-capture after-stage mid-upload after-upload after-publish after-ack; do
	crash_at "$point"
	echo "ok: crash at $point"
done
