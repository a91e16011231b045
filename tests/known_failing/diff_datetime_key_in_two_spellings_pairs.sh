#!/usr/bin/env bash
# KNOWN FAILING (tests/torture/FINDINGS.md F25; kept out of `make test` by
# living in tests/known_failing/ until fixed; move it to tests/integration
# then). A SQLite table keyed by a DATETIME column whose keys mix the two
# common spellings of a moment ('T' from JavaScript's ISO strings, ' ' from
# SQLite's datetime()) cannot be diffed or verified, not even against a
# copy of itself: SQLite hands the keys over in byte order (' ' < 'T'), diff
# compares them by the canonical spelling, and the order check stops it
# (exit 3, "keys must come in ascending order"). Likewise text keys of a
# column declared TEXT in one database and NUMERIC in the other.
# Found by `python3 tests/torture/torture_diff.py --seed 23 --known-fail`.
source "$(dirname "$0")/../lib/common.sh"

sqlite3 a.db "CREATE TABLE e(at DATETIME PRIMARY KEY, v);
INSERT INTO e VALUES ('2024-01-02T03:04:05Z', 1), ('2024-01-02 03:04:06', 2);
CREATE TABLE t(at TIME PRIMARY KEY, v);
INSERT INTO t VALUES ('2024-01-02 03:04:05', 1), ('3:04:05', 2);"
cp a.db b.db
assert_status 0 "$CDCPACK" diff sqlite:a.db sqlite:b.db
sqlite3 b.db "UPDATE e SET v = 3 WHERE at = '2024-01-02T03:04:05Z'"
assert_status 1 "$CDCPACK" diff --format rows sqlite:a.db sqlite:b.db
assert_eq "U e at='2024-01-02T03:04:05Z'" "$(cat "$T/last.out")" "the one change"

sqlite3 n.db "CREATE TABLE k(k NUMERIC PRIMARY KEY); INSERT INTO k VALUES (3), (10);"
sqlite3 t.db "CREATE TABLE k(k TEXT PRIMARY KEY); INSERT INTO k VALUES ('3'), ('10');"
assert_status 1 "$CDCPACK" diff --format rows sqlite:n.db sqlite:t.db
