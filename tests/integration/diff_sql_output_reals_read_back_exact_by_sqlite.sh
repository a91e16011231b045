#!/usr/bin/env bash
# `diff --format sql` spells each REAL so that SQLite reads back the same
# double (FINDINGS.md F27). SQLite before 3.43 (Debian 12 has 3.40) reads
# some shortest numerals one unit in the last place off (0.7% of random
# doubles of any exponent, e.g. 1.1493914778300023e-306), so a DELETE or
# UPDATE keyed by such a REAL matched nothing and an INSERT or SET stored
# another number, and the statements "applied" while A stayed unequal to B.
# Such a REAL is now exact arithmetic on an integer numeral, (m.0 / 2^62 /
# ...), which any SQLite computes exactly; others keep their spelling.
# Fails without the fix: after the statements diff still finds the keys.
# Found by `python3 tests/torture/torture_diff.py --seed 100162` (and 165).
source "$(dirname "$0")/../lib/common.sh"

python3 - <<'PY'
import sqlite3
bad = [float.fromhex(h) for h in ("0x1.9d402989478f8p-1017", "-0x1.db86b6201972ep-1019",
       "0x1.7f76019cdcbcep-1017", "0x1.f610e71510aefp-974", "-0x1.e32c1afec042dp-1015",
       "0x1.d9227d733d669p-1013")]
assert sqlite3.connect(":memory:").execute("SELECT %r" % bad[0]).fetchone()[0] != bad[0] or \
    sqlite3.sqlite_version_info >= (3, 43), "this SQLite reads the numerals exactly"
schema = ("CREATE TABLE k(r REAL PRIMARY KEY, v, u) WITHOUT ROWID;"
          "CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL, u)")
for path, rows_k, rows_t in (
        ("a.db", [(bad[0], 1, 0.5), (bad[1], 2, 0.5), (bad[2], 3, 0.5)],
         [(1, bad[3], bad[4]), (2, 5e-324, 1.7976931348623157e308)]),
        ("b.db", [(bad[0], 1, bad[5]), (bad[1], 2, 0.5), (bad[3], 4, 0.25)],
         [(1, bad[4], bad[3]), (2, 5e-324, 1.7976931348623157e308), (3, bad[5], 0.1)])):
    con = sqlite3.connect(path)
    con.executescript(schema)
    con.executemany("INSERT INTO k VALUES (?, ?, ?)", rows_k)
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows_t)
    con.commit()
PY

assert_status 1 "$CDCPACK" diff --format sql sqlite:a.db sqlite:b.db
cp "$T/last.out" change.sql
assert_contains change.sql "DELETE FROM \"k\" WHERE \"r\" = (3372958293091815.0 / 4611686018427387904 / "
sqlite3 a.db <change.sql || fail "the statements do not apply to A"
assert_status 0 "$CDCPACK" diff sqlite:a.db sqlite:b.db
dump() { python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for t in ('k', 't'):
    for row in c.execute('SELECT * FROM %s ORDER BY 1' % t):
        print(t, [x.hex() if isinstance(x, float) else x for x in row])" "$1"; }
assert_eq "$(dump b.db)" "$(dump a.db)" "A and B bit for bit"
# Plain REALs keep their shortest spelling.
sqlite3 c.db "CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL, u); INSERT INTO t VALUES (1, 0.1, 2.5)"
assert_status 1 "$CDCPACK" diff --format sql --table t sqlite:b.db sqlite:c.db
assert_contains "$T/last.out" 'UPDATE "t" SET "r" = 0.1, "u" = 2.5 WHERE "id" = 1;'
