# Helpers for the snapshot_*.sh integration tests (capture mode = snapshot).
# Source after tests/lib/common.sh and tests/lib/core.sh, whose conventions
# ($SRC_DB, $BUCKET, $STATE_DIR, source name "src") these keep.

# snapshot_config [extra INI lines...]: core_config with mode = snapshot.
snapshot_config() {
	core_config '[capture]' 'mode = snapshot' "$@"
}

# snapshot_check_chain: published batches are numbered 1..N with no gap or
# duplicate, each `previous` names the batch before it, the first is a load,
# every manifest says mode snapshot, and no file carries changelog seqs
# (docs/design.md §5: first_seq/last_seq are null outside trigger mode).
snapshot_check_chain() {
	all_manifests >"$T/manifests.jsonl"
	jq -r -s '
		. as $m
		| [range(length) as $i | $m[$i] as $b
		   | ("src-" + ("0000000" + ($i + 1 | tostring))[-8:]) as $want
		   | if $b.batch.id != $want or $b.batch.seq != $i + 1
		       then "\($b.key): id \($b.batch.id) seq \($b.batch.seq), expected \($want)" else empty end,
		     (if $i == 0 then null else $m[$i - 1].batch.id end) as $prev
		     | if $b.batch.previous != $prev
		       then "\($want): previous is \($b.batch.previous), expected \($prev)" else empty end,
		     if $b.batch.mode != "snapshot" then "\($want): mode \($b.batch.mode)" else empty end,
		     if $i == 0 and $b.batch.kind != "load" then "\($want): the first batch is no load" else empty end,
		     ($b.tables[] | select(.first_seq != null or .last_seq != null)
		      | "\($want) \(.file): first_seq/last_seq are not null")]
		| .[]' "$T/manifests.jsonl" >"$T/chain.err"
	if [[ -s $T/chain.err ]]; then
		fail "published chain: $(cat "$T/chain.err")"
	fi
}

# snapshot_files: the snapshot files the state dir holds, one name a line.
snapshot_files() {
	find "$STATE_DIR/snapshot" -name '*.snap' -printf '%f\n' 2>/dev/null | LC_ALL=C sort
}
