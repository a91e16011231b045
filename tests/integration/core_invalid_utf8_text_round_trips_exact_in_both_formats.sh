#!/usr/bin/env bash
# A TEXT value that is not valid UTF-8 (a lone 0xFF, a cut multibyte
# character, an overlong form, a surrogate, an embedded NUL) never crashes
# load or run: in format = csv it travels as its bytes, in format = jsonl as
# {"text_base64": ...}, and apply restores the same bytes, still TEXT, both
# from the load and from the changes that follow.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

values="(1, CAST(x'ff' AS TEXT)), (2, CAST(x'61e282' AS TEXT)), (3, CAST(x'c0af' AS TEXT)),
        (4, CAST(x'eda080' AS TEXT)), (5, CAST(x'410042' AS TEXT)), (6, 'plain é')"
dump() { sqlite3 "$1" "SELECT id, typeof(v), hex(v) FROM t ORDER BY id"; }

for format in jsonl csv; do
	core_use "$T/$format"
	sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES $values"
	core_config "[batch]" "format = $format"
	cdc triggers install
	cdc load
	sql "INSERT INTO t VALUES(11, CAST(x'fe80' AS TEXT)); UPDATE t SET v = CAST(x'80' AS TEXT) WHERE id = 6;
	     DELETE FROM t WHERE id = 1"
	cdc run
	cdc run
	if [[ $format == jsonl ]]; then
		mapfile -t archives < <(published)
		tar -xOf "${archives[1]}" --exclude manifest.json >"$T/changes.jsonl"
		assert_contains "$T/changes.jsonl" '"v":{"text_base64":"/oA="}'
	fi
	cdc apply --to "sqlite:$T/$format/replica.db"
	assert_eq "$(dump "$SRC_DB")" "$(dump "$T/$format/replica.db")" "$format replica: ids, types and bytes"
	check_chain
done
