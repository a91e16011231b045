#include "config.h"

#include "buf.h"
#include "codec.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where a value came from, so every message names file:line: key. */
struct where {
	const char *file;
	int line;
	const char *section;
	const char *key;
};

static int bad(const struct where *w, const char *fmt, const char *value)
{
	struct buf why = BUF_INIT;
	buf_addf(&why, fmt, NAME_SHOWN_SHORT(value));
	int rc = err_set(CDC_EUSAGE, "%s:%d: %s: %s", w->file, w->line, w->key, buf_str(&why));
	buf_free(&why);
	return rc;
}

void config_set_str(char **slot, const char *value)
{
	free(*slot);
	*slot = *value ? xstrdup(value) : NULL;
}

int parse_size(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (end == s || errno || n < 0)
		return -1;
	int shift = 0;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (*end && end[1] != '\0' && !(toupper((unsigned char)end[1]) == 'B' && end[2] == '\0'))
		return -1;
	if (n > (INT64_MAX >> shift))
		return -1;
	*out = (int64_t)n << shift;
	return 0;
}

int parse_duration(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (end == s || errno || n < 0)
		return -1;
	int64_t unit;
	switch (*end) {
	case '\0':
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	if (*end && end[1] != '\0')
		return -1;
	if (n > INT64_MAX / unit)
		return -1;
	*out = n * unit;
	return 0;
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int parse_enum(const char *value, const char *const *names, int *out)
{
	for (int i = 0; names[i]; i++) {
		if (strcmp(value, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

const char *compression_suffix(enum compression c)
{
	static const char *const suffix[] = {".tar.zst", ".tar.gz", ".tar.xz", ".tar"};
	return suffix[c];
}

const char *source_name_problem(const char *name)
{
	if (!*name)
		return "is empty";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "cannot be '.' or '..'";
	if (strlen(name) > 100)
		return "is longer than 100 bytes";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return "contains '/', '\\' or a control character";
	}
	/* every manifest and claim carries it as a JSON string */
	if (!utf8_valid(name, strlen(name)))
		return "is not UTF-8";
	return NULL;
}

/* The schemes the drivers registered, per role. */
static struct {
	const struct url_scheme *const *v;
	size_t n;
} schemes[URL_ANY];

void config_register_schemes(enum url_role role, const struct url_scheme *const *v, size_t n)
{
	schemes[role].v = v;
	schemes[role].n = n;
}

const struct url_scheme *config_url_scheme(enum url_role role, const char *url)
{
	for (size_t i = 0; url && i < schemes[role].n; i++) {
		const char *prefix = schemes[role].v[i]->prefix;
		size_t n = strlen(prefix);
		if (strncmp(url, prefix, n) == 0 && url[n])
			return schemes[role].v[i];
	}
	return NULL;
}

void config_scheme_list(struct buf *out, enum url_role role, size_t field, size_t flag)
{
	const struct url_scheme *pick[16];
	size_t n = 0;
	for (int r = 0; r < URL_ANY; r++) {
		for (size_t i = 0;
		     (role == URL_ANY || role == (enum url_role)r) && i < schemes[r].n && n < 16;
		     i++) {
			const char *s = (const char *)schemes[r].v[i];
			if (!flag || *(const bool *)(s + flag))
				pick[n++] = schemes[r].v[i];
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : (i + 1 < n ? ", " : " or ");
		buf_addf(out, "%s%s", sep, *(const char *const *)((const char *)pick[i] + field));
	}
}

char *source_default_name(const char *url)
{
	const struct url_scheme *s = config_url_scheme(URL_SOURCE, url);
	return s && s->default_name ? s->default_name(url) : xstrdup("source");
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = CAPTURE_TRIGGER;
	cfg->changelog = xstrdup("cdcpack_changelog");
	cfg->format = FORMAT_CSV;
	cfg->compression = COMPRESS_ZSTD;
	cfg->max_rows = 500000;
	cfg->cdc_ops = CDC_OPS_ALL;
	cfg->csv_delimiter = ',';
	cfg->binary_encoding = BINARY_HEX; /* as DMS: docs/design.md §8 */
	cfg->state_dir = xstrdup(".cdcpack");
	cfg->keep_local_s = 7 * 86400;
	cfg->temp_prefix = xstrdup("_tmp/");
	cfg->final_prefix = xstrdup("cdc/");
	cfg->region = xstrdup("us-east-1");
	cfg->path_style = PATH_STYLE_AUTO;
	cfg->part_size = 16 << 20;
	cfg->max_retries = 8;
	cfg->bucket_key = -1;
	cfg->lake_compression = LAKE_NONE; /* DMS's CompressionType default */
	cfg->lake_partition = LAKE_PART_NONE;
	cfg->lake_delimiter = LAKE_DELIM_SLASH;
}

/* A key of role's section that a registered driver owns (struct
 * config_key): 1 when none does. */
static int set_driver_key(struct config *cfg, const struct where *w, enum url_role role,
			  const char *v)
{
	for (size_t i = 0; i < schemes[role].n; i++) {
		for (const struct config_key *k = schemes[role].v[i]->keys; k && k->name; k++) {
			if (strcmp(k->name, w->key) != 0)
				continue;
			struct buf why = BUF_INIT, shown = BUF_INIT;
			int rc = k->parse(cfg, v, &why);
			/* The driver's message quotes v as it is: its controls
			 * escaped, as a log line escapes them. */
			text_shown_add(&shown, buf_str(&why), why.len, false);
			if (rc)
				rc = err_set(CDC_EUSAGE, "%s:%d: %s: %s", w->file, w->line, w->key,
					     buf_str(&shown));
			buf_free(&shown);
			buf_free(&why);
			return rc;
		}
	}
	return 1;
}

static int set_url(const struct where *w, char **slot, const char *v, enum url_role role)
{
	if (config_url_scheme(role, v)) {
		config_set_str(slot, v);
		return 0;
	}
	struct buf want = BUF_INIT;
	config_scheme_list(&want, URL_ANY, offsetof(struct url_scheme, example), 0);
	int rc = err_set(CDC_EUSAGE, "%s:%d: %s: '%s' is not a supported URL (want %s)", w->file,
			 w->line, w->key, NAME_SHOWN_SHORT(v), buf_str(&want));
	buf_free(&want);
	return rc;
}

static int set_prefix(const struct where *w, char **slot, const char *v)
{
	if (*v == '/' || strstr(v, ".."))
		return bad(w, "'%s' must be a relative key prefix without '..'", v);
	free(*slot);
	size_t n = strlen(v);
	/* A prefix is a folder of keys: make "cdc" mean "cdc/". */
	*slot = (n && v[n - 1] != '/') ? xasprintf("%s/", v) : xstrdup(v);
	return 0;
}

static int set_source(struct config *cfg, const struct where *w, const char *v)
{
	if (strcmp(w->key, "url") == 0)
		return set_url(w, &cfg->source_url, v, URL_SOURCE);
	if (strcmp(w->key, "name") == 0) {
		const char *why = *v ? source_name_problem(v) : NULL;
		if (why)
			return err_set(CDC_EUSAGE, "%s:%d: name: '%s' %s", w->file, w->line,
				       NAME_SHOWN_SHORT(v), why);
		config_set_str(&cfg->source_name, v);
		return 0;
	}
	if (strcmp(w->key, "password_file") == 0) {
		config_set_str(&cfg->password_file, v);
		return 0;
	}
	return set_driver_key(cfg, w, URL_SOURCE, v);
}

/* [capture] mode's words, in enum capture_mode's order. */
static const char *const modes[] = {"trigger", "snapshot", "binlog", NULL};

const char *config_mode_name(enum capture_mode mode)
{
	return modes[mode];
}

int config_mode_parse(const char *s, enum capture_mode *out)
{
	int i;
	if (parse_enum(s, modes, &i))
		return -1;
	*out = (enum capture_mode)i;
	return 0;
}

static int set_capture(struct config *cfg, const struct where *w, const char *v)
{
	int i;
	if (strcmp(w->key, "mode") == 0) {
		if (config_mode_parse(v, &cfg->mode))
			return bad(w, "'%s' is not a capture mode (trigger | snapshot | binlog)",
				   v);
		return 0;
	}
	if (strcmp(w->key, "tables") == 0) {
		strv_free(&cfg->tables);
		if (strcmp(v, "*") != 0)
			strv_split_commas(&cfg->tables, v);
		strv_dedup(&cfg->tables); /* `t, t` is t, loaded once */
		if (strcmp(v, "*") != 0 && cfg->tables.n == 0)
			return bad(w, "'%s' names no table (use * for all)", v);
		return 0;
	}
	if (strcmp(w->key, "exclude") == 0) {
		strv_free(&cfg->exclude);
		strv_split_commas(&cfg->exclude, v);
		return 0;
	}
	if (strcmp(w->key, "reconcile") == 0) {
		cfg->reconcile_s = 0;
		cfg->reconcile_kept = strcmp(v, "manual") == 0;
		if (cfg->reconcile_kept || strcmp(v, "off") == 0)
			return 0;
		if (parse_duration(v, &cfg->reconcile_s))
			return bad(
				w,
				"'%s' is not off, manual or a duration (like 12h, 1d; 0 for off)",
				v);
		cfg->reconcile_kept = cfg->reconcile_s > 0;
		return 0;
	}
	if (strcmp(w->key, "changelog_secure_delete") == 0) {
		static const char *const words[] = {"on", "fast", NULL};
		if (parse_enum(v, words, &i))
			return bad(w,
				   "'%s' is not a secure delete setting (on | fast; unset: the "
				   "SQLite library's own)",
				   v);
		cfg->changelog_secure_delete = i ? SECURE_DELETE_FAST : SECURE_DELETE_ON;
		return 0;
	}
	if (strcmp(w->key, "changelog") == 0) {
		if (!*v)
			return bad(w, "%sa table name is required", "");
		config_set_str(&cfg->changelog, v);
		return 0;
	}
	return 1;
}

static const char *const cdc_ops_names[] = {"all", "inserts", "inserts_and_updates", NULL};

const char *config_cdc_ops_name(enum cdc_ops ops)
{
	return cdc_ops_names[ops];
}

int config_cdc_ops_parse(const char *s, enum cdc_ops *out)
{
	int i;
	if (parse_enum(s, cdc_ops_names, &i))
		return -1;
	*out = (enum cdc_ops)i;
	return 0;
}

const char *csv_delimiter_problem(char c)
{
	if (c == '"')
		return "is the quote";
	if (c == '\n' || c == '\r')
		return "ends a line";
	if ((unsigned char)c >= 0x80)
		return "is not one ASCII character";
	/* Unquoted fields spell numbers (digits, - + . e), Infinity, base64
	 * (+ / =), hex and X'..': a delimiter among them would split them. */
	if (c != '\t' && !ispunct((unsigned char)c) && c != ' ')
		return "is a letter, a digit or a control character";
	if (strchr("'+-./=", c))
		return "appears in unquoted values (numbers, base64, X'..')";
	return NULL;
}

const char *csv_null_value_problem(const char *s, char d)
{
	double r;
	long long ll;
	size_t n = strlen(s);
	if (strchr(s, '"') || strchr(s, '\n') || strchr(s, '\r') || (d && strchr(s, d)))
		return "holds a quote, a line end or the delimiter";
	/* the manifest carries it as a JSON string, which cannot hold other bytes */
	if (!utf8_valid(s, n))
		return "is not UTF-8";
	/* Numbers and X'..' have no other spelling: the marker must not be one. */
	if (parse_int(s, n, &ll) || parse_real(s, n, &r) || blob_literal_decode(NULL, s, n) == 0)
		return "reads as a number or a BLOB literal";
	return NULL;
}

/* A value in double quotes is its inside: how ';' and '#', which start a
 * comment after a space, and surrounding spaces are written. */
static const char *unquoted(const char *v, char *out, size_t cap)
{
	size_t n = strlen(v);
	if (n < 2 || v[0] != '"' || v[n - 1] != '"' || n - 2 >= cap)
		return v;
	memcpy(out, v + 1, n - 2);
	out[n - 2] = '\0';
	return out;
}

/* The delimiter as written: one ASCII character, or \t for a tab. */
static int set_delimiter(struct config *cfg, const struct where *w, const char *v)
{
	char inside[8];
	v = unquoted(v, inside, sizeof(inside));
	char c = strcmp(v, "\\t") == 0 ? '\t' : v[0];
	if (!*v || (v[1] && c != '\t'))
		return bad(w, "'%s' is not one ASCII character (\\t for a tab)", v);
	const char *why = csv_delimiter_problem(c);
	if (why)
		return err_set(CDC_EUSAGE, "%s:%d: %s: '%s' %s", w->file, w->line, w->key,
			       NAME_SHOWN_SHORT(v), why);
	cfg->csv_delimiter = c;
	return 0;
}

/* The keys that shape the change files as DMS's output options do. */
static int set_batch_shape(struct config *cfg, const struct where *w, const char *v)
{
	static const char *const encodings[] = {"hex", "base64", NULL};
	int i;
	if (strcmp(w->key, "timestamp_column") == 0) {
		for (const char *p = v; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return bad(w, "'%s' holds a control character", v);
		/* the manifest carries it as a JSON string */
		if (!utf8_valid(v, strlen(v)))
			return bad(w, "'%s' is not UTF-8", v);
		free(cfg->timestamp_column);
		cfg->timestamp_column = *v ? xstrdup(v) : NULL;
		return 0;
	}
	if (strcmp(w->key, "cdc_ops") == 0) {
		if (config_cdc_ops_parse(v, &cfg->cdc_ops))
			return bad(w, "'%s' is not one of all | inserts | inserts_and_updates", v);
		return 0;
	}
	if (strcmp(w->key, "csv_null_value") == 0) {
		char inside[CSV_NULL_MAX + 1];
		v = unquoted(v, inside, sizeof(inside));
		if (strlen(v) > CSV_NULL_MAX)
			return bad(w, "'%s' is longer than 32 bytes", v);
		/* The delimiter may come later: config_finish checks for it. */
		const char *why = csv_null_value_problem(v, 0);
		if (why)
			return err_set(CDC_EUSAGE, "%s:%d: %s: '%s' %s", w->file, w->line, w->key,
				       NAME_SHOWN_SHORT(v), why);
		snprintf(cfg->csv_null_value, sizeof(cfg->csv_null_value), "%s", v);
		return 0;
	}
	if (strcmp(w->key, "csv_delimiter") == 0)
		return set_delimiter(cfg, w, v);
	if (strcmp(w->key, "binary_encoding") == 0) {
		if (parse_enum(v, encodings, &i))
			return bad(w, "'%s' is not a binary encoding (hex | base64)", v);
		cfg->binary_encoding = (enum binary_encoding)i;
		return 0;
	}
	return 1;
}

static int set_batch(struct config *cfg, const struct where *w, const char *v)
{
	static const char *const formats[] = {"csv", "jsonl", NULL};
	static const char *const compressions[] = {"zstd", "gzip", "xz", "none", NULL};
	int i;
	if (strcmp(w->key, "format") == 0) {
		if (parse_enum(v, formats, &i))
			return bad(w, "'%s' is not a format (csv | jsonl)", v);
		cfg->format = (enum batch_format)i;
		return 0;
	}
	if (strcmp(w->key, "compression") == 0) {
		if (parse_enum(v, compressions, &i))
			return bad(w, "'%s' is not a compression (zstd | gzip | xz | none)", v);
		cfg->compression = (enum compression)i;
		return 0;
	}
	if (strcmp(w->key, "max_rows") == 0) {
		if (parse_size(v, &cfg->max_rows) || cfg->max_rows < 1)
			return bad(w, "'%s' is not a positive row count", v);
		return 0;
	}
	if (strcmp(w->key, "csv_header") == 0) {
		if (parse_bool(v, &cfg->csv_header))
			return bad(w, "'%s' is not a boolean (true | false)", v);
		return 0;
	}
	if (strcmp(w->key, "load_op_column") == 0) {
		if (parse_bool(v, &cfg->load_op_column))
			return bad(w, "'%s' is not a boolean (true | false)", v);
		return 0;
	}
	return set_batch_shape(cfg, w, v);
}

static int set_state(struct config *cfg, const struct where *w, const char *v)
{
	if (strcmp(w->key, "dir") == 0) {
		if (!*v)
			return bad(w, "%sa directory is required", "");
		config_set_str(&cfg->state_dir, v);
		return 0;
	}
	if (strcmp(w->key, "keep_local") == 0) {
		if (parse_duration(v, &cfg->keep_local_s))
			return bad(w, "'%s' is not a duration (like 30s, 15m, 12h, 7d)", v);
		return 0;
	}
	return 1;
}

static int set_max_retries(struct config *cfg, const struct where *w, const char *v)
{
	int64_t n;
	if (parse_size(v, &n) || n > 100)
		return bad(w, "'%s' is not a retry count from 0 to 100", v);
	cfg->max_retries = (int)n;
	return 0;
}

static int set_target(struct config *cfg, const struct where *w, const char *v)
{
	static const char *const styles[] = {"auto", "true", "false", NULL};
	int i;
	if (strcmp(w->key, "url") == 0)
		return set_url(w, &cfg->target_url, v, URL_TARGET);
	if (strcmp(w->key, "temp_prefix") == 0)
		return set_prefix(w, &cfg->temp_prefix, v);
	if (strcmp(w->key, "final_prefix") == 0)
		return set_prefix(w, &cfg->final_prefix, v);
	if (strcmp(w->key, "region") == 0) {
		if (!*v || strpbrk(v, "/ \t"))
			return bad(w, "'%s' is not a region name", v);
		config_set_str(&cfg->region, v);
		cfg->region_set = true;
		return 0;
	}
	if (strcmp(w->key, "endpoint") == 0) {
		if (*v && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
			return bad(w, "'%s' must start with http:// or https://", v);
		config_set_str(&cfg->endpoint, v);
		return 0;
	}
	if (strcmp(w->key, "path_style") == 0) {
		if (parse_enum(v, styles, &i))
			return bad(w, "'%s' is not auto, true or false", v);
		cfg->path_style = (enum path_style)i;
		return 0;
	}
	if (strcmp(w->key, "upload_while_compressing") == 0) {
		if (parse_bool(v, &cfg->upload_while_compressing))
			return bad(w, "'%s' is not true or false", v);
		return 0;
	}
	if (strcmp(w->key, "ca_bundle") == 0) {
		if (*v && access(v, R_OK) != 0)
			return bad(w, "cannot read CA bundle '%s'", v);
		config_set_str(&cfg->ca_bundle, v);
		return 0;
	}
	if (strcmp(w->key, "max_retries") == 0)
		return set_max_retries(cfg, w, v);
	return set_driver_key(cfg, w, URL_TARGET, v);
}

static int set_lake(struct config *cfg, const struct where *w, const char *v)
{
	static const char *const compressions[] = {"gzip", "none", NULL};
	static const char *const partitions[] = {"none",     "YYYYMMDD", "YYYYMMDDHH", "YYYYMM",
						 "MMYYYYDD", "DDMMYYYY", NULL};
	static const char *const delimiters[] = {"slash", "dash", "underscore", "none", NULL};
	int i;
	if (strcmp(w->key, "prefix") == 0) {
		if (!*v) { /* empty: the lake is off */
			config_set_str(&cfg->lake_prefix, v);
			return 0;
		}
		return set_prefix(w, &cfg->lake_prefix, v);
	}
	if (strcmp(w->key, "compression") == 0) {
		if (parse_enum(v, compressions, &i))
			return bad(w, "'%s' is not a lake compression (gzip | none)", v);
		cfg->lake_compression = (enum lake_compression)i;
		return 0;
	}
	if (strcmp(w->key, "date_partition") == 0) {
		if (parse_enum(v, partitions, &i))
			return bad(w,
				   "'%s' is not a date partition (none | YYYYMMDD | YYYYMMDDHH | "
				   "YYYYMM | MMYYYYDD | DDMMYYYY)",
				   v);
		cfg->lake_partition = (enum lake_partition)i;
		return 0;
	}
	if (strcmp(w->key, "date_delimiter") == 0) {
		if (parse_enum(v, delimiters, &i))
			return bad(
				w,
				"'%s' is not a date delimiter (slash | dash | underscore | none)",
				v);
		cfg->lake_delimiter = (enum lake_delimiter)i;
		return 0;
	}
	return 1;
}

/* Returns 0 when set, 1 when section/key is unknown, a CDC_E* code on a bad value. */
static int set_key(struct config *cfg, const struct where *w, const char *v)
{
	if (strcmp(w->section, "source") == 0)
		return set_source(cfg, w, v);
	if (strcmp(w->section, "capture") == 0)
		return set_capture(cfg, w, v);
	if (strcmp(w->section, "batch") == 0)
		return set_batch(cfg, w, v);
	if (strcmp(w->section, "state") == 0)
		return set_state(cfg, w, v);
	if (strcmp(w->section, "target") == 0)
		return set_target(cfg, w, v);
	if (strcmp(w->section, "lake") == 0)
		return set_lake(cfg, w, v);
	return 1;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* An inline comment starts at ';' or '#' that follows white space. */
static void strip_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if ((*p == ';' || *p == '#') && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

static const char *const sections[] = {"source", "capture", "batch", "state",
				       "target", "lake",    NULL};

/* " (a key of [capture])": the other sections where w's key is one, for
 * a key set in the wrong section; empty when none. Each is probed by
 * setting the key in a scratch config: a value refused there still shows
 * the key is known. */
static void other_sections(const struct where *w, const char *value, struct buf *out)
{
	for (size_t i = 0; sections[i]; i++) {
		if (strcmp(sections[i], w->section) == 0)
			continue;
		struct config scratch;
		config_defaults(&scratch);
		struct where there = *w;
		there.section = sections[i];
		int rc = set_key(&scratch, &there, value);
		config_free(&scratch);
		err_clear();
		if (rc != 1)
			buf_addf(out, "%s[%s]", out->len ? ", " : " (a key of ", sections[i]);
	}
	if (out->len)
		buf_addc(out, ')');
}

static int parse_section(struct where *w, char *line, char **section)
{
	char *end = strchr(line, ']');
	if (!end || trim(end + 1)[0])
		return err_set(CDC_EUSAGE, "%s:%d: malformed section header '%s'", w->file, w->line,
			       NAME_SHOWN_SHORT(line));
	*end = '\0';
	char *name = trim(line + 1);
	int i;
	if (parse_enum(name, sections, &i))
		return err_set(CDC_EUSAGE,
			       "%s:%d: [%s]: unknown section (known: source, capture, batch, "
			       "state, target, lake)",
			       w->file, w->line, NAME_SHOWN_SHORT(name));
	free(*section);
	*section = xstrdup(name);
	return 0;
}

static int parse_line(struct config *cfg, struct where *w, char *line, char **section)
{
	strip_comment(line);
	line = trim(line);
	if (!*line)
		return 0;
	if (*line == '[')
		return parse_section(w, line, section);
	char *eq = strchr(line, '=');
	if (!eq)
		return err_set(CDC_EUSAGE, "%s:%d: expected 'key = value', got '%s'", w->file,
			       w->line, NAME_SHOWN_SHORT(line));
	*eq = '\0';
	char *key = trim(line);
	char *value = trim(eq + 1);
	if (!*key)
		return err_set(CDC_EUSAGE, "%s:%d: expected 'key = value', got no key before '='",
			       w->file, w->line);
	if (!*section)
		return err_set(CDC_EUSAGE, "%s:%d: %s: key outside of any [section]", w->file,
			       w->line, NAME_SHOWN_SHORT(key));
	w->section = *section;
	w->key = key;
	int rc = set_key(cfg, w, value);
	if (rc == 1) {
		struct buf hint = BUF_INIT;
		other_sections(w, value, &hint);
		rc = err_set(CDC_EUSAGE, "%s:%d: %s: unknown key in [%s]%s", w->file, w->line,
			     NAME_SHOWN_SHORT(key), *section, buf_str(&hint));
		buf_free(&hint);
	}
	return rc;
}

/* "applies to s3:// targets only": who a key set away from its default
 * applies to, from the schemes that have flag. */
static const char *applies_to(enum url_role role, size_t flag, const char *what)
{
	static char why[160];
	struct buf list = BUF_INIT;
	config_scheme_list(&list, role, offsetof(struct url_scheme, prefix), flag);
	snprintf(why, sizeof(why), "applies to %s %s only", buf_str(&list), what);
	buf_free(&list);
	return why;
}

/* A [target] key read by some object stores only, set with another one. */
static const char *unused_store_key(const struct config *cfg)
{
	const struct url_scheme *t = config_url_scheme(URL_TARGET, cfg->target_url);
	if (t && t->store_keys)
		return NULL;
	if (strcmp(cfg->region, "us-east-1") != 0)
		return "[target] region";
	if (cfg->endpoint)
		return "[target] endpoint";
	if (cfg->path_style != PATH_STYLE_AUTO)
		return "[target] path_style";
	if (cfg->part_size != 16 << 20)
		return "[target] part_size";
	if (cfg->upload_while_compressing)
		return "[target] upload_while_compressing";
	if (cfg->max_retries != 8)
		return "[target] max_retries";
	if (cfg->ca_bundle)
		return "[target] ca_bundle";
	if (cfg->sse_kms_key_id)
		return "[target] sse_kms_key_id";
	if (cfg->bucket_key >= 0)
		return "[target] bucket_key";
	if (cfg->sse)
		return "[target] sse";
	if (cfg->storage_class)
		return "[target] storage_class";
	if (cfg->tags.n)
		return "[target] tags";
	if (cfg->acl)
		return "[target] acl";
	if (cfg->expected_bucket_owner)
		return "[target] expected_bucket_owner";
	return NULL;
}

const char *config_unused_key(const struct config *cfg, const char **why)
{
	const char *key = unused_store_key(cfg);
	if (key) {
		*why = applies_to(URL_TARGET, offsetof(struct url_scheme, store_keys), "targets");
		return key;
	}
	const struct url_scheme *s = config_url_scheme(URL_SOURCE, cfg->source_url);
	if (cfg->password_file && !(s && s->password)) {
		*why = applies_to(URL_SOURCE, offsetof(struct url_scheme, password), "sources");
		return "[source] password_file";
	}
	*why = "applies to mode = trigger only (snapshot and binlog modes keep no changelog)";
	if (cfg->mode != CAPTURE_TRIGGER && strcmp(cfg->changelog, "cdcpack_changelog") != 0)
		return "[capture] changelog";
	if (cfg->mode != CAPTURE_TRIGGER && cfg->changelog_secure_delete)
		return "[capture] changelog_secure_delete";
	if (cfg->changelog_secure_delete && !(s && s->secure_delete)) {
		*why = applies_to(URL_SOURCE, offsetof(struct url_scheme, secure_delete),
				  "sources");
		return "[capture] changelog_secure_delete";
	}
	*why = "applies to mode = trigger or binlog only (snapshot mode compares every row at "
	       "every run)";
	if (cfg->mode == CAPTURE_SNAPSHOT && cfg->reconcile_kept)
		return "[capture] reconcile";
	*why = "applies to cdc_ops = all only (a reconcile ships the updates and deletes that "
	       "[batch] cdc_ops leaves out)";
	if (cfg->cdc_ops != CDC_OPS_ALL && cfg->reconcile_kept)
		return "[capture] reconcile";
	*why = "applies to format = csv only";
	if (cfg->format == FORMAT_JSONL && cfg->csv_header)
		return "[batch] csv_header";
	if (cfg->format == FORMAT_JSONL && cfg->load_op_column)
		return "[batch] load_op_column";
	if (cfg->format == FORMAT_JSONL && cfg->csv_null_value[0])
		return "[batch] csv_null_value";
	if (cfg->format == FORMAT_JSONL && cfg->csv_delimiter != ',')
		return "[batch] csv_delimiter";
	if (cfg->format == FORMAT_JSONL && cfg->binary_encoding != BINARY_HEX)
		return "[batch] binary_encoding";
	*why = "applies to format = csv only (jsonl lines carry each change's time in ts)";
	if (cfg->format == FORMAT_JSONL && cfg->timestamp_column)
		return "[batch] timestamp_column";
	*why = "applies only when [lake] prefix is set";
	if (!cfg->lake_prefix && cfg->lake_compression != LAKE_NONE)
		return "[lake] compression";
	if (!cfg->lake_prefix && cfg->lake_partition != LAKE_PART_NONE)
		return "[lake] date_partition";
	if (!cfg->lake_prefix && cfg->lake_delimiter != LAKE_DELIM_SLASH)
		return "[lake] date_delimiter";
	return NULL;
}

/* Whether keys below lake prefix l could meet keys below archive prefix p,
 * which hold <p><source>/...: one prefix inside the other. */
static bool prefix_overlap(const char *l, const char *p, const char *source)
{
	char *folder = xasprintf("%s%s/", p, source);
	const char *a = *p ? p : folder;
	size_t n = strlen(l) < strlen(a) ? strlen(l) : strlen(a);
	bool overlap = strncmp(l, a, n) == 0;
	free(folder);
	return overlap;
}

/* Lake keys live beside the archives: in a folder of their own, so that
 * listing the batches (and the temp prefix) never meets a lake object. */
static int lake_finish(struct config *cfg, const char *name)
{
	if (!cfg->lake_prefix)
		return 0;
	if (prefix_overlap(cfg->lake_prefix, cfg->temp_prefix, cfg->source_name) ||
	    prefix_overlap(cfg->lake_prefix, cfg->final_prefix, cfg->source_name))
		return err_set(CDC_EUSAGE,
			       "%s: [lake] prefix: '%s' must be a folder apart from the archives "
			       "([target] temp_prefix '%s', final_prefix '%s'): neither inside "
			       "the other",
			       name, NAME_SHOWN_SHORT(cfg->lake_prefix),
			       NAME_SHOWN_SHORT(cfg->temp_prefix),
			       NAME_SHOWN_SHORT(cfg->final_prefix));
	free(cfg->lake_schema);
	const struct url_scheme *s = config_url_scheme(URL_SOURCE, cfg->source_url);
	cfg->lake_schema =
		s && s->schema_name ? s->schema_name(cfg->source_url) : xstrdup(cfg->source_name);
	const char *why = source_name_problem(cfg->lake_schema);
	if (why)
		return err_set(CDC_EUSAGE, "%s: [lake] prefix: the schema folder '%s' %s", name,
			       NAME_SHOWN_SHORT(cfg->lake_schema), why);
	return 0;
}

static int config_finish(struct config *cfg, const char *name)
{
	if (!cfg->source_url)
		return err_set(CDC_EUSAGE, "%s: [source] url: missing (like url = sqlite:shop.db)",
			       name);
	if (!cfg->target_url)
		return err_set(CDC_EUSAGE, "%s: [target] url: missing (like url = file:bucket)",
			       name);
	if (!cfg->source_name) {
		cfg->source_name = source_default_name(cfg->source_url);
		const char *why = source_name_problem(cfg->source_name);
		if (why)
			return err_set(CDC_EUSAGE,
				       "%s: [source] name: the default '%s' %s; set name = ...",
				       name, NAME_SHOWN_SHORT(cfg->source_name), why);
	}
	/* Only some sources keep a binary log (MySQL's and MariaDB's). */
	const struct url_scheme *s = config_url_scheme(URL_SOURCE, cfg->source_url);
	if (cfg->mode == CAPTURE_BINLOG && !(s && s->binlog))
		return err_set(
			CDC_EUSAGE,
			"%s: [capture] mode: binlog %s (use mode = trigger or snapshot for "
			"this source)",
			name,
			applies_to(URL_SOURCE, offsetof(struct url_scheme, binlog), "sources"));
	if (strcmp(cfg->temp_prefix, cfg->final_prefix) == 0)
		return err_set(CDC_EUSAGE,
			       "%s: [target] temp_prefix: must differ from final_prefix", name);
	/* Checked once both keys are read: the marker must not hold the delimiter. */
	const char *why = csv_null_value_problem(cfg->csv_null_value, cfg->csv_delimiter);
	if (why)
		return err_set(CDC_EUSAGE, "%s: [batch] csv_null_value: '%s' %s", name,
			       NAME_SHOWN_SHORT(cfg->csv_null_value), why);
	if ((cfg->sse_kms_key_id || cfg->bucket_key >= 0) &&
	    !(cfg->sse && strcmp(cfg->sse, "aws:kms") == 0))
		return err_set(CDC_EUSAGE, "%s: [target] %s: applies with sse = aws:kms only", name,
			       cfg->sse_kms_key_id ? "sse_kms_key_id" : "bucket_key");
	return lake_finish(cfg, name);
}

int config_parse(struct config *cfg, const char *path, const char *text, size_t len)
{
	free(cfg->path);
	free(cfg->path_shown);
	cfg->path = xstrdup(path);
	cfg->path_shown = name_shown(path);
	const char *name = cfg->path_shown;
	struct where w = {.file = name};
	char *section = NULL;
	int rc = 0;
	const char *p = text, *end = text + len;
	/* Some Windows editors start a UTF-8 file with a byte order mark: left
	 * in, it made line 1 "expected 'key = value', got '[source]'". */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n);
		w.line++;
		if (memchr(p, '\0', n))
			rc = err_set(CDC_EUSAGE, "%s:%d: NUL byte in the file", name, w.line);
		else
			rc = parse_line(cfg, &w, line, &section);
		free(line);
		p += n + (nl ? 1 : 0);
	}
	free(section);
	if (!rc)
		rc = config_finish(cfg, name);
	if (!rc) {
		free(cfg->source_url_shown);
		cfg->source_url_shown = name_shown(cfg->source_url);
	}
	return rc;
}

/* "PATH: what why", the path shown as names are (any bytes). */
static int config_file_error(const char *path, const char *what, const char *why)
{
	char *shown = name_shown(path);
	int rc = err_set(CDC_EUSAGE, "%s: %s%s", shown, what, why);
	free(shown);
	return rc;
}

int config_load(struct config *cfg, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		const char *why = strerror(errno);
		char *shown = name_shown(path);
		int rc = err_set(CDC_EUSAGE,
				 "%s: cannot open config file: %s (use -c FILE or CDCPACK_CONFIG)",
				 shown, why);
		free(shown);
		return rc;
	}
	struct buf text = BUF_INIT;
	char chunk[8192];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		buf_add(&text, chunk, (size_t)n);
		if (text.len > (1 << 20)) {
			close(fd);
			buf_free(&text);
			return config_file_error(path, "config file is larger than 1 MiB", "");
		}
	}
	int saved = errno;
	close(fd);
	if (n < 0) {
		buf_free(&text);
		return config_file_error(path, "cannot read config file: ", strerror(saved));
	}
	int rc = config_parse(cfg, path, buf_str(&text), text.len);
	buf_free(&text);
	return rc;
}

void config_free(struct config *cfg)
{
	free(cfg->path);
	free(cfg->path_shown);
	free(cfg->source_url);
	free(cfg->source_url_shown);
	free(cfg->source_name);
	free(cfg->password_file);
	strv_free(&cfg->tables);
	strv_free(&cfg->exclude);
	free(cfg->changelog);
	free(cfg->state_dir);
	free(cfg->target_url);
	free(cfg->temp_prefix);
	free(cfg->final_prefix);
	free(cfg->region);
	free(cfg->endpoint);
	free(cfg->ca_bundle);
	free(cfg->sse);
	free(cfg->sse_kms_key_id);
	free(cfg->storage_class);
	strv_free(&cfg->tags);
	free(cfg->acl);
	free(cfg->expected_bucket_owner);
	free(cfg->lake_prefix);
	free(cfg->lake_schema);
	free(cfg->timestamp_column);
	memset(cfg, 0, sizeof(*cfg));
}
