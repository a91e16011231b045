#!/usr/bin/env bash
# path_style decides the request shape: with a custom endpoint "auto" (and
# "true") put the bucket in the path of every request; "false" puts it in the
# host name (bucket.localhost:PORT), with the path holding the key only. Both
# sign correctly and publish the same archive.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
B=$CDCPACK_TEST_S3_BUCKET
export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
export AWS_SHARED_CREDENTIALS_FILE=/nonexistent
unset AWS_SESSION_TOKEN AWS_PROFILE
port=${CDCPACK_TEST_S3_ENDPOINT##*:}

sqlite3 shop.db "CREATE TABLE Persons(id INTEGER PRIMARY KEY, name TEXT);
	INSERT INTO Persons VALUES (1, 'a'), (2, 'b');"

# publish STYLE ENDPOINT: a load through a fresh state dir; the request log in $STYLE.log
publish() {
	local style=$1 endpoint=$2
	s3_reset
	write_config "$T/$style.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX/$style" \
		"endpoint = $endpoint" "region = $CDCPACK_TEST_S3_REGION" "path_style = $style"
	sed -i "s|^dir = .*|dir = $T/state-$style|" "$T/$style.conf"
	export CDCPACK_CONFIG=$T/$style.conf
	assert_status 0 "$CDCPACK" load
	assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica-$style.db"
	assert_eq "$(sqlite_dump_tables shop.db)" "$(sqlite_dump_tables "replica-$style.db")" \
		"replica published with path_style = $style"
	s3_log >"$style.log"
	assert_eq 0 "$(jq -s 'map(select(.sig_ok != true or .status >= 500)) | length' "$style.log")" \
		"refused or failed requests with path_style = $style"
	jq -s 'length > 5' "$style.log" | grep -q true || fail "too few requests logged: $(cat "$style.log")"
}

publish auto "$CDCPACK_TEST_S3_ENDPOINT"
assert_eq 0 "$(jq -s 'map(select(.vhost)) | length' auto.log)" "virtual-hosted requests with auto"
assert_eq 0 "$(jq -s "map(select(.url | startswith(\"/$B/$S3_PREFIX/auto/\") or startswith(\"/$B?\") | not)) | length" auto.log)" \
	"auto requests whose path does not start with the bucket ($(jq -r .url auto.log | head -3))"
assert_eq 0 "$(jq -s "map(select(.host != \"127.0.0.1:$port\")) | length" auto.log)" "Host headers with auto"

publish true "http://localhost:$port"
assert_eq 0 "$(jq -s 'map(select(.vhost)) | length' true.log)" "virtual-hosted requests with true"
assert_eq 0 "$(jq -s "map(select(.host != \"localhost:$port\")) | length" true.log)" "Host headers with true"

publish false "http://localhost:$port"
assert_eq 0 "$(jq -s 'map(select(.vhost | not)) | length' false.log)" "path-style requests with false"
assert_eq 0 "$(jq -s "map(select(.host != \"$B.localhost:$port\")) | length" false.log)" \
	"Host headers with false ($(jq -r .host false.log | sort -u))"
assert_eq 0 "$(jq -s "map(select(.url | startswith(\"/$S3_PREFIX/false/\") or startswith(\"/?\") | not)) | length" false.log)" \
	"virtual-hosted requests whose path is not the key ($(jq -r .url false.log | head -3))"
assert_eq 0 "$(jq -s "map(select(.url | contains(\"/$B/\"))) | length" false.log)" \
	"virtual-hosted requests naming the bucket in the path"

# the same archive bytes are there whichever way they went up
for style in auto true false; do
	assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/$style/cdc/"
	assert_eq 1 "$(wc -l <last.out)" "archives published with path_style = $style"
done
