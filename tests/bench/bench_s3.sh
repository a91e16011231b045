#!/usr/bin/env bash
# End to end to the local S3 server (s3rver behind the SigV4-checking front),
# each cdcpack run against the script a user would write for what the managed
# pipeline does: dump, compress, upload to a temp prefix, then move to the
# final one (`aws s3 cp` to temp + `aws s3 mv` to final), on the same data:
# - a load of the easy table;
# - a cdc run shipping BENCH_BLOB_CHANGES (default BENCH_ROWS / 10) inserts of
#   1,500-byte random BLOBs captured by the triggers, in the default
#   configuration, then again with the opt-in [capture]
#   changelog_secure_delete = fast on a line of its own (the default keeps
#   the SQLite library's secure_delete: Debian's erases every page the ack
#   frees). The peer dumps the same rows with the BLOB spelt hex() (sqlite3
#   -csv cuts raw BLOBs at the first NUL; cdcpack writes hex too, its
#   default binary_encoding).
# BENCH_S3_LINES (default "load blob blob-fast") picks the lines to run:
# `BENCH_S3_LINES=blob` runs the default BLOB run alone (no 1M-row table made).
lines=" ${BENCH_S3_LINES:-load blob blob-fast} "
for l in $lines; do
	[[ $l == load || $l == blob || $l == blob-fast ]] || { echo "bench_s3: BENCH_S3_LINES: unknown line '$l' (load, blob, blob-fast)" >&2; exit 2; }
done
# wanted LINE: LINE is one of BENCH_S3_LINES.
wanted() { [[ $lines == *" $1 "* ]]; }
source "$(dirname "$0")/lib.sh"
cd "$W"
mkdir -p "$W/run" && bash "$ROOT/tests/lib/service-s3.sh" start "$W/run" >"$W/s3.log" 2>&1 || { cat "$W/s3.log" >&2; exit 1; }
trap 'bash "$ROOT/tests/lib/service-s3.sh" stop "$W/run" >/dev/null 2>&1; rm -rf "$W"' EXIT
source "$W/run/s3.env"
export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=
aws="/usr/bin/aws --endpoint-url '$CDCPACK_TEST_S3_ENDPOINT' --region '$CDCPACK_TEST_S3_REGION' s3"
bucket="s3://$CDCPACK_TEST_S3_BUCKET"
# The harness's S3 server has no UploadPartCopy, which `aws s3 mv` uses for
# objects over its 8 MiB multipart threshold: the move is told to use one
# CopyObject (what cdcpack's own move sends); the upload keeps the defaults.
printf '[default]\ns3 =\n  multipart_threshold = 5GB\n' >"$W/aws-mv.conf"
# peer_upload FILE NAME: the peer's publish step, as the seed pipeline does it.
peer_upload() {
	printf '%s' "$aws cp --only-show-errors '$1' '$bucket/peer/_tmp/$2' &&
		AWS_CONFIG_FILE='$W/aws-mv.conf' $aws mv --only-show-errors '$bucket/peer/_tmp/$2' '$bucket/peer/cdc/$2'"
}
endpoint="endpoint = $CDCPACK_TEST_S3_ENDPOINT" region="region = $CDCPACK_TEST_S3_REGION"

if wanted load; then
	make_table src.db "$BENCH_ROWS"
	bench_config s3.conf "sqlite:$W/src.db" "$bucket/bench" "$endpoint" "$region" \
		"[batch]" "max_rows = 100000000"
	# Each run starts a new chain: a fresh state dir and an empty prefix (cdcpack
	# refuses a fresh state dir over a prefix that already holds its batches).
	pair "load ${BENCH_ROWS} rows to S3, end to end" "sqlite3|zstd + aws s3 cp temp + mv final" "<= 1.0" \
		"rm -rf '$W/state' && $aws rm --only-show-errors --recursive '$bucket/bench/'" \
		"'$CDCPACK' -q -c '$W/s3.conf' load" \
		"sqlite3 -csv '$W/src.db' 'select * from t' | zstd -3 -q >'$W/peer.csv.zst' && $(peer_upload "$W/peer.csv.zst" t.csv.zst)" \
		"rm -f '$W/peer.csv.zst' && $aws rm --only-show-errors --recursive '$bucket/peer/'"
	rm -f src.db*
fi
wanted blob || wanted blob-fast || exit 0

# The BLOB changes: triggers installed on an empty table, then the inserts;
# the source and the state dir (if triggers install made one) as they stand
# then are kept and copied back before each run, over an empty prefix.
changes=${BENCH_BLOB_CHANGES:-$((BENCH_ROWS / 10))}
bench_config blob.conf "sqlite:$W/blob.db" "$bucket/blob" "$endpoint" "$region"
rm -rf state
sqlite3 blob.db "PRAGMA journal_mode=WAL; CREATE TABLE b(id INTEGER PRIMARY KEY, payload BLOB);" >/dev/null
"$CDCPACK" -q -c blob.conf triggers install >/dev/null
sqlite3 blob.db "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $changes)
  INSERT INTO b SELECT i, randomblob(1500) FROM n; COMMIT; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cp blob.db blob.base
if [[ -d state ]]; then cp -a state state.base; fi
# blob_pair LABEL CONF: the cdc run with CONF against the peer.
blob_pair() {
	pair "run of ${changes} changes, 1.5 KB BLOBs, to S3 (temp -> final)$1" \
		"sqlite3|zstd + aws s3 cp temp + mv final" "<= 0.8" \
		"rm -rf '$W/state' '$W/blob.db'* && { test ! -d '$W/state.base' || cp -a '$W/state.base' '$W/state'; } && cp '$W/blob.base' '$W/blob.db' && $aws rm --only-show-errors --recursive '$bucket/blob/'" \
		"'$CDCPACK' -q -c '$W/$2' run" \
		"sqlite3 -csv '$W/blob.db' 'select id, hex(payload) from b' | zstd -3 -q >'$W/peer.csv.zst' && $(peer_upload "$W/peer.csv.zst" b.csv.zst)" \
		"rm -f '$W/peer.csv.zst' && $aws rm --only-show-errors --recursive '$bucket/peer/'"
	# The last run must have published the changes (not found nothing to do).
	local published
	published=$(eval "$aws ls --recursive '$bucket/blob/'" | awk '$4 ~ /^blob\/cdc\// {n++; s += $3} END {printf "%d objects, %d bytes", n, s}')
	echo "blob run ($2) published under the final prefix: $published" >&2
	[[ $published != 0\ objects* ]] || { echo "bench_s3: the blob run ($2) published nothing" >&2; exit 1; }
}
if wanted blob; then blob_pair "" blob.conf; fi
cp blob.conf blob-fast.conf && printf '[capture]\nchangelog_secure_delete = fast\n' >>blob-fast.conf
if wanted blob-fast; then blob_pair ", opt-in changelog_secure_delete = fast" blob-fast.conf; fi
