#!/usr/bin/env bash
# Regenerates the seed corpora in tests/fuzz/corpus/ from real output of
# bin/cdcpack (archives, manifests, change files of every format and
# compression), SQLite quote() row images, and hand-written S3 bodies and
# configs. Seeds are inputs the program really meets; the fuzzer mutates
# from there. Files under corpus/*/regress-* are regression inputs for
# fixed bugs: this script leaves them alone.
#
#   bash tests/fuzz/make_corpus.sh          (after make)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CDCPACK=$ROOT/bin/cdcpack
C=$ROOT/tests/fuzz/corpus
W=$(mktemp -d "${TMPDIR:-/tmp}/cdcpack-corpus.XXXXXX")
trap 'rm -rf "$W"' EXIT
for d in archive manifest manifest_sql changefile config s3xml image naming binlog_stmt; do
	mkdir -p "$C/$d"
	find "$C/$d" -type f ! -name 'regress-*' -delete
done

# A source with the value kinds a change file carries: NULL vs '', quotes,
# commas, newlines, BLOBs, REALs that need 17 digits, a typeless column and a
# table without a primary key (rowid key).
sqlite3 "$W/src.db" "
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, price REAL, data BLOB, note, amount DECIMAL(10,2));
INSERT INTO item VALUES (1, 'plain', 1.5, x'00ff10', 'x', '10.50'),
 (2, 'a, \"quoted\"
line', 0.1, NULL, 42, NULL), (3, '', -0.0, x'', NULL, '0.00');
CREATE TABLE log(msg TEXT, at TEXT);
INSERT INTO log VALUES ('hello', '2026-11-24 10:11:12');"

# batch TAG FORMAT COMPRESSION EXTRA_INI...: a load and a cdc batch, in $W/TAG
batch() {
	local dir=$W/$1 fmt=$2 comp=$3
	shift 3
	mkdir -p "$dir"
	cp "$W/src.db" "$dir/src.db"
	{
		printf '[source]\nurl = sqlite:%s/src.db\nname = src\n' "$dir"
		printf '[batch]\nformat = %s\ncompression = %s\n' "$fmt" "$comp"
		for l in "$@"; do printf '%s\n' "$l"; done
		printf '[state]\ndir = %s/state\n[target]\nurl = file:%s/bucket\n' "$dir" "$dir"
	} >"$dir/cdcpack.conf"
	(
		cd "$dir"
		"$CDCPACK" -q triggers install
		"$CDCPACK" -q load
		sqlite3 src.db "INSERT INTO item VALUES (4, 'new', 3.141592653589793, x'cafe', 'y', '1.00');
			UPDATE item SET name = 'renamed' WHERE id = 1; DELETE FROM item WHERE id = 2;
			UPDATE item SET id = 5 WHERE id = 3; INSERT INTO log VALUES ('bye', NULL);"
		"$CDCPACK" -q run
	)
}
batch csv-zstd csv zstd
batch csv-gzip csv gzip
batch csv-xz csv xz
batch csv-none csv none
batch jsonl-zstd jsonl zstd
batch csv-header-gzip csv gzip 'csv_header = true' 'load_op_column = true'

for a in $(find "$W" -path '*/bucket/cdc/*' -type f | sort); do
	rel=${a#"$W"/}
	tag=${rel%%/*}
	kind=$(tar -xOf "$a" manifest.json | jq -r .batch.kind)
	cp "$a" "$C/archive/$tag-$kind.${a##*Z.}"
	# Manifests and change files differ little between compressions.
	[[ $tag == csv-zstd || $tag == jsonl-zstd || $tag == csv-header-gzip ]] || continue
	tar -xOf "$a" manifest.json >"$C/manifest/$tag-$kind.json"
	cp "$C/manifest/$tag-$kind.json" "$C/manifest_sql/"
	# Change files, with the options byte fuzz_changefile reads first.
	tar -xOf "$a" manifest.json | jq -r '.tables[] | [.file, .format, .op_column, .header] | @tsv' |
		while IFS=$'\t' read -r file fmt opcol header; do
			opts=0
			[[ $fmt == jsonl ]] && opts=$((opts | 1))
			[[ $opcol == true ]] && opts=$((opts | 2))
			[[ $header == true ]] && opts=$((opts | 4))
			out="$C/changefile/$tag-$kind-$(basename "$(dirname "$file")")-$fmt"
			{
				printf "\\x$(printf %02x $opts)"
				tar -xOf "$a" "$file"
			} >"$out"
		done
done

# Row images as the SQLite triggers store them: quote() joined by commas;
# the first byte is the column count minus one.
image() { # image NAME NCOLS SQL
	{
		printf "\\x$(printf %02x $(($2 - 1)))"
		sqlite3 "$W/src.db" "$3" | tr -d '\n'
	} >"$C/image/$1"
}
image item 6 "SELECT quote(id)||','||quote(name)||','||quote(price)||','||quote(data)||','||quote(note)||','||quote(amount) FROM item WHERE id = 2"
image blob 6 "SELECT quote(id)||','||quote(name)||','||quote(price)||','||quote(data)||','||quote(note)||','||quote(amount) FROM item WHERE id = 1"
image reals 4 "SELECT quote(9e999)||','||quote(-9e999)||','||quote(4.9406564584124654e-324)||','||quote(0.1)"
image ints 3 "SELECT quote(-9223372036854775808)||','||quote(9223372036854775807)||','||quote(NULL)"
image text 1 "SELECT quote('it''s '','' here')"

# Configs: the examples, every key of docs/design.md §3, and near misses.
cp "$ROOT/examples/demo/cdcpack.conf" "$C/config/demo.conf"
cp "$ROOT/examples/persons-mysql/cdcpack.conf" "$C/config/persons-mysql.conf"
cat >"$C/config/every-key.conf" <<'CONF'
[source]
url = mysql://cdc@127.0.0.1:3306/shop?socket=/run/mysqld/mysqld.sock
name = shop                       ; names the batch chain
password_file = /etc/cdcpack/password

[capture]
mode = snapshot
tables = Persons, orders
exclude = tmp_*, audit_?
changelog = cdcpack_changelog

[batch]
format = jsonl
compression = xz
max_rows = 500K
csv_header = yes
load_op_column = off

[state]
dir = /var/lib/cdcpack
keep_local = 12h

[target]
url = s3://my-bucket/some/prefix
temp_prefix = _tmp
final_prefix = cdc/
region = eu-west-1
endpoint = http://127.0.0.1:9000
path_style = true
part_size = 5M
max_retries = 0
ca_bundle =
CONF
printf '[source]\r\nurl = sqlite:a.db\r\n# comment\r\n[target]\r\nurl = file:b\r\n' >"$C/config/crlf.conf"
printf '[source]\nurl = sqlite:a.db\n[target]\nurl = file:b\npart_size = 6G\n' >"$C/config/bad-part-size.conf"
printf 'url = sqlite:a.db\n[source\n' >"$C/config/no-section.conf"

# S3 reply bodies (the shapes AWS documents, and what s3rver sends).
cat >"$C/s3xml/error.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match &amp; so on</Message><StringToSign>AWS4-HMAC-SHA256</StringToSign><RequestId>4442587FB7D0A2F9</RequestId></Error>
XML
printf '<?xml version="1.0" encoding="UTF-8"?>\n\n      \n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>' >"$C/s3xml/error-after-blanks.xml"
cat >"$C/s3xml/list-truncated.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>cdc/src/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><Contents><Key>cdc/src/2026/11/24/src-00000001-20261124T101112Z.tar.zst</Key><LastModified>2026-11-24T10:11:13.000Z</LastModified><ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>cdc/src/a&amp;b &#233;&#x4e2d;.tar</Key><Size>0</Size></Contents></ListBucketResult>
XML
cat >"$C/s3xml/list-last.xml" <<'XML'
<ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>1</Size></Contents><Contents/></ListBucketResult>
XML
printf '<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>a&lt;b&gt;</Key><UploadId>VXBsb2FkIElE+/=</UploadId></InitiateMultipartUploadResult>' >"$C/s3xml/initiate.xml"
printf '<?xml version="1.0"?><CompleteMultipartUploadResult><Location>x</Location><Bucket>b</Bucket><Key>k</Key><ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag></CompleteMultipartUploadResult>' >"$C/s3xml/complete.xml"
printf '<CopyObjectResult><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>' >"$C/s3xml/copy.xml"

# fuzz_manifest_sql: a MySQL source's manifest with every type spelling
# information_schema gives (the grammar of src/format/coltype.c).
jq '.source.driver = "mysql" | .tables[0].columns = [
	{"name": "id", "type": "bigint(20) unsigned", "key": true},
	{"name": "k`2", "type": "varchar(255)", "key": true},
	{"name": "d", "type": "decimal(30,10)", "key": false},
	{"name": "e", "type": "enum('"'a'"','"'b '"''"'c'"')", "key": false},
	{"name": "s", "type": "set('"'x'"','"'y'"')", "key": false},
	{"name": "ts", "type": "timestamp(3)", "key": false},
	{"name": "f", "type": "float unsigned zerofill", "key": false},
	{"name": "j", "type": "longtext", "key": false},
	{"name": "b", "type": "bit(10)", "key": false},
	{"name": "u", "type": "uuid", "key": false}]' \
	"$C/manifest_sql/csv-zstd-cdc.json" >"$C/manifest_sql/mysql-types.json"

# Keys at the target and times (--until, manifest "created").
printf 'src/2026/11/24/src-00000007-20261124T101112Z.tar.zst' >"$C/naming/key-zst"
printf 'src/2026/11/24/src-00000123-20261124T235959Z.tar' >"$C/naming/key-tar"
printf 'src/2028/02/29/src-99999999-20280229T000000Z.tar.gz' >"$C/naming/key-feb29"
printf '2026-11-24T10:11:12.345Z' >"$C/naming/moment-ms"
printf '2026-11-24 10:11:12' >"$C/naming/moment-space"
printf '2026-11-24' >"$C/naming/moment-day"
# Statements in a binary log's QUERY events, as the server logs them.
printf 'TRUNCATE TABLE `db1`.`peo``ple`' >"$C/binlog_stmt/truncate"
printf 'TRUNCATE "my db"."t"' >"$C/binlog_stmt/truncate-ansi"
printf 'DROP TABLE IF EXISTS `a`,`b` /* generated by server */' >"$C/binlog_stmt/drop"
printf 'RENAME TABLES a TO t, b TO a, t TO b' >"$C/binlog_stmt/rename-swap"
printf 'RENAME TABLE IF EXISTS d.a WAIT 3 TO e.b, c NOWAIT TO d' >"$C/binlog_stmt/rename-wait"
printf 'CREATE OR REPLACE TABLE IF NOT EXISTS `s`.`a`(id INT PRIMARY KEY) -- x\n' >"$C/binlog_stmt/create"
printf '%s' "ALTER ONLINE IGNORE TABLE a ADD c VARCHAR(9) DEFAULT 'it''s, \\' RENAME' COMMENT \"x\", RENAME COLUMN c TO d, RENAME AS \`b\`;" >"$C/binlog_stmt/alter-rename"
printf 'ALTER TABLE a /*!50100 RENAME TO b */ # note\n' >"$C/binlog_stmt/alter-exec-comment"
printf 'INSERT INTO t VALUES (1)' >"$C/binlog_stmt/other"
echo "corpus: $(find "$C" -type f | wc -l) files, $(du -sh "$C" | cut -f1)"
