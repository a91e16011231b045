#include "target.h"

#include "buf.h"
#include "err.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Every object store cdcpack knows; a new one adds a line here only (its
 * URL scheme reaches config through the constructor below). */
static const struct target_ops *const drivers[] = {
	&file_target_ops,
	&s3_target_ops,
};
#define NDRIVERS (sizeof(drivers) / sizeof(drivers[0]))

/* Hands config the drivers' URL schemes before main() runs, so that config
 * (in the base layer) never names one. */
__attribute__((constructor)) static void register_schemes(void)
{
	static const struct url_scheme *schemes[NDRIVERS];
	for (size_t i = 0; i < NDRIVERS; i++)
		schemes[i] = drivers[i]->url;
	config_register_schemes(URL_TARGET, schemes, NDRIVERS);
}

const struct target_ops *target_ops_for_url(const char *url)
{
	for (size_t i = 0; i < NDRIVERS; i++) {
		const char *scheme = drivers[i]->url->prefix;
		if (strncmp(url, scheme, strlen(scheme)) == 0)
			return drivers[i];
	}
	struct buf want = BUF_INIT;
	config_scheme_list(&want, URL_TARGET, offsetof(struct url_scheme, usage), 0);
	err_set(CDC_EUSAGE, "%s: no target driver for this URL (want %s)", url, buf_str(&want));
	buf_free(&want);
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
