#!/usr/bin/env bash
# An unknown section (a typo, or one of another tool) is exit 2 naming
# file:line and the section, for every command, and nothing is done.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

refused_line '[sorce]' '[sorce]: unknown section' 'known: source, capture, batch, state, target'
refused_line '[Source]' '[Source]: unknown section' 'known:'
refused_line '[]' '[]: unknown section' 'known:'
refused_line '[ target.s3 ]' '[target.s3]: unknown section' 'known:'
