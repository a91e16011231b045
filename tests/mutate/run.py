#!/usr/bin/env python3
"""The mutation harness (`make mutate`; tests/mutate/README).

Plants each hand-written mutant of tests/mutate/catalogue, one at a time, in
a scratch copy of the tree, builds it (release), runs the tests the mutant
names with the test servers started, and records whether a test failed
(killed), none did (survived), the mutant did not compile (build-broken) or
its original text no longer occurs exactly once in the source (stale: the
source drifted and the mutant must be rewritten, never skipped silently).
Prints every result, the score killed / (killed + survived) and each survivor
with its description.

Environment: MUTATE_ONLY=<globs or substrings of names, space-separated>, MUTATE_JOBS (default 1:
scratch trees and server pairs working side by side), MUTATE_KEEP=1 keeps the
scratch directory, MUTATE_DIR=<dir> puts it there, MUTATE_CHECK=1 only checks
that every mutant still applies (no build, no test).
"""
import fnmatch
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CATALOGUE = os.path.join(ROOT, "tests", "mutate", "catalogue")
SERVICES = ["service-mariadb.sh", "service-s3.sh"]
MIN_TIMEOUT = 90  # seconds; a test's limit is max(this, 4 x its baseline time)
lock = threading.Lock()


def say(msg):
    with lock:
        print(msg, flush=True)


class Mutant:
    def __init__(self, name, line):
        self.name, self.line = name, line
        self.file = self.why = None
        self.tests = []
        self.original = self.replacement = None
        self.result = self.detail = None


def parse_catalogue(path):
    """Blocks of 'mutant NAME', 'file:', 'tests:', 'why:' lines, then the
    original text between '<<<' and '===' and the replacement up to '>>>'
    (both verbatim, without the marker lines). '#' lines between blocks are
    comments."""
    mutants, cur, mode, text = [], None, None, []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        if mode in ("orig", "repl"):
            end = "===" if mode == "orig" else ">>>"
            if line == end:
                if mode == "orig":
                    cur.original, mode, text = "\n".join(text), "repl", []
                else:
                    cur.replacement, mode, text = "\n".join(text), None, []
            else:
                text.append(line)
            continue
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        if key == "mutant":
            cur = Mutant(value.strip(), n)
            mutants.append(cur)
        elif cur is None:
            sys.exit(f"{path}:{n}: expected 'mutant NAME'")
        elif key == "file:":
            cur.file = value.strip()
        elif key == "tests:":
            cur.tests += value.split()
        elif key == "why:":
            cur.why = (cur.why + " " if cur.why else "") + value.strip()
        elif line == "<<<":
            mode, text = "orig", []
        else:
            sys.exit(f"{path}:{n}: unexpected line: {line}")
    if mode:
        sys.exit(f"{path}: the last mutant's text is not closed")
    names = set()
    for m in mutants:
        missing = [k for k in ("file", "why", "original", "replacement") if getattr(m, k) is None]
        if missing or not m.tests:
            sys.exit(f"{path}:{m.line}: mutant {m.name} lacks {', '.join(missing) or 'tests:'}")
        if m.name in names:
            sys.exit(f"{path}:{m.line}: mutant {m.name} appears twice")
        if m.original == m.replacement:
            sys.exit(f"{path}:{m.line}: mutant {m.name} changes nothing")
        names.add(m.name)
    return mutants


def test_path(tree, test):
    """test_NAME: a unit binary; anything else: tests/integration/NAME.sh."""
    if test.startswith("test_"):
        return os.path.join(tree, "build", "release", "tests", test)
    return os.path.join(tree, "tests", "integration", test + ".sh")


class Worker:
    """One scratch tree and one pair of servers."""

    def __init__(self, base, n):
        self.tree = os.path.join(base, f"tree{n}")
        self.run = os.path.join(base, f"run{n}")
        self.logs = os.path.join(base, "logs")
        self.env = None

    def setup(self):
        os.makedirs(self.run)
        files = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], check=True,
                               capture_output=True).stdout
        # The working tree's content, uncommitted edits included.
        subprocess.run(["rsync", "-a", "--from0", "--files-from=-", ROOT + "/", self.tree + "/"],
                       input=files, check=True)
        for svc in SERVICES:
            log = os.path.join(self.run, svc + ".log")
            with open(log, "w") as out:
                rc = subprocess.run(["bash", os.path.join(ROOT, "tests", "lib", svc), "start",
                                     self.run], stdout=out, stderr=subprocess.STDOUT).returncode
            if rc:
                sys.stdout.write(open(log).read())
                raise RuntimeError(f"{svc} start failed")
        dump = subprocess.run(["bash", "-c", 'set -a; for e in "$1"/*.env; do . "$e"; done; env -0',
                               "-", self.run], check=True, capture_output=True).stdout
        self.env = dict(kv.split("=", 1) for kv in dump.decode().split("\0") if "=" in kv)
        self.env.pop("CDCPACK_BIN", None)

    def stop(self):
        for svc in SERVICES:
            subprocess.run(["bash", os.path.join(ROOT, "tests", "lib", svc), "stop", self.run],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def build(self, tests, log):
        targets = ["bin/cdcpack"] + [f"build/release/tests/{t}" for t in tests
                                     if t.startswith("test_")]
        with open(log, "a") as out:
            return subprocess.run(["make", "-C", self.tree, "--no-print-directory", "BUILD=release",
                                   "-j1"] + targets, stdout=out, stderr=subprocess.STDOUT).returncode

    def run_test(self, test, log, limit):
        path = test_path(self.tree, test)
        cmd = [path] if test.startswith("test_") else ["bash", path]
        start = time.time()
        with open(log, "a") as out:
            out.write(f"\n==== {test}\n")
            out.flush()
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                    cwd=self.tree, start_new_session=True)
            try:
                rc = proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                # The test and whatever it started (cdcpack, writers): its own group.
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                rc = "timeout"
        return rc, time.time() - start


def locate(m):
    """The original text's offset in its file, or why it cannot be planted."""
    path = os.path.join(ROOT, m.file)
    if not os.path.exists(path):
        return None, f"{m.file} does not exist"
    src = open(path, encoding="utf-8").read()
    count = src.count(m.original)
    if count != 1:
        return None, f"its original text occurs {count} times in {m.file}"
    return src, None


def baseline(workers, tests):
    """Every test named runs once on the unmutated tree: its time sets its
    limit and its order, and a test that fails here cannot judge a mutant."""
    jobs, times, failing = queue.Queue(), {}, set()
    for t in tests:
        jobs.put(t)

    def work(w):
        while True:
            try:
                t = jobs.get_nowait()
            except queue.Empty:
                return
            rc, secs = w.run_test(t, os.path.join(w.logs, "baseline.log"), 900)
            with lock:
                times[t] = secs
                if rc != 0:
                    failing.add(t)
            say(f"baseline {'ok  ' if rc == 0 else 'FAIL'} {t} ({secs:.0f}s)")

    run_threads(workers, work)
    return times, failing


def run_threads(workers, fn):
    threads = [threading.Thread(target=fn, args=(w,)) for w in workers]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


def mutate(workers, mutants, times, failing):
    jobs = queue.Queue()
    for m in mutants:
        jobs.put(m)

    def work(w):
        while True:
            try:
                m = jobs.get_nowait()
            except queue.Empty:
                return
            try_mutant(w, m, times, failing)

    run_threads(workers, work)


def try_mutant(w, m, times, failing):
    path = os.path.join(w.tree, m.file)
    original = open(path, encoding="utf-8").read()
    log = os.path.join(w.logs, m.name + ".log")
    start = time.time()
    tests = sorted((t for t in m.tests if t not in failing), key=lambda t: times.get(t, 0))
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original.replace(m.original, m.replacement, 1))
        if not tests:
            m.result, m.detail = "untested", "every test it names fails without it"
        elif w.build(tests, log) != 0:
            m.result, m.detail = "build-broken", f"see {log}"
        else:
            m.result, m.detail = "survived", "passed " + " ".join(tests)
            for t in tests:
                rc, secs = w.run_test(t, log, max(MIN_TIMEOUT, 4 * times.get(t, 60)))
                if rc != 0:
                    how = "timed out" if rc == "timeout" else f"exit {rc}"
                    m.result, m.detail = "killed", f"by {t} ({how} after {secs:.0f}s)"
                    break
    finally:
        # A fresh mtime, so the next build recompiles the restored file.
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
    say(f"{m.result:12} {m.name} {m.detail} [{time.time() - start:.0f}s]")


def main():
    started = time.time()
    only = os.environ.get("MUTATE_ONLY", "")
    jobs = max(1, int(os.environ.get("MUTATE_JOBS", "1")))
    mutants = parse_catalogue(CATALOGUE)
    if only:
        words = only.split()
        mutants = [m for m in mutants
                   if any(fnmatch.fnmatch(m.name, w) or w in m.name for w in words)]
    if not mutants:
        sys.exit(f"no mutant matches MUTATE_ONLY={only}")
    runnable = []
    for m in mutants:
        _, why = locate(m)
        bad = [t for t in m.tests if not os.path.exists(test_path(ROOT, t))
               and not (t.startswith("test_") and os.path.exists(
                   os.path.join(ROOT, "tests", "unit", t + ".c")))]
        if why or bad:
            m.result, m.detail = "stale", why or f"no such test: {' '.join(bad)}"
            say(f"{m.result:12} {m.name} {m.detail}")
        else:
            runnable.append(m)
    tests = sorted({t for m in runnable for t in m.tests})
    if os.environ.get("MUTATE_CHECK") == "1":
        print(f"mutate: {len(runnable)} of {len(mutants)} mutants apply, {len(tests)} tests")
        return 1 if len(runnable) < len(mutants) else 0
    base = os.environ.get("MUTATE_DIR") or tempfile.mkdtemp(prefix="cdcpack-mutate.")
    os.makedirs(os.path.join(base, "logs"), exist_ok=True)
    workers = [Worker(base, n) for n in range(min(jobs, max(1, len(runnable))))]
    say(f"mutate: {len(runnable)} mutants, {len(tests)} tests, {len(workers)} job(s), in {base}")
    try:
        for w in workers:
            w.setup()
            if w.build(tests, os.path.join(base, "logs", "build.log")) != 0:
                sys.exit(f"the unmutated tree does not build: {base}/logs/build.log")
        times, failing = baseline(workers, tests)
        mutate(workers, runnable, times, failing)
    finally:
        for w in workers:
            w.stop()
    report(mutants, failing, time.time() - started)
    if os.environ.get("MUTATE_KEEP") != "1" and not os.environ.get("MUTATE_DIR"):
        for w in workers:
            shutil.rmtree(w.tree, ignore_errors=True)
            shutil.rmtree(w.run, ignore_errors=True)
        print(f"logs kept in {base}/logs")
    bad = [m for m in mutants if m.result in ("stale", "build-broken", "untested")]
    return 1 if bad or failing else 0


def report(mutants, failing, secs):
    count = {}
    for m in mutants:
        count[m.result] = count.get(m.result, 0) + 1
    killed, survived = count.get("killed", 0), count.get("survived", 0)
    print()
    for t in sorted(failing):
        print(f"baseline failure: {t} fails on the unmutated tree (it judged no mutant)")
    for m in mutants:
        if m.result in ("stale", "build-broken", "untested"):
            print(f"{m.result}: {m.name} ({m.file}): {m.detail}")
    survivors = [m for m in mutants if m.result == "survived"]
    if survivors:
        print("survivors:")
        for m in survivors:
            print(f"  {m.name} ({m.file}): {m.why}\n    tests run: {' '.join(m.tests)}")
    score = 100.0 * killed / (killed + survived) if killed + survived else 0.0
    print(f"score: {killed}/{killed + survived} killed ({score:.1f}%); "
          + ", ".join(f"{n} {k}" for k, n in sorted(count.items()))
          + f"; {secs / 60:.1f} min")


if __name__ == "__main__":
    sys.exit(main())
