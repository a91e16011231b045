#!/usr/bin/env bash
# An https:// endpoint is verified as libcurl does by default: a certificate
# from an unknown CA is refused (exit 3, no retry, nothing sent), the CA given
# as ca_bundle makes it trusted, and a certificate for another host name is
# still refused. The server is the test S3 behind a TLS proxy on loopback.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup

# a private CA and a certificate for "localhost" only
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cdcpack test CA" \
	-keyout ca.key -out ca.pem -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout srv.key -out srv.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >san.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
	-extfile san.ext -out srv.pem 2>/dev/null || fail "cannot make a test certificate"

# TLS on a loopback port, plain TCP to the test server behind it
upstream=${CDCPACK_TEST_S3_ENDPOINT#http://}
node -e '
const tls = require("tls"), net = require("net"), fs = require("fs");
const [host, port] = process.argv[1].split(":");
const s = tls.createServer({ key: fs.readFileSync("srv.key"), cert: fs.readFileSync("srv.pem") }, c => {
  const u = net.connect(Number(port), host);
  c.pipe(u).pipe(c);
  c.on("error", () => u.destroy());
  u.on("error", () => c.destroy());
});
s.listen(0, "127.0.0.1", () => fs.writeFileSync("tls.port", String(s.address().port)));
' "$upstream" &
proxy=$!
trap 'kill $proxy 2>/dev/null; cleanup_tmp' EXIT
for ((i = 0; i < 100; i++)); do [[ -s tls.port ]] && break; sleep 0.05; done
port=$(<tls.port)
[[ -n $port ]] || fail "the TLS proxy did not start"

sqlite3 shop.db "CREATE TABLE Persons(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO Persons VALUES (1, 'a');"
conf() { # conf ENDPOINT [more INI lines]
	write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
		"endpoint = $1" "region = $CDCPACK_TEST_S3_REGION" "max_retries = 3" "${@:2}"
}
export CDCPACK_CONFIG=$T/cdcpack.conf

conf "https://localhost:$port"
assert_status 3 "$CDCPACK" load
assert_contains last.err "certificate"
assert_eq 0 "$(s3_log | wc -l)" "requests that got through without a trusted certificate"
assert_not_contains last.err "retry"

conf "https://127.0.0.1:$port" "ca_bundle = $T/ca.pem"
assert_status 3 "$CDCPACK" load
assert_contains last.err "127.0.0.1"
assert_eq 0 "$(s3_log | wc -l)" "requests sent to a host the certificate does not name"

conf "https://localhost:$port" "ca_bundle = $T/ca.pem"
assert_status 0 "$CDCPACK" load
assert_not_contains last.err "plain http"
s3_log >tls.log
assert_eq 0 "$(jq -s 'map(select(.sig_ok != true or .status >= 500)) | length' tls.log)" \
	"refused or failed requests over TLS"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "$(sqlite_dump_tables shop.db)" "$(sqlite_dump_tables replica.db)" "replica tables"
