/* The credential sources reached over HTTP on the machine itself: the ECS
 * (and EKS Pod Identity) container endpoint and EC2 instance metadata
 * (IMDSv2 only), with the fetch and the JSON reading they share with
 * credential_process. docs/design.md §3 says which variables steer them. */
#ifndef CDCPACK_AWSMETA_H
#define CDCPACK_AWSMETA_H

#include "awscred.h"
#include "http.h"

#include <time.h>

/* One exchange on a fresh connection, cut after connect_s to connect and
 * total_s in all. 0 when a reply (any status) came; else CDC_ERUNTIME with
 * resp->error set (err_set is not called). */
int awsmeta_fetch(const struct http_request *req, long connect_s, long total_s,
		  struct http_response *resp);
/* Credentials from a JSON object (AccessKeyId, SecretAccessKey, token_key,
 * Expiration). what names the source in messages; a bad answer is CDC_ERUNTIME. */
int awsmeta_creds_json(const char *what, const char *json, size_t len, const char *token_key,
		       struct awscred *out);
/* "2026-12-07T05:00:00Z", with optional fraction, "Z" or "+00:00": the time, or -1. */
time_t awsmeta_parse_time(const char *iso);

/* The container endpoint: CDC_ENOTFOUND (nothing said) when neither
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set. */
int awsmeta_container(struct awscred *out);
/* IMDSv2: a token (PUT, TTL header), the role name, its credentials.
 * CDC_ENOTFOUND with why set when there is no instance metadata service
 * (or AWS_EC2_METADATA_DISABLED=true); other failures are errors. */
int awsmeta_imds(struct awscred *out, struct buf *why);

#endif
