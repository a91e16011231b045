# Sourced by the binlog mode tests (tests/integration/binlog_*.sh) after
# tests/lib/mysql.sh.

# binlog_user DB: creates the user cdc_binlog, with the cdc user's password,
# the privileges binlog capture needs on DB (REPLICATION SLAVE, BINLOG
# MONITOR), dropped when the test ends; sets url to its URL for DB. (Not
# in a command substitution: the trap must belong to the test's shell.)
binlog_user() {
	local host
	for host in localhost 127.0.0.1; do
		mysql_root -e "DROP USER IF EXISTS 'cdc_binlog'@'$host';
			CREATE USER 'cdc_binlog'@'$host' IDENTIFIED BY '$CDCPACK_TEST_MYSQL_PASSWORD';
			GRANT SELECT ON \`$1\`.* TO 'cdc_binlog'@'$host';
			GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'cdc_binlog'@'$host';"
	done
	trap '_binlog_rc=$?; mysql_root -e "DROP USER IF EXISTS cdc_binlog@localhost, cdc_binlog@\`127.0.0.1\`" || true; (exit $_binlog_rc); cleanup_tmp' EXIT
	url="mysql://cdc_binlog@$CDCPACK_TEST_MYSQL_HOST:$CDCPACK_TEST_MYSQL_PORT/$1"
}

# binlog_cdc_rows BUCKET TABLE: the cdc rows of TABLE across the published
# batches of BUCKET, in order.
binlog_cdc_rows() {
	local a
	for a in $(find "$1/cdc" -name '*.tar.zst' | LC_ALL=C sort); do
		tar -xOf "$a" --wildcards --exclude '*/LOAD*' "$2/*" 2>/dev/null || true
	done
}
