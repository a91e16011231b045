/* The text a person reads (report.h). */
#include "report.h"

void report_run_text(struct buf *out, const struct run_result *res)
{
	for (int i = 0; i < res->batches; i++)
		buf_addf(out, "published %s  %s  rows=%lld\n", res->published[i].kind,
			 res->published[i].key, (long long)res->published[i].rows);
	if (res->batches == 0 && res->ok)
		buf_adds(out, "nothing to publish\n");
}

void report_apply_text(struct buf *out, const struct apply_result *res)
{
	buf_addf(out, "applied %d batch(es), %lld row(s); replica is at batch %lld\n", res->batches,
		 (long long)res->rows, (long long)res->last_seq);
}
