/* The AWS credential chain, in the AWS SDKs' order (docs/design.md §3):
 * environment, web identity, the shared config/credentials profile (static
 * keys, role_arn + source_profile through STS, credential_process), the
 * container endpoint, EC2 instance metadata (IMDSv2). Temporary credentials
 * are fetched again from the same source before they expire. */
#ifndef CDCPACK_S3_CREDS_H
#define CDCPACK_S3_CREDS_H

#include "awscred.h"

#include <time.h>

struct s3_creds; /* owns the current credentials and a lock: threads may share it */

/* Walks the chain once. region signs STS requests. Nothing found: CDC_EUSAGE
 * naming every source tried; a source set up but failing: its error. */
int s3_creds_open(struct s3_creds **out, const char *region);
/* A copy of credentials valid now (fetched again when they are due), for
 * one request; the caller frees it with awscred_free. */
int s3_creds_get(struct s3_creds *c, struct awscred *copy);
const char *s3_creds_origin(const struct s3_creds *c);
void s3_creds_close(struct s3_creds *c); /* accepts NULL */

/* The region when the config names none: AWS_REGION, AWS_DEFAULT_REGION,
 * then the profile's region in the config file; NULL when none says. */
char *s3_creds_region(void);
/* One walk of the chain (region from s3_creds_region or us-east-1). */
int awscred_load(struct awscred *out);

/* When credentials fetched at fetched and expiring at expires are fetched
 * again: 5 minutes before, or a quarter of their life before when shorter. */
time_t s3_creds_refresh_at(time_t fetched, time_t expires);

#endif
