/* A one-line progress display on stderr for long work (load, scan, upload),
 * shown only when stderr is a terminal and the log level shows INFO. */
#ifndef CDCPACK_PROGRESS_H
#define CDCPACK_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool on;
	char label[80];
	const char *unit; /* "rows", "bytes" */
	int64_t total;	  /* -1 when unknown */
	int64_t done;
	int64_t next_draw_ms;
};

void progress_start(struct progress *p, const char *label, const char *unit, int64_t total);
/* Cheap when off, and redraws at most ten times a second when on. */
void progress_add(struct progress *p, int64_t n);
/* Clears the line. */
void progress_end(struct progress *p);

#endif
