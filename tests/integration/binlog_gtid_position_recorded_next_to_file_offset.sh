#!/usr/bin/env bash
# mode = binlog on MariaDB: each acknowledged position is recorded with its
# GTID state (domain-server-seq of each domain) next to FILE:OFFSET, in the
# state's binlog.db and in status (log_gtid), and it is the server's own
# (BINLOG_GTID_POS of that position): after the load, after runs that read
# transactions of two GTID domains, and after a run from a position
# recorded without one (a state dir of an earlier cdcpack).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_gtid)
mysql_exec "$db" "CREATE TABLE t(id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, 'a')"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
check_gtid() { # check_gtid WHAT: status's log_gtid is the server's for log_position, as binlog.db says
	assert_status 0 "$CDCPACK" --json status
	local pos gtid want
	pos=$(jq -r .log_position "$T/last.out")
	gtid=$(jq -r .log_gtid "$T/last.out")
	want=$(mysql_root -N -B -e "SELECT BINLOG_GTID_POS('${pos%:*}', ${pos##*:})")
	[[ -n $want ]] || fail "$1: the server has no GTID state at $pos"
	# A set of domains: the server lists them in an order of its own.
	assert_eq "$(tr , '\n' <<<"$want" | sort | paste -sd,)" "$(tr , '\n' <<<"$gtid" | sort | paste -sd,)" \
		"$1: GTID state at $pos"
	assert_eq "$pos|$gtid" "$(sqlite3 "$T/state/binlog.db" "SELECT pos, gtid FROM position WHERE acked")" \
		"$1: binlog.db"
}
assert_status 0 "$CDCPACK" run
check_gtid "after the load"

mysql_exec "$db" "INSERT INTO t VALUES (2, 'b');
SET SESSION gtid_domain_id = 7; INSERT INTO t VALUES (3, 'c'); UPDATE t SET v = 'B' WHERE id = 2;
SET SESSION gtid_domain_id = 0; DELETE FROM t WHERE id = 1"
assert_status 0 "$CDCPACK" run
check_gtid "after two domains"
[[ $(jq -r .log_gtid "$T/last.out") == *7-1-* ]] || fail "domain 7 missing: $(jq -r .log_gtid "$T/last.out")"

# A position recorded before cdcpack kept GTIDs: the server tells it.
sqlite3 "$T/state/binlog.db" "UPDATE position SET gtid = NULL"
mysql_exec "$db" "SET SESSION gtid_domain_id = 7; INSERT INTO t VALUES (4, 'd')"
assert_status 0 "$CDCPACK" run
check_gtid "after a position without GTID"
printf '%s\n' 'I,2,b' 'I,3,c' 'U,2,B' 'D,1,a' 'I,4,d' >want.csv
binlog_cdc_rows "$T/bucket" t >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "changes (< expected, > published)"; }
echo ok
