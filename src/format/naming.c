#include "naming.h"

#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

struct moment moment_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (struct moment){tv.tv_sec, (int)(tv.tv_usec / 1000)};
}

void moment_iso(struct moment m, char out[MOMENT_ISO_LEN])
{
	struct tm tm;
	gmtime_r(&m.sec, &tm);
	snprintf(out, MOMENT_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, m.ms);
}

void moment_dms(struct moment m, char out[MOMENT_ISO_LEN])
{
	struct tm tm;
	gmtime_r(&m.sec, &tm);
	snprintf(out, MOMENT_ISO_LEN, "%04d-%02d-%02d %02d:%02d:%02d.%03d000", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, m.ms);
}

int moment_parse(const char *s, struct moment *out)
{
	struct tm tm = {0};
	int ms = 0;
	const char *rest = strptime(s, "%Y-%m-%d", &tm);
	if (!rest)
		return -1;
	if (*rest == 'T' || *rest == ' ') {
		rest = strptime(rest + 1, "%H:%M:%S", &tm);
		if (!rest)
			return -1;
		if (*rest == '.') {
			int digits = 0;
			for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
				if (digits < 3)
					ms = ms * 10 + (*rest - '0');
			for (; digits < 3; digits++)
				ms *= 10;
		}
	}
	if (*rest == 'Z')
		rest++;
	if (*rest)
		return -1;
	/* strptime takes February 30th and second 60; timegm would quietly
	 * make them March 2nd and the next minute. Only real times pass. */
	struct tm want = tm, back;
	time_t sec = timegm(&tm);
	if (!gmtime_r(&sec, &back) || back.tm_year != want.tm_year || back.tm_mon != want.tm_mon ||
	    back.tm_mday != want.tm_mday || back.tm_hour != want.tm_hour ||
	    back.tm_min != want.tm_min || back.tm_sec != want.tm_sec)
		return -1;
	out->sec = sec;
	out->ms = ms;
	return 0;
}

int moment_cmp(struct moment a, struct moment b)
{
	if (a.sec != b.sec)
		return a.sec < b.sec ? -1 : 1;
	return a.ms < b.ms ? -1 : a.ms > b.ms;
}

char *batch_id(const char *source, int64_t seq)
{
	return xasprintf("%s-%08lld", source, (long long)seq);
}

char *batch_key(const char *source, int64_t seq, struct moment created, enum compression c)
{
	struct tm tm;
	gmtime_r(&created.sec, &tm);
	return xasprintf("%s/%04d/%02d/%02d/%s-%08lld-%04d%02d%02dT%02d%02d%02dZ%s", source,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, source, (long long)seq,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, compression_suffix(c));
}

int batch_key_parse(const char *key, const char *source, int64_t *seq, struct moment *created)
{
	size_t sl = strlen(source);
	/* source/YYYY/MM/DD/source-SEQ-STAMP.suffix */
	if (strncmp(key, source, sl) != 0 || key[sl] != '/')
		return -1;
	const char *base = strrchr(key, '/') + 1;
	if (base - key != (ptrdiff_t)(sl + 12) || strncmp(base, source, sl) != 0 || base[sl] != '-')
		return -1;
	const char *p = base + sl + 1;
	/* The seq is zero-padded to 8 digits and grows past them: a chain that
	 * reaches batch 100,000,000 must stay readable (18 digits fit int64). */
	long long n = 0;
	size_t digits = 0;
	for (; p[digits] >= '0' && p[digits] <= '9'; digits++)
		if (digits < 18)
			n = n * 10 + (p[digits] - '0');
	if (digits < 8 || digits > 18 || p[digits] != '-')
		return -1;
	p += digits + 1;
	char stamp[17];
	int used = 0;
	if (sscanf(p, "%16[0-9TZ]%n", stamp, &used) != 1 || strlen(stamp) != 16)
		return -1;
	const char *suffix = p + used;
	int comp = -1;
	for (int c = COMPRESS_ZSTD; c <= COMPRESS_NONE; c++)
		if (strcmp(suffix, compression_suffix((enum compression)c)) == 0)
			comp = c;
	if (comp < 0 || n < 1)
		return -1;
	struct tm tm = {0};
	if (!strptime(stamp, "%Y%m%dT%H%M%SZ", &tm))
		return -1;
	struct moment at = {timegm(&tm), 0};
	/* Only the exact key batch_key makes: sscanf and strptime also take
	 * "+0000007", " 0000007" and February 30th, and the folders must name
	 * the stamp's day (found by fuzz_naming). */
	char *canon = batch_key(source, n, at, (enum compression)comp);
	bool same = strcmp(canon, key) == 0;
	free(canon);
	if (!same)
		return -1;
	*seq = n;
	*created = at;
	return 0;
}

static const char *format_suffix(enum batch_format f)
{
	return f == FORMAT_CSV ? ".csv" : ".jsonl";
}

char *load_file_name(unsigned index, enum batch_format f)
{
	return xasprintf("LOAD%08X%s", index, format_suffix(f));
}

char *cdc_file_name(struct moment created, unsigned nth, enum batch_format f)
{
	struct tm tm;
	gmtime_r(&created.sec, &tm);
	char extra[16] = "";
	if (nth > 1)
		snprintf(extra, sizeof(extra), "-%u", nth);
	return xasprintf("%04d%02d%02d-%02d%02d%02d%03d%s%s", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, created.ms, extra,
			 format_suffix(f));
}

char *table_dir_name(const char *table)
{
	struct buf b = BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)table; *p; p++) {
		bool escape = *p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\' || *p == '%' ||
			      (p == (const unsigned char *)table && *p == '.');
		if (escape)
			buf_addf(&b, "%%%02X", *p);
		else
			buf_addc(&b, (char)*p);
	}
	if (b.len == 0)
		buf_adds(&b, "%00");
	return buf_detach(&b);
}
