#!/usr/bin/env bash
# A published batch whose bytes were damaged (cut short, or with flipped
# bytes in its compressed stream, for zstd, gzip, xz and plain tar; empty;
# not an archive at all; a change file edited in place) is refused by
# `show` and `apply` with exit 3, a message naming the archive and the
# fault, and the replica left exactly as it was. With the batch restored,
# apply then catches up and the replica equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup
zstd -q -d -c "$PRISTINE" >"$T/plain.tar"

# compress C < tar > out
compress() {
	case $1 in
	zstd) zstd -q -c ;;
	gzip) gzip -n -c ;;
	xz) xz -c ;;
	none) cat ;;
	esac
}

# What each compression's reader says about a damaged stream; a flipped
# byte that still decompresses shows up as a bad tar header, a broken
# manifest or a checksum mismatch instead.
damaged='Unrecognized archive format|Zstd decompression failed|gzip decompression failed|Lzma library error|Damaged tar archive|Truncated tar archive|truncated gzip input|Truncated zstd input|damaged or truncated data|not valid JSON|checksum mismatch|manifest'
for c in zstd gzip xz none; do
	compress "$c" <"$T/plain.tar" >"$T/good.$c"
	size=$(stat -c %s "$T/good.$c")

	# Cut in half; a compressed stream also by one byte (in its trailer:
	# gzip then fails without a message from libarchive). A plain tar cut
	# in its end zeros still holds every byte, so not that.
	echo "case: $c, cut in half"
	head -c $((size / 2)) "$T/good.$c" >"$VICTIM"
	expect_refused both "$damaged"
	if [[ $c != none ]]; then
		echo "case: $c, last byte cut"
		head -c $((size - 1)) "$T/good.$c" >"$VICTIM"
		expect_refused both "$damaged"
		assert_not_contains "$T/last.err" "(null)"
	fi

	# Flip bytes at a few places of the compressed stream; in a plain tar,
	# in the second header and in the bytes of each member (a tar's block
	# padding and end zeros hold nothing to damage).
	if [[ $c == none ]]; then
		mapfile -t spots < <("$PY" -c '
import sys, tarfile
members = tarfile.open(sys.argv[1]).getmembers()
print(members[1].offset + 100)
for m in members:
    print(m.offset_data + m.size // 2)' "$T/good.none")
	else
		spots=($((size / 10)) $((size * 3 / 10)) $((size * 6 / 10)) $((size * 9 / 10)))
	fi
	for at in "${spots[@]}"; do
		echo "case: $c, bytes flipped at $at of $size"
		cp "$T/good.$c" "$VICTIM"
		printf '\x55\xaa\x55\xaa' | dd of="$VICTIM" bs=1 seek="$at" conv=notrunc 2>/dev/null
		expect_refused both "$damaged"
	done
done

echo "case: not an archive"
: >"$VICTIM"
expect_refused both 'Unrecognized archive format|empty'
head -c 4096 /dev/urandom >"$VICTIM"
expect_refused both 'Unrecognized archive format'
cp "$T/parts/manifest.json" "$VICTIM"
expect_refused both 'Unrecognized archive format'

echo "case: one byte of the change file changed, size kept"
mapfile -t honest < <(honest_entries)
cp "$T/parts/$DATA" "$T/data.orig"
printf 'X' | dd of="$T/parts/$DATA" bs=1 seek=2 conv=notrunc 2>/dev/null
build_victim "${honest[@]}"
expect_refused both "$DATA: checksum mismatch"
cp "$T/data.orig" "$T/parts/$DATA"

nothing_left
finish
