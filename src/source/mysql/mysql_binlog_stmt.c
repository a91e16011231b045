#include "mysql_binlog_stmt.h"

#include "buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct lex {
	const char *p, *end;
};

static bool ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Whitespace and plain comments; an executable comment (slash-star-bang)
 * is text the parser does not know, and stays. */
static void skip_space(struct lex *l)
{
	for (;;) {
		while (l->p < l->end && isspace((unsigned char)*l->p))
			l->p++;
		if (l->end - l->p >= 3 && l->p[0] == '/' && l->p[1] == '*' && l->p[2] != '!') {
			const char *close = l->p + 2;
			while (close + 1 < l->end && !(close[0] == '*' && close[1] == '/'))
				close++;
			if (close + 1 >= l->end)
				return;
			l->p = close + 2;
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

/* An identifier, bare or back-quoted (`` inside for one `); NULL if none. */
static char *ident(struct lex *l)
{
	skip_space(l);
	struct buf b = BUF_INIT;
	if (l->p < l->end && *l->p == '`') {
		const char *q = l->p + 1;
		for (; q < l->end; q++) {
			if (*q != '`') {
				buf_addc(&b, *q);
			} else if (q + 1 < l->end && q[1] == '`') {
				buf_addc(&b, '`');
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

void binlog_stmt_parse(const char *sql, size_t n, struct binlog_stmt *out)
{
	memset(out, 0, sizeof(*out));
	struct lex l = {sql, sql + n};
	if (keyword(&l, "TRUNCATE")) {
		(void)keyword(&l, "TABLE");
		if (table_name(&l, out) && at_end(&l)) {
			out->kind = BINLOG_STMT_TRUNCATE;
			return;
		}
	}
	binlog_stmt_free(out);
	l = (struct lex){sql, sql + n};
	bool create = keyword(&l, "CREATE");
	if (create && keyword(&l, "OR"))
		create = keyword(&l, "REPLACE");
	if ((create || keyword(&l, "DROP") || keyword(&l, "RENAME")) && keyword(&l, "TABLE"))
		out->kind = BINLOG_STMT_REPLACES;
}

void binlog_stmt_free(struct binlog_stmt *s)
{
	free(s->db);
	free(s->table);
	memset(s, 0, sizeof(*s));
}
