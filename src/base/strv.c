#include "strv.h"

#include "buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void strv_push_owned(struct strv *s, char *str)
{
	if (s->n + 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
}

void strv_push(struct strv *s, const char *str)
{
	strv_push_owned(s, xstrdup(str));
}

bool strv_contains(const struct strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return true;
	return false;
}

struct strv_at {
	const char *str;
	size_t at;
};

static int by_string_then_place(const void *a, const void *b)
{
	const struct strv_at *x = a, *y = b;
	int c = strcmp(x->str, y->str);
	return c ? c : (x->at > y->at) - (x->at < y->at);
}

void strv_dedup(struct strv *s)
{
	if (s->n < 2)
		return;
	/* Sorted (string, place) pairs find repeats in n log n (lists of
	 * thousands of tables); the list itself keeps its order. */
	struct strv_at *sorted = xcalloc(s->n, sizeof(*sorted));
	for (size_t i = 0; i < s->n; i++)
		sorted[i] = (struct strv_at){s->v[i], i};
	qsort(sorted, s->n, sizeof(*sorted), by_string_then_place);
	/* Marked first, freed after: a run's strings are compared to each other. */
	bool *repeat = xcalloc(s->n, sizeof(*repeat));
	for (size_t i = 1; i < s->n; i++)
		repeat[sorted[i].at] = strcmp(sorted[i - 1].str, sorted[i].str) == 0;
	free(sorted);
	for (size_t i = 0; i < s->n; i++)
		if (repeat[i]) {
			free(s->v[i]);
			s->v[i] = NULL;
		}
	free(repeat);
	size_t kept = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i])
			s->v[kept++] = s->v[i];
	s->n = kept;
	s->v[kept] = NULL;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void strv_index_init(struct strv_index *ix, const struct strv *s)
{
	ix->n = s->n;
	ix->v = xcalloc(s->n ? s->n : 1, sizeof(*ix->v));
	for (size_t i = 0; i < s->n; i++)
		ix->v[i] = s->v[i];
	if (s->n)
		qsort(ix->v, ix->n, sizeof(*ix->v), by_string);
}

bool strv_index_has(const struct strv_index *ix, const char *str)
{
	return ix->n && bsearch(&str, ix->v, ix->n, sizeof(*ix->v), by_string) != NULL;
}

void strv_index_free(struct strv_index *ix)
{
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

void strv_split_commas(struct strv *out, const char *list)
{
	const char *p = list;
	while (*p) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		const char *a = p, *b = end;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (b > a)
			strv_push_owned(out, xstrndup(a, (size_t)(b - a)));
		p = *end ? end + 1 : end;
	}
}
