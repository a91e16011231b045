#!/usr/bin/env bash
# `status` and `status --json` (state_written_by) name the cdcpack build
# that last wrote the state dir (state.db meta cdcpack, as --version names
# it): after an upgrade or a downgrade the user sees which build to run.
# No state dir, or one no build recorded itself in (before d487eff): null,
# and the text says "not recorded". A build name from the file is shown
# escaped (it is a file anyone may edit), and status writes nothing.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

# written_by: status --json's state_written_by, checked against the schema.
written_by() {
	cdc status --json
	/usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/report.schema.json" \
		"$T/last.out" || fail "status --json does not match the schema"
	jq -c .state_written_by "$T/last.out"
}
meta() { sqlite3 "$STATE_DIR/state.db" "$1"; }

sql "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO a VALUES (1, 'one');"
core_config
echo "case: no state dir yet"
assert_eq null "$(written_by)" "state_written_by without a state dir"
cdc status
assert_contains "$T/last.out" "state written by: not recorded"

echo "case: this build wrote it"
cdc triggers install
cdc load
version=$("$CDCPACK" --version)
assert_eq "\"${version#cdcpack }\"" "$(written_by)" "state_written_by after this build's load"
cdc status
assert_contains "$T/last.out" "state written by: $version"

echo "case: another build wrote it last, its name holding a newline and ESC"
meta "UPDATE meta SET v = '0.0.9 (commit 0123456789ab)' || char(10) || 'x' || char(27) || '\\'
	WHERE k = 'cdcpack'"
before=$(sha256sum "$STATE_DIR/state.db")
assert_eq '"0.0.9 (commit 0123456789ab)\nx\u001b\\"' "$(written_by)" "state_written_by of another build"
cdc status
assert_contains "$T/last.out" 'state written by: cdcpack 0.0.9 (commit 0123456789ab)\x0Ax\x1B\\'$'\n'
assert_eq "$before" "$(sha256sum "$STATE_DIR/state.db")" "state.db after status"

echo "case: written last by a build that did not record itself"
meta "DELETE FROM meta WHERE k IN ('cdcpack', 'state_format')"
assert_eq null "$(written_by)" "state_written_by of a state dir no build recorded itself in"
cdc status
assert_contains "$T/last.out" "state written by: not recorded"

echo "case: the next run records this build"
cdc run
assert_eq "\"${version#cdcpack }\"" "$(written_by)" "state_written_by after this build's run"
echo "ok"
