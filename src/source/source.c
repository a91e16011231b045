#include "source.h"

#include "buf.h"
#include "codec.h"
#include "err.h"
#include "redact.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Every driver cdcpack knows. A new driver adds one line here and nothing
 * else in the pipeline: its URL scheme reaches config, and its type rules
 * the format layer, through the constructor below. */
static const struct source_ops *const drivers[] = {
	&sqlite_source_ops,
	&mysql_source_ops,
};
#define NDRIVERS (sizeof(drivers) / sizeof(drivers[0]))

/* Hands config the drivers' URL schemes, and the format layer their type
 * rules, before main() runs, so that neither (in the layers below) names
 * a driver. */
__attribute__((constructor)) static void register_schemes(void)
{
	static const struct url_scheme *schemes[NDRIVERS];
	static const struct type_rules *types[NDRIVERS];
	for (size_t i = 0; i < NDRIVERS; i++) {
		schemes[i] = drivers[i]->url;
		types[i] = drivers[i]->types;
	}
	config_register_schemes(URL_SOURCE, schemes, NDRIVERS);
	coltype_register_rules(types, NDRIVERS);
}

const struct source_ops *source_ops_for_url(const char *url)
{
	for (size_t i = 0; i < NDRIVERS; i++) {
		const char *scheme = drivers[i]->url->prefix;
		if (strncmp(url, scheme, strlen(scheme)) == 0)
			return drivers[i];
	}
	char *shown = url_redact(url);
	struct buf want = BUF_INIT;
	config_scheme_list(&want, URL_SOURCE, offsetof(struct url_scheme, usage), 0);
	err_set(CDC_EUSAGE, "%s: no database driver for this URL (want %s)", shown, buf_str(&want));
	buf_free(&want);
	free(shown);
	return NULL;
}

bool source_same_database(const char *url_a, const char *url_b)
{
	const struct source_ops *a = source_ops_for_url(url_a);
	const struct source_ops *b = a ? source_ops_for_url(url_b) : NULL;
	err_clear();
	return a && a == b && a->same_database(url_a, url_b);
}

int source_need_role(const struct source_ops *ops, enum source_role role, const char *what)
{
	const void *table[] = {ops->read, ops->changelog, ops->log, ops->replica};
	static const char *const lacks[] = {
		"cannot read tables",
		"keeps no changelog (use [capture] mode = snapshot)",
		"has no binary log",
		"cannot be a replica",
	};
	if (table[role])
		return 0;
	return err_set(CDC_EUSAGE, "%s: the %s driver %s", what, ops->driver, lacks[role]);
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

int source_fingerprint(const char *url, char **out)
{
	*out = NULL;
	const struct source_ops *ops = source_ops_for_url(url);
	if (!ops)
		return CDC_EUSAGE;
	return ops->fingerprint ? ops->fingerprint(url, out) : 0;
}

void log_pos_free(struct log_pos *p)
{
	free(p->pos);
	free(p->gtid);
	strv_free(&p->skip_tables);
	strv_free(&p->skip_until);
	strv_free(&p->replaced);
	memset(p, 0, sizeof(*p));
}

void log_cascades_free(struct log_cascade *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].child);
		free(v[i].parent);
		strv_free(&v[i].parent_cols);
		free(v[i].line);
	}
	free(v);
}

void log_lag_free(struct log_lag *l)
{
	free(l->oldest);
	free(l->warning);
	memset(l, 0, sizeof(*l));
}

void trigger_status_free(struct trigger_status *st)
{
	strv_free(&st->warnings);
}

/* Whether name is N, N_schema or N_owner of a changelog N in all, N_owner
 * being an owner table by its columns (is_owner). */
static bool in_changelog_family(struct source *src, owner_test_fn is_owner,
				const struct strv_index *all, const char *name)
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
		found = strv_index_has(all, base) && strv_index_has(all, schema) &&
			strv_index_has(all, owner) && is_owner(src, owner);
		free(base);
		free(schema);
		free(owner);
	}
	return found;
}

void source_drop_changelog_families(struct source *src, owner_test_fn is_owner, struct strv *tables)
{
	struct strv kept = {0};
	struct strv_index all;
	strv_index_init(&all, tables);
	for (size_t i = 0; i < tables->n; i++)
		if (!in_changelog_family(src, is_owner, &all, tables->v[i]))
			strv_push(&kept, tables->v[i]);
	strv_index_free(&all);
	strv_free(tables);
	*tables = kept;
}

/* The changelog's family: the changelog, <changelog>_schema and
 * <changelog>_owner (the chain's owner record). */
static bool is_suffixed(const char *changelog, const char *name, const char *suffix)
{
	size_t n = strlen(changelog);
	return strncasecmp(name, changelog, n) == 0 && strcasecmp(name + n, suffix) == 0;
}

bool source_reserved_name(const char *changelog, const char *name)
{
	return strcasecmp(name, changelog) == 0 || is_suffixed(changelog, name, "_schema") ||
	       is_suffixed(changelog, name, "_owner") || strncasecmp(name, "cdcpack_", 8) == 0;
}

int source_reserved_error(const char *what, const char *table, const char *changelog)
{
	char shown[NAME_SHOWN_SHORT_SIZE];	 /* a catalogue's name */
	char *log = name_shown_short(changelog); /* the config's */
	int rc = err_set(CDC_EUSAGE,
			 "%s: table '%s' has a name cdcpack reserves for its own tables (%s, "
			 "%s_schema, %s_owner and every name starting cdcpack_): it is never "
			 "captured; rename the table to capture it",
			 what, name_shown_short_in(shown, table), log, log, log);
	free(log);
	return rc;
}

/* Whether def's columns begin with want (NULL-terminated), by name. */
static bool starts_with_columns(const struct table_def *def, const char *const *want)
{
	for (size_t i = 0; want[i]; i++)
		if (i >= def->ncols || strcasecmp(def->cols[i].name, want[i]) != 0)
			return false;
	return true;
}

static int check_own(const struct source_ops *ops, struct source *src, const char *changelog,
		     const char *table, const char *const *want, const char *what)
{
	struct table_def *def = NULL;
	int rc = ops->read->describe(src, table, &def);
	if (rc == CDC_ENOTFOUND) {
		err_clear();
		return 0;
	}
	bool ours = !rc && starts_with_columns(def, want);
	table_def_free(def);
	if (ours)
		return 0;
	return err_set(CDC_EUSAGE,
		       "[capture] changelog = %s: the source already has a table '%s' that is "
		       "not %s (an application table?); cdcpack would write into it. Choose "
		       "another changelog name",
		       NAME_SHOWN_SHORT(changelog), NAME_SHOWN_SHORT(table), what);
}

int source_check_own_tables(const struct source_ops *ops, struct source *src, const char *changelog)
{
	static const char *const log_cols[] = {"seq", "ts", "op", "tbl", "ver", NULL};
	static const char *const schema_cols[] = {"tbl", "ver", "columns", NULL};
	char *schema = xasprintf("%s_schema", changelog);
	int rc = check_own(ops, src, changelog, changelog, log_cols, "a cdcpack changelog");
	if (!rc)
		rc = check_own(ops, src, changelog, schema, schema_cols,
			       "a cdcpack changelog's schema table");
	free(schema);
	return rc;
}

int source_stray_triggers(const struct source_ops *ops, struct source *src,
			  const struct strv *captured, struct strv *out)
{
	struct strv all = {0};
	int rc = ops->changelog->triggered_tables(src, &all);
	struct strv_index ix;
	strv_index_init(&ix, captured);
	for (size_t i = 0; i < all.n && !rc; i++)
		if (!strv_index_has(&ix, all.v[i]))
			strv_push(out, all.v[i]);
	strv_index_free(&ix);
	strv_free(&all);
	return rc;
}

int source_trigger_status(const struct source_ops *ops, struct source *src, const char *table,
			  struct table_def **def, struct trigger_status *ts)
{
	int rc = ops->read->describe(src, table, def);
	return rc ? rc : ops->changelog->triggers_status(src, *def, ts);
}

/* The warnings name the table as text shows names (docs/design.md §2): they
 * reach a terminal through reports that print them as they are. */
char *source_stray_warning(const char *table)
{
	char *shown = name_shown(table), *word = name_for_shell(table);
	char *w = xasprintf("table %s is not captured ([capture] tables, exclude), but its "
			    "triggers still write its changes to the changelog; to stop that, run "
			    "`cdcpack triggers remove %s`%s",
			    shown, word, name_shell_note(table));
	free(word);
	free(shown);
	return w;
}

char *source_renamed_warning(const char *table, const char *trigger)
{
	char *word = name_for_shell(table);
	char *w = xasprintf("its trigger %s was made for another table name (ALTER TABLE ... "
			    "RENAME TO?) and logs its changes under that name; the next `cdcpack "
			    "run` (or `cdcpack triggers install %s`) rebuilds its triggers, then "
			    "`cdcpack load %s`%s gives replicas its rows under this name (a "
			    "replica's table of the old name stays as it was)",
			    NAME_SHOWN_SHORT(trigger), word, word, name_shell_note(table));
	free(word);
	return w;
}
