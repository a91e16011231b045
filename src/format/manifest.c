#include "manifest.h"

#include "buf.h"
#include "codec.h"
#include "coltype.h"
#include "err.h"
#include "naming.h"
#include "version.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* "format": "cdcpack/1", MANIFEST_FORMAT spelt out once. */
#define SPELL(n) #n
#define FORMAT_NAME_OF(n) "cdcpack/" SPELL(n)
#define FORMAT_NAME FORMAT_NAME_OF(MANIFEST_FORMAT)

/* The top-level key of the manifest's own checksum (manifest_text). */
#define SELF_KEY "manifest_xxh128"

const char *manifest_op_name(int i)
{
	static const char *const names[] = {"I", "U", "D", "T"};
	return names[i];
}

struct manifest_file *manifest_add_file(struct manifest *m)
{
	m->files = xrealloc(m->files, (m->nfiles + 1) * sizeof(*m->files));
	struct manifest_file *f = &m->files[m->nfiles++];
	memset(f, 0, sizeof(*f));
	f->csv = csv_style_default;
	f->first_seq = f->last_seq = -1;
	return f;
}

static json_t *seq_json(int64_t seq)
{
	return seq < 0 ? json_null() : json_integer(seq);
}

/* The output options, as [batch] names them (docs/design.md §5). */
static void shape_json(json_t *o, const struct manifest_file *f)
{
	if (f->format == FORMAT_CSV) {
		char delimiter[2] = {f->csv.delimiter, 0};
		json_object_set_new(o, "csv_delimiter", json_string(delimiter));
		json_object_set_new(o, "csv_null_value", json_string(f->csv.null_value));
		json_object_set_new(o, "binary_encoding",
				    json_string(f->csv.binary == BINARY_HEX ? "hex" : "base64"));
		json_object_set_new(o, "csv_spellings", json_integer(CSV_SPELLINGS));
	}
	if (f->timestamp_column)
		json_object_set_new(o, "timestamp_column", json_string(f->timestamp_column));
	json_object_set_new(o, "cdc_ops", json_string(config_cdc_ops_name(f->cdc_ops)));
}

static json_t *file_json(const struct manifest_file *f)
{
	json_t *ops = json_object();
	for (int i = 0; i < 3; i++)
		json_object_set_new(ops, manifest_op_name(i), json_integer(f->ops[i]));
	/* T only where there are some: older archives' manifests stay as they
	 * were, and an older cdcpack refuses one with T (the ops do not add up). */
	if (f->ops[3])
		json_object_set_new(ops, "T", json_integer(f->ops[3]));
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(f->def->name));
	json_object_set_new(o, "columns", table_def_columns_json(f->def));
	if (f->def->rowid_key)
		json_object_set_new(o, "rowid_key", json_true());
	/* Only where true, like rowid_key: older readers ignore it, and older
	 * archives read as an aliased key, as they were applied. */
	if (f->def->int_key_not_alias)
		json_object_set_new(o, "int_key_not_alias", json_true());
	json_object_set_new(o, "file", json_string(f->path));
	json_object_set_new(o, "format", json_string(f->format == FORMAT_CSV ? "csv" : "jsonl"));
	json_object_set_new(o, "op_column", json_boolean(f->op_column));
	json_object_set_new(o, "header", json_boolean(f->header));
	shape_json(o, f);
	json_object_set_new(o, "rows", json_integer(f->rows));
	json_object_set_new(o, "ops", ops);
	json_object_set_new(o, "first_seq", seq_json(f->first_seq));
	json_object_set_new(o, "last_seq", seq_json(f->last_seq));
	if (f->schema_version > 0)
		json_object_set_new(o, "schema_version", json_integer(f->schema_version));
	json_object_set_new(o, "bytes", json_integer(f->bytes));
	json_object_set_new(o, "xxh128", json_string(f->xxh128));
	return o;
}

json_t *manifest_to_json(const struct manifest *m)
{
	json_t *tables = json_array();
	for (size_t i = 0; i < m->nfiles; i++)
		json_array_append_new(tables, file_json(&m->files[i]));
	json_t *doc =
		json_pack("{s:s, s:{s:s, s:I, s:s, s:s, s:s, s:o}, s:{s:s, s:s}, s:o}", "format",
			  FORMAT_NAME, "batch", "id", m->batch_id, "seq", (json_int_t)m->seq,
			  "kind", m->kind, "mode", m->mode, "created", m->created, "previous",
			  m->previous ? json_string(m->previous) : json_null(), "source", "name",
			  m->source_name, "driver", m->driver, "tables", tables);
	if (m->chain)
		json_object_set_new(json_object_get(doc, "batch"), "chain", json_string(m->chain));
	if (m->xxh128[0])
		json_object_set_new(doc, SELF_KEY, json_string(m->xxh128));
	return doc;
}

/* The 32 digits of the manifest's own checksum in text: NULL when there is
 * none, or when the key appears more than once (then nothing says which one
 * counts). A '"' inside a JSON string is always escaped, so "<key>" followed
 * by ':' is the key itself, never the contents of a string. */
static char *self_digits(char *text, size_t len, int *count)
{
	static const char key[] = "\"" SELF_KEY "\"";
	char *found = NULL;
	*count = 0;
	for (char *p = memmem(text, len, key, sizeof(key) - 1); p;
	     p = memmem(p + 1, len - (size_t)(p + 1 - text), key, sizeof(key) - 1)) {
		char *q = p + sizeof(key) - 1, *end = text + len;
		while (q < end && (*q == ' ' || *q == '\n'))
			q++;
		if (q >= end || *q++ != ':')
			continue;
		while (q < end && (*q == ' ' || *q == '\n'))
			q++;
		if (end - q < HASH_HEX_LEN + 2 || q[0] != '"' || q[HASH_HEX_LEN + 1] != '"')
			continue;
		found = q + 1;
		++*count;
	}
	return *count == 1 ? found : NULL;
}

/* XXH3-128 of text with its checksum digits (at digits) read as zeros. */
static void self_hash(const char *text, size_t len, const char *digits, char out[HASH_HEX_LEN + 1])
{
	static const char zeros[HASH_HEX_LEN] = "00000000000000000000000000000000";
	struct hash_stream h;
	hash_stream_init(&h);
	hash_stream_update(&h, text, (size_t)(digits - text));
	hash_stream_update(&h, zeros, HASH_HEX_LEN);
	hash_stream_update(&h, digits + HASH_HEX_LEN, len - (size_t)(digits - text) - HASH_HEX_LEN);
	hash_stream_hex(&h, out);
	hash_stream_free(&h);
}

char *manifest_text(const struct manifest *m)
{
	json_t *doc = manifest_to_json(m);
	json_object_set_new(doc, SELF_KEY, json_string("00000000000000000000000000000000"));
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	int count;
	char *digits = text ? self_digits(text, strlen(text), &count) : NULL;
	if (!digits) {
		free(text);
		(void)err_set(CDC_ERUNTIME, "manifest of %s: cannot encode", m->batch_id);
		return NULL;
	}
	char hex[HASH_HEX_LEN + 1];
	self_hash(text, strlen(text), digits, hex);
	memcpy(digits, hex, HASH_HEX_LEN);
	return text;
}

/* ---- parsing: every field checked, since archives are outside input ---- */

struct ctx {
	const char *what;
	int rc;
};

static const char *get_str(struct ctx *c, const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s && !c->rc)
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: \"%s\" missing or not a string",
				c->what, key);
	return s ? s : "";
}

static int64_t get_int(struct ctx *c, const json_t *o, const char *key, bool nullable)
{
	const json_t *v = json_object_get(o, key);
	if (nullable && json_is_null(v))
		return -1;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		if (!c->rc)
			c->rc = err_set(
				CDC_ERUNTIME,
				"%s: manifest: \"%s\" missing or not a non-negative integer",
				c->what, key);
		return 0;
	}
	return json_integer_value(v);
}

static bool get_bool(struct ctx *c, const json_t *o, const char *key, bool dflt)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return dflt;
	if (!json_is_boolean(v) && !c->rc)
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: \"%s\" is not a boolean", c->what,
				key);
	return json_is_true(v);
}

/* Refuses with fmt (the archive, the value, then why): the value is the
 * archive's, so escaped and cut, never flooding or forging the line. */
static void refuse_value(struct ctx *c, const char *fmt, const char *value, const char *why)
{
	if (c->rc)
		return;
	char shown[NAME_SHOWN_SHORT_SIZE];
	c->rc = err_set(CDC_ERUNTIME, fmt, c->what, name_shown_short_in(shown, value), why);
}

/* Archive entry names are relative, without "..", and not manifest.json. */
static bool safe_entry_name(const char *name)
{
	if (!*name || name[0] == '/' || strcmp(name, "manifest.json") == 0 || strlen(name) > 1024)
		return false;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '\\')
			return false;
	const char *seg = name;
	while (seg) {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		seg = slash ? slash + 1 : NULL;
	}
	return true;
}

static bool is_hex32(const char *s)
{
	if (strlen(s) != HASH_HEX_LEN)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return false;
	return true;
}

static void parse_ops(struct ctx *c, const json_t *ops, struct manifest_file *f)
{
	if (!json_is_object(ops)) {
		if (!c->rc)
			c->rc = err_set(CDC_ERUNTIME, "%s: manifest: table %s: \"ops\" missing",
					c->what, NAME_SHOWN_SHORT(f->def->name));
		return;
	}
	for (int i = 0; i < 3; i++)
		f->ops[i] = get_int(c, ops, manifest_op_name(i), false);
	f->ops[3] = json_object_get(ops, "T") ? get_int(c, ops, "T", false) : 0;
	/* Subtracted, not added: counts near INT64_MAX would overflow a sum
	 * (and could wrap round to rows). All are >= 0 here. */
	if (!c->rc && (f->ops[0] > f->rows || f->ops[1] > f->rows - f->ops[0] ||
		       f->ops[2] > f->rows - f->ops[0] - f->ops[1] ||
		       f->ops[3] != f->rows - f->ops[0] - f->ops[1] - f->ops[2]))
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: table %s: ops do not add up to rows",
				c->what, NAME_SHOWN_SHORT(f->def->name));
}

/* An optional string field: dflt when absent. */
static const char *get_opt_str(struct ctx *c, const json_t *o, const char *key, const char *dflt)
{
	return json_object_get(o, key) ? get_str(c, o, key) : dflt;
}

/* The output options; each absent one as archives before them were written. */
static void parse_shape(struct ctx *c, const json_t *o, struct manifest_file *f)
{
	const char *delim = get_opt_str(c, o, "csv_delimiter", ",");
	const char *null_value = get_opt_str(c, o, "csv_null_value", "");
	const char *binary = get_opt_str(c, o, "binary_encoding", "base64");
	const char *ts = get_opt_str(c, o, "timestamp_column", NULL);
	const char *ops = get_opt_str(c, o, "cdc_ops", "all");
	f->csv.delimiter = delim[0];
	snprintf(f->csv.null_value, sizeof(f->csv.null_value), "%s", null_value);
	f->csv.binary = strcmp(binary, "hex") == 0 ? BINARY_HEX : BINARY_BASE64;
	f->csv.timestamp = ts != NULL;
	f->timestamp_column = ts ? xstrdup(ts) : NULL;
	const char *why = NULL;
	if (strlen(delim) != 1 || csv_delimiter_problem(delim[0]))
		why = "csv_delimiter";
	else if (strlen(null_value) > CSV_NULL_MAX || csv_null_value_problem(null_value, delim[0]))
		why = "csv_null_value";
	else if (strcmp(binary, "hex") != 0 && strcmp(binary, "base64") != 0)
		why = "binary_encoding";
	else if (config_cdc_ops_parse(ops, &f->cdc_ops))
		why = "cdc_ops";
	if (why && !c->rc)
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: table %s: bad \"%s\"", c->what,
				NAME_SHOWN_SHORT(f->def->name), why);
}

/* Spellings a newer build wrote would be read wrong by these rules. */
static void parse_spellings(struct ctx *c, const json_t *o, const struct manifest_file *f)
{
	const json_t *v = json_object_get(o, "csv_spellings");
	if (!v || c->rc)
		return;
	if (json_is_integer(v) && json_integer_value(v) > CSV_SPELLINGS)
		c->rc = err_set(
			CDC_EUSAGE,
			"%s: manifest: table %s: csv_spellings %lld, newer than this cdcpack "
			"(%s) reads (%d): apply it with the build that wrote it or a newer one",
			c->what, NAME_SHOWN_SHORT(f->def->name), (long long)json_integer_value(v),
			cdcpack_version(), CSV_SPELLINGS);
	else if (!json_is_integer(v) || json_integer_value(v) != CSV_SPELLINGS)
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: table %s: bad \"csv_spellings\"",
				c->what, NAME_SHOWN_SHORT(f->def->name));
}

static void parse_file(struct ctx *c, struct manifest *m, const json_t *o)
{
	struct manifest_file *f = manifest_add_file(m);
	f->def = xcalloc(1, sizeof(*f->def));
	f->def->name = xstrdup(get_str(c, o, "name"));
	if (!c->rc && table_def_columns_from_json(f->def, json_object_get(o, "columns")))
		c->rc = err_prefix(CDC_ERUNTIME, "%s: manifest", c->what); /* name the archive */
	/* Names and types reach a replica's SQL: only known spellings pass. */
	if (!c->rc && coltype_check_def(m->driver, f->def))
		c->rc = err_prefix(CDC_ERUNTIME, "%s: manifest", c->what);
	if (!c->rc && table_def_nkeys(f->def) == 0)
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: table %s has no key column", c->what,
				NAME_SHOWN_SHORT(f->def->name));
	f->def->rowid_key = get_bool(c, o, "rowid_key", false);
	f->def->int_key_not_alias = get_bool(c, o, "int_key_not_alias", false);
	const struct type_rules *r = coltype_rules_for(m->driver);
	f->def->type_affinity = r && r->affinity;
	f->path = xstrdup(get_str(c, o, "file"));
	const char *format = get_str(c, o, "format");
	f->format = strcmp(format, "jsonl") == 0 ? FORMAT_JSONL : FORMAT_CSV;
	if (strcmp(format, "csv") != 0 && strcmp(format, "jsonl") != 0)
		refuse_value(c, "%s: manifest: unknown format '%s'%s", format, "");
	f->op_column = get_bool(c, o, "op_column", true);
	f->header = get_bool(c, o, "header", false);
	parse_shape(c, o, f);
	parse_spellings(c, o, f);
	f->csv.before_chains = m->chain == NULL && !json_object_get(o, "csv_spellings");
	f->rows = get_int(c, o, "rows", false);
	parse_ops(c, json_object_get(o, "ops"), f);
	f->first_seq = get_int(c, o, "first_seq", true);
	f->last_seq = get_int(c, o, "last_seq", true);
	f->bytes = get_int(c, o, "bytes", false);
	/* Checked before the copy, which would cut a 33rd digit off unseen. */
	const char *xxh128 = get_str(c, o, "xxh128");
	snprintf(f->xxh128, sizeof(f->xxh128), "%s", xxh128);
	if (!safe_entry_name(f->path))
		refuse_value(c, "%s: manifest: unsafe file name '%s'%s", f->path, "");
	if (!c->rc && !is_hex32(xxh128))
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: xxh128 of %s is not 32 hex digits",
				c->what, f->path);
	for (size_t i = 0; i + 1 < m->nfiles && !c->rc; i++)
		if (strcmp(m->files[i].path, f->path) == 0)
			c->rc = err_set(CDC_ERUNTIME, "%s: manifest: file %s listed twice", c->what,
					f->path);
}

static void parse_batch(struct ctx *c, struct manifest *m, const json_t *b)
{
	m->batch_id = xstrdup(get_str(c, b, "id"));
	m->seq = get_int(c, b, "seq", false);
	m->kind = xstrdup(get_str(c, b, "kind"));
	m->mode = xstrdup(get_str(c, b, "mode"));
	m->created = xstrdup(get_str(c, b, "created"));
	const json_t *prev = json_object_get(b, "previous");
	if (json_is_string(prev))
		m->previous = xstrdup(json_string_value(prev));
	else if (!json_is_null(prev) && !c->rc)
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: \"previous\" must be a string or null",
				c->what);
	const json_t *chain = json_object_get(b, "chain");
	if (json_is_string(chain) && is_hex32(json_string_value(chain)))
		m->chain = xstrdup(json_string_value(chain));
	else if (chain && !c->rc)
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: \"chain\" must be 32 hex digits",
				c->what);
	if (strcmp(m->kind, "load") != 0 && strcmp(m->kind, "cdc") != 0 &&
	    strcmp(m->kind, "reconcile") != 0)
		refuse_value(c, "%s: manifest: unknown batch kind '%s'%s", m->kind, "");
	if (!c->rc && m->seq < 1)
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: batch seq must be >= 1", c->what);
	enum capture_mode mode;
	if (config_mode_parse(m->mode, &mode))
		refuse_value(c, "%s: manifest: \"mode\" '%s' %s", m->mode,
			     "is not a capture mode (trigger | snapshot | binlog)");
	/* apply records it in the replica and compares --until with it: only
	 * the writer's own spelling (moment_iso) passes. */
	struct moment t;
	char back[MOMENT_ISO_LEN] = "";
	if (moment_parse(m->created, &t) == 0)
		moment_iso(t, back);
	if (strcmp(back, m->created) != 0)
		refuse_value(c, "%s: manifest: \"created\" '%s' %s", m->created,
			     "is not a time as cdcpack writes it (2026-11-24T10:11:12.345Z)");
}

/* A manifest with its own checksum must match it; one without is from an
 * archive written before cdcpack recorded one, and is read as it was. */
static int check_self(struct ctx *c, struct manifest *m, const json_t *doc, const char *text,
		      size_t len)
{
	const json_t *v = json_object_get(doc, SELF_KEY);
	if (!v || c->rc)
		return c->rc;
	const char *want = json_string_value(v);
	if (!want || !is_hex32(want))
		return c->rc = err_set(CDC_ERUNTIME,
				       "%s: manifest: \"" SELF_KEY "\" is not 32 hex digits",
				       c->what);
	char *copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	int count;
	char *digits = self_digits(copy, len, &count);
	char hex[HASH_HEX_LEN + 1] = "";
	if (digits)
		self_hash(copy, len, digits, hex);
	free(copy);
	if (!digits)
		return c->rc = err_set(CDC_ERUNTIME,
				       "%s: manifest: \"" SELF_KEY
				       "\" appears %d times in its text, "
				       "expected once",
				       c->what, count);
	if (strcmp(hex, want) != 0)
		return c->rc = err_set(CDC_ERUNTIME,
				       "%s: manifest.json is damaged: its bytes hash to xxh128 %s, "
				       "its " SELF_KEY " says %s",
				       c->what, hex, want);
	memcpy(m->xxh128, want, sizeof(m->xxh128));
	return 0;
}

/* "cdcpack/N": a higher N than this build's is a newer build's manifest,
 * refused first: even its checksum may be made otherwise. */
static void check_format(struct ctx *c, const json_t *doc)
{
	const char *format = get_str(c, doc, "format");
	char *end = NULL;
	if (c->rc || strcmp(format, FORMAT_NAME) == 0)
		return;
	long n = strncmp(format, "cdcpack/", 8) == 0 && isdigit((unsigned char)format[8])
			 ? strtol(format + 8, &end, 10)
			 : 0;
	if (n > MANIFEST_FORMAT && !*end)
		c->rc = err_set(CDC_EUSAGE,
				"%s: manifest format cdcpack/%ld is newer than this cdcpack (%s) "
				"reads (cdcpack/%d): apply it with the build that wrote it or a "
				"newer one",
				c->what, n, cdcpack_version(), MANIFEST_FORMAT);
	else
		c->rc = err_set(CDC_ERUNTIME, "%s: manifest: format is not cdcpack/%d", c->what,
				MANIFEST_FORMAT);
}

int manifest_parse(struct manifest *m, const char *text, size_t len, const char *what)
{
	memset(m, 0, sizeof(*m));
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return err_set(CDC_ERUNTIME, "%s: manifest.json is not valid JSON: %s (line %d)",
			       what, jerr.text, jerr.line);
	struct ctx c = {what, 0};
	check_format(&c, doc);
	check_self(&c, m, doc, text, len);
	const json_t *batch = json_object_get(doc, "batch");
	const json_t *source = json_object_get(doc, "source");
	const json_t *tables = json_object_get(doc, "tables");
	if (!c.rc && (!json_is_object(batch) || !json_is_object(source) || !json_is_array(tables)))
		c.rc = err_set(CDC_ERUNTIME, "%s: manifest: batch, source or tables missing", what);
	if (!c.rc)
		parse_batch(&c, m, batch);
	if (!c.rc) {
		m->source_name = xstrdup(get_str(&c, source, "name"));
		m->driver = xstrdup(get_str(&c, source, "driver"));
		/* the writer's own grammar: it names keys, files and messages */
		const char *why = c.rc ? NULL : source_name_problem(m->source_name);
		if (why)
			refuse_value(&c, "%s: manifest: \"source name\" '%s' %s", m->source_name,
				     why);
		if (!c.rc && !coltype_rules_for(m->driver))
			c.rc = err_set(CDC_ERUNTIME, "%s: manifest: unknown source driver", what);
	}
	/* apply records the id and chains the next batch's "previous" to it: an
	 * id that is not the seq's would pass one batch and break the next. */
	if (!c.rc) {
		char *want = batch_id(m->source_name, m->seq);
		if (strcmp(m->batch_id, want) != 0)
			refuse_value(&c, "%s: manifest: batch id '%s' is not '%s' (source-seq)",
				     m->batch_id, want);
		free(want);
	}
	size_t i;
	const json_t *t;
	json_array_foreach(tables, i, t)
	{
		if (c.rc)
			break;
		if (!json_is_object(t))
			c.rc = err_set(CDC_ERUNTIME, "%s: manifest: tables[%zu] is not an object",
				       what, i);
		else
			parse_file(&c, m, t);
	}
	json_decref(doc);
	if (c.rc)
		manifest_free(m);
	return c.rc;
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		table_def_free(m->files[i].def);
		free(m->files[i].path);
		free(m->files[i].local);
		free(m->files[i].timestamp_column);
	}
	free(m->files);
	free(m->batch_id);
	free(m->kind);
	free(m->mode);
	free(m->created);
	free(m->previous);
	free(m->chain);
	free(m->source_name);
	free(m->driver);
	memset(m, 0, sizeof(*m));
}
