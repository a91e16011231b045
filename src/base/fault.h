/* Fault injection for tests (docs/design.md §4): CDCPACK_FAULT=crash:POINT kills
 * the process with SIGKILL at POINT; delay:POINT:MS sleeps there instead. */
#ifndef CDCPACK_FAULT_H
#define CDCPACK_FAULT_H

/* Reads CDCPACK_FAULT; CDC_EUSAGE naming it when malformed. */
int fault_init(void);
/* Called by the pipeline at each of the six points. */
void fault_point(const char *point);

#endif
