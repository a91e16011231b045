// Runs examples/lake/merge.sql in DuckDB (@duckdb/node-api, pinned in this
// folder's lockfile) over one table's lake folder, read in place, and prints
// the merged rows: tab-separated, NULL as \N, BLOB columns (hex in the
// files, base64 with LAKE_BINARY=base64) as upper-case hex, as the tests'
// dumps of the source print them. The time goes to stderr.
//   node lake_merge.mjs SQL_FILE TABLE_DIR COLS KEY [BLOB_COLS]
// COLS, KEY, BLOB_COLS: comma-separated column names. The files' [batch]
// options: LAKE_DELIM (csv_delimiter, default ','), LAKE_NULL
// (csv_null_value, default empty), LAKE_TS (timestamp_column, default none).
//   node lake_merge.mjs SQL_FILE --jobs JOBS_JSON
// (the torture harness's --lake): one DuckDB for many tables. JOBS_JSON is
// a file holding [{dir, cols: [...], key: [...], delim, null, ts, load_op}]
// (load_op: [batch] load_op_column = true, {{columns}} filled as
// {{cdc_columns}}, as examples/lake/README.md says); stdout
// gets [{rows: [[text or null, ...], ...]} or {error: "..."}], one per job,
// the values as DuckDB read them (no BLOB decoding: the caller does it).
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const ident = (c) => '"' + c.replaceAll('"', '""') + '"';
const literal = (s) => "'" + s.replaceAll("'", "''") + "'";
const struct = (names) => '{' + names.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ') + '}';

// merge.sql with its placeholders filled for one table, as statements.
function statements(template, job) {
	const ts = job.ts ? [job.ts] : [];
	const sql = template
		.replaceAll('{{table}}', job.dir.replaceAll("'", "''"))
		.replaceAll('{{delim}}', job.delim.replaceAll("'", "''"))
		.replaceAll('{{null}}', job.null.replaceAll("'", "''"))
		.replaceAll('{{columns}}', struct([...(job.load_op ? ['Op'] : []), ...job.cols, ...ts]))
		.replaceAll('{{cdc_columns}}', struct(['Op', ...job.cols, ...ts]))
		.replaceAll('{{cols}}', job.cols.map(ident).join(', '))
		.replaceAll('{{key}}', job.key.map(ident).join(', '));
	return sql.split(/;\s*\n/).filter((s) => s.replace(/--.*$/gm, '').trim());
}

const args = process.argv.slice(2);
const template = readFileSync(args[0], 'utf8');
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();

if (args[1] === '--jobs') {
	const out = [];
	for (const job of JSON.parse(readFileSync(args[2], 'utf8'))) {
		try {
			let result;
			for (const s of statements(template, job)) result = await conn.runAndReadAll(s);
			out.push({ rows: result.getRows() });
		} catch (e) {
			out.push({ error: String(e.message ?? e) });
		}
	}
	process.stdout.write(JSON.stringify(out));
} else {
	await single();
}

async function single() {
const [, tableDir, colsArg, keyArg, blobArg = ''] = args;
const cols = colsArg.split(',');
const blobs = new Set(blobArg ? blobArg.split(',') : []);
const ts = process.env.LAKE_TS ? [process.env.LAKE_TS] : [];
const base64 = process.env.LAKE_BINARY === 'base64';
const started = Date.now();
const stmts = statements(template, {
	dir: tableDir, cols, key: keyArg.split(','), delim: process.env.LAKE_DELIM ?? ',',
	null: process.env.LAKE_NULL ?? '', ts: process.env.LAKE_TS,
});
// LAKE_MERGE_COUNT=1 (the bench): the merge only, its rows counted, not
// fetched into JavaScript (which costs more than the query).
if (process.env.LAKE_MERGE_COUNT) stmts[stmts.length - 1] = 'SELECT count(*) FROM merged';
let result;
for (const s of stmts) result = await conn.runAndReadAll(s);
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
}
