#!/usr/bin/env bash
# Install the Debian packages cdcpack needs to build, test and benchmark.
# Idempotent and quick when everything is present: dpkg is asked first, and apt
# runs only for what is missing.
set -euo pipefail

packages=(
	build-essential pkg-config
	libsqlite3-dev sqlite3 sqlite3-tools
	libarchive-dev libzstd-dev libcurl4-openssl-dev libssl-dev libisal-dev
	libxxhash-dev xxhash libjansson-dev
	libmariadb-dev mariadb-server mariadb-client
	libcmocka-dev
	clang-14 libclang-rt-14-dev clang-format clang-tidy
	zstd jq awscli python3-jsonschema time strace
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

# The S3 test front runs on Node.js; a machine whose node came from elsewhere
# (it bundles npm) must not get Debian's npm, which conflicts with it.
if ! command -v npm >/dev/null 2>&1; then
	missing+=(nodejs npm)
fi

if ((${#missing[@]} == 0)); then
	exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=
if [[ $(id -u) -ne 0 ]]; then
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
