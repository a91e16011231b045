/* AWS credentials from the standard chain (docs/design.md §3): AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, then the AWS_PROFILE section
 * (default "default") of ~/.aws/credentials or AWS_SHARED_CREDENTIALS_FILE.
 * Secrets stay in this struct: nothing here logs or prints them. */
#ifndef CDCPACK_AWSCRED_H
#define CDCPACK_AWSCRED_H

#include <stddef.h>

/* Owns every string; awscred_free wipes the secrets before freeing. */
struct awscred {
	char *access_key;
	char *secret_key;
	char *session_token; /* NULL when none */
	char *origin; /* where they came from, for messages: "environment", "profile x in F" */
};

/* Walks the chain. Missing or partial credentials: CDC_EUSAGE naming what was
 * looked for; a credentials file readable by group or others gets a warning. */
int awscred_load(struct awscred *out);
/* Reads section profile of a credentials file held in text (INI: [name],
 * key = value, '#' or ';' comments). CDC_ENOTFOUND when the profile has no
 * keys; CDC_EUSAGE when it has only half of them. name labels messages. */
int awscred_parse(struct awscred *out, const char *name, const char *text, size_t len,
		  const char *profile);
void awscred_free(struct awscred *c);

#endif
