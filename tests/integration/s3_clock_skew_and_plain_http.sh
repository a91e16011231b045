#!/usr/bin/env bash
# A server whose clock is an hour off refuses the first request with
# RequestTimeTooSkewed; cdcpack takes the offset from <ServerTime>, warns,
# signs with the server's time and publishes. A plain http:// endpoint that is
# not on loopback gets a warning (bodies and signed headers travel in clear);
# a loopback one does not.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
export CDCPACK_CONFIG=$T/cdcpack.conf
sqlite3 shop.db "CREATE TABLE Persons(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO Persons VALUES (1, 'a');"

s3_mode '{"clock_skew_s": 3600}'
assert_status 0 "$CDCPACK" load
assert_contains last.err "the local clock is -3600s off the server's"
assert_not_contains last.err "plain http"
s3_log >skew.log
# Only the first request is refused (a fresh state dir's one LIST, a GET);
# every request after it is signed with the corrected clock.
assert_eq '["GET"]' "$(jq -sc 'map(select(.code == "RequestTimeTooSkewed") | .method)' skew.log)" \
	"requests refused for clock skew"
assert_eq '"RequestTimeTooSkewed"' "$(jq -sc 'min_by(.seq) | .code' skew.log)" \
	"the refused request is the run's first"
s3_mode '{"clock_skew_s": 0}' # the AWS CLI does not correct for it
assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/cdc/"
assert_eq 1 "$(wc -l <last.out)" "published archives"

# not loopback: warned about, once (max_retries = 0: the name does not resolve)
write_config "$T/remote.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = http://cdcpack-test.invalid:9" "region = $CDCPACK_TEST_S3_REGION" "max_retries = 0"
CDCPACK_CONFIG=$T/remote.conf assert_status 3 "$CDCPACK" ls
assert_eq 1 "$(grep -c 'plain http on a non-loopback host' last.err)" "plain-http warnings"
assert_contains last.err "cdcpack-test.invalid"
