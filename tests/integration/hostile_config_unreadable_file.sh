#!/usr/bin/env bash
# A config file that cannot be read (a directory, a file without read
# permission, one over 1 MiB) is exit 2 naming the file and why. Without
# read permission is tried as an unprivileged user when the test runs as
# root (root reads anything).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

mkdir "$T/dir.conf"
config_refused "$T/dir.conf" "$T/dir.conf: cannot read config file: Is a directory" 'Is a directory'
{ good_config; head -c $((1024 * 1024 + 10)) /dev/zero | tr '\0' ';'; } >"$T/huge.conf"
config_refused "$T/huge.conf" "$T/huge.conf: config file is larger than 1 MiB" '1 MiB'

good_config >"$T/locked.conf"
chmod 000 "$T/locked.conf"
if [[ $(id -u) -ne 0 ]]; then
	config_refused "$T/locked.conf" "$T/locked.conf: cannot open config file: Permission denied" 'Permission denied'
elif command -v setpriv >/dev/null; then
	chmod 755 "$T"
	got=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CDCPACK" -c "$T/locked.conf" run \
		>"$T/last.out" 2>"$T/last.err" || got=$?
	assert_eq 2 "$got" "exit status of run as nobody with an unreadable config"
	assert_contains "$T/last.err" "$T/locked.conf: cannot open config file: Permission denied"
	nothing_done
else
	echo "skipped the permission case: running as root without setpriv"
fi
