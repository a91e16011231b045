/* The grammar of what an archive may say about a table (docs/design.md §5):
 * driver names, table and column names, and column type spellings. An
 * archive comes from a bucket others may write; nothing it says reaches
 * SQL or a path before passing these checks, and the replica drivers
 * build SQL only from spellings that pass them. */
#ifndef CDCPACK_COLTYPE_H
#define CDCPACK_COLTYPE_H

#include "value.h"

#include <stdbool.h>

/* A column type as information_schema's COLUMN_TYPE spells it: a known
 * base name ("int", "varchar", "enum"...), then "(n)", "(n,m)" or, for
 * ENUM and SET, "('label',...)" (labels without backslashes or control
 * characters, quotes doubled), then any of unsigned, signed, zerofill. */
bool coltype_mysql_valid(const char *type);
/* A declared type as SQLite's grammar has it: words of letters, digits and
 * _, then at most one "(n)" or "(n,m)" of signed numbers; no constraint
 * keyword (NOT, NULL, DEFAULT, COLLATE...). "" (no type) is valid. */
bool coltype_sqlite_valid(const char *type);
/* "sqlite" or "mysql": the drivers an archive may name. */
bool coltype_driver_known(const char *driver);

/* Checks def as read from an archive of driver: the table name, each
 * column's name (no two alike, ignoring case) and type. CDC_ERUNTIME naming
 * the table, column and (made printable) offending text. */
int coltype_check_def(const char *driver, const struct table_def *def);
/* The same grammar, on the capture side: a table whose name, column names
 * or types an archive may not carry is refused before anything ships
 * (CDC_EUSAGE naming it), so that capture never makes a chain apply
 * cannot follow (docs/design.md §5, "Names"). */
int coltype_check_capturable(const char *driver, const struct table_def *def);
/* A table or column name an archive may carry: 1..1024 bytes of UTF-8
 * without control characters. */
bool coltype_name_ok(const char *name);

/* The family of a column type, by its base name: MySQL's names, which
 * cover SQLite's common spellings too (DECIMAL(10,2), DATETIME, REAL). The
 * MySQL driver spells values by it; diff compares across engines by it. */
enum coltype_kind {
	COLTYPE_INT,	   /* signed integers: VAL_INT */
	COLTYPE_UINT,	   /* unsigned: VAL_INT, or TEXT above INT64_MAX */
	COLTYPE_FLOAT,	   /* FLOAT: widened to DOUBLE, which holds it exactly */
	COLTYPE_DOUBLE,	   /* DOUBLE: shortest round-trip text */
	COLTYPE_DECIMAL,   /* exact text, scale as declared */
	COLTYPE_TIMESTAMP, /* UTC text; the trigger writes UNIX_TIMESTAMP() */
	COLTYPE_TEMPORAL,  /* DATE, DATETIME, TIME, YEAR: text as MySQL prints it */
	COLTYPE_BIT,	   /* big-endian bytes, as a SELECT returns them */
	COLTYPE_BINARY,	   /* BINARY, VARBINARY, BLOBs, spatial: bytes (hex in images) */
	COLTYPE_TEXT,	   /* character strings, ENUM, SET */
	COLTYPE_OTHER,	   /* anything else (JSON, INET6, UUID...): CAST AS CHAR */
};

/* The kind of an information_schema COLUMN_TYPE such as "bigint(20) unsigned". */
enum coltype_kind coltype_kind_of(const char *column_type);
/* The first number in parentheses ("timestamp(3)" -> 3), or dflt. */
unsigned coltype_width(const char *column_type, unsigned dflt);

#endif
