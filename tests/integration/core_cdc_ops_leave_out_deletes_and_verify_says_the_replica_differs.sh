#!/usr/bin/env bash
# [batch] cdc_ops (DMS's CdcInsertsOnly and CdcInsertsAndUpdates; issue 13
# item 3): the change files leave out D rows (and U rows), in the archive
# and so in the lake; with inserts only the files have no Op column unless
# load_op_column asks for one (DMS's IncludeOpForFullLoad). The changes left
# out are still taken and acknowledged: a run whose changes are all left out
# ships an empty batch and empties the changelog. The manifest says which
# ops the files keep; apply replays what they hold, so rows deleted (or
# updated) at the source keep their earlier state in the replica: apply
# says so, and verify reports the replica as different (exit 1), never as
# a copy of the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

# check NAME OPS LOAD_OP WANT_ROWS WANT_REPLICA
check() {
	local name=$1 ops=$2 load_op=$3 want_rows=$4 want_replica=$5
	echo "case: $name"
	core_use "$T/$name"
	core_config '[batch]' "cdc_ops = $ops" "load_op_column = $load_op"
	sql "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, v INT);
		INSERT INTO t VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3);"
	cdc triggers install
	cdc load
	sql "INSERT INTO t VALUES (4, 'd', 4); UPDATE t SET name = 'A' WHERE id = 1;
		DELETE FROM t WHERE id = 2; UPDATE t SET id = 30 WHERE id = 3;"
	cdc run
	assert_eq "$want_rows" "$(cdc_rows)" "$name: cdc file rows"
	local op_column=true
	[[ $ops == inserts && $load_op == false ]] && op_column=false
	assert_eq "$ops $op_column" \
		"$(manifest "$(published | tail -n 1)" | jq -r '.tables[0] | "\(.cdc_ops) \(.op_column)"')" \
		"$name: cdc_ops and op_column in the manifest"

	# Only a delete: nothing to write, but the change is taken and
	# acknowledged, in a batch of no rows.
	local before
	before=$(published_count)
	sql "DELETE FROM t WHERE id = 4;"
	cdc run
	assert_eq 0 "$(sql "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "$name: changelog rows after a run of deletes"
	assert_eq "$((before + 1))" "$(published_count)" "$name: batches after a run of deletes"
	assert_eq 0 "$(manifest "$(published | tail -n 1)" | jq '[.tables[].rows] | add // 0')" \
		"$name: rows in the batch of deletes"
	cdc run
	assert_eq "$((before + 1))" "$(published_count)" "$name: batches after an idle run"

	cdc apply --to "sqlite:$T/$name/replica.db"
	assert_contains "$T/last.err" "written with cdc_ops = $ops"
	assert_eq "$want_replica" "$(sqlite3 "$T/$name/replica.db" 'SELECT id, name, v FROM t ORDER BY id')" \
		"$name: the replica holds what the files hold"
	cdc_status 1 verify --against "sqlite:$T/$name/replica.db"
}

check inserts inserts false $'4,d,4\n30,c,3' $'1|a|1\n2|b|2\n3|c|3\n4|d|4\n30|c|3'
check inserts-op-column inserts true $'I,4,d,4\nI,30,c,3' $'1|a|1\n2|b|2\n3|c|3\n4|d|4\n30|c|3'
check inserts-and-updates inserts_and_updates false $'I,4,d,4\nU,1,A,1\nI,30,c,3' \
	$'1|A|1\n2|b|2\n3|c|3\n4|d|4\n30|c|3'
