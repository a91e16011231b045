#!/usr/bin/env bash
# The lake layout (issue 13), MySQL -> S3, no compression, no date folders:
# the AWS CLI lists the lake keys on the S3 server (DMS's layout, <schema> =
# the MySQL database); they are downloaded with the AWS CLI (DuckDB's
# httpfs extension is not bundled and would be fetched from the network, so
# the test reads a plain copy) and DuckDB, with the shipped merge
# (examples/lake/merge.sql), rebuilds each table as the MariaDB client
# dumps it. Every lake key was written once (the server's request log).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/s3.sh"
source "$ROOT/tests/lib/lake.sh"
s3_reset
export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
export AWS_SHARED_CREDENTIALS_FILE=/nonexistent
unset AWS_SESSION_TOKEN AWS_PROFILE

db=$(mysql_fresh_db lake_s3)
mysql_exec "$db" "CREATE TABLE acct (id INT PRIMARY KEY, owner VARCHAR(40), bal DECIMAL(10,2), opened DATE);
	CREATE TABLE tag (k VARCHAR(20) PRIMARY KEY, note TEXT);
	INSERT INTO acct VALUES (1, 'ann', 10.50, '2026-01-02'), (2, 'bob, jr', NULL, NULL), (3, '', 0.00, '2026-12-31');
	INSERT INTO tag VALUES ('a', 'x'), ('b', NULL);"
write_config "$CDCPACK_CONFIG" "$(mysql_url "$db")" "s3://$CDCPACK_TEST_S3_BUCKET/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
	'[lake]' 'prefix = lake/'
sed -i 's|^url = mysql:.*|&\nname = chain|' "$CDCPACK_CONFIG"
cdc triggers install
cdc load
for round in 1 2; do
	mysql_exec "$db" "INSERT INTO acct VALUES (1$round, 'new $round', $round.25, '2026-0$round-01');
		UPDATE acct SET bal = bal + 1 WHERE id = 1;
		UPDATE acct SET id = id + 100 WHERE id = $((round + 1));
		DELETE FROM acct WHERE id = 11 AND $round = 2;
		INSERT INTO tag VALUES ('n$round', 'say \"hi\"');
		UPDATE tag SET note = NULL WHERE k = 'a' AND $round = 2;
		DELETE FROM tag WHERE k = 'b' AND $round = 1;"
	cdc run
done

aws_s3 ls --recursive "s3://$CDCPACK_TEST_S3_BUCKET/$S3_PREFIX/lake/" >"$T/ls" || fail "aws s3 ls: $(cat "$T/ls")"
awk '{ print $4 }' "$T/ls" | sed "s|^$S3_PREFIX/lake/||" | LC_ALL=C sort >"$T/keys"
lake_check_keys "$T/keys"
for want in "$db/acct/LOAD00000001.csv" "$db/tag/LOAD00000001.csv"; do
	grep -qx "$want" "$T/keys" || fail "no $want in the listing: $(cat "$T/keys")"
done
assert_eq 2 "$(grep -Ec "^$db/acct/[0-9]{8}-[0-9]{9}\.csv$" "$T/keys")" "acct change objects"
# Each lake key was written once.
s3_log | jq -r -s --arg p "$S3_PREFIX/lake/" 'map(select(.status == 200 and (.key // "" | startswith($p))
	and (.op == "PutObject" or .op == "CopyObject" or .op == "CompleteMultipartUpload"))) | group_by(.key)[]
	| select(length > 1) | .[0].key' >"$T/twice"
[[ ! -s $T/twice ]] || fail "lake keys written more than once: $(cat "$T/twice")"

aws_s3 cp --recursive --only-show-errors "s3://$CDCPACK_TEST_S3_BUCKET/$S3_PREFIX/lake/" "$T/lake/" >"$T/cp.out" 2>&1 ||
	fail "aws s3 cp: $(cat "$T/cp.out")"
mysql_exec "$db" "SELECT id, owner, bal, opened FROM acct ORDER BY id" | sed 's/\bNULL\b/\\N/g' >"$T/src.acct"
lake_merge "$T/lake/$db/acct" id,owner,bal,opened id | sort -t$'\t' -k1,1n >"$T/lake.acct"
assert_same_rows "$T/src.acct" "$T/lake.acct" acct
mysql_exec "$db" "SELECT k, note FROM tag ORDER BY k" | sed 's/\tNULL$/\t\\N/' >"$T/src.tag"
lake_merge "$T/lake/$db/tag" k,note k | LC_ALL=C sort >"$T/lake.tag"
assert_same_rows "$T/src.tag" "$T/lake.tag" tag
