/* The grammar of what an archive may say about a table (docs/design.md §5):
 * driver names, table and column names, and column type spellings. An
 * archive comes from a bucket others may write; nothing it says reaches
 * SQL or a path before passing these checks, and the replica drivers
 * build SQL only from spellings that pass them. */
#ifndef CDCPACK_COLTYPE_H
#define CDCPACK_COLTYPE_H

#include "value.h"

#include <stdbool.h>
#include <stddef.h>

/* What the format layer knows of a driver's column types, owned by the
 * driver (src/source/NAME/) and handed over by the source registry (a
 * constructor in source.c), so that this layer names no driver. An
 * archive's manifest names its driver: one with no rules is refused. */
struct type_rules {
	const char *driver; /* as manifests name it (source.driver) */
	/* Whether type is a declared column type as the driver spells one: the
	 * only spellings an archive of the driver may carry. */
	bool (*type_valid)(const char *type);
	/* Its FLOAT is single precision: hashed as CANON_FLOAT32 (rowhash.h). */
	bool float32;
	/* Values keep the type they were written with, whatever the column's
	 * declared type (SQLite's type affinity): table_def.type_affinity. */
	bool affinity;
};
/* Called once by the source registry before any archive is read; rules
 * must outlive the program. */
void coltype_register_rules(const struct type_rules *const *rules, size_t n);
/* The rules of the driver an archive names, or NULL when none is registered. */
const struct type_rules *coltype_rules_for(const char *driver);

/* The pieces the drivers' type grammars are made of. The longest type
 * spelling an archive may carry: */
#define COLTYPE_MAX 4096
/* The length of the word of letters, digits and _ at s. */
size_t coltype_word_len(const char *s);
/* Whether the n-character word s is one of words, ignoring case. */
bool coltype_word_in(const char *s, size_t n, const char *const *words, size_t nwords);
/* Whether the n-character word s is a base name coltype_kind_of knows. */
bool coltype_base_known(const char *s, size_t n);
/* Skips 1 to 10 digits at *p; false when there are none or more. */
bool coltype_digits(const char **p);

/* Checks def as read from an archive of driver: the driver is registered,
 * the table name, each column's name (no two alike, ignoring case) and its
 * type by the driver's grammar. CDC_ERUNTIME naming
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
