/* Text encodings of values: base64 for BLOBs, shortest round-trip REALs. */
#ifndef CDCPACK_CODEC_H
#define CDCPACK_CODEC_H

#include "buf.h"

#include <stdbool.h>

void base64_encode(struct buf *out, const void *p, size_t n);
/* Whether p[0..n) is UTF-8 as RFC 3629 has it (no overlong forms, no
 * surrogates, nothing above U+10FFFF): what a JSON string can carry. NUL
 * bytes are valid (JSON spells them \u0000). */
bool utf8_valid(const char *p, size_t n);
/* A table or column name as text reports and messages spell it (docs/design.md
 * §2, "Names in reports"): its UTF-8 characters as they are; a backslash as
 * \\; a control character (below 0x20, 0x7f, and U+0080..U+009F, each of
 * its bytes) and a byte that is not part of UTF-8 as \xHH. Lossless, and a
 * name can neither break a line nor reach a terminal as a control. Caller
 * frees. */
char *name_shown(const char *name);
/* Appends text[0..n) as name_shown spells it; with escape_backslash false a
 * backslash stays as it is: what a log line does to a whole message (names in
 * it were shown already), so no message can forge a line or a terminal
 * control whatever it quotes. */
void text_shown_add(struct buf *out, const char *text, size_t n, bool escape_backslash);
/* Whether text_shown_add(escape_backslash false) keeps text as it is: no
 * control character (C0, DEL, C1) and nothing but UTF-8. */
bool text_shown_as_is(const char *text, size_t n);
/* name_shown cut after 80 bytes, "..." marking the cut: for messages that
 * name something a hostile archive or catalogue may make long. */
char *name_shown_short(const char *name);
/* name_shown_short written into out, which it returns: for a message that
 * quotes a name, with nothing to free after err_set. */
#define NAME_SHOWN_SHORT_SIZE 84 /* 80 bytes, "...", NUL */
const char *name_shown_short_in(char out[NAME_SHOWN_SHORT_SIZE], const char *name);
/* name_shown_short_in into a buffer of its own that lives to the end of the
 * enclosing block (a compound literal): for a message or log line that
 * quotes a name, with no buffer to declare and nothing to free. */
#define NAME_SHOWN_SHORT(name) name_shown_short_in((char[NAME_SHOWN_SHORT_SIZE]){0}, (name))
/* name_shown cut after max bytes, "..." marking the cut: for a longer text
 * a hostile party controls (a server's error message). */
char *name_shown_cut(const char *name, int max);
/* A name as a hint's command line takes it (docs/design.md §2, "Names in
 * hints"): whole, never cut, so that the command can be copied; as it is
 * when a shell reads it so, else in single quotes (' as '\''); a name
 * holding a byte no one types (name_shown escapes it) as bash's $'...'
 * with name_shown's escapes, NAME_SHELL_NOTE saying so. A name starting
 * with '-' follows "-- ", or cdcpack would read it as an option. Caller
 * frees. */
char *name_for_shell(const char *name);
/* What a hint adds after a command that quotes name: "" when name_for_shell
 * spells it as typed, else a note that the command shows it escaped. */
const char *name_shell_note(const char *name);
/* name as UTF-8 for a JSON string: each byte that is not part of UTF-8 as
 * U+FFFD (the report then adds the bytes in hex). Caller frees. */
char *name_utf8(const char *name);
/* Appends the decoded bytes; returns -1 on a malformed input. With out
 * NULL, only checks that p[0..n) is base64. */
int base64_decode(struct buf *out, const char *p, size_t n);
/* SQL's BLOB literal, X'0AFF' (X'' for the empty BLOB): the change files'
 * spelling of a BLOB where base64 would read back as something else. */
void blob_literal_encode(struct buf *out, const char *p, size_t n);
/* Appends the bytes of an X'..' literal (either case of X and of the
 * digits); -1 when p[0..n) is not one. With out NULL, only checks. */
int blob_literal_decode(struct buf *out, const char *p, size_t n);
/* 0..15 for a hex digit of either case, else -1. */
int hex_digit(char c);
/* Appends the bytes of n hex digits; -1 (nothing appended) when n is odd
 * or one is not a hex digit. With out NULL, only checks. */
int hex_decode(struct buf *out, const char *s, size_t n);
/* Appends two upper-case hex digits per byte. */
void hex_encode(struct buf *out, const char *p, size_t n);

/* The shortest %g spelling that reads back as exactly r ("Infinity" for
 * inf); DMS readers and strtod both take it. */
void format_real(char out[40], double r);
/* A single-precision value (MySQL FLOAT, held widened in r) as the double
 * of its own fewest digits that read back as the same float: FLOAT 1.1 is
 * 1.1, not 1.100000023841858. Rounded to float, it is r's float again. */
double real_float32(double r);
/* strtod over exactly n bytes; false when they are not all a number. */
bool parse_real(const char *p, size_t n, double *out);
/* strtoll over exactly n bytes; false on junk or overflow. */
bool parse_int(const char *p, size_t n, long long *out);

/* 'text' with quotes doubled: the SQL string literal both engines read
 * (the caller makes sure text holds no byte they would read otherwise). */
void sql_quoted_literal(struct buf *b, const char *p, size_t n);

#endif
