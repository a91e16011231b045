# Sourced by the binlog mode tests (tests/integration/binlog_*.sh) after
# tests/lib/mysql.sh.

# binlog_grant DB: creates the user cdc_binlog, with the cdc user's
# password, the privileges binlog capture needs on DB (REPLICATION SLAVE,
# BINLOG MONITOR); sets url to its URL for DB. The caller drops it
# (binlog_drop_user) when the test ends.
binlog_grant() {
	local host
	for host in localhost 127.0.0.1; do
		mysql_root -e "DROP USER IF EXISTS 'cdc_binlog'@'$host';
			CREATE USER 'cdc_binlog'@'$host' IDENTIFIED BY '$CDCPACK_TEST_MYSQL_PASSWORD';
			GRANT SELECT ON \`$1\`.* TO 'cdc_binlog'@'$host';
			GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'cdc_binlog'@'$host';"
	done
	url="mysql://cdc_binlog@$CDCPACK_TEST_MYSQL_HOST:$CDCPACK_TEST_MYSQL_PORT/$1"
}

binlog_drop_user() {
	mysql_root -e "DROP USER IF EXISTS cdc_binlog@localhost, cdc_binlog@\`127.0.0.1\`"
}

# binlog_user DB: binlog_grant DB, the user dropped when the test ends.
# (Not in a command substitution: the trap must belong to the test's shell.)
binlog_user() {
	binlog_grant "$1"
	trap '_binlog_rc=$?; binlog_drop_user || true; (exit $_binlog_rc); cleanup_tmp' EXIT
}

# binlog_cdc_rows BUCKET TABLE: the cdc rows of TABLE across the published
# batches of BUCKET, in order.
binlog_cdc_rows() {
	local a
	for a in $(find "$1/cdc" -name '*.tar.zst' | LC_ALL=C sort); do
		tar -xOf "$a" --wildcards --exclude '*/LOAD*' "$2/*" 2>/dev/null || true
	done
}

# binlog_until_idle: four runs, enough for a read that stops at each
# followed statement to reach the log's end.
binlog_until_idle() {
	local i
	for i in 1 2 3 4; do assert_status 0 "$CDCPACK" run; done
}

# binlog_same WHAT REPDB: the SQLite replica $T/replica.db and the MariaDB
# database REPDB, after apply, hold the source's rows.
binlog_same() {
	local r
	for r in "sqlite:$T/replica.db" "$(mysql_url "$2")"; do
		assert_status 0 "$CDCPACK" apply --to "$r"
		assert_status 0 "$CDCPACK" verify --against "$r" ||
			fail "$1: replica $r differs from the source"
	done
}
