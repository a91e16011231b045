/* The run's state machine (docs/design.md §4: capture, stage, upload,
 * publish, acknowledge, and the recovery of each) in process, over a real
 * SQLite source in trigger mode, a real state dir and the in-memory target
 * (mem_target.h), table-driven (docs/architecture.md, "Testing the run in
 * process"):
 *
 * - a SIGKILL at every fault point fault.c knows, armed at the load or at a
 *   run (one or two runs in a row killed there, each in a fork()ed child),
 *   then the rest run in process;
 * - the same, with the temp objects deleted or replaced before the rerun;
 * - every target operation answered, at each of its calls, in each way a
 *   store may answer (enum mem_answer), then the rest run without faults.
 *
 * Either way the end must be the same: every change published exactly once
 * in a contiguous, linked chain, the temp prefix empty, the changelog
 * acknowledged, no published key ever rewritten. A run that fails must fail
 * with exit 3, and the next one (after a person moves away an object that
 * is not cdcpack's from a final key, as the message asks) must finish the
 * job. The end-to-end tests (tests/integration, file: and S3) stay. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "archive.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "fault.h"
#include "fsutil.h"
#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "mem_target.h"
#include "naming.h"
#include "pipeline.h"
#include "s3.h"
#include "source.h"
#include "state.h"

#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the scenario: a load, then two runs over changes of every kind ---- */

enum step_kind { STEP_EDIT, STEP_LOAD, STEP_RUN };

struct step {
	enum step_kind kind;
	const char *sql; /* STEP_EDIT */
};

static const char setup_sql[] = "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL);"
				"INSERT INTO t VALUES(1, 'a1'), (2, 'b2'), (3, 'c3');";
#define LOADED_ROWS 3

struct scenario {
	const struct step *steps;
	size_t nsteps;
	const char *const *changes; /* the changes its edits make, as op:v (D: the v deleted) */
	size_t nchanges;
};

/* max_rows 4: six changes make two batches. */
#define FIRST_EDIT                                                                                 \
	{                                                                                          \
		STEP_EDIT, "INSERT INTO t VALUES(4, 'i4'); INSERT INTO t VALUES(5, 'i5');"         \
			   "UPDATE t SET v = 'u1' WHERE id = 1; DELETE FROM t WHERE id = 2;"       \
			   "INSERT INTO t VALUES(6, 'i6'); UPDATE t SET v = 'u5' WHERE id = 5;"    \
	}
#define SECOND_EDIT                                                                                \
	{                                                                                          \
		STEP_EDIT, "UPDATE t SET v = 'u3' WHERE id = 3; DELETE FROM t WHERE id = 4;"       \
			   "INSERT INTO t VALUES(7, 'i7');"                                        \
	}

static const struct step long_steps[] = {
	{STEP_LOAD, NULL}, FIRST_EDIT, {STEP_RUN, NULL}, SECOND_EDIT, {STEP_RUN, NULL},
};
static const char *const long_changes[] = {"I:i4", "I:i5", "U:u1", "D:b2", "I:i6",
					   "U:u5", "U:u3", "D:i4", "I:i7"};
/* A load, then two runs (the first of two batches): where the crashes go. */
static const struct scenario long_scenario = {long_steps, NELEM(long_steps), long_changes,
					      NELEM(long_changes)};

static const struct step short_steps[] = {FIRST_EDIT, {STEP_RUN, NULL}};
/* One run of two batches: where the store's answers go (each call of a
 * batch's step is answered in every way; a second run would repeat them). */
static const struct scenario short_scenario = {short_steps, NELEM(short_steps), long_changes, 6};

/* Fault points no run or load reaches here: they belong to other commands,
 * or (mid-lake, after-lake) to the lake step, off in these scenarios and
 * crashed at by the crash matrix (tests/lib/crash.sh), or (mid-stream) to
 * an upload begun while compressing, which this store does not offer
 * (tests/integration/s3_stream_*.sh crash there). A new point a run
 * does not reach fails the crash test until it is named here. */
static const char *const off_the_run[] = {"mid-diff", "apply-before-commit", "mid-lake",
					  "after-lake", "mid-stream"};

/* ---- one test's world: a temp dir with the source and the state dir ---- */

struct world {
	const struct scenario *sc;
	char *template_db; /* the source as set up, triggers installed: copied for each test */
	char *dir;
	char *db;
	struct config cfg;
	struct mem_store *store; /* shared with forked children */
	int *progress;		 /* shared: the step a child is in, -1 when done */
	json_t *log;		 /* what happened, printed when a check fails */
};

static const char *scratch_root(void)
{
	/* tmpfs when there is one: the state's fsyncs cost nothing there. */
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm"
					     : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
}

static void exec_sql(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(h);
}

static int64_t count_rows(const char *db, const char *table)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	char *sql = xasprintf("SELECT count(*) FROM %s", table);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	free(sql);
	return n;
}

static void install_triggers(const char *db, const char *changelog)
{
	const struct source_ops *ops;
	struct source *src;
	struct table_def *def = NULL;
	char *url = xasprintf("sqlite:%s", db);
	struct source_options opt = {.changelog = changelog};
	int rc = source_open(&ops, &src, url, &opt);
	if (!rc)
		rc = ops->read->describe(src, "t", &def);
	if (!rc)
		rc = ops->changelog->triggers_install(src, def);
	if (rc)
		fail_msg("triggers install: %s", err_msg());
	table_def_free(def);
	ops->close(src);
	free(url);
}

/* A new dir, source, state dir and config for sc; the store emptied. */
static void world_begin(struct world *w, const struct scenario *sc)
{
	w->sc = sc;
	w->dir = xasprintf("%s/cdcpack-machine-XXXXXX", scratch_root());
	assert_non_null(mkdtemp(w->dir));
	w->db = xasprintf("%s/shop.db", w->dir);
	char *conf = xasprintf("[source]\nurl = sqlite:%s\n"
			       "[batch]\nformat = jsonl\nmax_rows = 4\n"
			       "[state]\ndir = %s/state\n"
			       "[target]\nurl = file:%s/unused\n",
			       w->db, w->dir, w->dir);
	config_defaults(&w->cfg);
	if (config_parse(&w->cfg, "machine.conf", conf, strlen(conf)) != 0)
		fail_msg("config: %s", err_msg());
	free(conf);
	if (fs_copy(w->template_db, w->db, 0600, NULL, NULL) != 0)
		fail_msg("%s", err_msg());
	mem_store_reset(w->store);
	mem_store_guard(w->store, w->cfg.final_prefix);
	*w->progress = 0;
	w->log = json_array();
}

static void world_end(struct world *w)
{
	fs_remove_tree(w->dir);
	free(w->dir);
	free(w->db);
	config_free(&w->cfg);
	json_decref(w->log);
}

static void note(struct world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct world *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_array_append_new(w->log, json_string(line));
}

/* Fails the test with what happened so far. */
static void failed(struct world *w, const char *what)
{
	char *log = json_dumps(w->log, JSON_INDENT(2));
	fail_msg("%s\nwhat happened: %s", what, log);
	free(log);
}

static int run_step(struct world *w, const struct step *s)
{
	if (s->kind == STEP_EDIT) {
		exec_sql(w->db, s->sql);
		return 0;
	}
	struct pipeline p;
	struct run_result res = {0};
	const struct strv all = {0};
	int rc = pipeline_open_on(&p, &w->cfg, &mem_target_ops, mem_target_new(w->store));
	if (!rc)
		rc = s->kind == STEP_LOAD ? pipeline_load(&p, &all, &res)
					  : pipeline_run(&p, 0, &res);
	if (p.st)
		pipeline_close(&p);
	run_result_free(&res);
	return rc;
}

/* ---- the end every test must reach ---- */

struct published_view {
	struct world *w;
	int64_t *seqs; /* batch seqs, as found */
	size_t n;
	struct strv tokens;  /* op:v of every change shipped */
	struct strv changes; /* their changelog seqs, as text */
	struct buf problems;
};

static void problem(struct published_view *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void problem(struct published_view *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	buf_addf(&v->problems, "%s\n", line);
}

static bool intact_foreign(const unsigned char *data, int64_t size)
{
	for (int64_t i = 0; i < size; i++)
		if (data[i] != 'F')
			return false;
	return true;
}

static void read_changes(struct published_view *v, const char *path, const char *batch)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	while (f && fgets(line, sizeof(line), f)) {
		json_t *c = json_loads(line, 0, NULL);
		const char *op = json_string_value(json_object_get(c, "op"));
		json_t *image = json_object_get(c, op && *op == 'D' ? "before" : "after");
		const char *val = json_string_value(json_object_get(image, "v"));
		char token[64], seq[32];
		snprintf(token, sizeof(token), "%s:%s", op ? op : "?", val ? val : "?");
		snprintf(seq, sizeof(seq), "%lld",
			 (long long)json_integer_value(json_object_get(c, "seq")));
		if (strv_contains(&v->changes, seq))
			problem(v, "%s: changelog seq %s shipped a second time (%s)", batch, seq,
				token);
		strv_push(&v->tokens, token);
		strv_push(&v->changes, seq);
		json_decref(c);
	}
	if (f)
		fclose(f);
	else
		problem(v, "%s: cannot read %s", batch, path);
}

static int64_t count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int64_t n = 0;
	for (int ch; f && (ch = fgetc(f)) != EOF;)
		n += ch == '\n';
	if (f)
		fclose(f);
	return n;
}

static void check_batch(struct published_view *v, const char *key, int64_t seq, const char *archive)
{
	struct manifest m = {0};
	char *dir = xasprintf("%s.d", archive);
	char *previous = seq > 1 ? batch_id(v->w->cfg.source_name, seq - 1) : NULL;
	if (fs_mkdirs(dir, 0700) != 0 || archive_read_batch(archive, dir, &m) != 0) {
		problem(v, "%s: %s", key, err_msg());
	} else {
		if (m.seq != seq)
			problem(v, "%s: manifest says batch %lld", key, (long long)m.seq);
		if ((previous == NULL) != (m.previous == NULL) ||
		    (previous && strcmp(previous, m.previous) != 0))
			problem(v, "%s: previous is %s, want %s", key,
				m.previous ? m.previous : "null", previous ? previous : "null");
		for (size_t i = 0; i < m.nfiles; i++)
			if (strcmp(m.kind, "load") == 0 &&
			    count_lines(m.files[i].local) != LOADED_ROWS)
				problem(v, "%s: a load of %lld rows, want %d", key,
					(long long)count_lines(m.files[i].local), LOADED_ROWS);
			else if (strcmp(m.kind, "cdc") == 0)
				read_changes(v, m.files[i].local, key);
	}
	manifest_free(&m);
	fs_remove_tree(dir);
	free(dir);
	free(previous);
}

static void seen_final(void *ctx, const char *key, const unsigned char *data, int64_t size,
		       const char *xxh128, bool foreign)
{
	struct published_view *v = ctx;
	const struct config *cfg = &v->w->cfg;
	int64_t seq;
	struct moment created;
	if (foreign) { /* another writer's: never touched by cdcpack */
		if (!intact_foreign(data, size))
			problem(v, "%s: another writer's object was changed", key);
		return;
	}
	if (batch_key_parse(key + strlen(cfg->final_prefix), cfg->source_name, &seq, &created)) {
		problem(v, "%s: not a batch key", key);
		return;
	}
	char *path = xasprintf("%s/check.tar.zst", v->w->dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	char sum[HASH_HEX_LEN + 1];
	int64_t n;
	assert_int_equal(hash_file(path, sum, &n), 0);
	if (*xxh128 && strcmp(sum, xxh128) != 0)
		problem(v, "%s: holds bytes hashing to %s, stored with checksum %s", key, sum,
			xxh128);
	else
		check_batch(v, key, seq, path);
	unlink(path);
	free(path);
	v->seqs = xrealloc(v->seqs, (v->n + 1) * sizeof(*v->seqs));
	v->seqs[v->n++] = seq;
}

static void seen_temp(void *ctx, const char *key, const unsigned char *data, int64_t size,
		      const char *xxh128, bool foreign)
{
	(void)data, (void)size, (void)xxh128, (void)foreign;
	problem(ctx, "%s: left below the temp prefix", key);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_chain(struct published_view *v)
{
	if (v->n)
		qsort(v->seqs, v->n, sizeof(*v->seqs), cmp_i64);
	for (size_t i = 0; i < v->n; i++)
		if (v->seqs[i] != (int64_t)i + 1)
			problem(v, "batches are not 1..%zu: batch %lld at place %zu", v->n,
				(long long)v->seqs[i], i + 1);
	struct strv want = {0};
	for (size_t i = 0; i < v->w->sc->nchanges; i++)
		strv_push(&want, v->w->sc->changes[i]);
	qsort(want.v, want.n, sizeof(*want.v), cmp_str);
	if (v->tokens.n)
		qsort(v->tokens.v, v->tokens.n, sizeof(*v->tokens.v), cmp_str);
	bool same = want.n == v->tokens.n;
	for (size_t i = 0; same && i < want.n; i++)
		same = strcmp(want.v[i], v->tokens.v[i]) == 0;
	if (!same) {
		struct buf got = BUF_INIT;
		for (size_t i = 0; i < v->tokens.n; i++)
			buf_addf(&got, " %s", v->tokens.v[i]);
		problem(v, "changes shipped:%s; want each of the %zu changes once", buf_str(&got),
			want.n);
		buf_free(&got);
	}
	strv_free(&want);
}

static void check_state(struct published_view *v)
{
	struct state *st = NULL;
	struct batch *b = NULL;
	size_t n = 0;
	if (state_open(&st, v->w->cfg.state_dir, v->w->cfg.source_name) != 0 ||
	    state_unfinished(st, &b, &n) != 0)
		problem(v, "state: %s", err_msg());
	else if (n)
		problem(v, "%zu batch(es) not acknowledged, the first %s (%s)", n, b[0].id,
			batch_state_name(b[0].state));
	batches_free(b, n);
	state_close(st);
	/* a marker row (op '-') holds the last seq: no change waits in it */
	char *changes = xasprintf("%s WHERE op <> '-'", v->w->cfg.changelog);
	int64_t pending = count_rows(v->w->db, changes);
	free(changes);
	if (pending)
		problem(v, "%lld changelog row(s) not acknowledged", (long long)pending);
	if (mem_store_breach(v->w->store))
		problem(v, "%s", mem_store_breach(v->w->store));
}

/* Every change published once, in a chain 1..n, temp empty, acknowledged. */
static void check_published_once(struct world *w)
{
	struct published_view v = {.w = w, .problems = BUF_INIT};
	mem_store_each(w->store, w->cfg.temp_prefix, seen_temp, &v);
	mem_store_each(w->store, w->cfg.final_prefix, seen_final, &v);
	check_chain(&v);
	check_state(&v);
	char *problems = v.problems.len ? xstrdup(buf_str(&v.problems)) : NULL;
	free(v.seqs);
	strv_free(&v.tokens);
	strv_free(&v.changes);
	buf_free(&v.problems);
	if (problems)
		failed(w, problems);
	free(problems);
}

/* ---- crash at every fault point ---- */

/* Runs the scenario from step `from` in a child armed to die at point from
 * step `arm` on (a point dies at its first hit: arming it later puts the
 * kill in a later batch); returns the step it died in, or -1 when it ran
 * to the end. */
static int crash_child(struct world *w, int from, int arm, const char *point)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *spec = xasprintf("crash:%s", point);
		for (int i = from; i < (int)w->sc->nsteps; i++) {
			*w->progress = i;
			if (i == (from > arm ? from : arm) &&
			    (setenv("CDCPACK_FAULT", spec, 1) != 0 || fault_init() != 0))
				_exit(100);
			if (run_step(w, &w->sc->steps[i]) != 0) {
				fprintf(stderr, "step %d: %s\n", i, err_msg());
				_exit(101);
			}
		}
		*w->progress = -1;
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		note(w, "killed at %s in step %d", point, *w->progress);
		return *w->progress;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char what[128];
		snprintf(what, sizeof(what), "the child armed with crash:%s ended with status %d",
			 point, status);
		failed(w, what);
	}
	note(w, "never reached %s from step %d", point, from);
	return -1;
}

static void finish_in_process(struct world *w, int from)
{
	for (int i = from; i >= 0 && i < (int)w->sc->nsteps; i++) {
		int rc = run_step(w, &w->sc->steps[i]);
		if (rc) {
			char *what = xasprintf("rerun of step %d failed: %s", i, err_msg());
			failed(w, what);
			free(what);
		}
	}
}

static bool is_off_the_run(const char *point)
{
	for (size_t i = 0; i < NELEM(off_the_run); i++)
		if (strcmp(point, off_the_run[i]) == 0)
			return true;
	return false;
}

/* The steps of the long scenario a crash is armed at: the load, and the
 * first run (two batches). */
static const int armed_at[] = {0, 2};

static void every_fault_point_then_a_rerun_publishes_each_change_once(void **state)
{
	struct world *w = *state;
	const char *point;
	int reached = 0;
	for (size_t i = 0; (point = fault_point_name(i)) != NULL; i++) {
		bool hit = false;
		for (size_t arm = 0; arm < NELEM(armed_at); arm++)
			for (int kills = 1; kills <= 2; kills++) {
				world_begin(w, &long_scenario);
				note(w, "crash at %s from step %d, %d run(s) in a row", point,
				     armed_at[arm], kills);
				int at = 0, died = 0;
				for (int k = 0; k < kills && at >= 0; k++, died += at >= 0)
					at = crash_child(w, at, armed_at[arm], point);
				hit = hit || died > 0;
				finish_in_process(w, at);
				check_published_once(w);
				world_end(w);
			}
		if (!hit && !is_off_the_run(point))
			fail_msg("no run or load reaches fault point %s: if it belongs to another "
				 "command, name it in off_the_run[]",
				 point);
		reached += hit;
	}
	print_message("fault points a run or load reaches: %d\n", reached);
	assert_true(reached >= 7);
}

/* What the bucket may do to temp objects while no run is going: a
 * lifecycle rule deletes them, another writer replaces them. */
static void lose_temp(void *ctx, const char *key, const unsigned char *data, int64_t size,
		      const char *xxh128, bool foreign)
{
	(void)data, (void)size, (void)xxh128, (void)foreign;
	strv_push(ctx, key);
}

static void every_fault_point_then_temp_objects_lost_or_replaced_publishes_once(void **state)
{
	struct world *w = *state;
	const char *point;
	for (size_t i = 0; (point = fault_point_name(i)) != NULL; i++)
		for (int replaced = 0; replaced <= 1; replaced++) {
			world_begin(w, &long_scenario);
			int at = crash_child(w, 0, armed_at[1], point);
			struct strv keys = {0};
			mem_store_each(w->store, w->cfg.temp_prefix, lose_temp, &keys);
			for (size_t k = 0; k < keys.n; k++) {
				note(w, "%s %s", replaced ? "replaced" : "deleted", keys.v[k]);
				if (replaced)
					mem_store_foreign(w->store, keys.v[k]);
				else
					mem_store_delete(w->store, keys.v[k]);
			}
			strv_free(&keys);
			finish_in_process(w, at);
			check_published_once(w);
			world_end(w);
		}
}

/* ---- every answer of the store, at every call of every operation ---- */

/* The objects below the final prefix a person moves away on reading the
 * run's message: the one it names. */
static void named(void *ctx, const char *key, const unsigned char *data, int64_t size,
		  const char *xxh128, bool foreign)
{
	(void)data, (void)size, (void)xxh128, (void)foreign;
	struct strv *out = ctx;
	if (strstr(err_msg(), key))
		strv_push(out, key);
}

/* A failed step's rerun, without faults. When that fails too, it must be
 * for an object at a final key or at the source name's claim that is not
 * cdcpack's (person: the store was made to put one there), which a person
 * moves away before running again. */
static void rerun_step(struct world *w, int i, bool person)
{
	int rc = run_step(w, &w->sc->steps[i]);
	if (rc && person &&
	    (strstr(err_msg(), "move that object away") || strstr(err_msg(), "move it away"))) {
		struct strv keys = {0};
		note(w, "rerun of step %d refused: %s", i, err_msg());
		mem_store_each(w->store, w->cfg.final_prefix, named, &keys);
		/* the source name's claim (src/engine/claim.h), made by the
		 * chain's first put */
		mem_store_each(w->store, "_cdcpack/claims/", named, &keys);
		for (size_t k = 0; k < keys.n; k++) {
			note(w, "moved away %s", keys.v[k]);
			mem_store_delete(w->store, keys.v[k]);
		}
		strv_free(&keys);
		rc = run_step(w, &w->sc->steps[i]);
	}
	if (rc) {
		char *what = xasprintf("rerun of step %d failed: %s", i, err_msg());
		failed(w, what);
		free(what);
	}
}

/* Did answer a to op put at some key an object cdcpack must never take for
 * a batch (which then stays until a person moves it away)? */
static bool leaves_a_stranger(enum mem_op op, enum mem_answer a)
{
	return a == MEM_FOREIGN || (op == MEM_COPY && a == MEM_TRUNCATED);
}

/* A step that made the call answered a: a failure must fail it, with the
 * store's message, and any failure must be exit 3. */
static void check_step(struct world *w, int i, int rc, enum mem_answer a)
{
	char *what = NULL;
	bool failure = a == MEM_FAILED || a == MEM_LOST;
	if (failure && !rc)
		what = xasprintf("step %d succeeded though the store failed a call", i);
	else if (failure && !strstr(err_msg(), mem_answer_name(a)))
		what = xasprintf("step %d failed for another reason than the store's: %s", i,
				 err_msg());
	else if (rc && err_exit_status(rc) != 3)
		what = xasprintf("step %d failed with exit %d, not 3: %s", i, err_exit_status(rc),
				 err_msg());
	if (what)
		failed(w, what);
	free(what);
}

/* The scenario with op's call number `call` answered `a`. */
static void answered_once(struct world *w, enum mem_op op, int call, enum mem_answer a)
{
	note(w, "%s call %d answered %s", mem_op_name(op), call, mem_answer_name(a));
	mem_store_inject(w->store, op, call, a);
	bool pending = true;
	for (int i = 0; i < (int)w->sc->nsteps; i++) {
		int rc = run_step(w, &w->sc->steps[i]);
		bool made = pending && mem_store_calls(w->store, op) >= call;
		if (rc)
			note(w, "step %d failed: %s", i, err_msg());
		if (made || rc)
			check_step(w, i, rc, made ? a : MEM_OK);
		if (made) {
			pending = false;
			mem_store_inject(w->store, op, 0, MEM_OK);
		}
		if (rc)
			rerun_step(w, i, leaves_a_stranger(op, a));
	}
}

/* The answers that mean something to each operation, each once: a retry
 * after a lost reply changes only a conditional copy's answer; a 412 is an
 * answer only to a conditional copy; a read has nothing to lose or damage
 * in the store; another writer's object at a key being deleted is deleted. */
static const enum mem_answer answers_of[MEM_NOPS][MEM_NANSWERS] = {
	[MEM_PUT] = {MEM_FAILED, MEM_LOST, MEM_FOREIGN, MEM_TRUNCATED, MEM_NO_METADATA},
	[MEM_COPY] = {MEM_FAILED, MEM_LOST, MEM_LOST_RETRIED, MEM_EXISTS, MEM_FOREIGN,
		      MEM_TRUNCATED, MEM_NO_METADATA},
	[MEM_HEAD] = {MEM_FAILED, MEM_FOREIGN, MEM_TRUNCATED, MEM_NO_METADATA},
	[MEM_GET] = {MEM_FAILED, MEM_FOREIGN, MEM_TRUNCATED},
	[MEM_REMOVE] = {MEM_FAILED, MEM_LOST},
	[MEM_LIST] = {MEM_FAILED, MEM_FOREIGN},
};

/* Each answer at each call of each operation the scenario makes, over a
 * store that keeps checksums, or one that drops them: there the engine
 * reads objects back to hash them, and only what head reports and get
 * serves takes another path. Returns the cases run. */
static int answer_matrix(struct world *w, bool drop_metadata)
{
	int calls[MEM_NOPS], cases = 0;
	/* How often the scenario calls each operation when nothing goes wrong. */
	world_begin(w, &short_scenario);
	mem_store_drop_metadata(w->store, drop_metadata);
	mem_store_inject(w->store, MEM_PUT, 0, MEM_OK);
	finish_in_process(w, 0);
	check_published_once(w);
	for (int op = 0; op < MEM_NOPS; op++)
		calls[op] = mem_store_calls(w->store, op);
	world_end(w);
	print_message("%s: calls put %d copy %d head %d get %d remove %d list %d\n",
		      drop_metadata ? "store without checksums" : "store with checksums",
		      calls[MEM_PUT], calls[MEM_COPY], calls[MEM_HEAD], calls[MEM_GET],
		      calls[MEM_REMOVE], calls[MEM_LIST]);
	assert_true(calls[MEM_PUT] > 0 && calls[MEM_COPY] > 0 && calls[MEM_HEAD] > 0);
	assert_true(!drop_metadata || calls[MEM_GET] > 0);
	for (int op = 0; op < MEM_NOPS; op++)
		for (size_t i = 0; i < MEM_NANSWERS && answers_of[op][i] != MEM_OK &&
				   (!drop_metadata || op == MEM_HEAD || op == MEM_GET);
		     i++)
			for (int call = 1; call <= calls[op]; call++, cases++) {
				world_begin(w, &short_scenario);
				mem_store_drop_metadata(w->store, drop_metadata);
				answered_once(w, op, call, answers_of[op][i]);
				check_published_once(w);
				world_end(w);
			}
	return cases;
}

static void every_answer_at_every_call_then_a_rerun_publishes_each_change_once(void **state)
{
	struct world *w = *state;
	int cases = answer_matrix(w, false);
	cases += answer_matrix(w, true);
	print_message("%d cases\n", cases);
}

/* ---- the answers are what the S3 driver makes of S3's replies ---- */

/* What the S3 driver hands the engine when op (conditional or not) gets
 * reply r, on its first attempt only or on every one, the request carried
 * out or not: s3.c's reading of the reply (an answer, worth a retry, or
 * final) decides. A retry of a request already carried out that finds its
 * own object is told "exists" by a conditional write (412). */
static enum mem_answer driver_answer(enum s3_op op, bool exclusive, const struct http_response *r,
				     bool every_attempt, bool took_effect)
{
	if (s3_answered(s3_op_accept(op, exclusive), r))
		return r->status == 412 ? MEM_EXISTS : MEM_OK;
	if (!s3_reply_retryable(r) || every_attempt)
		return took_effect ? MEM_LOST : MEM_FAILED;
	return took_effect ? MEM_LOST_RETRIED : MEM_OK;
}

static void answers_are_what_the_s3_driver_makes_of_s3_replies(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		enum s3_op op;
		bool exclusive;
		long status;
		int curl_code;
		const char *code;
		bool every_attempt, took_effect;
		enum mem_answer want;
	} cases[] = {
		{"503 SlowDown, then 200", S3_PUT_OBJECT, false, 503, 0, "SlowDown", false, false,
		 MEM_OK},
		{"503 SlowDown every time", S3_PUT_OBJECT, false, 503, 0, "SlowDown", true, false,
		 MEM_FAILED},
		{"a timeout, then 200", S3_HEAD_OBJECT, false, 0, CURLE_OPERATION_TIMEDOUT, NULL,
		 false, false, MEM_OK},
		{"a timeout every time", S3_HEAD_OBJECT, false, 0, CURLE_OPERATION_TIMEDOUT, NULL,
		 true, false, MEM_FAILED},
		{"403 AccessDenied", S3_COPY_OBJECT, true, 403, 0, "AccessDenied", false, false,
		 MEM_FAILED},
		{"200 with <Error>InternalError, then 200", S3_COPY_OBJECT, true, 200, 0,
		 "InternalError", false, false, MEM_OK},
		{"200 with <Error>InternalError every time", S3_COPY_OBJECT, true, 200, 0,
		 "InternalError", true, false, MEM_FAILED},
		{"412 to a conditional copy", S3_COPY_OBJECT, true, 412, 0, "PreconditionFailed",
		 false, false, MEM_EXISTS},
		{"412 to a plain put", S3_PUT_OBJECT, false, 412, 0, "PreconditionFailed", false,
		 false, MEM_FAILED},
		{"a copy's reply lost, the retry answered", S3_COPY_OBJECT, true, 0,
		 CURLE_RECV_ERROR, NULL, false, true, MEM_LOST_RETRIED},
		{"a put's reply lost every time", S3_PUT_OBJECT, false, 0, CURLE_RECV_ERROR, NULL,
		 true, true, MEM_LOST},
		{"a delete's reply lost every time", S3_DELETE_OBJECT, false, 0, CURLE_GOT_NOTHING,
		 NULL, true, true, MEM_LOST},
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char body[256];
		struct http_response r;
		memset(&r, 0, sizeof(r));
		r.status = cases[i].status;
		r.curl_code = cases[i].curl_code;
		if (cases[i].code) {
			snprintf(body, sizeof(body),
				 "<Error><Code>%s</Code><Message>m</Message></Error>",
				 cases[i].code);
			r.body.data = body;
			r.body.len = strlen(body);
		}
		enum mem_answer got = driver_answer(cases[i].op, cases[i].exclusive, &r,
						    cases[i].every_attempt, cases[i].took_effect);
		if (got != cases[i].want)
			fail_msg("%s: the driver makes it %s, the matrix says %s", cases[i].what,
				 mem_answer_name(got), mem_answer_name(cases[i].want));
	}
}

static int group_setup(void **state)
{
	struct world *w = xcalloc(1, sizeof(*w));
	log_set_level(LOG_ERROR);
	w->store = mem_store_new(64 << 20);
	w->progress =
		mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!w->store || w->progress == MAP_FAILED)
		return -1;
	/* Set up once: the source's schema and triggers cost more than a test. */
	char *dir = xasprintf("%s/cdcpack-machine-XXXXXX", scratch_root());
	assert_non_null(mkdtemp(dir));
	w->template_db = xasprintf("%s/template.db", dir);
	free(dir);
	exec_sql(w->template_db, setup_sql);
	struct config defaults;
	config_defaults(&defaults);
	install_triggers(w->template_db, defaults.changelog);
	config_free(&defaults);
	*state = w;
	return 0;
}

static int group_teardown(void **state)
{
	struct world *w = *state;
	mem_store_free(w->store);
	munmap(w->progress, sizeof(int));
	char *dir = xstrdup(w->template_db);
	*strrchr(dir, '/') = '\0';
	fs_remove_tree(dir);
	free(dir);
	free(w->template_db);
	free(w);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers_are_what_the_s3_driver_makes_of_s3_replies),
		cmocka_unit_test(every_fault_point_then_a_rerun_publishes_each_change_once),
		cmocka_unit_test(
			every_fault_point_then_temp_objects_lost_or_replaced_publishes_once),
		cmocka_unit_test(
			every_answer_at_every_call_then_a_rerun_publishes_each_change_once),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
