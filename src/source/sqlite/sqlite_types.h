/* What the SQLite driver's column types are to the format layer (struct
 * type_rules, coltype.h): their grammar, and type affinity. */
#ifndef CDCPACK_SQLITE_TYPES_H
#define CDCPACK_SQLITE_TYPES_H

#include "coltype.h"

#include <stdbool.h>

/* A declared type as SQLite's grammar has it: words of letters, digits and
 * _, then at most one "(n)" or "(n,m)" of signed numbers; no constraint
 * keyword (NOT, NULL, DEFAULT, COLLATE...). "" (no type) is valid. */
bool sqlite_type_valid(const char *type);

extern const struct type_rules sqlite_type_rules;

#endif
