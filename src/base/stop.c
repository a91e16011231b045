#include "stop.h"

#include "err.h"

#include <string.h>

/* One of the three globals docs/style.md allows: a signal handler's flag. */
volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = sig;
}

void stop_catch(bool restart)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int stop_check(void)
{
	if (!stop_requested)
		return 0;
	return err_set(CDC_EINTR, "stopped by %s", stop_requested == SIGINT ? "SIGINT" : "SIGTERM");
}
