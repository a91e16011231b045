#!/usr/bin/env bash
# The source URL: TCP and unix socket both reach the server; ssl=required
# and ssl=verify (with the server's CA in ssl_ca) connect encrypted, and
# verify refuses a server whose certificate the CA did not sign; ssl=disabled
# works; a malformed URL is a usage error (exit 2) naming it; an unreachable
# server is a runtime failure (exit 3).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db urls)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)"

status_with() { # status_with URL: triggers status against URL
	write_config "$T/c.conf" "$1" "file:$T/bucket"
	"$CDCPACK" -c "$T/c.conf" triggers status >"$T/last.out" 2>"$T/last.err"
}
expect_ok() {
	status_with "$1" || fail "$1: $(cat "$T/last.err")"
	assert_contains "$T/last.out" "not-installed"
}
expect_exit() { # expect_exit CODE URL TEXT
	local got=0
	status_with "$2" || got=$?
	assert_eq "$1" "$got" "exit status for $2 ($(cat "$T/last.err"))"
	assert_contains "$T/last.err" "$3"
}

expect_ok "$(mysql_url "$db")"
expect_ok "$(mysql_socket_url "$db")"
expect_ok "$(mysql_url "$db" ssl=disabled)"
expect_ok "$(mysql_url "$db" ssl=required)"
expect_ok "$(mysql_url "$db" "ssl=verify&ssl_ca=$CDCPACK_TEST_MYSQL_SSL_CA")"

# verify against a CA that did not sign the server: refused.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=other \
	-days 1 -keyout "$T/other.key" -out "$T/other.pem" 2>/dev/null
expect_exit 3 "$(mysql_url "$db" "ssl=verify&ssl_ca=$T/other.pem")" "cannot connect"

expect_exit 2 "mysql://cdc@127.0.0.1/" "no database name"
expect_exit 2 "mysql://127.0.0.1/$db" "no USER@"
expect_exit 2 "$(mysql_url "$db" ssl=sometimes)" "ssl must be"
expect_exit 2 "$(mysql_url "$db" sslmode=required)" "unknown query parameter"
expect_exit 2 "mysql://cdc@127.0.0.1:70000/$db" "port out of range"
expect_exit 3 "mysql://cdc@127.0.0.1:1/$db" "cannot connect"
expect_exit 3 "mysql://cdc@localhost/$db?socket=$T/no.sock" "no.sock"
expect_exit 3 "$(mysql_url cdc_no_such_db)" "cdc_no_such_db"
