#include "fault.h"

#include "buf.h"
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
 * The others name a window inside one step: mid-stage-record (a batch
 * recorded, not its ranges), before-final-copy (the final key checked, not
 * yet copied to), after-temp-delete (the temp object deleted, "published" not
 * yet recorded), mid-lake (the first of a batch's lake objects is out, the
 * others not), mid-stream (a part of the archive sent while it was
 * compressed, the batch not yet staged), mid-ack-txn (the source's ack transaction has deleted the
 * rows, not committed), apply-before-commit (a batch applied and marked, not
 * committed). */
static const char *const points[] = {
	"after-capture",       "mid-stage-record",  "after-stage",   "mid-upload", "after-upload",
	"before-final-copy",   "after-temp-delete", "after-publish", "mid-lake",   "after-lake",
	"mid-ack-txn",	       "mid-ack",	    "after-ack",     "mid-load",   "mid-diff",
	"apply-before-commit", "mid-stream"};

/* The fault spec: one of the three globals docs/style.md allows. */
static struct {
	char point[32];
	bool crash;
	long delay_ms;
} fault;

const char *fault_point_name(size_t i)
{
	return i < sizeof(points) / sizeof(points[0]) ? points[i] : NULL;
}

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
	if ((!crash && !delay) || !known_point(point)) {
		struct buf names = {0};
		for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++)
			buf_addf(&names, "%s%s", i ? ", " : "", points[i]);
		int rc = err_set(CDC_EUSAGE,
				 "CDCPACK_FAULT=%s: want crash:POINT or delay:POINT:MS with POINT "
				 "one of %s",
				 spec, names.data);
		buf_free(&names);
		return rc;
	}
	snprintf(fault.point, sizeof(fault.point), "%s", point);
	fault.crash = crash;
	fault.delay_ms = ms;
	return 0;
}

bool fault_will_crash(const char *point)
{
	return fault.crash && strcmp(point, fault.point) == 0;
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
