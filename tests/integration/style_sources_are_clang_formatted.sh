#!/usr/bin/env bash
# The C sources keep the committed .clang-format (docs/style.md): `make format`
# fixes what this finds. The file list is the GNUmakefile's (check-format).
source "$(dirname "$0")/../lib/common.sh"

if ! make -s -C "$ROOT" check-format >"$T/format.out" 2>&1; then
	fail "not formatted as .clang-format says (run make format): $(grep -c 'error:' "$T/format.out") places, first: $(head -3 "$T/format.out")"
fi
