#include "source.h"

#include "buf.h"
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

/* Whether name is N, N_schema or N_owner of a changelog N in all, N_owner
 * being an owner table by its columns (is_owner). */
static bool in_changelog_family(struct source *src, owner_test_fn is_owner, const struct strv *all,
				const char *name)
{
	static const char *const suffixes[] = {"", "_schema", "_owner"};
	bool found = false;
	for (size_t i = 0; i < 3 && !found; i++) {
		size_t n = strlen(name), k = strlen(suffixes[i]);
		if (n <= k || strcmp(name + n - k, suffixes[i]) != 0)
			continue;
		char *base = xasprintf("%.*s", (int)(n - k), name);
		char *schema = xasprintf("%s_schema", base);
		char *owner = xasprintf("%s_owner", base);
		found = strv_contains(all, base) && strv_contains(all, schema) &&
			strv_contains(all, owner) && is_owner(src, owner);
		free(base);
		free(schema);
		free(owner);
	}
	return found;
}

void source_drop_changelog_families(struct source *src, owner_test_fn is_owner, struct strv *tables)
{
	struct strv kept = {0};
	for (size_t i = 0; i < tables->n; i++)
		if (!in_changelog_family(src, is_owner, tables, tables->v[i]))
			strv_push(&kept, tables->v[i]);
	strv_free(tables);
	*tables = kept;
}
