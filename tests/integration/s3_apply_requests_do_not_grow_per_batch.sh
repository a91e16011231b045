#!/usr/bin/env bash
# apply from S3 makes the requests its design needs and no more, counted in
# the front's request log: one GET of the chain claim, one LIST of the
# source's prefix (per 1,000 keys), one GET per batch it applies. No HEAD
# before a GET, no LIST or claim read per batch, no request answered
# other than 200 (a retry hidden behind an error), no write. The replica
# it builds from small and large batches equals the source. An apply with
# nothing new reads the claim and lists; one after two more runs fetches
# those two only. `ls` is one LIST, `status` one HEAD (its reachability
# probe).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
sqlite3 src.db "CREATE TABLE big(id INTEGER PRIMARY KEY, name TEXT, amount REAL, payload BLOB)"
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load

# 11 runs, each publishing a batch: small ones (a few rows of t) and, every
# fourth, a large one (20,000 inserts into big and updates and deletes of
# its earlier rows).
changes() { # changes RUN
	local i=$1
	if ((i % 4 == 0)); then
		sqlite3 src.db "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 20000)
			INSERT INTO big(name, amount, payload) SELECT 'run $i row ' || k, k * 0.5, randomblob(k % 64) FROM n;
			UPDATE big SET name = name || ' changed' WHERE id % 5 = $((i % 5));
			DELETE FROM big WHERE id % 11 = $((i % 11)) AND id < $((i * 1000));"
	else
		sqlite3 src.db "INSERT INTO t VALUES ($i, 'run $i'); UPDATE t SET v = v || '+' WHERE id = $((i - 1));
			DELETE FROM t WHERE id = $((i - 2)) AND id % 3 = 0;"
	fi
}
for i in $(seq 1 11); do
	changes "$i"
	assert_status 0 "$CDCPACK" run
done
n=12 # the load and 11 cdc batches
assert_eq $n "$(sqlite3 state/state.db 'SELECT count(*) FROM batches')" "batches published"

# apply_requests LABEL BATCHES: runs apply over a fresh request log and
# checks that it asked for exactly the claim, one listing and BATCHES
# archives, each once, every answer 200.
apply_requests() {
	local label=$1 batches=$2
	s3_reset
	assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
	s3_log >"$label.log"
	local claim="$S3_PREFIX/_cdcpack/claims/cdc/src.json"
	assert_eq "$((batches + 2))" "$(jq -s 'length' "$label.log")" \
		"requests of $label (the claim, one LIST, $batches archives): $(jq -sc 'map([.method, .url])' "$label.log")"
	assert_eq 1 "$(jq -s 'map(select(.method == "GET" and (.url | contains("list-type=2")))) | length' "$label.log")" \
		"LIST requests of $label"
	assert_eq '["GET"]' "$(jq -sc --arg k "$claim" 'map(select(.key == $k) | .method)' "$label.log")" \
		"requests on the claim in $label"
	assert_eq "$batches" "$(jq -s --arg p "$S3_PREFIX/cdc/" 'map(select(.method == "GET" and (.key // "" | startswith($p)))) | length' "$label.log")" \
		"archives fetched by $label"
	assert_eq "$batches" "$(jq -s --arg p "$S3_PREFIX/cdc/" 'map(select(.key // "" | startswith($p)) | .key) | unique | length' "$label.log")" \
		"distinct archives fetched by $label (each once)"
	assert_eq 0 "$(jq -s 'map(select(.status != 200)) | length' "$label.log")" "answers other than 200 in $label"
	assert_eq 0 "$(jq -s 'map(select(.method != "GET")) | length' "$label.log")" "requests other than GET in $label"
}

apply_requests "first apply" $n
assert_contains last.out "applied $n batch(es)"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
assert_eq "$(sqlite_dump_tables src.db)" "$(sqlite_dump_tables replica.db)" "replica tables"

apply_requests "apply with nothing new" 0
assert_contains last.out "applied 0 batch(es)"

for i in 12 13; do
	changes "$i"
	assert_status 0 "$CDCPACK" run
done
apply_requests "apply of two new batches" 2
assert_contains last.out "applied 2 batch(es)"
assert_eq "$(sqlite_dump_tables src.db)" "$(sqlite_dump_tables replica.db)" "replica tables after the new batches"

s3_reset
assert_status 0 "$CDCPACK" ls
assert_eq $((n + 2)) "$(grep -c " cdc/src/" last.out)" "batches ls shows"
assert_eq '[["GET",true]]' "$(s3_log | jq -sc 'map([.method, (.url | contains("list-type=2"))])')" "requests of ls"
s3_reset
assert_status 0 "$CDCPACK" status
assert_eq '["HEAD"]' "$(s3_log | jq -sc 'map(.method)')" "requests of status"
