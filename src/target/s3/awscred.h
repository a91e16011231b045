/* AWS credentials and the shared config/credentials files (INI profiles).
 * The chain that finds them is s3_creds.c. Secrets stay in these structs:
 * nothing here logs or prints them. */
#ifndef CDCPACK_AWSCRED_H
#define CDCPACK_AWSCRED_H

#include "buf.h"
#include "strv.h"

#include <stddef.h>
#include <time.h>

/* Owns every string; awscred_free wipes the secrets before freeing. */
struct awscred {
	char *access_key;
	char *secret_key;
	char *session_token; /* NULL when none */
	char *origin;	/* where they came from, for messages: "environment", "profile x in F" */
	time_t expires; /* 0: never (static keys) */
};

/* Reads section profile of a credentials file held in text (INI: [name],
 * key = value, '#' or ';' comments). CDC_ENOTFOUND when the profile has no
 * keys; CDC_EUSAGE when it has only half of them. name labels messages. */
int awscred_parse(struct awscred *out, const char *name, const char *text, size_t len,
		  const char *profile);
void awscred_free(struct awscred *c);
void awscred_copy(struct awscred *dst, const struct awscred *src);

/* Every "key = value" of section [profile] (or [profile NAME]) in text, as
 * name, value pairs (names lower-cased). CDC_ENOTFOUND when the section is absent. */
int awscred_profile(struct strv *kv, const char *text, size_t len, const char *profile);
/* The value of key in kv (as filled by awscred_profile or awsjson_flat), or NULL. */
const char *awscred_kv(const struct strv *kv, const char *key);
/* strv_free after wiping the values (they may be secrets). */
void awscred_kv_free(struct strv *kv);
/* Reads a small file whole (at most 1 MiB). CDC_ENOTFOUND when it does not
 * exist; warns when group or others may read it and warn_readable. */
int awscred_read_file(const char *path, struct buf *text, int warn_readable);
/* A token kept in a file (web identity, container authorization): read
 * whole at each fetch, since it is rotated, trailing white space dropped.
 * Missing or empty: CDC_EUSAGE naming label and path. */
int awscred_read_token(const char *path, const char *label, char **token);
/* Wipes and frees a buffer that held secrets. */
void awscred_buf_wipe(struct buf *b);

#endif
