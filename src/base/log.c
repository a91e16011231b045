#include "log.h"

#include "buf.h"
#include "codec.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static enum log_level current = LOG_INFO;

void log_set_level(enum log_level level)
{
	current = level;
}

enum log_level log_get_level(void)
{
	return current;
}

static const char *level_name(enum log_level level)
{
	static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
	return names[level];
}

/* Counted on every thread that logs: S3's part uploads warn from theirs
 * (a clock skew learnt), beside the main thread. */
static atomic_ulong warnings;

unsigned long log_warnings(void)
{
	return warnings;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level <= LOG_WARN)
		warnings++;
	if (level > current)
		return;
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);

	struct buf line = BUF_INIT;
	buf_addf(&line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long)(tv.tv_usec / 1000), level_name(level));
	struct buf msg = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	/* One event, one line: whatever a message quotes (a table name, a server's
	 * error text) cannot start a forged line or reach the terminal as a control. */
	text_shown_add(&line, msg.data ? msg.data : "", msg.len, false);
	buf_free(&msg);
	buf_addc(&line, '\n');
	/* One write per line, so lines of concurrent processes do not interleave. */
	fwrite(line.data, 1, line.len, stderr);
	buf_free(&line);
}
