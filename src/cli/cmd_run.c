/* cdcpack run [--every DURATION] [--max-batches N] */
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "pipeline.h"
#include "stop.h"

#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sleeps up to seconds, waking early when a stop is requested. */
static void nap(int64_t seconds)
{
	for (int64_t i = 0; i < seconds * 10 && !stop_requested; i++) {
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

struct run_args {
	const char *every, *max_batches;
};

static const struct cmd_opt run_opts[] = {
	{"--every", "DURATION", OPT_VALUE, offsetof(struct run_args, every), false,
	 "loop, starting a cycle every DURATION (30s, 5m, 1h) until\n"
	 "SIGINT or SIGTERM, which stop it cleanly between steps"},
	{"--max-batches", "N", OPT_VALUE, offsetof(struct run_args, max_batches), false,
	 "write at most N new batches this cycle"},
	{0},
};

static int parse_args(int argc, char **argv, int64_t *every, int *max_batches)
{
	struct run_args a = {0};
	int rc = cmd_parse(&cmd_run_entry, argc, argv, &a, NULL);
	if (rc)
		return rc;
	if (a.every && (parse_duration(a.every, every) || *every < 1))
		return err_set(CDC_EUSAGE, "run --every: '%s' is not a duration (like 30s, 5m)",
			       a.every);
	int64_t n = 0;
	if (a.max_batches && (parse_size(a.max_batches, &n) || n < 1 || n > 1000000))
		return err_set(CDC_EUSAGE, "run --max-batches: '%s' is not a count >= 1",
			       a.max_batches);
	if (a.max_batches)
		*max_batches = (int)n;
	return 0;
}

static int cmd_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	/* First thing: a stop asked for while the config loads or the lock is
	 * taken must end the run cleanly too, not kill it. */
	stop_catch(false);
	int64_t every = 0;
	int max_batches = 0;
	struct config cfg;
	config_defaults(&cfg);
	int rc = parse_args(argc, argv, &every, &max_batches);
	if (!rc) {
		config_free(&cfg);
		rc = cmd_load_config(ctx, &cfg);
	}
	struct pipeline p = {.lock_fd = -1};
	if (!rc)
		rc = pipeline_open_run(&p, &cfg);
	struct run_result total = {0};
	while (!rc) {
		struct run_result res = {0};
		rc = pipeline_run(&p, max_batches, &res);
		res.ok = rc == 0;
		cmd_report_run(ctx, &res);
		total.batches += res.batches;
		run_result_free(&res);
		if (!every || stop_requested)
			break;
		if (rc == CDC_ERUNTIME) {
			/* A scheduled loop outlives a passing outage: say it and retry. */
			log_error("%s", err_msg());
			rc = 0;
		}
		nap(every);
	}
	if (p.st)
		pipeline_close(&p);
	config_free(&cfg);
	return rc;
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.opts = run_opts,
	.summary = "one cycle: recover, capture, package, stage, upload, publish, acknowledge",
	.help = "A run first finishes every batch an earlier run left unfinished, then ships\n"
		"new changes in batches of at most [batch] max_rows rows. Exit 75 means another\n"
		"run holds the lock on the state dir; nothing was done.\n"
		"\nExamples:\n"
		"  cdcpack run\n"
		"  cdcpack -c /etc/cdcpack/shop.conf run --every 5m\n",
	.exec = cmd_run,
};
