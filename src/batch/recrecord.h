/* A reconcile's findings (struct reconcile_result, context.h) as JSON: the
 * state keeps the last one in this shape, and the --json reports show it
 * the same way, so one module spells it. */
#ifndef CDCPACK_RECRECORD_H
#define CDCPACK_RECRECORD_H

#include "context.h"

#include <jansson.h>
#include <stdint.h>

/* Frees r (made with xcalloc) and what it holds; accepts NULL. */
void reconcile_result_destroy(struct reconcile_result *r);
/* Rows r repaired (inserted, updated, deleted): non-zero means capture
 * missed changes. */
int64_t reconcile_repaired(const struct reconcile_result *r);
/* [{"table"(, "table_hex"), "rows", "inserted", "updated", "deleted",
 * "pending", "skipped"}]: a name that is not UTF-8 as json_set_name has it. */
json_t *reconcile_tables_json(const struct reconcile_result *r);
/* {"at", "batch", "tables"} as compact text (owned). */
char *reconcile_record_text(const struct reconcile_result *r);
/* What reconcile_record_text wrote, into r (zeroed first); a record that
 * does not parse leaves r->at NULL. */
void reconcile_record_parse(const char *text, struct reconcile_result *r);

#endif
