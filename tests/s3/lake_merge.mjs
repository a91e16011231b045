// Runs examples/lake/merge.sql in DuckDB (@duckdb/node-api, pinned in this
// folder's lockfile) over one table's lake folder, read in place, and prints
// the merged rows: tab-separated, NULL as \N, BLOB columns (hex in the
// files, base64 with LAKE_BINARY=base64) as upper-case hex, as the tests'
// dumps of the source print them. The time goes to stderr.
//   node lake_merge.mjs SQL_FILE TABLE_DIR COLS KEY [BLOB_COLS]
// COLS, KEY, BLOB_COLS: comma-separated column names. The files' [batch]
// options: LAKE_DELIM (csv_delimiter, default ','), LAKE_NULL
// (csv_null_value, default empty), LAKE_TS (timestamp_column, default none).
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [sqlFile, tableDir, colsArg, keyArg, blobArg = ''] = process.argv.slice(2);
const cols = colsArg.split(',');
const blobs = new Set(blobArg ? blobArg.split(',') : []);
const ident = (c) => '"' + c.replaceAll('"', '""') + '"';
const literal = (s) => "'" + s.replaceAll("'", "''") + "'";
const struct = (names) => '{' + names.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ') + '}';
const ts = process.env.LAKE_TS ? [process.env.LAKE_TS] : [];
const base64 = process.env.LAKE_BINARY === 'base64';
const sql = readFileSync(sqlFile, 'utf8')
	.replaceAll('{{table}}', tableDir.replaceAll("'", "''"))
	.replaceAll('{{delim}}', (process.env.LAKE_DELIM ?? ',').replaceAll("'", "''"))
	.replaceAll('{{null}}', (process.env.LAKE_NULL ?? '').replaceAll("'", "''"))
	.replaceAll('{{columns}}', struct([...cols, ...ts]))
	.replaceAll('{{cdc_columns}}', struct(['Op', ...cols, ...ts]))
	.replaceAll('{{cols}}', cols.map(ident).join(', '))
	.replaceAll('{{key}}', keyArg.split(',').map(ident).join(', '));

const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const started = Date.now();
const statements = sql.split(/;\s*\n/).filter((s) => s.replace(/--.*$/gm, '').trim());
// LAKE_MERGE_COUNT=1 (the bench): the merge only, its rows counted, not
// fetched into JavaScript (which costs more than the query).
if (process.env.LAKE_MERGE_COUNT) statements[statements.length - 1] = 'SELECT count(*) FROM merged';
let result;
for (const s of statements) result = await conn.runAndReadAll(s);
const queried = Date.now();
// LAKE_TS: every row's timestamp column reads as a DuckDB TIMESTAMP.
if (ts.length) {
	const opts = `header = false, auto_detect = false, delim = ${literal(process.env.LAKE_DELIM ?? ',')}, ` +
		`quote = '"', escape = '"', nullstr = ${literal(process.env.LAKE_NULL ?? '')}, allow_quoted_nulls = false`;
	const dir = tableDir.replaceAll("'", "''");
	for (const [glob, names] of [['**/2*.csv*', ['Op', ...cols, ...ts]], ['LOAD*.csv*', [...cols, ...ts]]]) {
		const check = await conn.runAndReadAll(`SELECT count(*)::INTEGER, count(TRY_CAST(${ident(ts[0])} AS TIMESTAMP))::INTEGER ` +
			`FROM read_csv('${dir}/${glob}', ${opts}, columns = ${struct(names)})`);
		const [all, good] = check.getRows()[0];
		if (all !== good) throw new Error(`${glob}: ${all - good} of ${all} rows' ${ts[0]} is no TIMESTAMP`);
	}
}
const out = result.getRows().map((row) =>
	row.map((v, i) => {
		if (v === null) return '\\N';
		if (!blobs.has(cols[i])) return v;
		// X'..' where the plain spelling would read as a number (design §5).
		const literal = /^[Xx]'([0-9A-Fa-f]*)'$/.exec(v);
		if (literal) return literal[1].toUpperCase();
		return base64 ? Buffer.from(v, 'base64').toString('hex').toUpperCase() : v.toUpperCase();
	}).join('\t'));
process.stdout.write(out.map((l) => l + '\n').join(''));
process.stderr.write(`duckdb merge: ${out.length} rows in ${Date.now() - started} ms ` +
	`(query ${queried - started} ms)\n`);
