#!/usr/bin/env python3
"""Differential hunt of `cdcpack diff` on SQLite pairs (tests/torture/README,
"diff against an oracle").

Each seeded case builds a random database A (random schemas: INTEGER, TEXT,
composite and rowid keys, WITHOUT ROWID, collations, affinities) filled from
a pool of awkward values (NULL, '', 0, X'', 1 / 1.0 / '1', -0.0, full
precision REALs, +-Inf, long text, text with NUL, newlines, invalid UTF-8,
keys differing only in case or trailing spaces, respelt date-times), copies
it to B, mutates B at random (rows, keys, tables, columns) and checks:

  1. `cdcpack diff --json` against an oracle written here over Python's
     sqlite3 with the documented comparison (docs/design.md §6,
     src/format/rowhash.h: tables and columns paired by name ignoring case,
     rows by key, values in canonical form: 3 = 3.0, -0.0 = 0, DECIMAL text
     read as a number, one spelling of a date-time): per table the status,
     the I/U/D counts, the columns on one side only, and the exit code;
  2. `--format rows`: one line per change;
  3. `--format sql` applied to a copy of A runs without error and leaves it
     equal to B (oracle and cdcpack diff both say so) in every table whose
     rows were compared and whose shared columns are declared alike;
  4. `--format jsonl` and `--format csv --out DIR`: one change each, the
     ops counted as the oracle counts them;
  5. SQLite's own sqldiff applied to a copy of A makes it equal to B, and
     cdcpack diff then exits 0 (same schemas only).

With --verify a case is `cdcpack verify` of a source against a replica
applied from its chain, then with drift in either (tests/torture/README).

Everything random comes from random.Random(SEED); a failing case prints the
command that replays it.

    python3 tests/torture/torture_diff.py --seed 7 --cases 50
    python3 tests/torture/torture_diff.py --seconds 50        # seeds from the clock
"""

import argparse
import copy
import csv
import json
import math
import os
import random
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class Text(bytes):
    """A TEXT value's bytes (sqlite3's text_factory), told apart from a BLOB."""


# ---------------------------------------------------------------- oracle


DEC, TEMP, PLAIN, FLOAT32 = "dec", "temp", "plain", "float32"
INT_WORDS = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint"}
DEC_WORDS = {"decimal", "numeric", "dec", "fixed"}
TEMP_WORDS = {"timestamp", "date", "datetime", "time", "year"}


def canon_class(decl, driver="sqlite"):
    """How a declared type's values compare (rowhash.h, enum canon_class):
    a FLOAT is single precision in MySQL/MariaDB, a double in SQLite."""
    s = decl.lstrip()
    m = re.match(r"[A-Za-z0-9_]*", s)
    word = m.group(0).lower()
    if word == "float" and driver == "mysql":
        return FLOAT32
    if s[:4].lower() == "year" and not (len(s) > 4 and s[4].isalnum()):
        return DEC
    if word in DEC_WORDS:
        return DEC
    if word in INT_WORDS:
        tail = s[s.rfind(")"):] if ")" in s else s[len(word):]
        return DEC if "unsigned" in tail.lower() else PLAIN
    if word in TEMP_WORDS:
        return TEMP
    return PLAIN


def merge_class(a, b):
    return b if a == PLAIN else a


I64 = 2**63


def canon_real(r):
    if math.isnan(r):
        return ("R", "nan")
    if -I64 <= r < I64 and r == int(r):
        return ("I", int(r))
    return ("R", r)


DECIMAL_RE = re.compile(rb"^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$")


def canon_decimal(b):
    """A decimal numeral as the number it is, else None (stays text)."""
    m = DECIMAL_RE.match(b)
    if not m or not (m.group(2) or m.group(3)):
        return None
    if m.group(4) is not None and len(m.group(4).lstrip(b"+-")) > 6:
        return None
    neg = m.group(1) == b"-"
    intd, frac = m.group(2), m.group(3) or b""
    exp = int(m.group(4)) if m.group(4) else 0
    digits = (intd + frac).lstrip(b"0")
    exp -= len(frac)
    if len(digits) > 80:
        return None
    while digits.endswith(b"0"):
        digits = digits[:-1]
        exp += 1
    if not digits:
        return ("I", 0)
    if exp >= 0 and len(digits) + exp <= 19:
        v = int(digits) * 10**exp
        v = -v if neg else v
        if -I64 <= v < I64:
            return ("I", v)
    text = ("-" if neg else "") + digits.decode() + "e" + str(exp)
    r = float(text)
    if len(digits) <= 15 or shortest_digits(r) == (neg, digits, exp):
        return canon_real(r)
    return ("D", neg, digits, exp)


def shortest_digits(r):
    for prec in (15, 16, 17):
        s = "%.*e" % (prec - 1, r)
        if float(s) == r:
            break
    mant, e = s.split("e")
    neg = mant.startswith("-")
    mant = mant.lstrip("-")
    intd, _, frac = mant.partition(".")
    digits = (intd + frac).lstrip("0")
    exp = int(e) - len(frac)
    while digits.endswith("0"):
        digits = digits[:-1]
        exp += 1
    return (neg, digits.encode(), exp)


CLOCK_RE = re.compile(rb"^(-?)([0-9]{1,3}):([0-9]{2})(?::([0-9]{2}))?(?:\.([0-9]*))?")


def norm_clock(b):
    """'H:MM[:SS][.fff]' as 'HH:MM:SS[.fff]', and the rest of b; None if no time."""
    m = CLOCK_RE.match(b)
    if not m:
        return None
    sign, h, mi, sec, frac = m.groups()
    if len(h) == 1:
        h = b"0" + h
    out = sign + h + b":" + mi + b":" + (sec or b"00")
    if frac is not None:
        frac = frac.rstrip(b"0")
        if frac:
            out += b"." + frac
    return out, b[m.end():]


def canon_temporal(b):
    date = re.match(rb"^[0-9]{4}-[0-9]{2}-[0-9]{2}", b) is not None and len(b) >= 10
    if date and len(b) > 11 and b[10:11] in (b" ", b"T", b"t"):
        if b[11:12] == b"-":
            return b
        c = norm_clock(b[11:])
        if c and c[1] in (b"", b"Z", b"z", b"+00:00", b"-00:00", b"+0000"):
            return b[:10] + b" " + c[0]
        return b
    if not date:
        c = norm_clock(b)
        if c and c[1] == b"":
            return c[0]
    return b


def float32(r):
    """r rounded to single precision, as C's (double)(float)r."""
    if math.isinf(r) or math.isnan(r) or abs(r) < 3.4028235677973366e38:
        return struct.unpack("<f", struct.pack("<f", r))[0]
    return math.copysign(math.inf, r)


def canon(v, cls):
    if v is None:
        return ("N",)
    if isinstance(v, int):
        return ("I", v)
    if isinstance(v, float):
        return canon_real(float32(v) if cls == FLOAT32 else v)
    if isinstance(v, Text):
        b = bytes(v)
        if cls == DEC and len(b) < 80:
            d = canon_decimal(b)
            if d is not None:
                return d
        if cls == TEMP:
            b = canon_temporal(b)
        return ("T", b)
    return ("B", bytes(v))


def connect(path):
    con = sqlite3.connect(path)
    con.text_factory = Text
    return con


def q(name):
    return '"' + name.replace('"', '""') + '"'


def describe(con, table):
    """(columns [(name, type, is_key)], rowid_key) as the SQLite driver reads them."""
    cols = [
        (n.decode() if isinstance(n, bytes) else n, (t or b"").decode(), pk > 0)
        for n, t, pk in con.execute(
            "SELECT name, type, pk FROM pragma_table_xinfo(?) WHERE hidden IN (0, 2, 3) "
            "ORDER BY cid",
            (table,),
        )
    ]
    if not any(k for _, _, k in cols):
        return [("rowid", "INTEGER", True)] + cols, True
    return cols, False


def list_tables(con):
    return [
        r[0].decode()
        for r in con.execute(
            "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' AND coalesce(sql,'') NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
        )
    ]


def read_rows(con, table, cols, rowid):
    sel = ", ".join("rowid" if rowid and i == 0 else q(c[0]) for i, c in enumerate(cols))
    return con.execute("SELECT %s FROM %s" % (sel, q(table))).fetchall()


class SqliteSide:
    """The oracle's view of one SQLite database (a sibling harness gives
    other engines' sides the same methods)."""

    driver = "sqlite"

    def __init__(self, path):
        self.path = path
        self.url = "sqlite:" + path
        self.con = connect(path)

    def tables(self):
        return list_tables(self.con)

    def describe(self, table):
        return describe(self.con, table)

    def rows(self, table, cols, rowid):
        return read_rows(self.con, table, cols, rowid)

    def close(self):
        self.con.close()


def side(x):
    """A side object as is; a path as its SQLite side."""
    return SqliteSide(x) if isinstance(x, str) else x


def url(x):
    return "sqlite:" + x if isinstance(x, str) else x.url


def find(names, name, other=()):
    """name as names spell it: exactly, else the one match in another case
    that nothing in other (the list name comes from) claims: other holds
    neither that spelling nor a second name in some case (MariaDB's t and T)."""
    if name in names:
        return name
    m = [n for n in names if n.lower() == name.lower()]
    if len(m) != 1 or m[0] in other or sum(n.lower() == name.lower() for n in other) > 1:
        return None
    return m[0]


def oracle(path_a, path_b, verify=False):
    """What diff must report: {table: {...}}, differences. verify: what
    `verify` must, A the source and B a replica (A's tables but cdcpack's
    own; columns only the replica has do not count)."""
    ca, cb = side(path_a), side(path_b)
    ta, tb = ca.tables(), cb.tables()
    order = list(ta) + [t for t in tb if not find(ta, t, tb)]
    if verify:
        order = [t for t in ta if not t.lower().startswith("cdcpack_")]
    out, total = {}, 0
    for name in order:
        na, nb = find(ta, name, tb), find(tb, name, ta)
        r = {"inserted": 0, "updated": 0, "deleted": 0, "only_a": [], "only_b": []}
        if na and not nb:
            r["status"] = "only_in_a"
            r["deleted"] = len(ca.rows(na, *ca.describe(na)))
        elif nb and not na:
            r["status"] = "only_in_b"
            r["inserted"] = len(cb.rows(nb, *cb.describe(nb)))
        else:
            compare_table(ca, na, cb, nb, r)
        out[na or nb] = r
        cols = 1 if r["only_a"] or (r["only_b"] and not verify) else 0
        total += r["inserted"] + r["updated"] + r["deleted"] + (r["status"] != "compared") + cols
    for s, x in ((ca, path_a), (cb, path_b)):
        if s is not x:
            s.close()
    return out, total


def compare_table(ca, na, cb, nb, r):
    da, rowid_a = ca.describe(na)
    db, rowid_b = cb.describe(nb)
    dra, drb = ca.driver, cb.driver
    bidx = {c[0].lower(): j for j, c in enumerate(db)}
    aidx = {c[0].lower(): i for i, c in enumerate(da)}
    pairs = []
    for i, c in enumerate(da):
        j = bidx.get(c[0].lower())
        if j is None:
            r["only_a"].append(c[0])
        else:
            pairs.append((i, j, merge_class(canon_class(c[1], dra), canon_class(db[j][1], drb))))
    r["only_b"] = [c[0] for c in db if c[0].lower() not in aidx]
    ka = [i for i, c in enumerate(da) if c[2]]
    kb = [j for j, c in enumerate(db) if c[2]]
    if len(ka) != len(kb) or not ka or any(
        da[i][0].lower() != db[j][0].lower() for i, j in zip(ka, kb)
    ):
        r["status"] = "keys_differ"
        return
    r["status"] = "compared"
    kcls = [merge_class(canon_class(da[i][1], dra), canon_class(db[j][1], drb))
            for i, j in zip(ka, kb)]

    def index(rows, keys, side):
        d = {}
        for row in rows:
            k = tuple(canon(row[c], cl) for c, cl in zip(keys, kcls))
            h = tuple(canon(row[p[side]], p[2]) for p in pairs)
            if k in d:
                raise Dup(k)
            d[k] = h
        return d

    ra = index(ca.rows(na, da, rowid_a), ka, 0)
    rb = index(cb.rows(nb, db, rowid_b), kb, 1)
    for k, h in rb.items():
        if k not in ra:
            r["inserted"] += 1
        elif ra[k] != h:
            r["updated"] += 1
    r["deleted"] = sum(1 for k in ra if k not in rb)


class Dup(Exception):
    pass


# ---------------------------------------------------------------- generator

TYPES = [
    "INTEGER", "TEXT", "REAL", "BLOB", "", "NUMERIC", "DECIMAL(10,2)", "DATETIME", "DATE",
    "VARCHAR(20)", "INT UNSIGNED", "FLOAT", "BOOLEAN", "TIME",
]
COLLATIONS = ["", "", "", " COLLATE NOCASE", " COLLATE RTRIM"]


def rand_real(rng):
    while True:
        r = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if not math.isnan(r):
            return r


def value_pool(rng):
    """An awkward value: (sql_expression, params)."""
    k = rng.randrange(30)
    if k == 0:
        return "NULL", ()
    if k == 1:
        return "''", ()
    if k == 2:
        return "0", ()
    if k == 3:
        return "X''", ()
    if k == 4:
        return rng.choice(["1", "1.0", "'1'", "'1.0'", "'01'", "' 1'", "X'31'"]), ()
    if k == 5:
        return rng.choice(["-0.0", "0.0", "'-0'", "'0.00'"]), ()
    if k == 6:
        return "?", (rand_real(rng),)
    if k == 7:
        return rng.choice(["9e999", "-9e999", "1e308", "5e-324", "0.1", "2.5", "1e20"]), ()
    if k == 8:
        return "?", (rng.choice([2**63 - 1, -(2**63), 2**53 + 1, -1, 42, 10**18]),)
    if k == 9:
        return "?", ("x" * rng.randrange(200, 3000),)
    if k == 10:
        return "CAST(? AS TEXT)", (rng.choice([b"a\x00b", b"\x00", b"line\nbreak", b"\xff\xfe",
                                               b"caf\xc3\xa9", b"\xc3", b"tab\there"]),)
    if k == 11:
        return "?", (bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 40))),)
    if k == 12:
        return "?", (rng.choice(["a", "A", "a ", "A ", "b", "B", "ab", "Ab"]),)
    if k == 13:
        return "?", (rng.choice([
            "2024-01-02 03:04:05", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05.000",
            "2024-01-02T03:04:05+00:00", "2024-01-02 03:04:05.5", "2024-01-02 03:04:05.50",
            "03:04", "3:04:05", "2024-01-02", "2024-01-02t03:04:05z", "2024-01-02 3:04:05",
        ]),)
    if k == 14:
        return "?", (rng.choice(["1.50", "1.5", "12345678901234567890.5", "-0", "1e5", "0x10",
                                 "1.000000000000000000001", "123456789012345678901"]),)
    if k == 15:
        return "?", (rng.choice(["Infinity", "NaN", "inf", "-Infinity", "null", "NULL"]),)
    if k < 22:
        return "?", (rng.randrange(-5, 50),)
    if k < 26:
        return "?", ("".join(rng.choice("abAB \n'\"") for _ in range(rng.randrange(0, 6))),)
    return "?", (rng.choice([0.5, 1.25, -3.0, 3.0, 1e-7, 123.456]),)


def key_pool(rng, typ):
    """A key value: mostly small and colliding, sometimes awkward; never NULL."""
    while True:
        e, p = value_pool(rng) if rng.random() < 0.4 else ("?", (rng.randrange(0, 12),))
        if e != "NULL":
            if "INT" in typ.upper() and typ.upper() != "INT UNSIGNED" and rng.random() < 0.7:
                return "?", (rng.randrange(-3, 40),)
            return e, p


class Table:
    def __init__(self, rng, name):
        self.name = name
        ncols = rng.randrange(1, 5)
        self.cols = []
        for i in range(ncols):
            typ = rng.choice(TYPES)
            self.cols.append([rng.choice(["c%d" % i, "C%d" % i, "col %d" % i, 'q"%d' % i]),
                              typ, rng.choice(COLLATIONS) if typ in ("TEXT", "", "VARCHAR(20)")
                              else ""])
        shape = rng.choice(["ipk", "pk1", "pkn", "none", "wr1", "wrn"])
        if shape in ("pkn", "wrn") and ncols < 2:
            shape = shape[:-1] + "1"
        self.shape = shape
        if shape == "ipk":
            self.cols.insert(0, ["id", "INTEGER", ""])
            self.keys = [0]
        elif shape in ("pk1", "wr1"):
            self.keys = [rng.randrange(ncols)]
        elif shape in ("pkn", "wrn"):
            self.keys = sorted(rng.sample(range(ncols), 2))
            if rng.random() < 0.5:
                self.keys.reverse()  # PRIMARY KEY (b, a): the key's own order
        else:
            self.keys = []
        # a generated column now and then: read like any column, never set
        self.gen = []
        if rng.random() < 0.2:
            src = q(self.cols[-1][0])
            self.gen.append('"gen" %s AS (%s) %s' % (
                rng.choice(["", "TEXT", "INTEGER"]),
                rng.choice(["typeof(%s)" % src, "%s || ''" % src, "length(%s)" % src]),
                rng.choice(["VIRTUAL", "STORED"])))

    def create_sql(self, cols=None):
        cols = cols if cols is not None else self.cols
        defs = []
        for i, (n, t, coll) in enumerate(cols):
            d = q(n) + (" " + t if t else "") + coll
            if self.shape == "ipk" and i == 0:
                d += " PRIMARY KEY"
            if self.shape.startswith("wr"):
                d += " NOT NULL" if i in self.keys else ""
            defs.append(d)
        defs.extend(getattr(self, "gen", []))
        if self.shape in ("pk1", "pkn", "wr1", "wrn"):
            defs.append("PRIMARY KEY (%s)" % ", ".join(q(cols[k][0]) for k in self.keys))
        tail = " WITHOUT ROWID" if self.shape.startswith("wr") else ""
        return "CREATE TABLE %s (%s)%s" % (q(self.name), ", ".join(defs), tail)

    def row_values(self, rng):
        exprs, params = [], []
        for i, (n, t, _) in enumerate(self.cols):
            if self.shape == "ipk" and i == 0:
                e, p = "?", (rng.randrange(1, 60),)
            elif i in self.keys:
                e, p = key_pool(rng, t)
            else:
                e, p = value_pool(rng)
            exprs.append(e)
            params.extend(p)
        return exprs, params

    def insert(self, con, rng, verb="INSERT OR IGNORE"):
        exprs, params = self.row_values(rng)
        try:
            con.execute(
                "%s INTO %s (%s) VALUES (%s)"
                % (verb, q(self.name), ", ".join(q(c[0]) for c in self.cols), ", ".join(exprs)),
                params,
            )
        except sqlite3.IntegrityError:
            pass  # a non-integer into a rowid alias, NOT NULL: the row is not written


def build(rng, path, ntables):
    con = sqlite3.connect(path)
    names = rng.sample(["t", "Orders", "item s", 'we"ird', "k", "Users", "x1", "log"], ntables)
    tables = [Table(rng, n) for n in names]
    for t in tables:
        con.execute(t.create_sql())
        for _ in range(rng.randrange(0, 40)):
            t.insert(con, rng)
    con.commit()
    con.close()
    return tables


def some_rowid(con, t, rng):
    rows = con.execute("SELECT rowid FROM %s ORDER BY 1" % q(t.name)).fetchall() if not \
        t.shape.startswith("wr") else []
    return rng.choice(rows)[0] if rows else None


def recreate(rng, con, t, log):
    """The table again with its columns in another order, some declared
    otherwise or named in another case, and its rows copied over."""
    cols = [list(c) for c in t.cols]
    order = list(range(len(cols)))
    rng.shuffle(order)
    if t.shape == "ipk":
        order.remove(0)
        order.insert(0, 0)  # the rowid alias stays first, so rows keep their keys
    new = [cols[i] for i in order]
    for c in new:
        if rng.random() < 0.3 and not (t.shape == "ipk" and c is new[0]):
            c[1] = rng.choice(TYPES)
            c[2] = c[2] if c[1] in ("TEXT", "", "VARCHAR(20)") else ""
        if rng.random() < 0.3:
            c[0] = c[0].swapcase()
    keys = [order.index(k) for k in t.keys]
    old = t.name
    tmp = Table.__new__(Table)
    tmp.name, tmp.cols, tmp.keys, tmp.shape = old, new, keys, t.shape
    tmp.gen = t.gen = []  # the recreated table computes nothing
    con.execute("ALTER TABLE %s RENAME TO %s" % (q(old), q(old + "_old")))
    con.execute(tmp.create_sql())
    names = ", ".join(q(c[0]) for c in new)
    olds = ", ".join(q(cols[i][0]) for i in order)
    sel = "SELECT %s FROM %s" % (olds, q(old + "_old"))
    if t.shape in ("none",):
        con.execute("INSERT OR IGNORE INTO %s (rowid, %s) SELECT rowid, %s FROM %s"
                    % (q(old), names, olds, q(old + "_old")))
    else:
        con.execute("INSERT OR IGNORE INTO %s (%s) %s" % (q(old), names, sel))
    con.execute("DROP TABLE %s" % q(old + "_old"))
    t.cols, t.keys = new, keys
    log.append("recreate %s (%s)" % (old, ", ".join("%s %s" % (c[0], c[1]) for c in new)))


def mutate(rng, path, tables, log):
    con = sqlite3.connect(path)
    con.text_factory = bytes
    for _ in range(rng.randrange(0, 12) if tables else 0):
        t = rng.choice(tables)
        op = rng.randrange(16)
        try:
            if op < 3:
                t.insert(con, rng, rng.choice(["INSERT OR IGNORE", "INSERT OR REPLACE"]))
                log.append("insert %s" % t.name)
            elif op < 5:
                wr = t.shape.startswith("wr")
                sel = "SELECT %s FROM %s" % (q(t.cols[t.keys[0]][0]) if wr else "rowid",
                                             q(t.name))
                rows = con.execute(sel + " ORDER BY 1").fetchall()
                if rows:
                    col = q(t.cols[t.keys[0]][0]) if wr else "rowid"
                    con.execute("DELETE FROM %s WHERE %s IS ?" % (q(t.name), col),
                                rng.choice(rows))
                    log.append("delete %s" % t.name)
            elif op < 9 and not t.shape.startswith("wr"):
                rid = some_rowid(con, t, rng)
                if rid is not None:
                    i = rng.randrange(len(t.cols))
                    if t.shape == "ipk" and i == 0:
                        e, p = "?", (rng.randrange(1, 60),)
                    elif i in t.keys:
                        e, p = key_pool(rng, t.cols[i][1])
                    else:
                        e, p = value_pool(rng)
                    con.execute("UPDATE OR IGNORE %s SET %s = %s WHERE rowid = ?"
                                % (q(t.name), q(t.cols[i][0]), e), tuple(p) + (rid,))
                    log.append("update %s.%s" % (t.name, t.cols[i][0]))
            elif op == 9 and not t.shape.startswith("wr"):
                # the same value, another spelling: equal by the documented comparison
                rid = some_rowid(con, t, rng)
                i = rng.randrange(len(t.cols))
                if rid is not None:
                    con.execute("UPDATE OR IGNORE %s SET %s = CASE WHEN typeof(%s) = 'integer' "
                                "THEN %s + 0.0 WHEN typeof(%s) = 'real' AND %s = 0 THEN -0.0 "
                                "ELSE %s END WHERE rowid = ?"
                                % ((q(t.name),) + (q(t.cols[i][0]),) * 6), (rid,))
                    log.append("respell %s.%s" % (t.name, t.cols[i][0]))
            elif op == 10 and rng.random() < 0.3:
                con.execute("ALTER TABLE %s ADD COLUMN %s %s" % (
                    q(t.name), q("extra%d" % rng.randrange(3)), rng.choice(TYPES)))
                log.append("add column %s" % t.name)
            elif op == 11 and rng.random() < 0.2:
                nt = Table(rng, rng.choice(["new1", "T", "orders", "Extra"]))
                con.execute(nt.create_sql())
                for _ in range(rng.randrange(0, 5)):
                    nt.insert(con, rng)
                log.append("create %s" % nt.name)
            elif op == 12 and rng.random() < 0.15:
                con.execute("DROP TABLE %s" % q(t.name))
                tables.remove(t)
                log.append("drop %s" % t.name)
                if not tables:
                    break
            elif op == 13 and rng.random() < 0.2:
                con.execute("DELETE FROM %s" % q(t.name))
                log.append("empty %s" % t.name)
            elif op == 14 and rng.random() < 0.2:
                # the same table under its name in another case
                other = t.name.swapcase()
                if other != t.name:
                    con.execute("ALTER TABLE %s RENAME TO %s" % (q(t.name), q(other)))
                    log.append("rename %s -> %s" % (t.name, other))
                    t.name = other
            elif op == 15 and rng.random() < 0.2:
                recreate(rng, con, t, log)
        except sqlite3.DatabaseError as e:
            log.append("(%s: %s)" % (op, e))
    con.commit()
    con.close()


# ---------------------------------------------------------------- checks


class Failure(Exception):
    pass


def refused(p):
    """Two keys of one side are one value by the comparison (two spellings of
    one moment, say): diff and verify must refuse to pair that table's rows
    (exit 3), never pair either key with the other side's row."""
    if p.returncode != 3 or b"cannot be paired" not in p.stderr:
        raise Failure("keys equal by the comparison: exit %d (want 3, cannot be paired): %s"
                      % (p.returncode, p.stderr.decode(errors="replace")[-600:]))
    return "skip"


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, **kw)
    if b"Sanitizer" in p.stderr or b"runtime error:" in p.stderr:  # bin/cdcpack-asan
        raise Failure("%s: %s" % (" ".join(cmd[:4]), p.stderr.decode(errors="replace")[-1500:]))
    return p


def cdc_diff(binary, a, b, fmt="summary", out=None):
    cmd = [binary, "-q", "--json", "diff", "--format", fmt, url(a), url(b)]
    if out:
        cmd += ["--out", out]
    p = run(cmd, timeout=120)
    if p.returncode not in (0, 1):
        raise Failure("diff %s exited %d: %s" % (fmt, p.returncode, p.stderr.decode(errors="replace")[-800:]))
    rep = json.loads(p.stdout) if fmt == "summary" or out else None
    return p, rep


def verify_case(binary, seed, work, verbose):
    """verify of a source against a replica applied from its chain, then
    with random drift in the replica and in the source."""
    rng = random.Random(seed)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    src, rep = os.path.join(work, "src.db"), os.path.join(work, "replica.db")
    tables = build(rng, src, rng.randrange(1, 4))
    conf = os.path.join(work, "cdcpack.conf")
    with open(conf, "w") as f:
        f.write("[source]\nurl = sqlite:%s\nname = src\n[target]\nurl = file:%s/bucket\n"
                "[state]\ndir = %s/state\n" % (src, work, work))
    for cmd in (["triggers", "install"], ["load"], ["apply", "--to", "sqlite:" + rep]):
        p = run([binary, "-q", "-c", conf] + cmd, timeout=120)
        if p.returncode != 0:
            raise Failure("%s exited %d: %s" % (" ".join(cmd), p.returncode,
                                                 p.stderr.decode(errors="replace")[-600:]))
    log = []
    for step in ("applied", "replica drift", "source drift"):
        if step == "replica drift":
            mutate(rng, rep, copy.deepcopy(tables), log)
        elif step == "source drift":
            mutate(rng, src, list(tables), log)
        if verbose:
            print("  %s: %s" % (step, ", ".join(log)))
        p = run([binary, "-q", "--json", "-c", conf, "verify", "--against", "sqlite:" + rep],
                timeout=120)
        try:
            expect, total = oracle(src, rep, verify=True)
        except Dup:
            return refused(p)
        if p.returncode not in (0, 1):
            raise Failure("verify (%s) exited %d: %s" % (step, p.returncode,
                                                         p.stderr.decode(errors="replace")[-600:]))
        try:
            check_report(json.loads(p.stdout), p.returncode, expect, total)
        except Failure as e:
            raise Failure("verify (%s): %s" % (step, e))
    return "ok"


def check_report(rep, code, expect, total):
    got = {t["name"]: t for t in rep["tables"]}
    if set(got) != set(expect):
        raise Failure("tables: diff %s, oracle %s" % (sorted(got), sorted(expect)))
    for name, e in expect.items():
        g = got[name]
        gv = (g["status"], g["inserted"], g["updated"], g["deleted"],
              sorted(g["columns_only_in_a"]), sorted(g["columns_only_in_b"]))
        ev = (e["status"], e["inserted"], e["updated"], e["deleted"], sorted(e["only_a"]),
              sorted(e["only_b"]))
        if gv != ev:
            raise Failure("table %s: diff says %s, oracle %s" % (name, gv, ev))
    if rep["differences"] != total or code != (1 if total else 0):
        raise Failure("differences: diff %s (exit %d), oracle %d" % (rep["differences"], code,
                                                                   total))


def op_counts(expect):
    return {op: sum(e[k] for e in expect.values() if e["status"] == "compared")
            for op, k in (("I", "inserted"), ("U", "updated"), ("D", "deleted"))}


def check_rows_and_change_files(binary, a, b, work, expect, code):
    """--format rows: one line per change, the summary's exit code; then the
    change files (check_change_files). a and b: paths or sides."""
    rows = run([binary, "-q", "diff", "--format", "rows", url(a), url(b)])
    changes = sum(e["inserted"] + e["updated"] + e["deleted"] for e in expect.values()
                  if e["status"] == "compared")
    lines = rows.stdout.count(b"\n")
    if rows.returncode != code or lines != changes:
        raise Failure("--format rows: %d lines (exit %d), %d changes (exit %d)"
                      % (lines, rows.returncode, changes, code))
    check_change_files(binary, a, b, work, expect)


def check_change_files(binary, a, b, work, expect):
    """--format jsonl: one object per change; --format csv --out DIR: one
    record per change (Op first), in one file per compared table."""
    want = op_counts(expect)
    p = run([binary, "-q", "diff", "--format", "jsonl", url(a), url(b)])
    got = {"I": 0, "U": 0, "D": 0}
    for line in p.stdout.splitlines():
        try:
            got[json.loads(line)["op"]] += 1
        except (ValueError, KeyError) as e:
            raise Failure("--format jsonl: a line that is no change: %r (%s)" % (line[:200], e))
    if got != want:
        raise Failure("--format jsonl: %s, oracle %s" % (got, want))
    out = os.path.join(work, "csv")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    p = run([binary, "-q", "diff", "--format", "csv", "--out", out, url(a), url(b)])
    got = {"I": 0, "U": 0, "D": 0}
    for f in os.listdir(out):
        with open(os.path.join(out, f), newline="", encoding="utf-8",
                  errors="surrogateescape") as fh:
            for rec in csv.reader(fh):
                got[rec[0]] = got.get(rec[0], 0) + 1
    files = sum(1 for e in expect.values() if e["status"] == "compared")
    if got != want or len(os.listdir(out)) != files:
        raise Failure("--format csv: %s in %d files, oracle %s in %d"
                      % (got, len(os.listdir(out)), want, files))


def same_types(a, b):
    """Tables whose shared columns are declared alike on both sides: only
    there can statements make A's rows B's (a column declared otherwise
    converts what it is given: SQLite's affinity; man page, diff)."""
    ca, cb = connect(a), connect(b)
    out = set()
    for name in list_tables(ca):
        nb = find(list_tables(cb), name, list_tables(ca))
        if not nb:
            continue
        tb = {c[0].lower(): c[1].lower() for c in describe(cb, nb)[0]}
        if all(tb.get(c[0].lower(), c[1].lower()) == c[1].lower() for c in describe(ca, name)[0]):
            out.add(name)
    ca.close()
    cb.close()
    return out


def same_rows(a, b, alike_only=True):
    """Oracle: the tables compared on both sides whose rows differ (with
    alike_only, of those whose columns are declared alike)."""
    exp, _ = oracle(a, b)
    alike = same_types(a, b) if alike_only else set(exp)
    return {n: e for n, e in exp.items() if n in alike and
            e["status"] == "compared" and (e["inserted"] or e["updated"] or e["deleted"])}


def apply_sql(path, sql):
    """Runs the statements (bytes: text need not be UTF-8) with the sqlite3 shell."""
    p = run(["sqlite3", "-bail", path], input=sql, timeout=120)
    return None if p.returncode == 0 and not p.stderr else p.stderr.decode(errors="replace")


def one_case(binary, seed, work, verbose, self_check=False):
    rng = random.Random(seed)
    a, b = os.path.join(work, "a.db"), os.path.join(work, "b.db")
    for f in (a, b):
        if os.path.exists(f):
            os.unlink(f)
    tables = build(rng, a, rng.randrange(1, 4))
    shutil.copy(a, b)
    log = []
    mutate(rng, b, list(tables), log)
    if verbose:
        print("  schema: %s" % "; ".join(t.create_sql() for t in tables))
        print("  mutations: %s" % ", ".join(log))
    try:
        expect, total = oracle(a, b)
    except Dup:
        return refused(run([binary, "-q", "diff", "sqlite:" + a, "sqlite:" + b], timeout=120))
    p, rep = cdc_diff(binary, a, b)
    if self_check:
        # The oracle told one change more than there is: the check must say so.
        name = sorted(expect)[0]
        expect[name]["inserted"] += 1
        try:
            check_report(rep, p.returncode, expect, total + 1)
        except Failure as e:
            print("self-check: divergence reported as it must be (%s)" % e)
            return "ok"
        raise Failure("self-check: an oracle off by one change was not reported")
    check_report(rep, p.returncode, expect, total)
    check_rows_and_change_files(binary, a, b, work, expect, p.returncode)
    sql = run([binary, "-q", "diff", "--format", "sql", "sqlite:" + a, "sqlite:" + b])
    a2 = os.path.join(work, "a_sql.db")
    shutil.copy(a, a2)
    err = apply_sql(a2, sql.stdout)
    if err:
        raise Failure("diff --format sql does not apply: %s" % err)
    left = same_rows(a2, b)
    if left:
        raise Failure("after --format sql the rows still differ: %s" % left)
    p2, rep2 = cdc_diff(binary, a2, b)
    alike = same_types(a2, b)
    if any(t["inserted"] + t["updated"] + t["deleted"] for t in rep2["tables"]
           if t["status"] == "compared" and t["name"] in alike):
        raise Failure("after --format sql cdcpack diff still finds rows: %s" % rep2["tables"])
    same_schema = all(e["status"] == "compared" and not e["only_a"] and not e["only_b"]
                      for e in expect.values())
    if same_schema:
        sd = run(["sqldiff", a, b])
        if sd.returncode == 0:
            a3 = os.path.join(work, "a_sqldiff.db")
            shutil.copy(a, a3)
            if apply_sql(a3, b"BEGIN;\n" + sd.stdout + b"COMMIT;\n"):
                return "ok"  # sqldiff's own limits (NOCASE keys...), not ours
            if same_rows(a3, b, alike_only=False):
                return "ok"  # sqldiff spells REALs with 15 digits: its statements miss
            p3, rep3 = cdc_diff(binary, a3, b)
            if p3.returncode != 0:
                raise Failure("sqldiff made A equal to B, cdcpack diff says %s"
                              % [t for t in rep3["tables"] if t["status"] != "compared" or
                                 t["inserted"] + t["updated"] + t["deleted"]])
    return "ok"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int)
    ap.add_argument("--cases", type=int, default=1)
    ap.add_argument("--seconds", type=float, help="run cases for this long (seeds from the clock)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "bin", "cdcpack"))
    ap.add_argument("--keep", action="store_true", help="keep the failing case's databases")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--self-check", action="store_true",
                    help="give the check a wrong oracle: it must fail (exit 0 when it does)")
    ap.add_argument("--verify", action="store_true",
                    help="cases of verify: a source, a replica applied from its chain, drift")
    args = ap.parse_args()
    start = args.seed if args.seed is not None else int(time.time() * 1000) % 10**9
    deadline = time.monotonic() + args.seconds if args.seconds else None
    work = tempfile.mkdtemp(prefix="torture_diff.")
    ran = skipped = 0
    seed = start
    try:
        while True:
            if deadline is None and ran >= args.cases:
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            if args.verbose:
                print("case seed %d" % seed)
            try:
                if args.verify:
                    r = verify_case(args.bin, seed, os.path.join(work, "v"), args.verbose)
                else:
                    r = one_case(args.bin, seed, work, args.verbose, args.self_check)
            except (Failure, subprocess.TimeoutExpired) as e:
                print("FAIL seed %d: %s" % (seed, e))
                print("rerun: python3 %s --seed %d%s -v --keep --bin %s"
                      % (os.path.relpath(__file__, ROOT), seed,
                         " --verify" if args.verify else "", args.bin))
                if args.keep:
                    print("databases kept in %s" % work)
                    work = None
                return 1
            skipped += r == "skip"
            ran += 1
            seed += 1
        print("torture_diff: %d cases from seed %d passed (%d refused as they must be: keys "
              "equal by the comparison)" % (ran, start, skipped))
        return 0
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
