/* One line per event on stderr: `TIME LEVEL message key=value ...` (docs/design.md §2). */
#ifndef CDCPACK_LOG_H
#define CDCPACK_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* How many warnings and errors were said so far, shown or not (-q): a run
 * that said one has something to say again next time. */
unsigned long log_warnings(void);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
