#!/usr/bin/env bash
# A store without conditional writes, whether it ignores If-None-Match and
# overwrites or answers 501 NotImplemented: cdcpack notices before its first
# publish, warns once per run, checks with HEAD before each copy instead, and
# still publishes every batch once and never over an existing key.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
B=$CDCPACK_TEST_S3_BUCKET
export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
export AWS_SHARED_CREDENTIALS_FILE=/nonexistent
unset AWS_SESSION_TOKEN AWS_PROFILE

for mode in false '"not_implemented"'; do
	s3_reset
	s3_mode "{\"conditional_writes\": $mode}"
	dir=$T/m${mode//\"/}
	mkdir -p "$dir"
	write_config "$dir/cdcpack.conf" "sqlite:$dir/shop.db" "s3://$B/$S3_PREFIX/${mode//\"/}" \
		"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
		'[batch]' 'max_rows = 2'
	sed -i "s|^dir = .*|dir = $dir/state|" "$dir/cdcpack.conf"
	export CDCPACK_CONFIG=$dir/cdcpack.conf
	sqlite3 "$dir/shop.db" "CREATE TABLE Persons(id INTEGER PRIMARY KEY, name TEXT);"
	assert_status 0 "$CDCPACK" triggers install
	sqlite3 "$dir/shop.db" "INSERT INTO Persons VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e');"
	assert_status 0 "$CDCPACK" run # max_rows = 2: three batches in one run
	assert_eq 1 "$(grep -c 'conditional writes' "$T/last.err")" \
		"warnings about conditional writes with mode $mode ($(cat "$T/last.err"))"
	assert_eq 3 "$(sqlite3 "$dir/state/state.db" 'SELECT count(*) FROM batches')" "batches"

	s3_log >"$dir/requests.log"
	copies=$(jq -s 'map(select(.op == "CopyObject"))' "$dir/requests.log")
	# three batches and the claim of the source name (src/claim.h)
	assert_eq 4 "$(jq 'length' <<<"$copies")" "CopyObject requests with mode $mode"
	assert_eq 0 "$(jq 'map(select(.headers | index("if-none-match"))) | length' <<<"$copies")" \
		"CopyObject requests still sending If-None-Match after the fallback"
	# the request on a key just before its copy is a HEAD that found nothing there
	jq -se 'to_entries as $e | [$e[] | select(.value.op == "CopyObject") | .key as $i |
		.value.key as $k | [$e[:$i][] | select(.value.key == $k)] | last | .value |
		[.op, .status]] | length == 4 and all(. == ["HEAD", 404])' "$dir/requests.log" >/dev/null ||
		fail "a copy without a HEAD of its destination just before it (mode $mode)"

	assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/${mode//\"/}/"
	assert_eq 3 "$(grep -c "/cdc/shop/" "$T/last.out")" "objects published with mode $mode"
	assert_contains "$T/last.out" "/_cdcpack/claims/cdc/shop.json"
	assert_eq 4 "$(wc -l <"$T/last.out")" "objects with mode $mode"
	assert_not_contains "$T/last.out" "_tmp/"
	assert_status 0 "$CDCPACK" apply --to "sqlite:$dir/replica.db"
	assert_eq "$(sqlite_dump_tables "$dir/shop.db")" "$(sqlite_dump_tables "$dir/replica.db")" \
		"replica with mode $mode"
done
