#!/usr/bin/env bash
# Source names with spaces, '+', '=', '&', '%', quotes, parentheses and
# non-ASCII letters end up in object keys: each is URI-encoded once on the
# wire, signed as sent (the reference signer agrees), stored under its literal
# name (the AWS CLI lists and downloads it), and apply reads it back.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup

sqlite3 shop.db "CREATE TABLE Persons(id INTEGER PRIMARY KEY, what TEXT);
	INSERT INTO Persons VALUES (1, 'a'), (2, 'b');"
n=0
for name in 'my shop' 'a+b=c&d' "caf$(printf '\xc3\xa9') $(printf '\xe2\x82\xac')100%" "it's (x)~!*"; do
	n=$((n + 1))
	mkdir "$T/s$n"
	# each name its own chain, so its own source: a changelog has one
	# consumer (README: Recovery)
	cp shop.db "$T/s$n/shop.db"
	printf '[source]\nurl = sqlite:%s\nname = %s\n[state]\ndir = %s\n[target]\nurl = %s\n%s\n%s\n' \
		"$T/s$n/shop.db" "$name" "$T/s$n/state" "s3://$B/$S3_PREFIX/p $n+" \
		"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
		>"$T/s$n/cdcpack.conf"
	export CDCPACK_CONFIG=$T/s$n/cdcpack.conf
	assert_status 0 "$CDCPACK" triggers install
	assert_status 0 "$CDCPACK" load

	key=$(sqlite3 "$T/s$n/state/state.db" "SELECT 'cdc/' || key FROM batches WHERE seq = 1")
	[[ $key == "cdc/$name/"* ]] || fail "key [$key] does not start with the source name [$name]"
	assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/p $n+/"
	assert_contains last.out " $S3_PREFIX/p $n+/$key"
	# the batch, and the claim of the name by its chain (src/claim.h)
	assert_contains last.out " $S3_PREFIX/p $n+/_cdcpack/claims/cdc/$name.json"
	assert_eq 2 "$(wc -l <last.out)" "objects under [p $n+/]"
	assert_status 0 aws_s3 cp --only-show-errors "s3://$B/$S3_PREFIX/p $n+/$key" got.tar
	assert_eq "$(sqlite3 "$T/s$n/state/state.db" 'SELECT xxh128 FROM batches WHERE seq = 1')" \
		"$(xxhsum -H2 got.tar | cut -d' ' -f1)" "xxh128 of [$key]"
	assert_status 0 "$CDCPACK" ls
	assert_contains last.out "$key"
	assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica$n.db"
	assert_eq "$(sqlite_dump_tables "$T/s$n/shop.db")" "$(sqlite_dump_tables "replica$n.db")" \
		"replica of [$name]"
done

s3_log >requests.log
assert_eq 0 "$(jq -s 'map(select(.sig_ok != true or .status >= 500)) | length' requests.log)" \
	"refused or failed requests"
# the names went over the wire encoded once, never raw or double-encoded
jq -r '.url' requests.log >urls.txt
assert_contains urls.txt "/p%202%2B/cdc/a%2Bb%3Dc%26d/"
assert_contains urls.txt "/cdc/caf%C3%A9%20%E2%82%AC100%25/"
assert_contains urls.txt "/cdc/it%27s%20%28x%29~%21%2A/"
assert_not_contains urls.txt "%25C3"
assert_not_contains urls.txt " "
