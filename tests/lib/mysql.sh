# Sourced by the MySQL integration tests (tests/integration/mysql_*.sh) after
# tests/lib/common.sh. Needs the server started by tests/lib/service-mariadb.sh
# (its mariadb.env exported by tests/run.sh). Each test works in databases of
# its own, created empty by mysql_fresh_db, so tests stay independent.

if [[ -z ${CDCPACK_TEST_MYSQL_ROOT_CNF:-} ]]; then
	fail "no test mariadbd: run through tests/run.sh (tests/lib/service-mariadb.sh)"
fi

# cdcpack reads the cdc user's password from here (never from the URL).
export CDCPACK_SOURCE_PASSWORD=$CDCPACK_TEST_MYSQL_PASSWORD
# Replicas and diff sides take their own credentials (the test server's
# cdc user serves every role here).
export CDCPACK_REPLICA_PASSWORD=$CDCPACK_TEST_MYSQL_PASSWORD
export CDCPACK_A_PASSWORD=$CDCPACK_TEST_MYSQL_PASSWORD CDCPACK_B_PASSWORD=$CDCPACK_TEST_MYSQL_PASSWORD

# mysql_root [ARGS...]: the mariadb client as root over the socket.
mysql_root() {
	mariadb --defaults-file="$CDCPACK_TEST_MYSQL_ROOT_CNF" "$@"
}

# mysql_client_cmd DB: the same as one command line, for scripts run apart
# from this shell (functions do not reach them).
mysql_client_cmd() {
	echo "mariadb --defaults-file=$CDCPACK_TEST_MYSQL_ROOT_CNF -D $1"
}

# mysql_exec DB SQL: runs SQL as root in DB; prints results tab-separated,
# without column names. SQL goes through stdin: it may exceed the size of a
# command-line argument (a big BLOB literal).
mysql_exec() {
	printf '%s\n' "$2" | mysql_root -N -B -D "$1"
}

# mysql_fresh_db NAME: prints the name of a new, empty database for this
# test (cdc_NAME; the cdc user may use any cdc_* database).
mysql_fresh_db() {
	local db=cdc_$1
	mysql_root -e "DROP DATABASE IF EXISTS \`$db\`; CREATE DATABASE \`$db\` CHARACTER SET utf8mb4"
	echo "$db"
}

# mysql_url DB [QUERY]: the cdcpack URL of DB over TCP as the cdc user.
mysql_url() {
	local url="mysql://$CDCPACK_TEST_MYSQL_USER@$CDCPACK_TEST_MYSQL_HOST:$CDCPACK_TEST_MYSQL_PORT/$1"
	[[ -n ${2:-} ]] && url+="?$2"
	echo "$url"
}

# mysql_socket_url DB: the same over the server's unix socket.
mysql_socket_url() {
	echo "mysql://$CDCPACK_TEST_MYSQL_USER@localhost/$1?socket=$CDCPACK_TEST_MYSQL_SOCKET"
}

# mysql_dump DB TABLE: every row of TABLE, ordered by its first column, as
# comparable text (HEX for binary columns comes from the caller's SELECT
# when needed; this prints what the client prints).
mysql_dump() {
	mysql_exec "$1" "SELECT * FROM \`$2\` ORDER BY 1"
}

# mysql_changelog_count DB [CHANGELOG]: rows waiting in the changelog.
mysql_changelog_count() {
	mysql_exec "$1" "SELECT COUNT(*) FROM \`${2:-cdcpack_changelog}\`"
}

# mysql_types_fixture: the types test's source (tests/integration/
# mysql_types_*.sh): every type cdcpack promises to carry, a composite key
# with a space in the names, a load, then changes made from a +05:00
# session and shipped by one run. Sets db, blob (the LONGBLOB as hex) and
# CDCPACK_CONFIG.
mysql_types_fixture() {
	db=$(mysql_fresh_db "${1:-types}")
	mysql_exec "$db" "
	CREATE TABLE types (
	  id int PRIMARY KEY, ti tinyint, bu bigint unsigned, bs bigint, f float, d double,
	  dec1 decimal(30,10), dt datetime(6), ts timestamp(3) NULL, tm time(2), da date, y year,
	  b bit(10), e enum('a','b c','print'), s set('x','y'), j json, vc varchar(100),
	  tx mediumtext, bl longblob, bin binary(4), vb varbinary(10));
	CREATE TABLE \`odd name\` (\`k a\` varchar(20), \`k b\` int, v text, PRIMARY KEY (\`k b\`, \`k a\`));
	INSERT INTO types (id, vc) VALUES (100, 'loaded before the load');
	INSERT INTO \`odd name\` VALUES ('a', 1, 'one'), ('b', 2, 'two');"

	write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
	export CDCPACK_CONFIG=$T/cdcpack.conf
	assert_status 0 "$CDCPACK" triggers install
	assert_status 0 "$CDCPACK" load

	blob=$(head -c 300000 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
	mysql_exec "$db" "
	SET time_zone = '+05:00';
	INSERT INTO types VALUES (1, -128, 9223372036854775807, -9223372036854775808, 1.00000012,
	  1.0000000000000002, -12345678901234567890.0123456789, '2024-02-29 23:59:59.123456',
	  '2024-03-31 03:30:00.123', '-838:59:59.99', '2024-01-01', 2024, b'1000000001', 'b c',
	  'x,y', '{\"a\": [1, 2.5, \"\\\\u00e9\"]}', 'héllo 😀 \"q\" \\\\ ,\nz',
	  'line1\nline2,\"quoted\"', UNHEX('$blob'), UNHEX('0001'), '');
	INSERT INTO types (id, d, f, vc, tx, bl) VALUES (2, 1e308, 3.4e38, '', '', ''),
	  (3, -2.2250738585072014e-308, -1.17549435e-38, NULL, NULL, NULL),
	  (4, 5e-324, 16777217, 'x', 'y', UNHEX('00'));
	UPDATE types SET vc = 'changed' WHERE id = 100;
	UPDATE types SET id = 5 WHERE id = 4;
	DELETE FROM types WHERE id = 3;
	UPDATE \`odd name\` SET \`k a\` = 'A' WHERE \`k b\` = 1;
	UPDATE \`odd name\` SET v = 'deux' WHERE \`k b\` = 2;
	INSERT INTO \`odd name\` VALUES ('c', 3, NULL);"
	assert_status 0 "$CDCPACK" run
}

# mysql_kill_on_exit PID...: the test's EXIT trap also stops these background
# processes, keeping the exit status cleanup_tmp (common.sh) looks at.
_mysql_bg=()
mysql_kill_on_exit() {
	_mysql_bg+=("$@")
	trap '_mysql_rc=$?; kill "${_mysql_bg[@]}" 2>/dev/null || true; (exit $_mysql_rc); cleanup_tmp' EXIT
}
