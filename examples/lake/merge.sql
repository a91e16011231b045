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
-- Every value is read as text, as the files spell it: NULL is an empty
-- unquoted field, the empty string "" (hence allow_quoted_nulls = false),
-- BLOBs base64 (from_base64() decodes them).
--
-- Order: load files by name (LOAD00000001, ...02, counting in hex), then
-- change files by name: yyyymmdd-hhmmssSSS, then -N for the Nth file of a
-- table in one batch; the date folders are left out of the order (MMYYYYDD
-- and DDMMYYYY folders do not sort by time). Within a file, rows keep their
-- order (DuckDB keeps insertion order; one thread makes it certain).
-- A table without change files yet: drop the changes part (read_csv
-- refuses a pattern that matches no file). The lake_* columns are the
-- merge's own; a table column named Op or lake_* needs them renamed.
-- This merge assumes each table was loaded once (DMS's full load + CDC):
-- after a second `cdcpack load TABLE` start from that load's files only
-- (README: Reading the data).
SET threads = 1;

CREATE OR REPLACE TEMP TABLE lake_rows AS
WITH loads AS (
	SELECT 0 AS lake_phase, parse_filename(filename) AS lake_file, row_number() OVER () AS lake_row,
	       'I' AS Op, {{cols}}
	FROM read_csv('{{table}}/LOAD*.csv*', header = false, auto_detect = false, delim = ',', quote = '"', escape = '"',
	              columns = {{columns}}, filename = true, allow_quoted_nulls = false)
), changes AS (
	SELECT 1 AS lake_phase, parse_filename(filename) AS lake_file, row_number() OVER () AS lake_row,
	       Op, {{cols}}
	FROM read_csv('{{table}}/**/2*.csv*', header = false, auto_detect = false, delim = ',', quote = '"', escape = '"',
	              columns = {{cdc_columns}}, filename = true,
	              allow_quoted_nulls = false)
)
SELECT * FROM loads UNION ALL SELECT * FROM changes;

CREATE OR REPLACE TEMP TABLE merged AS
WITH ordered AS (
	SELECT *,
	       regexp_extract(lake_file, '^[0-9]{8}-[0-9]{9}') AS lake_stamp,
	       coalesce(TRY_CAST(regexp_extract(lake_file, '^[0-9]{8}-[0-9]{9}-([0-9]+)', 1) AS INTEGER), 1) AS lake_part
	FROM lake_rows
), ranked AS (
	SELECT *, row_number() OVER (PARTITION BY {{key}}
	                             ORDER BY lake_phase DESC, lake_stamp DESC, lake_part DESC,
	                                      lake_file DESC, lake_row DESC) AS lake_newest
	FROM ordered
)
SELECT {{cols}} FROM ranked WHERE lake_newest = 1 AND Op <> 'D';

SELECT * FROM merged ORDER BY {{key}};
