#include "fault.h"

#include "err.h"
#include "log.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* mid-ack: the changelog rows are deleted, the state does not yet say so.
 * mid-lake: the first of a batch's lake objects is out, the others not. */
static const char *const points[] = {"after-capture", "after-stage", "mid-upload", "after-upload",
				     "after-publish", "mid-ack",     "after-ack",  "mid-load",
				     "mid-diff",      "mid-lake",    "after-lake"};

/* The fault spec: one of the three globals docs/style.md allows. */
static struct {
	char point[32];
	bool crash;
	long delay_ms;
} fault;

static bool known_point(const char *p)
{
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++)
		if (strcmp(p, points[i]) == 0)
			return true;
	return false;
}

int fault_init(void)
{
	const char *spec = getenv("CDCPACK_FAULT");
	if (!spec || !*spec)
		return 0;
	char kind[16] = "", point[32] = "";
	long ms = 0;
	int n = sscanf(spec, "%15[^:]:%31[^:]:%ld", kind, point, &ms);
	bool crash = strcmp(kind, "crash") == 0 && n == 2;
	bool delay = strcmp(kind, "delay") == 0 && n == 3 && ms >= 0;
	if ((!crash && !delay) || !known_point(point))
		return err_set(
			CDC_EUSAGE,
			"CDCPACK_FAULT=%s: want crash:POINT or delay:POINT:MS with POINT one of "
			"after-capture, after-stage, mid-upload, after-upload, after-publish, "
			"mid-ack, after-ack, mid-load, mid-diff, mid-lake, after-lake",
			spec);
	snprintf(fault.point, sizeof(fault.point), "%s", point);
	fault.crash = crash;
	fault.delay_ms = ms;
	return 0;
}

void fault_point(const char *point)
{
	if (!fault.point[0] || strcmp(point, fault.point) != 0)
		return;
	if (fault.crash) {
		log_warn("fault injected: crash at %s", point);
		kill(getpid(), SIGKILL);
		pause();
	}
	log_info("fault injected: delay at %s ms=%ld", point, fault.delay_ms);
	struct timespec ts = {fault.delay_ms / 1000, (fault.delay_ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}
