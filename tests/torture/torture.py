#!/usr/bin/env python3
"""Seeded, reproducible differential torture test for cdcpack (issue 11).

One case = one seed: a random schema in a source (SQLite or MariaDB), then
STEPS steps of random workload transactions and random operations between
runs (runs killed at fault points or at random moments, reloads, trigger
rebuilds, DDL, config changes). After every step the harness makes sure a
`cdcpack run` succeeds, applies the published chain to a replica (SQLite or
MariaDB) with `cdcpack apply`, and compares source and replica with each
engine's own dump, independently of cdcpack; it also reads every published
archive (tar + the manifest) and checks the chain: batch numbers without a
gap, each batch pointing at the previous one, each file's XXH3-128 as
`xxhsum -H2` prints it, each change once.

Everything random comes from one random.Random(seed): the same seed, steps,
engines, mode, format and ops replay the same case. See tests/torture/README.
"""

import argparse
import csv
import hashlib
import io
import json
import math
import os
import random
import re
import shlex
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tarfile
import tempfile
import time

from torture_ddl import BINLOG_DDL_OPS, BinlogDDL
from torture_s3 import S3Target, missing_env as s3_missing_env
from torture_lake import FAULT_POINTS as LAKE_FAULT_POINTS, Lake

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Operation classes. DEFAULT_OPS pass on the current code; the others drive
# defects listed in issues 11 and 18 (being fixed) or in tests/torture/FINDINGS.md.
OPS = {
    "insert": "single-row inserts",
    "update": "updates of non-key columns",
    "keychange": "updates that change the key (to a fresh key)",
    "keyswap": "two rows swap their keys in one transaction",
    "delete": "deletes",
    "upsert": "REPLACE / INSERT OR REPLACE and ON CONFLICT / ON DUPLICATE KEY UPDATE",
    "bulk": "bulk transactions (50-300 inserts)",
    "empty": "empty transactions",
    "special": "special values (+-Inf, -0.0, denormals, extreme integers, NUL bytes, long text)",
    "mixed": "SQLite: values of any storage class in any column (jsonl only)",
    "wide": "wide tables (40-120 columns)",
    "fault": "runs killed at a CDCPACK_FAULT crash point",
    "kill": "runs killed with SIGKILL at a random moment",
    "loadall": "`cdcpack load` of every table between runs",
    "retrigger": "`triggers remove T` then `triggers install T` (no write in between)",
    "addcol": "ALTER TABLE ADD COLUMN (no default) between runs",
    "createtable": "CREATE TABLE (empty) + triggers install between runs",
    "exclude": "config: a table excluded for some steps, then included again with a full load",
    "compress": "random [batch] compression (zstd, gzip, xz, none)",
    "maxrows": "small [batch] max_rows (several archives per run)",
    # on since the issue 11 / 18 fixes, following the README's advice
    "loadtable": "`cdcpack load T` of one table (issue 11 #1)",
    "dropcol": "ALTER TABLE DROP COLUMN, via `triggers alter` in trigger mode (issue 11 #7; "
    "FINDINGS.md F5)",
    "renamecol": "ALTER TABLE RENAME COLUMN (via `triggers alter` in trigger mode); the next "
    "run reloads the table (issue 11 #7/#10)",
    "adddefault": "ALTER TABLE ADD COLUMN ... DEFAULT; the next run reloads the table (issue 11 "
    "#10)",
    "keytype": "snapshot mode: the key column's type changes (issue 18 #11; FINDINGS.md F7)",
    "driftwrite": "trigger mode: writes between ADD COLUMN and the trigger rebuild (they reach "
    "replicas through the table's reload; issue 11 #7/#10)",
    "strictschema": "a column added at the source must be on the replica after the next run "
    "(issue 11 #10)",
    "renametable": "ALTER TABLE RENAME TO, then `triggers install NEW` + the advised "
    "`load NEW` (issue 11 #9)",
    "bigunsigned": "MySQL BIGINT UNSIGNED above 2^63-1 (issue 11 #4, SQLite replica)",
    "generated": "SQLite generated columns, shipped and compared (issue 11 #5)",
    "badutf8": "TEXT that is not valid UTF-8, SQLite replicas (issue 11 #8)",
    "duptables": "a table named twice in [capture] tables or `load T T` (issue 11 #11)",
    "nullpk": "a NULL in a SQLite non-INTEGER key: the run must refuse it (exit 3), then the "
    "advice is followed (issue 18 #12)",
    "collate": "case/space-insensitive key collations (NOCASE, RTRIM, *_ci) with case-only and "
    "trailing-space key changes (FINDINGS.md F2)",
    "padkey": "keys differing only by trailing spaces into a MariaDB replica (FINDINGS.md F6)",
    "emptyblob": "csv: empty BLOB / empty TEXT in a column without affinity (FINDINGS.md F1)",
    "numreal": "csv: full-precision REALs in a SQLite NUMERIC-affinity column (FINDINGS.md F4)",
    "numinf": "csv: +-Inf in a SQLite NUMERIC-affinity column (FINDINGS.md F3)",
    "oddnames": "table and non-key column names of every shape the engines allow: keywords, "
    "quotes, spaces, dots, slashes, backslashes, percent, unicode (4-byte in SQLite), up to "
    "600 bytes in SQLite / 64 characters in MariaDB",
    "badname": "SQLite: a table named with a control byte or bytes that are not UTF-8: run "
    "must refuse it (exit 2, naming it as \\xHH), then it is renamed, installed and loaded",
    "droptable": "DROP TABLE between runs (the run says so once; the replica keeps the table, "
    "which is not compared)",
    "lakeopts": "--lake: random DMS output options (lake gzip, date folders, csv_delimiter, "
    "csv_null_value, binary_encoding, timestamp_column, load_op_column)",
    "s3fault": "--target s3: the front fails a random share of one run's requests (5xx, resets, "
    "slow replies); the run ends 0 or 3, the next one finishes the job, each change once",
    **BINLOG_DDL_OPS,
}
DEFAULT_OFF: set = set()  # classes of known defects (FINDINGS.md) go here until fixed
# Binlog DDL classes (tests/torture/torture_ddl.py) on by default: each
# passed every one of >= 15 seeds that ran it (FINDINGS.md, session 7).
# op_choices offers them in binlog mode only, so they are binlog mode's
# default and the other modes' cases are unchanged.
BINLOG_DDL_DEFAULT = {"altertype", "ansiquotes", "createlike", "createselect", "dropcreate",
                      "loaddata", "multitable", "otherschema", "partition", "renameswap",
                      "truncate", "versioncomment"}
# Opt-in: s3fault, and any binlog DDL class not yet seeded enough (none
# now); `--ops +binlogddl` switches every binlog DDL class on.
OPT_IN = (set(BINLOG_DDL_OPS) - BINLOG_DDL_DEFAULT) | {"s3fault"}
DEFAULT_OPS = sorted(set(OPS) - DEFAULT_OFF - OPT_IN)
FAULT_POINTS = ["after-capture", "after-stage", "mid-upload", "after-upload", "after-publish",
                "after-ack"]


class Divergence(Exception):
    """The harness found what it looks for: a replica or chain that is wrong."""


class AppWriteFailed(Exception):
    """A write the application makes failed for a reason other than its own
    data (a duplicate key, a value out of range): cdcpack broke it."""


# MariaDB errors a random application write may earn by itself: duplicate
# key, out of range, too long, incorrect value, incorrect string.
APP_ERRORS = {"1062", "1264", "1406", "1292", "1366", "1265", "1690"}


class CdcError(Exception):
    """cdcpack exited other than expected."""


def name_shown(name):
    """A name as cdcpack's messages show it (src/base/codec.c
    name_shown_short): a backslash doubled, C0/DEL/C1 controls as \\xHH per
    byte, cut after 80 bytes at a whole escape or character, with "..."."""
    units = []
    for ch in name:
        b = ch.encode("utf-8", "surrogateescape")
        if ch == "\\":
            units.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0x80 <= ord(ch) <= 0x9F or \
                0xDC80 <= ord(ch) <= 0xDCFF:
            units.append("".join("\\x%02X" % c for c in b))
        else:
            units.append(ch)
    if sum(len(u.encode("utf-8", "surrogateescape")) for u in units) <= 80:
        return "".join(units)
    out, n = [], 0
    for u in units:
        k = len(u.encode("utf-8", "surrogateescape"))
        if n + k > 80:
            break
        out.append(u)
        n += k
    return "".join(out) + "..."


def shell_word(name):
    """A name as cdcpack's hints spell it in a command (src/base/codec.c
    name_for_shell): whole; as it is when a shell reads it so, else in
    single quotes (' as '\\''), or, with a byte no one types, as bash's
    $'...' of name_shown's escapes (' as \\')."""
    lead = "-- " if name.startswith("-") else ""
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", name):
        return lead + name
    if not any(ord(ch) < 0x20 or ord(ch) == 0x7F or 0x80 <= ord(ch) <= 0x9F or
               0xDC80 <= ord(ch) <= 0xDCFF for ch in name):
        return lead + "'" + name.replace("'", "'\\''") + "'"
    return lead + "$'" + "".join("\\'" if ch == "'" else name_shown(ch) for ch in name) + "'"


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- values

def f64_bits(x):
    return struct.pack(">d", x).hex()


def f32_bits(x):
    try:
        return struct.pack(">f", x).hex()
    except OverflowError:
        return "overflow:" + repr(x)


SPECIAL_REALS = [math.inf, -math.inf, -0.0, 0.0, 5e-324, -5e-324, 2.2250738585072014e-308,
                 2.225073858507201e-308, 1.7976931348623157e308, -1.7976931348623157e308,
                 0.1, 0.30000000000000004, 1e-300, 123456789.125, 9007199254740993.0]
SPECIAL_INTS = [0, 1, -1, 2**63 - 1, -2**63, 2**31, -2**31 - 1, 2**53 + 1, 255, 256]


class Gen:
    """Random values, all from the case's one random.Random."""

    def __init__(self, rng, ops, no_inf=False, no_negzero=False):
        self.r = rng
        self.ops = ops
        self.no_inf = no_inf
        self.no_negzero = no_negzero

    def chance(self, p):
        return self.r.random() < p

    def int_(self):
        if "special" in self.ops and self.chance(0.2):
            return self.r.choice(SPECIAL_INTS)
        return self.r.choice([self.r.randint(-1000, 1000), self.r.randint(-2**63, 2**63 - 1)])

    def real(self):
        while True:
            if "special" in self.ops and self.chance(0.25):
                x = self.r.choice(SPECIAL_REALS)
            elif self.chance(0.5):
                x = struct.unpack("<d", self.r.getrandbits(64).to_bytes(8, "little"))[0]
            else:
                x = self.r.randint(-10**6, 10**6) / self.r.choice([1, 4, 10, 1000, 3])
            if math.isnan(x) or (self.no_inf and math.isinf(x)):
                continue
            if self.no_negzero and x == 0:
                x = 0.0
            return x

    def text(self, maxlen=20):
        alphabet = "abcXYZ 019,;\"'\\\n\t\r|é€😀ß_-%"
        if "special" in self.ops and self.chance(0.08):
            n = self.r.choice([1000, 70000])
            return "".join(self.r.choices("abcdefgh ", k=n))
        n = self.r.randint(0, maxlen)
        s = "".join(self.r.choices(alphabet, k=n))
        if self.chance(0.1):
            s += "  "
        return s

    def blob(self, maxlen=24):
        if "special" in self.ops and self.chance(0.08):
            return self.r.randbytes(self.r.choice([1000, 70000]))
        n = self.r.randint(0, maxlen)
        b = self.r.randbytes(n)
        if "special" in self.ops and self.chance(0.3):
            b = b"\x00" + b + b"\x00"
        return b

    def bad_utf8(self):
        return b"ok\xff\xfe" + bytes([0xc3]) + b"x"


# ---------------------------------------------------------------- engines

class SqliteDB:
    kind = "sqlite"

    def __init__(self, path):
        self.path = path
        self.url = "sqlite:" + path

    def connect(self):
        c = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        c.text_factory = bytes
        return c

    def script(self, stmts):
        """Runs [(sql, params)] as one transaction; a failing statement
        (constraint) is skipped, as an application would."""
        c = self.connect()
        try:
            c.execute("BEGIN IMMEDIATE")
            for sql, params in stmts:
                try:
                    c.execute(sql, params)
                except sqlite3.IntegrityError:
                    pass
            c.execute("COMMIT")
        finally:
            c.close()

    def ddl(self, sql):
        c = self.connect()
        try:
            c.executescript(sql)
        finally:
            c.close()

    def tables(self):
        c = self.connect()
        try:
            rows = c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT "
                             "LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'cdcpack\\_%' "
                             "ESCAPE '\\' ORDER BY name").fetchall()
            return [r[0].decode() for r in rows]
        finally:
            c.close()

    def columns(self, table):
        """[(name, decl type, pk position)] of the stored columns."""
        c = self.connect()
        try:
            rows = c.execute("SELECT name, type, pk, hidden FROM pragma_table_xinfo(?)",
                             (table,)).fetchall()
            return [(r[0].decode(), r[1].decode(), r[2]) for r in rows if r[3] in (0, 2, 3)]
        finally:
            c.close()

    def has_rowid_key(self, table):
        return not any(pk for _, _, pk in self.columns(table))

    def dump(self, table, names=None):
        """{column: [canonical values]} rows as a list of dicts; exact: each
        value is (storage class, value) with REALs as their 64 bits."""
        cols = [n for n, _, _ in self.columns(table)]
        if self.has_rowid_key(table) and "rowid" not in cols:
            cols = ["rowid"] + cols
        if names is not None:
            cols = [n for n in cols if n in names]
        sel = ", ".join("typeof(%s), %s" % (qi(n), qi(n)) for n in cols)
        c = self.connect()
        try:
            out = []
            for row in c.execute("SELECT %s FROM %s" % (sel, qi(table))):
                d = {}
                for i, n in enumerate(cols):
                    t, v = row[2 * i].decode(), row[2 * i + 1]
                    d[n] = canon_sqlite(t, v)
                out.append(d)
            return cols, out
        finally:
            c.close()

    def dump_many(self, wanted):
        have = set(self.tables())
        return {tn: self.dump(tn, names) for tn, names in wanted.items() if tn in have}

    def count(self, table):
        c = self.connect()
        try:
            return c.execute("SELECT count(*) FROM %s" % qi(table)).fetchone()[0]
        finally:
            c.close()


def canon_sqlite(t, v):
    if t == "null":
        return None
    if t == "integer":
        return ("i", v)
    if t == "real":
        return ("r", f64_bits(v))
    if t == "text":
        return ("t", v if isinstance(v, bytes) else str(v).encode())
    return ("b", bytes(v))


# oddnames: name stems. Table names leave out what [capture] tables and
# exclude read as syntax (a comma, glob characters, INI comments) and outer
# spaces; column names take anything but NUL and control bytes (which
# capture refuses: README "Names an archive cannot carry").
ODD_STEMS = ["select", "from", "order", "group by", "o'dd", 'q"uote', "x y", "a-b", "Ünïcödé",
             "ключ", "名前", "a.b", "a/b", "a\\b", "50%", "tab(1)", "$x", "`bt`", "@at", "..",
             ".hidden", "NULL", "rowid", "oid", "_rowid_"]
ODD_COL_STEMS = ODD_STEMS + ["c,d", "[br]", "x*", "?", " lead", "trail ", "#h", ";semi", "="]
SQLITE_ONLY_STEMS = ["emoji😀", "𝔘𝔫𝔦"]


def unbatch(field):
    """A field of the mariadb client's batch output as its text: -B spells a
    backslash, tab, newline and NUL as \\\\, \\t, \\n, \\0 (a name may hold
    a backslash)."""
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "0": "\0"}.get(m.group(1),
                                                                           m.group(1)), field)


def lake_folder(name):
    """About the bytes of a table's lake folder name: %XX for the bytes
    README "Reading the data" says are escaped."""
    return re.sub(rb"[/\\%\x00-\x1f\x7f]", lambda m: b"%%%02X" % m.group(0)[0],
                  name.encode("utf-8", "surrogateescape"))


def qi(name):
    return '"' + name.replace('"', '""') + '"'


def mi(name):
    return "`" + name.replace("`", "``") + "`"


class MysqlDB:
    kind = "mysql"

    def __init__(self, db):
        self.db = db
        host = os.environ["CDCPACK_TEST_MYSQL_HOST"]
        port = os.environ["CDCPACK_TEST_MYSQL_PORT"]
        user = os.environ["CDCPACK_TEST_MYSQL_USER"]
        self.url = "mysql://%s@%s:%s/%s" % (user, host, port, db)
        self.cnf = os.environ["CDCPACK_TEST_MYSQL_ROOT_CNF"]

    def client(self, sql, db=True, force=False, comments=False, local_infile=False):
        cmd = ["mariadb", "--defaults-file=" + self.cnf, "-N", "-B", "--init-command=SET "
               "time_zone='+00:00'"]
        if force:
            cmd.append("--force")
        if comments:  # send comments as written (the client strips them by default)
            cmd.append("--comments")
        if local_infile:
            cmd.append("--local-infile=1")
        if db:
            cmd += ["-D", self.db]
        p = subprocess.run(cmd, input=sql.encode("utf-8", "surrogateescape"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0 and not force:
            raise RuntimeError("mariadb: %s\n--- sql: %s" % (p.stderr.decode(errors="replace"),
                                                             sql[:2000]))
        return p.stdout.decode("utf-8", "surrogateescape")

    def create(self):
        self.client("DROP DATABASE IF EXISTS %s; CREATE DATABASE %s CHARACTER SET utf8mb4"
                    % (mi(self.db), mi(self.db)), db=False)

    def drop(self):
        self.client("DROP DATABASE IF EXISTS %s" % mi(self.db), db=False)
        if self.url.startswith("mysql://cdc_tb_"):
            self.client("DROP USER IF EXISTS %s" % self.binlog_hosts(), db=False)

    def binlog_hosts(self):
        user = self.url.split("//", 1)[1].split("@", 1)[0]
        return "'%s'@'localhost', '%s'@'127.0.0.1'" % (user, user)

    def binlog_user(self):
        """mode = binlog reads the server's log: a user of its own (README:
        REPLICATION SLAVE, BINLOG MONITOR), with the cdc user's password,
        so the shared cdc user keeps no global privilege."""
        user = ("cdc_tb_%s" % self.db[4:])[:32]
        self.url = self.url.replace("//%s@" % os.environ["CDCPACK_TEST_MYSQL_USER"],
                                    "//%s@" % user, 1)
        pw = os.environ.get("CDCPACK_TEST_MYSQL_PASSWORD", "").replace("'", "''")
        sql = "DROP USER IF EXISTS %s;" % self.binlog_hosts()
        for host in ("localhost", "127.0.0.1"):
            who = "'%s'@'%s'" % (user, host)
            sql += (" CREATE USER %s IDENTIFIED BY '%s'; GRANT SELECT ON %s.* TO %s;"
                    " GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO %s;"
                    % (who, pw, mi(self.db), who, who))
        self.client(sql, db=False)

    def script(self, stmts):
        """Runs SQL statements as one transaction; errors (duplicate keys)
        skip the statement (mariadb --force), as an application would."""
        body = "".join(s + ";\n" for s in stmts)
        cmd = ["mariadb", "--defaults-file=" + self.cnf, "-N", "-B", "--force", "-D", self.db,
               "--init-command=SET time_zone='+00:00'"]
        sql = "SET autocommit=0;\nSTART TRANSACTION;\n%sCOMMIT;\n" % body
        p = subprocess.run(cmd, input=sql.encode("utf-8", "surrogateescape"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for line in p.stderr.decode(errors="replace").splitlines():
            code = line.split()[1] if line.startswith("ERROR ") else None
            if code is not None and code not in APP_ERRORS:
                raise AppWriteFailed("an application write failed: %s" % line)

    def ddl(self, sql):
        self.client(sql)

    def tables(self):
        out = self.client("SELECT table_name FROM information_schema.tables WHERE "
                          "table_schema=DATABASE() AND table_type='BASE TABLE' AND table_name "
                          "NOT LIKE 'cdcpack\\_%' ORDER BY table_name")
        return [unbatch(line) for line in out.split("\n") if line]

    def columns(self, table):
        out = self.client("SELECT column_name, column_type, IF(column_key='PRI',1,0) FROM "
                          "information_schema.columns WHERE table_schema=DATABASE() AND "
                          "table_name='%s' ORDER BY ordinal_position"
                          % table.replace("\\", "\\\\").replace("'", "''"))
        rows = [line.split("\t") for line in out.split("\n") if line]
        return [(unbatch(r[0]), r[1], int(r[2])) for r in rows]

    def dump(self, table, names=None):
        cols = self.columns(table)
        if names is not None:
            cols = [c for c in cols if c[0] in names]
        exprs = []
        for n, ctype, _ in cols:
            tag, e = mysql_expr(mi(n), ctype)
            exprs.append("IFNULL(CONCAT('%s', %s), 'N')" % (tag, e))
        if not exprs:
            return [], []
        out = self.client("SELECT %s FROM %s" % (", ".join(exprs), mi(table)))
        rows = []
        for line in out.split("\n"):
            if not line:
                continue
            d = {}
            for (n, _, _), f in zip(cols, line.split("\t")):
                d[n] = canon_mysql(f)
            rows.append(d)
        return [c[0] for c in cols], rows

    def count(self, table):
        return int(self.client("SELECT COUNT(*) FROM %s" % mi(table)).strip())

    def dump_many(self, wanted):
        """{table: names or None} -> {table: (cols, rows)} for the tables
        that exist, in two client calls (a call costs ~0.2 s)."""
        out = self.client("SELECT table_name, column_name, column_type FROM "
                          "information_schema.columns WHERE table_schema=DATABASE() "
                          "ORDER BY table_name, ordinal_position")
        cols = {}
        for line in out.split("\n"):
            if line:
                tn, cn, ct = line.split("\t")
                cols.setdefault(unbatch(tn), []).append((unbatch(cn), ct))
        sql = []
        order = []
        for tn, names in wanted.items():
            if tn not in cols:
                continue
            cs = [c for c in cols[tn] if names is None or c[0] in names]
            order.append((tn, cs))
            sql.append("SELECT '#T';")
            if cs:
                exprs = []
                for n, ctype in cs:
                    tag, e = mysql_expr(mi(n), ctype)
                    exprs.append("IFNULL(CONCAT('%s', %s), 'N')" % (tag, e))
                sql.append("SELECT %s FROM %s;" % (", ".join(exprs), mi(tn)))
        result = {}
        if not order:
            return result
        chunks = self.client("\n".join(sql)).split("#T\n")[1:]
        for (tn, cs), chunk in zip(order, chunks):
            rows = []
            for line in chunk.split("\n"):
                if line:
                    rows.append({n: canon_mysql(f) for (n, _), f in zip(cs, line.split("\t"))})
            result[tn] = ([c[0] for c in cs], rows)
        return result


MY_INT = ("tinyint", "smallint", "mediumint", "int", "bigint")
MY_TEXTUAL = ("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set",
              "json")
MY_BINARY = ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit")


def mysql_base(ctype):
    return ctype.split("(")[0].split(" ")[0].lower()


def mysql_expr(col, ctype):
    b = mysql_base(ctype)
    if b in MY_INT:
        return "i", "CAST(%s AS CHAR)" % col
    if b == "float":
        return "f", "CAST(%s + 0e0 AS CHAR)" % col
    if b in ("double", "real"):
        return "r", "CAST(%s AS CHAR)" % col
    if b in MY_TEXTUAL:
        return "t", "HEX(%s)" % col
    if b == "bit":  # HEX() of a BIT is its number's: pad to the column's bytes
        width = int(ctype.split("(")[1].split(")")[0]) if "(" in ctype else 1
        return "b", "LPAD(HEX(%s), %d, '0')" % (col, 2 * ((width + 7) // 8))
    if b in MY_BINARY:
        return "b", "HEX(%s)" % col
    return "t", "HEX(CAST(%s AS CHAR))" % col  # decimal, temporal, year


def canon_mysql(f):
    if f == "N":
        return None
    tag, v = f[0], f[1:]
    if tag == "i":
        return ("i", int(v))
    if tag == "r":
        return ("r", f64_bits(float(v)))
    if tag == "f":
        return ("f", f32_bits(float(v)))
    return (tag, bytes.fromhex(v))


def loose(v, float_col):
    """A value as both engines can hold it, for comparing across engines:
    integers and text/bytes compare by their bytes (a DECIMAL, a YEAR or a
    date is text on one side and may be a number on the other), REALs by
    their bits (-0.0 as 0.0: MariaDB does not keep the sign of zero), FLOATs
    by their 32 bits."""
    if v is None:
        return None
    tag, x = v
    if tag == "i":
        return ("s", str(x).encode())
    if tag in ("t", "b"):
        return ("s", x)
    if tag == "r":
        d = struct.unpack(">d", bytes.fromhex(x))[0]
        if d == 0:
            d = 0.0
        return ("f", f32_bits(d)) if float_col else ("r", f64_bits(d))
    return v


# ---------------------------------------------------------------- schemas

SQLITE_TYPES = ["INTEGER", "REAL", "TEXT", "BLOB", "", "NUMERIC", "VARCHAR(10)", "DOUBLE",
                "BOOLEAN", "DATETIME", "DECIMAL(10,2)", "INT", "CLOB", "FLOAT"]
SQLITE_CROSS_TYPES = ["INTEGER", "REAL", "TEXT", "BLOB"]


def sqlite_affinity(decl):
    d = decl.upper()
    if "INT" in d:
        return "i"
    if "CHAR" in d or "CLOB" in d or "TEXT" in d:
        return "t"
    if "BLOB" in d or d == "":
        return "none"
    if "REAL" in d or "FLOA" in d or "DOUB" in d:
        return "r"
    return "n"


MYSQL_TYPES = ["tinyint", "smallint", "int", "bigint", "bigint unsigned", "float", "double",
               "decimal(20,6)", "varchar(40)", "text", "blob", "varbinary(30)", "date",
               "datetime(6)", "time(3)", "year", "bit(8)", "enum('a','b c','x')",
               "set('x','y','z')", "json", "char(5)", "mediumtext"]


class Table:
    def __init__(self, name):
        self.name = name
        self.key = []        # key column names (empty: rowid)
        self.cols = []       # [(name, type)] every column incl. key
        self.key_kind = {}   # key col -> 'int' | 'text'
        self.collate = {}    # key col -> collation
        self.rowid = False   # SQLite table keyed by rowid (no PK / INTEGER PRIMARY KEY)
        self.generated = []
        self.nullable_key = False  # SQLite: k2 TEXT PRIMARY KEY without NOT NULL
        self.gen_source = None     # the column the generated column reads

    def coltype(self, name):
        return dict(self.cols)[name]


class Case:
    def __init__(self, args):
        self.a = args
        self.seed = args.seed
        self.r = random.Random(args.seed)
        self.ops = set(args.ops)
        self.tables = {}
        self.excluded = set()
        self.cross = args.source != args.replica
        self.steps_done = 0
        self.archive_cache = {}
        self.xxh_cache = {}
        self.extra_dbs = []  # other MariaDB databases the case made (otherschema)
        self.s3 = None
        self.lake = None
        self.ddl_ops = BinlogDDL(self)

    # ------------------------------------------------------------ setup

    def setup(self):
        a = self.a
        self.dir = tempfile.mkdtemp(prefix="cdcpack-torture.", dir=a.tmpdir)
        tag = "t%d_%s%s_%s_%s" % (self.seed % 100000000, a.source[0], a.replica[0], a.mode[0],
                                  a.format[0])
        if a.source == "sqlite":
            self.src = SqliteDB(os.path.join(self.dir, "src.db"))
        else:
            self.src = MysqlDB("cdc_%s_s" % tag)
            self.src.create()
            if a.mode == "binlog":
                self.src.binlog_user()
        if a.replica == "sqlite":
            self.rep = SqliteDB(os.path.join(self.dir, "replica.db"))
        else:
            self.rep = MysqlDB("cdc_%s_r" % tag)
            self.rep.create()
        self.gen = Gen(self.r, self.ops, no_inf=a.replica == "mysql" or a.source == "mysql",
                       no_negzero=a.replica == "mysql")
        self.bucket = os.path.join(self.dir, "bucket")
        self.s3_retries = None
        if a.target == "s3":  # the chain checks read a mirror made by the AWS CLI
            self.s3 = S3Target("torture/%s-%d" % (tag, os.getpid()), self.bucket)
            if "s3fault" in self.ops and self.r.random() < 0.5:
                self.s3_retries = self.r.choice([0, 1, 2])
        self.compression = "zstd"
        if "compress" in self.ops:
            self.compression = self.r.choice(["zstd", "gzip", "xz", "none"])
        self.max_rows = 500000
        if "maxrows" in self.ops and self.r.random() < 0.5:
            self.max_rows = self.r.choice([2, 10, 50])
        self.table_seq = 0
        # duptables: half the cases name every table (the first twice)
        # instead of `tables = *`
        self.dup_tables = "duptables" in self.ops and self.r.random() < 0.5
        n = self.r.randint(1, 3)
        for _ in range(n):
            self.new_table(initial=True)
        if self.r.random() < 0.3:
            self.new_table(initial=True, empty=True)
        if a.lake:  # drawn last, so a case without --lake keeps its draws
            self.lake = Lake(self)
            log("  %s" % self.lake.describe())
        self.write_config()
        log("case dir %s; tables %s; compression %s; max_rows %d%s" % (
            self.dir, ", ".join(self.tables), self.compression, self.max_rows,
            "; s3://%s/%s%s" % (self.s3.bucket, self.s3.prefix, "" if self.s3_retries is None
                                 else ", max_retries %d" % self.s3_retries) if self.s3 else ""))

    def make_table(self, name):
        return Table(name)

    def table_name(self):
        self.table_seq += 1
        base = self.r.choice(["t", "Tab", "x y", "o'dd", "a-b"])
        if self.a.source == "mysql":
            base = self.r.choice(["t", "Tab", "x y", "a-b"])
        if "oddnames" in self.ops and self.r.random() < 0.7:
            stem = self.odd_stem(ODD_STEMS)
            if self.a.lake:  # README: a lake folder name takes at most 255 bytes
                while len(lake_folder(stem)) > 240:
                    stem = stem[:-1]
            return "%s_%d" % (stem, self.table_seq)
        return "%s%d" % (base, self.table_seq)

    def mysql_side(self):
        return self.a.source == "mysql" or self.a.replica == "mysql"

    def odd_stem(self, stems):
        """A name stem for oddnames: MariaDB identifiers hold at most 64
        characters of the BMP and end in no space (the _N suffix sees to
        that); SQLite ones anything, long ones too."""
        r = self.r
        if not self.mysql_side():
            stems = stems + SQLITE_ONLY_STEMS
            if r.random() < 0.1:
                return r.choice(["L", "é", "k "]) * r.randint(50, 300)
        stem = r.choice(stems)
        if r.random() < 0.2:
            stem = stem.upper() if r.random() < 0.5 else stem + " " + r.choice(stems)
        return stem[:55] if self.mysql_side() else stem

    def col_name(self, i):
        if "oddnames" in self.ops and self.r.random() < 0.6:
            return "%s_%d" % (self.odd_stem(ODD_COL_STEMS), i)
        return "c%d" % i

    def new_table(self, initial=False, empty=False):
        name = self.table_name()
        t = Table(name)
        if self.a.source == "sqlite":
            sql = self.sqlite_table(t)
            self.src.ddl(sql)
        else:
            sql = self.mysql_table(t)
            self.src.ddl(sql)
        log("  schema: %s" % sql.replace("\n", " "))
        self.tables[name] = t
        if not empty:
            self.workload_txn(t, bulk=self.r.randint(0, 30))
        return t

    def sqlite_table(self, t):
        r = self.r
        types = SQLITE_CROSS_TYPES if self.cross else SQLITE_TYPES
        kind = r.choice(["rowidpk", "nopk", "int", "text", "composite"])
        if "nullpk" in self.ops and r.random() < 0.2:  # give the op a nullable key to use
            kind = r.choice(["text", "composite"])
        if kind == "nopk" and self.a.mode == "snapshot":
            kind = "rowidpk"
        wr = kind in ("int", "text", "composite") and r.random() < 0.5
        if "nullpk" in self.ops and kind in ("text", "composite") and r.random() < 0.5:
            wr = False  # WITHOUT ROWID keys are NOT NULL
        ncol = r.randint(1, 6)
        if "wide" in self.ops and r.random() < 0.15:
            ncol = r.randint(40, 120)
        defs = []
        if kind == "rowidpk":
            t.key = ["id"]
            t.rowid = True
            t.key_kind["id"] = "int"
            defs.append('"id" INTEGER PRIMARY KEY')
            t.cols.append(("id", "INTEGER"))
        elif kind == "nopk":
            t.rowid = True
        else:
            if kind in ("int", "composite"):
                t.key.append("k1")
                t.key_kind["k1"] = "int"
                t.cols.append(("k1", "INTEGER"))
                defs.append('"k1" INTEGER' + (" NOT NULL" if kind == "int" or wr else ""))
            if kind in ("text", "composite"):
                coll = "BINARY"
                if "collate" in self.ops:
                    coll = r.choice(["BINARY", "NOCASE", "RTRIM"])
                t.key.append("k2")
                t.key_kind["k2"] = "text"
                t.collate["k2"] = coll
                t.cols.append(("k2", "TEXT"))
                nn = " NOT NULL" if (wr or "nullpk" not in self.ops) else ""
                t.nullable_key = not nn
                defs.append('"k2" TEXT%s COLLATE %s' % (nn, coll))
        for i in range(ncol):
            ty = r.choice(types)
            cn = self.col_name(i)
            coll = ""
            if ty in ("TEXT", "") and r.random() < 0.2 and not self.cross:
                coll = " COLLATE " + r.choice(["NOCASE", "RTRIM"])
            t.cols.append((cn, ty))
            defs.append("%s %s%s" % (qi(cn), ty, coll))
        if "generated" in self.ops and r.random() < 0.5 and t.cols:
            defs.append('"g" TEXT GENERATED ALWAYS AS (typeof(%s)) %s'
                        % (qi(t.cols[-1][0]), r.choice(["STORED", "VIRTUAL"])))
            t.generated.append("g")
            t.gen_source = t.cols[-1][0]
        if t.key and not t.rowid:
            defs.append("PRIMARY KEY(%s)" % ", ".join(qi(k) for k in t.key))
        return "CREATE TABLE %s (%s)%s" % (qi(t.name), ", ".join(defs),
                                          " WITHOUT ROWID" if wr else "")

    def mysql_table(self, t):
        r = self.r
        kind = r.choice(["int", "bigint", "text", "composite"])
        ncol = r.randint(1, 6)
        if "wide" in self.ops and r.random() < 0.15:
            ncol = r.randint(40, 100)
        defs = []
        if kind in ("int", "bigint", "composite"):
            ty = "bigint" if kind == "bigint" else "int"
            t.key.append("k1")
            t.key_kind["k1"] = "int"
            t.cols.append(("k1", ty))
            defs.append("`k1` %s NOT NULL" % ty)
        if kind in ("text", "composite"):
            coll = "utf8mb4_bin"
            if "collate" in self.ops:
                coll = r.choice(["utf8mb4_bin", "utf8mb4_general_ci", "utf8mb4_unicode_ci",
                                 "utf8mb4_nopad_bin"])
            t.key.append("k2")
            t.key_kind["k2"] = "text"
            t.collate["k2"] = coll
            t.cols.append(("k2", "varchar(60)"))
            defs.append("`k2` varchar(60) COLLATE %s NOT NULL" % coll)
        for i in range(ncol):
            ty = r.choice(MYSQL_TYPES)
            cn = self.col_name(i)
            t.cols.append((cn, ty))
            defs.append("%s %s NULL" % (mi(cn), ty))
        defs.append("PRIMARY KEY(%s)" % ", ".join(mi(k) for k in t.key))
        return "CREATE TABLE %s (%s) CHARACTER SET utf8mb4" % (mi(t.name), ", ".join(defs))

    def write_config(self):
        a = self.a
        tables = "*"
        exclude = ",".join(sorted(self.excluded))
        if self.dup_tables:
            names = sorted(set(self.tables) - self.excluded)
            tables = ", ".join(names + names[:1])
            exclude = ""
        self.conf = os.path.join(self.dir, "cdcpack.conf")
        with open(self.conf, "w") as f:
            f.write("[source]\nurl = %s\nname = src\n\n[capture]\nmode = %s\ntables = %s\n"
                    "exclude = %s\n\n[batch]\nformat = %s\ncompression = %s\nmax_rows = %d\n\n"
                    "%s\n[state]\ndir = %s\n\n"
                    % (self.src.url, a.mode, tables, exclude, a.format, self.compression,
                       self.max_rows, self.lake.batch_config() if self.lake else "",
                       os.path.join(self.dir, "state")))
            f.write(self.s3.config(self.s3_retries) if self.s3 else "[target]\nurl = file:%s\n" % self.bucket)
            if self.lake:
                f.write(self.lake.config())

    # ------------------------------------------------------------ cdcpack

    def cdc(self, *args, env=None, expect=(0,), timeout=300):
        cmd = [self.a.bin, "-c", self.conf] + list(args)
        e = dict(os.environ)
        e.pop("CDCPACK_FAULT", None)
        # README: each mysql:// URL has its own password (issue 11 #14)
        e["CDCPACK_SOURCE_PASSWORD"] = os.environ.get("CDCPACK_TEST_MYSQL_PASSWORD", "")
        e["CDCPACK_REPLICA_PASSWORD"] = e["CDCPACK_SOURCE_PASSWORD"]
        if self.s3:
            e.update(self.s3.client_env())
        if env:
            e.update(env)
        p = subprocess.run(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
        if rc not in expect:
            raise CdcError("cdcpack %s exited %d (expected %s)\n--- stdout\n%s--- stderr\n%s" % (
                " ".join(args), rc, "/".join(map(str, expect)),
                p.stdout.decode(errors="replace")[-3000:], p.stderr.decode(errors="replace")[-3000:]))
        return rc, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")

    def run_killed_at_random(self):
        e = dict(os.environ)
        e["CDCPACK_SOURCE_PASSWORD"] = os.environ.get("CDCPACK_TEST_MYSQL_PASSWORD", "")
        e.pop("CDCPACK_FAULT", None)
        if self.s3:
            e.update(self.s3.client_env())
        delay = self.r.randint(0, 250) / 1000.0
        p = subprocess.Popen([self.a.bin, "-c", self.conf, "run"], env=e,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
        rc = p.wait()
        return delay, rc

    def run_until_ok(self):
        for _ in range(3):
            rc, out, err = self.cdc("run", expect=(0, 75))
            if rc == 0:
                return
            time.sleep(0.2)
        raise CdcError("run kept exiting 75")

    # ------------------------------------------------------------ workload

    def live_tables(self):
        return [t for n, t in sorted(self.tables.items())]

    def key_rows(self, t):
        """Current keys of t in the source (rowid for rowid tables)."""
        if self.a.source == "sqlite":
            c = self.src.connect()
            try:
                if t.rowid and not t.key:
                    return [(v,) for (v,) in c.execute("SELECT rowid FROM %s" % qi(t.name))]
                return [tuple(v.decode() if isinstance(v, bytes) else v for v in r)
                        for r in c.execute("SELECT %s FROM %s" % (
                            ", ".join(qi(k) for k in t.key), qi(t.name)))]
            finally:
                c.close()
        out = self.src.client("SELECT %s FROM %s" % (
            ", ".join("HEX(%s)" % mi(k) if t.key_kind[k] == "text" else mi(k) for k in t.key),
            mi(t.name)))
        rows = []
        for line in out.split("\n"):
            if line:
                f = line.split("\t")
                rows.append(tuple(bytes.fromhex(x).decode() if t.key_kind[k] == "text" else int(x)
                                  for k, x in zip(t.key, f)))
        return rows

    def key_value(self, t, k):
        g = self.gen
        if t.key_kind[k] == "int":
            if self.r.random() < 0.7:
                return self.r.randint(-50, 400)
            return g.int_() if self.a.source == "sqlite" else self.r.randint(-2**31, 2**31 - 1)
        s = "".join(self.r.choice("abcdeABCDE01 é") for _ in range(self.r.randint(1, 8)))
        if self.a.source == "mysql":
            s = s.rstrip() or "k"  # PAD SPACE collations compare trailing spaces away
        elif "padkey" not in self.ops and self.a.replica == "mysql":
            s = s.rstrip() or "k"
        return s

    def value(self, t, col):
        if self.a.source == "sqlite":
            return self.sqlite_value(t.coltype(col))
        return self.mysql_literal(t.coltype(col))

    def sqlite_value(self, decl):
        g, r = self.gen, self.r
        if r.random() < 0.1:
            return None
        aff = sqlite_affinity(decl)
        if "mixed" in self.ops and self.a.format == "jsonl" and not self.cross \
                and r.random() < 0.2:
            aff = "none"
        if aff == "none" and (self.cross or self.a.format == "csv"):
            aff = "b" if decl.upper() == "BLOB" or self.cross else "none"
        if aff in ("none", "b") and self.a.format == "csv" and "emptyblob" not in self.ops:
            while True:  # F1: '' and X'' share one CSV spelling there
                v = self.sqlite_value_of(aff)
                if v not in ("", b""):
                    return v
        return self.sqlite_value_of(aff)

    def sqlite_value_of(self, aff):
        g, r = self.gen, self.r
        if aff == "i":
            return g.int_()
        if aff == "r":
            return g.real()
        if aff == "t":
            # README: a MariaDB replica refuses such text (apply exit 3)
            if "badutf8" in self.ops and self.a.replica == "sqlite" and r.random() < 0.2:
                return BadText(g.bad_utf8())
            return g.text()
        if aff == "b":
            return g.blob()
        if aff == "n":
            x = r.choice([g.int_(), g.real(), str(r.randint(0, 99)) + ".5"])
            if "numinf" in self.ops and r.random() < 0.05:
                x = r.choice([math.inf, -math.inf])
            if isinstance(x, float) and self.a.format == "csv":
                if math.isinf(x) and "numinf" not in self.ops:
                    return 1.0e300  # F3: CSV's "Infinity" reads back as TEXT there
                if not math.isinf(x) and "numreal" not in self.ops:
                    return r.randint(-10**6, 10**6) / 4  # F4: SQLite parses the digits
            return x
        return r.choice([g.int_(), g.real(), g.text(), g.blob()])

    def mysql_literal(self, ctype):
        g, r = self.gen, self.r
        if r.random() < 0.1:
            return "NULL"
        b = mysql_base(ctype)
        unsigned = "unsigned" in ctype
        if b in MY_INT:
            bits = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}[b]
            if unsigned:
                hi = 2**bits - 1
                if b == "bigint" and "bigunsigned" not in self.ops:
                    hi = 2**63 - 1
                return str(r.choice([0, hi, r.randint(0, hi)]))
            lo, hi = -2**(bits - 1), 2**(bits - 1) - 1
            return str(r.choice([lo, hi, 0, r.randint(lo, hi)]))
        if b == "float":
            while True:
                x = struct.unpack("<f", r.getrandbits(32).to_bytes(4, "little"))[0]
                if r.random() < 0.5:
                    x = r.randint(-1000, 1000) / 8
                if math.isfinite(x) and abs(x) < 3.4e38:
                    return "%.9g" % x
        if b == "double":
            return repr(g.real())
        if b == "decimal":
            return "'%d.%06d'" % (r.randint(-10**13, 10**13), r.randint(0, 999999))
        if b in ("varchar", "text", "mediumtext", "char"):
            n = 5 if b == "char" else 40 if b == "varchar" else 20
            s = g.text(n)
            if b == "char":
                s = s.rstrip()  # CHAR strips trailing spaces by definition
            if b == "varchar" and len(s) > 40:
                s = s[:40]
            return "_utf8mb4 X'%s'" % s.encode().hex() if s else "''"
        if b in ("blob", "varbinary"):
            v = g.blob(30) if b == "varbinary" else g.blob()
            if b == "varbinary":
                v = v[:30]
            return "X'%s'" % v.hex() if v else "''"
        if b == "date":
            return "'%04d-%02d-%02d'" % (r.randint(1000, 9999), r.randint(1, 12), r.randint(1, 28))
        if b == "datetime":
            return "'%04d-%02d-%02d %02d:%02d:%02d.%06d'" % (
                r.randint(1000, 9999), r.randint(1, 12), r.randint(1, 28), r.randint(0, 23),
                r.randint(0, 59), r.randint(0, 59), r.randint(0, 999999))
        if b == "time":
            return "'%s%d:%02d:%02d.%03d'" % (r.choice(["", "-"]), r.randint(0, 838),
                                              r.randint(0, 59), r.randint(0, 59),
                                              r.randint(0, 999))
        if b == "year":
            return str(r.randint(1901, 2155))
        if b == "bit":
            return "b'%s'" % format(r.randint(0, 255), "b")
        if b == "enum":
            return r.choice(["'a'", "'b c'", "'x'"])
        if b == "set":
            return "'%s'" % ",".join(sorted(r.sample(["x", "y", "z"], r.randint(0, 3))))
        if b == "json":
            return "'%s'" % json.dumps({"a": r.randint(0, 9), "s": g.text(5)}).replace(
                "\\", "\\\\").replace("'", "''")
        raise ValueError(ctype)

    def where(self, t, key):
        if t.rowid and not t.key:
            return "rowid = ?", [key[0]]
        if self.a.source == "sqlite":
            return " AND ".join("%s = ?" % qi(k) for k in t.key), list(key)
        return " AND ".join("%s = %s" % (mi(k), self.mysql_key_literal(t, k, v))
                            for k, v in zip(t.key, key)), []

    def mysql_key_literal(self, t, k, v):
        if t.key_kind[k] == "int":
            return str(v)
        return "_utf8mb4 X'%s'" % v.encode().hex() if v else "''"

    def insert_stmt(self, t, verb="INSERT"):
        cols = [c for c, _ in t.cols if c not in t.key or not t.rowid]
        if t.rowid and t.key:  # INTEGER PRIMARY KEY: usually let SQLite pick
            cols = [c for c, _ in t.cols if c != "id"]
            if self.r.random() < 0.3:
                cols = ["id"] + cols
        vals = {}
        for c in cols:
            if c in t.key:
                vals[c] = self.key_value(t, c)
            else:
                vals[c] = self.value(t, c)
        if self.a.source == "sqlite":
            sql = "%s INTO %s (%s) VALUES (%s)" % (verb, qi(t.name), ", ".join(qi(c) for c in cols),
                                                   ", ".join("?" for _ in cols))
            if not cols:
                sql = "%s INTO %s DEFAULT VALUES" % (verb, qi(t.name))
            return sql, [sqlite_param(vals[c]) for c in cols]
        lits = [self.mysql_key_literal(t, c, vals[c]) if c in t.key else vals[c] for c in cols]
        return "%s INTO %s (%s) VALUES (%s)" % (verb, mi(t.name), ", ".join(mi(c) for c in cols),
                                               ", ".join(lits)), None

    def set_clause(self, t, cols):
        if self.a.source == "sqlite":
            return ", ".join("%s = ?" % qi(c) for c in cols), [sqlite_param(self.value(t, c))
                                                              for c in cols]
        return ", ".join("%s = %s" % (mi(c), self.value(t, c)) for c in cols), []

    def stmt(self, sql, params):
        return (sql, params) if self.a.source == "sqlite" else sql

    def workload_txn(self, t, bulk=0):
        """One transaction of random statements on table t."""
        r = self.r
        stmts = []
        kinds = [k for k in ("insert", "update", "keychange", "keyswap", "delete", "upsert",
                             "empty") if k in self.ops]
        if bulk:
            for _ in range(bulk):
                s, p = self.insert_stmt(t)
                stmts.append(self.stmt(s, p))
            self.execute(stmts + self.bad_text_casts(t))
            return "bulk %d inserts" % bulk
        if not kinds:
            return "nothing"
        n = r.randint(1, 6)
        done = []
        keys = self.key_rows(t)
        nonkey = [c for c, _ in t.cols if c not in t.key and c not in t.generated]
        for _ in range(n):
            k = r.choice(kinds)
            if k == "empty":
                if not stmts:
                    done.append("empty")
                    break
                continue
            if k in ("update", "keychange", "keyswap", "delete") and not keys:
                k = "insert"
            if k == "insert":
                s, p = self.insert_stmt(t)
                stmts.append(self.stmt(s, p))
            elif k == "upsert":
                stmts.append(self.upsert_stmt(t, nonkey))
            elif k == "update":
                if not nonkey:
                    continue
                key = r.choice(keys)
                cols = r.sample(nonkey, r.randint(1, min(3, len(nonkey))))
                w, wp = self.where(t, key)
                s, sp = self.set_clause(t, cols)
                stmts.append(self.stmt("UPDATE %s SET %s WHERE %s" % (self.q(t.name), s, w),
                                       sp + wp))
            elif k == "keychange":
                if not t.key:
                    continue
                key = r.choice(keys)
                kc = r.choice(t.key)
                old = key[t.key.index(kc)]
                new = self.key_value(t, kc)
                if t.key_kind[kc] == "text" and "collate" in self.ops and r.random() < 0.5:
                    new = r.choice([old.swapcase(), old + " ", old.rstrip(" ")])
                elif t.key_kind[kc] == "text" and "padkey" in self.ops and r.random() < 0.3:
                    new = old + " "
                w, wp = self.where(t, key)
                if self.a.source == "sqlite":
                    stmts.append(("UPDATE %s SET %s = ? WHERE %s" % (qi(t.name), qi(kc), w),
                                  [new] + wp))
                else:
                    stmts.append("UPDATE %s SET %s = %s WHERE %s" % (
                        mi(t.name), mi(kc), self.mysql_key_literal(t, kc, new), w))
            elif k == "keyswap":
                if not t.key or len(keys) < 2:
                    continue
                k1, k2 = r.sample(keys, 2)
                kc = t.key[0]
                if t.key_kind[kc] == "int":
                    tmp = -10**9 - r.randint(0, 10**6)
                else:
                    tmp = "~swap%d" % r.randint(0, 10**6)
                stmts += self.swap_stmts(t, kc, k1, k2, tmp)
            elif k == "delete":
                key = r.choice(keys)
                w, wp = self.where(t, key)
                stmts.append(self.stmt("DELETE FROM %s WHERE %s" % (self.q(t.name), w), wp))
            done.append(k)
        self.execute(stmts + self.bad_text_casts(t))
        return " ".join(done)

    def bad_text_casts(self, t):
        """badutf8: the BadText values bound as BLOBs become TEXT in the same
        transaction (a BLOB left in a TEXT column is another case: csv
        documents that it comes back as its hex text)."""
        if "badutf8" not in self.ops or self.a.source != "sqlite":
            return []
        return [("UPDATE %s SET %s = CAST(%s AS TEXT) WHERE typeof(%s) = 'blob'"
                 % (qi(t.name), qi(c), qi(c), qi(c)), [])
                for c, ty in t.cols if sqlite_affinity(ty) == "t" and c not in t.generated]

    def q(self, name):
        return qi(name) if self.a.source == "sqlite" else mi(name)

    def swap_stmts(self, t, kc, k1, k2, tmp):
        out = []
        i = t.key.index(kc)

        def upd(key, newv):
            w, wp = self.where(t, key)
            if self.a.source == "sqlite":
                return ("UPDATE %s SET %s = ? WHERE %s" % (qi(t.name), qi(kc), w), [newv] + wp)
            return "UPDATE %s SET %s = %s WHERE %s" % (mi(t.name), mi(kc),
                                                       self.mysql_key_literal(t, kc, newv), w)
        k1tmp = list(k1)
        k1tmp[i] = tmp
        k2new = list(k2)
        k2new[i] = k1[i]
        out.append(upd(k1, tmp))
        out.append(upd(k2, k1[i]))
        out.append(upd(tuple(k1tmp), k2[i]))
        return out

    def upsert_stmt(self, t, nonkey):
        r = self.r
        if self.a.source == "sqlite":
            if not t.key or r.random() < 0.5 or not nonkey:
                s, p = self.insert_stmt(t, "INSERT OR REPLACE")
                return (s, p)
            s, p = self.insert_stmt(t)
            c = r.choice(nonkey)
            return (s + " ON CONFLICT(%s) DO UPDATE SET %s = excluded.%s" % (
                ", ".join(qi(k) for k in t.key), qi(c), qi(c)), p)
        if r.random() < 0.5 or not nonkey:
            s, _ = self.insert_stmt(t, "REPLACE")
            return s
        s, _ = self.insert_stmt(t)
        c = r.choice(nonkey)
        return s + " ON DUPLICATE KEY UPDATE %s = VALUES(%s)" % (mi(c), mi(c))

    def execute(self, stmts):
        if self.a.source == "sqlite":
            self.src.script(stmts)
        else:
            self.src.script(stmts)

    # ------------------------------------------------------------ operations

    def op_choices(self):
        ops = ["run", "run", "run"]
        for o in ("fault", "kill", "loadall", "retrigger", "addcol", "createtable", "exclude",
                  "loadtable", "dropcol", "renamecol", "adddefault", "renametable", "droptable",
                  "keytype", "nullpk", "badname"):
            if o in self.ops:
                ops.append(o)
        if self.s3 and "s3fault" in self.ops:
            ops.append("s3fault")
        if self.a.mode == "binlog":
            ops += sorted(o for o in BINLOG_DDL_OPS if o in self.ops)
        return ops

    def operation(self):
        r = self.r
        op = r.choice(self.op_choices())
        trig = self.a.mode == "trigger"
        live = [t for t in self.live_tables() if t.name not in self.excluded]
        if op == "fault" and self.lake and r.random() < 0.3:
            # a load killed at a point of its own or of its publishing: the
            # next run finishes the batch, its LOAD numbers the same
            point = r.choice(["mid-load", "after-stage", "after-publish"] + LAKE_FAULT_POINTS)
            t = r.choice(live) if live and r.random() < 0.5 else None
            rc, _, _ = self.cdc(*(["load"] + ([t.name] if t else [])),
                                env={"CDCPACK_FAULT": "crash:" + point}, expect=(0, 137))
            return "load %s killed at %s (exit %d)" % (t.name if t else "(every table)", point, rc)
        if op == "fault":
            point = r.choice(FAULT_POINTS + (LAKE_FAULT_POINTS if self.lake else []))
            rc, _, _ = self.cdc("run", env={"CDCPACK_FAULT": "crash:" + point},
                                expect=(0, 137))
            return "run killed at %s (exit %d)" % (point, rc)
        if op == "kill":
            delay, rc = self.run_killed_at_random()
            return "run SIGKILLed after %.3fs (exit %d)" % (delay, rc)
        if op == "s3fault":
            return self.run_under_s3_faults()
        if op in BINLOG_DDL_OPS:
            desc = self.ddl_ops.operation(op)
            if desc is not None:
                return "[%s] %s" % (op, desc)  # the class, so a log counts what each case ran
        if op == "loadall":
            self.cdc("load")
            return "load (every table)"
        if op == "loadtable" and live:
            t = r.choice(live)
            if "duptables" in self.ops and r.random() < 0.3:
                # issue 11 #11: `load t t` would ship t twice: refused (exit 2),
                # nothing shipped; then the load as meant
                rc, _, err = self.cdc("load", t.name, t.name, expect=(2,))
                if "named twice" not in err:
                    raise CdcError("load %s %s: refused without saying why:\n%s" % (
                        t.name, t.name, err))
            self.cdc("load", t.name)
            return "load %s" % t.name
        if op == "retrigger" and trig and live:
            t = r.choice(live)
            self.cdc("triggers", "remove", t.name)
            self.cdc("triggers", "install", t.name)
            return "triggers remove/install %s" % t.name
        if op == "addcol" and live:
            t = r.choice(live)
            return self.add_column(t, default=False)
        if op == "adddefault" and live:
            t = r.choice(live)
            return self.add_column(t, default=True)
        if op == "createtable" and len(self.tables) < 6:
            t = self.new_table(empty=True)
            self.write_config()
            if trig:
                self.cdc("triggers", "install")
            return "create table %s" % t.name
        if op == "exclude" and len(live) > 1 and not self.excluded:
            t = r.choice(live)
            if trig:  # a table left out of the config must not keep its triggers (issue 11 #2)
                self.cdc("triggers", "remove", t.name)
            self.excluded.add(t.name)
            self.write_config()
            return "exclude %s" % t.name
        if op == "exclude" and self.excluded:
            names = sorted(self.excluded)
            self.excluded.clear()
            self.write_config()
            if trig:
                self.cdc("triggers", "install")
            self.cdc("load")
            return "include %s again (+ triggers install, load)" % ", ".join(names)
        if op in ("dropcol", "renamecol") and live:
            t = r.choice(live)
            nonkey = [c for c, _ in t.cols if c not in t.key and c not in t.generated
                      and not (op == "dropcol" and c == t.gen_source)]
            if len(nonkey) >= 2:
                c = r.choice(nonkey)
                if op == "dropcol":
                    how = self.alter(t, "ALTER TABLE %s DROP COLUMN %s" % (self.q(t.name),
                                                                           self.q(c)))
                    t.cols = [(n, ty) for n, ty in t.cols if n != c]
                    return "drop column %s.%s%s" % (t.name, c, how)
                new = c + "r"
                how = self.alter(t, "ALTER TABLE %s RENAME COLUMN %s TO %s" % (
                    self.q(t.name), self.q(c), self.q(new)))
                t.cols = [(new if n == c else n, ty) for n, ty in t.cols]
                if t.gen_source == c:
                    t.gen_source = new
                # README: the next run ships the table whole as a load
                # (no advice to follow any more).
                return "rename column %s.%s to %s%s" % (t.name, c, new, how)
        if op == "renametable" and live:
            t = r.choice(live)
            new = t.name + "_r"
            self.src.ddl("ALTER TABLE %s RENAME TO %s" % (self.q(t.name), self.q(new)))
            del self.tables[t.name]
            t.name = new
            self.tables[new] = t
            self.write_config()  # a `tables =` list (duptables) names the new name
            if self.a.mode == "binlog":
                # README (binlog mode): the run that reads the RENAME ends
                # there ("gave its name to another table"), the next run
                # loads; this run is that first one, the step's closing run
                # the next (hunt, seed 1796655100: one run left NEW unloaded).
                self.run_until_ok()
                return "rename table to %s (+ the run that reads the rename)" % new
            if not trig:  # snapshot: the new name is a new table, its first run ships a load
                return "rename table to %s" % new
            # README: the rebuild under the new name drops the old triggers
            # (changes before it ship under the old name) and advises
            # `cdcpack load NEW`; follow the advice as given.
            _, out, err = self.cdc("triggers", "install", new)
            # README: a hint spells the name for the shell, whole (hunt, seed
            # 34 --lake: `cdcpack load a\\b_1_r`, which a shell reads as a\b_1_r)
            advice = "cdcpack load %s" % shell_word(new)
            if advice not in (out + err).split("\n") and \
                    not any(line.endswith(": " + advice) or
                            ": " + advice + " (the name escaped" in line
                            for line in (out + err).split("\n")):
                raise CdcError("triggers install %s after the rename does not advise `%s`:\n%s%s"
                               % (new, advice, out, err[-2000:]))
            self.cdc("load", new)
            return "rename table to %s (+ triggers install, load as advised)" % new
        if op == "droptable" and len(live) > 1:
            t = r.choice(live)
            self.src.ddl("DROP TABLE %s" % self.q(t.name))
            del self.tables[t.name]
            self.write_config()
            return "drop table %s" % t.name
        if op == "badname" and self.a.source == "sqlite":
            return self.bad_name_table()
        if op == "nullpk" and self.a.source == "sqlite":
            cands = [t for t in live if t.nullable_key]
            if cands:
                return self.null_key(r.choice(cands))
        if op == "keytype" and self.a.mode == "snapshot" and self.a.source == "sqlite":
            for t in live:
                if t.key == ["k1"] and not t.rowid:
                    return self.retype_key(t)
        self.run_until_ok()
        return "run"

    def run_under_s3_faults(self):
        """README: a run the target fails ends with exit 3 naming it (or 0
        when its retries got through); the step's closing run, faults off,
        finishes the job."""
        rules = self.s3.random_faults(self.r)
        try:
            rc, _, err = self.cdc("run", expect=(0, 3))
        finally:
            self.s3.faults_off()
        # "says what and where": the failed request's key or the target
        if rc == 3 and "s3" not in err.lower() and self.s3.prefix not in err:
            raise CdcError("run under S3 faults exited 3 without naming the target:\n%s"
                           % err[-2000:])
        return "run under S3 faults %s (exit %d)" % (
            ", ".join(x["action"] + ("/fwd" if x.get("forward") else "") for x in rules), rc)

    def alter(self, t, sql):
        """DROP/RENAME COLUMN: in trigger mode through `cdcpack triggers
        alter` (README: a plain ALTER fails MariaDB writes until the triggers
        are rebuilt, and SQLite refuses to drop a column a trigger names)."""
        if self.a.mode != "trigger":
            self.src.ddl(sql)
            return ""
        self.cdc("triggers", "alter", t.name, sql)
        return " (triggers alter)"

    def add_column(self, t, default):
        n = 0
        while ("a%d" % n) in dict(t.cols):
            n += 1
        cn = "a%d" % n
        if self.a.source == "sqlite":
            ty = self.r.choice(SQLITE_CROSS_TYPES if self.cross else SQLITE_TYPES)
            d = ""
            if default:
                d = " DEFAULT %s" % self.r.choice(["7", "'x'", "1.5"])
                if self.cross:  # a MariaDB column holds only its own type's values
                    d = " DEFAULT %s" % {"i": "7", "r": "1.5"}.get(sqlite_affinity(ty), "'x'")
            self.src.ddl("ALTER TABLE %s ADD COLUMN %s %s%s" % (qi(t.name), qi(cn), ty, d))
        else:
            ty = self.r.choice(MYSQL_TYPES)
            d = " DEFAULT 7" if default and "int" in ty else ""
            self.src.ddl("ALTER TABLE %s ADD COLUMN %s %s NULL%s" % (mi(t.name), mi(cn), ty, d))
        t.cols.append((cn, ty))
        rebuilt = ""
        if self.a.mode == "trigger" and "driftwrite" not in self.ops:
            # Writes between the ALTER and the trigger rebuild carry only the
            # old columns (README, the documented drift window): rebuild first.
            self.cdc("triggers", "install", t.name)
            rebuilt = " + triggers install"
        # README: the next run ships the table whole as a load, with the
        # new column (DEFAULT or not).
        return "add column %s.%s %s%s%s" % (t.name, cn, ty, " with default" if default else "",
                                            rebuilt)

    def null_key(self, t):
        """A row with a NULL key (SQLite lets a non-INTEGER key hold one).
        README: no replica can pair it, so a run stops (exit 3) naming the
        table and column and publishes nothing; the harness follows the
        advice -- fix the source row (delete it or give it a key), and in
        trigger mode delete each change the message names -- until a run
        succeeds. A run that accepts the row fails the case."""
        s, p = self.insert_stmt(t)
        p[[c for c, _ in t.cols if c not in t.key or not t.rowid].index("k2")] = None
        self.execute([(s, p)] + self.bad_text_casts(t))  # a BadText is bound as a BLOB
        fix = None
        advice = []
        for _ in range(50):
            rc, _, err = self.cdc("run", expect=(0, 3, 75))
            if rc == 75:
                time.sleep(0.2)
                continue
            if rc == 0:
                if fix is None:
                    raise Divergence("run accepted a NULL key in %s.k2 (exit 0)" % t.name)
                return "NULL key in %s: run refused it; %s; %d change(s) deleted as advised" % (
                    t.name, fix, len(advice))
            if "table %s:" % name_shown(t.name) not in err or "NULL in key column k2" not in err:
                raise CdcError("run exit 3 does not name table %s and column k2:\n%s"
                               % (t.name, err[-2000:]))
            if fix is None:
                if self.r.random() < 0.5:
                    self.execute([('DELETE FROM %s WHERE "k2" IS NULL' % qi(t.name), [])])
                    fix = "row deleted"
                else:
                    k = "%s~n%d" % (self.key_value(t, "k2"), self.r.randint(0, 10**6))
                    self.execute([('UPDATE %s SET "k2" = ? WHERE "k2" IS NULL'
                                   % qi(t.name), [k])])
                    fix = "row given key %r" % k
                continue
            m = re.search(r"then delete the change: (DELETE FROM \S+ WHERE seq = \d+)", err)
            if self.a.mode != "trigger" or not m:
                raise CdcError("run still refuses after the source row was fixed:\n%s"
                               % err[-2000:])
            self.execute([(m.group(1), [])])
            advice.append(m.group(1))
        raise CdcError("run kept refusing the NULL key of %s" % t.name)

    def bad_name_table(self):
        """README "Names an archive cannot carry": a table whose name holds
        a control byte or is not UTF-8 is refused by run (exit 2, the name
        spelt with \\xHH) rather than shipped to an apply that refuses it;
        renamed, it is captured (install + load in trigger mode, a load by
        itself in snapshot mode)."""
        self.table_seq += 1
        raw, shown = self.r.choice([(b"bad\n", "bad\\x0A"), (b"bad\t", "bad\\x09"),
                                    (b"bad\x01", "bad\\x01"), (b"bad\xff", "bad\\xFF"),
                                    (b"bad\xc3", "bad\\xC3")])
        raw += b"%d" % self.table_seq
        shown += "%d" % self.table_seq
        qraw = b'"' + raw + b'"'
        self.sqlite_cli(b"CREATE TABLE " + qraw + b"(id INTEGER PRIMARY KEY, v TEXT); "
                        b"INSERT INTO " + qraw + b" VALUES (1, 'x'), (2, NULL);")
        rc, _, err = self.cdc("run", expect=(0, 2) if self.dup_tables else (2,))
        if rc == 2 and "table '%s' cannot be captured" % shown not in err:
            raise CdcError("run refused the table without naming it as '%s':\n%s"
                           % (shown, err[-2000:]))
        new = "fixed_%d" % self.table_seq
        self.sqlite_cli(b"ALTER TABLE " + qraw + b" RENAME TO " + new.encode() + b";")
        t = Table(new)
        t.key, t.rowid, t.key_kind = ["id"], True, {"id": "int"}
        t.cols = [("id", "INTEGER"), ("v", "TEXT")]
        self.tables[new] = t
        self.write_config()
        if self.a.mode == "trigger":
            self.cdc("triggers", "install", new)
            self.cdc("load", new)
        return "table %s refused by run (exit %d), renamed %s" % (shown, rc, new)

    def sqlite_cli(self, sql):
        """SQL as bytes (a name Python's sqlite3 cannot spell), by sqlite3."""
        p = subprocess.run(["sqlite3", "-cmd", ".timeout 30000", self.src.path], input=sql,
                           capture_output=True)
        if p.returncode:
            raise AppWriteFailed("sqlite3: %r" % p.stderr[-500:])

    def retype_key(self, t):
        # the columns named: a generated column is a plain one in tmp_rt and
        # not in the rebuilt table (hunt, seed 7001 --lake: "7 columns but
        # 8 values")
        names = ", ".join(qi(c) for c, _ in t.cols)
        self.src.ddl('CREATE TABLE "tmp_rt" AS SELECT * FROM %s; DROP TABLE %s; '
                     'CREATE TABLE %s ("k1" TEXT PRIMARY KEY, %s); INSERT INTO %s (%s) SELECT %s '
                     'FROM "tmp_rt"; DROP TABLE "tmp_rt";' % (
                         qi(t.name), qi(t.name), qi(t.name),
                         ", ".join("%s %s" % (qi(c), ty) for c, ty in t.cols if c != "k1"),
                         qi(t.name), names, names))
        t.cols = [("k1", "TEXT") if c == "k1" else (c, ty) for c, ty in t.cols]
        t.generated, t.gen_source = [], None
        t.key_kind["k1"] = "text"
        return "retype key of %s to TEXT" % t.name

    # ------------------------------------------------------------ checks

    def apply_and_compare(self, fresh=False):
        rep = self.rep
        if fresh:
            if isinstance(rep, SqliteDB):
                rep = SqliteDB(os.path.join(self.dir, "fresh.db"))
                if os.path.exists(rep.path):
                    os.unlink(rep.path)
            else:
                rep = MysqlDB(self.rep.db + "f")
                rep.create()
        self.cdc("apply", "--to", rep.url)
        self.compare(rep)
        if fresh and isinstance(rep, MysqlDB) and not self.a.keep:
            rep.drop()

    def compare(self, rep):
        problems = []
        live = [t for t in self.live_tables() if t.name not in self.excluded]
        sdump = self.src.dump_many({t.name: None for t in live})
        want = {}
        for t in live:
            want[t.name] = set(c for c in sdump[t.name][0]
                               if c not in t.generated or "generated" in self.ops)
        rdump = rep.dump_many(want)
        for t in live:
            scols, srows = sdump[t.name]
            scols = [c for c in scols if c in want[t.name]]
            if t.name not in rdump:
                if srows:
                    problems.append("table %s: %d source rows, no replica table"
                                    % (t.name, len(srows)))
                continue
            rcols, rrows = rdump[t.name]
            missing = [c for c in scols if c not in rcols]
            # A column added at the source reaches the replica with the
            # next run's reload of the table (README: schema changes);
            # without strictschema a column NULL in every row may lag.
            for c in list(missing):
                if all(row[c] is None for row in srows) and "strictschema" not in self.ops:
                    missing.remove(c)
                    scols = [x for x in scols if x != c]
            if missing:
                problems.append("table %s: replica lacks column(s) %s" % (t.name, missing))
                continue
            floats = {c for c, ty in t.cols if mysql_base(ty) == "float"} if \
                self.a.source == "mysql" else set()
            a = sorted((self.row_key(r, scols, floats) for r in srows), key=repr)
            b = sorted((self.row_key(r, scols, floats) for r in rrows), key=repr)
            if a != b:
                problems.append(self.describe(t, scols, a, b))
        if problems:
            raise Divergence("replica %s differs from source:\n  %s" % (rep.url,
                                                                         "\n  ".join(problems)))

    def describe(self, t, cols, a, b):
        """Rows that differ, paired by key where the key is the same."""
        nkey = len(t.key) if t.key and not (t.rowid and not t.key) else 1
        sa, sb = set(a), set(b)
        only_s = [x for x in a if x not in sb]
        only_r = [x for x in b if x not in sa]
        rk = {x[:nkey]: x for x in only_r}
        lines = ["table %s: source %d rows, replica %d rows" % (t.name, len(a), len(b))]
        for x in only_s[:5]:
            y = rk.pop(x[:nkey], None)
            if y is None:
                lines.append("  only in source: key %s" % shorten(list(x[:nkey])))
                continue
            diffs = ["%s: source %s, replica %s" % (c, shorten(u), shorten(v))
                     for c, u, v in zip(cols, x, y) if u != v]
            lines.append("  key %s: %s" % (shorten(list(x[:nkey])), "; ".join(diffs)))
        for y in list(rk.values())[:5]:
            lines.append("  only in replica: key %s" % shorten(list(y[:nkey])))
        return "\n    ".join(lines)

    def row_key(self, row, cols, floats):
        if self.cross or self.a.source == "mysql" and self.a.replica == "mysql":
            if self.cross:
                return tuple(loose(row[c], c in floats) for c in cols)
        return tuple(row[c] for c in cols)

    def check_chain(self):
        """Reads every published archive: seq 1..N without a gap, each
        batch's previous is the one before, each file's XXH3-128 matches,
        rows match the manifest, each change (trigger mode, by seq) once,
        cdc batches' seq ranges disjoint, nothing left under the temp prefix."""
        if self.s3:
            self.s3.sync_mirror()
        arch = []
        for dp, _, fs in os.walk(os.path.join(self.bucket, "cdc")):
            for f in fs:
                arch.append(os.path.join(dp, f))
        arch.sort(key=lambda p: os.path.basename(p))
        problems = []
        seen_seq = {}
        ranges = []
        prev = None
        for i, path in enumerate(arch):
            st = os.stat(path)
            ident = (path, st.st_size, st.st_mtime_ns)
            if ident not in self.archive_cache:  # published archives never change
                self.archive_cache[ident] = read_archive(path)
            members = self.archive_cache[ident]
            m = json.loads(members["manifest.json"])
            want = "src-%08d" % (i + 1)
            b = m["batch"]
            if b["id"] != want or b["seq"] != i + 1:
                problems.append("position %d: batch %s seq %s, expected %s (a gap?)"
                                % (i + 1, b["id"], b["seq"], want))
            if b.get("previous") != prev:
                problems.append("%s: previous %s, expected %s" % (b["id"], b.get("previous"),
                                                                   prev))
            prev = b["id"]
            lo = hi = None
            load_keys = {}  # table -> keys in this load batch (issue 11 #11: loaded twice)
            for tb in m["tables"]:
                data = members.get(tb["file"])
                if data is None:
                    problems.append("%s: %s listed but not in the archive" % (b["id"], tb["file"]))
                    continue
                if xxh128_cached(self.xxh_cache, data) != tb["xxh128"]:
                    problems.append("%s: %s checksum mismatch" % (b["id"], tb["file"]))
                nrows = count_rows(data, tb)
                if nrows != tb["rows"]:
                    problems.append("%s: %s holds %d rows, manifest says %d"
                                    % (b["id"], tb["file"], nrows, tb["rows"]))
                if b["kind"] == "load":
                    keys = load_keys.setdefault(tb["name"], set())
                    for k in file_keys(data, tb):
                        if k in keys:
                            problems.append("%s: table %s: key %s loaded twice"
                                            % (b["id"], tb["name"], shorten(list(k))))
                            break
                        keys.add(k)
                if b["kind"] == "cdc" and b.get("mode", "trigger") == "trigger" and \
                        tb.get("first_seq") is not None:
                    lo = tb["first_seq"] if lo is None else min(lo, tb["first_seq"])
                    hi = tb["last_seq"] if hi is None else max(hi, tb["last_seq"])
                    if tb["format"] == "jsonl":
                        for line in data.splitlines():
                            s = json.loads(line)["seq"]
                            if s in seen_seq:
                                problems.append("change seq %s shipped twice (%s and %s)"
                                                % (s, seen_seq[s], b["id"]))
                            seen_seq[s] = b["id"]
                            if not tb["first_seq"] <= s <= tb["last_seq"]:
                                problems.append("%s: seq %s outside %s..%s" % (
                                    tb["file"], s, tb["first_seq"], tb["last_seq"]))
            if lo is not None:
                ranges.append((lo, hi, b["id"]))
        ranges.sort()
        for x, y in zip(ranges, ranges[1:]):
            if y[0] <= x[1]:
                problems.append("seq range %s..%s of %s overlaps %s..%s of %s"
                                % (y[0], y[1], y[2], x[0], x[1], x[2]))
        tmp = os.path.join(self.bucket, "_tmp")
        if os.path.isdir(tmp):
            left = [os.path.join(dp, f) for dp, _, fs in os.walk(tmp) for f in fs]
            if left:
                problems.append("objects left under the temp prefix: %s" % left[:3])
        if problems:
            raise Divergence("published chain:\n  " + "\n  ".join(problems[:20]))
        return len(arch)

    def check_changelog_empty(self):
        if self.a.mode != "trigger":
            return
        if self.a.source == "sqlite":
            c = self.src.connect()
            try:
                # a marker row (op '-') holds the last seq: no change
                n = c.execute("SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'").fetchone()[0]
            except sqlite3.OperationalError:
                return
            finally:
                c.close()
        else:
            n = int(self.src.client("SELECT COUNT(*) FROM cdcpack_changelog").strip() or 0)
        if n:
            raise Divergence("after a successful run, %d changelog row(s) still wait" % n)

    # ------------------------------------------------------------ self-check

    def corrupt(self, how):
        """Damages the replica or the chain on purpose; the checks must fail."""
        if how == "replica":
            for t in self.live_tables():
                if t.name in self.excluded or self.src.count(t.name) == 0:
                    continue
                if isinstance(self.rep, SqliteDB):
                    c = self.rep.connect()
                    c.execute("DELETE FROM %s WHERE rowid IN (SELECT rowid FROM %s LIMIT 1)"
                              % (qi(t.name), qi(t.name)) if not self.without_rowid(c, t.name)
                              else "DELETE FROM %s WHERE %s IN (SELECT %s FROM %s LIMIT 1)" % (
                                  qi(t.name), qi(t.key[0]), qi(t.key[0]), qi(t.name)))
                    c.close()
                else:
                    self.rep.ddl("DELETE FROM %s LIMIT 1" % mi(t.name))
                return "deleted one replica row of %s" % t.name
            raise RuntimeError("self-check: no table with rows to damage")
        if how == "value":
            for t in self.live_tables():
                nonkey = [c for c, _ in t.cols if c not in t.key]
                if t.name in self.excluded or not nonkey or self.src.count(t.name) == 0:
                    continue
                c = nonkey[0]
                if isinstance(self.rep, SqliteDB):
                    con = self.rep.connect()
                    con.execute("UPDATE %s SET %s = CASE WHEN %s IS NULL THEN 1 ELSE NULL END"
                                % (qi(t.name), qi(c), qi(c)))
                    con.close()
                else:
                    self.rep.ddl("UPDATE %s SET %s = NULL" % (mi(t.name), mi(c)))
                    self.rep.ddl("UPDATE %s SET %s = DEFAULT LIMIT 1" % (mi(t.name), mi(c)))
                    self.rep.ddl("UPDATE %s SET %s = 1 LIMIT 1" % (mi(t.name), mi(c)))
                return "changed column %s of the replica's %s" % (c, t.name)
            raise RuntimeError("self-check: no table with rows to damage")
        if how == "lake":
            return self.lake.corrupt()
        if how == "chain":
            arch = sorted((os.path.join(dp, f) for dp, _, fs in
                           os.walk(os.path.join(self.bucket, "cdc")) for f in fs),
                          key=os.path.basename)
            if len(arch) < 3:
                raise RuntimeError("self-check: fewer than 3 published batches")
            victim = arch[len(arch) // 2]
            if self.s3:
                self.s3.remove(victim)
            else:
                os.unlink(victim)
            return "removed published batch %s" % os.path.basename(victim)
        raise ValueError(how)

    def without_rowid(self, c, name):
        row = c.execute("SELECT sql FROM sqlite_master WHERE name=?", (name,)).fetchone()
        return b"WITHOUT ROWID" in (row[0] or b"").upper()

    # ------------------------------------------------------------ driver

    def start(self):
        if self.a.mode == "trigger":
            self.cdc("triggers", "install")
            self.cdc("load")
        else:
            self.run_until_ok()

    def step(self, i):
        r = self.r
        live = [t for t in self.live_tables() if t.name not in self.excluded] or \
            self.live_tables()
        descs = []
        for _ in range(r.randint(1, 3)):
            t = r.choice(live)
            if "bulk" in self.ops and r.random() < 0.1:
                descs.append("%s: %s" % (t.name, self.workload_txn(t, bulk=r.randint(50, 300))))
            else:
                descs.append("%s: %s" % (t.name, self.workload_txn(t)))
        # some writes land on excluded tables too: they must not ship
        for name in sorted(self.excluded):
            self.workload_txn(self.tables[name])
        opdesc = self.operation()
        log("step %d: %s; then %s" % (i, "; ".join(descs), opdesc))
        if self.a.mode == "trigger" and self.r.random() < 0.3:
            # not a table the operation dropped or renamed away (hunt, seed
            # 1796655100 sqlite trigger csv: a write to a dropped table)
            t = self.r.choice([t for t in live if self.tables.get(t.name) is t] or
                              self.live_tables())
            log("step %d: concurrent-ish write before the closing run: %s: %s"
                % (i, t.name, self.workload_txn(t)))
        self.run_until_ok()
        self.check_changelog_empty()
        if i % self.a.check_every == 0 or i == self.a.steps:
            self.apply_and_compare()
            n = self.check_chain()
            lake = ""
            if self.lake:
                lake = "; the lake's merge equals the source (%d rows)" % self.check_lake()
            log("step %d: replica equals source; chain of %d batches good%s" % (i, n, lake))

    def check_lake(self):
        live = [t for t in self.live_tables() if t.name not in self.excluded]
        problems, compared = self.lake.check(live)
        if problems:
            raise Divergence("lake (examples/lake/merge.sql in DuckDB) differs:\n  "
                             + "\n  ".join(problems[:20]))
        return compared


class BadText:
    def __init__(self, b):
        self.b = b


def sqlite_param(v):
    if isinstance(v, BadText):
        return v.b  # bound as a BLOB; workload_txn CASTs it to TEXT in the same transaction
    return v


def shorten(rows):
    s = repr(rows)
    return s if len(s) < 300 else s[:300] + "..."


def read_archive(path):
    with open(path, "rb") as f:
        raw = f.read()
    if path.endswith(".zst"):
        raw = subprocess.run(["zstd", "-dc"], input=raw, stdout=subprocess.PIPE,
                             check=True).stdout
        mode = "r:"
    elif path.endswith(".gz"):
        mode = "r:gz"
    elif path.endswith(".xz"):
        mode = "r:xz"
    else:
        mode = "r:"
    out = {}
    with tarfile.open(fileobj=io.BytesIO(raw), mode=mode) as tf:
        for m in tf.getmembers():
            if m.isfile():
                out[m.name] = tf.extractfile(m).read()
    return out


def xxh128(data):
    p = subprocess.run(["xxhsum", "-H2", "-"], input=data, stdout=subprocess.PIPE, check=True)
    return p.stdout.split()[0].decode()


def xxh128_cached(cache, data):
    key = hashlib.sha256(data).digest()
    if key not in cache:
        cache[key] = xxh128(data)
    return cache[key]


# A change file's field holds a whole value: a BLOB of 100 KB is 200 KB of
# hex ([batch] binary_encoding's default), past csv's 128 KiB default limit.
csv.field_size_limit(1 << 30)


def count_rows(data, tb):
    if tb["format"] == "jsonl":
        return len(data.splitlines())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8", "surrogateescape"), newline=""),
                           delimiter=tb.get("csv_delimiter", ",")))
    return len(rows) - (1 if tb.get("header") else 0)


def file_keys(data, tb):
    """The key of each row of a published file, as comparable tuples."""
    if tb["format"] == "jsonl":
        return [(json.dumps(json.loads(line).get("key"), sort_keys=True),)
                for line in data.splitlines()]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8", "surrogateescape"), newline=""),
                           delimiter=tb.get("csv_delimiter", ",")))
    if tb.get("header"):
        rows = rows[1:]
    skip = 1 if tb.get("op_column") else 0
    idx = [i + skip for i, c in enumerate(tb["columns"]) if c.get("key")]
    if not idx:  # no key columns listed: the whole row
        return [tuple(r) for r in rows]
    return [tuple(r[i] for i in idx) for r in rows]


# ---------------------------------------------------------------- main

def rerun_command(a, extra=()):
    cmd = ["python3", os.path.relpath(os.path.abspath(__file__), ROOT),
           "--seed", str(a.seed), "--steps", str(a.steps), "--source", a.source,
           "--replica", a.replica, "--mode", a.mode, "--format", a.format,
           "--ops", ",".join(sorted(a.ops)), "--check-every", str(a.check_every)]
    if a.target != "file":
        cmd += ["--target", a.target]
    if a.lake:
        cmd += ["--lake"]
    if a.self_check:
        cmd += ["--self-check", a.self_check]
    return " ".join(shlex.quote(c) for c in list(cmd) + list(extra))


def parse_ops(spec):
    """'default', 'all', a plain list (a,b: exactly those), or changes to
    the default (+collate,-kill)."""
    if not spec or spec == "default":
        return set(DEFAULT_OPS)
    if spec == "all":
        return set(OPS)
    parts = []
    for x in (x.strip() for x in spec.split(",") if x.strip()):
        if x.lstrip("+-") == "binlogddl":  # the group of binlog DDL classes
            parts += [x[0] + o if x[0] in "+-" else o for o in sorted(BINLOG_DDL_OPS)]
        else:
            parts.append(x)
    relative = all(x[0] in "+-" for x in parts)
    ops = set(DEFAULT_OPS) if relative else set()
    for part in parts:
        add = part[0] != "-"
        name = part.lstrip("+-")
        if name not in OPS:
            raise SystemExit("torture: unknown op class %r (known: %s)" % (
                name, ", ".join(sorted(OPS))))
        (ops.add if add else ops.discard)(name)
    return ops


def run_case(a):
    case = Case(a)
    log("torture: seed %d steps %d source %s replica %s mode %s format %s ops %s" % (
        a.seed, a.steps, a.source, a.replica, a.mode, a.format, ",".join(sorted(a.ops))))
    ok = False
    try:
        case.setup()
        case.start()
        for i in range(1, a.steps + 1):
            case.step(i)
            case.steps_done = i
        case.apply_and_compare(fresh=True)
        log("final: a fresh replica built from the whole chain equals the source")
        if a.self_check:
            what = case.corrupt(a.self_check)
            log("self-check: %s" % what)
            try:
                if a.self_check == "chain":
                    case.check_chain()
                elif a.self_check == "lake":
                    case.check_lake()
                else:
                    case.compare(case.rep)
            except Divergence as e:
                log("self-check: divergence reported as it must be:\n%s" % e)
                ok = True
                return 0
            log("SELF-CHECK FAILED: the damage went unnoticed")
            return 1
        ok = True
        log("torture: seed %d passed (%d steps)" % (a.seed, a.steps))
        return 0
    except (Divergence, CdcError, AppWriteFailed, RuntimeError, sqlite3.Error, subprocess.SubprocessError) as e:
        log("FAILED at step %d: %s: %s" % (case.steps_done + 1, type(e).__name__, e))
        log("rerun: %s" % rerun_command(a))
        return 1
    finally:
        keep = a.keep or (not ok and not a.no_keep_failed)
        if keep and getattr(case, "dir", None):
            log("kept %s" % case.dir)
        else:
            if getattr(case, "dir", None):
                shutil.rmtree(case.dir, ignore_errors=True)
            for db in (getattr(case, "src", None), getattr(case, "rep", None)):
                if isinstance(db, MysqlDB):
                    try:
                        db.drop()
                    except RuntimeError:
                        pass
            for name in getattr(case, "extra_dbs", []):
                case.src.client("DROP DATABASE IF EXISTS %s" % mi(name), db=False)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock)")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--source", choices=["sqlite", "mysql"], default="sqlite")
    p.add_argument("--replica", choices=["sqlite", "mysql"], default="sqlite")
    p.add_argument("--mode", choices=["trigger", "snapshot", "binlog"], default="trigger")
    p.add_argument("--format", choices=["csv", "jsonl"], default="jsonl")
    p.add_argument("--target", choices=["file", "s3"], default="file",
                   help="s3: publish to the test S3 server (tests/s3; its CDCPACK_TEST_S3_* "
                   "environment, as tests/run.sh exports it) instead of a file: bucket")
    p.add_argument("--ops", default="default",
                   help="op classes: 'default', 'all', a list (a,b,c) or changes to the default "
                   "(+collate,-kill); --list-ops lists them")
    p.add_argument("--list-ops", action="store_true")
    p.add_argument("--check-every", type=int, default=1,
                   help="apply and compare after every N steps (and after the last)")
    p.add_argument("--lake", action="store_true",
                   help="also write the lake ([lake] prefix; needs --format csv) and at each "
                   "check rebuild every table from it with examples/lake/merge.sql in DuckDB")
    p.add_argument("--self-check", choices=["replica", "value", "chain", "lake"],
                   help="after the case, damage the replica or drop a published batch and "
                   "expect the harness to report it (exit 0 only if it does)")
    p.add_argument("--bin", default=os.environ.get("CDCPACK_BIN", os.path.join(ROOT, "bin",
                                                                                  "cdcpack")))
    p.add_argument("--tmpdir", default=os.environ.get("TMPDIR", "/tmp"))
    p.add_argument("--keep", action="store_true", help="keep the case dir and databases")
    p.add_argument("--no-keep-failed", action="store_true")
    a = p.parse_args()
    if a.list_ops:
        for name in sorted(OPS):
            print("%-14s %s %s" % (name, "on " if name in DEFAULT_OPS else "off", OPS[name]))
        return 0
    if a.seed is None:
        a.seed = int(time.time() * 1000) % 2**31
    a.ops = parse_ops(a.ops)
    if not os.path.isabs(a.bin):
        a.bin = os.path.abspath(a.bin)
    if a.lake and a.format != "csv":
        raise SystemExit("torture: --lake needs --format csv (merge.sql reads CSV)")
    if a.lake:
        # DuckDB refuses a CSV file holding bytes that are not UTF-8 (README
        # "Reading the data"; FINDINGS.md F17): no such text in lake cases
        a.ops.discard("badutf8")
    if a.self_check == "lake" and not a.lake:
        raise SystemExit("torture: --self-check lake needs --lake")
    if a.mode == "binlog" and a.source != "mysql":
        raise SystemExit("torture: --mode binlog needs --source mysql (README: binlog mode)")
    if a.target == "s3" and s3_missing_env():
        raise SystemExit("torture: --target s3 needs the S3 test server's environment (%s; "
                         "tests/torture/run.sh or tests/run.sh start it)"
                         % ", ".join(s3_missing_env()))
    if "mysql" in (a.source, a.replica) and "CDCPACK_TEST_MYSQL_ROOT_CNF" not in os.environ:
        raise SystemExit("torture: a MariaDB side needs the test server's environment "
                         "(tests/torture/run.sh or tests/run.sh start it)")
    return run_case(a)


if __name__ == "__main__":
    sys.exit(main())
