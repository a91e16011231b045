/* What the MySQL driver's column types are to the format layer (struct
 * type_rules, coltype.h): their grammar, a single-precision FLOAT. */
#ifndef CDCPACK_MYSQL_TYPES_H
#define CDCPACK_MYSQL_TYPES_H

#include "coltype.h"

#include <stdbool.h>

/* A column type as information_schema's COLUMN_TYPE spells it: a known
 * base name ("int", "varchar", "enum"...), then "(n)", "(n,m)" or, for
 * ENUM and SET, "('label',...)" (labels without backslashes or control
 * characters, quotes doubled), then any of unsigned, signed, zerofill. */
bool mysql_type_valid(const char *type);

extern const struct type_rules mysql_type_rules;

#endif
