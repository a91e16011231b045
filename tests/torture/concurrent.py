#!/usr/bin/env python3
"""Randomized, seeded concurrency harness: writers commit WHILE runs read,
package and acknowledge (tests/torture/README "Concurrent writers").

One case: a small schema in a source (SQLite or MariaDB), WRITERS writer
threads (short and LONG transactions that take a changelog seq before a run
reads and commit after it acknowledged higher ones, rollbacks, deadlocks,
REPLACE / upserts, key changes, multi-table transactions) for SECONDS
seconds, beside a runner that runs `cdcpack run` back to back, killed at
random moments or at CDCPACK_FAULT points, delayed between capture and
acknowledgement, and (with --every) a `run --every 1` process beside it.
After the writers stop: runs until the changelog is empty, `cdcpack apply`
of the whole chain into fresh replicas, and a compare of source and
replica with each engine's own client (sorted rows), independent of
cdcpack; in trigger and binlog mode every change (each write carries a
unique token) must be in the archives exactly once.

    python3 tests/torture/concurrent.py --seed 7 --source mysql --mode trigger
Exit 0: the case passed; 1: a divergence (the rerun line is printed).
"""
import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torture import MysqlDB, read_archive  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAULTS = ["after-capture", "mid-stage-record", "after-stage", "mid-upload", "after-upload",
          "before-final-copy", "after-temp-delete", "after-publish", "mid-ack-txn", "mid-ack",
          "after-ack"]
# MariaDB errors an application meets without cdcpack: deadlock, lock wait
# timeout, duplicate key. Anything else is a failure of the case.
MYSQL_APP_ERRORS = {"1213", "1205", "1062"}
# A run goes on while batches come out full: with max_rows 7 and writers
# that log faster than it publishes (the range updates log 9 rows a
# statement), an uncapped run never ends until they stop.
CAP = ("--max-batches", "20")
# the on/off flags a rerun line repeats
FLAGS = ("no_delays", "reconcile", "partial_loads", "update_ignore")
TABLES = {
    "t1": ("id", ["id", "v", "s"]),
    "t2": ("a, b", ["a", "b", "v"]),
    "t3": ("k", ["k", "n", "v"]),
}


def log(msg):
    print("[%7.2f] %s" % (time.time() - T0, msg), flush=True)


T0 = time.time()


class Failed(Exception):
    pass


class Case:
    def __init__(self, a):
        self.a = a
        self.r = random.Random(a.seed)
        self.dir = tempfile.mkdtemp(prefix="cdcpack-conc-%d-" % a.seed, dir=a.tmpdir)
        self.bucket = os.path.join(self.dir, "bucket")
        self.token = 0
        self.tok_lock = threading.Lock()
        self.stop = threading.Event()
        self.stats = {"commits": 0, "rollbacks": 0, "app_errors": 0, "deadlocks": 0,
                      "lockwaits": 0, "dups": 0, "busy": 0, "runs": {}, "max_wait_ms": 0,
                      "probe_max_ms": 0, "probe_waits": [], "late_seqs": 0}
        self.failures = []
        self.high_seq = 0
        self.mdb = []

    # ---------------------------------------------------------------- setup
    def next_token(self):
        with self.tok_lock:
            self.token += 1
            return self.token

    def setup(self):
        a = self.a
        if a.source == "mysql":
            self.src = MysqlDB("cdc_cc%d_%d" % (a.seed % 100000, os.getpid() % 10000))
            self.mdb.append(self.src)
            self.src.create()
            self.src.client("CREATE TABLE t1 (id int PRIMARY KEY, v bigint, s varchar(40));"
                            "CREATE TABLE t2 (a int, b int, v bigint, PRIMARY KEY (a, b));"
                            "CREATE TABLE t3 (k varchar(20) PRIMARY KEY, n int, v bigint);")
            if a.mode == "binlog":
                self.src.binlog_user()
            url = self.src.url
        else:
            self.path = os.path.join(self.dir, "src.db")
            c = sqlite3.connect(self.path, isolation_level=None)
            c.execute("PRAGMA journal_mode=%s" % a.journal)
            c.executescript("CREATE TABLE t1 (id INTEGER PRIMARY KEY, v INTEGER, s TEXT);"
                            "CREATE TABLE t2 (a INTEGER, b INTEGER, v INTEGER, "
                            "PRIMARY KEY (a, b));"
                            "CREATE TABLE t3 (k TEXT PRIMARY KEY, n INTEGER, v INTEGER);")
            c.close()
            url = "sqlite:" + self.path
        self.conf = os.path.join(self.dir, "cdcpack.conf")
        self.max_rows = self.r.choice([0, 0, 7, 50, 400])
        if a.max_rows is not None:
            self.max_rows = a.max_rows
        self.reconcile = a.reconcile and a.mode != "snapshot"
        capture = "mode = %s\n%s" % (a.mode, "reconcile = manual\n" if self.reconcile else "")
        batch = "format = jsonl\n" + ("max_rows = %d\n" % self.max_rows if self.max_rows else "")
        with open(self.conf, "w") as f:
            f.write("[source]\nurl = %s\nname = src\n\n[capture]\n%s\n[batch]\n%s\n"
                    "[state]\ndir = %s\n\n[target]\nurl = file:%s\n"
                    % (url, capture, batch, os.path.join(self.dir, "state"), self.bucket))
        # 40 rows a table, each value a token
        seed_stmts = []
        for i in range(1, 41):
            seed_stmts.append("INSERT INTO t1 VALUES (%d, %d, 's%d')" % (i, self.next_token(), i))
            seed_stmts.append("INSERT INTO t2 VALUES (%d, %d, %d)" % (i % 7, i, self.next_token()))
            seed_stmts.append("INSERT INTO t3 VALUES ('k%d', %d, %d)" % (i, i, self.next_token()))
        self.exec_plain(seed_stmts)
        if a.mode == "trigger":
            self.cdc("triggers", "install")

    def exec_plain(self, stmts):
        if self.a.source == "mysql":
            self.src.client("".join(s + ";\n" for s in stmts))
        else:
            c = sqlite3.connect(self.path, isolation_level=None, timeout=60)
            c.execute("BEGIN")
            for s in stmts:
                c.execute(s)
            c.execute("COMMIT")
            c.close()

    # ---------------------------------------------------------------- cdcpack
    def env(self, extra=None):
        e = dict(os.environ)
        e.pop("CDCPACK_FAULT", None)
        pw = os.environ.get("CDCPACK_TEST_MYSQL_PASSWORD", "")
        e["CDCPACK_SOURCE_PASSWORD"] = pw
        e["CDCPACK_REPLICA_PASSWORD"] = pw
        if extra:
            e.update(extra)
        return e

    def cdc(self, *args, env=None, expect=(0,), timeout=600):
        p = subprocess.run([self.a.bin, "-c", self.conf] + list(args), env=self.env(env),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
        if rc not in expect:
            raise Failed("cdcpack %s (env %s) exited %d\n--- stderr\n%s" % (
                " ".join(args), env, rc, p.stderr.decode(errors="replace")[-3000:]))
        return rc, p.stderr.decode(errors="replace")

    # ---------------------------------------------------------------- writers
    def txn(self, w):
        """One random transaction: (statements, sleep inside, rollback)."""
        r = w
        n = r.randint(1, 5)
        stmts = []
        for _ in range(n):
            stmts.append(self.stmt(r))
        sleep = 0.0
        if r.random() < self.a.long_p:
            sleep = r.uniform(0.2, 2.5)
        rollback = r.random() < 0.1
        split = r.randint(0, len(stmts))
        return stmts[:split], sleep, stmts[split:], rollback

    def ignore_kw(self):
        """A key change onto a taken key: SQLite skips it (OR IGNORE); on
        MariaDB UPDATE IGNORE only with --update-ignore (FINDINGS.md F12:
        MariaDB fires AFTER UPDATE triggers for the rows it skips), else a
        plain UPDATE whose duplicate key ends the transaction."""
        if self.a.source == "sqlite":
            return "OR IGNORE"
        return "IGNORE" if self.a.update_ignore else ""

    def stmt(self, r):
        my = self.a.source == "mysql"
        t = self.next_token()
        k = r.randint(1, 60)
        kind = r.choice(["ins", "ins", "upd", "upd", "del", "keychg", "replace", "upsert",
                         "t2ins", "t2upd", "t2del", "t2keychg", "t3ins", "t3upd", "t3keychg",
                         "t3del", "multi"])
        if kind == "ins":
            if my:  # a duplicate key ends the transaction (its client stops): sometimes
                return "INSERT %s INTO t1 VALUES (%d, %d, 'w%d')" % (
                    "IGNORE" if r.random() < 0.8 else "", k, t, t)
            return \
                "INSERT OR IGNORE INTO t1 VALUES (%d, %d, 'w%d')" % (k, t, t)
        if kind == "upd":
            return "UPDATE t1 SET v = %d, s = 'u%d' WHERE id = %d" % (t, t, k)
        if kind == "del":
            return "DELETE FROM t1 WHERE id = %d" % k
        if kind == "keychg":
            d = r.choice([100, -100, 1])
            return "UPDATE %s t1 SET id = id + %d, v = %d WHERE id = %d" % (
                self.ignore_kw(), d, t, k)
        if kind == "replace":
            return ("REPLACE INTO t1 VALUES (%d, %d, 'r%d')" if my else
                    "INSERT OR REPLACE INTO t1 VALUES (%d, %d, 'r%d')") % (k, t, t)
        if kind == "upsert":
            return ("INSERT INTO t1 VALUES (%d, %d, 'p%d') ON DUPLICATE KEY UPDATE v = %d" if my
                    else "INSERT INTO t1 VALUES (%d, %d, 'p%d') ON CONFLICT(id) DO UPDATE SET "
                    "v = %d") % (k, t, t, t)
        if kind == "t2ins":
            return ("INSERT %s INTO t2 VALUES (%d, %d, %d)" %
                    ("IGNORE" if my else "OR IGNORE", k % 7, k, t))
        if kind == "t2upd":
            return "UPDATE t2 SET v = %d WHERE a = %d" % (t, k % 7)
        if kind == "t2del":
            return "DELETE FROM t2 WHERE a = %d AND b = %d" % (k % 7, k)
        if kind == "t2keychg":
            return "UPDATE %s t2 SET b = b + 1000, v = %d WHERE a = %d AND b = %d" % (
                self.ignore_kw(), t, k % 7, k)
        if kind == "t3ins":
            return ("INSERT INTO t3 VALUES ('k%d', %d, %d) ON DUPLICATE KEY UPDATE v = %d" if my
                    else "INSERT INTO t3 VALUES ('k%d', %d, %d) ON CONFLICT(k) DO UPDATE SET "
                    "v = %d") % (k, k, t, t)
        if kind == "t3upd":
            return "UPDATE t3 SET n = n + 1, v = %d WHERE k = 'k%d'" % (t, k)
        if kind == "t3keychg":
            if my:
                return "UPDATE %s t3 SET k = CONCAT(k, 'x'), v = %d WHERE k = 'k%d'" % (
                    self.ignore_kw(), t, k)
            return "UPDATE OR IGNORE t3 SET k = k || 'x', v = %d WHERE k = 'k%d'" % (t, k)
        if kind == "t3del":
            return "DELETE FROM t3 WHERE k LIKE 'k%d%%'" % k
        # multi: a range update touching many rows (deadlock-prone)
        lo = r.randint(1, 50)
        return "UPDATE t1 SET v = %d + id * 0 WHERE id BETWEEN %d AND %d" % (t, lo, lo + 8) \
            if r.random() < 0.5 else "UPDATE t1 SET v = %d WHERE id BETWEEN %d AND %d" % (
                t, lo, lo + 8)

    def writer(self, i):
        r = random.Random(self.a.seed * 1000 + i)
        try:
            while not self.stop.is_set():
                pre, sleep, post, rollback = self.txn(r)
                if self.a.source == "mysql":
                    self.mysql_txn(pre, sleep, post, rollback)
                else:
                    self.sqlite_txn(pre, sleep, post, rollback)
                time.sleep(r.uniform(0, 0.05))
        except Exception as e:  # noqa: BLE001 - reported as the case's failure
            self.failures.append("writer %d: %s" % (i, e))

    def mysql_txn(self, pre, sleep, post, rollback):
        body = "SET autocommit=0;\nSTART TRANSACTION;\n"
        body += "".join(s + ";\n" for s in pre)
        if sleep:
            body += "DO SLEEP(%.3f);\n" % sleep
        body += "".join(s + ";\n" for s in post)
        body += "ROLLBACK;\n" if rollback else "COMMIT;\n"
        cmd = ["mariadb", "--defaults-file=" + self.src.cnf, "-N", "-B", "-D", self.src.db]
        p = subprocess.run(cmd, input=body.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if p.returncode == 0:
            self.stats["rollbacks" if rollback else "commits"] += 1
            return
        err = p.stderr.decode(errors="replace").strip()
        lines = [x for x in err.splitlines() if x.startswith("ERROR ")]
        code = lines[0].split()[1] if lines else "?"
        if code not in MYSQL_APP_ERRORS:
            self.stats["app_errors"] += 1
            raise Failed("an application write failed: %s" % err)
        self.stats[{"1213": "deadlocks", "1205": "lockwaits", "1062": "dups"}[code]] += 1

    def probe(self):
        """SQLite: how long a one-row write waits for the write lock (the
        longest wait is reported; with --long-p 0 --no-delays it is what
        runs and short writes hold it)."""
        c = sqlite3.connect(self.path, isolation_level=None, timeout=self.a.busy / 1000.0)
        try:
            while not self.stop.is_set():
                t = time.time()
                c.execute("BEGIN IMMEDIATE")
                c.execute("COMMIT")
                ms = int((time.time() - t) * 1000)
                if ms > self.stats["probe_max_ms"]:
                    self.stats["probe_max_ms"] = ms
                self.stats["probe_waits"].append(ms)
                time.sleep(0.02)
        except Exception as e:  # noqa: BLE001
            self.failures.append("probe: %s" % e)
        finally:
            c.close()

    def sqlite_txn(self, pre, sleep, post, rollback):
        c = sqlite3.connect(self.path, isolation_level=None, timeout=self.a.busy / 1000.0)
        try:
            t = time.time()
            try:
                c.execute("BEGIN IMMEDIATE" if random.random() < 0.5 else "BEGIN")
                for s in pre:
                    c.execute(s)
                if sleep:
                    time.sleep(min(sleep, 1.0))  # holds the write lock: keep it short
                for s in post:
                    c.execute(s)
                c.execute("ROLLBACK" if rollback else "COMMIT")
            except sqlite3.OperationalError as e:
                if "locked" in str(e) or "busy" in str(e):
                    self.stats["busy"] += 1
                    self.failures.append("an application write got SQLITE_BUSY after %d ms: %s"
                                         % ((time.time() - t) * 1000, e))
                    return
                raise
            wait = (time.time() - t - (min(sleep, 1.0) if sleep else 0)) * 1000
            self.stats["max_wait_ms"] = max(self.stats["max_wait_ms"], int(wait))
            self.stats["rollbacks" if rollback else "commits"] += 1
        finally:
            c.close()

    # ---------------------------------------------------------------- runner
    def record(self, what, rc):
        k = "%s:%d" % (what, rc)
        self.stats["runs"][k] = self.stats["runs"].get(k, 0) + 1

    def one_run(self):
        r = self.r
        x = r.random()
        if self.a.partial_loads and r.random() < 0.25:
            tables = r.sample(sorted(TABLES), r.randint(1, 2))
            rc, err = self.cdc("load", *tables, expect=(0, 75))
            self.record("load", rc)
        elif self.reconcile and r.random() < 0.15:
            env = {"CDCPACK_FAULT": "delay:after-capture:%d" % r.randint(0, 1000)}
            if r.random() < 0.3:
                env = {"CDCPACK_FAULT": "crash:" + r.choice(FAULTS)}
            rc, err = self.cdc("reconcile", env=env, expect=(0, 75, 137))
            self.record("reconcile", rc)
        elif x < 0.35:
            rc, err = self.cdc("run", *CAP, expect=(0, 75))
            self.record("run", rc)
        elif x < 0.55:
            point = r.choice(FAULTS)
            rc, err = self.cdc("run", *CAP, env={"CDCPACK_FAULT": "crash:" + point},
                               expect=(0, 75, 137))
            self.record("crash:" + point, rc)
        elif x < 0.8 and not self.a.no_delays:
            point = r.choice(["after-capture", "after-stage", "after-publish", "mid-ack-txn",
                              "mid-ack"])
            ms = r.randint(100, 1500)
            # the delay holds every batch: fewer of them
            rc, err = self.cdc("run", "--max-batches", "3",
                               env={"CDCPACK_FAULT": "delay:%s:%d" % (point, ms)}, expect=(0, 75))
            self.record("delay:" + point, rc)
        elif x < 0.8:
            rc, err = self.cdc("run", *CAP, expect=(0, 75))
            self.record("run", rc)
        else:
            delay = r.randint(0, 600) / 1000.0
            p = subprocess.Popen([self.a.bin, "-c", self.conf, "run"], env=self.env(),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(delay)
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
            _, err = p.communicate()
            rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
            if rc not in (0, 75, 137):
                raise Failed("run killed after %.3f s exited %d: %s" % (
                    delay, rc, err.decode(errors="replace")[-2000:]))
            self.record("sigkill", rc)

    def start_every(self):
        self.every_log = open(os.path.join(self.dir, "every.log"), "wb")
        return subprocess.Popen([self.a.bin, "-c", self.conf, "run", "--every", "1"],
                                env=self.env(), stdout=self.every_log, stderr=self.every_log)

    # ---------------------------------------------------------------- checks
    def drain(self):
        for _ in range(20):
            rc, err = self.cdc("run", "--max-batches", "100000", expect=(0, 75))
            if rc == 0 and self.changelog_count() == 0:
                # one more: nothing must be left behind a full batch
                self.cdc("run", "--max-batches", "100000")
                if self.changelog_count() == 0:
                    return
            time.sleep(0.3)
        raise Failed("the changelog is not empty after 20 runs: %d rows"
                     % self.changelog_count())

    def changelog_count(self):
        if self.a.mode != "trigger":
            return 0
        if self.a.source == "mysql":
            return int(self.src.client("SELECT COUNT(*) FROM cdcpack_changelog").strip())
        c = sqlite3.connect(self.path, timeout=60)
        try:
            # op '-' is the marker that holds the highest seq (docs/design.md
            # §4 step 7), not a change waiting to ship
            return c.execute("SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'"
                             ).fetchone()[0]
        finally:
            c.close()

    def dump(self, kind, where):
        """{table: sorted rows as text}, read with the engine's own client."""
        out = {}
        for t, (key, cols) in TABLES.items():
            sel = "SELECT %s FROM %s ORDER BY %s" % (", ".join(cols), t, key)
            if kind == "mysql":
                txt = where.client(sel)
                out[t] = sorted(line for line in txt.split("\n") if line)
            else:
                txt = subprocess.run(["sqlite3", "-separator", "\t", "-nullvalue", "NULL",
                                      where, sel], stdout=subprocess.PIPE, check=True).stdout
                out[t] = sorted(line for line in txt.decode().split("\n") if line)
        return out

    def compare(self):
        sdump = self.dump(self.a.source, self.src if self.a.source == "mysql" else self.path)
        problems = []
        for rep in self.a.replica.split(","):
            if rep == "mysql":
                db = MysqlDB(self.src.db + "r" if self.a.source == "mysql" else
                             "cdc_cc%d_%dr" % (self.a.seed % 100000, os.getpid() % 10000))
                self.mdb.append(db)
                db.create()
                self.cdc("apply", "--to", db.url)
                rdump = self.dump("mysql", db)
            else:
                path = os.path.join(self.dir, "replica.db")
                self.cdc("apply", "--to", "sqlite:" + path)
                rdump = self.dump("sqlite", path)
            if self.a.self_check:  # the harness must see a replica that lost a row
                gone = rdump["t1"].pop(0) if rdump["t1"] else None
                log("self-check: dropped replica row %r from the compare" % gone)
            for t in TABLES:
                a, b = set(sdump[t]), set(rdump[t])
                if a != b:
                    problems.append("%s replica, table %s: source %d rows, replica %d; only in "
                                    "source %s; only in replica %s" % (
                                        rep, t, len(sdump[t]), len(rdump[t]),
                                        sorted(a - b)[:6], sorted(b - a)[:6]))
        return problems

    def check_archives(self):
        """Chain numbering, and (trigger, binlog) each change once: every
        write carries a unique token, so a change (op + images) seen twice
        was shipped twice; in trigger mode each seq once too."""
        arch = []
        for dp, _, fs in os.walk(os.path.join(self.bucket, "cdc")):
            arch += [os.path.join(dp, f) for f in fs]
        arch.sort(key=os.path.basename)
        problems, seen, seqs = [], {}, {}
        for i, path in enumerate(arch):
            members = read_archive(path)
            m = json.loads(members["manifest.json"])
            b = m["batch"]
            if b["seq"] != i + 1:
                problems.append("position %d holds batch %s" % (i + 1, b["id"]))
            if b["kind"] == "reconcile":
                # nothing escapes capture here: a repair is a change doubled or reverted
                for tb in m["tables"]:
                    if tb["rows"]:
                        problems.append("reconcile batch %s repairs %d row(s) of %s: %s" % (
                            b["id"], tb["rows"], tb["name"],
                            members[tb["file"]][:300].decode(errors="replace")))
            if b["kind"] != "cdc" or self.a.mode == "snapshot":
                continue
            batch_high = self.high_seq
            for tb in m["tables"]:
                for line in members[tb["file"]].splitlines():
                    ch = json.loads(line)
                    if self.a.mode == "trigger":
                        s = ch.get("seq")
                        if s in seqs:
                            problems.append("seq %s shipped twice (%s, %s)" % (s, seqs[s], b["id"]))
                        seqs[s] = b["id"]
                        if s < self.high_seq:
                            self.stats["late_seqs"] += 1  # a late commit: the case we hunt
                        batch_high = max(batch_high, s)
                    ch.pop("seq", None)
                    ch.pop("ts", None)
                    sig = tb["name"] + json.dumps(ch, sort_keys=True)
                    if sig in seen:
                        problems.append("change %s shipped twice (%s, %s)" % (sig[:200], seen[sig],
                                                                             b["id"]))
                    seen[sig] = b["id"]
            self.high_seq = batch_high
        return len(arch), problems

    # ---------------------------------------------------------------- case
    def play(self):
        a = self.a
        log("case seed=%d source=%s mode=%s journal=%s writers=%d seconds=%.1f every=%s "
            "max_rows=%d dir=%s" % (a.seed, a.source, a.mode, a.journal, a.writers, a.seconds,
                                    a.every, self.max_rows, self.dir))
        threads = [threading.Thread(target=self.writer, args=(i,)) for i in range(a.writers)]
        if a.source == "sqlite":
            threads.append(threading.Thread(target=self.probe))
        early = self.r.random() < 0.5  # writers already busy during the load
        if early:
            for th in threads:
                th.start()
            time.sleep(0.3)
        if a.mode == "trigger":
            self.cdc("load", env={"CDCPACK_FAULT": "delay:mid-load:%d" % self.r.randint(0, 800)})
        else:
            self.cdc("run")  # snapshot/binlog: the first run is the load
        if not early:
            for th in threads:
                th.start()
        every = self.start_every() if a.every else None
        end = time.time() + a.seconds
        try:
            while time.time() < end and not self.failures:
                self.one_run()
        finally:
            self.stop.set()
            for th in threads:
                th.join()
            if every:
                every.send_signal(signal.SIGTERM)
                try:
                    every.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    every.kill()
                    every.wait()
        if self.failures:
            raise Failed("\n".join(self.failures[:5]))
        self.drain()
        problems = self.compare()
        n, more = self.check_archives()
        problems += more
        log("%d batches" % n)
        waits = sorted(self.stats.pop("probe_waits"))
        if waits:
            self.stats["probe_p50_ms"] = waits[len(waits) // 2]
            self.stats["probe_p99_ms"] = waits[len(waits) * 99 // 100]
        log("stats %s" % json.dumps(self.stats, sort_keys=True))
        if problems:
            raise Failed("\n  ".join(problems[:20]))

    def cleanup(self, ok):
        if ok and not self.a.keep:
            for db in self.mdb:
                db.drop()
            shutil.rmtree(self.dir, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=int(time.time()) % 1000000)
    p.add_argument("--source", choices=["sqlite", "mysql"], default="sqlite")
    p.add_argument("--replica", default=None, help="sqlite, mysql or sqlite,mysql")
    p.add_argument("--mode", choices=["trigger", "snapshot", "binlog"], default="trigger")
    p.add_argument("--journal", choices=["wal", "delete"], default="wal")
    p.add_argument("--writers", type=int, default=3)
    p.add_argument("--seconds", type=float, default=8)
    p.add_argument("--long-p", type=float, default=0.2, help="share of long transactions")
    p.add_argument("--busy", type=int, default=30000, help="SQLite writers' busy_timeout, ms")
    p.add_argument("--no-delays", action="store_true",
                   help="no delay: fault points (they hold locks on purpose): for measuring")
    p.add_argument("--every", action="store_true", help="a `run --every 1` beside the runs")
    p.add_argument("--reconcile", action="store_true",
                   help="reconcile = manual, `cdcpack reconcile` among the runs (trigger, binlog)")
    p.add_argument("--partial-loads", action="store_true",
                   help="`cdcpack load T...` of some tables among the runs")
    p.add_argument("--update-ignore", action="store_true",
                   help="MariaDB key changes as UPDATE IGNORE (FINDINGS.md F12)")
    p.add_argument("--self-check", action="store_true",
                   help="drop one replica row before the compare: exit 0 only if it is reported")
    p.add_argument("--max-rows", type=int, default=None,
                   help="[batch] max_rows (default: one of 0, 7, 50, 400 by the seed)")
    p.add_argument("--tmpdir", default=None)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--bin", default=os.environ.get("CDCPACK_BIN",
                                                   os.path.join(ROOT, "bin", "cdcpack")))
    a = p.parse_args()
    if a.replica is None:
        a.replica = "sqlite,mysql" if a.source == "mysql" else "sqlite"
    if a.mode == "binlog" and a.source != "mysql":
        p.error("--mode binlog needs --source mysql")
    case = Case(a)
    ok = False
    reported = [""]
    try:
        case.setup()
        case.play()
        ok = True
    except Failed as e:
        reported[0] = str(e)
        print("FAILED: %s" % e, flush=True)
    finally:
        case.stop.set()
        case.cleanup(ok)
    rerun = "python3 tests/torture/concurrent.py --seed %d --source %s --mode %s --journal %s " \
            "--writers %d --seconds %g --long-p %g%s" % (
                a.seed, a.source, a.mode, a.journal, a.writers, a.seconds, a.long_p,
                " --every" if a.every else "", ) + "".join(
                    " --" + f.replace("_", "-") for f in FLAGS if getattr(a, f))
    if a.max_rows is not None:
        rerun += " --max-rows %d" % a.max_rows
    if a.self_check:
        rerun += " --self-check"
        ok = not ok and "only in source ['" in reported[0] and "only in replica []" in reported[0]
        print("self-check: %s" % ("divergence reported as it must be" if ok else
                                  "the dropped row was NOT reported"), flush=True)
        case.cleanup(True)
    print("%s: %s" % ("ok" if ok else "rerun", rerun), flush=True)
    if not ok:
        print("case dir kept: %s" % case.dir)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
