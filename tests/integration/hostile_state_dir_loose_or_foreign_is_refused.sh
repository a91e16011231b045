#!/usr/bin/env bash
# The state dir holds the data and decides what the source forgets: anyone
# who can write it can plant a staging symlink, a lock or a state database.
# An existing state dir writable by group or others, or owned by another
# user, is refused with exit 2 (configuration: it will not fix itself) and
# a message naming the dir and the fix; nothing is captured or published.
# Once fixed (chmod 700) the run ships as usual.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'Loose' WHERE PersonID = 1"
for m in 777 770 707 722; do
	chmod "$m" "$STATE_DIR"
	for cmd in run status; do
		cdc_status 2 $cmd
		assert_contains "$T/last.err" "$STATE_DIR: state dir is writable by group or others"
		assert_contains "$T/last.err" "chmod 700 $STATE_DIR"
	done
done
assert_eq 1 "$(published_count)" "published while the state dir was loose"

# Created fresh under umask 000, it is still private, so it is accepted.
chmod 700 "$STATE_DIR"
if [[ $(id -u) == 0 ]]; then
	chown 65534 "$STATE_DIR"
	cdc_status 2 run
	assert_contains "$T/last.err" "$STATE_DIR: state dir belongs to uid 65534, not to this user"
	chown 0 "$STATE_DIR"
fi
# A subfolder cdcpack keeps there: the same rule.
chmod 777 "$STATE_DIR/staging"
cdc_status 2 run
assert_contains "$T/last.err" "$STATE_DIR/staging: staging dir is writable by group or others"
chmod 700 "$STATE_DIR/staging"
assert_eq 1 "$(published_count)" "published while a folder was loose"

cdc run
assert_eq 2 "$(published_count)" "published once the state dir is private again"
check_chain
