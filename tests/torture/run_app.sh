#!/usr/bin/env bash
# The long run of tests/torture/torture_app.py (`make torture-app`): its
# SQLite cases for TORTURE_APP_SECONDS, then its MariaDB cases for as long
# (then two with the huge class),
# from TORTURE_APP_SEED (default: from the clock, printed). Starts a private
# mariadbd (tests/lib/service-mariadb.sh) unless the environment names one.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
source tests/torture/mariadb_env.sh
seconds=${TORTURE_APP_SECONDS:-300}
seed=()
[[ -n ${TORTURE_APP_SEED:-} ]] && seed=(--seed "$TORTURE_APP_SEED")
rc=0
python3 tests/torture/torture_app.py --seconds "$seconds" "${seed[@]}" || rc=1
python3 tests/torture/torture_app.py --engine mysql --seconds "$seconds" "${seed[@]}" || rc=1
# values up to what a row image carries, and the documented refusal beyond (F43)
python3 tests/torture/torture_app.py --engine mysql --cases 2 --statements 80 --classes +huge "${seed[@]}" || rc=1
exit $rc
