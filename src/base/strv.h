/* A growable, NULL-terminated list of owned strings. */
#ifndef CDCPACK_STRV_H
#define CDCPACK_STRV_H

#include <stdbool.h>
#include <stddef.h>

/* Owns v and every string in it; strv_free releases them. Zeroed = empty. */
struct strv {
	char **v;
	size_t n;
	size_t cap;
};

void strv_push(struct strv *s, const char *str);
void strv_push_owned(struct strv *s, char *str);
bool strv_contains(const struct strv *s, const char *str);
/* Removes every repeat of an earlier string, keeping the first one in
 * place: a table named twice is still one table. */
void strv_dedup(struct strv *s);
void strv_free(struct strv *s);

/* A sorted view of a list's strings (borrowed: the list outlives it), found
 * in log n: strv_contains reads the whole list, which a loop over thousands
 * of tables makes quadratic. */
struct strv_index {
	const char **v;
	size_t n;
};

void strv_index_init(struct strv_index *ix, const struct strv *s);
bool strv_index_has(const struct strv_index *ix, const char *str);
void strv_index_free(struct strv_index *ix);
/* Splits a comma list, trimming blanks around each item and skipping empty ones. */
void strv_split_commas(struct strv *out, const char *list);

#endif
