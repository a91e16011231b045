#!/usr/bin/env bash
# The source password is read from password_file (or CDCPACK_SOURCE_PASSWORD)
# and appears nowhere: not in logs at any verbosity, --json reports, the
# state dir, the archives or their manifests, the replica; a URL carrying a
# password is refused (exit 2) with the password masked; a wrong password
# fails (exit 3) without echoing it.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

secret=$CDCPACK_TEST_MYSQL_PASSWORD
unset CDCPACK_SOURCE_PASSWORD
printf '%s\n' "$secret" >"$T/cdc.password"
db=$(mysql_fresh_db secret)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(10)); INSERT INTO t VALUES (1, 'a')"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
sed -i "s|^url = mysql.*|&\npassword_file = $T/cdc.password|" "$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf

run() { "$CDCPACK" "$@" >>"$T/out.log" 2>>"$T/err.log" || fail "cdcpack $* failed: $(tail -5 "$T/err.log")"; }
run -v init
run -v triggers install
run -v --json triggers status
run -v load
mysql_exec "$db" "INSERT INTO t VALUES (2, 'b'); UPDATE t SET v = 'c' WHERE id = 1"
run -v --json run
run -v status
run -v --json status
replica=$(mysql_fresh_db secret_replica)
run -v apply --to "$(mysql_url "$replica")"
run -v --json verify --against "$(mysql_url "$replica")"

mkdir "$T/unpacked"
for a in $(find "$T/bucket" -name '*.tar*'); do
	tar -xf "$a" -C "$T/unpacked"
done
[[ -s $T/unpacked/manifest.json ]] || fail "nothing unpacked from the archives"
if grep -rlaF -- "$secret" "$T/out.log" "$T/err.log" "$T/state" "$T/bucket" "$T/unpacked"; then
	fail "the password appears in the files above"
fi
if mysql_exec "$db" "SELECT * FROM cdcpack_changelog_schema" | grep -qF -- "$secret"; then
	fail "the password is in the source's schema table"
fi
if mysql_root -N -B -e "SELECT * FROM \`$replica\`.cdcpack_applied" | grep -qF -- "$secret"; then
	fail "the password is in the replica"
fi

# A password in the URL is refused, and masked in the message.
write_config "$T/inurl.conf" "mysql://cdc:$secret@127.0.0.1:$CDCPACK_TEST_MYSQL_PORT/$db" "file:$T/bucket"
assert_status 2 "$CDCPACK" -c "$T/inurl.conf" triggers status
assert_contains "$T/last.err" "password"
assert_contains "$T/last.err" "cdc:***@"
assert_not_contains "$T/last.err" "$secret"

# A wrong password: a runtime failure that does not echo what was tried.
write_config "$T/wrong.conf" "$(mysql_url "$db")" "file:$T/bucket"
CDCPACK_SOURCE_PASSWORD="not-$secret" assert_status 3 "$CDCPACK" -c "$T/wrong.conf" -v triggers status
assert_contains "$T/last.err" "Access denied"
assert_not_contains "$T/last.err" "not-$secret"

# A password_file that cannot be read is a configuration error naming the file.
sed -i "s|^password_file = .*|password_file = $T/missing.password|" "$T/cdcpack.conf"
assert_status 2 "$CDCPACK" triggers status
assert_contains "$T/last.err" "$T/missing.password"
