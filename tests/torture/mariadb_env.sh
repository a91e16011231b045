# shellcheck shell=bash
# Sourced by tests/torture/run.sh and run_concurrent.sh (from the repo's
# root): unless the environment already names a MariaDB server
# (CDCPACK_TEST_MYSQL_*, as tests/run.sh exports them), starts a private
# mariadbd (tests/lib/service-mariadb.sh), exports its environment and stops
# it when the calling script exits.
if [[ -z ${CDCPACK_TEST_MYSQL_ROOT_CNF:-} ]]; then
	RUN=$(mktemp -d /tmp/cdcpack-torture-run.XXXXXX)
	trap 'bash tests/lib/service-mariadb.sh stop "$RUN" >/dev/null 2>&1; rm -rf "$RUN"' EXIT
	bash tests/lib/service-mariadb.sh start "$RUN" >"$RUN/mariadb.log" 2>&1 || {
		cat "$RUN/mariadb.log"
		exit 1
	}
	source "$RUN/mariadb.env"
fi
