#!/usr/bin/env bash
# `cdcpack diff --format sql A B` prints statements that turn A into B:
# applied to A, a second diff finds nothing (exit 0), and an independent
# comparison (type and bytes of every value) agrees. The values are the
# awkward ones: quotes, newlines, NUL inside text, blobs, NULL vs '' vs
# 'NULL', REAL extremes and infinities, 4-byte UTF-8, composite keys.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

schema="CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT, r REAL, b BLOB, u);
CREATE TABLE c(a TEXT, b INT, v, PRIMARY KEY(a, b));"
sqlite3 a.db "$schema
INSERT INTO t VALUES (1, 'plain', 1.5, X'00', 1), (2, 'it''s', 2.5, NULL, 'x'),
	(3, NULL, NULL, NULL, NULL), (4, 'gone', 0.0, X'', ''), (5, 'same', 5.0, X'05', 5);
INSERT INTO c VALUES ('k', 1, 'one'), ('k', 2, 'two'), ('é', 1, NULL);"
sqlite3 b.db "$schema
INSERT INTO t VALUES (1, 'line1' || char(10) || 'line2, \"q\"', 1.7976931348623157e308, X'00FF10', 'NULL'),
	(2, 'it''s', 4.9406564584124654e-324, X'', ''), (3, '', -0.5, X'61', 3.25),
	(5, 'same', 5.0, X'05', 5), (6, CAST(X'610062' AS TEXT), 9e999, NULL, -9e999),
	(7, 'emoji 😀 and ''quotes''', -1e-300, X'27', NULL);
INSERT INTO c VALUES ('k', 1, 'ONE'), ('é', 1, X'00'), ('é', 2, 'new');"

assert_status 1 "$CDCPACK" diff --format sql sqlite:a.db sqlite:b.db
cp "$T/last.out" change.sql
assert_contains change.sql 'BEGIN;'
assert_contains change.sql 'DELETE FROM "t" WHERE "id" = 4;'
assert_contains change.sql 'COMMIT;'
sqlite3 a.db <change.sql || fail "the statements do not apply to A: $(cat change.sql)"
assert_status 0 "$CDCPACK" diff sqlite:a.db sqlite:b.db
assert_contains "$T/last.out" "A and B hold the same rows"
SRC_DB=$T/b.db check_replica_equals_source "$T/a.db"

# The same holds with the roles swapped, and with nothing to do.
sqlite3 c.db "$schema"
assert_status 1 "$CDCPACK" diff --format sql sqlite:b.db sqlite:c.db
sqlite3 b.db <"$T/last.out" || fail "the statements do not apply: $(cat "$T/last.out")"
assert_status 0 "$CDCPACK" diff sqlite:b.db sqlite:c.db
assert_eq 0 "$(sqlite3 b.db 'SELECT count(*) FROM t')" "rows left after turning B into an empty C"
assert_status 0 "$CDCPACK" diff --format sql sqlite:b.db sqlite:c.db
assert_eq "" "$(cat "$T/last.out")" "statements when A equals B"
