#!/usr/bin/env bash
# Every field of `status --json` against what is known independently, in
# each capture mode, from SQLite and MariaDB sources, to file: and S3
# targets: pending per table and in all, and the oldest pending change,
# counted in the changelog with the database's own client; batches and the
# last published batch against the archives listed at the target (find, the
# AWS CLI) and read back (its rows, its chain). In snapshot mode nothing
# says what changed since the last run without a full scan: pending and lag
# are null with the reason, never 0. A target that cannot be reached says
# so. Every report validates against schemas/report.schema.json.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
source "$ROOT/tests/lib/mysql.sh"
s3_client_setup

# keys DIR: the archives at the case's target, in batch order
keys() {
	if [[ $target == file:* ]]; then
		(cd "${target#file:}" && find cdc -type f -name '*.tar*' -printf '%f\t%p\n' | LC_ALL=C sort | cut -f2)
	else
		aws_s3 ls --recursive "$target/cdc/" | awk '{ print $4 }' | sed "s|^$S3_PREFIX/$case/||" |
			awk -F/ '{ print $NF "\t" $0 }' | LC_ALL=C sort | cut -f2
	fi
}
# fetch KEY FILE
fetch() {
	if [[ $target == file:* ]]; then cp "${target#file:}/$1" "$2"; else aws_s3 cp --only-show-errors "$target/$1" "$2"; fi
}
# src SQL: on the case's source
src() {
	if [[ $driver == sqlite ]]; then sqlite3 "$case/src.db" "$1"; else mysql_exec "$db" "$1"; fi
}
n=0
# status_json: the report, validated; in s<n>.json
status_json() {
	n=$((n + 1))
	t0=$(date -u +%s.%N)
	assert_status 0 "$CDCPACK" -c "$case/c.conf" --json status
	t1=$(date -u +%s.%N)
	cp last.out "s$n.json"
	/usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/report.schema.json" "s$n.json" ||
		fail "$case: status report does not match the schema: $(cat "s$n.json")"
}
field() { jq -r "$1" "s$n.json"; }

# check_published: batches and last_published against the target
check_published() {
	keys >keys.txt
	local count last
	count=$(wc -l <keys.txt)
	last=$(tail -n 1 keys.txt)
	assert_eq "$count" "$(field .batches.acked)" "$case: acked batches vs archives at the target"
	assert_eq 0 "$(field '.batches.staged + .batches.uploaded + .batches.published')" "$case: unfinished batches"
	assert_eq "$last" "$(field .last_published.key)" "$case: last published key"
	fetch "$last" last.tar
	tar -xOf last.tar manifest.json >last.json
	assert_eq "$(jq '[.tables[].rows] | add' last.json)" "$(field .last_published.rows)" "$case: rows of the last batch"
	assert_eq "$(jq -r .batch.id last.json)" "$(field .last_published.id)" "$case: id of the last batch"
	assert_eq "$(jq -r .batch.chain last.json)" "$(field .chain)" "$case: chain"
}

# check_pending: pending fields against the changelog (trigger) or null (snapshot)
check_pending() {
	assert_eq "$mode" "$(field .mode)" "$case: mode"
	if [[ $mode == snapshot ]]; then
		assert_eq "null null null" "$(field '[.pending, .lag_seconds, .oldest_pending] | map(tostring) | join(" ")')" \
			"$case: pending, lag, oldest in snapshot mode"
		[[ $(field .pending_unknown) == "snapshot mode: "* ]] || fail "$case: pending_unknown is [$(field .pending_unknown)]"
		assert_eq "t1:null t2:null" "$(field '[.tables[] | "\(.name):\(.pending)"] | join(" ")')" "$case: tables"
		"$CDCPACK" -c "$case/c.conf" status >text.out
		assert_contains text.out "pending=unknown"
		assert_contains text.out "lag: unknown"
		return
	fi
	local total per oldest
	total=$(src "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'") # '-': a seq marker
	if [[ $driver == sqlite ]]; then
		per=$(sqlite3 "$case/src.db" "SELECT t.n || ':' || (SELECT count(*) FROM cdcpack_changelog c WHERE c.tbl = t.n)
			FROM (SELECT 't1' AS n UNION ALL SELECT 't2') t ORDER BY t.n" | tr '\n' ' ')
		oldest=$(src "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', min(ts)) FROM cdcpack_changelog WHERE op <> '-'")
	else
		per=$(src "SELECT concat(t.n, ':', (SELECT count(*) FROM cdcpack_changelog c WHERE c.tbl = t.n))
			FROM (SELECT 't1' AS n UNION ALL SELECT 't2') t ORDER BY t.n" | tr '\n' ' ')
		oldest=$(src "SELECT replace(concat(min(ts), 'Z'), ' ', 'T') FROM cdcpack_changelog")
		[[ $oldest != NULL ]] || oldest=
	fi
	assert_eq "$total" "$(field .pending)" "$case: pending"
	assert_eq "${per% }" "$(field '[.tables[] | "\(.name):\(.pending)"] | join(" ")')" "$case: pending per table"
	assert_eq "true true" "$(field '[.tables[] | .installed] | map(tostring) | join(" ")')" "$case: installed"
	assert_eq "null" "$(field .pending_unknown)" "$case: pending_unknown"
	if ((total == 0)); then
		assert_eq "0 null" "$(field '"\(.lag_seconds) \(.oldest_pending)"')" "$case: lag with nothing pending"
	else
		assert_eq "$oldest" "$(field .oldest_pending)" "$case: oldest pending"
		# the oldest change's age when status ran, between its start and end
		local at
		at=$(date -u -d "${oldest%Z}" +%s.%N)
		jq -e --argjson lo "$(echo "$t0 - $at - 0.01" | bc)" --argjson hi "$(echo "$t1 - $at + 0.01" | bc)" \
			'.lag_seconds >= $lo and .lag_seconds <= $hi' "s$n.json" >/dev/null ||
			fail "$case: lag_seconds $(field .lag_seconds), the oldest change ($oldest) was $(echo "$t0 - $at" | bc) to $(echo "$t1 - $at" | bc) s old"
	fi
}

for case in sqlite-trigger-file sqlite-snapshot-s3 mysql-trigger-s3 mysql-snapshot-file; do
	IFS=- read -r driver mode kind <<<"$case"
	mkdir "$case"
	if [[ $kind == file ]]; then target=file:$T/$case/bucket; else target=s3://$B/$S3_PREFIX/$case; fi
	extra=()
	[[ $kind == s3 ]] && extra=("endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION")
	if [[ $driver == sqlite ]]; then
		url=sqlite:$T/$case/src.db
	else
		db=$(mysql_fresh_db "st${mode:0:4}")
		url=$(mysql_url "$db")
	fi
	write_config "$case/c.conf" "$url" "$target" "${extra[@]}" '[capture]' "mode = $mode"
	sed -i "s|^dir = .*|dir = $T/$case/state|" "$case/c.conf"
	src "CREATE TABLE t1(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE t2(id INTEGER PRIMARY KEY, v TEXT);
		INSERT INTO t1 VALUES (1, 'a'); INSERT INTO t2 VALUES (1, 'a'), (2, 'b');"

	# nothing run yet: no state dir, no chain, nothing published
	[[ $mode == snapshot ]] || assert_status 0 "$CDCPACK" -c "$case/c.conf" triggers install
	status_json
	assert_eq "null null 0" "$(field '"\(.chain) \(.last_published) \(.batches | add)"')" "$case: before any run"
	assert_eq "true null" "$(field '"\(.target_reachable) \(.target_error)"')" "$case: target"
	[[ ! -e $case/state ]] || fail "$case: status made a state dir"

	if [[ $mode == snapshot ]]; then
		assert_status 0 "$CDCPACK" -c "$case/c.conf" run
	else
		assert_status 0 "$CDCPACK" -c "$case/c.conf" load
	fi
	src "INSERT INTO t1 VALUES (2, 'b'), (3, 'c'), (4, 'd'); UPDATE t2 SET v = 'x';"
	sleep 1
	status_json
	check_published
	check_pending
	assert_status 0 "$CDCPACK" -c "$case/c.conf" run
	status_json
	check_published
	check_pending
	assert_eq 2 "$(field .batches.acked)" "$case: batches after the run"
done

# a target that cannot be reached says so (and why), status still reports the rest
case=unreachable
mkdir "$case"
sqlite3 "$case/src.db" "CREATE TABLE t1(id INTEGER PRIMARY KEY, v TEXT)"
write_config "$case/c.conf" "sqlite:$T/$case/src.db" "s3://$B/$S3_PREFIX/$case" \
	"endpoint = http://127.0.0.1:9" "region = $CDCPACK_TEST_S3_REGION" "max_retries = 0"
sed -i "s|^dir = .*|dir = $T/$case/state|" "$case/c.conf"
assert_status 0 "$CDCPACK" -c "$case/c.conf" triggers install
status_json
assert_eq false "$(field .target_reachable)" "unreachable target"
[[ $(field .target_error) == "target s3://"*" is not reachable"* ]] || fail "target_error: [$(field .target_error)]"
