#!/usr/bin/env bash
# The MySQL password_file holds a secret: when group or others can read it,
# every command that reads it logs a warning naming the file (as the AWS
# credentials file gets); a 0600 file gets none, and the password is used
# either way. The warning never shows the password.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

secret=$CDCPACK_TEST_MYSQL_PASSWORD
unset CDCPACK_SOURCE_PASSWORD
db=$(mysql_fresh_db pwperm)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(10)); INSERT INTO t VALUES (1, 'a')"
printf '%s\n' "$secret" >"$T/cdc.password"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
sed -i "s|^url = mysql.*|&\npassword_file = $T/cdc.password|" "$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf

for m in 644 640 604 660; do
	chmod "$m" "$T/cdc.password"
	assert_status 0 "$CDCPACK" status
	assert_contains "$T/last.err" "$T/cdc.password"
	assert_contains "$T/last.err" "readable by group or others"
	assert_not_contains "$T/last.err" "$secret"
done
chmod 600 "$T/cdc.password"
assert_status 0 "$CDCPACK" status
assert_not_contains "$T/last.err" "readable by group or others"
