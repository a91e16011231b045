#!/usr/bin/env bash
# Snapshot runs (one of them killed after staging) while a writer inserts,
# updates, deletes and re-keys rows: each run reads one consistent snapshot,
# so once the writer stops and the runs go idle, replaying the published
# batches rebuilds exactly the source, and the chain has no gap.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/snapshot.sh"

persons_db "$SRC_DB"
snapshot_config
cdc run

(
	for i in $(seq 1 30); do
		sqlite3 -cmd '.timeout 30000' "$SRC_DB" "
			INSERT INTO Persons VALUES (1000 + $i, 'Writer $i', 'W-town');
			UPDATE Persons SET City = 'Moved $i' WHERE PersonID = $i;
			DELETE FROM Persons WHERE PersonID = 1000 + $i - 3;
			UPDATE Persons SET PersonID = 5000 + $i WHERE PersonID = 50 + $i;" ||
			exit 1
		sleep 0.05
	done
) &
writer=$!
for i in 1 2 3; do
	cdc run
done
{ CDCPACK_FAULT=crash:after-stage "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || true
for i in 1 2; do
	cdc run
done
wait "$writer" || fail "the concurrent writer failed"
run_until_idle
snapshot_check_chain
apply_and_compare "$T/replica.db"
