# shellcheck shell=bash
# The reconcile crash scenario (tests/integration/reconcile_*_crash_*.sh),
# over the crash matrix's cases (tests/lib/crash.sh: source after it and
# cm_init). Blind spots are made before a writer starts, on keys the writer
# never touches (acct 9000..9002, item (9999, 'z')): acct 9000 updated and
# 9001 deleted, item (9999, 'z') inserted, and their changelog rows deleted,
# so no cdc batch carries them. Their repair is acct U 1, D 1 and item I 1.

# The op and key of every row the reconcile batches must carry, once each.
RC_WANT_ACCT=$'D,9001\nU,9000'
RC_WANT_ITEM=$'I,9999,z'

rc_setup() {
	cm_seed
	cm_sql "INSERT INTO acct VALUES (9000, 'blind 0', 0), (9001, 'blind 1', 1), (9002, 'blind 2', 2)"
	cm_config '[capture]' 'reconcile = manual'
	cdc triggers install
	cdc load
	cm_sql "UPDATE acct SET bal = -1 WHERE id = 9000; DELETE FROM acct WHERE id = 9001;
		INSERT INTO item VALUES (9999, 'z', 0); DELETE FROM cdcpack_changelog"
}

# rc_writer_started: the writer's first changes are there for capture
# (a binlog-mode test redefines it: no changelog).
rc_writer_started() {
	cm_changelog_has 3
}

# rc_reconcile_rows TABLE: op and key of every row of TABLE in the
# published reconcile batches (cm_unpack), sorted.
rc_reconcile_rows() {
	local keys=2
	[[ $1 == item ]] && keys=3
	jq -r --arg t "$1" 'select(.batch.kind == "reconcile") | .key as $k | .tables[] | select(.name == $t)
		| "\($k)/\(.file)"' "$CM_DIR/manifests.jsonl" | sed "s|^|$CM_DIR/unpacked/|" |
		xargs -r -d '\n' cat | cut -d, -f1-$keys | LC_ALL=C sort
}

# rc_crash_scenario POINT: the blind spots made; a writer starts; a
# reconcile is killed at POINT (SIGKILL); then runs and reconciles go on
# while the writer writes, and after it stops, until idle and a last
# reconcile. Then: every reconcile found nothing but the blind keys (never a
# key the writer changed: no change doubled or reverted), the published
# reconcile batches carry the repair exactly once, and cm_check_all (the
# chain whole, the writer's changes once each in cdc batches, the replica
# equal to the source by verify and by the engine's own dumps).
rc_crash_scenario() {
	local point=$1 i
	cm_case "$point"
	rc_setup
	cm_writer_script 80
	cm_writer_start
	wait_for 30 "the writer's first changes" rc_writer_started
	cm_killed_at "$point" reconcile
	for i in 1 2 3; do
		cdc --json run
		cdc --json reconcile
		jq -r '.reconciled[] | "\(.table) \(.inserted) \(.updated) \(.deleted)"' "$T/last.out" \
			>>"$CM_DIR/reconciled.txt"
		cm_writer_running || break
	done
	cm_writer_stop
	echo "$point: the writer played $CM_WRITER_STEPS steps"
	run_until_idle 10
	cdc --json reconcile
	jq -e '[.reconciled[] | .inserted + .updated + .deleted] | add == 0' "$T/last.out" >/dev/null ||
		fail "a reconcile after everything shipped still repairs: $(cat "$T/last.out")"
	cm_check_all
	assert_eq "$RC_WANT_ACCT" "$(rc_reconcile_rows acct)" "acct rows of the reconcile batches"
	assert_eq "$RC_WANT_ITEM" "$(rc_reconcile_rows item)" "item rows of the reconcile batches"
}

RC_POINTS=(after-capture mid-stage-record after-stage mid-upload after-upload before-final-copy
	after-temp-delete after-publish mid-ack-txn mid-ack after-ack)
