#!/usr/bin/env bash
# A MySQL table's name may hold a backslash, quotes and control bytes: the
# describe errors (no key; no such table, and a column gone, which a
# command cannot reach from here) spell it as every other message does (docs/design.md §2, "Names in reports": a backslash as \\, a control
# byte as \xHH), so the name in the message is the table's, without doubt.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db describe_names)
mysql_exec "$db" 'CREATE TABLE `no\key"t` (v INT)'
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf

assert_status 2 "$CDCPACK" triggers install
assert_contains "$T/last.err" "table 'no\\\\key\"t' has no primary key"
assert_status 0 "$CDCPACK" init
assert_contains "$T/last.err" "WARN mysql $db: table 'no\\\\key\"t' has no primary key"

