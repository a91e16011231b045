#!/usr/bin/env bash
# An unknown key (a typo, a key of another section) is exit 2 naming
# file:line, the key and its section, for every command; nothing is done.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

refused_line 'colour = red' 'colour: unknown key in [target]' 'unknown key'
refused_line 'urls = file:x' 'urls: unknown key in [target]' 'unknown key'
refused_line 'mode = trigger' 'mode: unknown key in [source]' 'unknown key' source
refused_line 'part_size = 16M' 'part_size: unknown key in [batch]' 'unknown key' batch
refused_line 'Dir = x' 'Dir: unknown key in [state]' 'unknown key' state
