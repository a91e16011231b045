#!/usr/bin/env python3
"""Hostile archives for `cdcpack apply`, seeded and checked against an oracle.

The threat (docs/threat-model.md, "The bucket"): whoever can write the
bucket can craft archives. One seed makes a real chain with cdcpack (a
random SQLite schema and workload from torture.py's Case, a `file:`
bucket), applies it batch by batch to learn each prefix's replica (D[0]
.. D[n], each a dump of every object and row), then runs CASES cases. A
case mutates one archive of a copy of the bucket as a bucket writer would,
at one layer (manifest fields, change-file cells, tar entries, the
compression, whole archives), keeping it self-consistent where a writer
could (file sizes and XXH3-128s, row and op counts, the manifest's own
checksum recomputed after the change), then applies the whole chain to a
replica holding a canary table and checks:

- refuse: exit 2 or 3, never a signal or a sanitizer report; stderr names
  the archive (its key) or the batch; the replica equals D[b-1] (the
  batches before the damaged one applied, nothing of it: no half batch,
  no new table, the canary as it was);
- valid: exit 0 and the replica equals what the archive says, read here
  independently: D[n] for a change that keeps the meaning, D[b] with the
  one written cell changed for a cell edit (applied with --until the
  batch's time);
- either: a change the format may take or refuse (documented both ways):
  one of the two above;
- always: no file written outside the replica (a `pwned*` file anywhere
  under the case dir, the cwd or TMPDIR; apply's temp files removed).

Every case is seeded by (seed, case number): a failing case prints the
command that replays it alone. See tests/torture/README "Hostile archives".
"""

import argparse
import collections
import contextlib
import copy
import csv
import io
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torture  # noqa: E402  (the chain maker, its values and its readers)

ROOT = torture.ROOT
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer")
CANARY_ROWS = [(1, "canary row"), (2, "another")]
# ops for the chain's workload: plain changes, special values, odd names
CHAIN_OPS = ["insert", "update", "keychange", "keyswap", "delete", "upsert", "bulk", "empty",
             "special", "oddnames", "compress", "wide"]
HOSTILE_TEXT = [
    "x'); DROP TABLE canary; --",
    "\"; DROP TABLE canary; --",
    "`; DROP TABLE canary; #",
    "'; ATTACH DATABASE 'pwned_attach.db' AS p; --",
    "a\r\nb\nc\rd",
    "quote \" inside, and, commas",
    "X'00'",
    "\\N",
    "NULL",
    "line1\n\"U\",1,2\nline3",
    "tab\there",
    "\u202eevil\u2066",
]
HOSTILE_NAMES = [
    'x"; DROP TABLE canary; --',
    "x`; DROP TABLE canary; #",
    "x'; ATTACH DATABASE 'pwned_name.db' AS p; --",
    "semi;colon",
    "[bracket]",
    "dot.name",
]
BAD_NAMES = ["nul\x00name", "new\nline", "cr\rname", "esc\x1b[31m", "del\x7f", "L" * 1025, "",
             "bad\udcffutf8"]


class CaseFailed(Exception):
    pass


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- archives

def compression_of(path):
    for ext, comp in ((".tar.zst", "zstd"), (".tar.gz", "gzip"), (".tar.xz", "xz"),
                      (".tar", "none")):
        if path.endswith(ext):
            return comp
    raise ValueError(path)


def decompress(comp, raw):
    if comp == "none":
        return raw
    tool = {"zstd": ["zstd", "-dcq"], "gzip": ["gzip", "-dc"], "xz": ["xz", "-dc"]}[comp]
    return subprocess.run(tool, input=raw, stdout=subprocess.PIPE, check=True).stdout


def compress(comp, raw):
    if comp == "none":
        return raw
    tool = {"zstd": ["zstd", "-3", "-cq"], "gzip": ["gzip", "-nc"], "xz": ["xz", "-c"]}[comp]
    return subprocess.run(tool, input=raw, stdout=subprocess.PIPE, check=True).stdout


def read_entries(tar_bytes):
    out = []
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as tf:
        for m in tf.getmembers():
            data = tf.extractfile(m).read() if m.isfile() else b""
            out.append((m, data))
    return out


def write_entries(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:", format=fmt) as tf:
        for m, data in entries:
            m = copy.copy(m)
            if m.isfile():
                m.size = len(data)
                tf.addfile(m, io.BytesIO(data))
            else:
                tf.addfile(m)
    return buf.getvalue()


def file_info(name, data, typ=tarfile.REGTYPE):
    m = tarfile.TarInfo(name)
    m.size = len(data)
    m.type = typ
    m.mode = 0o644
    m.mtime = 1700000000
    return m


def manifest_bytes(m):
    """The manifest as cdcpack writes it: its last key the XXH3-128 of the
    bytes with those 32 digits read as zeros."""
    m = dict(m)
    m.pop("manifest_xxh128", None)
    m["manifest_xxh128"] = "0" * 32
    raw = json.dumps(m, indent=2, ensure_ascii=False).encode("utf-8", "surrogateescape") + b"\n"
    digest = torture.xxh128(raw)
    return raw.replace(b'"' + b"0" * 32 + b'"', b'"' + digest.encode() + b'"', 1)


class Archive:
    """One published archive, taken apart: its entries, its manifest."""

    def __init__(self, path):
        self.path = path
        self.comp = compression_of(path)
        with open(path, "rb") as f:
            self.raw = f.read()
        self.tar = decompress(self.comp, self.raw)
        self.entries = read_entries(self.tar)
        self.manifest = json.loads(self.entries[0][1])

    def data(self, name):
        for m, d in self.entries:
            if m.name == name:
                return d
        raise KeyError(name)

    def set_data(self, name, data):
        self.entries = [(m, data if m.name == name else d) for m, d in self.entries]

    def resync(self, tb, recount=False):
        """After a change to tb's file: its size and checksum (and, when
        recount, rows and ops as a reader counts them) as a writer would."""
        data = self.data(tb["file"])
        tb["bytes"] = len(data)
        tb["xxh128"] = torture.xxh128(data)
        if recount:
            rows = parse_rows(data, tb)
            tb["rows"] = len(rows)
            if tb.get("op_column") and tb.get("ops") is not None:
                ops = collections.Counter(r[0] for r in rows)
                for k in list(tb["ops"]):
                    tb["ops"][k] = ops.get(k, 0)

    def pack(self, manifest=True):
        """The entries (with the manifest re-serialized) as a tar."""
        entries = list(self.entries)
        if manifest:
            mb = manifest_bytes(self.manifest)
            entries = [(m, mb if i == 0 else d) for i, (m, d) in enumerate(entries)]
        return write_entries(entries)

    def write(self, path=None, tar_bytes=None, raw=None):
        if raw is None:
            raw = compress(self.comp, tar_bytes if tar_bytes is not None else self.pack())
        with open(path or self.path, "wb") as f:
            f.write(raw)


# ---------------------------------------------------------------- change files

def parse_rows(data, tb):
    """Rows of a change file: CSV rows (Op first when op_column) or, for
    jsonl, [op, object]."""
    if tb["format"] == "jsonl":
        out = []
        for line in data.split(b"\n"):
            if line:
                o = json.loads(line)
                out.append([o.get("op"), o])
        return out
    rows = list(csv.reader(io.StringIO(data.decode("utf-8", "surrogateescape"), newline=""),
                           delimiter=tb.get("csv_delimiter", ",")))
    return rows[1:] if tb.get("header") else rows


def csv_field(v):
    return '"' + v.replace('"', '""') + '"'


def csv_join(cells, delim):
    return delim.join(cells).encode("utf-8", "surrogateescape")


def split_csv_lines(data, tb):
    """The file as a list of records, each the list of its raw fields
    (quotes kept), so that one field can be replaced byte for byte."""
    text = data.decode("utf-8", "surrogateescape")
    delim = tb.get("csv_delimiter", ",")
    recs, rec, field, inq, i = [], [], "", False, 0
    while i < len(text):
        ch = text[i]
        if inq:
            field += ch
            if ch == '"':
                if i + 1 < len(text) and text[i + 1] == '"':
                    field += '"'
                    i += 1
                else:
                    inq = False
        elif ch == '"':
            field += ch
            inq = True
        elif ch == delim:
            rec.append(field)
            field = ""
        elif ch == "\n" or (ch == "\r" and text[i + 1:i + 2] == "\n"):
            if ch == "\r":
                i += 1
            rec.append(field)
            recs.append(rec)
            rec, field = [], ""
        else:
            field += ch
        i += 1
    if field or rec:
        rec.append(field)
        recs.append(rec)
    return recs


def join_csv_lines(recs, tb, eol="\n"):
    delim = tb.get("csv_delimiter", ",")
    return (eol.join(delim.join(r) for r in recs) + eol).encode("utf-8", "surrogateescape")


# ---------------------------------------------------------------- replica

def canary_db(path):
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE canary(id INTEGER PRIMARY KEY, v TEXT)")
    c.executemany("INSERT INTO canary VALUES(?, ?)", CANARY_ROWS)
    c.commit()
    c.close()


def dump(path):
    """Every schema object and every row of the replica, canonical (REALs
    as their bits, storage classes kept); cdcpack_applied without the time
    it was applied."""
    c = sqlite3.connect(path)
    c.text_factory = bytes
    try:
        out = {}
        objs = c.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                         "ORDER BY type, name").fetchall()
        out["__schema__"] = objs
        for typ, name, _, _ in objs:
            if typ != b"table" or name.startswith(b"sqlite_"):
                continue
            cols = [r[1] for r in c.execute("SELECT * FROM pragma_table_info(?)", (name,))]
            if name == b"cdcpack_applied":
                cols = [x for x in cols if x != b"applied_at"]
            qn = b'"' + name.replace(b'"', b'""') + b'"'
            sel = b", ".join(b"typeof(%s), %s" % ((b'"' + x.replace(b'"', b'""') + b'"',) * 2)
                             for x in cols)
            rows = []
            for row in c.execute((b"SELECT %s FROM %s" % (sel, qn)).decode("utf-8",
                                                                         "surrogateescape")):
                rows.append(tuple(torture.canon_sqlite(row[2 * i].decode(), row[2 * i + 1])
                                  for i in range(len(cols))))
            out[name] = (cols, sorted(rows, key=repr))
        return out
    finally:
        c.close()


def dump_diff(a, b):
    """A short account of how two dumps differ."""
    lines = []
    for k in sorted(set(a) | set(b), key=repr):
        if a.get(k) != b.get(k):
            if k not in a or k not in b:
                lines.append("%r only in %s" % (k, "got" if k in a else "expected"))
            elif k == "__schema__":
                lines.append("schema: got %s expected %s" % (
                    torture.shorten(sorted(set(a[k]) - set(b[k]))),
                    torture.shorten(sorted(set(b[k]) - set(a[k])))))
            else:
                ra, rb = set(a[k][1]), set(b[k][1])
                lines.append("%r rows: got-only %s; expected-only %s" % (
                    k, torture.shorten(sorted(ra - rb, key=repr)),
                    torture.shorten(sorted(rb - ra, key=repr))))
    return "\n".join(lines)


class SqliteReplica:
    """A replica file holding the canary table, dumped as `dump` does."""

    def __init__(self, path, template=None):
        self.path = path
        if template:
            shutil.copyfile(template, path)
        else:
            canary_db(path)
        self.url = "sqlite:" + path

    def dump(self):
        return dump(self.path)

    def files(self):
        return {self.path + s for s in ("", "-journal", "-wal", "-shm")}

    def drop(self):
        pass


class MysqlReplica:
    """A MariaDB database holding the canary table. Its dump: each table's
    SHOW CREATE TABLE and rows, every value as the bytes of CAST(v AS
    BINARY) (text as ("t", bytes), as dump's), cdcpack_applied without the
    time it was applied."""

    def __init__(self, name):
        self.db = torture.MysqlDB(name[:64])
        self.db.create()
        self.db.client("CREATE TABLE canary(id INT PRIMARY KEY, v TEXT); " +
                       "".join("INSERT INTO canary VALUES(%d, '%s');" % r for r in CANARY_ROWS))
        self.url = self.db.url

    def dump(self):
        c = self.db.client
        names = [unbatch(x) for x in c(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "DATABASE() ORDER BY 1").split("\n")[:-1]]
        out = {"__schema__": []}
        for n in names:
            qn = torture.mi(n)
            out["__schema__"].append(c("SHOW CREATE TABLE %s" % qn))
            lit = n.replace("\\", "\\\\").replace("'", "''")
            cols = [unbatch(x) for x in c(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "DATABASE() AND table_name = '%s' ORDER BY ordinal_position" % lit).split(
                    "\n")[:-1] if not (n == "cdcpack_applied" and x == "applied_at")]
            sel = ", ".join("HEX(CAST(%s AS BINARY))" % torture.mi(x) for x in cols)
            rows = []
            for line in c("SELECT %s FROM %s" % (sel, qn)).split("\n")[:-1]:
                rows.append(tuple(None if h == "NULL" else ("t", bytes.fromhex(h))
                                  for h in line.split("\t")))
            out[n.encode("utf-8", "surrogateescape")] = (
                [x.encode("utf-8", "surrogateescape") for x in cols], sorted(rows, key=repr))
        return out

    def files(self):
        return set()

    def drop(self):
        self.db.drop()


def unbatch(field):
    """A field of `mariadb -B` output as the server holds it."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "0": "\0"}.get(m.group(1),
                                                                            m.group(1)), field)


def new_replica(a, path, name):
    if a.replica == "mysql":
        return MysqlReplica(name)
    return SqliteReplica(path)


# ---------------------------------------------------------------- the chain

class Chain:
    """A real chain made by cdcpack, its archives and its prefix replicas."""

    def __init__(self, a, seed):
        self.a = a
        self.seed = seed
        r = random.Random(seed)
        self.format = r.choice(["csv", "jsonl"]) if a.format == "any" else a.format
        ns = argparse.Namespace(
            seed=seed, steps=0, source="sqlite", replica=a.replica, mode="trigger",
            format=self.format, target="file", ops=CHAIN_OPS, check_every=1, lake=False,
            self_check=None, bin=a.bin, tmpdir=a.workdir, keep=True, no_keep_failed=False)
        self.out = io.StringIO()
        with contextlib.redirect_stdout(self.out):
            self.case = torture.Case(ns)
            self.case.setup()
            self.dir = self.case.dir
            opts = []
            if self.format == "csv":
                if r.random() < 0.3:
                    opts.append("binary_encoding = base64")
                if r.random() < 0.2:
                    opts.append("csv_header = true")
                if r.random() < 0.2:
                    opts.append("csv_delimiter = |")
            if opts:
                self.add_batch_options(opts)
            self.case.start()
            for _ in range(r.randint(2, 4)):
                for _ in range(r.randint(1, 3)):
                    self.case.workload_txn(r.choice(self.case.live_tables()))
                self.case.run_until_ok()
        self.archives = sorted(
            (os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(self.dir, "bucket"))
             for f in fs if ".tar" in f and "/_cdcpack/" not in dp),
            key=lambda p: os.path.basename(p))
        self.manifests = [Archive(p).manifest for p in self.archives]
        self.prefix_dumps()

    def add_batch_options(self, opts):
        with open(self.case.conf) as f:
            conf = f.read()
        conf = conf.replace("[batch]\n", "[batch]\n" + "\n".join(opts) + "\n", 1)
        with open(self.case.conf, "w") as f:
            f.write(conf)

    def prefix_dumps(self):
        """D[k]: the replica after batches 1..k, by --until each batch's time."""
        rep = new_replica(self.a, os.path.join(self.dir, "prefix.db"),
                          "cdc_h%d_%d_p" % (os.getpid() % 1000000, self.seed))
        self.dumps = [rep.dump()]
        for m in self.manifests:
            rc, out, err = self.apply(self.dir, rep.url, until=m["batch"]["created"])
            if rc != 0:
                raise CaseFailed("the unmutated chain does not apply:\n" + err)
            self.dumps.append(rep.dump())
        rep.drop()

    def apply(self, bucket_dir, replica, until=None, tmp=None, binary=None, timeout=300):
        conf = os.path.join(bucket_dir, "apply.conf")
        if not os.path.exists(conf):
            with open(conf, "w") as f:  # apply reads only the target (and source name)
                f.write("[source]\nurl = sqlite:%s\nname = src\n\n[state]\ndir = %s\n\n"
                        "[target]\nurl = file:%s\n" % (
                            os.path.join(self.dir, "src.db"), os.path.join(bucket_dir, "state"),
                            os.path.join(bucket_dir, "bucket")))
        cmd = [binary or self.a.bin, "-c", conf, "apply", "--to", replica]
        if until:
            cmd += ["--until", until]
        env = dict(os.environ)
        env.pop("CDCPACK_FAULT", None)
        env["CDCPACK_REPLICA_PASSWORD"] = os.environ.get("CDCPACK_TEST_MYSQL_PASSWORD", "")
        if tmp:
            env["TMPDIR"] = tmp
        env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:exitcode=99"
        env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:exitcode=98"
        t0 = time.time()
        p = subprocess.run(cmd, cwd=bucket_dir, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
        self.last_seconds = time.time() - t0
        rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
        return rc, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


# ---------------------------------------------------------------- mutations
#
# Each takes (ctx) and returns (class, expectation, description). The
# expectation is "refuse", "valid" (replica == D[n]), ("cell", table, col,
# value) (replica == D[b] with that one cell changed; applied --until b),
# or "either". ctx.arc is the chosen archive, taken apart; ctx.r the
# case's random.Random.

MUTATIONS = {}


def mutation(cls, weight=1):
    def deco(fn):
        MUTATIONS[fn.__name__] = (cls, weight, fn)
        return fn
    return deco


def pick_table(ctx, pred=None):
    tbs = [tb for tb in ctx.arc.manifest["tables"] if (pred is None or pred(tb))]
    return ctx.r.choice(tbs) if tbs else None


def has_rows(tb):
    return tb.get("rows", 0) > 0


# -- valid changes the meaning keeps

@mutation("valid")
def repack_single_frame(ctx):
    """Re-tar by Python's tarfile (pax) and compress as one frame."""
    return "valid", "re-packed: pax tar by another writer, one compression frame"


@mutation("valid")
def manifest_compact(ctx):
    """The manifest in compact JSON, keys in another order (but its
    checksum last), self-consistent."""
    m = ctx.arc.manifest
    raw = json.dumps(dict(reversed(list((k, v) for k, v in m.items() if k != "manifest_xxh128"))),
                     separators=(",", ":"), ensure_ascii=False)
    raw = raw[:-1] + ',"manifest_xxh128":"%s"}' % ("0" * 32)
    b = raw.encode("utf-8", "surrogateescape")
    digest = torture.xxh128(b)
    ctx.arc.entries[0] = (ctx.arc.entries[0][0], b.replace(b"0" * 32, digest.encode(), 1))
    ctx.raw_tar = write_entries(ctx.arc.entries)
    return "valid", "manifest re-serialized compact, keys reversed"


@mutation("valid")
def entries_reordered(ctx):
    """The change files in another order (the manifest first)."""
    rest = ctx.arc.entries[1:]
    ctx.r.shuffle(rest)
    ctx.arc.entries = ctx.arc.entries[:1] + rest
    return "valid", "change-file entries shuffled"


@mutation("cell", weight=4)
def text_cell(ctx):
    """A TEXT column's value of the last image of a key rewritten to
    hostile text (SQL, quotes, CR/LF), the file resynced: apply must store
    exactly that text."""
    return edit_text_cell(ctx, ctx.r.choice(HOSTILE_TEXT))


@mutation("cell")
def huge_text_cell(ctx):
    return edit_text_cell(ctx, "H" * ctx.r.choice([70000, 3 << 20]) + "'); DROP TABLE canary; --")


@mutation("cell")
def nul_text_cell(ctx):
    """Text holding a NUL byte (SQLite text may hold one)."""
    return edit_text_cell(ctx, "before\x00after")


def text_columns(tb):
    return [c for c in tb["columns"] if not c.get("key") and
            torture.sqlite_affinity(c.get("type", "")) == "t"]


def edit_text_cell(ctx, value):
    tb = pick_table(ctx, lambda t: has_rows(t) and text_columns(t) and
                    any(c.get("key") for c in t["columns"]))
    if tb is None:
        return ctx.fallback()
    col = ctx.r.choice(text_columns(tb))
    ci = [c["name"] for c in tb["columns"]].index(col["name"])
    data = ctx.arc.data(tb["file"])
    keyidx = [i for i, c in enumerate(tb["columns"]) if c.get("key")]
    if tb["format"] == "jsonl":
        lines = data.split(b"\n")[:-1]
        objs = [json.loads(x) for x in lines]
        cands = [i for i, o in enumerate(objs) if o.get("after") is not None and
                 not any(json.dumps(p.get("key"), sort_keys=True) ==
                         json.dumps(o.get("key"), sort_keys=True) for p in objs[i + 1:])]
        if not cands:
            return ctx.fallback()
        i = ctx.r.choice(cands)
        objs[i]["after"][col["name"]] = value
        lines[i] = json.dumps(objs[i], ensure_ascii=False).encode()
        ctx.arc.set_data(tb["file"], b"\n".join(lines) + b"\n")
    else:
        recs = split_csv_lines(data, tb)
        head = recs[:1] if tb.get("header") else []
        body = recs[len(head):]
        skip = 1 if tb.get("op_column") else 0
        keys = [tuple(rec[skip + k] for k in keyidx) for rec in body]
        cands = [i for i, rec in enumerate(body) if (not skip or rec[0] in ("I", "U")) and
                 keys[i] not in keys[i + 1:] and len(rec) > skip + ci]
        if not cands:
            return ctx.fallback()
        i = ctx.r.choice(cands)
        body[i][skip + ci] = csv_field(value)
        ctx.arc.set_data(tb["file"], join_csv_lines(head + body, tb))
    ctx.arc.resync(tb)
    return ("cell", tb["name"], col["name"], value), "%s.%s of one row := %r" % (
        tb["name"], col["name"], value[:60])


@mutation("either")
def table_renamed_hostile(ctx):
    """A table's name in the manifest: SQL-ish but within the grammar."""
    tb = pick_table(ctx)
    old = tb["name"]
    tb["name"] = ctx.r.choice(HOSTILE_NAMES) + "_%d" % ctx.r.randint(0, 99)
    ctx.renamed = (old, tb["name"])
    return "either", "table %r renamed %r" % (old, tb["name"])


@mutation("either")
def column_renamed_hostile(ctx):
    tb = pick_table(ctx)
    c = ctx.r.choice(tb["columns"])
    old = c["name"]
    c["name"] = ctx.r.choice(HOSTILE_NAMES) + "_c"
    ctx.renamed_col = (tb["name"], old, c["name"])
    return "either", "column %r.%r renamed %r" % (tb["name"], old, c["name"])


@mutation("either")
def key_flag_flipped(ctx):
    tb = pick_table(ctx)
    c = ctx.r.choice(tb["columns"])
    c["key"] = not c.get("key")
    ctx.rows_only = True
    return "either", "column %r.%r key := %r" % (tb["name"], c["name"], c["key"])


# -- refused: manifest fields

@mutation("manifest", weight=2)
def table_name_bad(ctx):
    tb = pick_table(ctx)
    tb["name"] = ctx.r.choice(BAD_NAMES)
    return "refuse", "table name := %r" % tb["name"][:40]


@mutation("manifest", weight=2)
def column_name_bad(ctx):
    tb = pick_table(ctx)
    c = ctx.r.choice(tb["columns"])
    c["name"] = ctx.r.choice(BAD_NAMES)
    return "refuse", "column name := %r" % c["name"][:40]


@mutation("manifest", weight=2)
def column_type_sql(ctx):
    tb = pick_table(ctx)
    c = ctx.r.choice(tb["columns"])
    c["type"] = ctx.r.choice(["INTEGER); DROP TABLE canary; --", "TEXT, x BLOB",
                              "INT) WITHOUT ROWID; ATTACH 'pwned_type.db' AS p; --",
                              "TEXT COLLATE nosuch", "T" * 5000, "TEXT\n", "DECIMAL(10,",
                              "TEXT DEFAULT (randomblob(9))", "TEXT GENERATED ALWAYS AS (1)"])
    # the grammar takes spaces around a type (it is read as the type): the
    # table then holds the file's values as TEXT
    if c["type"] == "TEXT\n":
        ctx.loose_table = tb["name"]
    return ("either" if c["type"] == "TEXT\n" else "refuse",
            "column type := %r" % c["type"][:60])


@mutation("manifest")
def column_dropped(ctx):
    tb = pick_table(ctx, lambda t: has_rows(t) and len(t["columns"]) > 1)
    if tb is None:
        return ctx.fallback()
    c = ctx.r.choice(tb["columns"])
    tb["columns"].remove(c)
    return "refuse", "column %r left out of %r's list" % (c["name"], tb["name"])


@mutation("manifest")
def column_added(ctx):
    tb = pick_table(ctx, has_rows)
    if tb is None:
        return ctx.fallback()
    tb["columns"].append({"name": "extra_col", "type": "TEXT", "key": False})
    return "refuse", "column added to %r's list, not in its file" % tb["name"]


@mutation("manifest")
def columns_bad_shape(ctx):
    tb = pick_table(ctx)
    tb["columns"] = ctx.r.choice([[], None, "id", [{"name": "id"}], [{"type": "TEXT"}],
                                  [{"name": 5, "type": "TEXT", "key": True}],
                                  tb["columns"] + tb["columns"]])
    return "refuse", "columns := %s" % torture.shorten(tb["columns"])


FIELD_VALUES = [-1, 0, 2**63, 2**64 + 5, 1e300, "12", None, True, [], {}, -2**63 - 1, 1.5]


@mutation("manifest", weight=3)
def batch_field_lies(ctx):
    b = ctx.arc.manifest["batch"]
    field = ctx.r.choice(["seq", "id", "kind", "mode", "created", "previous", "chain"])
    choices = {
        "seq": FIELD_VALUES + [b["seq"] + 1, b["seq"] - 1],
        "id": ["src-%08d" % (b["seq"] + 1), "x", "", "src-0000000x", 5],
        "kind": ["snapshot", "LOAD", "", 1, "reconcile-ish"],
        "mode": ["x", "", "TRIGGER", 7],
        "created": ["yesterday", "2026-13-01T00:00:00.000Z", "2026-11-24T10:11:12Z",
                    "2026-11-24 10:11:12.345", 0, "9999-12-31T23:59:59.999Z"],
        "previous": ["src-%08d" % (b["seq"] + 5), "", 3, "other-00000001"],
        "chain": ["0" * 32, "", "x" * 33, 1, None],
    }[field]
    v = ctx.r.choice(choices)
    if v == b.get(field):
        v = "changed"
    b[field] = v
    ctx.whole_chain = field == "created"
    if field == "created":  # a real time: applied, and recorded as the batch's
        ctx.loose_table = "cdcpack_applied"
    return ("either" if (field, v) == ("created", "9999-12-31T23:59:59.999Z") else "refuse",
            "batch.%s := %s" % (field, torture.shorten(v)))


@mutation("manifest", weight=2)
def table_field_lies(ctx):
    tb = pick_table(ctx)
    field = ctx.r.choice(["rows", "bytes", "ops", "xxh128", "file", "format", "op_column",
                          "csv_delimiter", "csv_null_value", "binary_encoding", "cdc_ops",
                          "csv_spellings", "header"])
    v = ctx.r.choice({
        "rows": FIELD_VALUES + [tb.get("rows", 0) + 1],
        "bytes": FIELD_VALUES + [tb.get("bytes", 0) + 1],
        "ops": [{"I": 10**9}, {"I": -1, "U": 0, "D": 0}, {"X": 1}, None, "I"],
        "xxh128": ["0" * 32, "zz", tb.get("xxh128", "").upper() or "A", None],
        "file": ["manifest.json", "nosuch/file.csv", "", None, tb["file"] + "x"],
        "format": ["parquet", "", None, "CSV"],
        "op_column": [None, "yes", not tb.get("op_column")],
        "csv_delimiter": ["", ",,", "\n", '"', "é", None],
        "csv_null_value": ["\n", '"', None, 5],
        "binary_encoding": ["base32", "", None, "HEX"],
        "cdc_ops": ["some", "", None],
        "csv_spellings": [0, 1.5, "2", -1, None],
        "header": ["yes", None, 1],
    }[field])
    if field == "op_column" and v is False and not has_rows(tb):
        v = None
    if v == tb.get(field) and type(v) is type(tb.get(field)):
        v = "a lie"
    tb[field] = v
    if field == "op_column" and tb.get("format") == "jsonl" and isinstance(v, bool):
        return "either", "table %r op_column := %r (JSONL rows say their op)" % (tb["name"], v)
    return "refuse", "table %r %s := %s" % (tb["name"], field, torture.shorten(v))


@mutation("manifest")
def format_version(ctx):
    v = ctx.r.choice(["cdcpack/2", "cdcpack/99", "cdcpack/0", "cdcpack/1.0", "cdcpack", "", 1,
                      None])
    ctx.arc.manifest["format"] = v
    ctx.want_rc = 2 if v in ("cdcpack/2", "cdcpack/99") else 3
    return "refuse", "format := %r" % (v,)


@mutation("manifest")
def spellings_newer(ctx):
    tb = pick_table(ctx, lambda t: t.get("format") == "csv")
    if tb is None:
        return ctx.fallback()
    tb["csv_spellings"] = 3
    ctx.want_rc = 2
    return "refuse", "csv_spellings := 3"


@mutation("manifest", weight=2)
def source_field_lies(ctx):
    s = ctx.arc.manifest["source"]
    field = ctx.r.choice(["name", "driver"])
    s[field] = ctx.r.choice({
        "name": ["other", "a/b", "a\\b", "n\nl", "x" * 101, "", 5, None, "src\x00"],
        "driver": ["oracle", "", None, "SQLITE", "mysql"],
    }[field])
    return ("either" if s[field] == "mysql" else "refuse",
            "source.%s := %r" % (field, s[field]))


@mutation("manifest")
def manifest_top_level(ctx):
    m = ctx.arc.manifest
    how = ctx.r.choice(["no_tables", "tables_dup", "tables_null", "not_object", "extra_key",
                        "no_batch"])
    if how == "no_tables":
        m.pop("tables")
    elif how == "tables_dup" and m["tables"]:
        m["tables"].append(copy.deepcopy(m["tables"][0]))
    elif how == "tables_null":
        m["tables"] = None
    elif how == "not_object":
        ctx.arc.entries[0] = (ctx.arc.entries[0][0], b"[1, 2, 3]\n")
        ctx.raw_tar = write_entries(ctx.arc.entries)
    elif how == "extra_key":
        m["zzz_future_field"] = {"x": 1}  # fields are only ever added: must be taken
        return "valid", "an unknown manifest key added"
    elif how == "no_batch":
        m.pop("batch")
    return "refuse", "manifest: %s" % how


@mutation("manifest")
def manifest_unchecked_lie(ctx):
    """A field changed without recomputing the manifest's checksum."""
    ctx.arc.manifest["batch"]["created"] = "2026-01-01T00:00:00.000Z"
    mb = json.dumps(ctx.arc.manifest, indent=2, ensure_ascii=False).encode()
    ctx.arc.entries[0] = (ctx.arc.entries[0][0], mb)
    ctx.raw_tar = write_entries(ctx.arc.entries)
    return "refuse", "manifest changed, its checksum not"


# -- refused: change-file cells

def csv_table(ctx):
    return pick_table(ctx, lambda t: has_rows(t) and t.get("format") == "csv")


def jsonl_table(ctx):
    return pick_table(ctx, lambda t: has_rows(t) and t.get("format") == "jsonl")


@mutation("cell-bad", weight=2)
def field_count(ctx):
    tb = csv_table(ctx)
    if tb is None:
        return jsonl_bad(ctx)
    recs = split_csv_lines(ctx.arc.data(tb["file"]), tb)
    i = ctx.r.randrange(1 if tb.get("header") else 0, len(recs))
    if ctx.r.random() < 0.5 or len(recs[i]) < 2:
        recs[i].append(ctx.r.choice(["", "1", '"x"']))
    else:
        recs[i].pop()
    ctx.arc.set_data(tb["file"], join_csv_lines(recs, tb))
    ctx.arc.resync(tb)
    return "refuse", "a row of %r with a field more or less" % tb["name"]


def blob_cols(tb):
    return [i for i, c in enumerate(tb["columns"]) if c.get("type", "").upper() == "BLOB"]


@mutation("cell-bad", weight=2)
def bad_blob(ctx):
    tb = pick_table(ctx, lambda t: has_rows(t) and t.get("format") == "csv" and blob_cols(t))
    if tb is None:
        return jsonl_bad(ctx)
    recs = split_csv_lines(ctx.arc.data(tb["file"]), tb)
    skip = 1 if tb.get("op_column") else 0
    body0 = 1 if tb.get("header") else 0
    cands = [i for i in range(body0, len(recs)) if not skip or recs[i][0] in ("I", "U")]
    if not cands:
        return ctx.fallback()
    i = ctx.r.choice(cands)
    ci = ctx.r.choice(blob_cols(tb))
    if tb.get("binary_encoding") == "base64":
        v = ctx.r.choice(["!!!!", "QUJD=", "A", "QQ==QQ==", "Q Q=="])
    else:
        v = ctx.r.choice(["ZZ", "ABC", "0x00", "X'0G'", "X'123'", "00 11", "X'"])
    recs[i][skip + ci] = v
    ctx.arc.set_data(tb["file"], join_csv_lines(recs, tb))
    ctx.arc.resync(tb)
    return "refuse", "BLOB cell %r.%r := %r" % (tb["name"], tb["columns"][ci]["name"], v)


@mutation("cell-bad", weight=2)
def bad_quote(ctx):
    tb = csv_table(ctx)
    if tb is None:
        return jsonl_bad(ctx)
    recs = split_csv_lines(ctx.arc.data(tb["file"]), tb)
    i = ctx.r.randrange(1 if tb.get("header") else 0, len(recs))
    j = ctx.r.randrange(len(recs[i]))
    how = ctx.r.choice(["open", "mid", "after"])
    if how == "open":
        recs[i][j] = '"' + recs[i][j].lstrip('"')
    elif how == "mid":
        recs[i][j] = 'ab"cd'
    else:
        recs[i][j] = '"ab"cd'
    ctx.arc.set_data(tb["file"], join_csv_lines(recs, tb))
    ctx.arc.resync(tb)
    want = len(tb["columns"]) + (1 if tb.get("op_column") else 0) + (
        1 if tb.get("timestamp_column") else 0)
    rows = parse_rows(ctx.arc.data(tb["file"]), tb)
    if how == "mid" or (len(rows) == tb["rows"] and all(len(x) == want for x in rows)):
        # a quote inside a plain field, or quotes that still pair up: Python's
        # csv reads a well-formed file of other values; cdcpack may too
        ctx.loose_table = tb["name"]
        return "either", "quotes (%s) in %r, still well-formed" % (how, tb["name"])
    return "refuse", "unbalanced quote (%s) in %r" % (how, tb["name"])


@mutation("cell-bad")
def bare_newline(ctx):
    tb = csv_table(ctx)
    if tb is None:
        return jsonl_bad(ctx)
    recs = split_csv_lines(ctx.arc.data(tb["file"]), tb)
    i = ctx.r.randrange(1 if tb.get("header") else 0, len(recs))
    j = ctx.r.randrange(1, len(recs[i])) if len(recs[i]) > 1 else 0
    recs[i][j] = "a" + ctx.r.choice(["\n", "\r", "\r\n"]) + "b"
    ctx.arc.set_data(tb["file"], join_csv_lines(recs, tb))
    ctx.arc.resync(tb, recount=ctx.r.random() < 0.5)
    want = len(tb["columns"]) + (1 if tb.get("op_column") else 0) + (
        1 if tb.get("timestamp_column") else 0)
    rows = parse_rows(ctx.arc.data(tb["file"]), tb)
    if len(rows) == tb["rows"] and all(len(x) == want for x in rows):
        ctx.loose_table = tb["name"]  # still a well-formed file, of other rows
        return "either", "bare CR/LF in a field of %r, rows recounted" % tb["name"]
    return "refuse", "bare CR/LF in a field of %r" % tb["name"]


@mutation("cell-bad")
def nul_byte(ctx):
    tb = pick_table(ctx, has_rows)
    if tb is None:
        return ctx.fallback()
    data = ctx.arc.data(tb["file"])
    at = ctx.r.randrange(len(data))
    ctx.arc.set_data(tb["file"], data[:at] + b"\x00" + data[at:])
    ctx.arc.resync(tb)
    ctx.loose_table = tb["name"]  # taken, its cell is other text (F31: not the number)
    return "either", "a NUL byte inserted at %d of %r" % (at, tb["file"])


@mutation("cell-bad")
def bad_op(ctx):
    tb = pick_table(ctx, lambda t: has_rows(t) and t.get("op_column"))
    if tb is None:
        return ctx.fallback()
    data = ctx.arc.data(tb["file"])
    op = ctx.r.choice(["X", "i", "", "II", "T", "D "])
    if tb["format"] == "jsonl":
        lines = data.split(b"\n")[:-1]
        i = ctx.r.randrange(len(lines))
        o = json.loads(lines[i])
        o["op"] = op
        lines[i] = json.dumps(o).encode()
        data = b"\n".join(lines) + b"\n"
    else:
        recs = split_csv_lines(data, tb)
        i = ctx.r.randrange(1 if tb.get("header") else 0, len(recs))
        recs[i][0] = op
        data = join_csv_lines(recs, tb)
    ctx.arc.set_data(tb["file"], data)
    ctx.arc.resync(tb, recount=True)
    return ("either" if op == "T" else "refuse"), "op := %r in %r" % (op, tb["name"])


@mutation("cell-bad")
def ops_counts_lie(ctx):
    tb = pick_table(ctx, lambda t: has_rows(t) and t.get("ops"))
    if tb is None:
        return ctx.fallback()
    ops = tb["ops"]
    k = ctx.r.choice([k for k in ops])
    ops[k] += 1
    others = [o for o in ops if o != k and ops[o] > 0]
    if others and ctx.r.random() < 0.5:  # the sum still right
        ops[ctx.r.choice(others)] -= 1
    # a load file without an Op column has only inserts, whatever it says
    return ("refuse" if tb.get("op_column") else "either",
            "ops counts of %r := %r" % (tb["name"], ops))


@mutation("cell-bad", weight=2)
def jsonl_bad(ctx):
    tb = jsonl_table(ctx)
    if tb is None:
        return field_count(ctx) if csv_table(ctx) else ctx.fallback()
    lines = ctx.arc.data(tb["file"]).split(b"\n")[:-1]
    i = ctx.r.randrange(len(lines))
    o = json.loads(lines[i])
    how = ctx.r.choice(["notjson", "key_missing", "after_list", "bad_base64", "base64_type",
                        "extra_col", "col_missing", "deep", "text_base64_bad", "huge_number",
                        "key_null"])
    if how == "notjson":
        lines[i] = lines[i][:-3]
    elif how == "key_missing":
        o.pop("key", None)
    elif how == "after_list":
        if o.get("after") is None:
            o["before"] = [1, 2]
        o["after"] = [1, 2] if o.get("after") is not None else None
    elif how in ("bad_base64", "base64_type", "text_base64_bad"):
        img = o.get("after") or o.get("before") or {}
        if not img:
            o["key"] = {"nosuch": 1}
        else:
            c = ctx.r.choice(list(img))
            img[c] = {"bad_base64": {"base64": "!!!"}, "base64_type": {"base64": 5},
                      "text_base64_bad": {"text_base64": "@@"}}[how]
    elif how == "extra_col":
        img = o.get("after") or o.get("before") or {}
        img["no_such_column"] = 1
        if not img:
            o["after"] = img
    elif how == "col_missing":
        img = o.get("after") or o.get("before") or {}
        if img:
            img.pop(ctx.r.choice(list(img)))
        else:
            o["op"] = "Q"
    elif how == "deep":
        lines[i] = b"[" * 100000 + b"]" * 100000
    elif how == "huge_number":
        img = o.get("after") or o.get("key") or {}
        for c in img:
            img[c] = 10**400
    elif how == "key_null":
        o["key"] = None
    if how not in ("notjson", "deep"):
        lines[i] = json.dumps(o).encode()
    ctx.arc.set_data(tb["file"], b"\n".join(lines) + b"\n")
    ctx.arc.resync(tb)
    # "key" repeats the image's key columns; a reader may take them from the image
    return ("either" if how in ("key_missing", "key_null") else "refuse",
            "jsonl line of %r: %s" % (tb["name"], how))


# -- refused: tar

def add_entry(ctx, info, data=b"", at=None):
    if at is None:
        ctx.arc.entries.append((info, data))
    else:
        ctx.arc.entries.insert(at, (info, data))


@mutation("tar", weight=2)
def tar_link(ctx):
    tb = pick_table(ctx)
    how = ctx.r.choice(["sym_replaces", "hard_replaces", "sym_extra", "hard_extra"])
    target = ctx.r.choice(["/etc/passwd", "../../../../etc/passwd", "manifest.json",
                           os.path.join(ctx.case_dir, "pwned_link")])
    typ = tarfile.SYMTYPE if how.startswith("sym") else tarfile.LNKTYPE
    info = file_info(tb["file"] if how.endswith("replaces") else tb["file"] + ".lnk", b"", typ)
    info.linkname = target
    if how.endswith("replaces"):
        ctx.arc.entries = [(info, b"") if m.name == tb["file"] else (m, d)
                           for m, d in ctx.arc.entries]
    else:
        add_entry(ctx, info)
    return "refuse", "tar: %s %r -> %r" % (how, info.name, target)


@mutation("tar", weight=2)
def tar_path_escape(ctx):
    tb = pick_table(ctx)
    name = ctx.r.choice(["../pwned_dotdot.csv", "../../pwned_dotdot2.csv",
                         os.path.join(ctx.case_dir, "pwned_abs.csv"), "/tmp/../" +
                         os.path.join(ctx.case_dir, "pwned_abs2.csv").lstrip("/"),
                         "a/../../pwned_mid.csv", "./../pwned_dot.csv"])
    if ctx.r.random() < 0.5:  # self-consistent: the manifest names it too
        old = tb["file"]
        tb["file"] = name
        ctx.arc.entries = [(file_info(name, d) if m.name == old else m, d)
                           for m, d in ctx.arc.entries]
        return "refuse", "tar+manifest: %r's file is %r" % (tb["name"], name)
    add_entry(ctx, file_info(name, b"pwned\n"))
    return "refuse", "tar: extra entry %r" % name


@mutation("tar")
def tar_pax_path(ctx):
    """A pax header whose path reaches out of the extraction dir."""
    tb = pick_table(ctx)
    ctx.arc.entries = [(file_info(m.name, d), d) for m, d in ctx.arc.entries]
    for i, (m, d) in enumerate(ctx.arc.entries):
        if m.name == tb["file"]:
            m.pax_headers = {"path": "../../pwned_pax.csv"}
    return "refuse", "tar: pax path of %r := ../../pwned_pax.csv" % tb["file"]


@mutation("tar", weight=2)
def tar_entries_disagree(ctx):
    tb = pick_table(ctx)
    how = ctx.r.choice(["dup_data", "dup_manifest", "missing", "extra", "manifest_second",
                        "dir_entry", "fifo", "dup_same"])
    if how == "dup_data":
        add_entry(ctx, file_info(tb["file"], b"I,1,2,3\n"))
    elif how == "dup_same":
        add_entry(ctx, file_info(tb["file"], ctx.arc.data(tb["file"])))
    elif how == "dup_manifest":
        add_entry(ctx, file_info("manifest.json", manifest_bytes(ctx.arc.manifest)))
    elif how == "missing":
        ctx.arc.entries = [(m, d) for m, d in ctx.arc.entries if m.name != tb["file"]]
    elif how == "extra":
        add_entry(ctx, file_info(tb["file"].rsplit("/", 1)[0] + "/extra.csv", b"I,1\n"))
    elif how == "manifest_second":
        if len(ctx.arc.entries) < 2:
            return ctx.fallback()
        e = ctx.arc.entries
        e[0], e[1] = e[1], e[0]
        ctx.raw_tar = write_entries([(m, manifest_bytes(ctx.arc.manifest)
                                      if m.name == "manifest.json" else d) for m, d in e])
    elif how == "dir_entry":
        add_entry(ctx, file_info(tb["file"].rsplit("/", 1)[0], b"", tarfile.DIRTYPE), at=1)
        return "either", "tar: a directory entry for %r's folder" % tb["name"]
    elif how == "fifo":
        add_entry(ctx, file_info("fifo", b"", tarfile.FIFOTYPE))
    return "refuse", "tar: %s (%r)" % (how, tb["file"])


def tar_blocks(ctx):
    """The archive's tar with the manifest re-serialized, as bytes."""
    return bytearray(ctx.arc.pack())


def header_offsets(tar):
    """Offsets of each header block of a plain ustar/pax stream."""
    offs, at = [], 0
    while at + 512 <= len(tar) and tar[at:at + 512] != b"\0" * 512:
        offs.append(at)
        size_field = bytes(tar[at + 124:at + 136])
        size = int(size_field.rstrip(b"\0 ") or b"0", 8) if not size_field[0] & 0x80 else 0
        at += 512 + (size + 511) // 512 * 512
    return offs, at


def fix_header_checksum(tar, off):
    tar[off + 148:off + 156] = b" " * 8
    s = sum(tar[off:off + 512])
    tar[off + 148:off + 156] = b"%06o\0 " % s


@mutation("tar", weight=2)
def tar_raw(ctx):
    tar = tar_blocks(ctx)
    offs, end = header_offsets(tar)
    how = ctx.r.choice(["after_end", "truncated", "huge_size", "base256_size", "neg_size",
                        "sparse", "bad_checksum", "no_end", "junk_after", "longlink"])
    verdict = "refuse"
    if how == "after_end":  # a real entry after the two zero blocks
        extra = write_entries([(file_info("zz/after_end.csv", b"I,1\n"), b"I,1\n")])
        tar = tar[:end + 1024] + extra
        verdict = "either"
    elif how == "truncated":
        tar = tar[:ctx.r.randrange(1, end)]
    elif how in ("huge_size", "base256_size", "neg_size"):
        off = ctx.r.choice(offs[1:] or offs)
        if how == "huge_size":
            tar[off + 124:off + 136] = b"77777777777\0"
        elif how == "base256_size":
            tar[off + 124:off + 136] = b"\x80" + (2**62).to_bytes(11, "big")
        else:
            tar[off + 124:off + 136] = b"\xff" * 12
        fix_header_checksum(tar, off)
    elif how == "sparse":  # its data is the file's: read as is, or refused
        verdict = "either"
        off = ctx.r.choice(offs[1:] or offs)
        tar[off + 156] = ord("S")
        fix_header_checksum(tar, off)
    elif how == "bad_checksum":
        off = ctx.r.choice(offs)
        tar[off + 100] ^= 0x01  # the mode field: checksum no longer holds
    elif how == "no_end":
        tar = tar[:end]
        verdict = "either"
    elif how == "junk_after":
        tar = tar + bytes(ctx.r.randbytes(ctx.r.choice([1, 100, 5000])))
        verdict = "either"
    elif how == "longlink":  # GNU long name entry naming a path outside
        name = b"../../pwned_longlink.csv\0"
        hdr = tarfile.TarInfo("././@LongLink")
        hdr.type = tarfile.GNUTYPE_LONGNAME
        hdr.size = len(name)
        blk = hdr.tobuf(tarfile.GNU_FORMAT) + name + b"\0" * (-len(name) % 512)
        body = write_entries([(file_info("placeholder.csv", b"x\n"), b"x\n")],
                             fmt=tarfile.GNU_FORMAT)
        tar = tar[:end] + blk + body
    ctx.raw_tar = bytes(tar)
    return verdict, "tar bytes: %s" % how


# -- compression

@mutation("compress", weight=2)
def compressed_raw(ctx):
    how = ctx.r.choice(["truncated", "trailing_junk", "flipped_byte", "wrong_codec",
                        "bomb_entry", "empty"])
    raw = compress(ctx.arc.comp, ctx.arc.pack())
    verdict = "refuse"
    if how == "truncated":
        raw = raw[:ctx.r.randrange(0, len(raw))]
        if ctx.arc.comp == "none":  # cut in the end zeros, it still holds every byte
            verdict = "either"
    elif how == "trailing_junk":
        raw = raw + ctx.r.randbytes(ctx.r.choice([1, 7, 4096]))
        verdict = "either"
    elif how == "flipped_byte":
        raw = bytearray(raw)
        raw[ctx.r.randrange(len(raw))] ^= 1 << ctx.r.randrange(8)
        raw = bytes(raw)
        verdict = "either"  # a flip in a tar header's unused bytes changes nothing
    elif how == "wrong_codec":  # read by its magic, the same bytes: either way
        verdict = "either"
        other = ctx.r.choice([c for c in ("zstd", "gzip", "xz", "none") if c != ctx.arc.comp])
        raw = compress(other, ctx.arc.pack())
    elif how == "bomb_entry":  # 1 GiB of zeros, a few hundred KB compressed
        size = 1 << 30
        bomb = subprocess.run("head -c %d /dev/zero | zstd -19 -cq" % size, shell=True,
                              stdout=subprocess.PIPE, check=True).stdout
        info = file_info("bomb.csv", b"")
        info.size = size
        hdr = info.tobuf(tarfile.PAX_FORMAT)
        tar = ctx.arc.pack()
        _, end = header_offsets(bytearray(tar))
        head = compress("zstd", tar[:end] + hdr)
        tail = compress("zstd", b"\0" * 1024)
        raw = head + bomb + tail
        if ctx.arc.comp != "zstd":
            return ctx.fallback()
    elif how == "empty":
        raw = b""
    ctx.raw = raw
    return verdict, "compressed bytes: %s" % how


# -- whole archives

@mutation("whole", weight=2)
def whole_archive(ctx):
    chain = ctx.chain
    how = ctx.r.choice(["replay_old", "swap", "other_chain", "copy_next"])
    b = ctx.b
    last = chain.archives[-1]
    if how == "replay_old":  # an older batch re-published under the next key
        src = chain.archives[ctx.r.randrange(len(chain.archives))]
        dst = next_key(last, len(chain.archives) + 1)
        shutil.copyfile(src, ctx.mirror(dst))
        ctx.b = len(chain.archives) + 1
        return "refuse-or-skip", "batch %s re-published as %s" % (
            os.path.basename(src), os.path.basename(dst))
    if how == "copy_next" and b < len(chain.archives):  # batch b's key holds batch b+1
        shutil.copyfile(chain.archives[b], ctx.mirror(chain.archives[b - 1]))
        return "refuse", "batch %d's key holds batch %d" % (b, b + 1)
    if how == "swap" and len(chain.archives) > 1:
        o = ctx.r.choice([i for i in range(1, len(chain.archives) + 1) if i != b])
        shutil.copyfile(chain.archives[o - 1], ctx.mirror(chain.archives[b - 1]))
        ctx.b = min(b, o)
        shutil.copyfile(chain.archives[b - 1], ctx.mirror(chain.archives[o - 1]))
        return "refuse", "batches %d and %d swapped" % (b, o)
    other = ctx.other_chain()
    src = other[min(len(other), len(chain.archives) + 1) - 1]
    dst = next_key(last, len(chain.archives) + 1)
    shutil.copyfile(src, ctx.mirror(dst))
    ctx.b = len(chain.archives) + 1
    return "refuse", "another chain's batch %s published as %s" % (
        os.path.basename(src), os.path.basename(dst))


def next_key(last, seq):
    d, base = os.path.split(last)
    parts = base.split("-")
    parts[1] = "%08d" % seq
    stamp = parts[2].split(".", 1)
    stamp[0] = stamp[0][:-3] + "%02dZ" % min(59, int(stamp[0][-3:-1]) + 1) \
        if stamp[0][-3:-1] != "59" else stamp[0]
    parts[2] = ".".join(stamp)
    return os.path.join(d, "-".join(parts))


# ---------------------------------------------------------------- one case

class Ctx:
    def __init__(self, chain, case_no, r, case_dir, b):
        self.chain = chain
        self.case_no = case_no
        self.r = r
        self.case_dir = case_dir
        self.b = b
        self.arc = Archive(chain.archives[b - 1])
        self.raw_tar = None
        self.raw = None
        self.want_rc = None
        self.renamed = None
        self.renamed_col = None
        self.fallback_used = False
        self.loose_table = None  # accepted: that table's rows are not checked
        self.rows_only = False  # an accepted change may change the schema, not the rows
        self.whole_chain = False  # apply every batch, not --until this one's time

    def mirror(self, path):
        rel = os.path.relpath(path, os.path.join(self.chain.dir, "bucket"))
        out = os.path.join(self.case_dir, "bucket", rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        return out

    def fallback(self):
        self.fallback_used = True
        return table_field_lies(self)

    def other_chain(self):
        return other_chain_archives(self.chain)


_other = {}


def other_chain_archives(chain):
    """A second chain under the same source name (a copy of the source,
    its own state dir): batches alike in name, of another chain."""
    if chain.dir in _other:
        return _other[chain.dir]
    d = os.path.join(chain.dir, "other")
    os.makedirs(d)
    shutil.copyfile(os.path.join(chain.dir, "src.db"), os.path.join(d, "src.db"))
    c = sqlite3.connect(os.path.join(d, "src.db"))  # the copy without cdcpack's objects
    for typ in ("trigger", "table"):
        for (n,) in c.execute("SELECT name FROM sqlite_master WHERE type = ? AND name LIKE "
                              "'cdcpack%'", (typ,)).fetchall():
            c.execute('DROP %s "%s"' % (typ.upper(), n.replace('"', '""')))
    c.commit()
    c.close()
    with open(chain.case.conf) as f:
        conf = f.read()
    conf = conf.replace(chain.dir, d)
    with open(os.path.join(d, "c.conf"), "w") as f:
        f.write(conf)
    for args in (["triggers", "install"], ["load"], ["load"], ["load"], ["load"], ["load"]):
        subprocess.run([chain.a.bin, "-c", os.path.join(d, "c.conf")] + args, cwd=d,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    _other[chain.dir] = sorted((os.path.join(dp, f) for dp, _, fs in
                                os.walk(os.path.join(d, "bucket")) for f in fs
                                if ".tar" in f and "/_cdcpack/" not in dp),
                               key=os.path.basename)
    return _other[chain.dir]


def files_under(d):
    out = set()
    for dp, dns, fns in os.walk(d):
        for n in fns + dns:
            out.add(os.path.join(dp, n))
    return out


def pick_mutation(r, classes):
    names = [n for n, (cls, w, _) in sorted(MUTATIONS.items()) if cls in classes
             for _ in range(w)]
    return r.choice(names)


def run_case(chain, a, case_no, stats):
    r = random.Random("%d/%d" % (chain.seed, case_no))
    name = a.mutation or pick_mutation(r, a.classes)
    cls, _, fn = MUTATIONS[name]
    case_dir = os.path.join(chain.dir, "case%d" % case_no)
    shutil.copytree(os.path.join(chain.dir, "bucket"), os.path.join(case_dir, "bucket"),
                    symlinks=True)
    b = r.randint(1, len(chain.archives))
    ctx = Ctx(chain, case_no, r, case_dir, b)
    expect, desc = fn(ctx)
    if a.self_check:
        if not isinstance(expect, tuple):
            return None  # no text cell in the chosen batch: another case
        expect = expect[:3] + (expect[3] + " (not what was written)",)  # a wrong oracle
    if ctx.fallback_used:
        name, cls = "table_field_lies", "manifest"
    stats[cls + "/" + name] += 1
    if name != "whole_archive":
        target = ctx.mirror(chain.archives[ctx.b - 1])
        if ctx.raw is not None:
            with open(target, "wb") as f:
                f.write(ctx.raw)
        elif ctx.raw_tar is not None:
            ctx.arc.write(target, tar_bytes=ctx.raw_tar)
        else:
            ctx.arc.write(target)
    replica = new_replica(a, os.path.join(case_dir, "replica.db"),
                          "cdc_h%d_%d_%d" % (os.getpid() % 1000000, chain.seed, case_no))
    tmp = os.path.join(case_dir, "tmp")
    os.makedirs(tmp)
    asan = a.asan_every and case_no % a.asan_every == 0
    binary = a.asan_bin if asan else None
    # apply up to the changed batch only (by its real time), so what the
    # later batches would overwrite is checked too
    until = None
    if name != "whole_archive" and not ctx.whole_chain:
        until = chain.manifests[ctx.b - 1]["batch"]["created"]
    ctx.last = ctx.b if until else len(chain.archives)
    before = files_under(case_dir)
    rc, out, err = chain.apply(case_dir, replica.url, until=until, tmp=tmp, binary=binary,
                               timeout=a.timeout)
    got = replica.dump()
    replica.drop()
    problems = check_case(chain, ctx, expect, rc, err, got)
    after = files_under(case_dir) - before - replica.files()
    after = {p for p in after if not p.startswith(os.path.join(case_dir, "state")) and
             p != os.path.join(case_dir, "apply.conf")}
    if after:
        problems.append("files written outside the replica: %s" % sorted(after))
    for d in (case_dir, chain.dir, a.workdir, tempfile.gettempdir()):
        for n in os.listdir(d):
            if n.startswith("pwned"):
                problems.append("a bucket writer wrote %s" % os.path.join(d, n))
    marks = [m for m in SANITIZER_MARKS if m in err]
    if marks:
        problems.append("sanitizer report: %s" % marks)
    outcome = "exit %d" % rc
    stats["exit %d" % rc] += 1
    verdict = "PASS"
    if problems:
        verdict = "FAIL"
    line = "case %d: %s/%s on batch %d (%s)%s: %s -> %s, %.1fs" % (
        case_no, cls, name, ctx.b, os.path.basename(chain.archives[min(ctx.b, len(
            chain.archives)) - 1]), " [asan]" if asan else "", desc, outcome,
        chain.last_seconds)
    if problems or a.verbose:
        log(line)
    if problems:
        for p in problems:
            log("  " + p)
        log("  stderr: " + err[-1500:].replace("\n", "\n          "))
        log("  replay: " + repro(a, chain.seed, case_no, name))
        return False
    if not a.keep:
        shutil.rmtree(case_dir, ignore_errors=True)
    return True


def check_case(chain, ctx, expect, rc, err, got):
    problems = []
    b = ctx.b
    n = len(chain.archives)
    if rc >= 128 or rc in (98, 99) or rc < 0:
        return ["killed or crashed: exit %d" % rc]
    if rc not in (0, 2, 3):
        problems.append("exit %d is no documented code for a refused archive" % rc)
    # what the replica may be
    if isinstance(expect, tuple):
        _, table, col, value = expect
        want = expected_cell(chain.dumps[b], table, col, value, got)
        if rc != 0:
            problems.append("a valid archive (a cell edited, resynced) refused: exit %d" % rc)
        elif want is not True:
            problems.append("the edited cell did not arrive: %s" % want)
        return problems
    refused_ok = got == chain.dumps[min(b, n + 1) - 1] if b <= n + 1 else False
    if expect == "refuse-or-skip":
        refused_ok = got == chain.dumps[n]
        expect = "either"
    if expect == "valid":
        if rc != 0:
            problems.append("a valid archive refused: exit %d" % rc)
        elif got != chain.dumps[ctx.last]:
            problems.append("replica is not the chain's:\n" +
                            dump_diff(got, chain.dumps[ctx.last]))
        return problems
    if rc == 0 and expect == "either":
        problems += accepted_ok(chain, ctx, got)
        return problems
    if rc == 0:
        problems.append("a hostile archive applied (exit 0); expected a refusal")
        if got != chain.dumps[ctx.last]:
            problems.append("and the replica is not the chain's:\n" +
                            dump_diff(got, chain.dumps[ctx.last]))
        return problems
    if ctx.want_rc and rc != ctx.want_rc:
        problems.append("exit %d, documented %d" % (rc, ctx.want_rc))
    if not refused_ok and expect == "either" and later_batch_refused(chain, b, err):
        # took the change, then a later batch did not fit it: a refusal of
        # that batch; the canary stands
        if got.get(b"canary") != chain.dumps[0].get(b"canary"):
            problems.append("canary changed")
        return problems
    if not refused_ok:
        problems.append("refused, but the replica is not as it was before batch %d:\n%s" % (
            b, dump_diff(got, chain.dumps[min(b, n + 1) - 1])))
    key = os.path.basename(chain.archives[min(b, n) - 1]) if b <= n else None
    names = [x for x in (key, "src-%08d" % b) if x]
    if ctx.b > n:
        names.append("-%08d-" % b)
    if not any(x in err for x in names):
        problems.append("the message names neither the archive nor the batch (%s)" % names)
    return problems


def later_batch_refused(chain, b, err):
    """The error names a batch after b (that apply then refused)."""
    for later in chain.archives[b:]:
        if ("ERROR apply " in err and os.path.basename(later) in
                err.split("ERROR apply ", 1)[1].split("\n", 1)[0]):
            return True
    return False


def accepted_ok(chain, ctx, got):
    """An `either` mutation that apply took: the canary stands, every other
    table is the chain's, and any new table has exactly the renamed name."""
    problems = []
    want = chain.dumps[ctx.last]
    if got.get(b"canary") != want.get(b"canary"):
        problems.append("canary changed")
    if ctx.renamed or ctx.renamed_col:
        new = set(got) - set(want) - {"__schema__"}
        if ctx.renamed:
            exp = ctx.renamed[1].encode("utf-8", "surrogateescape")
            if new - {exp}:
                problems.append("tables made besides the renamed one: %r" % sorted(new - {exp}))
        return problems
    if ctx.loose_table:
        t = ctx.loose_table.encode("utf-8", "surrogateescape")
        got = {k: v for k, v in got.items() if k not in ("__schema__", t)}
        want = {k: v for k, v in want.items() if k not in ("__schema__", t)}
    if ctx.rows_only:
        got = {k: v for k, v in got.items() if k != "__schema__"}
        want = {k: v for k, v in want.items() if k != "__schema__"}
    if got != want:
        diff = dump_diff(got, want)
        problems.append("accepted, replica not the chain's:\n" + diff)
    return problems


def expected_cell(dump_b, table, col, value, got):
    """True when `got` is dump_b with exactly one cell of table.col now
    holding value (as text); else what differs."""
    tname = table.encode("utf-8", "surrogateescape")
    if set(got) != set(dump_b):
        return dump_diff(got, dump_b)
    for k in got:
        if k != tname and got[k] != dump_b[k]:
            return "another table changed: " + dump_diff({k: got[k]}, {k: dump_b[k]})
    cols, rows_got = got[tname]
    _, rows_want = dump_b[tname]
    ci = cols.index(col.encode("utf-8", "surrogateescape"))
    gone = sorted(set(rows_want) - set(rows_got), key=repr)
    new = sorted(set(rows_got) - set(rows_want), key=repr)
    want_v = ("t", value.encode("utf-8", "surrogateescape"))
    if len(gone) == 1 and len(new) == 1:
        g, w = list(new[0]), list(gone[0])
        if g[ci] == want_v and g[:ci] + g[ci + 1:] == w[:ci] + w[ci + 1:]:
            return True
    if not gone and not new and any(r[ci] == want_v for r in rows_got):
        return True  # the row held that value already
    return "row(s) now %s, were %s; wanted column %r = %s" % (
        torture.shorten(new), torture.shorten(gone), col, torture.shorten(want_v))


def repro(a, seed, case_no, name):
    return "python3 tests/torture/torture_hostile.py --seed %d --case %d --mutation %s%s%s" % (
        seed, case_no, name, " --format %s" % a.format if a.format != "any" else "",
        " --replica mysql" if a.replica == "mysql" else "")


# ---------------------------------------------------------------- main

CLASSES = sorted({cls for cls, _, _ in MUTATIONS.values()})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--cases", type=int, default=40, help="cases per seed")
    p.add_argument("--case", type=int, default=None, help="replay this one case of the seed")
    p.add_argument("--seeds", type=int, default=1, help="seeds from --seed on")
    p.add_argument("--seconds", type=float, default=None, help="run seeds until this long")
    p.add_argument("--mutation", default=None, choices=sorted(MUTATIONS))
    p.add_argument("--classes", default=",".join(CLASSES))
    p.add_argument("--format", choices=["any", "csv", "jsonl"], default="any")
    p.add_argument("--replica", choices=["sqlite", "mysql"], default="sqlite",
                   help="mysql: a MariaDB database (CDCPACK_TEST_MYSQL_* name the server)")
    p.add_argument("--asan-every", type=int, default=0,
                   help="every Nth case runs bin/cdcpack-asan")
    p.add_argument("--bin", default=os.environ.get("CDCPACK_BIN",
                                                   os.path.join(ROOT, "bin", "cdcpack")))
    p.add_argument("--asan-bin", default=os.path.join(ROOT, "bin", "cdcpack-asan"))
    p.add_argument("--tmpdir", default=os.environ.get("TMPDIR", "/tmp"))
    p.add_argument("--timeout", type=int, default=120)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--verbose", "-v", action="store_true")
    p.add_argument("--list", action="store_true", help="list the mutations")
    p.add_argument("--self-check", action="store_true",
                   help="a text_cell case checked against a wrong value must fail")
    a = p.parse_args()
    if a.list:
        for n, (cls, w, fn) in sorted(MUTATIONS.items(), key=lambda x: (x[1][0], x[0])):
            log("%-10s %-24s %s" % (cls, n, (fn.__doc__ or "").strip().split("\n")[0]))
        return 0
    a.classes = set(a.classes.split(","))
    if a.self_check:  # seeds on until a batch has a text cell to edit
        a.mutation, a.seeds = "text_cell", 20
    if a.seed is None:
        a.seed = int(time.time()) % 1000000
    a.workdir = tempfile.mkdtemp(prefix="cdcpack-hostile.", dir=a.tmpdir)
    stats = collections.Counter()
    t0 = time.time()
    ok = total = 0
    seed = a.seed
    failed = False
    try:
        while True:
            log("seed %d: making a chain" % seed)
            try:
                chain = Chain(a, seed)
            except Exception:
                log("seed %d: the chain maker failed" % seed)
                raise
            log("seed %d: %s, %d batches (%s)" % (
                seed, chain.format, len(chain.archives),
                ", ".join(os.path.basename(x) for x in chain.archives)))
            cases = [a.case] if a.case is not None else range(1, a.cases + 1)
            for c in cases:
                got = run_case(chain, a, c, stats)
                if got is None:
                    continue
                total += 1
                if got:
                    ok += 1
                else:
                    failed = True
                if a.self_check:
                    break
            seed += 1
            if a.case is not None or (a.self_check and total):
                break
            if a.seconds is not None:
                if time.time() - t0 > a.seconds:
                    break
            elif seed >= a.seed + a.seeds:
                break
    finally:
        if not a.keep and not failed:
            shutil.rmtree(a.workdir, ignore_errors=True)
        elif failed:
            log("kept %s" % a.workdir)
    log("mutations: " + ", ".join("%s %d" % kv for kv in sorted(stats.items())))
    log("%d of %d cases from seed %d passed in %.0fs" % (ok, total, a.seed, time.time() - t0))
    if a.self_check:
        if ok == total:
            log("self-check FAILED: a wrong expected cell went unreported")
            return 1
        log("divergence reported as it must be")
        return 0
    return 0 if ok == total else 1


if __name__ == "__main__":
    sys.exit(main())
