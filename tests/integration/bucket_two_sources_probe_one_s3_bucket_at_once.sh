#!/usr/bin/env bash
# Two sources (names a and b, each its own database and state dir, so no
# common lock) publish to one S3 bucket and prefix at the same moment. Each
# run first learns whether the store honours If-None-Match by writing a
# scratch object twice; with one scratch key for the whole bucket, b's probe
# deleted a's in between, a's second write succeeded, and a wrongly concluded
# the store ignores conditional writes (falling back to HEAD checks that
# cannot stop a concurrent writer). Each source probes in its own folder: a's
# first probe write is held while b runs whole; neither warns, both publish,
# and nothing is left under the temp prefix.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup

for s in a b; do
	mkdir "$s"
	sqlite3 "$s/db.sqlite" "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, '$s');"
	write_config "$s/c.conf" "sqlite:$T/$s/db.sqlite" "s3://$B/$S3_PREFIX" \
		"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
	sed -i -e "s|^dir = .*|dir = $T/$s/state|" -e "s|^url = sqlite:.*|&\nname = $s|" "$s/c.conf"
	assert_status 0 "$CDCPACK" -c "$s/c.conf" triggers install
done

probe_held() { s3_control GET /faults | jq -e '.[0].fired >= 1' >/dev/null; }
s3_faults '[{"method": "PUT", "path": "\\.cdcpack-probe", "nth": 1, "action": "slow", "delay_ms": 4000}]'
"$CDCPACK" -c a/c.conf load >a.out 2>a.err &
pid=$!
wait_for 30 "a's first probe write" probe_held
assert_status 0 "$CDCPACK" -c b/c.conf load
cp last.err b.err
wait "$pid" || fail "a's load failed: $(cat a.err)"
s3_faults '[]'
for s in a b; do
	assert_not_contains "$s.err" "conditional writes"
	assert_status 0 "$CDCPACK" -c "$s/c.conf" --json ls
	assert_eq 1 "$(jq '.batches | length' last.out)" "batches of $s"
	assert_status 0 "$CDCPACK" -c "$s/c.conf" apply --to "sqlite:$T/$s/replica.db"
	assert_eq "$(sqlite_dump_tables "$s/db.sqlite")" "$(sqlite_dump_tables "$s/replica.db")" "replica of $s"
done
aws_s3 ls --recursive "s3://$B/$S3_PREFIX/_tmp/" >tmp.ls || true
assert_eq "" "$(cat tmp.ls)" "objects under the temp prefix"
