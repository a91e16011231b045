/* Fault injection for tests (docs/design.md §4): CDCPACK_FAULT=crash:POINT kills
 * the process with SIGKILL at POINT; delay:POINT:MS sleeps there instead. */
#ifndef CDCPACK_FAULT_H
#define CDCPACK_FAULT_H

#include <stdbool.h>
#include <stddef.h>

/* Reads CDCPACK_FAULT; CDC_EUSAGE naming it when malformed. */
int fault_init(void);
/* Called by the pipeline at each of the points. */
void fault_point(const char *point);
/* Whether the process will be killed at point: a point whose window depends
 * on timing (mid-stream) holds the work until the window is reached. */
bool fault_will_crash(const char *point);
/* The i-th point fault_init knows, NULL past the last: tests go through
 * every one (tests/unit/test_publish_machine.c), new ones included. */
const char *fault_point_name(size_t i);

#endif
