/* cdcpack diff URL_A URL_B [--table T]... [--format F] [--out PATH] */
#include "cmd.h"
#include "codec.h"
#include "dbdiff.h"
#include "diff_output.h"
#include "err.h"
#include "log.h"
#include "redact.h"
#include "report.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct diff_args {
	struct strv urls; /* the positional arguments */
	const char *url_a, *url_b;
	struct strv tables;
	const char *format_name; /* --format as given */
	enum diff_format format;
	const char *out; /* a file, or for csv a directory */
	const char *password_file_a, *password_file_b;
};

static const struct cmd_opt diff_opts[] = {
	{"--table", "T", OPT_LIST, offsetof(struct diff_args, tables), false,
	 "compare T only (repeatable); default: every table of\n"
	 "either side"},
	{"--format", "F", OPT_VALUE, offsetof(struct diff_args, format_name), false,
	 "summary (the default), rows, csv, jsonl or sql: see below"},
	{"--out", "PATH", OPT_VALUE, offsetof(struct diff_args, out), false,
	 "write the rows to PATH (csv: a directory, one file per\n"
	 "table)"},
	{"--password-file-a", "FILE", OPT_VALUE, offsetof(struct diff_args, password_file_a), false,
	 "the password of URL_A's mysql:// user"},
	{"--password-file-b", "FILE", OPT_VALUE, offsetof(struct diff_args, password_file_b), false,
	 "the password of URL_B's mysql:// user"},
	{0},
};

static int parse_args(struct diff_args *a, const struct cmd_ctx *ctx, int argc, char **argv)
{
	int rc = cmd_parse(&cmd_diff_entry, argc, argv, a, &a->urls);
	if (!rc && a->urls.n > 2)
		rc = err_set(CDC_EUSAGE, "diff: unexpected argument '%s'; give two URLs",
			     a->urls.v[2]);
	a->url_a = a->urls.n > 0 ? a->urls.v[0] : NULL;
	a->url_b = a->urls.n > 1 ? a->urls.v[1] : NULL;
	if (rc)
		return rc;
	if (a->format_name && diff_format_parse(a->format_name, &a->format))
		return err_set(CDC_EUSAGE,
			       "diff --format: '%s' is not one of summary, rows, csv, jsonl, sql",
			       a->format_name);
	if (!a->url_b)
		return err_set(CDC_EUSAGE, "diff: needs two database URLs (URL_A URL_B)");
	rc = cmd_check_password_file("diff", "--password-file-a", a->password_file_a, a->url_a);
	if (!rc)
		rc = cmd_check_password_file("diff", "--password-file-b", a->password_file_b,
					     a->url_b);
	if (rc)
		return rc;
	if (ctx->json && a->format != DIFF_SUMMARY && !a->out)
		return err_set(CDC_EUSAGE,
			       "diff: --json prints the report on stdout; give --out FILE "
			       "for the rows of this --format");
	/* The summary's counts go to stdout: --out would be silently unused. */
	if (a->out && a->format == DIFF_SUMMARY)
		return err_set(CDC_EUSAGE,
			       "diff --out %s: the summary prints on stdout; --out takes the "
			       "rows of --format rows, csv, jsonl or sql",
			       a->out);
	return 0;
}

static int open_sides(const struct diff_args *args, struct dbdiff_side *a, struct dbdiff_side *b)
{
	/* Read-only: a diff never writes to either database. Each side's MySQL
	 * password is its own (never from the URL, never the other side's). */
	struct source_options opt_a = {.read_only = true,
				       .password_file = args->password_file_a,
				       .password_env = DIFF_A_PASSWORD_ENV};
	struct source_options opt_b = {.read_only = true,
				       .password_file = args->password_file_b,
				       .password_env = DIFF_B_PASSWORD_ENV};
	int rc = dbdiff_open(a, args->url_a, &opt_a);
	const char *side = "A";
	const char *url = args->url_a;
	if (!rc) {
		rc = dbdiff_open(b, args->url_b, &opt_b);
		side = "B";
		url = args->url_b;
	}
	if (rc) {
		char *shown = url_redact(url);
		rc = err_prefix(rc, "%s (%s)", side, shown);
		free(shown);
	}
	return rc;
}

/* Where rows go: stdout, a file, or (csv) a directory of files. */
static int open_output(const struct diff_args *args, const struct strv *tables,
		       const struct sql_dialect *dialect, FILE **file, char **tmp,
		       struct diff_output **out)
{
	*file = NULL;
	bool dir = args->format == DIFF_CSV && args->out;
	if (args->format == DIFF_CSV && !args->out && tables->n > 1)
		return err_set(CDC_EUSAGE,
			       "diff --format csv writes one table's change file: name "
			       "the table with --table, or give --out DIR for one file "
			       "per table (%zu tables here)",
			       tables->n);
	if (args->out && !dir && args->format != DIFF_SUMMARY) {
		*file = diff_output_create(args->out, tmp);
		if (!*file)
			return CDC_ERUNTIME;
	}
	return diff_output_open(out, args->format, *file ? *file : stdout,
				*file ? args->out : "stdout", dir ? args->out : NULL, dialect);
}

static void print_summary(const struct cmd_ctx *ctx, const struct diff_args *args,
			  const struct dbdiff_result *res, int rc)
{
	struct buf text = BUF_INIT;
	report_diff_text(&text, rc == 0, res);
	/* Row formats own stdout; the summary goes to the log then. */
	if (args->format == DIFF_SUMMARY || args->out) {
		cmd_print_text(ctx, &text);
	} else {
		for (const char *line = buf_str(&text), *end; (end = strchr(line, '\n'));
		     line = end + 1)
			log_info("%.*s", (int)(end - line), line);
	}
	buf_free(&text);
}

/* Table-level differences are said on stderr whatever the format. */
static void warn_tables(const struct dbdiff_result *res)
{
	for (size_t i = 0; i < res->ntables; i++) {
		const struct dbdiff_table_result *t = &res->tables[i];
		if (t->status == DBDIFF_ONLY_A || t->status == DBDIFF_ONLY_B)
			log_warn("table %s exists %s", NAME_SHOWN_SHORT(t->name),
				 t->status == DBDIFF_ONLY_A ? "only in A" : "only in B");
		else if (t->problem)
			log_warn("table %s: %s; its rows were not compared",
				 NAME_SHOWN_SHORT(t->name), t->problem);
		if (t->only_a.n || t->only_b.n)
			log_warn("table %s: the column lists differ (see --json); rows were "
				 "compared on the columns both have",
				 NAME_SHOWN_SHORT(t->name));
	}
}

/* docs/design.md §2: long work shows progress when stderr is a terminal. */
static void show_progress(void *ctx, const struct dbdiff_table *t, int64_t rows)
{
	(void)ctx;
	char *shown = name_shown_short(t->name);
	fprintf(stderr, "\r%s: %lld rows compared\033[K", shown, (long long)rows);
	free(shown);
}

static bool want_progress(void)
{
	return isatty(STDERR_FILENO) && log_get_level() >= LOG_INFO;
}

static int run_diff(struct cmd_ctx *ctx, const struct diff_args *args, struct dbdiff_result *res)
{
	struct dbdiff_side a = {0}, b = {0};
	struct strv tables = {0};
	struct diff_output *out = NULL;
	FILE *file = NULL;
	char *tmp = NULL;
	int rc = open_sides(args, &a, &b);
	if (!rc)
		rc = dbdiff_tables(&a, &b, &args->tables, &tables);
	if (!rc)
		rc = open_output(args, &tables, a.ops->dialect, &file, &tmp, &out);
	if (!rc) {
		struct dbdiff_sink sink = diff_output_sink(out);
		if (want_progress())
			sink.progress = show_progress;
		rc = dbdiff_run(&a, &b, &tables, &sink, res);
		if (sink.progress)
			fputs("\r\033[K", stderr);
		/* A failed or stopped diff keeps no partial output (free
		 * removes it); a finished one is flushed and renamed in place. */
		if (!rc || rc == CDC_EDIFF) {
			int closed = diff_output_close(out);
			out = NULL;
			rc = closed ? closed : rc;
		}
	}
	diff_output_free(out);
	out = NULL;
	if (file) {
		int closed = diff_output_commit(file, tmp, args->out, !rc || rc == CDC_EDIFF);
		rc = closed ? closed : rc;
	}
	if (rc == 0 || rc == CDC_EDIFF) {
		warn_tables(res);
		print_summary(ctx, args, res, rc);
	}
	diff_output_free(out);
	strv_free(&tables);
	dbdiff_close(&a);
	dbdiff_close(&b);
	return rc;
}

static int cmd_diff(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct diff_args args = {0};
	struct dbdiff_result res = {0};
	int rc = parse_args(&args, ctx, argc, argv);
	if (!rc)
		rc = run_diff(ctx, &args, &res);
	report_diff_json(ctx->report, args.url_a, args.url_b, rc == 0, &res);
	dbdiff_result_free(&res);
	strv_free(&args.tables);
	strv_free(&args.urls);
	return rc;
}

const struct cmd_entry cmd_diff_entry = {
	.name = "diff",
	.args = "URL_A URL_B",
	.opts = diff_opts,
	.summary = "compare two databases table by table, by key and row hash",
	.help = "Reads both databases (each in one consistent read, never writing) and pairs\n"
		"their rows by key; a row is different when its hash over the columns both\n"
		"sides have differs. Values are hashed in a canonical form, so SQLite and\n"
		"MySQL/MariaDB compare alike (DECIMAL '1.50' = REAL 1.5, 3 = 3.0, one\n"
		"spelling of a date-time). No config file is needed. Each mysql:// side has\n"
		"its own password: --password-file-a/-b FILE, else\n"
		"CDCPACK_A_PASSWORD / CDCPACK_B_PASSWORD; CDCPACK_SOURCE_PASSWORD is not used.\n"
		"\nWhat it prints, turning A into B:\n"
		"  summary  counts per table (the default)\n"
		"  rows     one line per differing key: 'I|U|D TABLE KEY=VALUE...'\n"
		"  csv      the change-file CSV of an archive (Op, then B's row; D: A's key)\n"
		"  jsonl    one JSON object per change, as format = jsonl writes them\n"
		"  sql      statements in A's dialect that make A's rows equal B's\n"
		"\nrows: a text key with a control character or bytes that are not UTF-8 is\n"
		"CAST(X'..' AS TEXT), a name with one is spelt with \\xHH: one line a change.\n"
		"sql: each table's DELETEs and UPDATEs come before its INSERTs (a key that\n"
		"differs from one of A's only by case or trailing spaces is one key under a\n"
		"NOCASE, RTRIM or *_ci column); a REAL that SQLite would read back as another\n"
		"double (SQLite before 3.43, large exponents) is exact arithmetic, (m.0 / 2^62).\n"
		"A column declared otherwise on the two sides converts what it is given (SQLite's\n"
		"affinity: 1.5 set into an INTEGER column stays 1.5, '1' becomes 1, a REAL into\n"
		"a TEXT column keeps 15 digits), so its rows may still differ afterwards.\n"
		"\nTables on one side only, other column lists and other keys are reported on\n"
		"stderr and in --json, and count as differences. A key column declared\n"
		"DATE, DATETIME, TIME or TIMESTAMP compares by one spelling of the moment\n"
		"('2024-01-02T03:04:05Z' is '2024-01-02 03:04:05'), and one declared\n"
		"NUMERIC, DECIMAL or unsigned on either side compares numeric text by value\n"
		"('10' after '3'): a SQLite side's keys there are sorted that way (a full sort\n"
		"of the table, in bounded memory). Two keys of one table that are one key so\n"
		"compared (a moment in two spellings) cannot be paired with the other side's\n"
		"one: diff and verify stop, exit 3, naming both.\n"
		"A SQLite table without a primary key is keyed by its rowid; one with a column\n"
		"named rowid cannot be keyed, nor can a MySQL/MariaDB table without a primary\n"
		"key or a unique index on NOT NULL columns: diff stops (exit 2) naming it;\n"
		"leave it out by naming the other tables with --table.\n"
		"Exit 0 when equal, 1 when different, 2 on usage errors, 3 on failures.\n"
		"\nExamples:\n"
		"  cdcpack diff sqlite:prod.db sqlite:copy.db\n"
		"  cdcpack diff --format sql sqlite:old.db sqlite:new.db > upgrade.sql\n"
		"  cdcpack diff --table orders sqlite:shop.db mysql://cdc@127.0.0.1/shop\n",
	.exec = cmd_diff,
};
