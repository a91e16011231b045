"""Binlog-mode DDL op classes of the torture harness: statements a user may
run on a MariaDB source (README, Binlog mode: "DDL is followed") that the
reader must follow -- RENAME TABLES swaps, names in double quotes under
ANSI_QUOTES, partition maintenance, TRUNCATE, DROP + CREATE of a name,
column type changes, CREATE TABLE ... SELECT / LIKE, multi-table UPDATE and
DELETE, statements in executable comments, LOAD DATA, and a table of the
same name in another database.

Each op runs its statements between runs and returns what it did (None:
nothing fitted). README: a statement that gives names to other tables, or
moves rows with no row event, ends the run that reads it ("gave its name to
another table"), the next run loads; so after a statement that may do that
the op runs once, and the step's closing run is the next one (as the
harness does for `renametable`, FINDINGS.md F10).
"""

import copy
import os

BINLOG_DDL_OPS = {
    "renameswap": "binlog: RENAME TABLE(S) a TO t, b TO a, t TO b (two tables swap names)",
    "ansiquotes": "binlog: TRUNCATE, RENAME, ALTER, DML with names in double quotes under "
    "sql_mode ANSI_QUOTES",
    "partition": "binlog: RANGE/HASH partitioned tables with TRUNCATE/DROP/EXCHANGE/"
    "REORGANIZE/COALESCE/ADD PARTITION",
    "truncate": "binlog: TRUNCATE [TABLE] [db.]t [WAIT n | NOWAIT]",
    "dropcreate": "binlog: DROP TABLE t + CREATE TABLE t (another schema), or CREATE OR REPLACE",
    "altertype": "binlog: ALTER TABLE MODIFY a column's type, ALGORITHM=INPLACE/COPY/INSTANT",
    "createselect": "binlog: CREATE TABLE n (PRIMARY KEY ...) SELECT * FROM t",
    "createlike": "binlog: CREATE TABLE n LIKE t + INSERT ... SELECT",
    "multitable": "binlog: multi-table UPDATE and DELETE",
    "versioncomment": "binlog: statements inside /*!...*/ executable comments",
    "loaddata": "binlog: LOAD DATA LOCAL INFILE (plain, REPLACE, IGNORE)",
    "otherschema": "binlog: writes and DDL on tables of the same name in another database",
}

# MODIFY COLUMN type changes every stored value survives (widening)
WIDEN = {
    "tinyint": ["smallint", "int", "bigint"], "smallint": ["int", "bigint"], "int": ["bigint"],
    "float": ["double"], "varchar(40)": ["varchar(80)", "text", "mediumtext"],
    "text": ["mediumtext"], "char(5)": ["varchar(40)"], "varbinary(30)": ["varbinary(60)", "blob"],
    "date": ["datetime(6)"], "year": ["smallint"],
    "enum('a','b c','x')": ["enum('a','b c','x','w')"], "set('x','y','z')": ["set('x','y','z','w')"],
}


def mi(name):
    return "`" + name.replace("`", "``") + "`"


def aq(name):
    """A name in double quotes (sql_mode ANSI_QUOTES)."""
    return '"' + name.replace('"', '""') + '"'


ANSI = "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES');\n"


class BinlogDDL:
    def __init__(self, case):
        self.c = case
        self.r = case.r
        self.other = None  # the other database (otherschema), once made
        self.n = 0

    # ------------------------------------------------------------ helpers

    def fresh(self, stem):
        self.n += 1
        name = "%s%d" % (stem, self.n)
        while name in self.c.tables:
            self.n += 1
            name = "%s%d" % (stem, self.n)
        return name

    def live(self):
        c = self.c
        return [t for t in c.live_tables() if t.name not in c.excluded]

    def sql(self, text, comments=False):
        self.c.src.client(text, comments=comments)

    def add_table(self, t):
        self.c.tables[t.name] = t
        self.c.write_config()

    def clone(self, t, name):
        n = copy.deepcopy(t)
        n.name = name
        return n

    def renamed(self, pairs):
        """pairs [(old, new)] done at once (a swap too): the model follows."""
        c = self.c
        moved = {old: c.tables.pop(old) for old, _ in pairs if old in c.tables}
        for old, new in pairs:
            if old in moved:
                t = moved.pop(old)
                t.name = new
                c.tables[new] = t
        c.write_config()

    def replaced(self, desc):
        """README: the run that reads a statement giving names away ends
        there, warning "gave its name to another table"; the next run (the
        step's closing one) loads. A run that read changes logged before
        the statement ends before it, so the one after reads it (seed
        1796666128: a swap after writes to both tables needed two runs
        before the loads): run until the warning, at most three times (a
        statement naming no captured table gives none)."""
        for n in range(1, 4):
            _, out, err = self.c.cdc("run", expect=(0, 75))
            if "gave its name to another table" in err:
                break
        return desc + " (+ %d run(s), to the one that reads it)" % n

    def lit(self, t, col):
        return self.c.mysql_literal(t.coltype(col))

    def nonkey(self, t):
        return [col for col, _ in t.cols if col not in t.key]

    def key_where(self, t, key, qual=""):
        q = mi(t.name) + "." if qual else ""
        return " AND ".join("%s%s = %s" % (q, mi(k), self.c.mysql_key_literal(t, k, v))
                            for k, v in zip(t.key, key))

    # ------------------------------------------------------------ dispatch

    def operation(self, op):
        fn = getattr(self, "op_" + op)
        return fn()

    def op_renameswap(self):
        live = self.live()
        if len(live) < 2:
            return None
        a, b = self.r.sample(live, 2)
        tmp = self.fresh("swap_tmp")
        word = self.r.choice(["TABLE", "TABLES"])
        self.sql("RENAME %s %s TO %s, %s TO %s, %s TO %s" % (
            word, mi(a.name), mi(tmp), mi(b.name), mi(a.name), mi(tmp), mi(b.name)))
        an, bn = a.name, b.name
        self.renamed([(an, bn), (bn, an)])
        return self.replaced("RENAME %s %s <-> %s" % (word, an, bn))

    def op_ansiquotes(self):
        live = self.live()
        if not live:
            return None
        t = self.r.choice(live)
        what = self.r.choice(["truncate", "rename", "swap", "addcol", "dml", "droppart"])
        if what == "swap" and len(live) >= 2:
            a, b = self.r.sample(live, 2)
            tmp = self.fresh("q_tmp")
            self.sql(ANSI + "RENAME TABLE %s TO %s, %s TO %s, %s TO %s" % (
                aq(a.name), aq(tmp), aq(b.name), aq(a.name), aq(tmp), aq(b.name)))
            an, bn = a.name, b.name
            self.renamed([(an, bn), (bn, an)])
            return self.replaced('ANSI_QUOTES: RENAME TABLE "%s" <-> "%s"' % (an, bn))
        if what == "rename":
            new = self.fresh(t.name[:50] + "_q")
            self.sql(ANSI + "ALTER TABLE %s RENAME TO %s" % (aq(t.name), aq(new)))
            old = t.name
            self.renamed([(old, new)])
            return self.replaced('ANSI_QUOTES: ALTER TABLE "%s" RENAME TO "%s"' % (old, new))
        if what == "addcol":
            cn = self.fresh("aq")
            self.sql(ANSI + 'ALTER TABLE %s ADD COLUMN %s int NULL' % (aq(t.name), aq(cn)))
            t.cols.append((cn, "int"))
            return 'ANSI_QUOTES: ALTER TABLE "%s" ADD COLUMN "%s"' % (t.name, cn)
        if what == "dml" and self.nonkey(t):
            col = self.r.choice(self.nonkey(t))
            keys = self.c.key_rows(t)
            stmts = []
            for key in self.r.sample(keys, min(len(keys), 3)):
                w = " AND ".join("%s = %s" % (aq(k), self.c.mysql_key_literal(t, k, v))
                                 for k, v in zip(t.key, key))
                if self.r.random() < 0.3:
                    stmts.append("DELETE FROM %s WHERE %s" % (aq(t.name), w))
                else:
                    stmts.append("UPDATE %s SET %s = %s WHERE %s" % (
                        aq(t.name), aq(col), self.lit(t, col), w))
            self.sql(ANSI + "".join(s + ";\n" for s in stmts))
            return 'ANSI_QUOTES: %d UPDATE/DELETE on "%s"' % (len(stmts), t.name)
        if what == "droppart":
            parted = [x for x in live if getattr(x, "part", None)]
            if parted:
                p = self.r.choice(parted)
                name = self.r.choice(p.part["names"])
                self.sql(ANSI + 'ALTER TABLE %s TRUNCATE PARTITION %s' % (aq(p.name), aq(name)))
                return self.replaced('ANSI_QUOTES: ALTER TABLE "%s" TRUNCATE PARTITION "%s"'
                                     % (p.name, name))
        self.sql(ANSI + "TRUNCATE TABLE %s" % aq(t.name))
        return 'ANSI_QUOTES: TRUNCATE TABLE "%s"' % t.name

    # ------------------------------------------------------------ partitions

    def new_partitioned(self):
        c = self.c
        from_types = ["int", "varchar(40)", "double", "blob", "datetime(6)", "text"]
        name = self.fresh(self.r.choice(["part", "Part ", "pa-rt"]))
        t = c.make_table(name)
        t.key, t.key_kind = ["k1"], {"k1": "int"}
        t.cols = [("k1", "int")]
        for i in range(self.r.randint(1, 3)):
            t.cols.append(("c%d" % i, self.r.choice(from_types)))
        defs = ["`k1` int NOT NULL"] + ["%s %s NULL" % (mi(n), ty) for n, ty in t.cols[1:]]
        if self.r.random() < 0.6:
            bounds = [0, 100, 250]
            names = ["p0", "p1", "p2", "pmax"]
            spec = "PARTITION BY RANGE (`k1`) (%s, PARTITION pmax VALUES LESS THAN MAXVALUE)" % (
                ", ".join("PARTITION p%d VALUES LESS THAN (%d)" % (i, b)
                          for i, b in enumerate(bounds)))
            t.part = {"kind": "range", "names": names, "bounds": bounds + [None], "next": 3}
        else:
            n = self.r.randint(2, 4)
            kind = self.r.choice(["HASH", "KEY"])
            spec = "PARTITION BY %s (`k1`) PARTITIONS %d" % (kind, n)
            t.part = {"kind": "hash", "n": n, "names": ["p%d" % i for i in range(n)]}
        sql = "CREATE TABLE %s (%s, PRIMARY KEY (`k1`)) CHARACTER SET utf8mb4 %s" % (
            mi(name), ", ".join(defs), spec)
        self.sql(sql)
        self.add_table(t)
        c.workload_txn(t, bulk=self.r.randint(10, 60))
        return self.replaced("create partitioned table: %s" % sql)

    def op_partition(self):
        parted = [t for t in self.live() if getattr(t, "part", None)]
        if not parted or (len(parted) < 2 and self.r.random() < 0.2):
            return self.new_partitioned()
        t = self.r.choice(parted)
        p = t.part
        if p["kind"] == "hash":
            return self.hash_partition_op(t, p)
        return self.range_partition_op(t, p)

    def hash_partition_op(self, t, p):
        what = self.r.choice(["add", "coalesce", "truncate", "exchange"])
        if what == "add" or (what == "coalesce" and p["n"] < 2):
            k = self.r.randint(1, 2)
            self.sql("ALTER TABLE %s ADD PARTITION PARTITIONS %d" % (mi(t.name), k))
            p["n"] += k
            p["names"] = ["p%d" % i for i in range(p["n"])]
            return "ALTER TABLE %s ADD PARTITION PARTITIONS %d" % (t.name, k)
        if what == "coalesce":
            self.sql("ALTER TABLE %s COALESCE PARTITION 1" % mi(t.name))
            p["n"] -= 1
            p["names"] = ["p%d" % i for i in range(p["n"])]
            return "ALTER TABLE %s COALESCE PARTITION 1" % t.name
        if what == "exchange":
            return self.exchange(t, self.r.choice(p["names"]))
        name = self.r.choice(p["names"] + ["ALL"])
        self.sql("ALTER TABLE %s TRUNCATE PARTITION %s" % (mi(t.name), name))
        return self.replaced("ALTER TABLE %s TRUNCATE PARTITION %s" % (t.name, name))

    def range_partition_op(self, t, p):
        what = self.r.choice(["truncate", "drop", "exchange", "reorganize", "merge"])
        inner = [n for n in p["names"] if n != "pmax"]
        if what == "drop" and inner:
            names = self.r.sample(inner, self.r.randint(1, min(2, len(inner))))
            self.sql("ALTER TABLE %s DROP PARTITION %s" % (mi(t.name), ", ".join(names)))
            for n in names:
                i = p["names"].index(n)
                del p["names"][i]
                del p["bounds"][i]
            return self.replaced("ALTER TABLE %s DROP PARTITION %s" % (t.name, ", ".join(names)))
        if what == "exchange":
            return self.exchange(t, self.r.choice(p["names"]))
        if what == "reorganize":
            last = max([b for b in p["bounds"] if b is not None] or [0])
            new = "p%d" % p["next"]
            p["next"] += 1
            bound = last + self.r.randint(1, 200)
            self.sql("ALTER TABLE %s REORGANIZE PARTITION pmax INTO (PARTITION %s VALUES LESS "
                     "THAN (%d), PARTITION pmax VALUES LESS THAN MAXVALUE)"
                     % (mi(t.name), new, bound))
            p["names"].insert(-1, new)
            p["bounds"].insert(-1, bound)
            return "ALTER TABLE %s REORGANIZE PARTITION pmax INTO (%s < %d, pmax)" % (
                t.name, new, bound)
        if what == "merge" and len(inner) >= 2:
            i = self.r.randint(0, len(inner) - 2)
            a, b = p["names"][i], p["names"][i + 1]
            bound = p["bounds"][i + 1]
            self.sql("ALTER TABLE %s REORGANIZE PARTITION %s, %s INTO (PARTITION %s VALUES "
                     "LESS THAN (%d))" % (mi(t.name), a, b, a, bound))
            del p["names"][i + 1]
            del p["bounds"][i]
            return "ALTER TABLE %s REORGANIZE PARTITION %s, %s INTO (%s)" % (t.name, a, b, a)
        name = self.r.choice(p["names"])
        self.sql("ALTER TABLE %s TRUNCATE PARTITION %s" % (mi(t.name), name))
        return self.replaced("ALTER TABLE %s TRUNCATE PARTITION %s" % (t.name, name))

    def exchange(self, t, part):
        """EXCHANGE PARTITION part WITH TABLE x, x a new table holding half
        the partition's rows, changed: rows move both ways unlogged."""
        x = self.clone(t, self.fresh("xchg"))
        x.part = None
        col = self.r.choice(self.nonkey(t))
        self.sql("CREATE TABLE %s LIKE %s; ALTER TABLE %s REMOVE PARTITIONING; "
                 "INSERT INTO %s SELECT * FROM %s PARTITION (%s); "
                 "DELETE FROM %s WHERE MOD(`k1`, 2) = 0; UPDATE %s SET %s = %s" % (
                     mi(x.name), mi(t.name), mi(x.name), mi(x.name), mi(t.name), part,
                     mi(x.name), mi(x.name), mi(col), self.lit(t, col)))
        # (no WITH VALIDATION: MariaDB has it from 11.4 only)
        self.sql("ALTER TABLE %s EXCHANGE PARTITION %s WITH TABLE %s" % (
            mi(t.name), part, mi(x.name)))
        self.add_table(x)
        return self.replaced("ALTER TABLE %s EXCHANGE PARTITION %s WITH TABLE %s" % (
            t.name, part, x.name))

    # ------------------------------------------------------------ the others

    def truncate_sql(self, t, db=None):
        r = self.r
        name = mi(t.name)
        if t.name.isidentifier() and r.random() < 0.3:
            name = t.name
        if db or r.random() < 0.3:
            name = "%s.%s" % (mi(db or self.c.src.db), name)
        tail = r.choice(["", "", "", " NOWAIT", " WAIT %d" % r.randint(1, 5)])
        return "%s%s %s%s" % (r.choice(["TRUNCATE", "truncate"]),
                              r.choice([" TABLE", "", " table"]), name, tail)

    def op_truncate(self):
        live = self.live()
        if not live:
            return None
        t = self.r.choice(live)
        sql = self.truncate_sql(t)
        self.sql(sql)
        return sql

    def op_dropcreate(self):
        live = self.live()
        if not live:
            return None
        old = self.r.choice(live)
        c = self.c
        t = c.make_table(old.name)
        sql = c.mysql_table(t)
        if self.r.random() < 0.5:
            self.sql("DROP TABLE %s; %s" % (mi(old.name), sql))
            how = "DROP TABLE + CREATE TABLE"
        else:
            self.sql(sql.replace("CREATE TABLE", "CREATE OR REPLACE TABLE", 1))
            how = "CREATE OR REPLACE TABLE"
        self.add_table(t)
        c.workload_txn(t, bulk=self.r.randint(0, 20))
        return self.replaced("%s %s: %s" % (how, t.name, sql))

    def op_altertype(self):
        cands = [(t, col, ty) for t in self.live() for col, ty in t.cols
                 if col not in t.key and ty in WIDEN]
        if not cands:
            return None
        t, col, ty = self.r.choice(cands)
        new = self.r.choice(WIDEN[ty])
        algo = self.r.choice(["INPLACE", "COPY", "INSTANT", "DEFAULT"])
        base = "ALTER TABLE %s MODIFY COLUMN %s %s NULL" % (mi(t.name), mi(col), new)
        try:
            self.sql("%s, ALGORITHM=%s" % (base, algo))
        except RuntimeError as e:
            if "1846" not in str(e) and "4092" not in str(e):  # ALGORITHM not supported
                raise
            algo += " refused, then COPY"
            self.sql(base + ", ALGORITHM=COPY")
        t.cols = [(n, new if n == col else x) for n, x in t.cols]
        return "MODIFY COLUMN %s.%s %s -> %s (ALGORITHM=%s)" % (t.name, col, ty, new, algo)

    def op_createselect(self):
        live = [t for t in self.live() if not getattr(t, "part", None)]
        if not live:
            return None
        src = self.r.choice(live)
        n = self.clone(src, self.fresh("cs"))
        where = self.r.choice(["", " WHERE MOD(LENGTH(%s), 2) = 0" % mi(src.key[0])])
        sql = "CREATE TABLE %s (PRIMARY KEY (%s)) %sSELECT * FROM %s%s" % (
            mi(n.name), ", ".join(mi(k) for k in src.key), self.r.choice(["", "AS "]),
            mi(src.name), where)
        self.sql(sql)
        self.add_table(n)
        return self.replaced(sql)

    def op_createlike(self):
        live = self.live()
        if not live:
            return None
        src = self.r.choice(live)
        n = self.clone(src, self.fresh("like"))
        self.sql("CREATE TABLE %s LIKE %s; INSERT INTO %s SELECT * FROM %s" % (
            mi(n.name), mi(src.name), mi(n.name), mi(src.name)))
        self.add_table(n)
        self.c.workload_txn(n)
        return self.replaced("CREATE TABLE %s LIKE %s + INSERT ... SELECT" % (n.name, src.name))

    def op_multitable(self):
        live = [t for t in self.live() if self.nonkey(t)]
        if len(live) < 2:
            return None
        a, b = self.r.sample(live, 2)
        ka, kb = self.c.key_rows(a), self.c.key_rows(b)
        if not ka or not kb:
            return None
        ca, cb = self.r.choice(self.nonkey(a)), self.r.choice(self.nonkey(b))
        joinable = a.key_kind.get("k1") == "int" and b.key_kind.get("k1") == "int"
        stmts = []
        for _ in range(self.r.randint(1, 3)):
            if joinable and self.r.random() < 0.5:
                on = "%s JOIN %s ON %s.`k1` = %s.`k1`" % (mi(a.name), mi(b.name), mi(a.name),
                                                        mi(b.name))
                cond = "%s.`k1` %s %d" % (mi(a.name), self.r.choice(["<", ">"]),
                                          self.r.randint(-50, 400))
            else:
                on = "%s, %s" % (mi(a.name), mi(b.name))
                cond = "%s AND %s" % (self.key_where(a, self.r.choice(ka), 1),
                                      self.key_where(b, self.r.choice(kb), 1))
            if self.r.random() < 0.6:
                stmts.append("UPDATE %s SET %s.%s = %s, %s.%s = %s WHERE %s" % (
                    on, mi(a.name), mi(ca), self.lit(a, ca), mi(b.name), mi(cb), self.lit(b, cb),
                    cond))
            else:
                which = self.r.choice([mi(a.name), mi(b.name), "%s, %s" % (mi(a.name),
                                                                          mi(b.name))])
                stmts.append("DELETE %s FROM %s WHERE %s" % (which, on, cond))
        self.c.execute(stmts)
        return "multi-table on %s, %s: %s" % (a.name, b.name, " | ".join(
            s.split(" ", 1)[0] for s in stmts))

    def op_versioncomment(self):
        live = self.live()
        if not live:
            return None
        r = self.r
        t = r.choice(live)
        ver = r.choice(["/*!", "/*!40000 ", "/*!50001 ", "/*!100100 ", "/*M!100100 "])
        what = r.choice(["truncate", "truncate_part", "addcol", "rename", "swap", "dml"])
        if what == "swap" and len(live) >= 2:
            a, b = r.sample(live, 2)
            tmp = self.fresh("v_tmp")
            self.sql("%sRENAME TABLE %s TO %s, %s TO %s, %s TO %s */" % (
                ver, mi(a.name), mi(tmp), mi(b.name), mi(a.name), mi(tmp), mi(b.name)),
                comments=True)
            an, bn = a.name, b.name
            self.renamed([(an, bn), (bn, an)])
            return self.replaced("%sRENAME TABLE %s <-> %s */" % (ver, an, bn))
        if what == "rename":
            new = self.fresh(t.name[:50] + "_v")
            self.sql("%sRENAME TABLE %s TO %s */" % (ver, mi(t.name), mi(new)), comments=True)
            old = t.name
            self.renamed([(old, new)])
            return self.replaced("%sRENAME TABLE %s TO %s */" % (ver, old, new))
        if what == "addcol":
            cn = self.fresh("vc")
            sql = r.choice(["%sALTER TABLE %s ADD COLUMN %s int NULL */",
                            "ALTER TABLE %s %sADD COLUMN %s int NULL */"])
            sql = sql % ((ver, mi(t.name), mi(cn)) if sql.startswith("%sALTER")
                         else (mi(t.name), ver, mi(cn)))
            self.sql(sql, comments=True)
            t.cols.append((cn, "int"))
            return sql
        if what == "dml" and self.nonkey(t):
            col = r.choice(self.nonkey(t))
            sql = "%sUPDATE %s SET %s = %s */" % (ver, mi(t.name), mi(col), self.lit(t, col))
            self.sql(sql, comments=True)
            return sql[:200]
        if what == "truncate_part":
            sql = "TRUNCATE %sTABLE */ %s" % (ver, mi(t.name))
        else:
            sql = "%s%s */" % (ver, self.truncate_sql(t))
        self.sql(sql, comments=True)
        return sql

    def op_loaddata(self):
        live = self.live()
        if not live:
            return None
        t = self.r.choice(live)
        c = self.c
        col = None
        cands = [n for n, ty in t.cols if n not in t.key and ty.split("(")[0] in (
            "int", "bigint", "varchar", "text", "mediumtext")]
        if cands:
            col = self.r.choice(cands)
        path = os.path.join(c.dir, "load%d.tsv" % self.fresh_n())
        lines = []
        keys = c.key_rows(t)
        for _ in range(self.r.randint(1, 40)):
            if keys and self.r.random() < 0.3:  # an existing key: REPLACE / IGNORE / skipped
                key = list(self.r.choice(keys))
            else:
                key = [c.key_value(t, k) for k in t.key]
            f = [str(v).replace("\\", "\\\\") for v in key]
            if col:
                ty = t.coltype(col)
                if ty.startswith(("int", "bigint")):
                    f.append(str(self.r.randint(-10**6, 10**6)))
                else:
                    f.append(self.r.choice(["\\N", "plain", "tab\\there", "é€", ""]))
            lines.append("\t".join(f))
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        how = self.r.choice(["", "REPLACE ", "IGNORE "])
        cols = [mi(k) for k in t.key] + ([mi(col)] if col else [])
        sql = ("LOAD DATA LOCAL INFILE '%s' %sINTO TABLE %s CHARACTER SET utf8mb4 "
               "FIELDS TERMINATED BY '\\t' (%s)" % (path.replace("'", "''"), how, mi(t.name),
                                                   ", ".join(cols)))
        c.src.client(sql, local_infile=True)
        return "LOAD DATA LOCAL %s%s (%d lines)" % (how, t.name, len(lines))

    def fresh_n(self):
        self.n += 1
        return self.n

    def op_otherschema(self):
        live = self.live()
        if not live:
            return None
        c = self.c
        r = self.r
        ours = c.src.db
        if self.other is None:
            self.other = ours + "o"
            c.extra_dbs.append(self.other)
            self.sql("DROP DATABASE IF EXISTS %s; CREATE DATABASE %s CHARACTER SET utf8mb4"
                     % (mi(self.other), mi(self.other)))
        o = mi(self.other)
        t = r.choice(live)
        twin = "%s.%s" % (o, mi(t.name))
        # made afresh: an earlier op may have swapped or altered the one there
        # (seed 1796667732: a twin of other columns)
        self.sql("DROP TABLE IF EXISTS %s; CREATE TABLE %s LIKE %s.%s; INSERT INTO %s SELECT * "
                 "FROM %s.%s" % (twin, twin, mi(ours), mi(t.name), twin, mi(ours), mi(t.name)))
        use = "USE %s;\n" % o
        what = r.choice(["write", "truncate_use", "truncate_qual", "swap", "dropcreate", "alter",
                         "ours_truncate", "ours_rename"])
        if what == "write" and self.nonkey(t):
            col = r.choice(self.nonkey(t))
            self.sql(use + "UPDATE %s SET %s = %s; DELETE FROM %s LIMIT 2; UPDATE %s SET %s = %s"
                     % (mi(t.name), mi(col), self.lit(t, col), mi(t.name), twin, mi(col),
                        self.lit(t, col)))
            return "writes to %s.%s (USE and qualified)" % (self.other, t.name)
        if what == "truncate_use":
            self.sql(use + self.truncate_sql(t).replace("%s." % mi(ours), ""))
            return "USE %s; TRUNCATE %s" % (self.other, t.name)
        if what == "truncate_qual":
            self.sql(self.truncate_sql(t, db=self.other))
            return "TRUNCATE %s.%s (default database ours)" % (self.other, t.name)
        if what == "swap" and len(live) >= 2:
            b = r.choice([x for x in live if x is not t])
            self.sql("CREATE TABLE IF NOT EXISTS %s.%s LIKE %s.%s" % (o, mi(b.name), mi(ours),
                                                                    mi(b.name)))
            self.sql(use + "RENAME TABLE %s TO swp, %s TO %s, swp TO %s" % (
                mi(t.name), mi(b.name), mi(t.name), mi(b.name)))
            return self.replaced("USE %s; RENAME TABLE %s <-> %s there" % (self.other, t.name,
                                                                         b.name))
        if what == "dropcreate":
            self.sql(use + "DROP TABLE %s; CREATE TABLE %s LIKE %s.%s" % (
                mi(t.name), mi(t.name), mi(ours), mi(t.name)))
            return self.replaced("USE %s; DROP + CREATE %s there" % (self.other, t.name))
        if what == "alter":
            self.sql(use + "ALTER TABLE %s ADD COLUMN zz%d int NULL" % (mi(t.name), self.fresh_n()))
            return "USE %s; ALTER TABLE %s ADD COLUMN there" % (self.other, t.name)
        if what == "ours_rename":
            new = self.fresh(t.name[:50] + "_o")
            self.sql(use + "RENAME TABLE %s.%s TO %s.%s" % (mi(ours), mi(t.name), mi(ours),
                                                            mi(new)))
            old = t.name
            self.renamed([(old, new)])
            return self.replaced("USE %s; RENAME TABLE ours.%s TO ours.%s" % (self.other, old,
                                                                             new))
        self.sql(use + self.truncate_sql(t, db=ours))
        return "USE %s; TRUNCATE ours.%s" % (self.other, t.name)
