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

/* The entry of kind_names for the n-character word s, or NULL. */
static const struct kind_name *base_named(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strlen(kind_names[i].name) == n && strncasecmp(s, kind_names[i].name, n) == 0)
			return &kind_names[i];
	return NULL;
}

size_t coltype_word_len(const char *s)
{
	size_t n = 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

bool coltype_word_in(const char *s, size_t n, const char *const *words, size_t nwords)
{
	for (size_t i = 0; i < nwords; i++)
		if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0)
			return true;
	return false;
}

bool coltype_base_known(const char *s, size_t n)
{
	return base_named(s, n) != NULL;
}

bool coltype_digits(const char **p)
{
	size_t n = strspn(*p, "0123456789");
	*p += n;
	return n > 0 && n <= 10;
}

/* The drivers' type rules, as the source registry handed them over. */
static struct {
	const struct type_rules *const *v;
	size_t n;
} rules;

void coltype_register_rules(const struct type_rules *const *v, size_t n)
{
	rules.v = v;
	rules.n = n;
}

const struct type_rules *coltype_rules_for(const char *driver)
{
	for (size_t i = 0; driver && i < rules.n; i++)
		if (strcmp(rules.v[i]->driver, driver) == 0)
			return rules.v[i];
	return NULL;
}

static int bad(const char *fmt, const char *a, const char *b, const char *c)
{
	char sa[NAME_SHOWN_SHORT_SIZE], sb[NAME_SHOWN_SHORT_SIZE], sc[NAME_SHOWN_SHORT_SIZE];
	return err_set(CDC_ERUNTIME, fmt, name_shown_short_in(sa, a),
		       b ? name_shown_short_in(sb, b) : NULL,
		       c ? name_shown_short_in(sc, c) : NULL);
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
	const struct type_rules *r = coltype_rules_for(driver);
	if (!r)
		return bad("unknown source driver '%s'%s%s", driver, "", "");
	if (!coltype_name_ok(def->name))
		return bad("table name '%s' is empty, longer than 1024 bytes, not UTF-8 or holds "
			   "control "
			   "characters%s%s",
			   def->name, "", "");
	/* cdcpack's own bookkeeping and SQLite's internal tables are not data. */
	if (strcmp(def->name, "cdcpack_applied") == 0 || strncasecmp(def->name, "sqlite_", 7) == 0)
		return bad("table name '%s' is reserved%s%s", def->name, "", "");
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
		if (!r->type_valid(c->type))
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
	char name[NAME_SHOWN_SHORT_SIZE];
	int rc = err_set(CDC_EUSAGE,
			 "table '%s' cannot be captured: %s, which no archive may carry (apply "
			 "refuses it); rename it, or leave the table out ([capture] exclude takes "
			 "a pattern: * matches any bytes)",
			 name_shown_short_in(name, def->name), why);
	free(why);
	return rc;
}

enum coltype_kind coltype_kind_of(const char *column_type)
{
	const char *s = column_type;
	while (isspace((unsigned char)*s))
		s++;
	size_t n = coltype_word_len(s);
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
