// Runs examples/lake/merge.sql in DuckDB (@duckdb/node-api, pinned in this
// folder's lockfile) over one table's lake folder, read in place, and prints
// the merged rows: tab-separated, NULL as \N, BLOB columns (base64 in the
// files) as upper-case hex, as the tests' dumps of the source print them.
// The time goes to stderr.
//   node lake_merge.mjs SQL_FILE TABLE_DIR COLS KEY [BLOB_COLS]
// COLS, KEY, BLOB_COLS: comma-separated column names.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [sqlFile, tableDir, colsArg, keyArg, blobArg = ''] = process.argv.slice(2);
const cols = colsArg.split(',');
const blobs = new Set(blobArg ? blobArg.split(',') : []);
const ident = (c) => '"' + c.replaceAll('"', '""') + '"';
const literal = (s) => "'" + s.replaceAll("'", "''") + "'";
const struct = (names) => '{' + names.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ') + '}';
const sql = readFileSync(sqlFile, 'utf8')
	.replaceAll('{{table}}', tableDir.replaceAll("'", "''"))
	.replaceAll('{{columns}}', struct(cols))
	.replaceAll('{{cdc_columns}}', struct(['Op', ...cols]))
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
const out = result.getRows().map((row) =>
	row.map((v, i) => {
		if (v === null) return '\\N';
		return blobs.has(cols[i]) ? Buffer.from(v, 'base64').toString('hex').toUpperCase() : v;
	}).join('\t'));
process.stdout.write(out.map((l) => l + '\n').join(''));
process.stderr.write(`duckdb merge: ${out.length} rows in ${Date.now() - started} ms ` +
	`(query ${queried - started} ms)\n`);
