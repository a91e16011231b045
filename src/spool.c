#include "spool.h"

#include "err.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int spool_open(struct spool *s, size_t ncols)
{
	memset(s, 0, sizeof(*s));
	s->f = tmpfile();
	if (!s->f)
		return err_set(CDC_ERUNTIME, "cannot create a temp file: %s", strerror(errno));
	s->ncols = ncols;
	s->row = xcalloc(ncols ? ncols : 1, sizeof(*s->row));
	return 0;
}

/* Each value: a type byte, then 8 bytes (INT, REAL) or a length and bytes. */
int spool_write(struct spool *s, const struct value *row)
{
	for (size_t i = 0; i < s->ncols; i++) {
		unsigned char t = (unsigned char)row[i].type;
		fputc(t, s->f);
		if (row[i].type == VAL_INT)
			fwrite(&row[i].i, sizeof(row[i].i), 1, s->f);
		else if (row[i].type == VAL_REAL)
			fwrite(&row[i].r, sizeof(row[i].r), 1, s->f);
		else if (row[i].type != VAL_NULL) {
			uint64_t n = row[i].n;
			fwrite(&n, sizeof(n), 1, s->f);
			fwrite(row[i].p, 1, row[i].n, s->f);
		}
	}
	if (ferror(s->f))
		return err_set(CDC_ERUNTIME, "temp file write failed: %s", strerror(errno));
	return 0;
}

int spool_rewind(struct spool *s)
{
	if (fflush(s->f) != 0 || fseek(s->f, 0, SEEK_SET) != 0)
		return err_set(CDC_ERUNTIME, "temp file: %s", strerror(errno));
	return 0;
}

int spool_read(struct spool *s)
{
	int t = fgetc(s->f);
	if (t == EOF)
		return 0;
	buf_reset(&s->bytes);
	size_t *offs = xcalloc(s->ncols, sizeof(*offs));
	for (size_t i = 0; i < s->ncols; i++, t = fgetc(s->f)) {
		struct value *v = &s->row[i];
		memset(v, 0, sizeof(*v));
		v->type = (enum value_type)t;
		uint64_t n = 0;
		bool ok = true;
		if (t == VAL_INT)
			ok = fread(&v->i, sizeof(v->i), 1, s->f) == 1;
		else if (t == VAL_REAL)
			ok = fread(&v->r, sizeof(v->r), 1, s->f) == 1;
		else if (t == VAL_TEXT || t == VAL_BLOB) {
			ok = fread(&n, sizeof(n), 1, s->f) == 1;
			offs[i] = s->bytes.len;
			buf_grow(&s->bytes, n);
			ok = ok && fread(s->bytes.data + s->bytes.len, 1, n, s->f) == n;
			s->bytes.len += n;
			v->n = n;
		} else if (t != VAL_NULL) {
			ok = false;
		}
		if (!ok) {
			free(offs);
			return err_set(CDC_ERUNTIME, "temp file is damaged");
		}
		if (i + 1 == s->ncols)
			break;
	}
	for (size_t i = 0; i < s->ncols; i++)
		if (s->row[i].type == VAL_TEXT || s->row[i].type == VAL_BLOB)
			s->row[i].p = s->bytes.data ? s->bytes.data + offs[i] : "";
	free(offs);
	return 1;
}

void spool_close(struct spool *s)
{
	if (s->f)
		fclose(s->f);
	free(s->row);
	buf_free(&s->bytes);
	memset(s, 0, sizeof(*s));
}
