#!/usr/bin/env bash
# Reconcile in binlog mode, MariaDB source -> S3 target (tests/s3): the
# blind spots of binlog capture, writes made with SET sql_log_bin = 0, are
# repaired exactly once when a reconcile is killed (SIGKILL) at each fault
# point of its batch, while a writer inserts, updates, changes keys and
# deletes; reconciles under the writer never carry a key the writer
# changed (keys in row events between the acknowledged position and the
# reconcile's snapshot are left to the cdc batches). The scenario is
# tests/lib/reconcile.sh's rc_crash_scenario (the chain, each change once
# in the cdc batches, the replica equal to the source by verify and the
# engine's own dumps), with binlog mode's setup; mid-ack-txn is the
# changelog's and is not met in this mode. CM_CASES="POINT ..." runs a
# subset.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
source "$ROOT/tests/lib/reconcile.sh"
cm_init mysql s3
CM_NO_SEQS=1

# One user for every case's database, with what binlog capture needs.
RCB_USER=cdc_rc_binlog
for host in localhost 127.0.0.1; do
	mysql_root -e "DROP USER IF EXISTS '$RCB_USER'@'$host';
		CREATE USER '$RCB_USER'@'$host' IDENTIFIED BY '$CDCPACK_TEST_MYSQL_PASSWORD';
		GRANT SELECT ON \`cdc\\_%\`.* TO '$RCB_USER'@'$host';
		GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '$RCB_USER'@'$host';"
done
trap '_rcb_rc=$?; cm_cleanup; mysql_root -e "DROP USER IF EXISTS $RCB_USER@localhost, $RCB_USER@\`127.0.0.1\`" || true; (exit $_rcb_rc); cleanup_tmp' EXIT

cm_source_url() {
	echo "mysql://$RCB_USER@$CDCPACK_TEST_MYSQL_HOST:$CDCPACK_TEST_MYSQL_PORT/$CM_DB"
}

# The blind spots (tests/lib/reconcile.sh's keys and repair), made unlogged
# after the first run's load.
rc_setup() {
	cm_seed
	cm_sql "INSERT INTO acct VALUES (9000, 'blind 0', 0), (9001, 'blind 1', 1), (9002, 'blind 2', 2)"
	cm_config '[capture]' 'mode = binlog' 'reconcile = manual'
	cdc run
	cm_sql "SET sql_log_bin = 0; UPDATE acct SET bal = -1 WHERE id = 9000;
		DELETE FROM acct WHERE id = 9001; INSERT INTO item VALUES (9999, 'z', 0);
		SET sql_log_bin = 1"
}

rc_writer_started() {
	(($(cm_sql "SELECT COUNT(*) FROM acct WHERE id > 1000 AND id < 9000") >= 3))
}

cm_scenario() { rc_crash_scenario "$1"; }
points=()
for point in "${RC_POINTS[@]}"; do
	[[ $point == mid-ack-txn ]] || points+=("$point")
done
cm_cases "${points[@]}"
