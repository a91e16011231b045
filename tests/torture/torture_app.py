#!/usr/bin/env python3
"""Installed triggers must be invisible to the application (tests/torture/README
"The application's view").

One case = one seed: an application schema (FKs with CASCADE / SET NULL /
DEFERRED, CHECK, NOT NULL, UNIQUE, STRICT, WITHOUT ROWID, generated columns,
AUTOINCREMENT, the application's own triggers) in two identical databases;
`cdcpack triggers install` in one of them. The same random workload of
application statements runs against both, one connection each, and every
statement's app-visible outcome must be the same on both sides: its error
(class and message) or none, the rows it returns (RETURNING, SELECT),
changes() / ROW_COUNT(), last_insert_rowid() / LAST_INSERT_ID(), the warnings
(MariaDB: their count and SHOW WARNINGS), whether a transaction is open; at the end each table's
content and sqlite_sequence (the changelog excepted). Then `cdcpack run` +
`cdcpack apply` build a replica, which must equal the source; where the
README names what triggers cannot see (SQLite's REPLACE deleting a row on a
secondary UNIQUE index without recursive_triggers; MariaDB's foreign-key
cascades and TRUNCATE), the harness checks the documented warning of `triggers install`,
lets the replica differ only in those tables, and checks that `cdcpack
reconcile` repairs it (and finds nothing when no such statement ran).

Everything random comes from one random.Random(seed); a failing case prints
the statement, both outcomes and a `rerun:` line.
"""

import argparse
import collections
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torture  # noqa: E402  (the differential harness: engines, dumps, names)
from torture import CdcError, Divergence, MysqlDB, SqliteDB, qi  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Statement classes; `huge` is opt-in (+huge) while F40 is open.
SQLITE_CLASSES = ["insert", "insert_conflict", "insert_multi", "insert_select", "returning",
                  "upsert_update", "upsert_nothing", "replace", "update", "update_conflict",
                  "update_key", "delete", "delete_all", "delete_parent", "savepoint", "txn",
                  "recursive", "foreign_keys", "select", "huge"]
MYSQL_CLASSES = ["insert", "insert_ignore", "insert_multi", "insert_select", "odku", "replace",
                 "update", "update_ignore", "update_key", "delete", "delete_parent", "truncate",
                 "savepoint", "txn", "sql_mode", "select", "huge"]
OFF_BY_DEFAULT = {"huge"}


def log(msg):
    print(msg, flush=True)


# ------------------------------------------------------------------ SQLite

SQLITE_SCHEMA = """
CREATE TABLE p(id INTEGER PRIMARY KEY{autoinc}, name TEXT UNIQUE, n INT CHECK (n IS NULL OR n < 1000));
CREATE TABLE c(id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p(id) ON DELETE CASCADE,
  sid INTEGER REFERENCES p(id) ON DELETE SET NULL,
  did INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED, v TEXT NOT NULL DEFAULT 'dflt');
CREATE TABLE w(k TEXT PRIMARY KEY, v BLOB, u INT UNIQUE) WITHOUT ROWID;
CREATE TABLE s(id INTEGER PRIMARY KEY, a INT NOT NULL, b TEXT, g INT GENERATED ALWAYS AS (a * 2) VIRTUAL,
  h TEXT GENERATED ALWAYS AS (upper(b)) STORED){strict};
CREATE TABLE r(a INT, b TEXT UNIQUE);
CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT, ref INT);
CREATE TRIGGER app_p_ai AFTER INSERT ON p BEGIN INSERT INTO audit(what, ref) VALUES('p+', NEW.id); END;
CREATE TRIGGER app_c_ad AFTER DELETE ON c BEGIN UPDATE p SET n = coalesce(n, 0) + 1 WHERE id = OLD.pid; END;
CREATE TRIGGER app_w_bu BEFORE UPDATE ON w WHEN NEW.u = 13 BEGIN SELECT RAISE(ABORT, 'thirteen'); END;
CREATE TRIGGER app_r_bi BEFORE INSERT ON r WHEN NEW.a = 7 BEGIN SELECT RAISE(IGNORE); END;
CREATE TRIGGER app_s_au AFTER UPDATE OF a ON s WHEN NEW.a < 0 BEGIN DELETE FROM s WHERE id = NEW.id; END;
"""
# tables whose secondary UNIQUE index REPLACE may delete from unseen (README)
SQLITE_SECONDARY_UNIQUE = {"p", "w", "r"}
SQLITE_TABLES = ["p", "c", "w", "s", "r", "audit"]
SQLITE_LENGTH_LIMIT = 300000  # SQLITE_LIMIT_LENGTH of both connections: huge values near it


class SqliteApp:
    """One side: a connection as the application holds it."""

    def __init__(self, path, trigger_depth=None):
        self.path = path
        self.c = sqlite3.connect(path, isolation_level=None, timeout=60)
        self.c.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_LENGTH_LIMIT)
        if trigger_depth:
            self.c.setlimit(sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH, trigger_depth)

    def run(self, sql, params):
        """The app-visible outcome of one statement."""
        err = None
        rows = None
        try:
            cur = self.c.execute(sql, params)
            rows = [tuple(canon_value(v) for v in r) for r in cur.fetchall()]
        except sqlite3.Error as e:
            err = "%s: %s (%s)" % (type(e).__name__, e, getattr(e, "sqlite_errorname", "?"))
        ch, lid = self.c.execute("SELECT changes(), last_insert_rowid()").fetchone()
        return {"error": err, "rows": rows, "changes": ch, "last_insert_rowid": lid,
                "in_transaction": self.c.in_transaction}

    def close(self):
        if self.c is None:
            return
        if self.c.in_transaction:
            self.c.execute("ROLLBACK")
        self.c.close()
        self.c = None


def canon_value(v):
    if isinstance(v, float):
        return ("r", torture.f64_bits(v))
    if isinstance(v, (bytes, memoryview)):
        return ("b", bytes(v))
    return v


class SqliteWorkload:
    """Random application statements over SQLITE_SCHEMA; small value domains
    so that keys, UNIQUE values and FKs collide often."""

    def __init__(self, rng, classes):
        self.r = rng
        self.classes = classes
        self.depth = 0  # savepoints open
        self.in_txn = False
        self.recursive = False
        self.huge_ok = True

    def key(self):
        return self.r.randint(1, 12)

    def name(self):
        return self.r.choice([None, "a", "b", "c", "d", "e", "A", "a "])

    def n(self):
        return self.r.choice([None, 0, 1, 5, 999, 1000, -3])

    def blob(self):
        return self.r.choice([None, b"", b"\x00", self.r.randbytes(self.r.randint(0, 8))])

    def text(self):
        return self.r.choice([None, "", "x", "é", "tab\t", "13", self.r.choice("xyz") * 3])

    def huge(self):
        # sizes around half the limit (an UPDATE's old and new images) and near it
        lim = SQLITE_LENGTH_LIMIT
        return self.r.choice([lim // 2 - 50, lim // 2 + 50, lim - 200, lim - 20])

    def row_values(self, t):
        r = self.r
        if t == "p":
            return ["id", "name", "n"], [self.key() if r.random() < 0.7 else None, self.name(), self.n()]
        if t == "c":
            return (["id", "pid", "sid", "did", "v"],
                    [self.key(), self.key(), r.choice([None, self.key()]), r.choice([None, self.key(), 99]),
                     r.choice([None, "v", "w"])])
        if t == "w":
            return ["k", "v", "u"], [r.choice(["k1", "k2", "k3", "K1", None]), self.blob(),
                                     r.choice([None, 1, 2, 3, 13])]
        if t == "s":
            return ["id", "a", "b"], [self.key(), r.choice([1, 2, -1, None, "7", "x", 2.5]), self.text()]
        if t == "r":
            return ["a", "b"], [r.choice([1, 2, 7, None]), self.name()]
        return ["what", "ref"], [self.text(), self.key()]

    def where(self, t):
        r = self.r
        col = {"p": "id", "c": "pid", "w": "k", "s": "id", "r": "a", "audit": "ref"}[t]
        if t == "w":
            return "k = ?", [r.choice(["k1", "k2", "k3"])]
        if r.random() < 0.2:
            return "%s BETWEEN ? AND ?" % col, [self.key(), self.key()]
        return "%s = ?" % col, [self.key()]

    def conflict(self):
        return self.r.choice(["", "OR IGNORE ", "OR REPLACE ", "OR ABORT ", "OR FAIL ", "OR ROLLBACK "])

    def insert(self, t, verb="INSERT ", nrows=1, returning=""):
        cols, vals = self.row_values(t)
        params = list(vals)
        rows = ["(%s)" % ", ".join("?" * len(cols))]
        for _ in range(nrows - 1):
            params += self.row_values(t)[1]
            rows.append(rows[0])
        return "%sINTO %s(%s) VALUES %s%s" % (verb, t, ", ".join(cols), ", ".join(rows), returning), params

    def update_set(self, t):
        r = self.r
        if t == "p":
            return r.choice([("name = ?", [self.name()]), ("n = ?", [self.n()]),
                             ("n = n + 1", []), ("id = ?", [self.key()])])
        if t == "c":
            return r.choice([("v = ?", [r.choice(["u", None])]), ("pid = ?", [self.key()]),
                             ("did = ?", [r.choice([99, self.key()])]), ("id = id + 1", [])])
        if t == "w":
            return r.choice([("u = ?", [r.choice([1, 2, 13, None])]), ("v = ?", [self.blob()]),
                             ("k = ?", [r.choice(["k1", "k2", "k4"])])])
        if t == "s":
            return r.choice([("a = ?", [r.choice([3, -2, None, "z"])]), ("b = ?", [self.text()])])
        if t == "r":
            return r.choice([("b = ?", [self.name()]), ("a = ?", [r.choice([1, 7])])])
        return ("what = ?", [self.text()])

    def statement(self):
        """(class, sql, params); None where the class does not fit now."""
        r = self.r
        cls = r.choice(self.classes)
        t = r.choice(SQLITE_TABLES)
        if cls == "insert":
            return cls, *self.insert(t)
        if cls == "insert_conflict":
            return cls, *self.insert(t, "INSERT %s" % self.conflict())
        if cls == "insert_multi":
            return cls, *self.insert(t, "INSERT %s" % r.choice(["", "OR IGNORE ", "OR REPLACE "]),
                                     nrows=r.randint(2, 4))
        if cls == "insert_select":
            src = r.choice(["p", "c", "s"])
            if t == "p":
                return cls, ("INSERT %sINTO p(name, n) SELECT v, NULL FROM c WHERE id > ?"
                             % self.conflict()), [self.key()]
            if t == "w":
                return cls, ("INSERT %sINTO w(k, v, u) SELECT 'k' || id, NULL, id FROM %s WHERE id <= ?"
                             % (self.conflict(), src)), [self.key()]
            return cls, "INSERT %sINTO audit(what, ref) SELECT 'copy', id FROM %s" % (self.conflict(), src), []
        if cls == "returning":
            kind = r.choice(["insert", "update", "delete"])
            ret = r.choice([" RETURNING *", " RETURNING rowid, *" if t not in ("w",) else " RETURNING *"])
            if kind == "insert":
                return cls, *self.insert(t, "INSERT %s" % self.conflict(), returning=ret)
            w, wp = self.where(t)
            if kind == "update":
                s, sp = self.update_set(t)
                return cls, "UPDATE %s%s SET %s WHERE %s%s" % (self.conflict(), t, s, w, ret), sp + wp
            return cls, "DELETE FROM %s WHERE %s%s" % (t, w, ret), wp
        if cls in ("upsert_update", "upsert_nothing"):
            target = {"p": "(id)", "c": "(id)", "w": "(k)", "s": "(id)", "r": "(b)",
                      "audit": "(id)"}[t]
            if t == "p" and r.random() < 0.5:
                target = "(name)"
            sql, params = self.insert(t)
            if cls == "upsert_nothing":
                return cls, sql + " ON CONFLICT%s DO NOTHING" % r.choice(["", target]), params
            s, sp = self.update_set(t)
            s = s.replace("n = n", "n = excluded.n + n") if r.random() < 0.3 else s
            return cls, sql + " ON CONFLICT%s DO UPDATE SET %s" % (target, s), params + sp
        if cls == "replace":
            return cls, *self.insert(t, "REPLACE ")
        if cls in ("update", "update_conflict", "update_key"):
            w, wp = self.where(t)
            if cls == "update_key":
                s, sp = {"p": ("id = ?", [self.key()]), "c": ("id = ?", [self.key()]),
                         "w": ("k = ?", [r.choice(["k1", "k2", "k5", "K2"])]),
                         "s": ("id = ?", [self.key()]), "r": ("rowid = ?", [self.key()]),
                         "audit": ("id = id + 100", [])}[t]
            else:
                s, sp = self.update_set(t)
            conf = self.conflict() if cls != "update" else ""
            return cls, "UPDATE %s%s SET %s WHERE %s" % (conf, t, s, w), sp + wp
        if cls == "delete":
            w, wp = self.where(t)
            return cls, "DELETE FROM %s WHERE %s" % (t, w), wp
        if cls == "delete_all":  # SQLite's truncate optimisation, off once triggers exist
            t = r.choice(["audit", "r", "w", "s", "audit"])
            return cls, "DELETE FROM %s" % t, []
        if cls == "delete_parent":  # cascades, SET NULL, deferred FK violations
            return cls, "DELETE FROM p WHERE id %s ?" % r.choice(["=", "<=", ">="]), [self.key()]
        if cls == "savepoint":
            if self.depth and r.random() < 0.6:
                verb = r.choice(["ROLLBACK TO", "RELEASE", "ROLLBACK TO"])
                sp = "sp%d" % r.randint(1, self.depth)
                if verb == "RELEASE":
                    self.depth = int(sp[2:]) - 1
                return cls, "%s %s" % (verb, sp), []
            self.depth += 1
            return cls, "SAVEPOINT sp%d" % self.depth, []
        if cls == "txn":
            self.depth = 0
            return cls, r.choice(["BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK", "COMMIT"]), []
        if cls == "recursive":
            return cls, "PRAGMA recursive_triggers = %s" % r.choice(["ON", "OFF"]), []
        if cls == "foreign_keys":
            return cls, "PRAGMA foreign_keys = %s" % r.choice(["ON", "OFF", "ON"]), []
        if cls == "select":
            return cls, r.choice([
                "SELECT changes(), last_insert_rowid()",
                "SELECT * FROM %s ORDER BY 1" % t if t != "r" else "SELECT rowid, * FROM r ORDER BY 1",
                "SELECT count(*), max(rowid) FROM %s" % t if t != "w" else "SELECT count(*) FROM w",
                "SELECT name, seq FROM sqlite_sequence WHERE name NOT LIKE 'cdcpack%' ORDER BY 1",
                "PRAGMA foreign_key_check"]), []
        if cls == "huge":
            size = self.huge()
            big = r.choice([b"h" * size, "h" * size])
            if r.random() < 0.5:
                return cls, "INSERT OR REPLACE INTO w(k, v, u) VALUES(?, ?, ?)", ["k1", big, 1]
            if r.random() < 0.5:
                return cls, "UPDATE w SET u = coalesce(u, 0) + 1 WHERE k = 'k1'", []
            return cls, "UPDATE s SET b = ? WHERE id = ?", [big, self.key()]
        raise AssertionError(cls)


def sqlite_app_tables(path):
    c = sqlite3.connect(path)
    try:
        return {"seq": sorted(c.execute("SELECT name, seq FROM sqlite_sequence WHERE name NOT LIKE "
                                        "'cdcpack%'").fetchall())}
    finally:
        c.close()


def dump_sorted(db, table, names=None):
    cols, rows = db.dump(table, names)
    return cols, sorted(repr(sorted(d.items())) for d in rows)


class Case:
    def __init__(self, a):
        self.a = a
        self.r = random.Random(a.seed)
        self.dir = tempfile.mkdtemp(prefix="cdcpack-app-%d-" % a.seed, dir=a.tmpdir)
        self.counts = collections.Counter()
        self.errors = collections.Counter()
        self.blind = set()  # tables a documented blind spot touched
        self.lid_tainted = False

    def cdc(self, *args, expect=(0,)):
        cmd = [self.a.bin, "-c", self.conf] + list(args)
        e = dict(os.environ)
        e.pop("CDCPACK_FAULT", None)
        e["CDCPACK_SOURCE_PASSWORD"] = os.environ.get("CDCPACK_TEST_MYSQL_PASSWORD", "")
        e["CDCPACK_REPLICA_PASSWORD"] = e["CDCPACK_SOURCE_PASSWORD"]
        p = subprocess.run(cmd, env=e, capture_output=True, timeout=600)
        if p.returncode not in expect:
            raise CdcError("cdcpack %s exited %d\n--- stdout\n%s--- stderr\n%s" % (
                " ".join(args), p.returncode, p.stdout.decode(errors="replace")[-3000:],
                p.stderr.decode(errors="replace")[-3000:]))
        return p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")

    def write_config(self, url):
        self.conf = os.path.join(self.dir, "cdcpack.conf")
        with open(self.conf, "w") as f:
            f.write("[source]\nurl = %s\nname = app\n\n[capture]\nmode = trigger\nreconcile = manual\n\n"
                    "[batch]\nformat = %s\n\n[state]\ndir = %s\n\n[target]\nurl = file:%s\n"
                    % (url, self.r.choice(["csv", "jsonl"]), os.path.join(self.dir, "state"),
                       os.path.join(self.dir, "bucket")))

    def classes(self, all_classes):
        spec = [p for p in self.a.classes.split(",") if p]
        chosen = [c for c in all_classes if c not in OFF_BY_DEFAULT]
        if spec != ["default"] and all(p[:1] in "+-" for p in spec):
            chosen += [p[1:] for p in spec if p[0] == "+"]
            chosen = [c for c in chosen if "-" + c not in spec]
        elif spec != ["default"]:
            chosen = spec
        bad = set(chosen) - set(all_classes)
        if bad:
            raise SystemExit("unknown statement class(es): %s (--list)" % ", ".join(sorted(bad)))
        return chosen

    def differ(self, what, sql, params, plain, with_triggers):
        shown = shown_params(params)
        raise Divergence("%s differs with the triggers installed\n  statement: %s\n  params: %r\n"
                         "  without triggers: %s\n  with triggers:    %s"
                         % (what, sql[:300], shown, short(plain), short(with_triggers)))

    # -------------------------------------------------------------- SQLite

    def sqlite(self):
        r = self.r
        schema = SQLITE_SCHEMA.format(autoinc=r.choice(["", " AUTOINCREMENT"]),
                                      strict=r.choice(["", " STRICT"]))
        plain_path = os.path.join(self.dir, "plain.db")
        src_path = os.path.join(self.dir, "source.db")
        for path in (plain_path, src_path):
            c = sqlite3.connect(path)
            c.execute("PRAGMA journal_mode = %s" % r.choice(["wal", "delete"]) if path == plain_path
                      else "PRAGMA journal_mode = wal")
            c.executescript(schema)
            c.close()
        self.write_config("sqlite:" + src_path)
        _, err = self.cdc("triggers", "install")
        warned = {t for t in SQLITE_TABLES if "table %s: has a UNIQUE index besides the primary key" % t in err}
        if warned != SQLITE_SECONDARY_UNIQUE:
            raise Divergence("triggers install warned about REPLACE for %s, README says %s\n%s"
                             % (sorted(warned), sorted(SQLITE_SECONDARY_UNIQUE), err))
        if self.a.self_check:  # a trigger the application would notice: must be reported
            c = sqlite3.connect(src_path)
            c.execute("CREATE TRIGGER cdc_self_check AFTER INSERT ON audit BEGIN "
                      "UPDATE audit SET what = 'changed' WHERE id = NEW.id; END")
            c.close()
        self.cdc("load")
        self.cdc("run")
        classes = self.classes(SQLITE_CLASSES)
        log("schema: p %s AUTOINCREMENT, s %sSTRICT; classes: %s"
            % ("with" if "PRIMARY KEY AUTOINCREMENT, name" in schema else "without",
               "" if ") STRICT" in schema else "not ", ",".join(classes)))
        for path in (plain_path, src_path):  # the start, for --minimize
            shutil.copy(path, path + ".start")
        gen = SqliteWorkload(r, classes)
        # a low SQLITE_LIMIT_TRIGGER_DEPTH on both connections: the app's
        # trigger chains reach it (README "What the application sees", F44)
        self.trigger_depth = r.choice([None, None, None, 1, 2, 3])
        stmts = [("foreign_keys", "PRAGMA foreign_keys = ON", [])] if r.random() < 0.7 else []
        stmts += [gen.statement() for _ in range(self.a.statements)]
        try:
            self.sqlite_replay(plain_path, src_path, stmts)
        except Divergence:
            if self.a.minimize:
                self.minimize(plain_path, src_path, stmts)
            raise
        self.replica(SqliteDB(src_path), SqliteDB(os.path.join(self.dir, "replica.db")), SQLITE_TABLES)

    def sqlite_replay(self, plain_path, src_path, stmts):
        """Runs stmts on both sides from where they are; Divergence at the
        first app-visible difference, or in the content at the end."""
        self.lid_tainted = False
        self.blind = set()
        plain = SqliteApp(plain_path, self.trigger_depth)
        src = SqliteApp(src_path, self.trigger_depth)
        fk_failed = False
        try:
            for i, (cls, sql, params) in enumerate(stmts):
                a = plain.run(sql, params)
                b = src.run(sql, params)
                self.counts[cls] += 1
                if a["last_insert_rowid"] == b["last_insert_rowid"]:
                    self.lid_tainted = False
                if a["error"]:
                    self.errors[cls] += 1
                if a["error"] and a["error"].endswith("(SQLITE_CONSTRAINT_FOREIGNKEY)") \
                        and a["in_transaction"]:
                    fk_failed = True
                documented = None
                if a != b and self.depth_documented(a, b):
                    documented = "depth"
                elif a != b and fk_failed and self.deferred_documented(sql, a, b):
                    documented = "deferred"
                if documented:
                    if documented == "depth" and a["error"]:
                        # both failed (the plain side later in the statement): one
                        # conflict clause may have ended the transaction, the other
                        # not, and OR FAIL keeps the rows the plain side wrote before
                        # its failure, which the other side never wrote (seed 31194)
                        for side, o in ((plain, a), (src, b)):
                            if o["in_transaction"]:
                                side.run("ROLLBACK", [])
                        plain = self.resync(plain, plain_path, src_path, src)
                    elif documented == "depth" and a["in_transaction"]:
                        for side in (plain, src):  # the harness ends the transaction on both
                            side.run("ROLLBACK", [])
                    else:  # one side committed what the other did not
                        plain = self.resync(plain, plain_path, src_path, src)
                    fk_failed = False
                    # changes() and last_insert_rowid() start afresh
                    for side in (plain, src):
                        side.run("UPDATE audit SET ref = ref WHERE 0", [])
                    self.lid_tainted = True
                    continue
                if not a["in_transaction"] and not b["in_transaction"]:
                    fk_failed = False
                if a != b and not self.lid_documented(sql, a, b):
                    self.differ("statement %d (%s)" % (i + 1, cls), sql, params, a, b)
                self.note_blind(cls, sql, a, plain)
        finally:
            plain.close()
            src.close()
        pdb, sdb = SqliteDB(plain_path), SqliteDB(src_path)
        for t in SQLITE_TABLES:
            if dump_sorted(pdb, t) != dump_sorted(sdb, t):
                raise Divergence("table %s's content differs with the triggers installed" % t)
        if sqlite_app_tables(plain_path) != sqlite_app_tables(src_path):
            raise Divergence("sqlite_sequence differs with the triggers installed: %r vs %r"
                             % (sqlite_app_tables(plain_path), sqlite_app_tables(src_path)))

    def minimize(self, plain_path, src_path, stmts):
        """ddmin over the statements from the saved start: prints the
        shortest list found that still differs, as a Python script."""
        def fails(sub):
            for path in (plain_path, src_path):
                for ext in ("-wal", "-shm"):
                    if os.path.exists(path + ext):
                        os.unlink(path + ext)
                shutil.copy(path + ".start", path)
            try:
                self.sqlite_replay(plain_path, src_path, sub)
            except Divergence:
                return True
            return False
        cur, n = list(stmts), 2
        while len(cur) >= 2:
            chunk = max(1, len(cur) // n)
            for i in range(0, len(cur), chunk):
                sub = cur[:i] + cur[i + chunk:]
                if fails(sub):
                    cur, n = sub, max(n - 1, 2)
                    break
            else:
                if chunk == 1:
                    break
                n = min(len(cur), n * 2)
        fails(cur)
        log("minimized to %d statement(s) (from the schema in %s.start):" % (len(cur), src_path))
        for cls, sql, params in cur:
            log("  %-16s %s  %r" % (cls, sql, shown_params(params)))

    def depth_documented(self, a, b):
        """README "What the application sees": cdcpack's trigger on a table
        the application's trigger chain writes last adds a level, so a chain
        that reaches SQLITE_LIMIT_TRIGGER_DEPTH fails with the triggers
        (F44). Only that error on the side with the triggers is accepted."""
        ok = self.trigger_depth and (b["error"] or "").startswith(
            "OperationalError: too many levels of trigger recursion")
        if ok:
            self.counts["documented: trigger depth limit reached"] += 1
        return bool(ok)

    def deferred_documented(self, sql, a, b):
        """README "What the application sees": a statement of a transaction
        that fails on an immediate foreign key can leave the deferred
        foreign-key count behind when its table has no trigger (SQLite's
        own behaviour, F40): the COMMIT then fails without the triggers and
        succeeds with them. Only that shape is accepted."""
        first = sql.split()[0].upper()
        if first not in ("COMMIT", "END", "RELEASE"):
            return False
        ok = (a["error"] and a["error"].endswith("(SQLITE_CONSTRAINT_FOREIGNKEY)")
              and b["error"] is None and a["in_transaction"] and not b["in_transaction"])
        if ok:
            self.counts["documented: deferred FK count after a failed statement"] += 1
        return bool(ok)

    def resync(self, plain, plain_path, src_path, src):
        """After a documented divergence: the side without triggers becomes
        the source less cdcpack's triggers and tables, with the pragmas the
        source's connection has set."""
        plain.close()
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(plain_path + ext):
                os.unlink(plain_path + ext)
        c = sqlite3.connect(src_path)
        c.execute("VACUUM INTO ?", (plain_path,))
        c.close()
        c = sqlite3.connect(plain_path, isolation_level=None)
        for kind, name in c.execute("SELECT type, name FROM sqlite_master WHERE (type = 'trigger' AND "
                                    "name LIKE 'cdc!_%' ESCAPE '!') OR (type = 'table' AND name "
                                    "LIKE 'cdcpack!_%' ESCAPE '!')").fetchall():
            c.execute("DROP %s %s" % (kind.upper(), qi(name)))
        c.close()
        plain = SqliteApp(plain_path, self.trigger_depth)
        for pragma in ("foreign_keys", "recursive_triggers"):
            on = src.c.execute("PRAGMA %s" % pragma).fetchone()[0]
            plain.run("PRAGMA %s = %d" % (pragma, on), [])
        return plain

    def lid_documented(self, sql, a, b):
        """README "What the application sees": an INSERT that fails on an
        immediate foreign key leaves last_insert_rowid() at the rowid it
        tried when the table has an AFTER INSERT trigger (SQLite's own
        behaviour, F40), until the next successful INSERT sets it again.
        Only that value (and a SELECT of it) may differ, only from such a
        failure on."""
        if not self.lid_tainted and not (
                a["error"] and a["error"].endswith("(SQLITE_CONSTRAINT_FOREIGNKEY)")
                and sql.startswith("INSERT")):
            return False
        ma, mb = dict(a), dict(b)
        for m in (ma, mb):
            m.pop("last_insert_rowid")
            if "last_insert_rowid()" in sql:
                m.pop("rows")
        if ma != mb:
            return False
        self.lid_tainted = True
        self.counts["documented: last_insert_rowid after a failed INSERT"] += 1
        return True

    def note_blind(self, cls, sql, outcome, side):
        """A REPLACE that ran without recursive_triggers on a table with a
        secondary UNIQUE index may delete rows unseen (README)."""
        if outcome["error"] or "REPLACE" not in sql:
            return
        rec = side.c.execute("PRAGMA recursive_triggers").fetchone()[0]
        if rec:
            return
        for t in SQLITE_SECONDARY_UNIQUE:
            if " %s(" % t in sql or " %s " % t in sql:
                self.blind.add(t)

    # ------------------------------------------------------------- replica

    def replica(self, src, rep, tables):
        self.cdc("run")
        self.cdc("apply", "--to", rep.url)
        differ = self.compare(src, rep, tables)
        if differ - self.blind:
            raise Divergence("replica differs from the source in %s (documented blind spots touched: %s)"
                             % (sorted(differ - self.blind), sorted(self.blind) or "none"))
        out, _ = self.cdc("--json", "reconcile")
        rep_json = json.loads(out)
        repaired = {t["table"] for t in rep_json.get("reconciled", [])
                    if t.get("inserted") or t.get("updated") or t.get("deleted")}
        if repaired - self.blind:
            raise Divergence("reconcile repaired %s, which triggers should have captured whole: %s"
                             % (sorted(repaired - self.blind), out))
        if differ - repaired:
            raise Divergence("replica differs in %s and reconcile did not repair it: %s"
                             % (sorted(differ - repaired), out))
        self.cdc("apply", "--to", rep.url)
        still = self.compare(src, rep, tables)
        if still:
            raise Divergence("replica still differs in %s after reconcile" % sorted(still))
        log("replica equals the source (%d table(s) differed before reconcile, blind spots %s)"
            % (len(differ), sorted(self.blind) or "none"))

    def compare(self, src, rep, tables):
        differ = set()
        for t in tables:
            scols = [c[0] for c in src.columns(t)]
            rcols = [c[0] for c in rep.columns(t)]
            names = set(scols) & set(rcols) | {"rowid"}
            if dump_sorted(src, t, names) != dump_sorted(rep, t, names):
                differ.add(t)
        return differ

    # ------------------------------------------------------------- MariaDB

    def mysql(self):
        MysqlApp.run_case(self)


def shown_params(params):
    return [p if not isinstance(p, (bytes, str)) or len(p) < 80 else "<%d %s>" % (
        len(p), type(p).__name__) for p in params]


def short(o):
    s = repr(o)
    return s if len(s) < 600 else s[:600] + "..."


# ---------------------------------------------------------------- MariaDB

MYSQL_SCHEMA = """
CREATE TABLE p(id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(8) UNIQUE, n INT,
  CHECK (n IS NULL OR n < 1000)) ENGINE=InnoDB;
CREATE TABLE c(id INT PRIMARY KEY, pid INT, sid INT, v VARCHAR(4) NOT NULL DEFAULT 'dflt',
  FOREIGN KEY (pid) REFERENCES p(id) ON DELETE CASCADE ON UPDATE CASCADE,
  FOREIGN KEY (sid) REFERENCES p(id) ON DELETE SET NULL) ENGINE=InnoDB;
CREATE TABLE w(k VARCHAR(4) PRIMARY KEY, v LONGBLOB, u TINYINT UNIQUE, d DATE,
  g INT AS (u * 2) VIRTUAL, t TIMESTAMP(6) NULL) ENGINE=InnoDB;
CREATE TABLE audit(id BIGINT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(10), ref INT) ENGINE=InnoDB;
CREATE TRIGGER app_p_ai AFTER INSERT ON p FOR EACH ROW INSERT INTO audit(what, ref) VALUES('p+', NEW.id);
CREATE TRIGGER app_w_bu BEFORE UPDATE ON w FOR EACH ROW BEGIN IF NEW.u = 13 THEN
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'thirteen'; END IF; END;
"""
MYSQL_TABLES = ["p", "c", "w", "audit"]
MYSQL_MODES = ["", "STRICT_TRANS_TABLES", "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE",
               "TRADITIONAL", "ANSI_QUOTES,NO_BACKSLASH_ESCAPES", "PAD_CHAR_TO_FULL_LENGTH",
               "ERROR_FOR_DIVISION_BY_ZERO,STRICT_TRANS_TABLES", "ORACLE"]


def mlit(v):
    """A MariaDB literal that reads the same under every sql_mode here
    (no backslash escapes: NO_BACKSLASH_ESCAPES; hex for bytes)."""
    if v is None:
        return "NULL"
    if isinstance(v, bytes):
        return "X'%s'" % v.hex() if v else "''"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return str(v)


class MysqlWorkload(SqliteWorkload):
    def row(self, t):
        r = self.r
        if t == "p":
            return ["id", "name", "n"], [r.choice([None, self.key(), self.key(), 0]),
                                         r.choice([None, "a", "b", "c", "A", "a ", "toolongname"]),
                                         r.choice([None, 1, 999, 1000, -3, "'x'"])]
        if t == "c":
            return ["id", "pid", "sid", "v"], [self.key(), r.choice([self.key(), None, 99]),
                                               r.choice([None, self.key()]), r.choice([None, "v", "toolong"])]
        if t == "w":
            return ["k", "v", "u", "d", "t"], [
                r.choice(["k1", "k2", "K1", "k1 ", None]), self.blob(), r.choice([None, 1, 2, 13, 300]),
                r.choice([None, "2020-02-30", "0000-00-00", "2024-01-01", "2020-00-05"]),
                r.choice([None, "2024-05-06 07:08:09.123456", "0000-00-00 00:00:00"])]
        return ["what", "ref"], [r.choice([None, "x", "y" * 12]), self.key()]

    def insert(self, t, verb="INSERT", nrows=1, tail=""):
        cols, _ = self.row(t)
        rows = []
        for _ in range(nrows):
            rows.append("(%s)" % ", ".join(v if isinstance(v, str) and v.startswith("'") and v == "'x'"
                                          else mlit(v) for v in self.row(t)[1]))
        return "%s INTO %s(%s) VALUES %s%s" % (verb, t, ", ".join(cols), ", ".join(rows), tail)

    def mset(self, t):
        r = self.r
        return {"p": lambda: r.choice(["name = %s" % mlit(r.choice(["a", "b", None])), "n = n + 1",
                                       "id = %d" % self.key()]),
                "c": lambda: r.choice(["v = %s" % mlit(r.choice(["u", None])), "pid = %d" % self.key()]),
                "w": lambda: r.choice(["u = %s" % mlit(r.choice([1, 2, 13, None, 300])),
                                       "v = %s" % mlit(self.blob()), "k = %s" % mlit(r.choice(["k1", "k3"])),
                                       "d = %s" % mlit(r.choice(["2021-02-29", "2024-01-02"]))]),
                "audit": lambda: "what = %s" % mlit(r.choice(["z", None]))}[t]()

    def mwhere(self, t):
        if t == "w":
            return "k = %s" % mlit(self.r.choice(["k1", "k2", "K1"]))
        return "%s = %d" % ({"p": "id", "c": "pid", "audit": "ref"}[t], self.key())

    def mstatement(self):
        r = self.r
        cls = r.choice(self.classes)
        t = r.choice(MYSQL_TABLES)
        if cls == "insert":
            return cls, self.insert(t)
        if cls == "insert_ignore":
            return cls, self.insert(t, "INSERT IGNORE")
        if cls == "insert_multi":
            return cls, self.insert(t, r.choice(["INSERT", "INSERT IGNORE"]), nrows=r.randint(2, 4))
        if cls == "insert_select":
            return cls, ("INSERT %s INTO w(k, u) SELECT CONCAT('s', id), id FROM p WHERE id <= %d"
                         % (r.choice(["", "IGNORE"]), self.key()))
        if cls == "odku":
            return cls, self.insert(t, tail=" ON DUPLICATE KEY UPDATE %s" % self.mset(t))
        if cls == "replace":
            return cls, self.insert(t, "REPLACE")
        if cls in ("update", "update_ignore", "update_key"):
            s = self.mset(t) if cls != "update_key" else {
                "p": "id = %d" % self.key(), "c": "id = %d" % self.key(), "w": "k = 'k2'",
                "audit": "id = id + 100"}[t]
            return cls, "UPDATE %s%s SET %s WHERE %s" % ("IGNORE " if cls == "update_ignore" else "",
                                                          t, s, self.mwhere(t))
        if cls == "delete":
            return cls, "DELETE FROM %s WHERE %s" % (t, self.mwhere(t))
        if cls == "delete_parent":
            return cls, "DELETE FROM p WHERE id %s %d" % (r.choice(["=", "<=", ">="]), self.key())
        if cls == "truncate":  # no trigger fires (README): reconcile repairs it
            return cls, "TRUNCATE TABLE audit"
        if cls == "savepoint":
            if self.depth and r.random() < 0.6:
                sp = "sp%d" % r.randint(1, self.depth)
                verb = r.choice(["ROLLBACK TO SAVEPOINT", "RELEASE SAVEPOINT"])
                if verb.startswith("RELEASE"):
                    self.depth = int(sp[2:]) - 1
                return cls, "%s %s" % (verb, sp)
            self.depth += 1
            return cls, "SAVEPOINT sp%d" % self.depth
        if cls == "txn":
            self.depth = 0
            return cls, r.choice(["BEGIN", "COMMIT", "ROLLBACK", "COMMIT"])
        if cls == "sql_mode":
            return cls, "SET SESSION sql_mode = '%s'" % r.choice(MYSQL_MODES)
        if cls == "select":
            return cls, r.choice(["SELECT * FROM %s ORDER BY 1" % t, "SELECT COUNT(*) FROM %s" % t,
                                  "SELECT @@in_transaction"])
        if cls == "huge":
            # up to what a row image carries: the hex of a BLOB within
            # max_allowed_packet (beyond: a documented refusal, checked apart)
            size = r.choice([1 << 20, 3 << 20, (self.packet // 2) - 8192])
            return cls, ("INSERT INTO w(k, v, u) VALUES('k9', REPEAT('h', %d), 9) ON DUPLICATE KEY "
                         "UPDATE v = REPEAT('i', %d), u = u + 1" % (size, size))
        raise AssertionError(cls)


class MysqlApp:
    """MariaDB: each side is one client session running the whole workload
    (mariadb --force); after each statement a marker row gives ROW_COUNT(),
    LAST_INSERT_ID(), @@warning_count and @@in_transaction, and the client's
    stderr gives each failing statement's error by its line."""

    @staticmethod
    def session(db, stmts):
        # per statement 4 lines: it, the marker (a SELECT without a table
        # keeps the warnings), SHOW WARNINGS, the end marker
        lines = ["SET SESSION time_zone = '+00:00'"]
        for i, s in enumerate(stmts):
            lines.append(s)
            lines.append("SELECT '#R', %d, ROW_COUNT(), LAST_INSERT_ID(), @@warning_count, "
                         "@@in_transaction" % i)
            lines.append("SHOW WARNINGS")
            lines.append("SELECT '#W'")
        body = "".join(line.replace("\n", " ") + ";\n" for line in lines)
        cmd = ["mariadb", "--defaults-file=" + db.cnf, "-N", "-B", "--force", "-D", db.db]
        p = subprocess.run(cmd, input=body.encode(), capture_output=True)
        outcomes = {i: {"rows": [], "error": None, "warning_list": []} for i in range(len(stmts))}
        cur, o = [], None
        for line in p.stdout.decode("utf-8", "surrogateescape").split("\n"):
            if line.startswith("#R\t"):
                _, i, rc, lid, wc, intx = line.split("\t")
                o = outcomes[int(i)]
                o.update(rows=cur, row_count=rc, last_insert_id=lid, warnings=wc, in_txn=intx)
                cur = []
            elif line == "#W":
                o["warning_list"] = [w.replace(db.db, "DB") for w in cur]
                cur = []
            elif line:
                cur.append(line)
        for line in p.stderr.decode(errors="replace").splitlines():
            if line.startswith("ERROR "):
                # "ERROR 1062 (23000) at line N: ..." ; statement i is line 2 + 4i
                head, msg = line.split(": ", 1)
                n = int(head.rsplit(" ", 1)[1])
                if (n - 2) % 4 == 0:
                    outcomes[(n - 2) // 4]["error"] = (head.split(" at line")[0] + ": "
                                                        + msg.replace(db.db, "DB"))
        return outcomes

    @staticmethod
    def replace_documented(case, sql, a, b):
        """README "What the application sees": a REPLACE of a row by an
        identical one counts 1 affected row on a table without a DELETE
        trigger (MariaDB leaves the row) and 2 with one (it deletes and
        inserts) (F45). Only ROW_COUNT() may differ, by at most one a row."""
        if not sql.startswith("REPLACE"):
            return False
        ma, mb = dict(a), dict(b)
        ra, rb = int(ma.pop("row_count")), int(mb.pop("row_count"))
        ok = ma == mb and ra >= 0 and 0 < rb - ra <= sql.count("), (") + 1
        if ok:
            case.counts["documented: ROW_COUNT() of a REPLACE by an identical row"] += 1
        return ok

    @staticmethod
    def packet_limit(src, packet, install_err):
        """The documented limit (`triggers install` names it): a BLOB whose
        hex exceeds max_allowed_packet fails the write, whole, rather than
        ship a hole (FINDINGS F43)."""
        want = "column v can hold values beyond what a row image carries: with max_allowed_packet"
        if want not in install_err:
            raise Divergence("triggers install did not name the packet limit of w.v:\n" + install_err)
        before = src.client("SELECT COUNT(*) FROM cdcpack_changelog").strip()
        out = MysqlApp.session(src, ["INSERT INTO w(k, v) VALUES('kbig', REPEAT('h', %d))"
                                     % (packet // 2 + 1024)])[0]
        if not (out["error"] or "").startswith("ERROR 1301 "):
            raise Divergence("a BLOB over half max_allowed_packet: %r, README says ERROR 1301" % out)
        if src.client("SELECT COUNT(*) FROM w WHERE k = 'kbig'").strip() != "0" or \
                src.client("SELECT COUNT(*) FROM cdcpack_changelog").strip() != before:
            raise Divergence("the refused write left a row or a changelog row behind")

    @staticmethod
    def run_case(case):
        r = case.r
        pref = "cdc_app%d_%d" % (case.a.seed % 10**8, os.getpid())
        plain, src = MysqlDB(pref + "p"), MysqlDB(pref + "s")
        rep = MysqlDB(pref + "r") if r.random() < 0.5 else SqliteDB(os.path.join(case.dir, "replica.db"))
        dbs = [plain, src] + ([rep] if isinstance(rep, MysqlDB) else [])
        for db in dbs:
            db.create()
        try:
            for db in (plain, src):
                # the schema as written (a trigger holds ';'): statements end at //
                db.client("DELIMITER //\n" + MYSQL_SCHEMA.replace("END;\n", "END//\n")
                          .replace(") ENGINE=InnoDB;\n", ") ENGINE=InnoDB//\n")
                          .replace("NEW.id);\n", "NEW.id)//\n"))
            case.write_config(src.url)
            _, err = case.cdc("triggers", "install")
            for t in ("p", "c"):  # README: no trigger for foreign-key cascades
                if "cascade" not in err.lower():
                    raise Divergence("triggers install said nothing of foreign-key cascades:\n" + err)
            if case.a.self_check:  # a trigger the application would notice: must be reported
                src.client("CREATE TRIGGER cdc_self_check BEFORE INSERT ON audit FOR EACH ROW "
                           "SET NEW.what = 'changed'")
            case.cdc("load")
            case.cdc("run")
            classes = case.classes(MYSQL_CLASSES)
            log("MariaDB; classes: %s" % ",".join(classes))
            gen = MysqlWorkload(r, classes)
            gen.packet = int(plain.client("SELECT @@max_allowed_packet").strip())
            stmts = []
            for _ in range(case.a.statements):
                cls, sql = gen.mstatement()
                stmts.append((cls, sql))
            a = MysqlApp.session(plain, [s for _, s in stmts])
            b = MysqlApp.session(src, [s for _, s in stmts])
            for i, (cls, sql) in enumerate(stmts):
                case.counts[cls] += 1
                if a[i]["error"]:
                    case.errors[cls] += 1
                if a[i] != b[i] and not MysqlApp.replace_documented(case, sql, a[i], b[i]):
                    case.differ("statement %d (%s)" % (i + 1, cls), sql, [], a[i], b[i])
                if cls in ("delete_parent",) or (cls in ("update_key",) and sql.startswith("UPDATE p")) \
                        or (cls == "replace" and " p(" in sql):
                    case.blind.add("c")  # cascades reach c unseen (README)
                if cls == "truncate" and not a[i]["error"]:
                    case.blind.add("audit")
            for t in MYSQL_TABLES:
                if dump_sorted(plain, t) != dump_sorted(src, t):
                    raise Divergence("table %s's content differs with the triggers installed" % t)
            if "huge" in classes:
                MysqlApp.packet_limit(src, gen.packet, err)
            case.replica(src, rep, MYSQL_TABLES)
        finally:
            if not case.a.keep:
                for db in dbs:
                    db.drop()


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "bin", "cdcpack"))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=1, help="cases from --seed on (seed, seed+1...)")
    ap.add_argument("--seconds", type=float, default=0, help="run cases until this long has passed")
    ap.add_argument("--statements", type=int, default=200)
    ap.add_argument("--engine", choices=["sqlite", "mysql"], default="sqlite")
    ap.add_argument("--classes", default="default",
                    help="statement classes: default, a comma list, or +c,-c on the default")
    ap.add_argument("--list", action="store_true", help="list the statement classes")
    ap.add_argument("--tmpdir", default=None)
    ap.add_argument("--keep", action="store_true", help="keep a passing case's directory")
    ap.add_argument("--self-check", action="store_true",
                    help="add a trigger the application would notice; the case must report it")
    ap.add_argument("--minimize", action="store_true", help="on a failure, print the fewest statements that fail")
    a = ap.parse_args()
    if a.list:
        for engine, cl in (("sqlite", SQLITE_CLASSES), ("mysql", MYSQL_CLASSES)):
            print("%s: %s (off by default: %s)" % (engine, " ".join(cl), " ".join(sorted(OFF_BY_DEFAULT))))
        return 0
    seed = a.seed if a.seed is not None else int(time.time() * 1000) % 10**9
    log("torture_app: seed %d, engine %s, %d statements a case" % (seed, a.engine, a.statements))
    total = collections.Counter()
    errors = collections.Counter()
    started = time.monotonic()
    n = 0
    while True:
        if a.seconds and time.monotonic() - started >= a.seconds:
            break
        if not a.seconds and n >= a.cases:
            break
        case_args = argparse.Namespace(**vars(a))
        case_args.seed = seed + n
        case = Case(case_args)
        try:
            case.sqlite() if a.engine == "sqlite" else case.mysql()
        except (Divergence, CdcError) as e:
            if a.self_check and isinstance(e, Divergence):
                print("self-check: %s\ndivergence reported as it must be" % e)
                return 0
            print("FAILED seed %d: %s" % (case_args.seed, e))
            print("case directory kept: %s" % case.dir)
            print("rerun: python3 %s --bin %s --engine %s --seed %d --statements %d --classes '%s'"
                  % (os.path.relpath(__file__, ROOT), a.bin, a.engine, case_args.seed, a.statements,
                     a.classes))
            return 1
        total.update(case.counts)
        errors.update(case.errors)
        if not a.keep:
            shutil.rmtree(case.dir, ignore_errors=True)
        n += 1
    if a.self_check:
        print("self-check FAILED: the extra trigger went unnoticed")
        return 1
    log("statement classes (ran, of which failed alike on both sides): " + ", ".join(
        "%s %d/%d" % (c, total[c], errors[c]) for c in sorted(total)))
    log("%d cases from seed %d passed (%d statements)" % (n, seed, sum(total.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
