/* The few S3 XML bodies cdcpack reads and writes: error replies (also inside a
 * 200 reply to CompleteMultipartUpload or CopyObject, docs/design.md §8), the
 * multipart upload id, part and copy ETags, ListObjectsV2 pages, and the
 * CompleteMultipartUpload request. A small scanner for flat, known tags: S3
 * sends no CDATA, comments or nested same-name tags in these replies. */
#ifndef CDCPACK_S3XML_H
#define CDCPACK_S3XML_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Text of the first <tag> element in xml[0..len), entities decoded; NULL when absent. */
char *s3xml_text(const char *xml, size_t len, const char *tag);

/* Owns code and message. */
struct s3xml_error {
	char *code;
	char *message;
};
/* True when the document's root element is <Error>; fills out (Code, Message). */
bool s3xml_parse_error(const char *xml, size_t len, struct s3xml_error *out);
void s3xml_error_free(struct s3xml_error *e);

/* One ListObjectsV2 page. Calls fn for each <Contents> (key decoded, size);
 * fn's non-zero return stops and is returned. *next gets the continuation
 * token (owned by the caller) when the page is truncated, else NULL. */
typedef int (*s3xml_key_fn)(void *ctx, const char *key, int64_t size);
int s3xml_list_page(const char *xml, size_t len, s3xml_key_fn fn, void *ctx, char **next);

/* Calls fn for each <Upload> of a ListMultipartUploads reply (key and
 * upload id decoded); fn's non-zero return stops and is returned. */
typedef int (*s3xml_upload_fn)(void *ctx, const char *key, const char *upload_id);
int s3xml_uploads(const char *xml, size_t len, s3xml_upload_fn fn, void *ctx);

/* Appends s with &, <, > and quotes escaped. */
void s3xml_escape(struct buf *out, const char *s);
/* The CompleteMultipartUpload body for parts 1..n with their ETags. */
void s3xml_complete_body(struct buf *out, char *const *etags, size_t n);

#endif
