# Sourced by the MySQL integration tests (tests/integration/mysql_*.sh) after
# tests/lib/common.sh. Needs the server started by tests/lib/service-mariadb.sh
# (its mariadb.env exported by tests/run.sh). Each test works in databases of
# its own, created empty by mysql_fresh_db, so tests stay independent.

if [[ -z ${CDCPACK_TEST_MYSQL_ROOT_CNF:-} ]]; then
	fail "no test mariadbd: run through tests/run.sh (tests/lib/service-mariadb.sh)"
fi

# cdcpack reads the cdc user's password from here (never from the URL).
export CDCPACK_SOURCE_PASSWORD=$CDCPACK_TEST_MYSQL_PASSWORD

# mysql_root [ARGS...]: the mariadb client as root over the socket.
mysql_root() {
	mariadb --defaults-file="$CDCPACK_TEST_MYSQL_ROOT_CNF" "$@"
}

# mysql_exec DB SQL: runs SQL as root in DB; prints results tab-separated,
# without column names.
mysql_exec() {
	mysql_root -N -B -D "$1" -e "$2"
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
