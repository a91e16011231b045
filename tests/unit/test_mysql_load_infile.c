/* The LOAD DATA LOCAL INFILE handler apply installs on a MySQL replica
 * connection (mysql_replica_load.c), against a hostile server: whatever
 * file the server asks for, outside our LOAD statement or during it under
 * another name ("/etc/passwd" style: here a canary file), the client sends
 * no byte of it; our own chunk, under our own name, is served. The server
 * is a few lines of the client/server protocol on a unix socket, in a
 * thread, so the real Connector/C does the talking (its own checks: it
 * asks the handler for every name, MYSQL_OPT_LOCAL_INFILE being on). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "mysql_driver.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* What the fake server asks for, and what it saw. */
static char request_name[256];	  /* the file a query is answered with; "" none */
static atomic_bool request_every; /* every query, not only LOAD DATA ones */
static atomic_int requests;	  /* file requests made */
static atomic_long file_bytes;	  /* bytes the client sent for them */
static char sock_path[108];
static int listen_fd = -1;

static bool read_full(int fd, unsigned char *p, size_t n)
{
	while (n) {
		ssize_t got = read(fd, p, n);
		if (got <= 0)
			return false;
		p += got;
		n -= (size_t)got;
	}
	return true;
}

/* One packet: its payload (caller frees) and length; NULL at EOF. */
static unsigned char *read_packet(int fd, size_t *len, unsigned char *seq)
{
	unsigned char h[4];
	if (!read_full(fd, h, 4))
		return NULL;
	*len = h[0] | h[1] << 8 | (size_t)h[2] << 16;
	*seq = h[3];
	unsigned char *p = malloc(*len + 1);
	if (!read_full(fd, p, *len)) {
		free(p);
		return NULL;
	}
	p[*len] = 0;
	return p;
}

static void write_packet(int fd, unsigned char seq, const void *p, size_t len)
{
	unsigned char h[4] = {len & 0xff, len >> 8 & 0xff, len >> 16 & 0xff, seq};
	if (write(fd, h, 4) != 4 || write(fd, p, len) != (ssize_t)len)
		fail_msg("fake server: write failed");
}

static const unsigned char ok_packet[] = {0, 0, 0, 2, 0, 0, 0};

static void greet(int fd)
{
	/* protocol 10; capabilities: LONG_PASSWORD, LOCAL_FILES, PROTOCOL_41,
	 * TRANSACTIONS, SECURE_CONNECTION, MULTI_RESULTS, PLUGIN_AUTH */
	unsigned caps = 0x1 | 0x80 | 0x200 | 0x2000 | 0x8000 | 0x20000 | 0x80000;
	unsigned char g[128];
	size_t n = 0;
	g[n++] = 10;
	memcpy(g + n, "8.0.99-fake", 12);
	n += 12;
	memcpy(g + n,
	       "\1\0\0\0"
	       "abcdefgh"
	       "\0",
	       13);
	n += 13;
	g[n++] = caps & 0xff;
	g[n++] = caps >> 8 & 0xff;
	g[n++] = 33;
	g[n++] = 2;
	g[n++] = 0;
	g[n++] = caps >> 16 & 0xff;
	g[n++] = caps >> 24 & 0xff;
	g[n++] = 21;
	memset(g + n, 0, 10);
	n += 10;
	memcpy(g + n, "ijklmnopqrst", 13);
	n += 13;
	memcpy(g + n, "mysql_native_password", 22);
	n += 22;
	write_packet(fd, 0, g, n);
}

/* Asks for request_name, counts the bytes sent back, answers the query. */
static void ask_for_file(int fd)
{
	unsigned char req[260] = {0xFB};
	size_t n = strlen(request_name);
	memcpy(req + 1, request_name, n);
	write_packet(fd, 1, req, n + 1);
	requests++;
	unsigned char seq = 1;
	for (;;) {
		size_t len;
		unsigned char *p = read_packet(fd, &len, &seq);
		free(p);
		if (!p || len == 0)
			break;
		file_bytes += (long)len;
	}
	write_packet(fd, seq + 1, ok_packet, sizeof(ok_packet));
}

static void *serve(void *arg)
{
	(void)arg;
	int fd = accept(listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	greet(fd);
	size_t len;
	unsigned char seq;
	free(read_packet(fd, &len, &seq)); /* the login: any is taken */
	write_packet(fd, 2, ok_packet, sizeof(ok_packet));
	unsigned char *p;
	while ((p = read_packet(fd, &len, &seq)) && len && p[0] != 1 /* COM_QUIT */) {
		bool query = p[0] == 3,
		     load = query && strncmp((const char *)p + 1, "LOAD DATA", 9) == 0;
		if (query && request_name[0] && (load || request_every))
			ask_for_file(fd);
		else
			write_packet(fd, 1, ok_packet, sizeof(ok_packet));
		free(p);
	}
	free(p);
	close(fd);
	return NULL;
}

struct conn {
	pthread_t server;
	struct source src;
	struct table_def *def;
	char canary[128];
};

static int conn_setup(void **state)
{
	struct conn *c = calloc(1, sizeof(*c));
	snprintf(sock_path, sizeof(sock_path), "/tmp/cdcpack-infile-%d.sock", (int)getpid());
	snprintf(c->canary, sizeof(c->canary), "/tmp/cdcpack-infile-%d.canary", (int)getpid());
	FILE *f = fopen(c->canary, "w");
	assert_non_null(f);
	fputs("SECRET bytes the server must never see\n", f);
	fclose(f);
	unlink(sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, sock_path);
	assert_int_equal(bind(listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(listen_fd, 1), 0);
	assert_int_equal(pthread_create(&c->server, NULL, serve, NULL), 0);
	c->src.db = mysql_init(NULL);
	mysql_load_handler(c->src.db, &c->src);
	if (!mysql_real_connect(c->src.db, NULL, "u", "p", NULL, 0, sock_path, 0))
		fail_msg("connect to the fake server: %s", mysql_error(c->src.db));
	c->def = calloc(1, sizeof(*c->def));
	c->def->name = strdup("t");
	table_def_add_column(c->def, "id", "int", true);
	table_def_add_column(c->def, "v", "varchar(10)", false);
	mysql_load_emptied(&c->src, "t");
	*state = c;
	return 0;
}

static int conn_teardown(void **state)
{
	struct conn *c = *state;
	mysql_load_free(&c->src);
	mysql_close(c->src.db);
	pthread_join(c->server, NULL);
	close(listen_fd);
	unlink(sock_path);
	unlink(c->canary);
	table_def_free(c->def);
	free(c);
	return 0;
}

/* One row into the pending chunk (held, not sent yet). */
static void add_row(struct conn *c)
{
	struct value row[2] = {{.type = VAL_INT, .i = 1}, {.type = VAL_TEXT, .p = "x", .n = 1}};
	bool taken = false;
	assert_int_equal(mysql_load_add(&c->src, c->def, row, &taken), 0);
	assert_true(taken);
}

static void hostile_requests_get_no_byte(void **state)
{
	struct conn *c = *state;
	/* Outside our LOAD, a chunk pending: neither the canary nor our own
	 * chunk's name gets a byte. */
	add_row(c);
	const char *names[] = {c->canary, "cdcpack-chunk"};
	request_every = true;
	for (size_t i = 0; i < 2; i++) {
		snprintf(request_name, sizeof(request_name), "%s", names[i]);
		mysql_run(&c->src, "SET @x = 1", "set");
	}
	assert_int_equal(requests, 2);
	assert_int_equal(file_bytes, 0);

	/* During our LOAD, another name: refused, with the handler's message. */
	request_every = false;
	snprintf(request_name, sizeof(request_name), "%s", c->canary);
	assert_int_not_equal(mysql_load_flush(&c->src), 0);
	assert_non_null(strstr(err_msg(), "cdcpack serves no file but its own load data"));
	assert_int_equal(requests, 3);
	assert_int_equal(file_bytes, 0);

	/* Our own name during our LOAD: the chunk is served (the server above
	 * would have seen any byte sent). */
	snprintf(request_name, sizeof(request_name), "cdcpack-chunk");
	add_row(c);
	assert_int_equal(mysql_load_flush(&c->src), 0);
	assert_int_equal(requests, 4);
	assert_int_equal(file_bytes, (long)strlen("1\tx\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hostile_requests_get_no_byte, conn_setup,
						conn_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
