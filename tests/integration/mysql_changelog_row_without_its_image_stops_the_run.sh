#!/usr/bin/env bash
# MariaDB: a changelog row whose row image the trigger could not build (NULL,
# e.g. a value larger than max_allowed_packet) is never shipped as a hole:
# an insert without its new image stops the run (exit 3, naming the seq),
# nothing is published or acknowledged, and the changelog keeps its rows.
# The row is written by hand here: the server does not make one on demand.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db no_image)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(20))"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
mysql_exec "$db" "INSERT INTO t VALUES (1, 'one');
	INSERT INTO cdcpack_changelog (ts, op, tbl, ver, old_image, new_image)
	SELECT ts, 'I', tbl, ver, NULL, NULL FROM cdcpack_changelog ORDER BY seq DESC LIMIT 1"
seq=$(mysql_exec "$db" "SELECT MAX(seq) FROM cdcpack_changelog")
published_before=$(find "$T/bucket" -name '*.tar.zst' | wc -l)

got=0
"$CDCPACK" run >"$T/run.out" 2>"$T/run.err" || got=$?
assert_eq 3 "$got" "exit status of the run ($(cat "$T/run.err"))"
assert_contains "$T/run.err" "seq $seq: op 'I' without its row images"
assert_eq "$published_before" "$(find "$T/bucket" -name '*.tar.zst' | wc -l)" "archives after the refused run"
assert_eq 2 "$(mysql_changelog_count "$db")" "changelog rows after the refused run"
