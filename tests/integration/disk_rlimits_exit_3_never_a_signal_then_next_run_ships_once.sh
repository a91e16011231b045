#!/usr/bin/env bash
# Operating-system limits end a command with exit 3 and a message naming
# the reason, never a signal death: under a file-size rlimit (ulimit -f,
# whose default action is to kill the writer with SIGXFSZ; the wrapper
# restores that default even when the harness ignores it) load, run, show,
# apply and diff --out each exit 3 saying "File too large" (or, where SQLite
# keeps no errno, naming the file-size limit); under an open-files
# rlimit (ulimit -n) run exits 3 saying "Too many open files". Nothing is
# published, acknowledged or half-written (no --out file, no temp sibling,
# no apply temp dir), and once the limits are lifted the runs ship every
# change exactly once and the replica equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init sqlite file

# limited KIND N: from now on $CDCPACK runs under ulimit -KIND N with
# SIGXFSZ at its default action (death), as a user's shell gives it.
limited() {
	_real=${_real:-$CDCPACK}
	printf '#!/usr/bin/env bash\nulimit -%s %s\nexec perl -e %q %q "$@"\n' "$1" "$2" \
		'$SIG{XFSZ} = "DEFAULT"; exec @ARGV or die "exec: $!"' "$_real" >"$CM_DIR/limited"
	chmod +x "$CM_DIR/limited"
	CDCPACK=$CM_DIR/limited
}

unlimited() {
	CDCPACK=${_real:-$CDCPACK}
}

# expect_limit WHAT REASON: the last command exited 3 (not 128 + a signal),
# said REASON, and changed nothing cm_state_snapshot sees.
expect_limit() {
	assert_contains "$T/last.err" "$2"
	cm_expect_runtime_failure "$1" "$2"
}

cm_scenario() {
	cm_case "$1"
	export TMPDIR=$CM_DIR/tmp
	mkdir -p "$TMPDIR"
	cm_seed
	# a table of its own (not in the change checks) makes the load archive
	# larger than the limit
	cm_sql "CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
		INSERT INTO big SELECT i, printf('%0300d', i) FROM n"
	cm_config '[batch]' 'compression = none'
	cdc triggers install

	limited f 1024
	cdc_status 3 load
	grep -Eq "File too large|file-size limit, ulimit -f, is 1048576 bytes" "$T/last.err" ||
		fail "load under ulimit -f: no reason given: $(cat "$T/last.err")"
	assert_eq "" "$(published)" "objects published by the load the limit stopped"
	unlimited
	cdc load

	cm_writer_play 12
	cm_bulk 8000 # a cdc archive of about 2.5 MB
	cm_state_snapshot >"$CM_DIR/before.state"
	limited f 1024
	cdc_status 3 run
	expect_limit "run under ulimit -f 1024" "File too large"

	cdc_status 3 show "$(published | head -n 1)" # the load archive, larger than the limit
	assert_contains "$T/last.err" "File too large"
	assert_eq "" "$(ls -A "$TMPDIR")" "show's temp files left after the limit stopped it"

	cdc_status 3 apply --to "sqlite:$CM_DIR/limited.db"
	assert_contains "$T/last.err" "File too large"
	assert_eq "" "$(ls -A "$TMPDIR")" "apply's temp files left after the limit stopped it"

	unlimited
	cdc apply --to "sqlite:$CM_DIR/limited.db"
	cm_sql "UPDATE big SET pad = pad || 'x'" # about 2.5 MB of SQL to write
	limited f 1024
	cdc_status 3 diff "sqlite:$SRC_DB" "sqlite:$CM_DIR/limited.db" --format sql --out "$CM_DIR/out.sql"
	assert_contains "$T/last.err" "$CM_DIR/out.sql: write: File too large"
	assert_eq "" "$(ls "$CM_DIR" | grep '^out\.sql' || true)" "a half-written diff --out file (or its temp) left behind"

	limited n 8
	cm_state_snapshot >"$CM_DIR/before.state"
	cdc_status 3 run
	expect_limit "run under ulimit -n 8" "Too many open files"

	unlimited
	run_until_idle
	cm_check_all
}
cm_cases rlimits
