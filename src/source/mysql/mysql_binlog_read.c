/* Binlog capture's reader ([capture] mode = binlog): the server's binary
 * log from a position, on a connection of its own (the dump takes it
 * over), through Connector/C's replication API for the stream and the
 * event framing, and mysql_rows.c for the row images. Changes go to the
 * caller transaction by transaction; the position after the last commit
 * read is what the batch ends at. */
#include "mysql_driver.h"

#include "codec.h"
#include "err.h"
#include "log.h"
#include "mysql_binlog_stmt.h"
#include "mysql_rows.h"
#include "naming.h"

#include <ctype.h>
#include <mariadb_rpl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* MySQL's TRANSACTION_PAYLOAD_EVENT: a transaction's events, compressed. */
#define MYSQL_TRANSACTION_PAYLOAD_EVENT 40

/* A TABLE_MAP seen in the stream: which captured table (or -1) its id is. */
struct tmap {
	uint64_t id;
	long table;
	struct rows_map map;
};

/* One read. Owns db, rpl, maps, kinds, file, the images and scratch. */
struct reader {
	struct source *src;
	MYSQL *db;
	MARIADB_RPL *rpl;
	struct table_def *const *defs;
	size_t ndefs;
	enum coltype_kind **kinds; /* per def */
	const char **skip;	   /* per def: its events before this position are not read */
	struct tmap *maps;
	size_t nmaps;
	char *file;   /* the log file being read */
	uint64_t pos; /* where the next event starts */
	char *end;    /* after the last commit read */
	char *gtid;   /* the GTID state there (NULL: unknown) */
	struct {      /* the GTID of the transaction being read */
		bool have;
		uint32_t domain, server;
		uint64_t seq;
	} next;
	struct strv replaced; /* see log_pos.replaced */
	bool in_txn;
	bool done;
	char ts[MOMENT_ISO_LEN]; /* the transaction's commit time */
	int64_t max, passed;
	change_fn fn;
	void *ctx;
	struct value *before, *after;
	struct buf *sb, *sa;
	size_t width;
};

static int stream_fail(struct reader *r, const char *what)
{
	char *msg = r->rpl && r->rpl->error_no ? name_shown(r->rpl->error_msg)
					       : mysql_error_shown(r->db);
	int rc = err_set(CDC_ERUNTIME, "%s: binlog %s:%llu: %s: %s", r->src->where,
			 r->file ? r->file : "?", (unsigned long long)r->pos, what, msg);
	free(msg);
	return rc;
}

static int stop_at(struct reader *r, const char *why)
{
	return err_set(CDC_ERUNTIME,
		       "binlog %s:%llu: %s; binlog mode does not follow this yet: run 'cdcpack "
		       "load' to ship the tables afresh and capture from there",
		       r->file, (unsigned long long)r->pos, why);
}

/* The stream starts at from ("FILE:OFFSET"). */
static int open_stream(struct reader *r, const char *from)
{
	uint64_t offset;
	int rc = mysql_binlog_parse_pos(from, &r->file, &offset);
	if (rc)
		return rc;
	r->pos = offset;
	rc = mysql_connect_again(r->src, &r->db);
	/* The dump sends events with the server's checksums, which the client
	 * checks; MariaDB sends its GTID and annotate events at capability 4. */
	if (!rc && mysql_query(r->db, "SET @master_binlog_checksum = @@global.binlog_checksum, "
				      "@mariadb_slave_capability = 4"))
		rc = stream_fail(r, "prepare the binlog dump");
	if (!rc && !(r->rpl = mariadb_rpl_init(r->db)))
		rc = stream_fail(r, "start the binlog dump");
	if (rc)
		return rc;
	/* A replica's server id of its own: MariaDB ends an older dump of the
	 * same id. Taken from the process id, so two cdcpack runs differ. */
	unsigned int server_id = 0x40000000u | ((unsigned int)getpid() & 0xffffffu);
	mariadb_rpl_optionsv(r->rpl, MARIADB_RPL_FILENAME, r->file, strlen(r->file));
	mariadb_rpl_optionsv(r->rpl, MARIADB_RPL_START, (unsigned long)offset);
	mariadb_rpl_optionsv(r->rpl, MARIADB_RPL_SERVER_ID, server_id);
	mariadb_rpl_optionsv(r->rpl, MARIADB_RPL_FLAGS, MARIADB_RPL_BINLOG_DUMP_NON_BLOCK);
	mariadb_rpl_optionsv(r->rpl, MARIADB_RPL_VERIFY_CHECKSUM, 1);
	if (mariadb_rpl_open(r->rpl))
		return stream_fail(r, "open the binlog dump");
	return 0;
}

/* Whether table's events here are carried by a load at a later position. */
static bool skipped(const struct reader *r, long table)
{
	const char *until = r->skip[table];
	return until && mysql_binlog_pos_cmp(r->file, r->pos, until) < 0;
}

static struct tmap *find_map(struct reader *r, uint64_t id)
{
	for (size_t i = 0; i < r->nmaps; i++)
		if (r->maps[i].id == id)
			return &r->maps[i];
	return NULL;
}

/* The URL's database may be spelled in another letter case than the
 * server's where the server folds names (lower_case_table_names 1 or 2). */
static long captured(struct reader *r, const MARIADB_STRING *db, const MARIADB_STRING *table)
{
	if (!binlog_name_is(db->str, db->length, r->src->url.db, r->src->lower_case_names))
		return -1;
	for (size_t i = 0; i < r->ndefs; i++)
		if (strlen(r->defs[i]->name) == table->length &&
		    memcmp(r->defs[i]->name, table->str, table->length) == 0)
			return (long)i;
	return -1;
}

/* The next column name of a table map's COLUMN_NAME field (length-encoded
 * strings, one per column; names are at most 64 characters, so one length
 * byte below 251): 0, or -1 when the field is malformed. */
static int next_name(const uint8_t **p, const uint8_t *end, const uint8_t **name, size_t *n)
{
	if (*p >= end || **p >= 251 || (size_t)(end - *p - 1) < **p)
		return -1;
	*n = **p;
	*name = *p + 1;
	*p += 1 + *n;
	return 0;
}

/* With binlog_row_metadata = FULL the table map names the columns as they
 * were when the rows were logged. Rows are mapped by position against the
 * table as described at the run's start, so an ALTER the description did
 * not see that kept the count (a rename, a swap of two same-typed columns)
 * would map values to the wrong names: stop instead. Connector/C 3.3
 * finds the field (column_names) but does not split it. */
static int check_names(struct reader *r, const struct table_def *def,
		       const MARIADB_CONST_DATA *names)
{
	if (!names->data || !names->length)
		return 0; /* binlog_row_metadata is MINIMAL or NO_LOG */
	const uint8_t *p = names->data, *end = p + names->length;
	for (size_t i = 0; i < def->ncols; i++) {
		const uint8_t *name;
		size_t n;
		if (next_name(&p, end, &name, &n) != 0)
			return err_set(CDC_ERUNTIME,
				       "binlog %s:%llu: table %s: the table map's column names "
				       "are malformed",
				       r->file, (unsigned long long)r->pos,
				       NAME_SHOWN_SHORT(def->name));
		if (strlen(def->cols[i].name) == n && memcmp(def->cols[i].name, name, n) == 0)
			continue;
		char *logged = xstrndup((const char *)name, n);
		char *word = name_for_shell(def->name);
		int rc = err_set(CDC_ERUNTIME,
				 "binlog %s:%llu: table %s: column %zu is %s in the log and %s "
				 "now: an ALTER TABLE renamed or reordered its columns after this "
				 "run described them, and its rows there cannot be mapped to "
				 "today's columns; run `cdcpack load %s`%s to ship the table "
				 "afresh and capture it from there",
				 r->file, (unsigned long long)r->pos, NAME_SHOWN_SHORT(def->name),
				 i + 1, NAME_SHOWN_SHORT(logged),
				 NAME_SHOWN_SHORT(def->cols[i].name), word,
				 name_shell_note(def->name));
		free(word);
		free(logged);
		return rc;
	}
	return 0;
}

static int on_table_map(struct reader *r, const MARIADB_RPL_EVENT *ev)
{
	const struct st_mariadb_rpl_table_map_event *tm = &ev->event.table_map;
	struct tmap *m = find_map(r, tm->table_id);
	if (!m) {
		r->maps = xrealloc(r->maps, (r->nmaps + 1) * sizeof(*r->maps));
		m = &r->maps[r->nmaps++];
		memset(m, 0, sizeof(*m));
	}
	rows_map_free(&m->map);
	m->id = tm->table_id;
	m->table = captured(r, &tm->database, &tm->table);
	if (m->table >= 0 && skipped(r, m->table))
		m->table = -1;
	if (m->table < 0)
		return 0;
	const struct table_def *def = r->defs[m->table];
	if (tm->column_count != def->ncols) {
		m->table = -1;
		char *word = name_for_shell(def->name);
		int rc = err_set(CDC_ERUNTIME,
				 "binlog %s:%llu: table %s has %u columns in the log and %zu now: "
				 "an ALTER TABLE changed it after this run compared its columns; "
				 "the next run ships it as a load (if the columns are back as they "
				 "were, run `cdcpack load %s`%s)",
				 r->file, (unsigned long long)r->pos, NAME_SHOWN_SHORT(def->name),
				 tm->column_count, def->ncols, word, name_shell_note(def->name));
		free(word);
		return rc;
	}
	int rc = check_names(r, def, &tm->column_names);
	if (rc) {
		m->table = -1;
		return rc;
	}
	return rows_map_parse(&m->map, (const uint8_t *)tm->column_types.str,
			      tm->column_types.length, (const uint8_t *)tm->metadata.str,
			      tm->metadata.length);
}

static bool same_key(const struct table_def *def, const struct value *a, const struct value *b)
{
	for (size_t i = 0; i < def->ncols; i++)
		if (def->cols[i].key && !value_same(&a[i], &b[i]))
			return false;
	return true;
}

static int pass_rows(struct reader *r, const struct tmap *m, const MARIADB_RPL_EVENT *ev)
{
	const struct st_mariadb_rpl_rows_event *re = &ev->event.rows;
	const struct table_def *def = r->defs[m->table];
	struct rows_layout l = {&m->map, r->kinds[m->table], def};
	const uint8_t *p = re->row_data, *end = p + re->row_data_size;
	char op = re->type == WRITE_ROWS ? 'I' : re->type == UPDATE_ROWS ? 'U' : 'D';
	int rc = 0;
	while (p < end && !rc) {
		struct change c = {.seq = -1, .ts = r->ts, .op = op, .def = def};
		if (op != 'I') {
			rc = rows_decode(&l, re->column_bitmap, &p, end, r->before, r->sb);
			c.before = r->before;
		}
		if (!rc && op != 'D') {
			const uint8_t *present =
				op == 'U' ? re->column_update_bitmap : re->column_bitmap;
			rc = rows_decode(&l, present, &p, end, r->after, r->sa);
			c.after = r->after;
		}
		if (!rc && op == 'U' && !same_key(def, r->before, r->after)) {
			/* A key change ships as D and I, as the triggers log it. */
			struct change d = c, i = c;
			d.op = 'D';
			d.after = NULL;
			i.op = 'I';
			i.before = NULL;
			rc = r->fn(r->ctx, &d);
			if (!rc)
				rc = r->fn(r->ctx, &i);
		} else if (!rc) {
			rc = r->fn(r->ctx, &c);
		}
		r->passed++;
	}
	return rc;
}

static int on_rows(struct reader *r, const MARIADB_RPL_EVENT *ev)
{
	const struct tmap *m = find_map(r, ev->event.rows.table_id);
	if (!m || m->table < 0)
		return 0;
	if (ev->event.rows.compressed)
		return stop_at(r, "a compressed row event (binlog_row_compression)");
	return pass_rows(r, m, ev);
}

static void commit(struct reader *r, const MARIADB_RPL_EVENT *ev)
{
	r->in_txn = false;
	free(r->end);
	r->end = xasprintf("%s:%u", r->file, ev->next_event_pos);
	if (r->next.have && r->gtid) {
		char *g = mysql_gtid_advance(r->gtid, r->next.domain, r->next.server, r->next.seq);
		free(r->gtid);
		r->gtid = g;
	}
	r->next.have = false;
	r->done = r->passed >= r->max;
}

/* Whether the statement names table as a word (any letter case). */
static bool names_table(const char *sql, size_t n, const char *table)
{
	size_t t = strlen(table);
	for (size_t i = 0; i + t <= n; i++) {
		if (strncasecmp(sql + i, table, t) != 0)
			continue;
		bool before = i == 0 || !(isalnum((unsigned char)sql[i - 1]) || sql[i - 1] == '_');
		bool after =
			i + t == n || !(isalnum((unsigned char)sql[i + t]) || sql[i + t] == '_');
		if (before && after)
			return true;
	}
	return false;
}

/* Whether a statement may name a table of the source's database: run in
 * it (its default database), or naming it. One run in another database
 * that does not name ours concerns a table there, even one of a captured
 * table's name (FINDINGS.md F20: other databases' DDL ended our batches).
 * A database name with quote characters or bytes outside ASCII may be
 * spelled otherwise in the statement (escaped, another character set), so
 * every statement may name it. */
static bool may_name_ours(const struct reader *r, const MARIADB_RPL_EVENT *ev)
{
	const char *db = r->src->url.db;
	const MARIADB_STRING *dflt = &ev->event.query.database;
	const MARIADB_STRING *q = &ev->event.query.statement;
	/* Any letter case: under lower_case_table_names the server may log
	 * the name otherwise spelled than the URL's. */
	if (dflt->length == strlen(db) && strncasecmp(dflt->str, db, dflt->length) == 0)
		return true;
	for (const char *c = db; *c; c++)
		if ((unsigned char)*c >= 0x80 || strchr("`\"\\'", *c))
			return true;
	return names_table(q->str, q->length, db);
}

/* The captured table a followed statement names as db (NULL: the
 * statement's default database) and table, or -1. */
static long stmt_table(struct reader *r, const MARIADB_RPL_EVENT *ev, const char *db,
		       const char *table)
{
	const MARIADB_STRING *dflt = &ev->event.query.database;
	long fold = r->src->lower_case_names;
	/* A statement spells the names as its author typed them: under
	 * lower_case_table_names 1 or 2, in any letter case. */
	bool ours = db ? binlog_name_is(db, strlen(db), r->src->url.db, fold)
		       : binlog_name_is(dflt->str, dflt->length, r->src->url.db, fold);
	for (size_t i = 0; ours && i < r->ndefs; i++)
		if (binlog_name_is(table, strlen(table), r->defs[i]->name, fold))
			return (long)i;
	return -1;
}

/* A statement binlog mode follows: a TRUNCATE of a captured table ships
 * as a T change (the replica empties the table there, in change order). */
static int on_statement(struct reader *r, const MARIADB_RPL_EVENT *ev, const struct binlog_stmt *st)
{
	long t = stmt_table(r, ev, st->db, st->table);
	if (t >= 0 && skipped(r, t))
		t = -1;
	int rc = 0;
	if (t >= 0) {
		struct change c = {.seq = -1, .ts = r->ts, .op = 'T', .def = r->defs[t]};
		rc = r->fn(r->ctx, &c);
		r->passed++;
	}
	if (!rc && !r->in_txn)
		commit(r, ev);
	return rc;
}

/* Any other statement naming a captured table (DDL: ALTER, CREATE INDEX,
 * RENAME, DROP...; or one of a table of the same name elsewhere that
 * may_name_ours cannot rule out: the text is matched, not parsed) is a
 * boundary: the batch ends before it, so no row logged after it is read
 * with the columns described before it. The next read starts there,
 * after the drift check (a table whose columns changed ships as a load)
 * and a new description of the tables, made after the statement: so a
 * read that passed no change yet goes on past it (the table maps after
 * it are still checked against the description). */
static int on_ddl(struct reader *r, const MARIADB_RPL_EVENT *ev, const char *table)
{
	const MARIADB_STRING *q = &ev->event.query.statement;
	int n = q->length > 120 ? 120 : (int)q->length;
	if (r->passed) {
		log_info("binlog %s:%llu: batch ends before a statement on captured table %s: "
			 "'%.*s'",
			 r->file, (unsigned long long)r->pos, NAME_SHOWN_SHORT(table), n, q->str);
		r->done = true;
		return 0;
	}
	log_info("binlog %s:%llu: statement on captured table %s passed (the tables were "
		 "described after it): '%.*s'",
		 r->file, (unsigned long long)r->pos, NAME_SHOWN_SHORT(table), n, q->str);
	commit(r, ev);
	return 0;
}

/* A statement that gives names to other tables (DROP, RENAME, CREATE
 * TABLE; several in one: DROP TABLE a, b; RENAME TABLE a TO t, b TO a,
 * t TO b). If it lists captured tables, it ends the batch before it, like
 * other DDL; met first, it is passed, the read ends right after it, and
 * each captured table it lists is named (log_pos.replaced): the
 * description, made after it, may match the new table while the chain
 * shipped the old one (a swap of two tables of the same columns), so
 * those tables ship as loads before any of their rows logged after it. */
static int on_replaces(struct reader *r, const MARIADB_RPL_EVENT *ev, const struct binlog_stmt *st)
{
	struct strv ours = {0};
	for (size_t i = 0; i < st->tables.n; i++) {
		const char *db = st->dbs.v[i];
		long t = stmt_table(r, ev, *db ? db : NULL, st->tables.v[i]);
		if (t >= 0 && !skipped(r, t) && !strv_contains(&ours, r->defs[t]->name))
			strv_push(&ours, r->defs[t]->name);
	}
	if (ours.n) {
		bool first = !r->passed;
		on_ddl(r, ev, ours.v[0]);
		for (size_t i = 0; first && i < ours.n; i++)
			strv_push(&r->replaced, ours.v[i]);
		r->done = true;
	} else if (!r->in_txn) {
		commit(r, ev); /* other databases' tables, or ones not captured */
	}
	strv_free(&ours);
	return 0;
}

static int on_query(struct reader *r, const MARIADB_RPL_EVENT *ev)
{
	const MARIADB_STRING *q = &ev->event.query.statement;
	if (q->length == 5 && strncasecmp(q->str, "BEGIN", 5) == 0) {
		r->in_txn = true;
		return 0;
	}
	if ((q->length == 6 && strncasecmp(q->str, "COMMIT", 6) == 0) ||
	    (q->length == 8 && strncasecmp(q->str, "ROLLBACK", 8) == 0)) {
		commit(r, ev);
		return 0;
	}
	struct binlog_stmt st;
	binlog_stmt_parse(q->str, q->length, mysql_get_server_version(r->db), &st);
	int rc = st.kind == BINLOG_STMT_TRUNCATE   ? on_statement(r, ev, &st)
		 : st.kind == BINLOG_STMT_REPLACES ? on_replaces(r, ev, &st)
						   : 1;
	binlog_stmt_free(&st);
	if (rc <= 0)
		return rc;
	bool ours = may_name_ours(r, ev);
	for (size_t i = 0; ours && i < r->ndefs; i++)
		if (!skipped(r, (long)i) && names_table(q->str, q->length, r->defs[i]->name))
			return on_ddl(r, ev, r->defs[i]->name);
	if (!r->in_txn)
		commit(r, ev);
	return 0;
}

/* CRC-32 (the binlog's, zlib's polynomial) of p[0..n). */
static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & -(c & 1u));
	}
	return ~c;
}

/* The next file. Connector/C 3.3 splits a rotate event right only before
 * the dump's format description: the later ones (a file's end, and the
 * server's own after it) come out 8 bytes off (a name "0", a position
 * made of the name's bytes), so it is read from the raw event: the
 * 19-byte header, the 8-byte position, the name, and a CRC32 when the
 * event's last 4 bytes are its checksum (each file has its own
 * binlog_checksum, so the event says, not the server's setting now). */
static int on_rotate(struct reader *r, const MARIADB_RPL_EVENT *ev)
{
	const uint8_t *e = ev->raw_data + ev->raw_data_ofs;
	size_t n = ev->event_length, head = 19 + 8;
	if (ev->raw_data_ofs > ev->raw_data_size || n > ev->raw_data_size - ev->raw_data_ofs ||
	    n <= head)
		return stop_at(r, "a rotate event too short to name the next file");
	size_t crc = 0;
	if (n > head + 4) {
		const uint8_t *t = e + n - 4;
		uint32_t stored = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
				  (uint32_t)t[3] << 24;
		crc = crc32_of(e, n - 4) == stored ? 4 : 0;
	}
	uint64_t pos = 0;
	for (int i = 7; i >= 0; i--)
		pos = pos << 8 | e[19 + i];
	free(r->file);
	r->file = xstrndup((const char *)e + head, n - head - crc);
	r->pos = pos;
	return 0;
}

static int on_event(struct reader *r, const MARIADB_RPL_EVENT *ev)
{
	int rc = 0;
	switch (ev->event_type) {
	case ROTATE_EVENT:
		return on_rotate(r, ev);
	case GTID_EVENT:
		/* Written at commit: its time is the transaction's commit time. */
		moment_iso((struct moment){.sec = ev->timestamp, .ms = 0}, r->ts);
		r->next.have = true;
		r->next.domain = ev->event.gtid.domain_id;
		r->next.server = ev->server_id;
		r->next.seq = ev->event.gtid.sequence_nr;
		r->in_txn = !(ev->event.gtid.flags & FL_STANDALONE);
		break;
	case QUERY_EVENT:
		rc = on_query(r, ev);
		break;
	case TABLE_MAP_EVENT:
		rc = on_table_map(r, ev);
		break;
	case WRITE_ROWS_EVENT_V1:
	case UPDATE_ROWS_EVENT_V1:
	case DELETE_ROWS_EVENT_V1:
	case WRITE_ROWS_EVENT:
	case UPDATE_ROWS_EVENT:
	case DELETE_ROWS_EVENT:
		rc = on_rows(r, ev);
		break;
	case XID_EVENT:
		commit(r, ev);
		break;
	case QUERY_COMPRESSED_EVENT:
	case WRITE_ROWS_COMPRESSED_EVENT_V1:
	case UPDATE_ROWS_COMPRESSED_EVENT_V1:
	case DELETE_ROWS_COMPRESSED_EVENT_V1:
	case WRITE_ROWS_COMPRESSED_EVENT:
	case UPDATE_ROWS_COMPRESSED_EVENT:
	case DELETE_ROWS_COMPRESSED_EVENT:
		rc = stop_at(r, "a compressed event (log_bin_compress is on)");
		break;
	case PARTIAL_UPDATE_ROWS_EVENT: /* MySQL 8: binlog_row_value_options */
		rc = stop_at(r, "a partial JSON update (binlog_row_value_options = PARTIAL_JSON)");
		break;
	case MYSQL_TRANSACTION_PAYLOAD_EVENT: /* MySQL 8.0.20+, not in Connector/C 3.3's enum */
		rc = stop_at(r,
			     "a compressed transaction payload (binlog_transaction_compression)");
		break;
	default:
		break;
	}
	if (ev->next_event_pos)
		r->pos = ev->next_event_pos;
	return rc;
}

static int read_events(struct reader *r)
{
	int rc = 0;
	MARIADB_RPL_EVENT *ev;
	while (!rc && !r->done && (ev = mariadb_rpl_fetch(r->rpl, NULL))) {
		rc = on_event(r, ev);
		mariadb_free_rpl_event(ev);
	}
	if (!rc && !r->done && (mysql_errno(r->db) || r->rpl->error_no))
		rc = stream_fail(r, "read the binlog");
	if (!rc && r->in_txn && !r->done)
		rc = stop_at(r, "the log ends inside a transaction");
	return rc;
}

static void reader_setup(struct reader *r)
{
	r->kinds = xcalloc(r->ndefs ? r->ndefs : 1, sizeof(*r->kinds));
	r->skip = xcalloc(r->ndefs ? r->ndefs : 1, sizeof(*r->skip));
	for (size_t i = 0; i < r->ndefs; i++) {
		const struct table_def *def = r->defs[i];
		r->kinds[i] = xcalloc(def->ncols ? def->ncols : 1, sizeof(*r->kinds[i]));
		for (size_t j = 0; j < def->ncols; j++)
			r->kinds[i][j] = coltype_kind_of(def->cols[j].type);
		r->width = def->ncols > r->width ? def->ncols : r->width;
	}
	size_t w = r->width ? r->width : 1;
	r->before = xcalloc(w, sizeof(*r->before));
	r->after = xcalloc(w, sizeof(*r->after));
	r->sb = xcalloc(w, sizeof(*r->sb));
	r->sa = xcalloc(w, sizeof(*r->sa));
}

static void reader_free(struct reader *r)
{
	if (r->rpl)
		mariadb_rpl_close(r->rpl);
	if (r->db)
		mysql_close(r->db);
	for (size_t i = 0; i < r->nmaps; i++)
		rows_map_free(&r->maps[i].map);
	free(r->maps);
	for (size_t i = 0; i < r->ndefs && r->kinds; i++)
		free(r->kinds[i]);
	free(r->kinds);
	free(r->skip);
	for (size_t i = 0; i < r->width; i++) {
		buf_free(&r->sb[i]);
		buf_free(&r->sa[i]);
	}
	free(r->sb);
	free(r->sa);
	free(r->before);
	free(r->after);
	free(r->file);
	free(r->end);
	free(r->gtid);
	strv_free(&r->replaced);
}

/* The skips end still needs: those of positions the read did not reach. */
static void keep_skips(const struct log_pos *from, struct log_pos *end)
{
	char *file = NULL;
	uint64_t offset = 0;
	if (mysql_binlog_parse_pos(end->pos, &file, &offset) != 0) {
		err_clear();
		return;
	}
	for (size_t i = 0; i < from->skip_tables.n; i++) {
		if (mysql_binlog_pos_cmp(file, offset, from->skip_until.v[i]) >= 0)
			continue;
		strv_push(&end->skip_tables, from->skip_tables.v[i]);
		strv_push(&end->skip_until, from->skip_until.v[i]);
	}
	free(file);
}

/* The GTID state at from: as recorded, else (a position recorded before
 * cdcpack kept them) as MariaDB tells it. */
static int start_gtid(struct reader *r, const struct log_pos *from)
{
	if (from->gtid) {
		r->gtid = xstrdup(from->gtid);
		return 0;
	}
	return r->src->mariadb ? mysql_binlog_gtid_at(r->src, from->pos, &r->gtid) : 0;
}

/* The server's lower_case_table_names, once per connection. */
static int lower_case_names(struct source *src)
{
	if (src->lower_case_names >= 0)
		return 0;
	return mysql_select_int(src, "SELECT @@lower_case_table_names",
				"read lower_case_table_names", &src->lower_case_names);
}

int mysql_binlog_read(struct source *src, const struct log_pos *from, struct table_def *const *defs,
		      size_t ndefs, int64_t max, change_fn fn, void *ctx, struct log_pos *end)
{
	struct reader r = {
		.src = src, .defs = defs, .ndefs = ndefs, .max = max, .fn = fn, .ctx = ctx};
	memset(end, 0, sizeof(*end));
	reader_setup(&r);
	for (size_t i = 0; i < from->skip_tables.n; i++)
		for (size_t j = 0; j < ndefs; j++)
			if (strcmp(defs[j]->name, from->skip_tables.v[i]) == 0)
				r.skip[j] = from->skip_until.v[i];
	/* A purged file is reported as such, never read past. At the log's
	 * end there is nothing to read: no dump connection (what a run that
	 * finds nothing new costs the server, issue 14). */
	bool at_end = false;
	int rc = lower_case_names(src);
	if (!rc)
		rc = mysql_binlog_present(src, from->pos, &at_end);
	if (!rc)
		rc = start_gtid(&r, from);
	if (!rc && !at_end)
		rc = open_stream(&r, from->pos);
	if (!rc && !at_end)
		rc = read_events(&r);
	if (!rc) {
		end->pos = r.end ? r.end : xstrdup(from->pos);
		end->gtid = r.gtid;
		end->replaced = r.replaced;
		r.end = r.gtid = NULL;
		memset(&r.replaced, 0, sizeof(r.replaced));
		keep_skips(from, end);
		log_debug("binlog read from=%s to=%s gtid=%s changes=%lld%s", from->pos, end->pos,
			  end->gtid ? end->gtid : "-", (long long)r.passed,
			  at_end ? " (at the log's end: no dump)" : "");
	}
	reader_free(&r);
	return rc;
}

int mysql_binlog_next_time(struct source *src, const char *from, int64_t *when)
{
	struct reader r = {.src = src};
	*when = 0;
	reader_setup(&r);
	int rc = open_stream(&r, from);
	MARIADB_RPL_EVENT *ev;
	/* A transaction starts with its GTID event, whose time is its commit's. */
	while (!rc && !*when && (ev = mariadb_rpl_fetch(r.rpl, NULL))) {
		if (ev->event_type == GTID_EVENT)
			*when = ev->timestamp;
		mariadb_free_rpl_event(ev);
	}
	if (!rc && !*when && (mysql_errno(r.db) || r.rpl->error_no))
		rc = stream_fail(&r, "read the binlog");
	reader_free(&r);
	return rc;
}
