#include "awsmeta.h"

#include "awscred.h"
#include "awsjson.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONTAINER_HOST "http://169.254.170.2"
#define IMDS_HOST "http://169.254.169.254"
/* The SDKs' IMDS and container timeouts: a laptop without them fails fast. */
#define META_CONNECT_S 1
#define META_TOTAL_S 2
#define CONTAINER_TOTAL_S 5
#define IMDS_TOKEN_TTL "21600"

int awsmeta_fetch(const struct http_request *req, long connect_s, long total_s,
		  struct http_response *resp)
{
	struct http *h = NULL;
	struct http_options opt = {getenv("AWS_CA_BUNDLE"), connect_s, 1, total_s, total_s};
	if (opt.ca_bundle && !*opt.ca_bundle)
		opt.ca_bundle = NULL;
	int rc = http_open(&h, &opt);
	if (rc)
		return rc;
	rc = http_perform(h, req, resp);
	http_close(h);
	return rc;
}

time_t awsmeta_parse_time(const char *iso)
{
	struct tm tm = {0};
	int n = 0;
	if (!iso ||
	    sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19)
		return -1;
	const char *rest = iso + n;
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9';)
			rest++;
	if (strcmp(rest, "Z") != 0 && strcmp(rest, "+00:00") != 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static void take(char **slot, const struct strv *kv, const char *key)
{
	const char *v = awscred_kv(kv, key);
	if (v && *v && strcmp(v, "null") != 0)
		*slot = xstrdup(v);
}

int awsmeta_creds_json(const char *what, const char *json, size_t len, const char *token_key,
		       struct awscred *out)
{
	struct strv kv = {0};
	const char *why = NULL;
	if (awsjson_flat(json, len, &kv, &why))
		return err_set(CDC_ERUNTIME, "%s: the answer is not the credentials JSON: %s", what,
			       why);
	struct awscred c = {0};
	take(&c.access_key, &kv, "AccessKeyId");
	take(&c.secret_key, &kv, "SecretAccessKey");
	take(&c.session_token, &kv, token_key);
	const char *exp = awscred_kv(&kv, "Expiration");
	const char *missing = !c.access_key   ? "AccessKeyId"
			      : !c.secret_key ? "SecretAccessKey"
					      : NULL;
	int rc = 0;
	if (missing)
		rc = err_set(CDC_ERUNTIME, "%s: the answer has no %s", what, missing);
	else if (exp && strcmp(exp, "null") != 0 && (c.expires = awsmeta_parse_time(exp)) < 0)
		rc = err_set(CDC_ERUNTIME, "%s: Expiration '%.40s' is not an ISO 8601 UTC time",
			     what, exp);
	awscred_kv_free(&kv);
	if (rc) {
		awscred_free(&c);
		return rc;
	}
	c.origin = xstrdup(what);
	*out = c;
	return 0;
}

/* A token file wins over the token itself, as in the SDKs; its contents are re-read each time. */
static int container_token(char **out)
{
	const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *token = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	*out = NULL;
	if (file && *file)
		return awscred_read_token(file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", out);
	if (token && *token)
		*out = xstrdup(token);
	return 0;
}

/* FULL_URI over plain http must stay on this machine (or on the ECS/EKS link-local hosts). */
static int container_url(char **url)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	*url = NULL;
	if (rel && *rel) {
		*url = xasprintf("%s%s%s", CONTAINER_HOST, *rel == '/' ? "" : "/", rel);
		return 0;
	}
	if (!full || !*full)
		return CDC_ENOTFOUND;
	if (strncmp(full, "https://", 8) == 0) {
		*url = xstrdup(full);
		return 0;
	}
	if (strncmp(full, "http://", 7) != 0)
		return err_set(CDC_EUSAGE,
			       "AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' is not an http(s) URL",
			       full);
	const char *host = full + 7;
	bool link_local = strncmp(host, "169.254.170.2", 13) == 0 ||
			  strncmp(host, "169.254.170.23", 14) == 0 ||
			  strncmp(host, "[fd00:ec2::23]", 14) == 0;
	if (!http_host_is_loopback(host) && !link_local)
		return err_set(
			CDC_EUSAGE,
			"AWS_CONTAINER_CREDENTIALS_FULL_URI '%s': plain http is allowed to a "
			"loopback address or the ECS/EKS link-local hosts only",
			full);
	*url = xstrdup(full);
	return 0;
}

int awsmeta_container(struct awscred *out)
{
	char *url = NULL, *token = NULL, *auth = NULL;
	int rc = container_url(&url);
	if (rc)
		return rc;
	if ((rc = container_token(&token)) != 0) {
		free(url);
		return rc;
	}
	if (token)
		auth = xasprintf("Authorization: %s", token);
	const char *headers[] = {auth};
	struct http_request req = {"GET", url, headers, auth ? 1 : 0, -1, 0, NULL, 0, -1};
	struct http_response r = {0};
	char *what = xasprintf("container credentials at %s", url);
	if (awsmeta_fetch(&req, META_CONNECT_S, CONTAINER_TOTAL_S, &r) != 0)
		rc = err_set(CDC_ERUNTIME, "%s: %s", what, r.error);
	else if (r.status != 200)
		rc = err_set(CDC_ERUNTIME, "%s: HTTP %ld %s", what, r.status, r.reason);
	else
		rc = awsmeta_creds_json(what, buf_str(&r.body), r.body.len, "Token", out);
	awscred_buf_wipe(&r.body);
	http_response_free(&r);
	if (auth)
		memset(auth, 0, strlen(auth));
	free(auth);
	if (token)
		memset(token, 0, strlen(token));
	free(token);
	free(url);
	free(what);
	return rc;
}

static char *imds_base(void)
{
	const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	if (!ep || !*ep)
		ep = IMDS_HOST;
	size_t n = strlen(ep);
	while (n && ep[n - 1] == '/')
		n--;
	return xstrndup(ep, n);
}

/* One IMDS request; the token header when token is set. */
static int imds_call(const char *base, const char *method, const char *path, const char *header,
		     struct http_response *r)
{
	char *url = xasprintf("%s%s", base, path);
	const char *headers[] = {header};
	struct http_request req = {method, url, headers, 1, -1, 0, NULL, 0, -1};
	int rc = awsmeta_fetch(&req, META_CONNECT_S, META_TOTAL_S, r);
	free(url);
	return rc;
}

static int imds_token(const char *base, char **token, struct buf *why)
{
	struct http_response r = {0};
	int rc = imds_call(base, "PUT", "/latest/api/token",
			   "X-aws-ec2-metadata-token-ttl-seconds: " IMDS_TOKEN_TTL, &r);
	if (rc) {
		buf_addf(why, "no answer from %s: %s", base, r.error);
		rc = CDC_ENOTFOUND;
	} else if (r.status != 200 || r.body.len == 0) {
		/* 403: IMDS is disabled on this instance; 404/405: not an IMDSv2 service */
		buf_addf(why, "%s answered HTTP %ld to the IMDSv2 token request", base, r.status);
		rc = r.status == 403 || r.status == 404 || r.status == 405
			     ? CDC_ENOTFOUND
			     : err_set(CDC_ERUNTIME, "EC2 instance metadata: %s", buf_str(why));
	} else {
		*token = xstrdup(buf_str(&r.body));
	}
	awscred_buf_wipe(&r.body);
	http_response_free(&r);
	return rc;
}

#define IMDS_CREDS "/latest/meta-data/iam/security-credentials/"

static int imds_role(const char *base, const char *header, char **role, struct buf *why)
{
	struct http_response r = {0};
	int rc = imds_call(base, "GET", IMDS_CREDS, header, &r);
	if (rc)
		rc = err_set(CDC_ERUNTIME, "EC2 instance metadata at %s: %s", base, r.error);
	else if (r.status == 404) {
		buf_addf(why, "%s has no IAM role attached to this instance", base);
		rc = CDC_ENOTFOUND;
	} else if (r.status != 200)
		rc = err_set(CDC_ERUNTIME,
			     "EC2 instance metadata at %s: HTTP %ld asking for the role", base,
			     r.status);
	else {
		size_t n = strcspn(buf_str(&r.body), "\r\n");
		const char *name = buf_str(&r.body);
		if (n == 0 || n > 128 ||
		    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789+=,.@_-") < n)
			rc = err_set(CDC_ERUNTIME,
				     "EC2 instance metadata at %s: the role name is not one", base);
		else
			*role = xstrndup(name, n);
	}
	http_response_free(&r);
	return rc;
}

static int imds_credentials(const char *base, const char *header, const char *role,
			    struct awscred *out)
{
	struct http_response r = {0};
	char *path = xasprintf(IMDS_CREDS "%s", role);
	char *what = xasprintf("EC2 instance metadata at %s (role %s)", base, role);
	int rc = imds_call(base, "GET", path, header, &r);
	if (rc)
		rc = err_set(CDC_ERUNTIME, "%s: %s", what, r.error);
	else if (r.status != 200)
		rc = err_set(CDC_ERUNTIME, "%s: HTTP %ld", what, r.status);
	else {
		struct strv kv = {0};
		const char *why = NULL;
		if (awsjson_flat(buf_str(&r.body), r.body.len, &kv, &why) == 0 &&
		    awscred_kv(&kv, "Code") && strcmp(awscred_kv(&kv, "Code"), "Success") != 0)
			rc = err_set(CDC_ERUNTIME, "%s: Code is %.60s", what,
				     awscred_kv(&kv, "Code"));
		awscred_kv_free(&kv);
		if (rc == 0)
			rc = awsmeta_creds_json(what, buf_str(&r.body), r.body.len, "Token", out);
	}
	awscred_buf_wipe(&r.body);
	http_response_free(&r);
	free(path);
	free(what);
	return rc;
}

int awsmeta_imds(struct awscred *out, struct buf *why)
{
	const char *off = getenv("AWS_EC2_METADATA_DISABLED");
	if (off && strcasecmp(off, "true") == 0) {
		buf_adds(why, "AWS_EC2_METADATA_DISABLED=true");
		return CDC_ENOTFOUND;
	}
	char *base = imds_base(), *token = NULL, *header = NULL, *role = NULL;
	int rc = imds_token(base, &token, why);
	if (rc == 0) {
		header = xasprintf("X-aws-ec2-metadata-token: %s", token);
		rc = imds_role(base, header, &role, why);
	}
	if (rc == 0)
		rc = imds_credentials(base, header, role, out);
	if (token)
		memset(token, 0, strlen(token));
	if (header)
		memset(header, 0, strlen(header));
	free(token);
	free(header);
	free(role);
	free(base);
	return rc;
}
