#!/usr/bin/env bash
# End to end to the local S3 server (s3rver behind the SigV4-checking front):
# cdcpack load of the table published to s3:// vs the same rows through
# sqlite3 -csv | zstd -3 and `aws s3 cp`.
source "$(dirname "$0")/lib.sh"
cd "$W"
mkdir -p "$W/run" && bash "$ROOT/tests/lib/service-s3.sh" start "$W/run" >"$W/s3.log" 2>&1 || { cat "$W/s3.log" >&2; exit 1; }
trap 'bash "$ROOT/tests/lib/service-s3.sh" stop "$W/run" >/dev/null 2>&1; rm -rf "$W"' EXIT
source "$W/run/s3.env"
export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=
make_table src.db "$BENCH_ROWS"
bench_config s3.conf "sqlite:$W/src.db" "s3://$CDCPACK_TEST_S3_BUCKET/bench" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
	"[batch]" "max_rows = 100000000"
# Each run starts a new chain: a fresh state dir and an empty prefix (cdcpack
# refuses a fresh state dir over a prefix that already holds its batches).
measure "rm -rf '$W/state' && /usr/bin/aws --endpoint-url '$CDCPACK_TEST_S3_ENDPOINT' --region '$CDCPACK_TEST_S3_REGION' s3 rm --only-show-errors --recursive 's3://$CDCPACK_TEST_S3_BUCKET/bench/'" \
	"'$CDCPACK' -q -c '$W/s3.conf' load"
ours=$MEDIAN ours_rss=$RSS
measure "rm -f '$W/peer.csv.zst'" "sqlite3 -csv '$W/src.db' 'select * from t' | zstd -3 -q >'$W/peer.csv.zst' &&
	/usr/bin/aws --endpoint-url '$CDCPACK_TEST_S3_ENDPOINT' --region '$CDCPACK_TEST_S3_REGION' s3 cp --only-show-errors '$W/peer.csv.zst' 's3://$CDCPACK_TEST_S3_BUCKET/peer/t.csv.zst'"
row "load ${BENCH_ROWS} rows to S3, end to end" "$ours" "sqlite3|zstd + aws s3 cp" "$MEDIAN" "$ours_rss" "$RSS" "<= 1.0"
