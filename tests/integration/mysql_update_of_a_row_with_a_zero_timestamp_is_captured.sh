#!/usr/bin/env bash
# F42 (tests/torture/FINDINGS.md): an UPDATE of a row whose TIMESTAMP(6)
# holds the zero timestamp (stored under a sql_mode without NO_ZERO_DATE)
# must be captured. The update trigger reads the row back and compares it
# with NEW column by column; UNIX_TIMESTAMP() of the stored zero gave
# 0.000000 where NEW's gave NULL (spelt '0'), so the row never matched and
# the change was never logged: the replica kept the old value. Found by
# `python3 tests/torture/torture_app.py --engine mysql --seed 699650830`.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db zerots)
mysql_exec "$db" "CREATE TABLE w (k varchar(4) PRIMARY KEY, u int, t timestamp(6) NULL, t0 timestamp NULL)"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
mysql_exec "$db" "SET SESSION sql_mode = '';
	INSERT INTO w VALUES ('a', 1, '0000-00-00 00:00:00', NULL), ('b', 1, NULL, '0000-00-00 00:00:00');
	UPDATE w SET u = 2 WHERE k = 'a'; UPDATE w SET u = 3 WHERE k = 'b'"
assert_eq 4 "$(mysql_changelog_count "$db")" "changelog rows: two inserts, two updates"
assert_status 0 "$CDCPACK" run
rep=$(mysql_fresh_db zerots_r)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$rep")"
assert_eq "a	2	0000-00-00 00:00:00.000000	NULL
b	3	NULL	0000-00-00 00:00:00" "$(mysql_exec "$rep" "SELECT * FROM w ORDER BY k")" "replica rows"

# Upgrade: w's update trigger as the cdcpack before the fix made it (the
# same body without NULLIF): `triggers status` names what it misses, `run`
# rebuilds it, and the next update of the zero-timestamp row is logged.
name=$(mysql_exec "$db" "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS
	WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_MANIPULATION = 'UPDATE'")
body=$(mysql_exec "$db" "SELECT REPLACE(REPLACE(ACTION_STATEMENT, 'CAST(NULLIF(UNIX_TIMESTAMP(', 'CAST(UNIX_TIMESTAMP('),
	'\`), 0) AS CHAR)', '\`) AS CHAR)') FROM information_schema.TRIGGERS WHERE TRIGGER_NAME = '$name'")
[[ $body == *NULLIF* || $body != *"CAST(UNIX_TIMESTAMP("* ]] && fail "the old body still has NULLIF: $body"
printf 'DELIMITER //\nCREATE OR REPLACE TRIGGER `%s` AFTER UPDATE ON `w` FOR EACH ROW %s //\n' "$name" "$body" |
	mysql_root -D "$db"
mysql_exec "$db" "UPDATE w SET u = 5 WHERE k = 'a'"
assert_eq 0 "$(mysql_changelog_count "$db")" "the old trigger misses the update (the defect)"
assert_status 0 "$CDCPACK" triggers status
assert_contains "$T/last.out" "logs no update of a row holding the zero TIMESTAMP"
assert_status 0 "$CDCPACK" run
assert_contains "$T/last.err" "rebuilding its triggers, made by an earlier cdcpack"
mysql_exec "$db" "UPDATE w SET u = 6 WHERE k = 'a'"
assert_eq 1 "$(mysql_changelog_count "$db")" "the rebuilt trigger logs it"
