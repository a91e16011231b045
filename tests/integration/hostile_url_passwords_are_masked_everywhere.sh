#!/usr/bin/env bash
# A password written into a database URL (which cdcpack refuses) is masked
# in every message and report: diff's error prefix and --json sides,
# apply's and verify's errors and reports, an unknown scheme's message; for
# USER:PASSWORD@ and for password-like query parameters alike.
source "$(dirname "$0")/../lib/common.sh"

secret="s3cr3t-$RANDOM"
sqlite3 "$T/src.db" "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');"
write_config "$T/cdcpack.conf" "sqlite:$T/src.db" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf

check() { # check STATUS ARGS...: exit STATUS, no secret on either stream, a mask shown
	local want=$1
	shift
	assert_status "$want" "$CDCPACK" "$@"
	assert_not_contains "$T/last.err" "$secret"
	assert_not_contains "$T/last.out" "$secret"
	grep -qF '***' "$T/last.err" "$T/last.out" || fail "$*: no *** mask shown"
}

for url in "mysql://cdc:$secret@127.0.0.1:1/db" "mysql://cdc@127.0.0.1:1/db?password=$secret" \
	"mysql://cdc:$secret@127.0.0.1:1/db?token=$secret" "pg://cdc:$secret@host/db"; do
	check 2 diff "$url" "sqlite:$T/src.db"
	check 2 --json diff "sqlite:$T/src.db" "$url"
	check 2 -v diff --format rows "$url" "$url"
	check 2 apply --to "$url"
	check 2 --json apply --to "$url"
	check 2 verify --against "$url"
	check 2 --json verify --against "$url"
done
# The report keeps the rest of the URL, so that the user sees which one.
assert_status 2 "$CDCPACK" --json diff "mysql://cdc:$secret@127.0.0.1:1/db" "sqlite:$T/src.db"
assert_contains "$T/last.out" '"a":"mysql://cdc:***@127.0.0.1:1/db"'
