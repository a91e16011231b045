#!/usr/bin/env bash
# Each URL gets its own credentials: apply --to, verify --against and both
# sides of diff never send the source's password (password_file,
# CDCPACK_SOURCE_PASSWORD) to the server the other URL names. A replica user
# is reached with its own password (--password-file, or
# CDCPACK_REPLICA_PASSWORD / CDCPACK_A_PASSWORD / CDCPACK_B_PASSWORD), and a
# replica user whose password happens to be the source's is not logged in
# with it: the server sees no password at all.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

secret=$CDCPACK_TEST_MYSQL_PASSWORD
other="other-$RANDOM-pw"
unset CDCPACK_REPLICA_PASSWORD CDCPACK_A_PASSWORD CDCPACK_B_PASSWORD
export CDCPACK_SOURCE_PASSWORD=$secret
printf '%s\n' "$secret" >"$T/source.pw"
printf '%s\n' "$other" >"$T/other.pw"
chmod 600 "$T/source.pw" "$T/other.pw"

db=$(mysql_fresh_db creds_src)
replica=$(mysql_fresh_db creds_replica)
# cdcother: another password; cdctwin: the source's password. Both may use
# the replica database only.
users() {
	local sql="" u host
	for u in cdcother cdctwin; do
		for host in localhost 127.0.0.1; do
			sql+="DROP USER IF EXISTS '$u'@'$host';"
			[[ $1 == create ]] || continue
			pw=$other
			[[ $u == cdctwin ]] && pw=$secret
			sql+="CREATE USER '$u'@'$host' IDENTIFIED BY '$pw';"
			sql+="GRANT ALL ON \`$replica\`.* TO '$u'@'$host';"
		done
	done
	mysql_root -e "$sql"
}
users create
trap 'rc=$?; users drop || true; (exit $rc); cleanup_tmp' EXIT

mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(10)); INSERT INTO t VALUES (1, 'a')"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
sed -i "s|^url = mysql.*|&\npassword_file = $T/source.pw|" "$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
mysql_exec "$db" "INSERT INTO t VALUES (2, 'b')"
assert_status 0 "$CDCPACK" run

hostport="$CDCPACK_TEST_MYSQL_HOST:$CDCPACK_TEST_MYSQL_PORT"
other_url="mysql://cdcother@$hostport/$replica"
twin_url="mysql://cdctwin@$hostport/$replica"
src_url=$(mysql_url "$db")

# No replica credentials: the source's are not sent in their place.
assert_status 3 "$CDCPACK" apply --to "$other_url"
assert_contains "$T/last.err" "Access denied for user 'cdcother'"
assert_contains "$T/last.err" "using password: NO"
assert_status 3 "$CDCPACK" apply --to "$twin_url"
assert_contains "$T/last.err" "using password: NO"
assert_status 3 "$CDCPACK" verify --against "$twin_url"
assert_contains "$T/last.err" "using password: NO"

# The replica's own password reaches it, from a file or its variable.
assert_status 0 "$CDCPACK" apply --to "$other_url" --password-file "$T/other.pw"
assert_eq "$(printf '1\ta\n2\tb')" "$(mysql_dump "$replica" t)" "replica rows"
assert_status 0 "$CDCPACK" verify --against "$other_url" --password-file "$T/other.pw"
CDCPACK_REPLICA_PASSWORD=$other assert_status 0 "$CDCPACK" -v verify --against "$other_url"
assert_not_contains "$T/last.err" "$other"

# diff: one password per side; CDCPACK_SOURCE_PASSWORD is no side's.
assert_status 3 "$CDCPACK" diff "$src_url" "$twin_url"
assert_contains "$T/last.err" "using password: NO"
assert_status 0 "$CDCPACK" diff "$src_url" "$other_url" --table t \
	--password-file-a "$T/source.pw" --password-file-b "$T/other.pw"
CDCPACK_A_PASSWORD=$secret CDCPACK_B_PASSWORD=$other \
	assert_status 0 "$CDCPACK" diff --table t "$src_url" "$other_url"
CDCPACK_A_PASSWORD=$secret assert_status 3 "$CDCPACK" diff --table t "$src_url" "$twin_url"
assert_contains "$T/last.err" "B ("
assert_contains "$T/last.err" "using password: NO"

# A password file only goes with a mysql:// URL.
assert_status 2 "$CDCPACK" apply --to "sqlite:$T/r.db" --password-file "$T/other.pw"
assert_contains "$T/last.err" "--password-file"
assert_status 2 "$CDCPACK" diff "sqlite:$T/a.db" "sqlite:$T/b.db" --password-file-b "$T/other.pw"
assert_contains "$T/last.err" "--password-file-b"
