/* Quoting of SQL identifiers and literals, shared by the database drivers. */
#ifndef CDCPACK_SQLUTIL_H
#define CDCPACK_SQLUTIL_H

#include "buf.h"

/* "name" with embedded " doubled (SQLite, and MySQL in ANSI_QUOTES mode). */
void sql_add_ident(struct buf *b, const char *name, char quote);
/* 'text' with embedded ' doubled. */
void sql_add_literal(struct buf *b, const char *text);

#endif
