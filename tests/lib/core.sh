# Helpers for the core_*.sh integration tests (SQLite source -> file: target).
# Source after tests/lib/common.sh. Conventions: the source database is
# $SRC_DB ($T/src.db), the source is named "src", the bucket is $BUCKET
# ($T/bucket), the state dir $STATE_DIR ($T/state), the config
# $CDCPACK_CONFIG ($T/cdcpack.conf). The last command's output is in
# $T/last.out and $T/last.err.
#
# Starting a process costs tens of milliseconds on a loaded CI machine, so
# these helpers batch work into few processes (one jq, one sqlite3, one tar
# per archive) rather than one per value.

unset CDCPACK_FAULT

# core_use DIR: the source, bucket, state dir and config live in DIR (a test
# that tries several configurations gives each its own DIR).
core_use() {
	mkdir -p "$1"
	SRC_DB=$1/src.db
	BUCKET=$1/bucket
	STATE_DIR=$1/state
	export CDCPACK_CONFIG=$1/cdcpack.conf
}
core_use "$T"

# core_config [extra INI lines...]: the config for $SRC_DB -> file:$BUCKET,
# source name "src"; extra lines go after [target] (start them with a section).
core_config() {
	write_config "$CDCPACK_CONFIG" "sqlite:$SRC_DB" "file:$BUCKET" "$@"
	sed -i -e 's|^url = sqlite:.*|&\nname = src|' -e "s|^dir = .*|dir = $STATE_DIR|" "$CDCPACK_CONFIG"
}

# core_second_config FILE: the config FILE of a second state dir ($T/state2)
# on the same source, with its own [source] name (other) and bucket
# ($T/bucket2).
core_second_config() {
	write_config "$1" "sqlite:$SRC_DB" "file:$T/bucket2"
	sed -i -e 's|^url = sqlite:.*|&\nname = other|' -e "s|^dir = .*|dir = $T/state2|" "$1"
}

# cdc_status CODE ARGS...: runs cdcpack ARGS, which must exit CODE.
cdc_status() {
	local want=$1 got=0
	shift
	"$CDCPACK" "$@" >"$T/last.out" 2>"$T/last.err" || got=$?
	if ((got != want)); then
		echo "--- stdout" >&2
		cat "$T/last.out" >&2
		echo "--- stderr" >&2
		cat "$T/last.err" >&2
		fail "cdcpack $* exited $got, expected $want"
	fi
}

# cdc ARGS...: runs cdcpack ARGS, which must succeed.
cdc() {
	cdc_status 0 "$@"
}

# sql SQL: runs SQL on the source database, waiting (as writers do) while
# a cdcpack read or acknowledgement holds the database lock.
sql() {
	sqlite3 -cmd '.timeout 30000' "$SRC_DB" "$1"
}

# sql_beside_a_run SQL: a write while a cdcpack process may hold the source's
# write lock. A deferred transaction that read first gets "database is
# locked" at once, whatever its busy timeout (SQLite will not wait where
# waiting could deadlock), so the write takes its lock first, as an
# application writing beside a reader should.
sql_beside_a_run() {
	sqlite3 -cmd '.timeout 30000' "$SRC_DB" "BEGIN IMMEDIATE; $1; COMMIT;"
}

# cdc_opened ARGS...: `cdcpack ARGS` (a run) after a write that changes no row
# and no schema (user_version): the source's fingerprint moves, so the run
# opens the source rather than take the idle path (docs/design.md §4 "Idle
# runs"), for tests of what a run that opens it does.
SOURCE_BUMP=0
cdc_opened() {
	SOURCE_BUMP=$((SOURCE_BUMP + 1))
	sql "PRAGMA user_version = $SOURCE_BUMP"
	cdc "$@"
}

# assert_same_file EXPECTED ACTUAL WHAT: the two files are byte for byte equal.
assert_same_file() {
	cmp -s "$1" "$2" && return 0
	diff "$1" "$2" | head -n 30 >&2 || true
	fail "$3 (< expected, > actual)"
}

# assert_lines FILE WHAT LINE...: FILE holds exactly the LINEs.
assert_lines() {
	local file=$1 what=$2
	shift 2
	printf '%s\n' "$@" >"$T/want.lines"
	assert_same_file "$T/want.lines" "$file" "$what"
}

# persons_loaded [extra INI lines...]: Persons (persons_db) as the source,
# configured (core_config), triggers installed and the load published.
persons_loaded() {
	persons_db "$SRC_DB"
	core_config "$@"
	cdc triggers install
	cdc load
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

# published: final archives, in batch order, one path a line.
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

# all_manifests: the manifests of every published archive, in batch order,
# one compact JSON document a line, each with "key" (the object key) added.
all_manifests() {
	local a
	while IFS= read -r a; do
		manifest "$a"
		printf '{"key": "%s"}\n' "${a#"$BUCKET/"}"
	done < <(published) | jq -c -n '[inputs] | _nwise(2) | .[0] + {key: .[1].key}'
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

# check_chain: published batches are numbered 1..N with no gap or duplicate;
# each manifest's id and seq match its key; each `previous` names the batch
# before it (null for the first); cdc batches never share a changelog seq:
# the spans of their files' first_seq..last_seq are disjoint (SQLite commits
# in seq order; the files of one batch may interleave, one per table).
check_chain() {
	all_manifests >"$T/manifests.jsonl"
	jq -r -s '
		. as $m
		| [range(length) as $i | $m[$i] as $b
		   | ("src-" + ("0000000" + ($i + 1 | tostring))[-8:]) as $want
		   | if ($b.key | split("/") | last | startswith($want + "-")) | not
		       then "position \($i + 1): expected batch \($want), found key \($b.key)" else empty end,
		     if $b.batch.id != $want or $b.batch.seq != $i + 1
		       then "\($b.key): id \($b.batch.id) seq \($b.batch.seq), expected \($want)" else empty end,
		     (if $i == 0 then null else $m[$i - 1].batch.id end) as $prev
		     | if $b.batch.previous != $prev
		       then "\($want): previous is \($b.batch.previous), expected \($prev)" else empty end]
		+ ([.[] | select(.batch.kind == "cdc") | .tables[]
		    | if .first_seq == null or .last_seq == null then "\(.file): no first_seq/last_seq"
		      elif .first_seq > .last_seq then "\(.file): first_seq > last_seq"
		      else empty end])
		+ ([.[] | select(.batch.kind == "cdc") | .batch.id as $id | [.tables[] | select(.first_seq != null)]
		    | select(length > 0) as $f | {id: $id, a: ([$f[].first_seq] | min), b: ([$f[].last_seq] | max)}]
		   | sort_by(.a) | . as $r
		   | [range(1; length) as $i | select($r[$i].a <= $r[$i - 1].b)
		      | "seq range \($r[$i].a)..\($r[$i].b) of \($r[$i].id) overlaps \($r[$i - 1].a)..\($r[$i - 1].b) of \($r[$i - 1].id)"])
		| .[]' "$T/manifests.jsonl" >"$T/chain.err"
	if [[ -s $T/chain.err ]]; then
		fail "published chain: $(cat "$T/chain.err")"
	fi
}

# cdc_rows: every row of every cdc file of the published batches, in batch
# order then archive order (a load's files are the LOAD*.* ones).
cdc_rows() {
	local a
	while IFS= read -r a; do
		tar -xOf "$a" --exclude manifest.json --exclude '*/LOAD*'
	done < <(published)
}

# check_cdc_rows WHAT LINE...: the cdc rows of all published batches are
# exactly the LINEs: every change once, in order.
check_cdc_rows() {
	cdc_rows >"$T/rows.csv"
	assert_lines "$T/rows.csv" "$@"
}

# check_archive ARCHIVE: manifest.json is the first entry, followed by
# exactly the files the manifest lists, in its order; each file's bytes and
# xxh128 are those the manifest gives (xxh128 as `xxhsum -H2` prints it).
# Leaves the unpacked archive in $T/unpacked.
check_archive() {
	local a=$1 name=${1##*/} entries=() files=() hashes=() sizes=() want=() i
	rm -rf "$T/unpacked" && mkdir -p "$T/unpacked"
	mapfile -t entries < <(tar -xvf "$a" -C "$T/unpacked")
	assert_eq manifest.json "${entries[0]-}" "first entry of $name"
	mapfile -t want < <(jq -r '.tables[] | .file, "\(.xxh128)  \(.file) \(.bytes)"' "$T/unpacked/manifest.json")
	for ((i = 0; i < ${#want[@]}; i += 2)); do
		files+=("${want[i]}")
	done
	assert_eq "manifest.json ${files[*]}" "${entries[*]}" "entries of $name (manifest.json, then the manifest's files)"
	((${#files[@]})) || return 0
	mapfile -t hashes < <(cd "$T/unpacked" && xxhsum -H2 -- "${files[@]}" 2>/dev/null)
	mapfile -t sizes < <(cd "$T/unpacked" && stat -c %s -- "${files[@]}")
	for ((i = 0; i < ${#files[@]}; i++)); do
		assert_eq "${want[2 * i + 1]}" "${hashes[i]-} ${sizes[i]-}" \
			"xxh128 and bytes of ${files[i]} in $name (manifest vs xxhsum -H2 and stat)"
	done
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

# table_columns DB: "table<US>column" lines for every user table (not
# sqlite_*, not cdcpack_*), tables by name, columns in order.
table_columns() {
	sqlite3 -separator $'\x1f' "$1" "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
		AND m.name NOT LIKE 'cdcpack\_%' ESCAPE '\' ORDER BY m.name, p.cid"
}

# check_replica_equals_source REPLICA: independently of cdcpack's verify,
# the replica has the source's tables, and each has the same rows with the
# same values, type for type and byte for byte (REALs by their IEEE-754
# bits), with the same row count. The replica may have extra columns (the
# rowid key of a table without primary key).
check_replica_equals_source() {
	local rep=$1 t c prev= exprs=() script=
	table_columns "$SRC_DB" >"$T/cols.src"
	table_columns "$rep" >"$T/cols.rep"
	assert_eq "$(cut -d$'\x1f' -f1 "$T/cols.src" | uniq)" "$(cut -d$'\x1f' -f1 "$T/cols.rep" | uniq)" \
		"tables of the replica"
	while IFS=$'\x1f' read -r t c; do
		if [[ $t != "$prev" && -n $prev ]]; then
			script+=$(compare_table_sql "$prev" "${exprs[@]}")
			exprs=()
		fi
		prev=$t
		printf -v c '"%s"' "${c//\"/\"\"}"
		exprs+=("typeof($c) || ':' || CASE typeof($c) WHEN 'real' THEN hex(ieee754_to_blob($c)) ELSE hex($c) END")
	done <"$T/cols.src"
	[[ -z $prev ]] || script+=$(compare_table_sql "$prev" "${exprs[@]}")
	# on stdin: the script of a few hundred tables passes the kernel's
	# 128 KiB limit for one argument
	printf 'ATTACH %s AS r;\n%s\n' "$(sql_text "$rep")" "$script" |
		sqlite3 "$SRC_DB" >"$T/replica.diff"
	if [[ -s $T/replica.diff ]]; then
		head -n 20 "$T/replica.diff" >&2
		fail "the replica differs from the source (values as typeof:hex)"
	fi
}

# compare_table_sql TABLE EXPR...: SQL printing how main.TABLE and r.TABLE
# differ; EXPRs encode the columns, joined into one value a row so that
# EXCEPT compares whole rows (hex never holds '|').
compare_table_sql() {
	local q e= x label=$1
	q=$(sql_ident "$1")
	shift
	for x in "$@"; do e+=${e:+" || '|' || "}$x; done
	printf '%s\n' "SELECT $(sql_text "$label") || ': ' || (SELECT count(*) FROM main.$q) || ' rows in the source, '
		|| (SELECT count(*) FROM r.$q) || ' in the replica'
		WHERE (SELECT count(*) FROM main.$q) <> (SELECT count(*) FROM r.$q);" \
		"SELECT $(sql_text "$label: only in the source: ") || x FROM (SELECT $e AS x FROM main.$q EXCEPT SELECT $e FROM r.$q);" \
		"SELECT $(sql_text "$label: only in the replica: ") || x FROM (SELECT $e AS x FROM r.$q EXCEPT SELECT $e FROM main.$q);"
}

# apply_and_compare REPLICA: apply to a replica; verify says equal (exit 0);
# the independent comparison agrees.
apply_and_compare() {
	local rep=$1
	cdc apply --to "sqlite:$rep"
	cdc verify --against "sqlite:$rep"
	check_replica_equals_source "$rep"
}

# crash_scenario POINT: Persons loaded; changes A; a run killed at POINT
# (CDCPACK_FAULT=crash:POINT) while a writer makes changes W; changes B; runs
# until idle. Then: the replica equals the source; the cdc rows of all
# published batches are exactly A, W, B in order (none lost, none twice);
# the chain has no gap; changelog seq ranges are disjoint; nothing is left
# under the temp prefix; no object published before the rerun changed. A
# includes a key change (PersonID 2 -> 200), which ships as D(old) + I(new).
crash_scenario() {
	local point=$1 got=0 writer i
	persons_loaded
	sql "UPDATE Persons SET FullName = 'ABC XYZ' WHERE PersonID = 7;
	     INSERT INTO Persons VALUES(130, 'Alica Bing', 'New York');
	     UPDATE Persons SET PersonID = 200 WHERE PersonID = 2;
	     DELETE FROM Persons WHERE PersonID = 10;"
	(
		for i in 1 2 3 4; do
			sql "INSERT INTO Persons VALUES(30$i, 'Writer $i', 'W-town');
				UPDATE Persons SET City = 'Moved $i' WHERE PersonID = 1$i;"
		done
	) &
	writer=$!
	# (the braces keep bash's "Killed" notice out of the test output)
	{ CDCPACK_FAULT=crash:$point "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
	wait "$writer" || fail "the concurrent writer failed"
	if ((got != 137)); then
		cat "$T/crash.err" >&2
		fail "run with CDCPACK_FAULT=crash:$point exited $got, expected 137 (SIGKILL)"
	fi
	assert_contains "$T/crash.err" "crash at $point"
	# Whatever was published before the rerun must keep its bytes.
	published | xargs -r -d '\n' sha256sum >"$T/before.sha"
	sql "INSERT INTO Persons VALUES(131, 'Malinda Bing', 'Detroit');
	     UPDATE Persons SET City = 'Boston' WHERE PersonID = 130;
	     DELETE FROM Persons WHERE PersonID = 200;"
	run_until_idle
	sha256sum --quiet -c "$T/before.sha" >"$T/sha.err" 2>&1 ||
		fail "an object published before the rerun changed: $(cat "$T/sha.err")"

	cdc_rows >"$T/rows.csv"
	{
		printf '%s\n' 'U,7,ABC XYZ,Phoenix' 'I,130,Alica Bing,New York' \
			'D,2,Carla Nguyen,Chicago' 'I,200,Carla Nguyen,Chicago' 'D,10,Jack Hicks,Houston'
		for i in 1 2 3 4; do
			printf 'I,30%s,Writer %s,W-town\n' "$i" "$i"
			printf 'U,1%s,%s,Moved %s\n' "$i" "$(persons_name "1$i")" "$i"
		done
		printf '%s\n' 'I,131,Malinda Bing,Detroit' 'U,130,Alica Bing,Boston' 'D,200,Carla Nguyen,Chicago'
	} >"$T/want.csv"
	assert_same_file "$T/want.csv" "$T/rows.csv" \
		"crash at $point: cdc rows of all published batches are not the changes made, once each"
	check_chain
	assert_eq "" "$(temp_objects)" "crash at $point: objects left under the temp prefix"
	apply_and_compare "$T/replica.db"
}

# crashed POINT [ARGS...]: `cdcpack ARGS` (default: run) with
# CDCPACK_FAULT=crash:POINT is killed there (SIGKILL, exit 137); its output
# is in $T/crash.out and $T/crash.err.
crashed() {
	local point=$1 got=0
	shift
	# (the braces keep bash's "Killed" notice out of the test output)
	{ CDCPACK_FAULT=crash:$point "$CDCPACK" "${@:-run}" >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
	assert_eq 137 "$got" "exit status of cdcpack ${*:-run} killed at $point ($(tail -n 3 "$T/crash.err"))"
	assert_contains "$T/crash.err" "crash at $point"
}

# persons_name ID: the FullName persons_db gives row ID.
persons_name() {
	local first=(Ann Bob Carla Dev Eve Farid Gus) last=(Smith Ortiz Nguyen Khan Berg)
	printf '%s %s' "${first[$1 % 7]}" "${last[$1 % 5]}"
}

# start_held NAME POINT MS ARGS...: starts `cdcpack ARGS` in the background
# with CDCPACK_FAULT=delay:POINT:MS and waits until it sleeps at POINT. Its
# pid is in HELD_PID, its stderr in $T/NAME.err.
start_held() {
	local name=$1 point=$2 ms=$3 i
	shift 3
	: >"$T/$name.err"
	CDCPACK_FAULT=delay:$point:$ms "$CDCPACK" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	HELD_PID=$!
	for ((i = 0; i < 200; i++)); do
		[[ $(<"$T/$name.err") == *"delay at $point"* ]] && return 0
		kill -0 "$HELD_PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "cdcpack $* never reached $point: $(cat "$T/$name.err")"
}

# wait_exit PID SECONDS: waits for PID to end, at most SECONDS (then kills it
# and fails); its exit status is in EXIT_STATUS.
wait_exit() {
	local pid=$1 i
	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null || true
		fail "process $pid still running after $2 s"
	fi
	EXIT_STATUS=0
	wait "$pid" || EXIT_STATUS=$?
}

# wait_for SECONDS WHAT COMMAND...: polls until COMMAND succeeds.
wait_for() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	fail "timed out after $secs s waiting for $what"
}

# core_start_capture MODE: configures capture mode MODE (trigger or
# snapshot) and publishes the first batch: triggers install + load, or the
# first snapshot run (a load).
core_start_capture() {
	if [[ $1 == trigger ]]; then
		core_config
		cdc triggers install
		cdc load
	else
		core_config '[capture]' 'mode = snapshot'
		cdc run
	fi
}

# triggers_of TABLE [EVENT]: the names of TABLE's triggers (AFTER EVENT's
# only, when given), sorted.
triggers_of() {
	sqlite3 "$SRC_DB" "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = '$1'
	  AND sql LIKE '% AFTER ${2:-}%' ORDER BY name"
}

# drop_triggers_sql TABLE: DROP TRIGGER statements for TABLE's triggers.
drop_triggers_sql() {
	triggers_of "$1" | sed 's/.*/DROP TRIGGER "&";/'
}

# legacy_triggers_sql TABLE KEY COL...: the four triggers cdcpack made
# before it made three short-named ones, as it wrote them (typed images,
# version 1): <changelog>_<table>_ai, _au (update keeping the key), _ak
# (changing it: D + I) and _ad. KEY is the first column, COLs the others
# in the table's order.
legacy_triggers_sql() {
	local t=$1 key=$2 c i=1 o='' n='' oc='' nc=''
	shift
	for c in "$@"; do
		o+=", OLD.\"$c\"" n+=", NEW.\"$c\"" oc+=", o$i" nc+=", n$i"
		i=$((i + 1))
	done
	local log="INSERT INTO \"cdcpack_changelog\"(op, tbl, ver"
	local same="typeof(OLD.\"$key\") IS typeof(NEW.\"$key\") AND OLD.\"$key\" IS NEW.\"$key\" COLLATE BINARY"
	echo "CREATE TRIGGER \"cdcpack_changelog_${t}_ai\" AFTER INSERT ON \"$t\" BEGIN $log$nc) VALUES('I', '$t', 1$n); END;"
	echo "CREATE TRIGGER \"cdcpack_changelog_${t}_au\" AFTER UPDATE ON \"$t\" WHEN $same BEGIN $log$oc$nc) VALUES('U', '$t', 1$o$n); END;"
	echo "CREATE TRIGGER \"cdcpack_changelog_${t}_ak\" AFTER UPDATE ON \"$t\" WHEN NOT ($same) BEGIN $log$oc) VALUES('D', '$t', 1$o);$log$nc) VALUES('I', '$t', 1$n); END;"
	echo "CREATE TRIGGER \"cdcpack_changelog_${t}_ad\" AFTER DELETE ON \"$t\" BEGIN $log$oc) VALUES('D', '$t', 1$o); END;"
}
