#!/usr/bin/env bash
# An unknown key (a typo, a key of another section) is exit 2 naming
# file:line, the key and its section, for every command; nothing is done.
# A key of another section says which ("mode: unknown key in [source] (a
# key of [capture])"); a typo names none.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

refused_line 'colour = red' 'colour: unknown key in [target]' 'unknown key'
assert_not_contains "$T/last.err" "(a key of"
refused_line 'urll = file:x' 'urll: unknown key in [target]' 'unknown key'
assert_not_contains "$T/last.err" "(a key of"
refused_line 'urls = file:x' 'urls: unknown key in [target]' 'unknown key'
refused_line 'mode = trigger' 'mode: unknown key in [source] (a key of [capture])' 'unknown key' source
refused_line 'part_size = 16M' 'part_size: unknown key in [batch] (a key of [target])' 'unknown key' batch
refused_line 'url = file:x' 'url: unknown key in [capture] (a key of [source], [target])' 'unknown key' capture
refused_line 'Dir = x' 'Dir: unknown key in [state]' 'unknown key' state
