-- The Glue-job merge, in DuckDB, over cdcpack's lake objects (AWS DMS's S3
-- layout): a table's current state from its load files, then its change
-- files in time order, the last op per key winning and D removing the key.
--
-- Fill in the {{...}} placeholders (README in this folder), then run it
-- with the DuckDB CLI or any DuckDB client:
--   {{table}}    the table's folder: 'lake/dms/shop/orders' (a local copy,
--                or s3://bucket/prefix/dms/shop/orders with httpfs)
--   {{columns}}  every column, in the table's order, as DuckDB column
--                types: {'id': 'VARCHAR', 'name': 'VARCHAR'}
--   {{cdc_columns}} the same with the Op column first:
--                {'Op': 'VARCHAR', 'id': 'VARCHAR', 'name': 'VARCHAR'}
--   {{cols}}     the names as a list: id, name
--   {{key}}      the key columns: id
--   {{delim}}    [batch] csv_delimiter: ,
--   {{null}}     [batch] csv_null_value: empty unless set
-- With [batch] timestamp_column, add that column last to {{columns}} and
-- {{cdc_columns}}. With [batch] load_op_column = true the load files start
-- with Op too: fill {{columns}} as {{cdc_columns}}. Every value is read as text, as the files spell it: NULL
-- is an empty unquoted field (or csv_null_value), the empty string ""
-- (hence allow_quoted_nulls = false), BLOBs hex (unhex() decodes them;
-- from_base64() with binary_encoding = base64).
--
-- A key's last change wins over its load row; the load's rows whose key
-- never changed stand. A T row (a TRUNCATE, binlog mode) empties the table
-- at its place: the load rows and the changes before it drop out. Order of the changes: files by name,
-- yyyymmdd-hhmmssSSS, then -N for the Nth file of a table in one batch; the
-- date folders are left out of the order (MMYYYYDD and DDMMYYYY folders do
-- not sort by time). Within a file, rows keep their
-- order (DuckDB keeps insertion order; one thread makes it certain).
-- The lake_* columns are the merge's own; a
-- table column named Op or lake_* needs them renamed.
-- This merge assumes each table was loaded once (DMS's full load + CDC):
-- after a second `cdcpack load TABLE` start from that load's files only
-- (README: Reading the data).
SET threads = 1;

-- The table's load files and change files. Either may be none yet (a
-- table created after the load has no load file, one unchanged since its
-- load no change file), and read_csv refuses a pattern that matches
-- nothing: so each read below takes a list, falls back to the other list
-- when its own is empty (NULL), and then reads nothing (its WHERE is
-- false before any file is opened).
SET VARIABLE lake_load_files = (SELECT list(file ORDER BY file) FROM glob('{{table}}/LOAD*.csv*'));
SET VARIABLE lake_change_files = (SELECT list(file ORDER BY file) FROM glob('{{table}}/**/2*.csv*'));

-- Every change row, with its file's name and its place in the read.
CREATE OR REPLACE TEMP TABLE lake_changes AS
SELECT parse_filename(lake_filename) AS lake_file, row_number() OVER () AS lake_row, Op, {{cols}}
FROM read_csv(coalesce(getvariable('lake_change_files'), getvariable('lake_load_files')),
              header = false, auto_detect = false, delim = '{{delim}}',
              quote = '"', escape = '"', new_line = '\n', columns = {{cdc_columns}}, filename = 'lake_filename',
              nullstr = '{{null}}', allow_quoted_nulls = false)
WHERE getvariable('lake_change_files') IS NOT NULL;

-- Each change row's place in time: its file's time stamp, then -N part,
-- then its row in the file.
CREATE OR REPLACE TEMP TABLE lake_ordered AS
SELECT *,
       regexp_extract(lake_file, '^[0-9]{8}-[0-9]{9}') AS lake_stamp,
       coalesce(TRY_CAST(regexp_extract(lake_file, '^[0-9]{8}-[0-9]{9}-([0-9]+)', 1)
                         AS INTEGER), 1) AS lake_part
FROM lake_changes;

-- The table's last TRUNCATE (Op T, binlog mode; every other field empty):
-- the table was emptied there, so its load rows and every change before
-- it are gone.
CREATE OR REPLACE TEMP TABLE lake_truncated AS
SELECT lake_stamp, lake_part, lake_row FROM lake_ordered WHERE Op = 'T'
ORDER BY lake_stamp DESC, lake_part DESC, lake_row DESC
LIMIT 1;

-- The last change of each key after that TRUNCATE (all of them without
-- one), in that order.
CREATE OR REPLACE TEMP TABLE lake_last AS
SELECT * FROM lake_ordered o
WHERE Op <> 'T' AND NOT EXISTS (
	SELECT 1 FROM lake_truncated t
	WHERE o.lake_stamp < t.lake_stamp
	   OR (o.lake_stamp = t.lake_stamp AND (o.lake_part < t.lake_part
	       OR (o.lake_part = t.lake_part AND o.lake_row < t.lake_row))))
QUALIFY row_number() OVER (PARTITION BY {{key}}
                           ORDER BY lake_stamp DESC, lake_part DESC, lake_row DESC) = 1;

-- The load's rows whose key never changed (none after a TRUNCATE), and
-- every key's last change unless it is a delete.
CREATE OR REPLACE TEMP TABLE merged AS
SELECT {{cols}}
FROM (SELECT * FROM read_csv(coalesce(getvariable('lake_load_files'),
                                      getvariable('lake_change_files')), header = false, auto_detect = false,
                             delim = '{{delim}}', quote = '"', escape = '"', new_line = '\n',
                             columns = {{columns}}, nullstr = '{{null}}',
                             allow_quoted_nulls = false)
      WHERE getvariable('lake_load_files') IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM lake_truncated)) AS lake_load
ANTI JOIN lake_last USING ({{key}})
UNION ALL
SELECT {{cols}} FROM lake_last WHERE Op <> 'D';

SELECT * FROM merged ORDER BY {{key}};
