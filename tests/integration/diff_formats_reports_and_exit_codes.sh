#!/usr/bin/env bash
# cdcpack diff without a config file: exit 0 when equal, 1 when different,
# 2 on usage errors, 3 on failures; the summary, csv (DMS change-file rows,
# key order, D = key and NULLs), jsonl and --json report; tables on one side
# only, other column lists and other keys are reported, not fatal.
source "$(dirname "$0")/../lib/common.sh"
unset CDCPACK_CONFIG

sqlite3 a.db "
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, qty INT);
INSERT INTO t VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3), (4, 'four', NULL);
CREATE TABLE only_a(x INTEGER PRIMARY KEY); INSERT INTO only_a VALUES (1), (2);
CREATE TABLE cols(id INTEGER PRIMARY KEY, v TEXT, gone TEXT);
INSERT INTO cols VALUES (1, 'same', 'g1'), (2, 'old', 'g2');
CREATE TABLE keyed(id INTEGER PRIMARY KEY, code TEXT); INSERT INTO keyed VALUES (1, 'a');"
cp a.db same.db
sqlite3 b.db "
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, qty INT);
INSERT INTO t VALUES (1, 'one', 1), (2, 'TWO', 2), (4, 'four', NULL), (5, 'five, \"5\"', 5);
CREATE TABLE only_b(y INTEGER PRIMARY KEY);
CREATE TABLE cols(id INTEGER PRIMARY KEY, v TEXT, extra TEXT);
INSERT INTO cols VALUES (1, 'same', 'e1'), (2, 'new', 'e2');
CREATE TABLE keyed(id INT, code TEXT PRIMARY KEY); INSERT INTO keyed VALUES (1, 'a');"

# Equal databases.
assert_status 0 "$CDCPACK" diff sqlite:a.db sqlite:same.db
assert_contains "$T/last.out" "A and B hold the same rows"
assert_status 0 "$CDCPACK" --json diff sqlite:a.db sqlite:same.db
assert_eq "true 0 0" "$(jq -r '"\(.equal) \(.differences) \(.exit_code)"' "$T/last.out")" "json report when equal"

# Different: the summary names every table, with its status.
assert_status 1 "$CDCPACK" diff sqlite:a.db sqlite:b.db
assert_contains "$T/last.out" "A and B differ"
assert_eq "t compared inserted=1 updated=1 deleted=1" \
	"$(awk '$1 == "t" {print $1, $2, $3, $4, $5}' "$T/last.out")" "summary line of t"
assert_contains "$T/last.err" "table only_a exists only in A"
assert_contains "$T/last.err" "table only_b exists only in B"
assert_contains "$T/last.err" "table cols: the column lists differ"
assert_contains "$T/last.err" "table keyed: the keys differ"

assert_status 1 "$CDCPACK" --json diff sqlite:a.db sqlite:b.db
jq -c '.tables[] | [.name, .status, .inserted, .updated, .deleted, .columns_only_in_a, .columns_only_in_b]' \
	"$T/last.out" >tables.json
cat >want.json <<'EOF'
["cols","compared",0,1,0,["gone"],["extra"]]
["keyed","keys_differ",0,0,0,[],[]]
["only_a","only_in_a",0,0,2,[],[]]
["t","compared",1,1,1,[],[]]
["only_b","only_in_b",0,0,0,[],[]]
EOF
assert_eq "$(cat want.json)" "$(cat tables.json)" "json tables"
assert_eq "false 1" "$(jq -r '"\(.equal) \(.exit_code)"' "$T/last.out")" "json verdict"
assert_eq 10 "$(jq .differences "$T/last.out")" \
	"differences: cols row and columns, keyed, only_a (2 rows + table), only_b, t's 3 rows"

# csv: Op then B's row; D carries A's key and NULLs; rows in key order.
assert_status 1 "$CDCPACK" diff --table t --format csv sqlite:a.db sqlite:b.db
printf '%s\n' 'U,2,TWO,2' 'D,3,,' 'I,5,"five, ""5""",5' >want.csv
assert_eq "$(cat want.csv)" "$(cat "$T/last.out")" "csv rows"

# jsonl: one object per change, as format = jsonl writes them.
assert_status 1 "$CDCPACK" diff --table t --format jsonl sqlite:a.db sqlite:b.db
assert_eq 'U {"id":2} TWO|D {"id":3} null|I {"id":5} five, "5"' \
	"$(jq -r '"\(.op) \(.key | tojson) \(.after.name // "null")"' "$T/last.out" | paste -sd'|')" \
	"jsonl rows"

# csv of several tables goes to a directory, one change file a table.
assert_status 2 "$CDCPACK" diff --format csv sqlite:a.db sqlite:b.db
assert_contains "$T/last.err" "--table"
mkdir out
assert_status 1 "$CDCPACK" diff --format csv --out out sqlite:a.db sqlite:b.db
assert_eq "$(cat want.csv)" "$(cat out/t.csv)" "out/t.csv"
assert_eq "U,2,new,e2" "$(cat out/cols.csv)" "out/cols.csv (B's columns, compared on the shared ones)"

# --json keeps stdout for the report: rows need --out.
assert_status 2 "$CDCPACK" --json diff --format rows sqlite:a.db sqlite:b.db
assert_status 1 "$CDCPACK" --json diff --format rows --out rows.txt --table t sqlite:a.db sqlite:b.db
assert_eq "false" "$(jq .equal "$T/last.out")" "report with --out"
assert_eq "U t id=2|D t id=3|I t id=5" "$(paste -sd'|' rows.txt)" "rows written to --out"

# Usage errors (2) and failures (3).
assert_status 2 "$CDCPACK" diff sqlite:a.db
assert_status 2 "$CDCPACK" diff --format nope sqlite:a.db sqlite:b.db
assert_contains "$T/last.err" "nope"
assert_status 2 "$CDCPACK" diff --table nosuch sqlite:a.db sqlite:b.db
assert_contains "$T/last.err" "nosuch"
assert_status 2 "$CDCPACK" diff postgres://x/y sqlite:b.db
assert_status 2 "$CDCPACK" diff --bogus sqlite:a.db sqlite:b.db
assert_status 3 "$CDCPACK" diff sqlite:a.db sqlite:missing.db
assert_contains "$T/last.err" "missing.db"
echo "not a database" >junk.db
assert_status 3 "$CDCPACK" diff sqlite:a.db sqlite:junk.db
assert_status 0 "$CDCPACK" diff --help
assert_contains "$T/last.out" "--format"
# Neither database was written to.
cmp -s a.db same.db || fail "diff changed database A"
