#include "source.h"

#include "err.h"
#include "redact.h"

#include <stdlib.h>
#include <string.h>

/* Every driver cdcpack knows. A new driver adds one line here and nothing
 * else in the pipeline. */
static const struct source_ops *const drivers[] = {
	&sqlite_source_ops,
	&mysql_source_ops,
};

const struct source_ops *source_ops_for_url(const char *url)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		const char *scheme = drivers[i]->scheme;
		if (strncmp(url, scheme, strlen(scheme)) == 0)
			return drivers[i];
	}
	char *shown = url_redact(url);
	err_set(CDC_EUSAGE,
		"%s: no database driver for this URL (want sqlite:PATH or mysql://USER@HOST/DB)",
		shown);
	free(shown);
	return NULL;
}

int source_open(const struct source_ops **ops, struct source **out, const char *url,
		const struct source_options *opt)
{
	*out = NULL;
	*ops = source_ops_for_url(url);
	if (!*ops)
		return CDC_EUSAGE;
	return (*ops)->open(out, url, opt);
}

void trigger_status_free(struct trigger_status *st)
{
	strv_free(&st->warnings);
}
