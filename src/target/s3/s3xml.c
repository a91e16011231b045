#include "s3xml.h"

#include "err.h"

#include <stdlib.h>
#include <string.h>

/* Finds the next element named tag at or after p: sets *body to its content
 * and *after past its end tag. Matches "<tag>" and "<tag attr...>", not
 * "<tagSuffix>"; "<tag/>" is an empty element. */
static bool find_element(const char *p, const char *end, const char *tag, const char **body,
			 size_t *body_len, const char **after)
{
	size_t tn = strlen(tag);
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		if (!lt || (size_t)(end - lt) < tn + 2)
			return false;
		p = lt + 1;
		if (memcmp(p, tag, tn) != 0)
			continue;
		const char *q = p + tn;
		if (*q != '>' && *q != ' ' && *q != '/' && *q != '\t' && *q != '\n' && *q != '\r')
			continue;
		const char *gt = memchr(q, '>', (size_t)(end - q));
		if (!gt)
			return false;
		if (gt[-1] == '/') { /* <tag/> */
			*body = gt + 1;
			*body_len = 0;
			*after = gt + 1;
			return true;
		}
		const char *start = gt + 1;
		for (const char *c = start; c + tn + 3 <= end; c++) {
			if (c[0] == '<' && c[1] == '/' && memcmp(c + 2, tag, tn) == 0 &&
			    c[2 + tn] == '>') {
				*body = start;
				*body_len = (size_t)(c - start);
				*after = c + tn + 3;
				return true;
			}
		}
		return false;
	}
	return false;
}

static void add_codepoint(struct buf *out, unsigned long cp)
{
	if (cp < 0x80) {
		buf_addc(out, (char)cp);
	} else if (cp < 0x800) {
		buf_addc(out, (char)(0xc0 | cp >> 6));
		buf_addc(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(out, (char)(0xe0 | cp >> 12));
		buf_addc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x110000) {
		buf_addc(out, (char)(0xf0 | cp >> 18));
		buf_addc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Decodes one entity at s ('&' ... ';'); returns its length, 0 when unknown. */
static size_t decode_entity(struct buf *out, const char *s, size_t n)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {
		{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		size_t len = strlen(named[i].name);
		if (n >= len && memcmp(s, named[i].name, len) == 0) {
			buf_addc(out, named[i].c);
			return len;
		}
	}
	const char *semi = memchr(s, ';', n < 12 ? n : 12);
	if (n > 3 && s[1] == '#' && semi) {
		char *endp;
		bool hex = s[2] == 'x' || s[2] == 'X';
		unsigned long cp = strtoul(s + (hex ? 3 : 2), &endp, hex ? 16 : 10);
		if (endp == semi && cp > 0) {
			add_codepoint(out, cp);
			return (size_t)(semi - s) + 1;
		}
	}
	return 0;
}

static char *decode_text(const char *s, size_t n)
{
	struct buf out = BUF_INIT;
	for (size_t i = 0; i < n;) {
		size_t used = s[i] == '&' ? decode_entity(&out, s + i, n - i) : 0;
		if (used) {
			i += used;
		} else {
			buf_addc(&out, s[i]);
			i++;
		}
	}
	return buf_detach(&out);
}

char *s3xml_text(const char *xml, size_t len, const char *tag)
{
	const char *body, *after;
	size_t n;
	if (!find_element(xml, xml + len, tag, &body, &n, &after))
		return NULL;
	return decode_text(body, n);
}

/* The first element's name, skipping the <?xml?> declaration and blanks (S3
 * may send blanks to keep a long CopyObject connection alive before it). */
static bool root_is(const char *xml, size_t len, const char *tag)
{
	const char *p = xml, *end = xml + len;
	size_t tn = strlen(tag);
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (end - p >= 2 && p[0] == '<' && p[1] == '?') {
			const char *q = memchr(p, '>', (size_t)(end - p));
			if (!q)
				return false;
			p = q + 1;
			continue;
		}
		break;
	}
	return (size_t)(end - p) > tn + 1 && p[0] == '<' && memcmp(p + 1, tag, tn) == 0 &&
	       (p[1 + tn] == '>' || p[1 + tn] == ' ');
}

bool s3xml_parse_error(const char *xml, size_t len, struct s3xml_error *out)
{
	out->code = out->message = NULL;
	if (!xml || !root_is(xml, len, "Error"))
		return false;
	out->code = s3xml_text(xml, len, "Code");
	out->message = s3xml_text(xml, len, "Message");
	return true;
}

void s3xml_error_free(struct s3xml_error *e)
{
	free(e->code);
	free(e->message);
	e->code = e->message = NULL;
}

static int list_entry(const char *body, size_t n, s3xml_key_fn fn, void *ctx)
{
	char *key = s3xml_text(body, n, "Key");
	char *size = s3xml_text(body, n, "Size");
	int rc;
	char *endp = NULL;
	long long sz = size ? strtoll(size, &endp, 10) : -1;
	if (!key || !size || endp == size || *endp || sz < 0)
		rc = err_set(CDC_ERUNTIME, "ListObjectsV2: a <Contents> entry without Key or Size");
	else
		rc = fn(ctx, key, (int64_t)sz);
	free(key);
	free(size);
	return rc;
}

int s3xml_list_page(const char *xml, size_t len, s3xml_key_fn fn, void *ctx, char **next)
{
	const char *p = xml, *end = xml + len, *body, *after;
	size_t n;
	*next = NULL;
	if (!root_is(xml, len, "ListBucketResult"))
		return err_set(CDC_ERUNTIME, "ListObjectsV2: reply is not a ListBucketResult");
	while (find_element(p, end, "Contents", &body, &n, &after)) {
		int rc = list_entry(body, n, fn, ctx);
		if (rc)
			return rc;
		p = after;
	}
	char *truncated = s3xml_text(xml, len, "IsTruncated");
	bool more = truncated && strcmp(truncated, "true") == 0;
	free(truncated);
	if (!more)
		return 0;
	*next = s3xml_text(xml, len, "NextContinuationToken");
	if (!*next || !**next) {
		free(*next);
		*next = NULL;
		return err_set(CDC_ERUNTIME,
			       "ListObjectsV2: truncated reply without NextContinuationToken");
	}
	return 0;
}

int s3xml_uploads(const char *xml, size_t len, s3xml_upload_fn fn, void *ctx)
{
	const char *p = xml, *end = xml + len, *body, *after;
	size_t n;
	int rc = 0;
	if (!root_is(xml, len, "ListMultipartUploadsResult"))
		return err_set(CDC_ERUNTIME,
			       "ListMultipartUploads: reply is not a ListMultipartUploadsResult");
	while (rc == 0 && find_element(p, end, "Upload", &body, &n, &after)) {
		char *key = s3xml_text(body, n, "Key");
		char *id = s3xml_text(body, n, "UploadId");
		if (key && id)
			rc = fn(ctx, key, id);
		free(key);
		free(id);
		p = after;
	}
	return rc;
}

void s3xml_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		case '"':
			buf_adds(out, "&quot;");
			break;
		case '\'':
			buf_adds(out, "&apos;");
			break;
		default:
			buf_addc(out, *s);
		}
	}
}

void s3xml_complete_body(struct buf *out, char *const *etags, size_t n)
{
	buf_adds(out,
		 "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
	for (size_t i = 0; i < n; i++) {
		buf_addf(out, "<Part><PartNumber>%zu</PartNumber><ETag>", i + 1);
		s3xml_escape(out, etags[i]);
		buf_adds(out, "</ETag></Part>");
	}
	buf_adds(out, "</CompleteMultipartUpload>");
}
