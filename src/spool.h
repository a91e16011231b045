/* A temp file of rows, written once and read back in order: lets one side
 * of a comparison wait on disk while the other streams, in bounded memory. */
#ifndef CDCPACK_SPOOL_H
#define CDCPACK_SPOOL_H

#include "buf.h"
#include "value.h"

#include <stdio.h>

/* Owns f, the row being read and its bytes. */
struct spool {
	FILE *f;
	size_t ncols;
	struct value *row;
	struct buf bytes;
};

int spool_open(struct spool *s, size_t ncols);
int spool_write(struct spool *s, const struct value *row);
/* Switches from writing to reading from the start. */
int spool_rewind(struct spool *s);
/* 1 with s->row filled (valid until the next call), 0 at the end. */
int spool_read(struct spool *s);
void spool_close(struct spool *s);

#endif
