#!/usr/bin/env bash
# A SQLite TEXT value that is not valid UTF-8 reaches a MariaDB replica only
# if the replica can hold it: a utf8mb4 column cannot, so apply stops with
# exit 3 naming the table and column, commits nothing of that batch, and a
# SQLite replica of the same archives gets the exact bytes (csv and jsonl).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

for format in jsonl csv; do
	db=$(mysql_fresh_db "utf8_$format")
	core_use "$T/$format"
	sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, CAST(x'ff' AS TEXT)), (2, 'ok')"
	core_config "[batch]" "format = $format"
	cdc triggers install
	cdc load
	cdc_status 3 apply --to "$(mysql_url "$db")"
	assert_contains "$T/last.err" "Incorrect string value"
	assert_contains "$T/last.err" "\`t\`.\`v\`"
	assert_eq 0 "$(mysql_exec "$db" "SELECT COUNT(*) FROM t")" "$format: rows in the MariaDB replica"
	cdc apply --to "sqlite:$T/$format/replica.db"
	assert_eq "text FF" "$(sqlite3 "$T/$format/replica.db" "SELECT typeof(v), hex(v) FROM t WHERE id = 1" | tr '|' ' ')" \
		"$format: the SQLite replica's value"
done
