#!/usr/bin/env bash
# `cdcpack diff --format rows` on two SQLite files names exactly the keys
# SQLite's own sqldiff (--primarykey) finds, op for op: integer, text,
# composite and rowid keys; keys that differ only in case or trailing blanks;
# NULL vs '' vs 'NULL'; 3 vs 3.0 and -0.0 vs 0 (equal for both); text vs
# blob with the same bytes (different for both).
source "$(dirname "$0")/../lib/common.sh"

sqlite3 a.db "
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer TEXT, amount REAL, note);
CREATE TABLE tags(name TEXT PRIMARY KEY, n) WITHOUT ROWID;
CREATE TABLE pairs(a INT, b TEXT, v, PRIMARY KEY(a, b));
CREATE TABLE loose(x, y);
CREATE TABLE \"odd name\"(\"k ey\" TEXT PRIMARY KEY, v);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)
INSERT INTO orders SELECT i, 'customer ' || (i % 97), i / 7.0,
	CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'NULL' ELSE 'n' || i END FROM s;
INSERT INTO tags VALUES ('a', 1), ('A', 2), ('a ', 3), ('é', 4), ('e', 5), ('z', 6), ('Z', 7);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 400)
INSERT INTO pairs SELECT i % 20, 'k' || (i / 20), i FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 200)
INSERT INTO loose SELECT i, 'y' || i FROM s;
INSERT INTO \"odd name\" VALUES ('it''s', 1), ('two words', 2);
UPDATE orders SET amount = 0.0 WHERE id = 6;"
cp a.db b.db
sqlite3 b.db "
UPDATE orders SET amount = amount + 1 WHERE id % 97 = 3;
UPDATE orders SET note = NULL WHERE id IN (2, 3);
UPDATE orders SET note = '' WHERE id IN (4, 7);
UPDATE orders SET note = 'NULL' WHERE id = 9;
UPDATE orders SET amount = CAST(amount AS INTEGER) WHERE id = 14;
UPDATE orders SET amount = -0.0 WHERE id = 6;
DELETE FROM orders WHERE id % 131 = 5;
INSERT INTO orders VALUES (5000, 'new', 1.5, 'x'), (-1, 'neg', NULL, NULL);
UPDATE tags SET n = 20 WHERE name = 'A';
DELETE FROM tags WHERE name = 'a ';
INSERT INTO tags VALUES ('A ', 8), ('É', 9);
UPDATE pairs SET v = v * 1.0 WHERE a = 3;
UPDATE pairs SET v = CAST(v AS TEXT) WHERE a = 4 AND b = 'k1';
UPDATE pairs SET v = CAST(CAST(v AS TEXT) AS BLOB) WHERE a = 5 AND b = 'k2';
DELETE FROM pairs WHERE a = 7 AND b < 'k3';
INSERT INTO pairs VALUES (7, 'zz', NULL), (99, '', 0);
UPDATE loose SET y = y || '!' WHERE x % 50 = 0;
DELETE FROM loose WHERE x = 17;
INSERT INTO loose VALUES (1000, 'new');
UPDATE \"odd name\" SET v = 3 WHERE \"k ey\" = 'it''s';"

assert_status 1 "$CDCPACK" diff --format rows sqlite:a.db sqlite:b.db
cp "$T/last.out" ours.txt
sqldiff --primarykey a.db b.db >theirs.sql || fail "sqldiff failed"
[[ -s theirs.sql ]] || fail "sqldiff found no difference"

# Both outputs as "OP<TAB>table<TAB>key values (repr)" lines, sorted.
python3 - a.db ours.txt theirs.sql >compare.txt <<'PY'
import re, sqlite3, sys

TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:[^']|'')*')|(?P<blob>[xX]'[0-9a-fA-F]*')
    |(?P<qid>"(?:[^"]|"")*")|(?P<num>-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)
    |(?P<word>[A-Za-z_][A-Za-z_0-9]*)|(?P<punct>[(),=;]))""", re.X)

def tokens(text):
    pos, out = 0, []
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            sys.exit("cannot read: " + text[pos:pos + 40])
        pos = m.end()
        kind = m.lastgroup
        v = m.group(kind)
        if kind == "str":
            out.append(("val", v[1:-1].replace("''", "'")))
        elif kind == "blob":
            out.append(("val", bytes.fromhex(v[2:-1])))
        elif kind == "qid":
            out.append(("id", v[1:-1].replace('""', '"')))
        elif kind == "num":
            f = float(v)
            out.append(("val", int(f) if f == int(f) and abs(f) < 2**62 else f))
        elif kind == "word":
            out.append(("val", None) if v.upper() == "NULL" else ("id", v))
        else:
            out.append(("p", v))
    return out

db = sqlite3.connect(sys.argv[1])
def key_columns(table):
    rows = db.execute("SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk",
                      (table,)).fetchall()
    return [r[0] for r in rows] or ["rowid"]

def pairs_of(toks):  # col = val AND col = val ...
    out, i = {}, 0
    while i < len(toks):
        if toks[i][0] == "id" and i + 2 < len(toks) and toks[i + 1] == ("p", "="):
            out[toks[i][1]] = toks[i + 2][1]
            i += 3
        else:
            i += 1
    return out

def line(op, table, keys):
    cols = key_columns(table)
    return "%s\t%s\t%r" % (op, table, tuple(keys.get(c) for c in cols))

result = []
for text in open(sys.argv[2]):
    t = tokens(text)
    result.append(("ours", line(t[0][1], t[1][1], pairs_of(t[2:]))))
for text in open(sys.argv[3]):
    t = tokens(text)
    verb = t[0][1].upper()
    if verb == "UPDATE":
        where = [i for i, x in enumerate(t) if x == ("id", "WHERE")][0]
        result.append(("sqldiff", line("U", t[1][1], pairs_of(t[where + 1:]))))
    elif verb == "DELETE":
        result.append(("sqldiff", line("D", t[2][1], pairs_of(t[4:]))))
    elif verb == "INSERT":
        table = t[2][1]
        close = t.index(("p", ")"))
        cols = [x[1] for x in t[4:close] if x[0] == "id"]
        vals = [x[1] for x in t[close + 3:] if x[0] == "val"]
        result.append(("sqldiff", line("I", table, dict(zip(cols, vals)))))
    else:
        sys.exit("unexpected sqldiff statement: " + text)
for who in ("ours", "sqldiff"):
    print("== " + who)
    for l in sorted(l for w, l in result if w == who):
        print(l)
PY
awk '/^== ours/{w=1; next} /^== sqldiff/{w=2; next} {print > (w == 1 ? "ours.keys" : "theirs.keys")}' compare.txt
[[ -s ours.keys ]] || fail "no keys read from cdcpack's output"
if ! cmp -s theirs.keys ours.keys; then
	diff theirs.keys ours.keys >&2 || true
	fail "cdcpack diff --format rows and sqldiff name different keys (< sqldiff, > cdcpack)"
fi
# Spot checks of cases both must see alike (whole lines).
has() { grep -qxF -- "$1" ours.txt || fail "cdcpack diff did not report [$1]"; }
lacks() { ! grep -qxF -- "$1" ours.txt || fail "cdcpack diff reported [$1]"; }
has "U tags name='A'"
has "D tags name='a '"
has "I tags name='A '"
has "U \"odd name\" \"k ey\"='it''s'"
has "U pairs a=4 b='k1'"
has "U pairs a=5 b='k2'"
has "U orders id=9"
has "U orders id=4"
lacks "U orders id=14"
lacks "U orders id=6"
lacks "U pairs a=3 b='k0'"
echo "$(wc -l <ours.keys) differing keys agree with sqldiff"
