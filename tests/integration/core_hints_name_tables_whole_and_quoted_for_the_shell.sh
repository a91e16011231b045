#!/usr/bin/env bash
# A message that suggests a command names the table whole (a name longer
# than the 80 bytes messages cut names at, too) and quoted for the shell,
# so that the command can be copied: following `triggers install`'s and a
# refused apply's advice word for word (eval) loads the very table, and the
# apply then goes through. A name holding a byte no one types (ESC) is
# spelt as bash's $'...' of its escaped spelling, with a note saying so,
# and bash reads it back to the very bytes; no raw ESC reaches the output.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

long="Orders of the north-west region, as they stood before the merger with O'Brien & Co. (archive copy)"
esc=$'esc\x1b[31mred'
((${#long} > 80)) || fail "the long name is not longer than 80 bytes"
sql "CREATE TABLE \"$long\" (id INTEGER PRIMARY KEY, a TEXT); INSERT INTO \"$long\" VALUES (1, 'x');"
core_config
cdcpack() { "$CDCPACK" "$@"; }

echo "case: triggers install's advice, followed word for word"
cdc triggers install "$long"
hint=$(sed -n 's/.*rows it already holds reach replicas with a load: //p' "$T/last.out")
assert_eq "cdcpack load 'Orders of the north-west region, as they stood before the merger with O'\\''Brien & Co. (archive copy)'" \
	"$hint" "the advice"
eval "$hint" >"$T/hint.out" 2>"$T/hint.err" || fail "the advice failed: $(cat "$T/hint.err")"
assert_eq "$long" "$(all_manifests | jq -r 'select(.batch.kind == "load") | .tables[].name')" \
	"the table the advice loaded"

echo "case: a refused apply's advice, followed word for word"
cdc apply --to "sqlite:$T/replica.db"
sqlite3 "$T/replica.db" "ALTER TABLE \"$long\" RENAME COLUMN a TO a_here"
sql "UPDATE \"$long\" SET a = 'y'"
cdc run
cdc_status 3 apply --to "sqlite:$T/replica.db"
hint=$(grep -o 'Run `[^`]*` at the source' "$T/last.err" | sed 's/^Run `//; s/` at the source$//')
assert_eq "cdcpack load 'Orders of the north-west region, as they stood before the merger with O'\\''Brien & Co. (archive copy)'" \
	"$hint" "apply's advice"
assert_not_contains "$T/last.err" "(the name escaped"
eval "$hint" >"$T/hint.out" 2>"$T/hint.err" || fail "the advice failed: $(cat "$T/hint.err")"
cdc apply --to "sqlite:$T/replica.db"
check_replica_equals_source "$T/replica.db"

echo "case: a name with a byte no one types: escaped, said so, read back by bash"
sql "CREATE TABLE plain (id INTEGER PRIMARY KEY, a TEXT)"
cdc triggers install plain
sql "ALTER TABLE plain RENAME TO \"$esc\""
cdc triggers status
grep -q $'\x1b' "$T/last.out" && fail "triggers status printed an ESC: $(cat -v "$T/last.out")"
assert_contains "$T/last.out" "\`cdcpack load \$'esc\\x1B[31mred'\` (the name escaped, as bash and zsh read \$'...'"
hint=$(grep -o 'then `cdcpack load [^`]*`' "$T/last.out" | sed 's/^then `//; s/`$//')
cdcpack() { printf '%s' "$2" >"$T/arg"; }
eval "$hint"
assert_eq "$(printf '%s' "$esc" | od -An -tx1)" "$(od -An -tx1 <"$T/arg")" "the bytes bash reads from the advice"
echo ok
