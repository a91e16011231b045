#!/usr/bin/env bash
# A value outside a key's list (mode, format, compression, path_style, a
# boolean, the [lake] keys, [capture] changelog_secure_delete) is exit 2
# naming file:line, the key, the value and the choices.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

refused_line 'mode = sometimes' "mode: 'sometimes' is not a capture mode" 'trigger | snapshot | binlog' capture
refused_line 'mode = Trigger' "mode: 'Trigger' is not a capture mode" 'trigger | snapshot | binlog' capture
refused_line 'format = parquet' "format: 'parquet' is not a format" 'csv | jsonl' batch
refused_line 'compression = lz4' "compression: 'lz4' is not a compression" 'zstd | gzip | xz | none' batch
refused_line 'csv_header = maybe' "csv_header: 'maybe' is not a boolean" 'true | false' batch
refused_line 'load_op_column = 2' "load_op_column: '2' is not a boolean" 'true | false' batch
refused_line 'path_style = virtual' "path_style: 'virtual' is not auto, true or false" 'auto'
refused_line 'compression = zstd' "compression: 'zstd' is not a lake compression" 'gzip | none' lake
refused_line 'date_partition = yyyymmdd' "date_partition: 'yyyymmdd' is not a date partition" 'YYYYMMDD' lake
refused_line 'changelog_secure_delete = off' "changelog_secure_delete: 'off' is not a secure delete setting" 'on | fast' capture
refused_line 'date_delimiter = comma' "date_delimiter: 'comma' is not a date delimiter" 'slash | dash' lake
