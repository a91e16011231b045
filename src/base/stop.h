/* Stopping on SIGINT/SIGTERM: the handlers only set a flag; each command
 * checks it between steps and unwinds through its own cleanup (README
 * "Exit codes": 128 + the signal). A base module, so that every layer can
 * check it without knowing the pipeline. */
#ifndef CDCPACK_STOP_H
#define CDCPACK_STOP_H

#include <signal.h>
#include <stdbool.h>

/* The number of the signal that asked for a stop, or 0. */
extern volatile sig_atomic_t stop_requested;
/* Catches SIGINT and SIGTERM into stop_requested; restart: interrupted
 * system calls resume (everything but run, whose nap must wake). */
void stop_catch(bool restart);
/* 0, or when a stop was asked for, CDC_EINTR with "stopped by SIGTERM". */
int stop_check(void);

#endif
