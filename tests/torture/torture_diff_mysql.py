#!/usr/bin/env python3
"""Differential hunt of `cdcpack diff` and `verify` with MariaDB sides
(tests/torture/README, "diff against an oracle"): the MariaDB modes of
tests/torture/torture_diff.py, whose oracle, checks and SQLite generator
this imports.

Modes (--mode):
  mm      diff of two MariaDB databases: A random, B a copy of A mutated
          (rows, keys, case-only and trailing-space key changes under _ci
          collations, DECIMAL rescaled, columns retyped, added, dropped,
          tables created, dropped, emptied, renamed to another case);
          checks the summary, --format rows, jsonl, csv, and --format sql
          applied to a copy of A (then A's rows equal B's);
  cross   diff of a MariaDB database and a SQLite one holding the same
          rows in the columns README's type table pairs them with (MySQL
          source -> SQLite replica), either one as A, then either mutated;
  verify  `verify` of a MariaDB source against a replica applied from its
          chain (MariaDB or SQLite), and of a SQLite source against a
          MariaDB replica, then with drift in the replica and the source.

Random MariaDB schemas: INT, BIGINT, UNSIGNED, DECIMAL(p,s), DOUBLE, FLOAT,
VARCHAR/CHAR under _ci, _bin, nopad collations, BINARY, VARBINARY, BLOB,
TEXT, DATE, DATETIME(6), TIMESTAMP, TIME, YEAR, BIT, ENUM, SET, JSON; single
and composite keys in either order. Values: case- and trailing-space-
different keys, -0.0, DECIMAL scale, zero dates, max/min integers, 4-byte
UTF-8. Needs the test server's environment (CDCPACK_TEST_MYSQL_*, as
tests/run.sh exports it; tests/torture/mariadb_env.sh starts one).

    python3 tests/torture/torture_diff_mysql.py --mode mm --seed 7 --cases 20
    python3 tests/torture/torture_diff_mysql.py --mode verify --seconds 50
"""

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

import torture_diff as td
from torture_diff import Failure, Text, q

# ---------------------------------------------------------------- MariaDB


def mi(name):
    return "`" + name.replace("`", "``") + "`"


def client(sql, db=None, force=False):
    """Runs SQL with the mariadb client as root (UTC session); the output,
    tab-separated, no column names."""
    cmd = ["mariadb", "--defaults-file=" + os.environ["CDCPACK_TEST_MYSQL_ROOT_CNF"], "-N", "-B",
           "--init-command=SET time_zone='+00:00'"]
    if force:
        cmd.append("--force")
    if db:
        cmd += ["-D", db]
    p = subprocess.run(cmd, input=sql.encode("utf-8", "surrogateescape"), capture_output=True)
    if p.returncode != 0 and not force:
        raise RuntimeError("mariadb: %s\n--- sql: %s" % (p.stderr.decode(errors="replace"),
                                                         sql[:1500]))
    return p.stdout.decode("utf-8", "surrogateescape")


def kind(ctype):
    """How cdcpack reads a column of this COLUMN_TYPE (coltype.h)."""
    t = ctype.lower()
    base = t.split("(")[0].split()[0]
    if base in ("tinyint", "smallint", "mediumint", "int", "bigint"):
        return "uint" if "unsigned" in t else "int"
    if base in ("float", "double", "decimal", "year", "bit", "enum", "set"):
        return base
    if base in ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"):
        return "bytes"
    if base in ("date", "datetime", "timestamp", "time"):
        return "temporal"
    return "text"


class MysqlSide:
    """The oracle's view of one MariaDB database (torture_diff.SqliteSide's
    methods): values as cdcpack's MySQL driver reads them."""

    driver = "mysql"

    def __init__(self, db):
        self.db = db
        self.url = "mysql://%s@%s:%s/%s" % (os.environ["CDCPACK_TEST_MYSQL_USER"],
                                            os.environ["CDCPACK_TEST_MYSQL_HOST"],
                                            os.environ["CDCPACK_TEST_MYSQL_PORT"], db)

    def q(self, sql):
        return [line.split("\t") for line in client(sql, self.db).splitlines()]

    def tables(self):
        return [bytes.fromhex(r[0]).decode() for r in self.q(
            "SELECT HEX(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
            "DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")]

    def describe(self, table):
        rows = self.q("SELECT HEX(COLUMN_NAME), COLUMN_TYPE, COLUMN_KEY = 'PRI' FROM "
                      "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                      "TABLE_NAME = X'%s' ORDER BY ORDINAL_POSITION" % table.encode().hex())
        return [(bytes.fromhex(n).decode(), t, k == "1") for n, t, k in rows], False

    def rows(self, table, cols, rowid):
        exprs = []
        for n, t, _ in cols:
            k = kind(t)
            if k == "float":
                exprs.append("CAST(%s AS DOUBLE)" % mi(n))
            elif k in ("int", "uint", "double", "decimal", "year", "temporal"):
                exprs.append(mi(n))
            elif k == "bit":  # its bytes, big-endian, as a SELECT returns them
                width = (int(t.split("(")[1].split(")")[0]) + 7) // 8
                exprs.append("LPAD(HEX(%s), %d, '0')" % (mi(n), 2 * width))
            else:
                exprs.append("HEX(%s)" % mi(n))
        out = []
        for r in self.q("SELECT %s FROM %s" % (", ".join(exprs), mi(table))):
            out.append(tuple(value(f, kind(c[1])) for f, c in zip(r, cols)))
        return out

    def close(self):
        pass


def value(f, k):
    if f == "NULL":
        return None
    if k == "int":
        return int(f)
    if k == "uint":
        return int(f) if int(f) < 2**63 else Text(f.encode())
    if k in ("float", "double"):
        return float(f)
    if k in ("decimal", "year", "temporal"):
        return Text(f.encode())
    if k in ("bytes", "bit"):
        return bytes.fromhex(f)
    return Text(bytes.fromhex(f))


def fresh_db(name):
    client("DROP DATABASE IF EXISTS %s; CREATE DATABASE %s CHARACTER SET utf8mb4"
           % (mi(name), mi(name)))
    return MysqlSide(name)


def copy_db(src, dst):
    d = fresh_db(dst)
    sql = ""
    for t in src.tables():
        sql += "CREATE TABLE %s.%s LIKE %s.%s; INSERT INTO %s.%s SELECT * FROM %s.%s;\n" % (
            mi(dst), mi(t), mi(src.db), mi(t), mi(dst), mi(t), mi(src.db), mi(t))
    client(sql)
    return d


# ---------------------------------------------------------------- generator

CI = " COLLATE utf8mb4_general_ci"
KEY_TYPES = [
    "int", "bigint", "bigint unsigned", "int unsigned", "tinyint", "decimal(10,2)",
    "decimal(30,10)", "double", "float", "varchar(20)" + CI, "varchar(20) COLLATE utf8mb4_bin",
    "varchar(20) COLLATE utf8mb4_nopad_bin", "varchar(20) COLLATE utf8mb4_general_nopad_ci",
    "char(5)" + CI, "binary(4)", "varbinary(20)", "date", "datetime(6)", "datetime",
    "timestamp(3)", "time", "time(2)", "year", "bit(10)", "enum('a','b','A b')", "set('x','y')",
]
TYPES = KEY_TYPES + ["blob", "text" + CI, "json", "mediumtext"]

TEXTS = ["a", "A", "a ", "A ", "b", "B", "ab", "", " ", "caf\u00e9", "CAF\u00c9", "\U0001f600",
         "x\U0001f600 ", "\u00df", "ss", "tab\there", "line\nbreak", "'q'", "back\\slash"]


def lit(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


def value_sql(rng, ctype, key=False):
    """A random value for a column of ctype, as a SQL literal."""
    k = kind(ctype)
    t = ctype.lower()
    if not key and rng.random() < 0.08:
        return "NULL"
    if k in ("int", "uint"):
        bits = {"tinyint": 8, "int": 32, "bigint": 64}[t.split()[0]]
        lo, hi = (0, 2**bits - 1) if k == "uint" else (-2**(bits - 1), 2**(bits - 1) - 1)
        return str(rng.choice([lo, hi, lo + 1, hi - 1, 0, 1, -1 if lo else 2, 2**31, 2**53 + 1,
                               2**63, rng.randrange(-3, 40), rng.randrange(-3, 40)]))
    if k == "decimal":
        return rng.choice(["1.5", "1.50", "'1.500'", "-0.00", "0", "99999999.99", "0.01", "-1.1",
                           "12345678901234567890.1234567890", "'1e3'", "0.0000000001",
                           str(rng.randrange(-5, 40)), "%d.%02d" % (rng.randrange(0, 9),
                                                                    rng.randrange(100))])
    if k == "double":
        r = td.rand_real(rng)
        return rng.choice(["-0e0", "0e0", "1e308", "5e-324", "0.1e0", "2.5e0", "1e20",
                           "3e0", repr(r) if "inf" not in repr(r) else "1e0",
                           str(rng.randrange(-3, 40)) + "e0"])
    if k == "float":
        return rng.choice(["-0e0", "0.1e0", "3.4e38", "1.5e0", "16777217e0", "1e-45",
                           "0.3333333333e0", str(rng.randrange(-3, 40)) + "e0"])
    if k == "year":
        return rng.choice(["0", "1901", "2155", "2024", "'0000'", "'24'", "99", "1999"])
    if k == "bit":
        return rng.choice(["b'0'", "b'1111111111'", "5", "0", "b'1000000000'", "1"])
    if k == "enum":
        return rng.choice(["'a'", "'b'", "'A b'", "'A'", "'B'"])
    if k == "set":
        return rng.choice(["''", "'x'", "'y'", "'x,y'", "'y,x'", "'X'"])
    if k == "bytes":
        return rng.choice(["X''", "X'00'", "X'61'", "X'6100'", "X'41'", "X'6120'", "X'FF'",
                           "X'%s'" % bytes(rng.getrandbits(8) for _ in range(3)).hex()])
    if k == "temporal":
        base = t.split("(")[0]
        if base == "date":
            return rng.choice(["'2024-01-02'", "'0000-00-00'", "'1000-01-01'", "'9999-12-31'",
                               "'2024-02-29'", "'2024-01-03'"])
        if base == "time":
            return rng.choice(["'-838:59:59'", "'838:59:59'", "'00:00:00'", "'-00:00:01'",
                               "'100:00:00'", "'12:34:56'", "'-00:00:00.50'", "'12:00:00.10'",
                               "'9:05'", "'23:59:59.99'"])
        return rng.choice(["'2024-01-02 03:04:05'", "'2024-01-02 03:04:05.123456'",
                           "'2024-01-02 03:04:05.100000'", "'0000-00-00 00:00:00'",
                           "'1970-01-01 00:00:01'", "'2038-01-19 03:14:07.999'",
                           "'2024-01-02'", "'2024-01-02T03:04:06'", "'1999-12-31 23:59:59.5'"])
    if "json" in t:
        return rng.choice(["'{\"a\": 1}'", "'[1, 2]'", "'\"x\"'", "'null'", "'{\"b\": 1.50}'",
                           "'{}'", "'{\"k\": \"\\\\u00e9\"}'"])
    if rng.random() < 0.1 and not key:
        return lit("x" * rng.randrange(100, 3000) if "text" in t or "blob" in t else "xy" * 9)
    return lit(rng.choice(TEXTS))


class MTable:
    def __init__(self, rng, name):
        self.name = name
        n = rng.randrange(1, 5)
        self.cols = [[rng.choice(["c%d", "C%d", "col %d"]) % i, rng.choice(TYPES)]
                     for i in range(n)]
        nk = 1 if n < 2 or rng.random() < 0.6 else 2
        self.keys = rng.sample(range(n), nk)  # in the key's own order
        for k in self.keys:
            if self.cols[k][1] not in KEY_TYPES:
                self.cols[k][1] = rng.choice(KEY_TYPES)

    def create_sql(self):
        defs = []
        for i, (n, t) in enumerate(self.cols):
            if t.startswith("timestamp"):
                t += " NOT NULL DEFAULT '0000-00-00 00:00:00'" if i in self.keys else " NULL"
            defs.append("%s %s" % (mi(n), t))
        defs.append("PRIMARY KEY (%s)" % ", ".join(mi(self.cols[k][0]) for k in self.keys))
        return "CREATE TABLE %s (%s)" % (mi(self.name), ", ".join(defs))

    def insert_sql(self, rng, verb="INSERT"):
        vals = [value_sql(rng, t, i in self.keys) for i, (n, t) in enumerate(self.cols)]
        return "%s INTO %s (%s) VALUES (%s);" % (verb, mi(self.name), ", ".join(
            mi(c[0]) for c in self.cols), ", ".join(vals))


def build(rng, side, ntables):
    names = rng.sample(["t", "Orders", "item s", "k", "Users", "x1", "log"], ntables)
    tables = [MTable(rng, n) for n in names]
    sql = ""
    for t in tables:
        sql += t.create_sql() + ";\n"
        sql += "".join(t.insert_sql(rng) + "\n" for _ in range(rng.randrange(0, 30)))
    client(sql, side.db, force=True)
    return tables


def mutate(rng, side, tables, log):
    """Random changes to a MariaDB side; statements the server refuses
    (duplicate key, out of range) are skipped, as an application's."""
    sql = ""
    for _ in range(rng.randrange(0, 12) if tables else 0):
        t = rng.choice(tables)
        op = rng.randrange(16)
        where = "ORDER BY RAND(%d) LIMIT 1" % rng.randrange(1000)
        if op < 3:
            sql += t.insert_sql(rng, rng.choice(["INSERT", "REPLACE"])) + "\n"
            log.append("insert %s" % t.name)
        elif op < 5:
            sql += "DELETE FROM %s %s;\n" % (mi(t.name), where)
            log.append("delete %s" % t.name)
        elif op < 8:
            i = rng.randrange(len(t.cols))
            sql += "UPDATE %s SET %s = %s %s;\n" % (mi(t.name), mi(t.cols[i][0]), value_sql(
                rng, t.cols[i][1], i in t.keys), where)
            log.append("update %s.%s" % (t.name, t.cols[i][0]))
        elif op == 8:
            # a text key in another case or with a trailing space: another key by bytes
            i = rng.choice(t.keys)
            if kind(t.cols[i][1]) == "text":
                e = rng.choice(["UPPER(%s)", "LOWER(%s)", "CONCAT(%s, ' ')", "TRIM(%s)"]) % mi(
                    t.cols[i][0])
                sql += "UPDATE %s SET %s = %s %s;\n" % (mi(t.name), mi(t.cols[i][0]), e, where)
                log.append("respell key %s.%s" % (t.name, t.cols[i][0]))
        elif op == 9 and rng.random() < 0.4:
            # the column retyped: DECIMAL rescaled, integers widened, text to another collation
            i = rng.randrange(len(t.cols))
            old = t.cols[i][1]
            new = {"decimal(10,2)": "decimal(12,4)", "int": "bigint", "tinyint": "int",
                   "float": "double", "datetime": "datetime(6)", "time": "time(2)",
                   "varchar(20)" + CI: "varchar(30) COLLATE utf8mb4_bin",
                   "double": "decimal(30,10)", "int unsigned": "bigint"}.get(old)
            if new:
                sql += "ALTER TABLE %s MODIFY %s %s%s;\n" % (mi(t.name), mi(t.cols[i][0]), new,
                                                            " NOT NULL" if i in t.keys else "")
                t.cols[i][1] = new
                log.append("retype %s.%s %s" % (t.name, t.cols[i][0], new))
        elif op == 10 and rng.random() < 0.3:
            sql += "ALTER TABLE %s ADD COLUMN %s %s;\n" % (
                mi(t.name), mi("extra%d" % rng.randrange(3)), rng.choice(TYPES))
            log.append("add column %s" % t.name)
        elif op == 11 and rng.random() < 0.2:
            nt = MTable(rng, rng.choice(["new1", "T", "orders", "Extra"]))
            sql += nt.create_sql() + ";\n" + "".join(
                nt.insert_sql(rng) + "\n" for _ in range(rng.randrange(0, 5)))
            log.append("create %s" % nt.name)
        elif op == 12 and rng.random() < 0.2:
            sql += "DELETE FROM %s;\n" % mi(t.name)
            log.append("empty %s" % t.name)
        elif op == 13 and rng.random() < 0.15:
            other = t.name.swapcase()
            if other != t.name:
                sql += "RENAME TABLE %s TO %s;\n" % (mi(t.name), mi(other))
                log.append("rename %s -> %s" % (t.name, other))
                t.name = other
        elif op == 14 and rng.random() < 0.2:
            rest = [i for i in range(len(t.cols)) if i not in t.keys]
            if rest:
                i = rng.choice(rest)
                sql += "ALTER TABLE %s DROP COLUMN %s;\n" % (mi(t.name), mi(t.cols[i][0]))
                log.append("drop column %s.%s" % (t.name, t.cols[i][0]))
                t.cols.pop(i)
                t.keys = [k - (k > i) for k in t.keys]
        elif op == 15 and rng.random() < 0.15:
            # another key: the rows cannot be paired (keys_differ) unless it names the same columns
            i = rng.randrange(len(t.cols))
            if t.cols[i][1] in KEY_TYPES:
                sql += "ALTER TABLE %s DROP PRIMARY KEY, ADD PRIMARY KEY (%s);\n" % (
                    mi(t.name), mi(t.cols[i][0]))
                log.append("rekey %s (%s)" % (t.name, t.cols[i][0]))
    client(sql, side.db, force=True)


# ------------------------------------------------------ MariaDB -> SQLite copy


def sqlite_decl(ctype):
    """The SQLite column a MySQL column pairs with (README's type table,
    MySQL source -> SQLite replica)."""
    k = kind(ctype)
    base = ctype.split("(")[0].split()[0]
    if k == "int":
        return base.upper()
    if k == "uint":
        return "UNSIGNED64 BLOB" if base == "bigint" else base.upper() + " UNSIGNED"
    if k in ("float", "double"):
        return "REAL"
    if k in ("bytes", "bit"):
        return "BLOB"
    if k in ("enum", "set"):
        return "TEXT"  # SET is a keyword to SQLite; either is text
    return ctype.split(" COLLATE")[0].split("(")[0] + " text"


def to_sqlite(mside, path):
    """A SQLite database holding mside's rows in the columns the type table
    pairs them with; the torture_diff Table objects of its tables."""
    con = sqlite3.connect(path)
    tables = []
    for name in mside.tables():
        cols, _ = mside.describe(name)
        keys = [i for i, c in enumerate(cols) if c[2]]
        t = td.Table.__new__(td.Table)
        t.name, t.shape, t.gen = name, "pk1" if len(keys) == 1 else "pkn", []
        t.cols = [[n, sqlite_decl(ty), ""] for n, ty, _ in cols]
        t.keys = keys
        con.execute(t.create_sql())
        rows = mside.rows(name, cols, False)
        # text bound as str (MariaDB's is UTF-8): it stays TEXT
        con.executemany("INSERT INTO %s VALUES (%s)" % (q(name), ", ".join("?" * len(cols))),
                        [tuple(bytes(v).decode() if isinstance(v, Text) else v for v in r)
                         for r in rows])
        tables.append(t)
    con.commit()
    con.close()
    return tables


# ---------------------------------------------------------------- cases


SELF_CHECK = False


def check_diff(binary, a, b, work):
    """The summary, rows, jsonl and csv checks of torture_diff against the
    oracle; the oracle's expectation."""
    try:
        expect, total = td.oracle(a, b)
    except td.Dup:
        td.refused(td.run([binary, "-q", "diff", td.url(a), td.url(b)], timeout=120))
        return None
    p, rep = td.cdc_diff(binary, a, b)
    if SELF_CHECK:
        # The oracle told one change more than there is: the check must say so.
        expect[sorted(expect)[0]]["inserted"] += 1
        try:
            td.check_report(rep, p.returncode, expect, total + 1)
        except Failure as e:
            raise SelfChecked(str(e))
        raise Failure("self-check: an oracle off by one change was not reported")
    td.check_report(rep, p.returncode, expect, total)
    td.check_rows_and_change_files(binary, a, b, work, expect, p.returncode)
    return expect


def alike(a, b):
    """Tables compared whose shared columns are declared alike on both
    MariaDB sides."""
    out = set()
    for name in a.tables():
        nb = td.find(b.tables(), name, a.tables())
        if nb:
            cb = {c[0].lower(): c[1] for c in b.describe(nb)[0]}
            if all(cb.get(c[0].lower(), c[1]) == c[1] for c in a.describe(name)[0]):
                out.add(name)
    return out


def mm_case(binary, seed, work, tag, verbose):
    rng = random.Random(seed)
    a = fresh_db("cdc_tdm_%s_a" % tag)
    tables = build(rng, a, rng.randrange(1, 4))
    b = copy_db(a, "cdc_tdm_%s_b" % tag)
    log = []
    mutate(rng, b, tables, log)
    if verbose:
        print("  schema: %s" % "; ".join(t.create_sql() for t in tables))
        print("  mutations: %s" % ", ".join(log))
    if check_diff(binary, a, b, work) is None:
        return "skip"
    sql = td.run([binary, "-q", "diff", "--format", "sql", a.url, b.url])
    a2 = copy_db(a, "cdc_tdm_%s_a2" % tag)
    p = subprocess.run(["mariadb", "--defaults-file=" + os.environ["CDCPACK_TEST_MYSQL_ROOT_CNF"],
                        "-D", a2.db], input=sql.stdout, capture_output=True)
    if p.returncode != 0:
        raise Failure("diff --format sql does not apply: %s" % p.stderr.decode(errors="replace"))
    exp, _ = td.oracle(a2, b)
    same = alike(a2, b)
    left = {n: e for n, e in exp.items() if n in same and e["status"] == "compared" and
            (e["inserted"] or e["updated"] or e["deleted"])}
    if left:
        raise Failure("after --format sql the rows still differ: %s" % left)
    return "ok"


def cross_case(binary, seed, work, tag, verbose):
    rng = random.Random(seed)
    m = fresh_db("cdc_tdm_%s_a" % tag)
    tables = build(rng, m, rng.randrange(1, 4))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    path = os.path.join(work, "s.db")
    stables = to_sqlite(m, path)
    if check_diff(binary, m, path, work) is None:  # the same rows: equal, exit 0
        return "skip"
    p, _ = td.cdc_diff(binary, m, path)
    if p.returncode != 0:
        raise Failure("a MariaDB database and its SQLite copy by the type table differ")
    log = []
    if rng.random() < 0.5:
        mutate(rng, m, tables, log)
    else:
        td.mutate(rng, path, stables, log)
    if verbose:
        print("  schema: %s" % "; ".join(t.create_sql() for t in tables))
        print("  mutations: %s" % ", ".join(log))
    a, b = (m, path) if rng.random() < 0.5 else (path, m)
    return "ok" if check_diff(binary, a, b, work) is not None else "skip"


def verify_case(binary, seed, work, tag, verbose):
    """A source (MariaDB, or SQLite holding a MariaDB schema's rows), a
    replica applied from its chain (MariaDB or SQLite), verify before and
    after drift in either."""
    rng = random.Random(seed)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    m = fresh_db("cdc_tdm_%s_src" % tag)
    tables = build(rng, m, rng.randrange(1, 4))
    pair = rng.choice(["mysql:mysql", "mysql:sqlite", "sqlite:mysql"])
    if pair.startswith("sqlite"):
        src = os.path.join(work, "src.db")
        to_sqlite(m, src)
    else:
        src = m
    rep = fresh_db("cdc_tdm_%s_rep" % tag) if pair.endswith("mysql") else \
        os.path.join(work, "replica.db")
    conf = os.path.join(work, "cdcpack.conf")
    with open(conf, "w") as f:
        f.write("[source]\nurl = %s\nname = src\n[target]\nurl = file:%s/bucket\n"
                "[state]\ndir = %s/state\n" % (td.url(src), work, work))
    env = dict(os.environ, CDCPACK_SOURCE_PASSWORD=os.environ["CDCPACK_TEST_MYSQL_PASSWORD"],
               CDCPACK_REPLICA_PASSWORD=os.environ["CDCPACK_TEST_MYSQL_PASSWORD"])
    for cmd in (["triggers", "install"], ["load"], ["apply", "--to", td.url(rep)]):
        p = td.run([binary, "-q", "-c", conf] + cmd, timeout=120, env=env)
        if p.returncode != 0:
            raise Failure("%s (%s) exited %d: %s" % (" ".join(cmd), pair, p.returncode,
                                                     p.stderr.decode(errors="replace")[-600:]))
    log = []
    for step in ("applied", "replica drift", "source drift"):
        target = rep if step == "replica drift" else src
        if step != "applied":
            if isinstance(target, str):
                td.mutate(rng, target, sqlite_tables(target), log)
            else:
                mutate(rng, target, td.copy.deepcopy(tables), log)
        if verbose:
            print("  %s %s: %s" % (pair, step, ", ".join(log)))
        p = td.run([binary, "-q", "--json", "-c", conf, "verify", "--against", td.url(rep)],
                   timeout=120, env=env)
        try:
            expect, total = td.oracle(src, rep, verify=True)
        except td.Dup:
            return td.refused(p)
        if p.returncode not in (0, 1):
            raise Failure("verify %s (%s) exited %d: %s" % (
                pair, step, p.returncode, p.stderr.decode(errors="replace")[-600:]))
        try:
            td.check_report(td.json.loads(p.stdout), p.returncode, expect, total)
        except Failure as e:
            raise Failure("verify %s (%s): %s" % (pair, step, e))
    return "ok"


def sqlite_tables(path):
    """torture_diff Table objects for a SQLite database's tables (a replica
    apply made), for its mutator."""
    s = td.SqliteSide(path)
    out = []
    for name in s.tables():
        cols, rowid = s.describe(name)
        t = td.Table.__new__(td.Table)
        t.name, t.gen = name, []
        t.cols = [[n, ty, ""] for n, ty, _ in cols[1 if rowid else 0:]]
        t.keys = [i for i, c in enumerate(cols) if c[2]] if not rowid else []
        t.shape = "none" if rowid else "pk1" if len(t.keys) == 1 else "pkn"
        out.append(t)
    s.close()
    return [t for t in out if not t.name.lower().startswith("cdcpack_")]


class SelfChecked(Exception):
    pass


MODES = {"mm": mm_case, "cross": cross_case, "verify": verify_case}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=sorted(MODES), default="mm")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--cases", type=int, default=1)
    ap.add_argument("--seconds", type=float, help="run cases for this long (seeds from the clock)")
    ap.add_argument("--bin", default=os.path.join(td.ROOT, "bin", "cdcpack"))
    ap.add_argument("--keep", action="store_true", help="keep the failing case's databases")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--self-check", action="store_true",
                    help="give the check a wrong oracle: it must fail (exit 0 when it does)")
    args = ap.parse_args()
    if not os.environ.get("CDCPACK_TEST_MYSQL_ROOT_CNF"):
        print("torture_diff_mysql: no test mariadbd (CDCPACK_TEST_MYSQL_*): run through "
              "tests/run.sh or source tests/torture/mariadb_env.sh", file=sys.stderr)
        return 2
    os.environ.setdefault("CDCPACK_A_PASSWORD", os.environ["CDCPACK_TEST_MYSQL_PASSWORD"])
    os.environ.setdefault("CDCPACK_B_PASSWORD", os.environ["CDCPACK_TEST_MYSQL_PASSWORD"])
    global SELF_CHECK
    SELF_CHECK = args.self_check
    start = args.seed if args.seed is not None else int(time.time() * 1000) % 10**9
    deadline = time.monotonic() + args.seconds if args.seconds else None
    work = tempfile.mkdtemp(prefix="torture_diff_mysql.")
    tag = "%d_%d" % (os.getpid() % 100000, start % 100000)
    ran = skipped = 0
    seed = start
    try:
        while (ran < args.cases) if deadline is None else (time.monotonic() < deadline):
            if args.verbose:
                print("case seed %d" % seed)
            try:
                r = MODES[args.mode](args.bin, seed, os.path.join(work, "c"), tag, args.verbose)
            except SelfChecked as e:
                print("self-check: divergence reported as it must be (%s)" % e)
                return 0
            except (Failure, subprocess.TimeoutExpired, RuntimeError) as e:
                print("FAIL seed %d: %s" % (seed, e))
                print("rerun: python3 %s --mode %s --seed %d -v --keep --bin %s"
                      % (os.path.relpath(__file__, td.ROOT), args.mode, seed, args.bin))
                if args.keep:
                    print("files kept in %s; databases cdc_tdm_%s_*" % (work, tag))
                    work = None
                return 1
            skipped += r == "skip"
            ran += 1
            seed += 1
        print("torture_diff_mysql %s: %d cases from seed %d passed (%d refused as they must "
              "be: keys equal by the comparison)" % (args.mode, ran, start, skipped))
        return 0
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)
            client("".join("DROP DATABASE IF EXISTS %s;" % mi("cdc_tdm_%s_%s" % (tag, s))
                           for s in ("a", "b", "a2", "src", "rep")))


if __name__ == "__main__":
    sys.exit(main())
