/* AWS STS: AssumeRole (signed with SigV4 by the source credentials) and
 * AssumeRoleWithWebIdentity (unsigned, carrying the token), POSTed as a form
 * to https://sts.REGION.amazonaws.com, or to AWS_ENDPOINT_URL_STS /
 * AWS_ENDPOINT_URL when set. */
#ifndef CDCPACK_AWSSTS_H
#define CDCPACK_AWSSTS_H

#include "awscred.h"

#include <stddef.h>

/* Borrows every pointer. */
struct awssts_role {
	const char *role_arn;
	const char *session_name; /* NULL: "cdcpack-<unix time>" */
	const char *external_id;  /* NULL when none */
	long duration_s;	  /* 0: STS's default (one hour) */
	/* Set: AssumeRoleWithWebIdentity with this token; else AssumeRole signed by source. */
	const char *web_identity_token;
	const struct awscred *source;
	const char *region;
	const char *origin; /* for messages: "web identity (AWS_ROLE_ARN)", "profile x" */
};

/* CDC_ERUNTIME naming the role and STS's error code when refused or unreadable. */
int awssts_assume(const struct awssts_role *r, struct awscred *out);
/* The credentials of an AssumeRole[WithWebIdentity]Response, or STS's
 * <ErrorResponse> as a message (CDC_ERUNTIME). what labels messages. */
int awssts_parse_reply(const char *what, const char *xml, size_t len, struct awscred *out);

#endif
