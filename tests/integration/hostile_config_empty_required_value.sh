#!/usr/bin/env bash
# A required value left empty ("url =", "dir =", "changelog =", "region =",
# "tables =") or missing altogether is exit 2 naming the file, the key and
# (when it is on a line) the line.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

good_config | sed 's|^url = sqlite:.*|url =|' >"$T/bad.conf"
config_refused "$T/bad.conf" "bad.conf:2: url: '' is not a supported URL" 'want sqlite:PATH'
good_config | sed 's|^url = file:.*|url =   ; to be decided|' >"$T/bad.conf"
config_refused "$T/bad.conf" "bad.conf:9: url: '' is not a supported URL" 'want sqlite:PATH'
refused_line 'dir =' 'dir: a directory is required' 'required' state
refused_line 'changelog =' 'changelog: a table name is required' 'required' capture
refused_line 'region =' "region: '' is not a region name" 'region'
refused_line 'tables = ,' "tables: ',' names no table" 'use * for all' capture
refused_line 'keep_local =' "keep_local: '' is not a duration" 'like 30s' state
good_config | sed '/^url = sqlite:/d' >"$T/bad.conf"
config_refused "$T/bad.conf" 'bad.conf: [source] url: missing' 'like url = sqlite:shop.db'
good_config | sed '/^url = file:/d' >"$T/bad.conf"
config_refused "$T/bad.conf" 'bad.conf: [target] url: missing' 'like url = file:bucket'
: >"$T/empty.conf"
config_refused "$T/empty.conf" 'empty.conf: [source] url: missing' 'url'
