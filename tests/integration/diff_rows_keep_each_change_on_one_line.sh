#!/usr/bin/env bash
# `diff --format rows` prints one line per differing key (FINDINGS.md F26).
# A text key holding a newline printed as a quoted literal took two lines,
# so a key could forge a change line of its own, and an ESC reached the
# terminal; a table name with a newline did the same. Such a key is now
# CAST(X'..' AS TEXT) (still SQLite's SQL: it evaluates to the key), such a
# name is spelt as reports spell names (\xHH). Plain keys and names keep
# their spelling.
# Fails without the fix: 3 changes print as 5 lines, the ESC passes raw.
# Found by `python3 tests/torture/torture_diff.py --seed 31`.
source "$(dirname "$0")/../lib/common.sh"

sqlite3 a.db "CREATE TABLE t(k TEXT PRIMARY KEY, v);
INSERT INTO t VALUES ('plain', 1), ('two' || char(10) || 'D t k=''forged''', 2),
	('esc' || char(27) || '[2J', 3);
CREATE TABLE \"new
line\"(id INTEGER PRIMARY KEY, v);
INSERT INTO \"new
line\" VALUES (1, 'x');"
sqlite3 b.db "CREATE TABLE t(k TEXT PRIMARY KEY, v);
CREATE TABLE \"new
line\"(id INTEGER PRIMARY KEY, v);
INSERT INTO \"new
line\" VALUES (1, 'y');"

assert_status 1 "$CDCPACK" diff --format rows sqlite:a.db sqlite:b.db
cp "$T/last.out" rows.txt
assert_eq 4 "$(wc -l <rows.txt)" "lines for 4 changes: $(cat -A rows.txt)"
if grep -q $'\x1b' rows.txt; then fail "an ESC reached the output: $(cat -A rows.txt)"; fi
assert_contains rows.txt "D t k='plain'"
assert_contains rows.txt 'U "new\x0Aline" id=1'
# Each key as printed is SQL that gives back the key's bytes.
while read -r _ table key; do
	[ "$table" = t ] || continue
	expr=${key#k=}
	assert_eq 1 "$(sqlite3 a.db "SELECT count(*) FROM t WHERE k = $expr")" "key $expr"
done <rows.txt
