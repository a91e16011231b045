#!/usr/bin/env bash
# apply --until with something that is not a UTC time (words, impossible
# dates that strptime would roll over, time zone offsets, junk after it)
# is exit 2 naming the option and the value; no replica is created.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

good_config >"$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf
for v in yesterday '' 2026-13-01 2026-02-30 2026-04-31T00:00:00Z 2026-11-24T25:00:00Z \
	2026-11-24T10:11:60Z 2026-11-24T10:11:12+02:00 '2026-11-24T10:11:12Z junk' 20261124 \
	2026/11/24 1764000000; do
	args_refused "apply --until: '.*' is not a UTC time" apply --to "sqlite:$T/replica.db" --until "$v"
	assert_contains "$T/last.err" "'$v'"
	[[ ! -e $T/replica.db ]] || fail "apply --until '$v' created the replica"
done
args_refused "ls --since: 'nope' is not a date" ls --since nope
