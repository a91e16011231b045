/* Typed cell values and table shapes shared by drivers, change files and apply. */
#ifndef CDCPACK_VALUE_H
#define CDCPACK_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum value_type { VAL_NULL, VAL_INT, VAL_REAL, VAL_TEXT, VAL_BLOB };

/* SQLite's column affinities (https://sqlite.org/datatype3.html §3.1), read
 * from a declared type. NONE: declared without a type, or as BLOB; MySQL's
 * type names fall into them too (DECIMAL and dates NUMERIC; BINARY and BIT,
 * which hold bytes, NONE). */
enum affinity { AFF_NONE, AFF_INTEGER, AFF_REAL, AFF_NUMERIC, AFF_TEXT };

/* A borrowed view of one cell: p points into the producer's memory and is
 * valid only for the duration of the callback that hands it out. Values a
 * driver cannot represent exactly as INT or REAL (DECIMAL, dates, unsigned
 * 64-bit) travel as TEXT in the source's own canonical spelling. */
struct value {
	enum value_type type;
	int64_t i;
	double r;
	const char *p;
	size_t n;
};

struct column {
	char *name;
	char *type; /* declared type as the source spells it: the manifest's "type" */
	/* value_type_for_decl(type), worked out once when the column is added:
	 * writing and reading change files ask for it per value. */
	enum value_type decl;
	enum affinity aff; /* affinity_for_decl(type), likewise */
	bool key;
	/* Computed by the engine (SQLite GENERATED ALWAYS AS, MySQL VIRTUAL or
	 * STORED GENERATED): read like any column, but no statement may set it
	 * (diff --format sql leaves it out). Set by the drivers' describe. */
	bool generated;
};

/* Owns name and cols; table_def_free releases them. */
struct table_def {
	char *name;
	struct column *cols;
	size_t ncols;
	/* No declared primary key: the driver's row id is the key, carried as a
	 * first column named "rowid" (SQLite). */
	bool rowid_key;
	/* The one key column is declared INTEGER but is no rowid alias at the
	 * source (a WITHOUT ROWID table, or INTEGER PRIMARY KEY DESC), so it
	 * may hold text: a SQLite replica must not make it an alias either
	 * (FINDINGS F28). */
	bool int_key_not_alias;
	/* The declared types come from another engine (apply of a MySQL source
	 * into a SQLite replica): the replica keeps values as they travel. */
	bool foreign;
	/* The declared types are those of a driver with type affinity (its
	 * type_rules.affinity; SQLite's): a NUMERIC-affinity column holds
	 * INTEGER and REAL values, which change files spell as numbers.
	 * Otherwise (MySQL) such columns (DECIMAL, dates) hold exact text. */
	bool type_affinity;
};

void table_def_add_column(struct table_def *def, const char *name, const char *type, bool key);
struct table_def *table_def_copy(const struct table_def *def);
void table_def_free(struct table_def *def);
size_t table_def_nkeys(const struct table_def *def);
/* True when both have the same columns (names, types, keys) in the same order. */
bool table_def_same(const struct table_def *a, const struct table_def *b);

/* Orders values as SQLite's BINARY collation does: NULL < numbers < text < blob. */
int value_cmp(const struct value *a, const struct value *b);
/* Same type and same bits (REALs compared exactly). */
bool value_same(const struct value *a, const struct value *b);

/* How a change file's text spells a column of this declared type (SQLite's
 * affinity rules, which also fit MySQL's type names). */
enum value_type value_type_for_decl(const char *decl);
/* The affinity SQLite gives a column of this declared type. */
enum affinity affinity_for_decl(const char *decl);

#include <jansson.h>

/* The manifest's "columns" array: [{"name","type","key"}]. */
json_t *table_def_columns_json(const struct table_def *def);
/* The same array as compact JSON text, for comparing definitions. */
char *table_def_columns_text(const struct table_def *def);
/* Sets o's key to a table's name as reports carry it (docs/design.md §2,
 * "Names in reports"): the name when it is UTF-8; otherwise the name with
 * each byte that is not part of UTF-8 as U+FFFD, and key + "_hex" its
 * bytes in hex (so that no name is lost or confused with another). */
void json_set_name(json_t *o, const char *key, const char *name);
/* {"name"(, "name_hex")} as json_set_name sets them, then fields' members
 * (fields is taken): a report's entry for a table, whatever its bytes. */
json_t *json_named(const char *name, json_t *fields);
/* A JSON string of any text (a column name, a message naming a table):
 * bytes that are not part of UTF-8 as U+FFFD, never a NULL that drops it. */
json_t *json_text(const char *s);
/* Reads such an array into def (which must have no columns yet). */
int table_def_columns_from_json(struct table_def *def, const json_t *columns);
#endif
