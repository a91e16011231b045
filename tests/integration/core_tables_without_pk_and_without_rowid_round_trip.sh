#!/usr/bin/env bash
# A table without a primary key is keyed by its rowid (`triggers status`
# says so; the manifest carries a key column "rowid"), so identical rows
# stay distinct: updating or deleting one of two equal rows touches only it
# on the replica. A WITHOUT ROWID table with a composite key round-trips too,
# key changes included (shipped as D + I).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

core_config
sql "CREATE TABLE logbook(ts TEXT, msg TEXT, n INTEGER);
     INSERT INTO logbook VALUES('t1', 'same', 1), ('t1', 'same', 1), ('t2', NULL, 2), ('t3', 'x', 3);
     CREATE TABLE kv(k TEXT, sub INTEGER, v BLOB, PRIMARY KEY(k, sub)) WITHOUT ROWID;
     INSERT INTO kv VALUES('a', 1, X'00'), ('a', 2, X'01'), ('b', 1, NULL), ('c', 9, X'');"
cdc triggers install
cdc triggers status
# the table's line, then its warnings
grep -A1 '^logbook ' "$T/last.out" | grep -q 'keyed by rowid' ||
	fail "triggers status does not say that logbook is keyed by rowid: $(cat "$T/last.out" "$T/last.err")"
cdc load
assert_eq '["rowid","ts","msg","n"] ["rowid"]' \
	"$(manifest "$(published)" | jq -r '.tables[] | select(.name == "logbook") | "\([.columns[].name] | tojson) \([.columns[] | select(.key) | .name] | tojson)"')" \
	"logbook columns and key in the load manifest"

sql "INSERT INTO logbook VALUES('t4', 'dup', 4), ('t4', 'dup', 4);
     UPDATE logbook SET msg = 'changed' WHERE rowid = 2;
     DELETE FROM logbook WHERE rowid = 5;
     UPDATE logbook SET rowid = 100 WHERE rowid = 3;
     UPDATE kv SET v = X'FFFF' WHERE k = 'a' AND sub = 2;
     UPDATE kv SET k = 'z' WHERE k = 'b';
     DELETE FROM kv WHERE k = 'c';
     INSERT INTO kv VALUES('a', 3, X'0A0D');"
cdc run
tar -xOf "$(published | tail -n 1)" --exclude manifest.json >"$T/rows.csv"
# a rowid change and a key change each ship as D(old) + I(new)
assert_eq "D,3,t2,,2 I,100,t2,,2" "$(grep -E '^[DI],(3|100),' "$T/rows.csv" | tr '\n' ' ' | sed 's/ $//')" "rowid change"
assert_eq "D,b,1, I,z,1," "$(grep -E '^[DI],[bz],' "$T/rows.csv" | tr '\n' ' ' | sed 's/ $//')" "composite key change"

apply_and_compare "$T/replica.db"
assert_eq "$(sqlite3 "$SRC_DB" "SELECT rowid, quote(ts), quote(msg), n FROM logbook ORDER BY rowid")" \
	"$(sqlite3 "$T/replica.db" "SELECT \"rowid\", quote(ts), quote(msg), n FROM logbook ORDER BY 1")" \
	"logbook rows by rowid, source vs replica"
