#!/usr/bin/env bash
# A manifest's column types and names come from a bucket others may write:
# a type that is not a spelling of the source driver's grammar (SQL pasted
# after it, a constraint, a comment) or a reserved or malformed name is
# refused by show and apply (exit 3, naming the table and column) before
# anything reaches a replica, SQLite or MySQL. Before the check, the first
# forgery below made a MySQL replica run "ALTER TABLE `t` MODIFY COLUMN
# `name` text, drop column `price` # NULL": the replica lost a column.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"
source "$ROOT/tests/lib/mysql.sh"

hostile_setup --new-table

# The MySQL replica, at batch 2 like the SQLite one.
restore
mv "$VICTIM" "$T/victim.hold" && mv "$NEXT" "$T/next.hold"
myrep=$(mysql_fresh_db hostile_types)
cdc apply --to "$(mysql_url "$myrep")"
mv "$T/victim.hold" "$VICTIM" && mv "$T/next.hold" "$NEXT"
mysql_cols() { mysql_exec "$myrep" "SELECT GROUP_CONCAT(COLUMN_NAME, ' ', COLUMN_TYPE ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$myrep' AND TABLE_NAME = 't'"; }
mysql_tables() { mysql_exec "$myrep" "SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$myrep'"; }
my_cols_before=$(mysql_cols)
my_tables_before=$(mysql_tables)
my_applied_before=$(mysql_exec "$myrep" "SELECT max(seq) FROM cdcpack_applied")

# forge JQ_FILTER FAULT_ERE: batch 3's manifest edited, refused everywhere.
forge() {
	edit_manifest "$1"
	mapfile -t entries < <(honest_entries)
	build_victim "${entries[@]}"
	expect_refused both "$2"
	cdc_status 3 apply --to "$(mysql_url "$myrep")"
	assert_error_matches "$2"
	assert_eq "$my_cols_before" "$(mysql_cols)" "MySQL replica columns of t"
	assert_eq "$my_tables_before" "$(mysql_tables)" "MySQL replica tables"
	assert_eq "$my_applied_before" "$(mysql_exec "$myrep" "SELECT max(seq) FROM cdcpack_applied")" "MySQL replica batch"
}
col() { # col TABLE NAME TYPE: the jq filter setting column NAME of TABLE to TYPE
	printf '(.tables[] | select(.name == "%s") | .columns[] | select(.name == "%s") | .type) = %s' "$1" "$2" "$3"
}

# SQL after a type, for either driver's spelling.
forge "$(col t name '"text, drop column `price` #"')" "table t: column name: type 'text, drop column"
forge '.source.driver = "mysql" | '"$(col t name '"text, drop column `price` #"')" "column name: type"
forge '.source.driver = "mysql" | '"$(col t name '"varchar(10)) select 1 #"')" "column name: type"
forge '.source.driver = "mysql" | '"$(col u v '"enum('"'"'a'"'"') DEFAULT '"'"'a'"'"'"')" "column v: type"
forge '.source.driver = "mysql" | '"$(col u v '"enum('"'"'a\\'"'"', '"'"'b'"'"')"')" "column v: type"
# Constraints, collations, comments and junk in a SQLite spelling.
forge "$(col t name '"TEXT COLLATE NOCASE"')" "column name: type 'TEXT COLLATE NOCASE'"
forge "$(col t name '"TEXT NOT NULL"')" "column name: type"
forge "$(col t price '"REAL /* x */"')" "column price: type"
forge "$(col t price '"REAL(1) PRIMARY"')" "column price: type"
forge "$(col u v '"INTEGER\u001b[31m"')" "column v: type 'INTEGER\\\\x1B\[31m'"
# Names: reserved, control characters, twice; an unknown driver.
forge '(.tables[] | select(.name == "u") | .name) = "cdcpack_applied"' "table name 'cdcpack_applied' is reserved"
forge '(.tables[] | select(.name == "u") | .name) = "sqlite_x"' "reserved"
forge '(.tables[] | select(.name == "u") | .name) = "u\n"' "control characters"
forge '(.tables[] | select(.name == "t") | .columns[1].name) = "ID"' "column ID is listed twice"
forge '.source.driver = "postgres"' "unknown source driver"

# Every spelling the drivers write passes: the whole chain applies to both.
finish
cdc apply --to "$(mysql_url "$myrep")"
cdc verify --against "$(mysql_url "$myrep")"
