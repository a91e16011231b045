#!/usr/bin/env bash
# mode = binlog, the log running out: status gives the lag after the
# acknowledged position in bytes and seconds (the next transaction's commit
# time), warns when that position's file is the oldest the server keeps and
# closed (the next purge removes it), and, once PURGE BINARY LOGS removed
# it, every run stops with exit 3 naming the missing file and 'cdcpack
# load' (never skipping to what the server still has); the load is the way
# back, and the replica then equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_purge)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, note TEXT);
INSERT INTO people VALUES (1, 'loaded');"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
status() { # status: the JSON status report in s.json, checked against the schema
	assert_status 0 "$CDCPACK" --json status
	cp "$T/last.out" s.json
	/usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/report.schema.json" s.json ||
		fail "status report does not match the schema: $(cat s.json)"
}

status
assert_eq "null null" "$(jq -r '"\(.log_position) \(.lag_bytes)"' s.json)" "no position before the first run"
assert_status 0 "$CDCPACK" run
status
pos=$(jq -r .log_position s.json)
[[ $pos == binlog.*:* ]] || fail "log_position is [$pos]"
assert_eq "[]" "$(jq -c .warnings s.json)" "no warning with the position in the newest file"

# Changes waiting: at least their bytes, and at least their age.
mysql_exec "$db" "INSERT INTO people VALUES (2, REPEAT('x', 6000))"
sleep 2
status
jq -e '.lag_bytes >= 6000 and .lag_seconds >= 2 and .lag_seconds < 600' s.json >/dev/null ||
	fail "lag after a 6000-byte row 2 s old: $(jq -c '[.lag_bytes, .lag_seconds]' s.json)"
assert_status 0 "$CDCPACK" run
status
pos=$(jq -r .log_position s.json)
file=${pos%:*}

# The position's file, closed and the oldest kept: a warning naming it.
mysql_root -e "FLUSH BINARY LOGS; PURGE BINARY LOGS TO '$file'"
status
jq -e --arg f "$file" '.warnings | length == 1 and (.[0] | contains("is in " + $f + ", the oldest binary log the server keeps"))' s.json >/dev/null ||
	fail "no warning that $file is next to be purged: $(jq -c .warnings s.json)"
assert_status 0 "$CDCPACK" status
assert_contains "$T/last.out" "warning: the acknowledged position is in $file"

# Purged: every run stops, naming the file and the way back.
mysql_exec "$db" "INSERT INTO people VALUES (3, 'lost to the purge')"
current=$(mysql_root -N -B -e "FLUSH BINARY LOGS; SHOW MASTER STATUS" | cut -f1)
mysql_root -e "PURGE BINARY LOGS TO '$current'"
for attempt in 1 2; do
	assert_status 3 "$CDCPACK" run
	assert_contains "$T/last.err" "the acknowledged position $pos is in binary log $file, which the server no longer has"
	assert_contains "$T/last.err" "run 'cdcpack load'"
done
status
jq -e --arg f "$file" '.lag_bytes == null and .lag_seconds == null and (.warnings[0] | contains("binary log " + $f + ", which the server no longer has"))' s.json >/dev/null ||
	fail "status once purged: $(jq -c '[.lag_bytes, .lag_seconds, .warnings]' s.json)"

assert_status 0 "$CDCPACK" load
mysql_exec "$db" "UPDATE people SET note = 'after the load' WHERE id = 1"
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
mysql_exec "$db" "SELECT id, note FROM people ORDER BY id" | tr '\t' '|' >want.txt
sqlite3 "$T/replica.db" "SELECT id, note FROM people ORDER BY id" >got.txt
cmp -s want.txt got.txt || { diff want.txt got.txt | cut -c1-200 >&2; fail "replica after the load"; }
echo ok
