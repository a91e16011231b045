#!/usr/bin/env bash
# Every command's options come from one table (src/cli/cmd_opts.c): each
# option its --help lists is accepted as "--opt value" and "--opt=value";
# global options (-c, -v, -q, --json) work before or after the command; "--"
# ends the options, so a table named "-x" can be loaded.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE \"-x\"(id INTEGER PRIMARY KEY);
     INSERT INTO t VALUES(1, 'a'); INSERT INTO \"-x\" VALUES(7)"
core_config
cdc triggers install
cdc load

# Globals after the command: the same report as before it.
cdc --json status
jq -e '.command == "status" and .ok' "$T/last.out" >/dev/null || fail "--json status: no report"
cdc status --json
jq -e '.command == "status" and .ok' "$T/last.out" >/dev/null || fail "status --json: no report"
cp "$CDCPACK_CONFIG" "$T/other.conf"
CDCPACK_CONFIG=$T/nosuch.conf cdc status -c "$T/other.conf" --json
CDCPACK_CONFIG=$T/nosuch.conf cdc status --config="$T/other.conf"
cdc_status 2 status -v -q
assert_contains "$T/last.err" "-v and -q: give one of them"

# Both spellings of a valued option.
cdc apply --to="sqlite:$T/r1.db"
cdc apply --to "sqlite:$T/r2.db" --until=2099-01-01T00:00:00Z
cdc verify --against="sqlite:$T/r1.db"
cdc ls --since=2020-01-01
cdc run --max-batches=1
cdc diff --format=rows --table=t "sqlite:$T/r1.db" "sqlite:$T/r2.db"
cdc_status 2 triggers remove --drop-changelog=yes
assert_contains "$T/last.err" "takes no value"

# "--" ends the options: "-x" is a table.
cdc_status 2 load -x
cdc load -- -x
assert_contains "$T/last.out" "published load"

# -q after the command silences the warning a run gives without it.
sql "CREATE TABLE u(id INTEGER PRIMARY KEY)" # not captured yet: run warns
cdc run
assert_contains "$T/last.err" "table u has no cdcpack triggers"
cdc run -q
assert_not_contains "$T/last.err" "table u has no cdcpack triggers"

# Every option a command's --help lists is one its parser takes, in both
# spellings: whatever else goes wrong, never "unexpected argument".
for cmd in init triggers load run status ls show apply diff verify; do
	"$CDCPACK" "$cmd" --help >"$T/help" || fail "$cmd --help failed"
	opts=$(sed -n '/^Options:/,/^$/p' "$T/help" | grep -oE '^  --[a-z-]+( [A-Z_]+)?' | sed 's/^  //' || true)
	while read -r name arg; do
		[[ -n $name ]] || continue
		for spelling in "$name${arg:+ x}" "$name${arg:+=x}"; do
			# shellcheck disable=SC2086 # the spelling is split on purpose
			"$CDCPACK" "$cmd" $spelling >"$T/o" 2>"$T/e" || true
			if grep -q "unexpected argument\|unknown option" "$T/e"; then
				cat "$T/e"
				fail "$cmd: --help lists $name, the parser refuses '$spelling'"
			fi
		done
		n_opts=$((${n_opts:-0} + 1))
	done <<<"$opts"
done
((n_opts >= 12)) || fail "only $n_opts options found in the --help texts"
echo "options ok ($n_opts checked in both spellings)"
