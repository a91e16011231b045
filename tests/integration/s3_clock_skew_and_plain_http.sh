#!/usr/bin/env bash
# A server whose clock is an hour off refuses the first request with
# RequestTimeTooSkewed; cdcpack takes the offset from <ServerTime>, warns,
# signs with the server's time and publishes. A plain http:// endpoint that is
# not on loopback gets a warning (bodies and signed headers travel in clear);
# a loopback one does not.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_reset
B=$CDCPACK_TEST_S3_BUCKET
export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
export AWS_SHARED_CREDENTIALS_FILE=/nonexistent
unset AWS_SESSION_TOKEN AWS_PROFILE
write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
export CDCPACK_CONFIG=$T/cdcpack.conf
sqlite3 shop.db "CREATE TABLE Persons(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO Persons VALUES (1, 'a');"

s3_mode '{"clock_skew_s": 3600}'
assert_status 0 "$CDCPACK" load
assert_contains last.err "the local clock is -3600s off the server's"
assert_not_contains last.err "plain http"
s3_log >skew.log
# the first HEAD, and the GET that fetched the error body a HEAD reply cannot carry
assert_eq '["HEAD","GET"]' "$(jq -sc 'map(select(.code == "RequestTimeTooSkewed") | .method)' skew.log)" \
	"requests refused for clock skew"
s3_mode '{"clock_skew_s": 0}' # the AWS CLI does not correct for it
assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/cdc/"
assert_eq 1 "$(wc -l <last.out)" "published archives"

# not loopback: warned about, once (max_retries = 0: the name does not resolve)
write_config "$T/remote.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = http://cdcpack-test.invalid:9" "region = $CDCPACK_TEST_S3_REGION" "max_retries = 0"
CDCPACK_CONFIG=$T/remote.conf assert_status 3 "$CDCPACK" ls
assert_eq 1 "$(grep -c 'plain http on a non-loopback host' last.err)" "plain-http warnings"
assert_contains last.err "cdcpack-test.invalid"
