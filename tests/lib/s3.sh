# shellcheck shell=bash
# Sourced by S3 integration tests, after tests/lib/common.sh. Needs the
# variables tests/lib/service-s3.sh writes to RUNDIR/s3.env (run.sh sources it).
#
#   s3_reset                 clear fault rules, mode and request log (call first)
#   s3_faults 'JSON'         replace the fault rules (tests/s3/README.md)
#   s3_mode 'JSON'           e.g. '{"conditional_writes": false}'
#   s3_log                   the request log, one JSON object per line
#   aws_s3 ARGS / aws_s3api ARGS
#                            /usr/bin/aws against the test server with the test
#                            keys only (no user config, profile or pager)
#   s3_curl ARGS             curl signing with SigV4 (curl's own signer) with the
#                            test keys; add -H "x-amz-content-sha256: ..."
#   s3_req METHOD URL [FILE [CURL ARGS]]
#                            a signed request with the right x-amz-content-sha256;
#                            prints the HTTP status (000: connection failed or
#                            cut), body in $T/s3.body
#   s3_url KEY               path-style URL of KEY in the test bucket
#   $S3_PREFIX               a key prefix unique to this test

: "${CDCPACK_TEST_S3_ENDPOINT:?S3 test server not running: start it with tests/lib/service-s3.sh and source RUNDIR/s3.env}"
: "${CDCPACK_TEST_S3_CONTROL:?}" "${CDCPACK_TEST_S3_BUCKET:?}" "${CDCPACK_TEST_S3_REGION:?}"
: "${CDCPACK_TEST_S3_ACCESS_KEY:?}" "${CDCPACK_TEST_S3_SECRET_KEY:?}"

S3_PREFIX=${S3_PREFIX:-$(basename "$T")}
S3_EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# s3_control METHOD PATH [JSON]: a call to the front's control API
s3_control() {
	local args=(-sS --max-time 10 --fail-with-body -X "$1")
	[[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
	curl "${args[@]}" "$CDCPACK_TEST_S3_CONTROL$2"
}

s3_reset() { s3_control POST /reset >/dev/null; }
s3_faults() { s3_control POST /faults "$1" >/dev/null; }
s3_mode() { s3_control POST /mode "$1" >/dev/null; }
s3_log() { s3_control GET "/log${1:+?since=$1}"; }
s3_credlog() { s3_control GET "/credlog${1:+?since=$1}"; }

# s3_creds_setup: a clean front, B = the test bucket, and s3_chain_clear.
s3_creds_setup() {
	s3_reset
	B=$CDCPACK_TEST_S3_BUCKET
	s3_chain_clear
}

# s3_chain_clear: no credential source set up at all: no keys in the
# environment, no web identity, no profile files, no container endpoint, and
# instance metadata on a loopback port nobody listens on (fails at once). A
# test then sets up the one source it tests.
s3_chain_clear() {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
		AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME \
		AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI \
		AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \
		AWS_EC2_METADATA_DISABLED AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_REGION AWS_DEFAULT_REGION
	export AWS_SHARED_CREDENTIALS_FILE=$T/nonexistent/credentials AWS_CONFIG_FILE=$T/nonexistent/config
	export AWS_ENDPOINT_URL_STS=$CDCPACK_TEST_CREDS_ENDPOINT
	export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9
}

# The AWS CLI from Debian (/usr/bin/aws, v2), never one earlier in PATH, and
# nothing from the user's ~/.aws: only the test keys reach the test server.
s3_aws() {
	env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_SECURITY_TOKEN -u AWS_CA_BUNDLE -u AWS_ENDPOINT_URL \
		AWS_ACCESS_KEY_ID="${AWS_TEST_ACCESS_KEY:-$CDCPACK_TEST_S3_ACCESS_KEY}" \
		AWS_SECRET_ACCESS_KEY="${AWS_TEST_SECRET_KEY:-$CDCPACK_TEST_S3_SECRET_KEY}" \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		AWS_DEFAULT_REGION="$CDCPACK_TEST_S3_REGION" AWS_EC2_METADATA_DISABLED=true \
		AWS_PAGER= AWS_CLI_AUTO_PROMPT=off \
		/usr/bin/aws --endpoint-url "$CDCPACK_TEST_S3_ENDPOINT" --region "$CDCPACK_TEST_S3_REGION" --no-cli-pager "$@"
}
aws_s3() { s3_aws s3 "$@"; }
aws_s3api() { s3_aws s3api "$@"; }

s3_curl() {
	curl -sS --max-time 30 --aws-sigv4 "aws:amz:$CDCPACK_TEST_S3_REGION:s3" \
		--user "$CDCPACK_TEST_S3_ACCESS_KEY:$CDCPACK_TEST_S3_SECRET_KEY" "$@"
}

s3_url() { echo "$CDCPACK_TEST_S3_ENDPOINT/$CDCPACK_TEST_S3_BUCKET/$1"; }

s3_req() {
	local method=$1 url=$2 file=${3:-} sha=$S3_EMPTY_SHA256
	shift $(($# < 3 ? $# : 3))
	local args=(-o "$T/s3.body" -w '%{http_code}')
	if [[ $method == HEAD ]]; then args+=(-I); else args+=(-X "$method"); fi
	if [[ -n $file ]]; then
		sha=$(sha256sum "$file" | cut -d' ' -f1)
		# -T streams the file (--data-binary reads it whole) but appends
		# the file name to a URL ending in "/"
		if [[ $url == */ ]]; then args+=(--data-binary "@$file"); else args+=(-T "$file"); fi
		args+=(-H 'Content-Type: application/octet-stream')
	fi
	local status
	# a transfer cut short (reset) prints 000, whatever came before
	status=$(s3_curl "${args[@]}" -H "x-amz-content-sha256: $sha" "$@" "$url") || status=000
	echo "$status"
}

# s3_client_setup: what every cdcpack-against-S3 test starts with: a clean
# front (no faults, empty log), B = the test bucket, and cdcpack's AWS
# credential chain pointed at the test keys only (no profile, no token).
s3_client_setup() {
	s3_reset
	B=$CDCPACK_TEST_S3_BUCKET
	export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
	export AWS_SHARED_CREDENTIALS_FILE=/nonexistent
	unset AWS_SESSION_TOKEN AWS_PROFILE
}

# s3_sqlite_loaded: the source $T/src.db, t(id INTEGER PRIMARY KEY, v TEXT)
# holding row (0, 'zero'), published to s3://$B/$S3_PREFIX by the config
# $CDCPACK_CONFIG; triggers installed and the load published. After
# s3_client_setup.
s3_sqlite_loaded() {
	s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
	assert_status 0 "$CDCPACK" load
}

# s3_sqlite_source [TARGET LINE...]: the same source and config ([target]
# lines as given), triggers installed, nothing published yet.
s3_sqlite_source() {
	write_config "$T/cdcpack.conf" "sqlite:$T/src.db" "s3://$B/$S3_PREFIX" "$@"
	export CDCPACK_CONFIG=$T/cdcpack.conf
	sqlite3 "$T/src.db" "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES(0, 'zero');"
	assert_status 0 "$CDCPACK" triggers install
}

# s3_next_run_publishes SEQ KEY FILE: with that source, a batch a failed run
# left behind: the next `run` exits 0 and publishes batch SEQ at cdc/KEY, byte
# for byte its staged archive (state/FILE), deletes its temp object and
# empties the changelog.
s3_next_run_publishes() {
	local seq=$1 key=$2 file=$3
	assert_status 0 "$CDCPACK" run
	assert_eq 200 "$(s3_req GET "$(s3_url "$S3_PREFIX/cdc/$key")")" "GET the final object of batch $seq"
	cmp -s "$T/s3.body" "$T/state/$file" || fail "the final object of batch $seq is not the staged archive"
	assert_eq 404 "$(s3_req HEAD "$(s3_url "$S3_PREFIX/_tmp/$key")")" "HEAD the temp key of batch $seq once published"
	assert_eq 0 "$(sqlite3 "$T/src.db" "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" \
		"changelog rows after publishing batch $seq"
}
