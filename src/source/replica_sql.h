/* Each replica engine's CREATE TABLE for a table an archive describes,
 * built without a connection, so that the fuzz harness of the
 * manifest-to-SQL path (tests/fuzz/fuzz_manifest_sql.c) checks the very
 * text apply runs. */
#ifndef CDCPACK_REPLICA_SQL_H
#define CDCPACK_REPLICA_SQL_H

#include "buf.h"
#include "value.h"

void sqlite_create_table_sql(struct buf *sql, const struct table_def *def);
void mysql_create_table_sql(struct buf *sql, const struct table_def *def);

#endif
