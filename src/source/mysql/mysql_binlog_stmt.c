#include "mysql_binlog_stmt.h"

#include "buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct lex {
	const char *p, *end;
	unsigned long version; /* the server's, as mysql_get_server_version gives it */
	bool in_exec;	       /* inside an executable comment the server ran */
};

static bool ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* A comment to the end of the line: '#...' or '-- ...'. */
static bool line_comment(const struct lex *l)
{
	return (l->p < l->end && *l->p == '#') ||
	       (l->end - l->p >= 3 && l->p[0] == '-' && l->p[1] == '-' &&
		isspace((unsigned char)l->p[2]));
}

/* At an executable comment's opening (slash-star-bang, or slash-star-M-bang,
 * MariaDB's own), optionally followed by a version of 5 or 6 digits: its
 * length, and in *runs whether the server ran its text (no version, or
 * one up to the server's: as the server's lexer decides); 0 if none. */
static size_t exec_opening(const struct lex *l, bool *runs)
{
	const char *q = l->p;
	if (l->end - q < 3 || q[0] != '/' || q[1] != '*')
		return 0;
	q += 2;
	if (*q == 'M' && q + 1 < l->end && q[1] == '!')
		q++;
	if (*q != '!')
		return 0;
	q++;
	size_t digits = 0;
	while (q + digits < l->end && digits < 6 && isdigit((unsigned char)q[digits]))
		digits++;
	unsigned long v = 0;
	if (digits >= 5) {
		digits = digits == 6 ? 6 : 5;
		for (size_t i = 0; i < digits; i++)
			v = v * 10 + (unsigned long)(q[i] - '0');
	} else {
		digits = 0;
	}
	*runs = v <= l->version;
	return (size_t)(q + digits - l->p);
}

/* Past a comment's text to its end (false: it does not end). */
static bool skip_comment(struct lex *l)
{
	const char *close = l->p + 2;
	while (close + 1 < l->end && !(close[0] == '*' && close[1] == '/'))
		close++;
	if (close + 1 >= l->end)
		return false;
	l->p = close + 2;
	return true;
}

/* Whitespace and comments. The text of an executable comment the server
 * ran is statement text (mysqldump writes whole statements so, and
 * anyone may): its opening and closing are passed as space; one it did
 * not run (a later version's) is a comment. */
static void skip_space(struct lex *l)
{
	for (;;) {
		while (l->p < l->end && isspace((unsigned char)*l->p))
			l->p++;
		bool runs = false;
		size_t open = exec_opening(l, &runs);
		if (open && runs && !l->in_exec) {
			l->p += open;
			l->in_exec = true;
			continue;
		}
		if (l->in_exec && l->end - l->p >= 2 && l->p[0] == '*' && l->p[1] == '/') {
			l->p += 2;
			l->in_exec = false;
			continue;
		}
		if (l->end - l->p >= 3 && l->p[0] == '/' && l->p[1] == '*' && (!open || !runs)) {
			if (!skip_comment(l))
				return;
			continue;
		}
		if (line_comment(l)) {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
			continue;
		}
		return;
	}
}

/* The keyword kw (any letter case) as a whole word. */
static bool keyword(struct lex *l, const char *kw)
{
	skip_space(l);
	size_t n = strlen(kw);
	if ((size_t)(l->end - l->p) < n || strncasecmp(l->p, kw, n) != 0 ||
	    (l->p + n < l->end && ident_char((unsigned char)l->p[n])))
		return false;
	l->p += n;
	return true;
}

/* An identifier, bare or quoted: back-quoted, or in double quotes (the
 * server logs a statement as given, and under sql_mode ANSI_QUOTES a name
 * may be spelt so; where a name is expected a string cannot stand, so
 * taking it for a name needs no sql_mode). A doubled quote inside stands
 * for one. NULL if none. */
static char *ident(struct lex *l)
{
	skip_space(l);
	struct buf b = BUF_INIT;
	if (l->p < l->end && (*l->p == '`' || *l->p == '"')) {
		char quote = *l->p;
		const char *q = l->p + 1;
		for (; q < l->end; q++) {
			if (*q != quote) {
				buf_addc(&b, *q);
			} else if (q + 1 < l->end && q[1] == quote) {
				buf_addc(&b, quote);
				q++;
			} else {
				break;
			}
		}
		if (q >= l->end || b.len == 0) {
			buf_free(&b);
			return NULL;
		}
		l->p = q + 1;
		return buf_detach(&b);
	}
	const char *start = l->p;
	while (l->p < l->end && ident_char((unsigned char)*l->p))
		l->p++;
	return l->p > start ? xstrndup(start, (size_t)(l->p - start)) : NULL;
}

/* [db.]table into out; false when not there. */
static bool table_name(struct lex *l, struct binlog_stmt *out)
{
	char *first = ident(l);
	if (!first)
		return false;
	skip_space(l);
	if (l->p < l->end && *l->p == '.') {
		l->p++;
		out->db = first;
		out->table = ident(l);
		return out->table != NULL;
	}
	out->table = first;
	return true;
}

/* Nothing but space and an optional ';' left. */
static bool at_end(struct lex *l)
{
	skip_space(l);
	if (l->p < l->end && *l->p == ';')
		l->p++;
	skip_space(l);
	return l->p == l->end;
}

/* A [db.]table of a list into out->dbs, out->tables. */
static bool listed_name(struct lex *l, struct binlog_stmt *out)
{
	struct binlog_stmt one = {0};
	bool ok = table_name(l, &one);
	if (ok) {
		strv_push(&out->dbs, one.db ? one.db : "");
		strv_push(&out->tables, one.table);
	}
	binlog_stmt_free(&one);
	return ok;
}

static bool comma(struct lex *l)
{
	skip_space(l);
	if (l->p < l->end && *l->p == ',') {
		l->p++;
		return true;
	}
	return false;
}

/* Past an identifier (a partition's name); false if none. */
static bool skip_ident(struct lex *l)
{
	char *name = ident(l);
	bool ok = name != NULL;
	free(name);
	return ok;
}

/* Past an optional WAIT n | NOWAIT (MariaDB's lock wait, after a table
 * name in RENAME, ALTER and TRUNCATE); false for a WAIT without n. */
static bool skip_wait(struct lex *l)
{
	if (keyword(l, "WAIT"))
		return skip_ident(l); /* the seconds */
	(void)keyword(l, "NOWAIT");
	return true;
}

/* RENAME TABLE [IF EXISTS] a [WAIT n | NOWAIT] TO b, ... (MariaDB 10.5's
 * spelling; the server logs what it was given). */
static bool rename_list(struct lex *l, struct binlog_stmt *out)
{
	if (keyword(l, "IF") && !keyword(l, "EXISTS"))
		return false;
	do {
		if (!listed_name(l, out) || !skip_wait(l))
			return false;
		if (!keyword(l, "TO") || !listed_name(l, out))
			return false;
	} while (comma(l));
	return true;
}

/* Past a quoted string or name (q its quote; a doubled quote or, in
 * strings, a backslash escapes); false when it does not close. */
static bool skip_quoted(struct lex *l, char q)
{
	for (l->p++; l->p < l->end; l->p++) {
		if (*l->p == '\\' && q != '`' && l->p + 1 < l->end) {
			l->p++;
		} else if (*l->p == q) {
			if (l->p + 1 < l->end && l->p[1] == q)
				l->p++;
			else
				break;
		}
	}
	if (l->p >= l->end)
		return false;
	l->p++;
	return true;
}

/* Past the rest of one ALTER TABLE spec, to the comma that ends it (not
 * taken) or the end: strings, names and parentheses are passed whole.
 * false when the text is not understood (an executable comment may hold
 * any spec; an unclosed quote or parenthesis). */
static bool skip_spec(struct lex *l)
{
	int depth = 0;
	for (;;) {
		skip_space(l);
		if (l->p >= l->end)
			return depth == 0;
		char c = *l->p;
		if (c == ',' && depth == 0)
			return true;
		if (c == '/' && l->end - l->p >= 3 && l->p[1] == '*' &&
		    (l->p[2] == '!' || l->p[2] == 'M'))
			return false; /* one nested in another: not understood */
		if (c == '\'' || c == '"' || c == '`') {
			if (!skip_quoted(l, c))
				return false;
			continue;
		}
		if (c == ')' && --depth < 0)
			return false;
		depth += c == '(';
		l->p++;
	}
}

/* An ALTER TABLE spec that moves rows with no row event logged (the log
 * has the statement alone): TRUNCATE or DROP PARTITION, EXCHANGE PARTITION
 * p WITH TABLE b, CONVERT PARTITION p TO TABLE b, CONVERT TABLE b TO
 * PARTITION. 1: one, read up to its partition's name or b, and a (and b)
 * listed in out; 0: another spec (l unmoved); -1: b not understood. */
static int moves_rows(struct lex *l, const struct binlog_stmt *a, struct binlog_stmt *out)
{
	const char *at = l->p;
	bool moves = false, names_b = false;
	if (keyword(l, "TRUNCATE") || keyword(l, "DROP"))
		moves = keyword(l, "PARTITION");
	else if (keyword(l, "EXCHANGE"))
		moves = names_b = keyword(l, "PARTITION") && skip_ident(l) && keyword(l, "WITH") &&
				  keyword(l, "TABLE");
	else if (keyword(l, "CONVERT"))
		moves = names_b =
			keyword(l, "TABLE") || (keyword(l, "PARTITION") && skip_ident(l) &&
						keyword(l, "TO") && keyword(l, "TABLE"));
	if (!moves) {
		l->p = at;
		return 0;
	}
	strv_push(&out->dbs, a->db ? a->db : "");
	strv_push(&out->tables, a->table);
	return !names_b || listed_name(l, out) ? 1 : -1;
}

/* One ALTER TABLE spec: RENAME [TO | AS] [db.]b gives a's name away (a
 * RENAME COLUMN, INDEX or KEY does not), into out as a TO b; a spec that
 * moves rows unlogged (moves_rows) lists a and any other table it names. */
static bool alter_spec(struct lex *l, const struct binlog_stmt *a, struct binlog_stmt *out)
{
	const char *at = l->p;
	int moved = moves_rows(l, a, out);
	if (moved)
		return moved > 0 && skip_spec(l);
	if (keyword(l, "RENAME") && !keyword(l, "COLUMN") && !keyword(l, "INDEX") &&
	    !keyword(l, "KEY")) {
		if (!keyword(l, "TO"))
			(void)keyword(l, "AS");
		strv_push(&out->dbs, a->db ? a->db : "");
		strv_push(&out->tables, a->table);
		return listed_name(l, out) && skip_spec(l);
	}
	l->p = at;
	return skip_spec(l);
}

/* ALTER [ONLINE] [IGNORE] TABLE [IF EXISTS] [db.]a [WAIT n | NOWAIT]
 * spec, ...: true when a spec renames the table (out lists a and its new
 * name, as RENAME TABLE a TO b does) or moves its rows unlogged (out lists
 * a, and the table its rows went to or came from); false for any other
 * ALTER, which the reader then takes for DDL on the tables it names. */
static bool alter_replaces(struct lex *l, struct binlog_stmt *out)
{
	(void)keyword(l, "ONLINE");
	(void)keyword(l, "IGNORE");
	if (!keyword(l, "TABLE") || (keyword(l, "IF") && !keyword(l, "EXISTS")))
		return false;
	struct binlog_stmt a = {0};
	bool ok = table_name(l, &a) && skip_wait(l);
	while (ok) {
		ok = alter_spec(l, &a, out);
		if (!ok || !comma(l))
			break;
	}
	ok = ok && at_end(l) && out->tables.n > 0;
	binlog_stmt_free(&a);
	return ok;
}

/* TABLE or TABLES: DROP and RENAME take either (and the server logs a
 * RENAME TABLES as given). */
static bool table_word(struct lex *l)
{
	return keyword(l, "TABLE") || keyword(l, "TABLES");
}

/* The statements after which table names stand for other tables. */
static bool replaces(struct lex *l, struct binlog_stmt *out)
{
	if (keyword(l, "RENAME"))
		return table_word(l) && rename_list(l, out);
	if (keyword(l, "ALTER"))
		return alter_replaces(l, out);
	bool drop = keyword(l, "DROP");
	if (!drop && !keyword(l, "CREATE"))
		return false;
	if (!drop && keyword(l, "OR") && !keyword(l, "REPLACE"))
		return false;
	if (!(drop ? table_word(l) : keyword(l, "TABLE")))
		return false;
	if (keyword(l, "IF") && !((drop || keyword(l, "NOT")) && keyword(l, "EXISTS")))
		return false;
	if (!drop)
		return listed_name(l, out);
	do {
		if (!listed_name(l, out))
			return false;
	} while (comma(l));
	return true;
}

void binlog_stmt_parse(const char *sql, size_t n, unsigned long server_version,
		       struct binlog_stmt *out)
{
	memset(out, 0, sizeof(*out));
	struct lex l = {sql, sql + n, server_version, false};
	if (keyword(&l, "TRUNCATE")) {
		(void)keyword(&l, "TABLE");
		if (table_name(&l, out) && skip_wait(&l) && at_end(&l)) {
			out->kind = BINLOG_STMT_TRUNCATE;
			return;
		}
	}
	binlog_stmt_free(out);
	l = (struct lex){sql, sql + n, server_version, false};
	if (replaces(&l, out))
		out->kind = BINLOG_STMT_REPLACES;
	else
		binlog_stmt_free(out);
}

bool binlog_name_is(const char *name, size_t n, const char *want, long lower_case_table_names)
{
	if (strlen(want) != n)
		return false;
	return lower_case_table_names ? strncasecmp(name, want, n) == 0
				      : memcmp(name, want, n) == 0;
}

void binlog_stmt_free(struct binlog_stmt *s)
{
	free(s->db);
	free(s->table);
	strv_free(&s->dbs);
	strv_free(&s->tables);
	memset(s, 0, sizeof(*s));
}
