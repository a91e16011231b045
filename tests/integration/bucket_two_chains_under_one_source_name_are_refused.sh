#!/usr/bin/env bash
# Two databases given the same [source] name (here both default to "app",
# the file name) publish to one bucket: file: and S3. Without a word, the
# second would number its own batches 1, 2, ... among the first's, and `ls`
# and `apply` would fail for every consumer. The first run of a chain claims
# the name at the target (_cdcpack/claims/cdc/app.json); a second chain is
# refused with exit 3 before it captures or publishes anything, even
#  - when both start at once (the first has claimed, not yet published: the
#    fresh-state check, which looks for published batches, sees none), and
#  - when the second's state dir already has batches of its own (it published
#    elsewhere, then was pointed at this bucket: no fresh-state check runs).
# Following the message (its own [source] name) works, and both chains then
# list and apply side by side.
# "At once": the first is stopped (SIGSTOP) at its after-capture delay until
# the second was refused. Waiting out the delay alone was a race: on a loaded
# machine the second's start-up outlasted it, the first published, and the
# second met the fresh-state check's refusal instead. Each target's first
# chain logs to a file of its own: with one a.err for all, the wait for the
# delay could match the line the previous target's load left there.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup

# conf DIR TARGET [NAME]: DIR's config, source DIR/app.db, state DIR/state
conf() {
	local extra=()
	[[ $2 == s3://* ]] && extra=("endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION")
	write_config "$1/c.conf" "sqlite:$1/app.db" "$2" "${extra[@]}"
	sed -i "s|^dir = .*|dir = $1/state${3:+-$3}|" "$1/c.conf"
	[[ -z ${3:-} ]] || sed -i "s|^url = sqlite:.*|&\nname = $3|" "$1/c.conf"
}

# objects TARGET: every key at the target, sorted
objects() {
	if [[ $1 == file:* ]]; then
		[[ ! -d ${1#file:} ]] || (cd "${1#file:}" && find . -type f -printf '%P\n' | LC_ALL=C sort)
	else
		aws_s3 ls --recursive "$1/" | awk '{ print $4 }' | sed "s|^$S3_PREFIX/[^/]*/||" | LC_ALL=C sort
	fi
}

n=0
for target in "file:$T/bucket" "s3://$CDCPACK_TEST_S3_BUCKET/$S3_PREFIX/one" \
	"file:$T/other" "s3://$CDCPACK_TEST_S3_BUCKET/$S3_PREFIX/other"; do
	n=$((n + 1))
	# targets 1, 2: both chains start at once; 3, 4: the second comes with
	# batches of its own from another bucket
	a=$T/a$n b=$T/b$n
	mkdir -p "$a" "$b"
	for d in "$a" "$b"; do
		sqlite3 "$d/app.db" "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
			INSERT INTO t VALUES (1, '$(basename "$d")'), (2, 'x');"
		conf "$d" "$target"
	done
	assert_status 0 "$CDCPACK" -c "$b/c.conf" triggers install
	assert_status 0 "$CDCPACK" -c "$a/c.conf" triggers install
	if ((n <= 2)); then
		# a waits after its capture, stopped as soon as it says so (10 s
		# for the test to see that): nothing is published yet
		CDCPACK_FAULT=delay:after-capture:10000 "$CDCPACK" -c "$a/c.conf" load >"$a/load.out" 2>"$a/load.err" &
		pid=$!
		held() { grep -q 'fault injected: delay' "$a/load.err"; }
		# (up to 60 s: on a loaded machine a's start-up alone took more than 10)
		for ((i = 0; i < 600; i++)); do held && break || sleep 0.1; done
		held || fail "a's load never reached its delay: $(cat "$a/load.err")"
		kill -STOP "$pid"
		trap 'rc=$?; kill -CONT "$pid" 2>/dev/null; (exit $rc); cleanup_tmp' EXIT
	else
		# b has a chain of its own, published to a bucket of its own
		conf "$b" "${target/other/own}"
		assert_status 0 "$CDCPACK" -c "$b/c.conf" load
		assert_status 0 "$CDCPACK" -c "$a/c.conf" load
		conf "$b" "$target"
		sqlite3 "$b/app.db" "INSERT INTO t VALUES (3, 'b3')"
	fi
	objects "$target" >before.txt
	assert_status 3 "$CDCPACK" -c "$b/c.conf" "$( ((n <= 2)) && echo load || echo run)"
	assert_contains last.err "source name 'app' belongs to another chain"
	assert_contains last.err "[source] name"
	assert_contains last.err "nothing was done"
	if ((n <= 2)); then
		kill -CONT "$pid"
		trap cleanup_tmp EXIT
		wait "$pid" || fail "a's load failed: $(cat "$a/load.err")"
	fi
	objects "$target" >after.txt
	# b added nothing (a's delayed load added its batch)
	if comm -13 before.txt after.txt | grep -v '/app-00000001-' | grep -q .; then
		fail "the refused chain left objects: $(comm -13 before.txt after.txt)"
	fi
	assert_eq "_cdcpack/claims/cdc/app.json" "$(grep '^_cdcpack' after.txt)" "claims at $target"
	assert_eq 1 "$(grep -c '^cdc/app/' after.txt)" "batches of app at $target"
	assert_status 0 "$CDCPACK" -c "$a/c.conf" ls
	assert_status 0 "$CDCPACK" -c "$a/c.conf" apply --to "sqlite:$a/replica.db"
	assert_eq "$(sqlite_dump_tables "$a/app.db")" "$(sqlite_dump_tables "$a/replica.db")" "a's replica"

	# as the message says: b gets its own name (a new chain: its own state
	# dir; its changelog has no owner yet), or b's chain goes back to a
	# bucket of its own
	if ((n <= 2)); then
		conf "$b" "$target" app_b
		assert_status 0 "$CDCPACK" -c "$b/c.conf" load
	else
		target=${target/other/own}
		conf "$b" "$target"
	fi
	sqlite3 "$a/app.db" "UPDATE t SET v = 'a2' WHERE id = 2"
	sqlite3 "$b/app.db" "UPDATE t SET v = 'b2' WHERE id = 2"
	assert_status 0 "$CDCPACK" -c "$a/c.conf" run
	assert_status 0 "$CDCPACK" -c "$b/c.conf" run
	for d in "$a" "$b"; do
		assert_status 0 "$CDCPACK" -c "$d/c.conf" --json ls
		assert_eq 2 "$(jq '.batches | length' last.out)" "batches listed for $d: $(cat last.out)"
		assert_status 0 "$CDCPACK" -c "$d/c.conf" apply --to "sqlite:$d/replica2.db"
		assert_eq "$(sqlite_dump_tables "$d/app.db")" "$(sqlite_dump_tables "$d/replica2.db")" "replica of $d"
	done
	((n <= 2)) || continue
	objects "$target" >final.txt
	assert_eq "" "$(grep -v '^_cdcpack/claims/cdc/app\(_b\)\?\.json$' final.txt | grep -v '^cdc/' || true)" \
		"objects outside the claims and the final prefix (temp left behind?)"
done
