#!/usr/bin/env bash
# The MySQL driver's messages name a table as every other message does
# (README "Names in reports": a backslash as \\, control bytes as \xHH, cut
# after 80 bytes): a replica write that fails (cdc and load batches), the
# trigger install's log line, and the binlog reader's line about a statement
# on a captured table. Without it the log line shows the backslash alone,
# and `odd\x41` the table could not be told from a name holding a control
# byte. The table is named odd\name"q (what an archive may carry).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

name='odd\name"q'
shown='odd\\name"q'
# refuse_inserts DB: the replica table refuses every insert (its own trigger).
refuse_inserts() {
	mysql_exec "$1" "CREATE TRIGGER refuse BEFORE INSERT ON \`$name\` FOR EACH ROW
		SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the replica'"
}

echo "case: a replica write that fails, cdc and load batches"
printf 'CREATE TABLE "%s"(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO "%s" VALUES (1, %s);\n' \
	"${name//\"/\"\"}" "${name//\"/\"\"}" "'one'" | sqlite3 "$SRC_DB"
core_start_capture trigger
rep=$(mysql_fresh_db names_rep)
cdc apply --to "$(mysql_url "$rep")"
refuse_inserts "$rep"
printf 'INSERT INTO "%s" VALUES (2, %s);\n' "${name//\"/\"\"}" "'two'" | sqlite3 "$SRC_DB"
cdc run
cdc_status 3 apply --to "$(mysql_url "$rep")"
assert_contains "$T/last.err" "table $shown: "
assert_contains "$T/last.err" "refused by the replica"
rep2=$(mysql_fresh_db names_rep2)
mysql_exec "$rep2" "CREATE TABLE \`$name\`(id BIGINT PRIMARY KEY, v LONGTEXT)"
refuse_inserts "$rep2"
cdc_status 3 apply --to "$(mysql_url "$rep2")"
assert_contains "$T/last.err" "table $shown: "
assert_contains "$T/last.err" "refused by the replica"

echo "case: the trigger install's log line"
db=$(mysql_fresh_db names_src)
mysql_exec "$db" "CREATE TABLE \`$name\`(id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO \`$name\` VALUES (1, 'a')"
core_use "$T/mysql"
write_config "$CDCPACK_CONFIG" "$(mysql_url "$db")" "file:$BUCKET"
sed -i "s|^dir = .*|dir = $STATE_DIR|" "$CDCPACK_CONFIG"
cdc triggers install
assert_contains "$T/last.err" "triggers installed table=$shown "

echo "case: the binlog reader's line about a statement on a captured table"
bdb=$(mysql_fresh_db names_binlog)
mysql_exec "$bdb" "CREATE TABLE \`$name\`(id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO \`$name\` VALUES (1, 'a')"
binlog_user "$bdb"
core_use "$T/binlog"
write_config "$CDCPACK_CONFIG" "$url" "file:$BUCKET" '[capture]' 'mode = binlog'
sed -i "s|^dir = .*|dir = $STATE_DIR|" "$CDCPACK_CONFIG"
cdc run
mysql_exec "$bdb" "INSERT INTO \`$name\` VALUES (2, 'b'); CREATE INDEX i ON \`$name\`(v)"
cdc run
assert_contains "$T/last.err" "statement on captured table $shown"
echo "ok"
