"""The lake check of the torture harness (--lake): the case also writes
DMS's S3 layout ([lake] prefix, README "Reading the data"), and at every
check each captured table is rebuilt from its lake objects with the shipped
examples/lake/merge.sql in DuckDB (tests/s3/lake_merge.mjs --jobs, the
@duckdb/node-api the lake tests use) and compared with the source's own
dump, independently of `cdcpack apply`.

Which objects: README "The merge is exact for a table loaded once; after a
second load, start from that load's files": the harness reads the
published manifests (as `cdcpack show` would name them), takes the table's
last load batch, its LOAD numbers (they count on across load batches: the
folder must hold LOAD00000001 up to the sum of every load batch's files of
the table, no more) and the change files named after that batch's time;
the folder's change files must be exactly the archives' change files of
the table, each once, and each object hold its archive file's bytes. The chosen objects are copied, date folders kept,
into a folder of their own that merge.sql reads.

How values compare (DuckDB reads every CSV field as VARCHAR, so the lake
holds text; the source's dump holds typed values): NULL is NULL (an
unquoted empty field or csv_null_value; a quoted "" is the empty string);
an integer compares as its decimal digits; a REAL/DOUBLE as the 64 bits of
the lake text read as a double (the spelling may differ: 1e+308, 1.0E308),
a MariaDB FLOAT as 32 bits; text as its UTF-8 bytes; a BLOB (and a MariaDB
binary type or BIT) as the bytes its hex (or base64 with binary_encoding =
base64, or X'..') decodes to. Which rule applies is the source value's
class (SQLite's typeof, the MariaDB column type): a reader of the lake
knows the table's column types, not each value's class, so a SQLite column
without affinity holding the text '1' and the integer 1 read alike, as
they do in every DMS-shaped CSV. A MariaDB DECIMAL, date or time compares
as CAST(... AS CHAR) spells it."""

import base64
import binascii
import gzip
import json
import os
import re
import shutil
import struct
import subprocess

LAKE_PREFIX = "lake/"
FAULT_POINTS = ["mid-lake", "after-lake"]


def stamp_of(created):
    """A manifest's created time, 2026-12-07T21:26:43.951Z, as a change
    file's name stamp: 20261207-212643951."""
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})", created)
    if not m:
        raise RuntimeError("lake: manifest time %r not understood" % created)
    g = m.groups()
    return "%s%s%s-%s%s%s%s" % g


def f64(x):
    return struct.pack(">d", x).hex()


def f32(x):
    return struct.pack(">f", x).hex()


class Lake:
    def __init__(self, case):
        self.case = case
        r = case.r
        # lakeopts: DMS's output options, drawn once per case
        self.compression = "none"
        self.partition = "none"
        self.date_delim = "slash"
        self.delim = ","
        self.null = ""
        self.binary = "hex"
        self.ts = None
        self.load_op = False
        if "lakeopts" in case.ops:
            self.compression = r.choice(["none", "gzip"])
            self.partition = r.choice(["none", "none", "YYYYMMDD", "YYYYMMDDHH", "YYYYMM",
                                       "MMYYYYDD", "DDMMYYYY"])
            self.date_delim = r.choice(["slash", "dash", "underscore", "none"])
            self.delim = r.choice([",", ",", "|", "\t", ";"])
            self.null = r.choice(["", "", "NULL", "\\N"])
            self.binary = r.choice(["hex", "hex", "base64"])
            self.ts = r.choice([None, None, "lake_ts"])
            self.load_op = r.random() < 0.25
        self.merge_dir = os.path.join(case.dir, "lakemerge")

    def describe(self):
        return "lake %s gzip=%s dates=%s/%s delim=%r null=%r binary=%s ts=%s load_op=%s" % (
            LAKE_PREFIX, self.compression, self.partition, self.date_delim, self.delim,
            self.null, self.binary, self.ts, self.load_op)

    def batch_config(self):
        """[batch] lines (inside the section the case writes)."""
        spelled = {"\t": "\\t", ";": '";"'}.get(self.delim, self.delim)
        out = "csv_delimiter = %s\nbinary_encoding = %s\n" % (spelled, self.binary)
        if self.null:
            out += "csv_null_value = %s\n" % self.null
        if self.ts:
            out += "timestamp_column = %s\n" % self.ts
        if self.load_op:
            out += "load_op_column = true\n"
        return out

    def config(self):
        out = "\n[lake]\nprefix = %s\n" % LAKE_PREFIX
        if self.compression != "none":
            out += "compression = %s\n" % self.compression
        if self.partition != "none":
            out += "date_partition = %s\ndate_delimiter = %s\n" % (self.partition,
                                                                 self.date_delim)
        return out

    # ------------------------------------------------------------ objects

    def schema(self):
        src = self.case.src
        return "src" if src.kind == "sqlite" else src.db

    def chain(self):
        """[(manifest, members)] of the published batches in chain order,
        from the harness's own archive reads (check_chain runs first)."""
        out = []
        for ident in sorted(self.case.archive_cache, key=lambda i: os.path.basename(i[0])):
            try:  # the cache may hold an earlier read of a path: the current one only
                st = os.stat(ident[0])
            except FileNotFoundError:
                continue
            if (st.st_size, st.st_mtime_ns) != ident[1:]:
                continue
            members = self.case.archive_cache[ident]
            out.append((json.loads(members["manifest.json"]), members))
        return out

    def table_objects(self, name, chain, problems):
        """The folder, the chosen objects (relative paths) and the columns
        of table name's lake, following the README's rule for reloads."""
        loads = []   # (batch manifest, files of the table) per load batch
        changes = []  # archive change-file names of the table
        content = {}  # lake object name (no .gz) -> the archive file's bytes
        folder = None
        last = None
        for m, members in chain:
            files = [tb for tb in m["tables"] if tb["name"] == name]
            if not files:
                continue
            folder = files[0]["file"].split("/")[0]
            last = files[-1]
            if m["batch"]["kind"] == "load":
                loads.append((m, files))
                for tb in files:  # LOAD numbers count on across load batches
                    content["LOAD%08X.csv" % (len(content_loads(content)) + 1)] = \
                        members.get(tb["file"])
            else:
                changes += [(tb["file"].split("/")[-1], m) for tb in files]
                for tb in files:
                    content[tb["file"].split("/")[-1]] = members.get(tb["file"])
        if folder is None:
            return None
        base = os.path.join(self.case.bucket, LAKE_PREFIX, self.schema(), folder)
        have_loads, have_changes = set(), {}
        for dp, _, fs in os.walk(base):
            for f in fs:
                rel = os.path.relpath(os.path.join(dp, f), base)
                plain = f[:-3] if f.endswith(".gz") else f
                if (self.compression == "gzip") != f.endswith(".gz"):
                    problems.append("lake %s: object %s against compression = %s"
                                    % (name, rel, self.compression))
                if content.get(plain) is not None:
                    with open(os.path.join(dp, f), "rb") as fh:
                        raw = fh.read()
                    try:
                        raw = gzip.decompress(raw) if f.endswith(".gz") else raw
                    except (OSError, EOFError) as e:
                        raw = ("not gzip: %s" % e).encode()
                    if raw != content[plain]:
                        problems.append("lake %s: object %s does not hold the archive's %s "
                                        "(%d bytes, archive %d)" % (name, rel, plain, len(raw),
                                                                   len(content[plain])))
                if plain.startswith("LOAD"):
                    if rel != f:
                        problems.append("lake %s: load object %s in a subfolder" % (name, rel))
                    have_loads.add(plain)
                elif plain in have_changes:
                    problems.append("lake %s: change file %s twice (%s, %s)"
                                    % (name, plain, have_changes[plain], rel))
                else:
                    have_changes[plain] = rel
        total = sum(len(files) for _, files in loads)
        want_loads = {"LOAD%08X.csv" % i for i in range(1, total + 1)}
        if have_loads != want_loads:
            problems.append("lake %s: load objects %s, the load batches' files make %s"
                            % (name, sorted(have_loads)[:6], sorted(want_loads)[:6]))
        want_changes = {f for f, _ in changes}
        if set(have_changes) != want_changes:
            problems.append("lake %s: change objects %s missing, %s not in any archive"
                            % (name, sorted(want_changes - set(have_changes))[:4],
                               sorted(set(have_changes) - want_changes)[:4]))
        chosen = []
        after = ""
        if loads:
            m, files = loads[-1]
            first = total - len(files) + 1
            chosen += ["LOAD%08X.csv" % i + (".gz" if self.compression == "gzip" else "")
                       for i in range(first, total + 1)]
            after = stamp_of(m["batch"]["created"])
        chosen += [have_changes[f] for f in sorted(have_changes) if f[:18] > after]
        cols = [c["name"] for c in last["columns"]]
        key = [c["name"] for c in last["columns"] if c.get("key")] or cols
        return base, chosen, cols, key

    # ------------------------------------------------------------ merge

    def merged(self, tables):
        """{table: (cols, rows of lake text)} rebuilt by merge.sql."""
        case = self.case
        chain = self.chain()
        problems = []
        jobs, names = [], []
        shutil.rmtree(self.merge_dir, ignore_errors=True)
        for i, name in enumerate(tables):
            got = self.table_objects(name, chain, problems)
            if got is None:
                continue
            base, chosen, cols, key = got
            d = os.path.join(self.merge_dir, str(i))
            for rel in chosen:
                src = os.path.join(base, rel)
                if not os.path.exists(src):
                    continue  # reported above
                os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
                shutil.copyfile(src, os.path.join(d, rel))
            os.makedirs(d, exist_ok=True)
            jobs.append({"dir": d, "cols": cols, "key": key, "delim": self.delim,
                         "null": self.null, "ts": self.ts, "load_op": self.load_op})
            names.append(name)
        out = {}
        if jobs:
            jf = os.path.join(self.merge_dir, "jobs.json")
            with open(jf, "w") as f:
                json.dump(jobs, f)
            p = subprocess.run(["node", os.path.join(case_root(), "tests", "s3",
                                                     "lake_merge.mjs"),
                                os.path.join(case_root(), "examples", "lake", "merge.sql"),
                                "--jobs", jf], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=600)
            if p.returncode:
                raise RuntimeError("lake_merge.mjs exited %d: %s" % (
                    p.returncode, p.stderr.decode(errors="replace")[-2000:]))
            for name, job, res in zip(names, jobs, json.loads(p.stdout)):
                if "error" in res:
                    problems.append("lake %s: merge.sql failed: %s" % (
                        name, res["error"].split("\n")[0][:400]))
                    continue
                n = len(job["cols"])
                out[name] = (job["cols"], [row[:n] for row in res["rows"]])
        return out, problems

    # ------------------------------------------------------------ compare

    def blob(self, s):
        m = re.match(r"^[Xx]'([0-9A-Fa-f]*)'$", s)
        if m:
            return binascii.unhexlify(m.group(1))
        try:
            if self.binary == "base64":
                return base64.b64decode(s, validate=True)
            return binascii.unhexlify(s)
        except (binascii.Error, ValueError):
            return ("undecodable", s)

    def norm(self, v, s):
        """The lake text s as the source value v's class reads it (module
        docstring); returns what to compare with v."""
        if s is None or v is None:
            return s
        tag = v[0]
        if tag == "i":
            return ("i", int(s)) if re.match(r"^-?\d+$", s) else ("text", s)
        if tag in ("r", "f"):
            try:
                x = float(s)
            except ValueError:
                return ("text", s)
            return ("r", f64(x)) if tag == "r" else ("f", f32(x))
        if tag == "t":
            return ("t", s.encode("utf-8", "surrogateescape"))
        return ("b", self.blob(s))

    def check(self, live):
        """The differences between each table's merge and the source, and
        how many rows were compared."""
        case = self.case
        names = [t.name for t in live]
        lake, problems = self.merged(names)
        sdump = case.src.dump_many({n: None for n in names if n in lake})
        compared = 0
        for t in live:
            if t.name not in lake or t.name not in sdump:
                if t.name in sdump and sdump[t.name][1] and not any(
                        p.startswith("lake %s:" % t.name) for p in problems):
                    problems.append("lake %s: %d source rows, no lake objects"
                                    % (t.name, len(sdump[t.name][1])))
                continue
            lcols, lrows = lake[t.name]
            scols, srows = sdump[t.name]
            compared += len(srows)
            if lcols != scols:
                problems.append("lake %s: columns %s, source %s" % (t.name, lcols, scols))
                continue
            key = [c for c in t.key] if t.key and not (t.rowid and not t.key) else None
            kidx = [scols.index(c) for c in key] if key and all(c in scols for c in key) \
                else [0]
            src = {}
            for row in srows:
                vals = tuple(row[c] for c in scols)
                src[tuple(case_key(vals[i]) for i in kidx)] = vals
            got = {}
            for row in lrows:
                k = tuple(row[i] for i in kidx)
                if k in got:
                    problems.append("lake %s: key %s twice in the merge" % (t.name, k))
                got[k] = row
            diffs = []
            for k, vals in src.items():
                row = got.pop(k, None)
                if row is None:
                    diffs.append("only in source: key %s" % (k,))
                    continue
                bad = ["%s: source %r, lake %r" % (c, v, s) for c, v, s in zip(scols, vals, row)
                       if self.norm(v, s) != v]
                if bad:
                    diffs.append("key %s: %s" % (k, "; ".join(bad)[:600]))
            for k in list(got)[:5]:
                diffs.append("only in the lake: key %s" % (k,))
            if diffs:
                problems.append("lake %s (source %d rows, lake %d):\n    %s" % (
                    t.name, len(srows), len(lrows), "\n    ".join(diffs[:8])))
        return problems, compared

    # ------------------------------------------------------------ self-check

    def corrupt(self):
        """Deletes the newest change object of a table whose merge it
        changes: the lake check must notice."""
        best = None
        base = os.path.join(self.case.bucket, LAKE_PREFIX, self.schema())
        for dp, _, fs in os.walk(base):
            for f in fs:
                if not f.startswith("LOAD") and (best is None or f > best[1]):
                    best = (dp, f)
        if best is None:
            raise RuntimeError("self-check: no lake change object")
        path = os.path.join(*best)
        if self.case.s3:
            self.case.s3.remove(path)
        os.unlink(path)
        return "removed lake object %s" % os.path.relpath(path, self.case.bucket)


def content_loads(content):
    return [k for k in content if k.startswith("LOAD")]


def case_key(v):
    """A source key value as the lake's text spells it."""
    if v is None:
        return None
    tag, x = v
    if tag == "i":
        return str(x)
    if tag == "t":
        return x.decode("utf-8", "surrogateescape")
    return repr(v)


def case_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
