#!/usr/bin/env bash
# A NUL byte anywhere in the config (a binary file given by mistake, a
# UTF-16 file) is exit 2 naming file:line; it never cuts a value short.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

{ good_config; printf '[batch]\nformat = csv\0jsonl\n'; } >"$T/bad.conf"
config_refused "$T/bad.conf" 'bad.conf:11: NUL byte in the file' 'NUL byte'
{ printf '\0'; good_config; } >"$T/bad.conf"
config_refused "$T/bad.conf" 'bad.conf:1: NUL byte in the file' 'NUL byte'
printf '[\0s\0o\0u\0r\0c\0e\0]\0\n\0' >"$T/utf16.conf"
config_refused "$T/utf16.conf" 'utf16.conf:1: NUL byte in the file' 'NUL byte'
head -c 512 /dev/urandom | tr -d '\n' | { cat; printf '\0'; } >"$T/binary.conf"
config_refused "$T/binary.conf" 'binary.conf:1: NUL byte in the file' 'NUL byte'
