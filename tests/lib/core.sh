# Helpers for the core_*.sh integration tests (SQLite source -> file: target).
# Source after tests/lib/common.sh. Conventions: the source database is
# $T/src.db, the source is named "src", the bucket is $T/bucket, the state dir
# $T/state, the config $T/cdcpack.conf (exported as CDCPACK_CONFIG), and every
# cdcpack log line goes to $T/cdcpack.log as well.

SRC_DB=$T/src.db
BUCKET=$T/bucket
export CDCPACK_CONFIG=$T/cdcpack.conf
unset CDCPACK_FAULT

# core_config [extra INI lines...]: the config for $SRC_DB -> file:$BUCKET.
core_config() {
	write_config "$CDCPACK_CONFIG" "sqlite:$SRC_DB" "file:$BUCKET" "$@"
	sed -i 's|^url = sqlite:.*|&\nname = src|' "$CDCPACK_CONFIG"
}

# cdc CMD...: runs cdcpack, which must succeed; stdout to $T/last.out.
cdc() {
	assert_status 0 "$CDCPACK" "$@"
	cat "$T/last.err" >>"$T/cdcpack.log"
}

# cdc_status CODE CMD...: runs cdcpack, which must exit CODE.
cdc_status() {
	local want=$1
	shift
	assert_status "$want" "$CDCPACK" "$@"
	cat "$T/last.err" >>"$T/cdcpack.log"
}

# sql SQL: runs SQL on the source database.
sql() {
	sqlite3 "$SRC_DB" "$1"
}

# persons_db DB: Persons(PersonID INTEGER PRIMARY KEY, FullName, City) with
# rows 1..101; row 7 lives in Phoenix, 8 in Denver, 10 is Jack Hicks of Houston.
persons_db() {
	sqlite3 "$1" "
	CREATE TABLE Persons(PersonID INTEGER PRIMARY KEY, FullName TEXT, City TEXT);
	CREATE TEMP TABLE first(i, n); CREATE TEMP TABLE last(i, n); CREATE TEMP TABLE city(i, n);
	INSERT INTO first VALUES(0,'Ann'),(1,'Bob'),(2,'Carla'),(3,'Dev'),(4,'Eve'),(5,'Farid'),(6,'Gus');
	INSERT INTO last VALUES(0,'Smith'),(1,'Ortiz'),(2,'Nguyen'),(3,'Khan'),(4,'Berg');
	INSERT INTO city VALUES(0,'Austin'),(1,'Boston'),(2,'Chicago'),(3,'Dallas'),(4,'El Paso'),(5,'Fresno');
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 101)
	INSERT INTO Persons
	SELECT i, (SELECT n FROM first WHERE first.i = n.i % 7) || ' ' || (SELECT n FROM last WHERE last.i = n.i % 5),
	       (SELECT n FROM city WHERE city.i = n.i % 6) FROM n;
	UPDATE Persons SET City = 'Phoenix' WHERE PersonID = 7;
	UPDATE Persons SET City = 'Denver' WHERE PersonID = 8;
	UPDATE Persons SET FullName = 'Jack Hicks', City = 'Houston' WHERE PersonID = 10;"
}

# published: final archives of source "src", in batch order, one path a line.
published() {
	[[ -d $BUCKET/cdc ]] || return 0
	find "$BUCKET/cdc" -type f | awk -F/ '{ print $NF "\t" $0 }' | LC_ALL=C sort | cut -f2
}

published_count() {
	published | wc -l
}

# manifest ARCHIVE: its manifest.json (GNU tar detects the compression).
manifest() {
	tar -xOf "$1" manifest.json
}

# archive_member ARCHIVE NAME: one file of the archive to stdout.
archive_member() {
	tar -xOf "$1" -- "$2"
}

# temp_objects: every object left under the temp prefix.
temp_objects() {
	[[ -d $BUCKET/_tmp ]] || return 0
	find "$BUCKET/_tmp" -type f
}

# run_until_idle [MAX]: `run` until a run publishes and recovers nothing.
run_until_idle() {
	local max=${1:-10} i
	for ((i = 0; i < max; i++)); do
		cdc --json run
		if [[ $(jq '.batches + .recovered' "$T/last.out") == 0 ]]; then
			return 0
		fi
	done
	fail "still publishing after $max runs: $(cat "$T/last.out")"
}

# check_chain: published batches are numbered 1..N with no gap or duplicate,
# each manifest's id/seq match its key and each `previous` names the batch
# before it (null for the first).
check_chain() {
	local prev=null seq=0 a id want
	while IFS= read -r a; do
		seq=$((seq + 1))
		want=$(printf 'src-%08d' "$seq")
		[[ $(basename "$a") == "$want"-* ]] || fail "chain: expected batch $want, found $(basename "$a")"
		id=$(manifest "$a" | jq -r '.batch.id')
		assert_eq "$want" "$id" "batch id in $(basename "$a")"
		assert_eq "$seq" "$(manifest "$a" | jq -r '.batch.seq')" "batch seq in $(basename "$a")"
		assert_eq "$prev" "$(manifest "$a" | jq -r '.batch.previous')" "previous of $id"
		prev=$id
	done < <(published)
}

# check_seq_ranges_disjoint: no two cdc files of published batches share a
# changelog sequence number (first_seq..last_seq ranges do not overlap).
check_seq_ranges_disjoint() {
	local a
	while IFS= read -r a; do
		manifest "$a" | jq -r 'select(.batch.kind == "cdc") | .tables[] | "\(.first_seq) \(.last_seq)"'
	done < <(published) | sort -n | awk '
		$1 == "null" || $2 == "null" { print "cdc file without first_seq/last_seq"; bad = 1; next }
		$1 > $2 { print "range " $1 ".." $2 " is reversed"; bad = 1 }
		NR > 1 && $1 <= last { print "range " $1 ".." $2 " overlaps one ending at " last; bad = 1 }
		{ if ($2 > last) last = $2 }
		END { exit bad }' >"$T/ranges.err" || fail "changelog seq ranges: $(cat "$T/ranges.err")"
}

# cdc_rows: every row of every cdc file of the published batches, in batch
# order then manifest order (CSV format only).
cdc_rows() {
	local a f
	while IFS= read -r a; do
		manifest "$a" | jq -r 'select(.batch.kind == "cdc") | .tables[].file' |
			while IFS= read -r f; do archive_member "$a" "$f"; done
	done < <(published)
}

# check_checksums ARCHIVE: every file's bytes and xxh128 in the manifest are
# those of the file (xxh128 as `xxhsum -H2` prints it).
check_checksums() {
	local a=$1 f want_hash want_bytes got
	rm -rf "$T/x" && mkdir -p "$T/x"
	tar -xf "$a" -C "$T/x"
	while IFS=$'\t' read -r f want_hash want_bytes; do
		[[ -f "$T/x/$f" ]] || fail "$(basename "$a"): manifest names $f, not in the archive"
		got=$(xxhsum -H2 <"$T/x/$f" | cut -d' ' -f1)
		assert_eq "$want_hash" "$got" "xxh128 of $f in $(basename "$a")"
		assert_eq "$want_bytes" "$(stat -c %s "$T/x/$f")" "bytes of $f in $(basename "$a")"
	done < <(manifest "$a" | jq -r '.tables[] | [.file, .xxh128, (.bytes | tostring)] | @tsv')
}

# user_tables DB: captured-looking tables of DB, one a line.
user_tables() {
	sqlite3 "$1" "SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'cdcpack\_%' ESCAPE '\'
		ORDER BY name"
}

# sql_ident NAME: NAME as a double-quoted SQL identifier.
sql_ident() {
	local s=${1//\"/\"\"}
	printf '"%s"' "$s"
}

# sql_text TEXT: TEXT as a single-quoted SQL literal.
sql_text() {
	local s=${1//\'/\'\'}
	printf "'%s'" "$s"
}

# exact_dump DB TABLE [COLUMN...]: the table's rows, bit-exact and sorted:
# each value as typeof:hex (a REAL as its IEEE-754 bits). Columns default to
# the table's own; name them to compare a replica by the source's columns.
exact_dump() {
	local db=$1 table=$2 c exprs=()
	shift 2
	local cols=("$@")
	if ((${#cols[@]} == 0)); then
		mapfile -t cols < <(sqlite3 "$db" "SELECT name FROM pragma_table_info($(sql_text "$table")) ORDER BY cid")
	fi
	for c in "${cols[@]}"; do
		c=$(sql_ident "$c")
		exprs+=("typeof($c) || ':' || CASE typeof($c) WHEN 'real' THEN hex(ieee754_to_blob($c)) ELSE hex($c) END")
	done
	local IFS=,
	sqlite3 "$db" "SELECT ${exprs[*]} FROM $(sql_ident "$table")" | LC_ALL=C sort
}

# check_replica_equals_source REPLICA: every table of the source has the same
# rows, value for value, type for type, in the replica (independently of
# cdcpack's own verify), and the replica has no other user table.
check_replica_equals_source() {
	local rep=$1 t cols
	assert_eq "$(user_tables "$SRC_DB")" "$(user_tables "$rep")" "tables in the replica"
	while IFS= read -r t; do
		mapfile -t cols < <(sqlite3 "$SRC_DB" "SELECT name FROM pragma_table_info($(sql_text "$t")) ORDER BY cid")
		exact_dump "$SRC_DB" "$t" "${cols[@]}" >"$T/dump.src"
		exact_dump "$rep" "$t" "${cols[@]}" >"$T/dump.rep"
		if ! cmp -s "$T/dump.src" "$T/dump.rep"; then
			diff "$T/dump.src" "$T/dump.rep" | head -20 >&2
			fail "table $t: replica rows differ from the source (< source, > replica)"
		fi
	done < <(user_tables "$SRC_DB")
}

# apply_and_compare REPLICA: apply to a replica, `verify` says equal (exit 0),
# and the independent dump comparison agrees.
apply_and_compare() {
	local rep=$1
	cdc apply --to "sqlite:$rep"
	cdc verify --against "sqlite:$rep"
	check_replica_equals_source "$rep"
}
