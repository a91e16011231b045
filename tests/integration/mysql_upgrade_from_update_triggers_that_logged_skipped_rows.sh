#!/usr/bin/env bash
# An earlier cdcpack's MySQL update trigger logged rows UPDATE IGNORE
# skipped (tests/torture/FINDINGS.md F12). A database upgraded in place:
# `triggers status` names the old trigger, `run` rebuilds it (and `triggers
# install` too), the changes it logged before ship once, and from then on
# a skipped row ships nothing. The same for the first trigger that read the
# row back (session 6: the comparison in the lookup's WHERE, at a higher
# cost per update), which status names apart.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db updold)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10), (2, 20);"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load

# old_trigger: t's update trigger as the earlier cdcpack made it
old_trigger() {
	local name ver
	name=$(mysql_exec "$db" "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS
		WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_MANIPULATION = 'UPDATE'")
	ver=$(mysql_exec "$db" "SELECT MAX(ver) FROM cdcpack_changelog_schema WHERE tbl = 't'")
	local img_old='JSON_ARRAY(CAST(OLD.`id` AS CHAR), CAST(OLD.`v` AS CHAR))'
	local img_new='JSON_ARRAY(CAST(NEW.`id` AS CHAR), CAST(NEW.`v` AS CHAR))'
	local log='INSERT INTO `cdcpack_changelog` (ts, op, tbl, ver, old_image, new_image) VALUES (UTC_TIMESTAMP(3)'
	mysql_exec "$db" "DELIMITER //
	CREATE OR REPLACE TRIGGER \`$name\` AFTER UPDATE ON \`t\` FOR EACH ROW BEGIN IF
	  CAST(OLD.\`id\` AS BINARY) <=> CAST(NEW.\`id\` AS BINARY) THEN $log, 'U', 't', $ver, $img_old, $img_new);
	  ELSE $log, 'D', 't', $ver, $img_old, NULL); $log, 'I', 't', $ver, NULL, $img_new); END IF; END //"
}
# f12_trigger: t's update trigger as the first cdcpack that read the row back made it
f12_trigger() {
	local name ver
	name=$(mysql_exec "$db" "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS
		WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_MANIPULATION = 'UPDATE'")
	ver=$(mysql_exec "$db" "SELECT MAX(ver) FROM cdcpack_changelog_schema WHERE tbl = 't'")
	local img_old='JSON_ARRAY(CAST(OLD.`id` AS CHAR), CAST(OLD.`v` AS CHAR))'
	local img_new='JSON_ARRAY(CAST(NEW.`id` AS CHAR), CAST(NEW.`v` AS CHAR))'
	local log='INSERT INTO `cdcpack_changelog` (ts, op, tbl, ver, old_image, new_image) VALUES (UTC_TIMESTAMP(3)'
	local row='SELECT 1 FROM `t` AS cdcpack_row WHERE cdcpack_row.`id`'
	local same='CAST(CAST(cdcpack_row.`id` AS CHAR) AS BINARY) <=> CAST(CAST(NEW.`id` AS CHAR) AS BINARY) AND CAST(CAST(cdcpack_row.`v` AS CHAR) AS BINARY) <=> CAST(CAST(NEW.`v` AS CHAR) AS BINARY)'
	mysql_exec "$db" "DELIMITER //
	CREATE OR REPLACE TRIGGER \`$name\` AFTER UPDATE ON \`t\` FOR EACH ROW BEGIN IF CAST(OLD.\`id\` AS BINARY) <=> CAST(NEW.\`id\` AS BINARY) THEN IF EXISTS ($row = NEW.\`id\` AND CAST(cdcpack_row.\`id\` AS BINARY) = CAST(NEW.\`id\` AS BINARY) AND $same) THEN $log, 'U', 't', $ver, $img_old, $img_new); END IF; ELSEIF NOT EXISTS ($row = OLD.\`id\` AND CAST(cdcpack_row.\`id\` AS BINARY) = CAST(OLD.\`id\` AS BINARY)) THEN $log, 'D', 't', $ver, $img_old, NULL); $log, 'I', 't', $ver, NULL, $img_new); END IF; END //"
}

old_trigger
mysql_exec "$db" "UPDATE t SET v = 11 WHERE id = 1;"
assert_eq 1 "$(mysql_changelog_count "$db")" "the change the old trigger logged"

assert_status 0 "$CDCPACK" triggers status
assert_contains "$T/last.out" "its update trigger was made by an earlier cdcpack"
assert_status 0 "$CDCPACK" run
assert_contains "$T/last.err" "table t: rebuilding its triggers, made by an earlier cdcpack"
assert_status 0 "$CDCPACK" triggers status
assert_not_contains "$T/last.out" "earlier cdcpack"
mysql_exec "$db" "UPDATE IGNORE t SET id = 2, v = 99 WHERE id = 1; UPDATE t SET v = 21 WHERE id = 2;"
assert_status 0 "$CDCPACK" run
assert_not_contains "$T/last.err" "rebuilding"

# `triggers install` rebuilds it as well, and keeps what is pending.
old_trigger
mysql_exec "$db" "UPDATE t SET v = 12 WHERE id = 1;"
assert_status 0 "$CDCPACK" triggers install
assert_eq 1 "$(mysql_changelog_count "$db")" "the change pending across the install"
mysql_exec "$db" "UPDATE IGNORE t SET id = 2, v = 99 WHERE id = 1;"
assert_eq 1 "$(mysql_changelog_count "$db")" "nothing logged for the skipped row"
assert_status 0 "$CDCPACK" run

# The first trigger that read the row back: named apart, rebuilt by run.
f12_trigger
mysql_exec "$db" "UPDATE t SET v = 13 WHERE id = 1; UPDATE IGNORE t SET id = 2, v = 98 WHERE id = 1;"
assert_eq 1 "$(mysql_changelog_count "$db")" "the change the F12 trigger logged"
assert_status 0 "$CDCPACK" triggers status
assert_contains "$T/last.out" "its update trigger was made by an earlier cdcpack (it reads the row back as this one does, at a higher cost per update)"
assert_not_contains "$T/last.out" "logs rows UPDATE IGNORE skipped"
assert_status 0 "$CDCPACK" run
assert_contains "$T/last.err" "table t: rebuilding its triggers, made by an earlier cdcpack"
assert_status 0 "$CDCPACK" triggers status
assert_not_contains "$T/last.out" "earlier cdcpack"
mysql_exec "$db" "UPDATE IGNORE t SET id = 2, v = 97 WHERE id = 1; UPDATE t SET v = 22 WHERE id = 2;"
assert_eq 1 "$(mysql_changelog_count "$db")" "the rebuilt trigger: nothing for the skipped row"
assert_status 0 "$CDCPACK" run

replica=$(mysql_fresh_db updold_r)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_eq "$(printf '1\t13\n2\t22')" "$(mysql_dump "$replica" t)" "replica t: each change once, none made up"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
