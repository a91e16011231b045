/* The INI configuration of docs/design.md §3, parsed and validated into one struct. */
#ifndef CDCPACK_CONFIG_H
#define CDCPACK_CONFIG_H

#include "buf.h"
#include "strv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum capture_mode { CAPTURE_TRIGGER, CAPTURE_SNAPSHOT, CAPTURE_BINLOG };
enum batch_format { FORMAT_CSV, FORMAT_JSONL };
enum compression { COMPRESS_ZSTD, COMPRESS_GZIP, COMPRESS_XZ, COMPRESS_NONE };
enum path_style { PATH_STYLE_AUTO, PATH_STYLE_PATH, PATH_STYLE_VIRTUAL };
/* [lake]: DMS's CompressionType, DatePartitionSequence and DatePartitionDelimiter. */
enum lake_compression { LAKE_GZIP, LAKE_NONE };
enum lake_partition {
	LAKE_PART_NONE,
	LAKE_PART_YYYYMMDD,
	LAKE_PART_YYYYMMDDHH,
	LAKE_PART_YYYYMM,
	LAKE_PART_MMYYYYDD,
	LAKE_PART_DDMMYYYY
};
enum lake_delimiter { LAKE_DELIM_SLASH, LAKE_DELIM_DASH, LAKE_DELIM_UNDERSCORE, LAKE_DELIM_NONE };
/* [batch] cdc_ops: DMS's CdcInsertsOnly and CdcInsertsAndUpdates. */
enum cdc_ops { CDC_OPS_ALL, CDC_OPS_INSERTS, CDC_OPS_INSERTS_AND_UPDATES };
/* [batch] binary_encoding: how CSV fields spell BLOBs. */
enum binary_encoding { BINARY_HEX, BINARY_BASE64 };
/* [capture] changelog_secure_delete: how an acknowledgement erases the
 * changelog rows it deletes (docs/design.md §4 step 7). LIBRARY (unset)
 * keeps the SQLite library's own setting, as the application's deletes do. */
enum secure_delete { SECURE_DELETE_LIBRARY, SECURE_DELETE_ON, SECURE_DELETE_FAST };
/* The longest csv_null_value: a marker, not a value. */
#define CSV_NULL_MAX 32

/* Owns every string and list in it; config_free releases them. */
struct config {
	char *path;	  /* the file it was read from */
	char *path_shown; /* path as messages show names (docs/design.md §2): any bytes */

	char *source_url;
	char *source_url_shown; /* source_url as messages show names, whole */
	char *source_name;	/* never NULL after config_load: defaulted from the URL */
	char *password_file;

	enum capture_mode mode;
	struct strv tables;  /* empty when every user table is captured ("*") */
	struct strv exclude; /* globs */
	char *changelog;
	int64_t reconcile_s; /* a run reconciles when the last reconcile is older; 0: never */
	/* reconcile = manual or a duration: the published state a reconcile
	 * compares with is kept (it costs every batch a hash and a write per
	 * row, so off, the default, keeps none). */
	bool reconcile_kept;
	enum secure_delete changelog_secure_delete;

	enum batch_format format;
	enum compression compression;
	int64_t max_rows;
	bool csv_header;
	bool load_op_column;
	/* DMS's output options (docs/design.md §3): they shape the change
	 * files, so the archive and the lake carry the same rows. */
	char *timestamp_column; /* NULL: no timestamp column */
	enum cdc_ops cdc_ops;
	char csv_null_value[CSV_NULL_MAX + 1]; /* "" by default */
	char csv_delimiter;
	enum binary_encoding binary_encoding;

	char *state_dir;
	int64_t keep_local_s;

	char *target_url;
	char *temp_prefix;
	char *final_prefix;
	char *region;
	bool region_set; /* region came from the file: AWS_REGION and the profile do not apply */
	char *endpoint;	 /* NULL when unset: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL apply */
	enum path_style path_style;
	int64_t part_size;
	/* [target] upload_while_compressing: an S3 archive's parts go while it
	 * is compressed (docs/design.md §4 step 5); off by default. */
	bool upload_while_compressing;
	int max_retries;
	char *ca_bundle; /* NULL when unset */
	/* [target] object settings, sent with every object written (docs/design.md
	 * §3); NULL (bucket_key: -1) when unset. */
	char *sse; /* "AES256" or "aws:kms"; NULL for none */
	char *sse_kms_key_id;
	int bucket_key;
	char *storage_class;
	struct strv tags; /* key, value, key, value, ... */
	char *acl;
	char *expected_bucket_owner;

	/* [lake]: NULL when off (prefix absent or empty). */
	char *lake_prefix;
	/* The <schema> folder of lake keys: the MySQL database name, or the
	 * source name for SQLite (set by config_load when the lake is on). */
	char *lake_schema;
	enum lake_compression lake_compression;
	enum lake_partition lake_partition;
	enum lake_delimiter lake_delimiter;
};

/* What the config needs to know of a URL scheme, answered by the driver that
 * claims it: config.c names no scheme. Each driver's ops table points at its
 * own (src/source/source.h, src/target/target.h), and the registries of
 * source.c and target.c hand them to config_register_schemes. */
enum url_role { URL_SOURCE, URL_TARGET, URL_ANY };
/* A key of its role's section ([source], [target]) that a driver owns, such
 * as S3's object settings: config.c parses the keys it knows itself and
 * hands any other to the registered drivers' tables. The value is still
 * stored in struct config, the config file's contract (docs/design.md §3). */
struct config_key {
	const char *name; /* as the file spells it: "storage_class" */
	/* Sets cfg from v. 0, or -1 with why set to what follows "file:line:
	 * key: " in the message. */
	int (*parse)(struct config *cfg, const char *v, struct buf *why);
};
struct url_scheme {
	const char *prefix;  /* what URLs of the driver start with: "sqlite:", "s3://" */
	const char *example; /* as config's messages spell one: "sqlite:PATH", "mysql://..." */
	const char *usage;   /* as "no driver for this URL" spells one: "mysql://USER@HOST/DB" */
	/* Source: the default [source] name (NULL: "source"), and the <schema>
	 * folder of lake keys (NULL: the source name). Owned strings. */
	char *(*default_name)(const char *url);
	char *(*schema_name)(const char *url);
	bool password; /* source: takes [source] password_file (and --password-file) */
	bool binlog;   /* source: has a binary log ([capture] mode = binlog) */
	/* source: its changelog deletes honour [capture] changelog_secure_delete */
	bool secure_delete;
	/* Target: reads [target] region, endpoint, path_style, part_size,
	 * max_retries and ca_bundle. */
	bool store_keys;
	/* The keys of the role's section the driver parses itself, ended by
	 * one whose name is NULL; NULL: none. */
	const struct config_key *keys;
};
/* Called once per role by the drivers' registry, before any config is read
 * (a constructor in source.c, target.c); schemes must outlive the program. */
void config_register_schemes(enum url_role role, const struct url_scheme *const *schemes, size_t n);
/* The scheme of role that claims url (its prefix, and more after it), or NULL. */
const struct url_scheme *config_url_scheme(enum url_role role, const char *url);
/* Lists role's schemes (URL_ANY: sources, then targets) for a message, as
 * "a", "a or b", "a, b or c": each spelt by the string at offset field of
 * struct url_scheme (offsetof), only those whose bool at offset flag is set
 * (flag 0: all of them). */
void config_scheme_list(struct buf *out, enum url_role role, size_t field, size_t flag);

/* Fills cfg with the defaults of docs/design.md §3 (no source or target URL). */
void config_defaults(struct config *cfg);
/* Reads and validates path. On error returns CDC_EUSAGE with "file:line: key: why". */
int config_load(struct config *cfg, const char *path);
/* Same, from text in memory (used by tests and fuzzers); name labels messages. */
int config_parse(struct config *cfg, const char *name, const char *text, size_t len);
void config_free(struct config *cfg);
/* A key set away from its default where it has no effect (an S3 key with a
 * file: target, a password for SQLite, the changelog in snapshot mode, CSV
 * options with jsonl), as "[section] key", with why; NULL when none. The
 * commands refuse such a config rather than silently ignore the key. */
const char *config_unused_key(const struct config *cfg, const char **why);

/* What a driver's config_key.parse spells values with. "true"/"yes"/"on"/
 * "1" and their opposites -> *out; 0, or -1 when s is none of them. */
int parse_bool(const char *s, bool *out);
/* The index of value in names (NULL-terminated) -> *out; 0, or -1 when absent. */
int parse_enum(const char *value, const char *const *names, int *out);
/* Replaces *slot by a copy of value; "" leaves it NULL (unset). */
void config_set_str(char **slot, const char *value);
/* "16M" -> 16777216. Returns 0, or -1 when s is not a size. */
int parse_size(const char *s, int64_t *out);
/* "7d" -> 604800. Returns 0, or -1 when s is not a duration. */
int parse_duration(const char *s, int64_t *out);
/* Default chain name for a source URL: the database name (file stem for sqlite). */
char *source_default_name(const char *url);
/* A source name must be usable in object keys and file names. NULL when fine, else why not. */
const char *source_name_problem(const char *name);
const char *compression_suffix(enum compression c);

/* "trigger", "snapshot" or "binlog", as [capture] mode spells it. */
const char *config_mode_name(enum capture_mode mode);
/* And back: -1 when s is not one. */
int config_mode_parse(const char *s, enum capture_mode *out);
/* "all", "inserts" or "inserts_and_updates"; and back (-1: not one). */
const char *config_cdc_ops_name(enum cdc_ops ops);
int config_cdc_ops_parse(const char *s, enum cdc_ops *out);
/* Why c cannot be a CSV delimiter (a byte some field's spelling uses, a
 * quote, a line end, a byte outside ASCII), NULL when it can. */
const char *csv_delimiter_problem(char c);
/* Why s cannot be the NULL marker with delimiter d (0: any), NULL when it can. */
const char *csv_null_value_problem(const char *s, char d);

#endif
