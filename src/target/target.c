#include "target.h"

#include "buf.h"
#include "err.h"

#include <stdlib.h>
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
	err_set(CDC_EUSAGE,
		"%s: no target driver for this URL (want file:DIR or s3://BUCKET[/PREFIX])", url);
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

int target_probe(const struct config *cfg)
{
	const struct target_ops *ops = NULL;
	struct target *tgt = NULL;
	int rc = target_open(&ops, &tgt, cfg);
	struct object_info info;
	char *key = xasprintf("%s%s/.cdcpack-probe", cfg->final_prefix, cfg->source_name);
	if (!rc) {
		rc = ops->head(tgt, key, &info);
		if (rc == CDC_ENOTFOUND)
			rc = 0;
	}
	free(key);
	if (ops)
		ops->close(tgt);
	return rc ? err_prefix(rc, "target %s is not reachable", cfg->target_url) : 0;
}
