#include "progress.h"

#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void progress_start(struct progress *p, const char *label, const char *unit, int64_t total)
{
	memset(p, 0, sizeof(*p));
	/* Pipes, files and cron get no bar: only a person at a terminal does. */
	p->on = isatty(STDERR_FILENO) && log_get_level() >= LOG_INFO;
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->unit = unit;
	p->total = total;
	p->next_draw_ms = now_ms() + 200; /* short work shows nothing */
}

static void draw(const struct progress *p)
{
	if (p->total > 0) {
		int pct = (int)(p->done * 100 / p->total);
		int filled = pct / 5;
		fprintf(stderr, "\r%s [%.*s%*s] %3d%% %lld/%lld %s\033[K", p->label, filled,
			"####################", 20 - filled, "", pct, (long long)p->done,
			(long long)p->total, p->unit);
	} else {
		fprintf(stderr, "\r%s: %lld %s\033[K", p->label, (long long)p->done, p->unit);
	}
}

void progress_add(struct progress *p, int64_t n)
{
	p->done += n;
	if (!p->on)
		return;
	int64_t now = now_ms();
	if (now < p->next_draw_ms)
		return;
	p->next_draw_ms = now + 100;
	draw(p);
}

void progress_end(struct progress *p)
{
	if (p->on && p->next_draw_ms > 0)
		fputs("\r\033[K", stderr);
	p->on = false;
}
