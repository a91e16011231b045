#include "awssts.h"

#include "awsmeta.h"
#include "err.h"
#include "s3xml.h"
#include "sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STS_CONNECT_S 10
#define STS_TOTAL_S 30

int awssts_parse_reply(const char *what, const char *xml, size_t len, struct awscred *out)
{
	char *code = s3xml_text(xml, len, "Code");
	if (code) {
		char *msg = s3xml_text(xml, len, "Message");
		int rc = err_set(CDC_ERUNTIME, "%s: STS refused: %s%s%s", what, code,
				 msg ? ": " : "", msg ? msg : "");
		free(code);
		free(msg);
		return rc;
	}
	struct awscred c = {0};
	c.access_key = s3xml_text(xml, len, "AccessKeyId");
	c.secret_key = s3xml_text(xml, len, "SecretAccessKey");
	c.session_token = s3xml_text(xml, len, "SessionToken");
	char *exp = s3xml_text(xml, len, "Expiration");
	const char *missing = !c.access_key	 ? "AccessKeyId"
			      : !c.secret_key	 ? "SecretAccessKey"
			      : !c.session_token ? "SessionToken"
			      : !exp		 ? "Expiration"
						 : NULL;
	int rc = 0;
	if (missing)
		rc = err_set(CDC_ERUNTIME, "%s: the STS answer has no <%s>", what, missing);
	else if ((c.expires = awsmeta_parse_time(exp)) < 0)
		rc = err_set(CDC_ERUNTIME, "%s: the STS answer's Expiration '%.40s' is not a time",
			     what, exp);
	free(exp);
	if (rc) {
		awscred_free(&c);
		return rc;
	}
	c.origin = xstrdup(what);
	*out = c;
	return 0;
}

static void form_add(struct buf *b, const char *name, const char *value)
{
	if (!value)
		return;
	buf_addf(b, "%s%s=", b->len ? "&" : "", name);
	sigv4_uri_encode(b, value, strlen(value), false);
}

static char *sts_endpoint(const char *region)
{
	const char *ep = getenv("AWS_ENDPOINT_URL_STS");
	if (!ep || !*ep)
		ep = getenv("AWS_ENDPOINT_URL");
	if (ep && *ep)
		return xstrdup(ep);
	return xasprintf("https://sts.%s.amazonaws.com", region);
}

/* Host and path of an endpoint URL (validated: http:// or https://). */
static int split_endpoint(const char *url, char **host, char **path)
{
	const char *rest = strstr(url, "://");
	if (!rest || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
		return err_set(CDC_EUSAGE, "STS endpoint '%s' is not an http(s) URL", url);
	rest += 3;
	size_t n = strcspn(rest, "/?#");
	if (n == 0)
		return err_set(CDC_EUSAGE, "STS endpoint '%s' has no host", url);
	*host = xstrndup(rest, n);
	size_t p = strcspn(rest + n, "?#");
	*path = p ? xstrndup(rest + n, p) : xstrdup("/");
	return 0;
}

static void form_body(const struct awssts_role *r, struct buf *body)
{
	char session[64], duration[24];
	snprintf(session, sizeof(session), "cdcpack-%lld", (long long)time(NULL));
	snprintf(duration, sizeof(duration), "%ld", r->duration_s);
	form_add(body, "Action",
		 r->web_identity_token ? "AssumeRoleWithWebIdentity" : "AssumeRole");
	form_add(body, "Version", "2011-06-15");
	form_add(body, "RoleArn", r->role_arn);
	form_add(body, "RoleSessionName", r->session_name ? r->session_name : session);
	form_add(body, "ExternalId", r->external_id);
	form_add(body, "DurationSeconds", r->duration_s ? duration : NULL);
	form_add(body, "WebIdentityToken", r->web_identity_token);
}

#define FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* Content-Type, and for AssumeRole x-amz-date, the token and Authorization. */
static void sign(const struct awssts_role *r, const char *host, const char *path,
		 const struct buf *body, struct strv *lines)
{
	strv_push(lines, "Content-Type: " FORM_TYPE);
	if (r->web_identity_token)
		return;
	char date[SIGV4_DATE_LEN + 1], payload[SIGV4_HEX_LEN + 1];
	sigv4_amz_date(date, time(NULL));
	sigv4_sha256_hex(payload, body->data, body->len);
	struct sigv4_header h[4] = {
		{"content-type", FORM_TYPE}, {"host", host}, {"x-amz-date", date}};
	size_t n = 3;
	if (r->source->session_token)
		h[n++] = (struct sigv4_header){"x-amz-security-token", r->source->session_token};
	struct sigv4_request req = {"POST", path, NULL, h, n, payload};
	struct sigv4_key key = {r->source->access_key, r->source->secret_key, r->region, "sts",
				date};
	struct buf auth = BUF_INIT;
	sigv4_authorization(&auth, &key, &req);
	strv_push_owned(lines, xasprintf("x-amz-date: %s", date));
	if (r->source->session_token)
		strv_push_owned(lines,
				xasprintf("x-amz-security-token: %s", r->source->session_token));
	strv_push_owned(lines, xasprintf("Authorization: %s", buf_str(&auth)));
	buf_free(&auth);
}

static void wipe_lines(struct strv *lines)
{
	for (size_t i = 0; i < lines->n; i++)
		memset(lines->v[i], 0, strlen(lines->v[i]));
	strv_free(lines);
}

int awssts_assume(const struct awssts_role *r, struct awscred *out)
{
	char *url = sts_endpoint(r->region), *host = NULL, *path = NULL;
	int rc = split_endpoint(url, &host, &path);
	if (rc) {
		free(url);
		return rc;
	}
	struct buf body = BUF_INIT;
	struct strv lines = {0};
	form_body(r, &body);
	sign(r, host, path, &body, &lines);
	struct http_request req = {"POST",
				   url,
				   (const char *const *)lines.v,
				   lines.n,
				   -1,
				   0,
				   buf_str(&body),
				   (int64_t)body.len,
				   -1};
	struct http_response resp = {0};
	char *code = NULL;
	char *what = xasprintf("%s: %s %s at %s", r->origin,
			       r->web_identity_token ? "AssumeRoleWithWebIdentity" : "AssumeRole",
			       r->role_arn, url);
	if (awsmeta_fetch(&req, STS_CONNECT_S, STS_TOTAL_S, &resp) != 0)
		rc = err_set(CDC_ERUNTIME, "%s: %s", what, resp.error);
	else if (resp.status != 200 && !(code = s3xml_text(resp.body.data, resp.body.len, "Code")))
		rc = err_set(CDC_ERUNTIME, "%s: HTTP %ld %s", what, resp.status, resp.reason);
	else
		rc = awssts_parse_reply(what, buf_str(&resp.body), resp.body.len, out);
	free(code);
	awscred_buf_wipe(&resp.body); /* it held the new secret key */
	http_response_free(&resp);
	awscred_buf_wipe(&body);
	wipe_lines(&lines);
	free(what);
	free(url);
	free(host);
	free(path);
	return rc;
}
