#include "sqlutil.h"

void sql_add_ident(struct buf *b, const char *name, char quote)
{
	buf_addc(b, quote);
	for (const char *p = name; *p; p++) {
		if (*p == quote)
			buf_addc(b, quote);
		buf_addc(b, *p);
	}
	buf_addc(b, quote);
}

void sql_add_literal(struct buf *b, const char *text)
{
	buf_addc(b, '\'');
	for (const char *p = text; *p; p++) {
		if (*p == '\'')
			buf_addc(b, '\'');
		buf_addc(b, *p);
	}
	buf_addc(b, '\'');
}
