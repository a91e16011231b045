#include "mysql_types.h"

#include <string.h>
#include <strings.h>

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

bool mysql_type_valid(const char *type)
{
	static const char *const modifiers[] = {"unsigned", "signed", "zerofill"};
	if (strlen(type) > COLTYPE_MAX)
		return false;
	const char *p = type;
	size_t n = coltype_word_len(p);
	if (!coltype_base_known(p, n))
		return false;
	bool labels = (n == 4 && strncasecmp(p, "enum", 4) == 0) ||
		      (n == 3 && strncasecmp(p, "set", 3) == 0);
	p += n;
	if (*p == '(') {
		p++;
		if (labels ? !enum_labels(&p)
			   : !coltype_digits(&p) || (*p == ',' && (p++, !coltype_digits(&p))))
			return false;
		if (*p++ != ')')
			return false;
	} else if (labels) {
		return false;
	}
	while (*p == ' ') {
		p++;
		n = coltype_word_len(p);
		if (!coltype_word_in(p, n, modifiers, sizeof(modifiers) / sizeof(modifiers[0])))
			return false;
		p += n;
	}
	return *p == '\0';
}

const struct type_rules mysql_type_rules = {
	.driver = "mysql",
	.type_valid = mysql_type_valid,
	.float32 = true, /* MySQL's FLOAT is 4 bytes */
	.affinity = false,
};
