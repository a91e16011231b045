/* The INI config parser (src/base/config.c): any bytes give a config or a usage
 * error naming file:line, never a crash or a leak. */
#include "fuzz.h"

#include "config.h"
#include "err.h"
#include "source.h"
#include "target.h"

#include <string.h>

static volatile unsigned sink;

/* The harness links a library archive: naming the drivers' registries links
 * them, and their constructors hand config the URL schemes it accepts. */
const void *const fuzz_config_registries[] = {(const void *)source_ops_for_url,
					      (const void *)target_ops_for_url};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	config_defaults(&cfg);
	int rc = config_parse(&cfg, "fuzz.conf", (const char *)data, size);
	if (rc == 0) {
		/* A config that parses names a source and a target, and a usable chain name. */
		if (!cfg.source_url || !cfg.target_url || !cfg.source_name ||
		    source_name_problem(cfg.source_name))
			__builtin_trap();
		sink += (unsigned)strlen(cfg.source_url) + (unsigned)strlen(cfg.target_url);
	} else {
		sink += (unsigned)strlen(err_msg());
	}
	config_free(&cfg);
	err_clear();
	return 0;
}
