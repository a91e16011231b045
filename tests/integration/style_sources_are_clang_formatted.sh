#!/usr/bin/env bash
# The C sources keep the committed .clang-format (STYLE.md): `make format`
# fixes what this finds.
source "$(dirname "$0")/../lib/common.sh"

cd "$ROOT"
if ! clang-format --dry-run --Werror src/*.[ch] tests/unit/*.c tests/fuzz/*.c >"$T/format.out" 2>&1; then
	fail "not formatted as .clang-format says (run make format): $(grep -c 'error:' "$T/format.out") places, first: $(head -3 "$T/format.out")"
fi
