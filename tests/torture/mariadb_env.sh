# shellcheck shell=bash
# Sourced by tests/torture/run.sh and run_concurrent.sh (from the repo's
# root). Unless the environment already names a MariaDB server
# (CDCPACK_TEST_MYSQL_*, as tests/run.sh exports them), starts a private
# mariadbd (tests/lib/service-mariadb.sh) and exports its environment;
# start_service s3 does the same for the S3 front. Whatever was started is
# stopped when the calling script exits.
RUN=$(mktemp -d /tmp/cdcpack-torture-run.XXXXXX)
trap 'for s in mariadb s3; do bash tests/lib/service-$s.sh stop "$RUN" >/dev/null 2>&1; done; rm -rf "$RUN"' EXIT
start_service() { # start_service NAME: tests/lib/service-NAME.sh in $RUN, its env sourced
	bash "tests/lib/service-$1.sh" start "$RUN" >"$RUN/$1.log" 2>&1 || {
		cat "$RUN/$1.log"
		exit 1
	}
	source "$RUN/$1.env"
}
[[ -n ${CDCPACK_TEST_MYSQL_ROOT_CNF:-} ]] || start_service mariadb
