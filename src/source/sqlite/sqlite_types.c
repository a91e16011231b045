#include "sqlite_types.h"

#include <ctype.h>
#include <string.h>

/* [+-]digits[.digits] */
static bool signed_number(const char **p)
{
	if (**p == '+' || **p == '-')
		(*p)++;
	if (!coltype_digits(p))
		return false;
	if (**p == '.') {
		(*p)++;
		return coltype_digits(p);
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

bool sqlite_type_valid(const char *type)
{
	/* Words that start a column constraint: a type never holds them. */
	static const char *const constraint[] = {
		"constraint", "primary", "not",	       "null",	    "unique", "check",
		"default",    "collate", "references", "generated", "as",     "autoincrement",
	};
	if (strlen(type) > COLTYPE_MAX)
		return false;
	const char *p = type;
	skip_blank(&p);
	while (*p && *p != '(') {
		size_t n = coltype_word_len(p);
		if (n == 0 || isdigit((unsigned char)*p) ||
		    coltype_word_in(p, n, constraint, sizeof(constraint) / sizeof(constraint[0])))
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

const struct type_rules sqlite_type_rules = {
	.driver = "sqlite",
	.type_valid = sqlite_type_valid,
	.float32 = false, /* SQLite's FLOAT is a double */
	.affinity = true,
};
