/* The reports of the commands that run the engine: each command's result
 * struct, filled by the engine (run_result, apply_result, compare_result,
 * dbdiff_result), rendered here as the fields of the --json report and as
 * the text a person reads. The engine writes neither (docs/architecture.md). */
#ifndef CDCPACK_REPORT_H
#define CDCPACK_REPORT_H

#include "apply.h"
#include "buf.h"
#include "compare.h"
#include "context.h"
#include "dbdiff.h"
#include "status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* --json: sets the command's fields on report, in the order they print
 * (README, schemas/report.schema.json). */
void report_run_json(json_t *report, const struct run_result *res);
/* replica_url as given (the report shows it redacted). */
void report_apply_json(json_t *report, const char *replica_url, const struct apply_result *res);
/* equal: the command found no difference (exit 0). */
void report_verify_json(json_t *report, const char *against_url, bool equal,
			const struct compare_result *res);
void report_diff_json(json_t *report, const char *url_a, const char *url_b, bool equal,
		      const struct dbdiff_result *res);
/* cfg: the one status read (its mode, source and target). */
void report_status_json(json_t *report, const struct config *cfg, const struct status_result *res);
/* The fields every report ends with; error NULL when there was none. */
void report_outcome_json(json_t *report, const char *command, bool ok, int exit_code,
			 int64_t duration_ms, const char *error);
/* The report as printed: one line, ASCII only (anything else as \uXXXX, so
 * a table name in any encoding cannot break a reader). Caller frees. */
char *report_json_dump(const json_t *report);

/* Text: appends the command's lines to out. */
void report_run_text(struct buf *out, const struct run_result *res);
void report_apply_text(struct buf *out, const struct apply_result *res);
/* A line per table (and why it differs other than by rows), then the verdict. */
void report_verify_text(struct buf *out, bool equal, const struct compare_result *res);
/* A line of counts per table, then the verdict. */
void report_diff_text(struct buf *out, bool equal, const struct dbdiff_result *res);
void report_status_text(struct buf *out, const struct config *cfg, const struct status_result *res);

#endif
