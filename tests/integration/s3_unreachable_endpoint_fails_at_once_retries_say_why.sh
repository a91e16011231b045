#!/usr/bin/env bash
# An S3 endpoint that has not answered any request of the command (a closed
# port, a host name that does not resolve: a wrong [target] endpoint, a
# server not running) fails at once, exit 3, naming the cause and that it was
# not retried; before, the default max_retries took half a minute of silence.
# The retries that remain (5xx, throttling, resets) each say on stderr, at
# the default log level, what failed and when the next attempt comes.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
s3_sqlite_source "endpoint = http://127.0.0.1:$port" "region = $CDCPACK_TEST_S3_REGION"
for cmd in init run load; do
	start=$SECONDS
	assert_status 3 "$CDCPACK" "$cmd"
	took=$((SECONDS - start))
	assert_contains last.err "127.0.0.1 port $port"
	assert_contains last.err "(not retried: the endpoint has not answered yet; check [target] url and endpoint)"
	assert_not_contains last.err "retry 1 of"
	((took < 10)) || fail "$cmd took ${took}s to give up on a closed port"
done

# a host name that does not resolve (.invalid never does: RFC 6761)
sed -i "s|^endpoint = .*|endpoint = http://cdcpack-test.invalid|" cdcpack.conf
start=$SECONDS
assert_status 3 "$CDCPACK" init
assert_contains last.err "Could not resolve host: cdcpack-test.invalid (not retried"
((SECONDS - start < 10)) || fail "init took $((SECONDS - start))s to give up on a name that does not resolve"

# the endpoint answers, then a 503: retried, and said without -v
sed -i "s|^endpoint = .*|endpoint = $CDCPACK_TEST_S3_ENDPOINT|" cdcpack.conf
s3_faults '[{"method": "PUT", "path": "/_tmp/", "count": 1, "action": "503"}]'
assert_status 0 "$CDCPACK" load
assert_contains last.err "WARN s3: "
assert_contains last.err "HTTP 503"
assert_contains last.err "; retry 1 of 8 in "
assert_not_contains last.err "$AWS_SECRET_ACCESS_KEY"
