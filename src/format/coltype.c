#include "coltype.h"

#include "buf.h"
#include "codec.h"
#include "err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest name either engine's replica is asked to create; MySQL's own
 * limit (64 characters) is checked by the server. */
#define MAX_NAME 1024
#define MAX_TYPE 4096

/* Every base name a MySQL column type may have in an archive, and its family. */
struct kind_name {
	const char *name;
	enum coltype_kind kind;
};

static const struct kind_name kind_names[] = {
	{"tinyint", COLTYPE_INT},
	{"smallint", COLTYPE_INT},
	{"mediumint", COLTYPE_INT},
	{"int", COLTYPE_INT},
	{"integer", COLTYPE_INT},
	{"bigint", COLTYPE_INT},
	{"float", COLTYPE_FLOAT},
	{"double", COLTYPE_DOUBLE},
	{"real", COLTYPE_DOUBLE},
	{"decimal", COLTYPE_DECIMAL},
	{"numeric", COLTYPE_DECIMAL},
	{"dec", COLTYPE_DECIMAL},
	{"fixed", COLTYPE_DECIMAL},
	{"timestamp", COLTYPE_TIMESTAMP},
	{"date", COLTYPE_TEMPORAL},
	{"datetime", COLTYPE_TEMPORAL},
	{"time", COLTYPE_TEMPORAL},
	{"year", COLTYPE_TEMPORAL},
	{"bit", COLTYPE_BIT},
	{"binary", COLTYPE_BINARY},
	{"varbinary", COLTYPE_BINARY},
	{"tinyblob", COLTYPE_BINARY},
	{"blob", COLTYPE_BINARY},
	{"mediumblob", COLTYPE_BINARY},
	{"longblob", COLTYPE_BINARY},
	{"geometry", COLTYPE_BINARY},
	{"point", COLTYPE_BINARY},
	{"linestring", COLTYPE_BINARY},
	{"polygon", COLTYPE_BINARY},
	{"multipoint", COLTYPE_BINARY},
	{"multilinestring", COLTYPE_BINARY},
	{"multipolygon", COLTYPE_BINARY},
	{"geometrycollection", COLTYPE_BINARY},
	{"char", COLTYPE_TEXT},
	{"varchar", COLTYPE_TEXT},
	{"tinytext", COLTYPE_TEXT},
	{"text", COLTYPE_TEXT},
	{"mediumtext", COLTYPE_TEXT},
	{"longtext", COLTYPE_TEXT},
	{"enum", COLTYPE_TEXT},
	{"set", COLTYPE_TEXT},
	{"json", COLTYPE_OTHER},
	{"inet4", COLTYPE_OTHER},
	{"inet6", COLTYPE_OTHER},
	{"uuid", COLTYPE_OTHER},
	{"bool", COLTYPE_OTHER},
	{"boolean", COLTYPE_OTHER},
};

static bool word_in(const char *s, size_t n, const char *const *words, size_t nwords)
{
	for (size_t i = 0; i < nwords; i++)
		if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0)
			return true;
	return false;
}

static size_t word_len(const char *s)
{
	size_t n = 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

/* The entry of kind_names for the n-character word s, or NULL. */
static const struct kind_name *base_named(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strlen(kind_names[i].name) == n && strncasecmp(s, kind_names[i].name, n) == 0)
			return &kind_names[i];
	return NULL;
}

/* digits, at most 10 of them */
static bool digits(const char **p)
{
	size_t n = strspn(*p, "0123456789");
	*p += n;
	return n > 0 && n <= 10;
}

/* 'label'(,'label')* up to the closing parenthesis. */
static bool enum_labels(const char **pp)
{
	const char *p = *pp;
	for (;;) {
		if (*p++ != '\'')
			return false;
		for (;; p++) {
			if (*p == '\'' && p[1] == '\'') {
				p++;
				continue;
			}
			if (*p == '\'')
				break;
			if (!*p || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
				return false;
		}
		p++;
		if (*p != ',')
			break;
		p++;
	}
	*pp = p;
	return true;
}

bool coltype_mysql_valid(const char *type)
{
	static const char *const modifiers[] = {"unsigned", "signed", "zerofill"};
	if (strlen(type) > MAX_TYPE)
		return false;
	const char *p = type;
	size_t n = word_len(p);
	if (!base_named(p, n))
		return false;
	bool labels = (n == 4 && strncasecmp(p, "enum", 4) == 0) ||
		      (n == 3 && strncasecmp(p, "set", 3) == 0);
	p += n;
	if (*p == '(') {
		p++;
		if (labels ? !enum_labels(&p) : !digits(&p) || (*p == ',' && (p++, !digits(&p))))
			return false;
		if (*p++ != ')')
			return false;
	} else if (labels) {
		return false;
	}
	while (*p == ' ') {
		p++;
		n = word_len(p);
		if (!word_in(p, n, modifiers, sizeof(modifiers) / sizeof(modifiers[0])))
			return false;
		p += n;
	}
	return *p == '\0';
}

/* [+-]digits[.digits] */
static bool signed_number(const char **p)
{
	if (**p == '+' || **p == '-')
		(*p)++;
	if (!digits(p))
		return false;
	if (**p == '.') {
		(*p)++;
		return digits(p);
	}
	return true;
}

static void skip_blank(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

/* '(' n [',' m] ')' with blanks anywhere between. */
static bool sqlite_size(const char **p)
{
	(*p)++;
	skip_blank(p);
	if (!signed_number(p))
		return false;
	skip_blank(p);
	if (**p == ',') {
		(*p)++;
		skip_blank(p);
		if (!signed_number(p))
			return false;
		skip_blank(p);
	}
	if (**p != ')')
		return false;
	(*p)++;
	return true;
}

bool coltype_sqlite_valid(const char *type)
{
	/* Words that start a column constraint: a type never holds them. */
	static const char *const constraint[] = {
		"constraint", "primary", "not",	       "null",	    "unique", "check",
		"default",    "collate", "references", "generated", "as",     "autoincrement",
	};
	if (strlen(type) > MAX_TYPE)
		return false;
	const char *p = type;
	skip_blank(&p);
	while (*p && *p != '(') {
		size_t n = word_len(p);
		if (n == 0 || isdigit((unsigned char)*p) ||
		    word_in(p, n, constraint, sizeof(constraint) / sizeof(constraint[0])))
			return false;
		p += n;
		const char *before = p;
		skip_blank(&p);
		if (*p && *p != '(' && p == before)
			return false; /* words are apart */
	}
	if (*p == '(' && (p == type || !sqlite_size(&p)))
		return false;
	skip_blank(&p);
	return *p == '\0';
}

bool coltype_driver_known(const char *driver)
{
	return strcmp(driver, "sqlite") == 0 || strcmp(driver, "mysql") == 0;
}

/* s made safe to print: spelt as name_shown has it (lossless: control
 * bytes and bytes that are not UTF-8 as \xHH), cut after 80 bytes. */
static char *shown(const char *s)
{
	char *all = name_shown(s);
	if (strlen(all) <= 80)
		return all;
	char *cut = xasprintf("%.80s...", all);
	free(all);
	return cut;
}

static int bad(const char *fmt, const char *a, const char *b, const char *c)
{
	char *sa = shown(a), *sb = b ? shown(b) : NULL, *sc = c ? shown(c) : NULL;
	int rc = err_set(CDC_ERUNTIME, fmt, sa, sb, sc);
	free(sa);
	free(sb);
	free(sc);
	return rc;
}

bool coltype_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > MAX_NAME || !utf8_valid(name, n))
		return false;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int coltype_check_def(const char *driver, const struct table_def *def)
{
	if (!coltype_driver_known(driver))
		return bad("unknown source driver '%s'%s%s", driver, "", "");
	if (!coltype_name_ok(def->name))
		return bad("table name '%s' is empty, longer than 1024 bytes, not UTF-8 or holds "
			   "control "
			   "characters%s%s",
			   def->name, "", "");
	/* cdcpack's own bookkeeping and SQLite's internal tables are not data. */
	if (strcmp(def->name, "cdcpack_applied") == 0 || strncasecmp(def->name, "sqlite_", 7) == 0)
		return bad("table name '%s' is reserved%s%s", def->name, "", "");
	bool mysql = strcmp(driver, "mysql") == 0;
	for (size_t i = 0; i < def->ncols; i++) {
		const struct column *c = &def->cols[i];
		if (!coltype_name_ok(c->name))
			return bad(
				"table %s: column name '%s' is empty, longer than 1024 bytes, not "
				"UTF-8 or holds control characters%s",
				def->name, c->name, "");
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(def->cols[j].name, c->name) == 0)
				return bad("table %s: column %s is listed twice%s", def->name,
					   c->name, "");
		if (!(mysql ? coltype_mysql_valid(c->type) : coltype_sqlite_valid(c->type)))
			return bad("table %s: column %s: type '%s' is not a column type cdcpack "
				   "knows for this driver",
				   def->name, c->name, c->type);
	}
	return 0;
}

int coltype_check_capturable(const char *driver, const struct table_def *def)
{
	if (!coltype_check_def(driver, def))
		return 0;
	char *why = xstrdup(err_msg());
	char *name = shown(def->name);
	int rc = err_set(CDC_EUSAGE,
			 "table '%s' cannot be captured: %s, which no archive may carry (apply "
			 "refuses it); rename it, or leave the table out ([capture] exclude takes "
			 "a pattern: * matches any bytes)",
			 name, why);
	free(name);
	free(why);
	return rc;
}

enum coltype_kind coltype_kind_of(const char *column_type)
{
	const char *s = column_type;
	while (isspace((unsigned char)*s))
		s++;
	size_t n = word_len(s);
	const struct kind_name *base = base_named(s, n);
	if (!base)
		return COLTYPE_OTHER;
	/* Only the base name decides; "unsigned" comes after the parentheses,
	 * which may hold ENUM labels, so look past them. */
	const char *tail = strrchr(s, ')');
	if (base->kind == COLTYPE_INT && strcasestr(tail ? tail : s + n, "unsigned"))
		return COLTYPE_UINT;
	return base->kind;
}

unsigned coltype_width(const char *column_type, unsigned dflt)
{
	const char *p = strchr(column_type, '(');
	if (!p || !isdigit((unsigned char)p[1]))
		return dflt;
	return (unsigned)strtoul(p + 1, NULL, 10);
}
