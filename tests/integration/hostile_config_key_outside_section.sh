#!/usr/bin/env bash
# A key before any [section] is exit 2 naming file:line and the key.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

{ printf 'url = sqlite:%s/src.db\n' "$T"; good_config; } >"$T/bad.conf"
config_refused "$T/bad.conf" 'bad.conf:1: url: key outside of any [section]' 'outside'
{ printf '; cdcpack\n\n# settings\ndebug = true\n'; good_config; } >"$T/bad.conf"
config_refused "$T/bad.conf" 'bad.conf:4: debug: key outside of any [section]' 'outside'
