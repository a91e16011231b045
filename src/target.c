#include "target.h"

#include "err.h"

#include <string.h>

/* Every object store cdcpack knows; a new one adds a line here only. */
static const struct target_ops *const drivers[] = {
	&file_target_ops,
	&s3_target_ops,
};

const struct target_ops *target_ops_for_url(const char *url)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		const char *scheme = drivers[i]->scheme;
		if (strncmp(url, scheme, strlen(scheme)) == 0)
			return drivers[i];
	}
	err_set(CDC_EUSAGE, "%s: no target driver for this URL (want file:DIR or s3://BUCKET[/PREFIX])",
		url);
	return NULL;
}

int target_open(const struct target_ops **ops, struct target **out, const struct config *cfg)
{
	*out = NULL;
	*ops = target_ops_for_url(cfg->target_url);
	if (!*ops)
		return CDC_EUSAGE;
	return (*ops)->open(out, cfg);
}
