#!/bin/sh
# Wrapper for cron: run one cycle, treat "another run holds the lock" (75) as
# success so cron mails only real failures, and keep a JSON report of the
# last run for monitoring (jq .exit_code last-run.json).
# Install: copy to /usr/local/bin/cdcpack-cron.sh, chmod 755.
set -u
cd "${CDCPACK_DIR:-/var/lib/cdcpack/shop}" || exit 3
cdcpack -q --json -c cdcpack.conf run >last-run.json.tmp
status=$?
mv last-run.json.tmp last-run.json
case $status in
0 | 75) exit 0 ;;
*) echo "cdcpack run failed with exit $status: $(jq -r .error last-run.json)" >&2; exit $status ;;
esac
