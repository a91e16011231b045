#!/usr/bin/env bash
# make install leaves a user the documents the installed man page sends
# them to: the man page says the configuration file is described in the
# README, installed in PREFIX/share/doc/cdcpack with docs/design.md, the
# threat model and the examples (the systemd units and cron wrapper README
# names); before, only the binary and the man page were installed, and
# "See the README" named a file that was nowhere on the machine.
source "$(dirname "$0")/../lib/common.sh"

inst=$T/inst
make -s -C "$ROOT" install DESTDIR="$inst" PREFIX=/usr >make.out 2>&1 || {
	cat make.out >&2
	fail "make install DESTDIR=$inst failed"
}
man=$inst/usr/share/man/man1/cdcpack.1
[[ -x $inst/usr/bin/cdcpack ]] || fail "no bin/cdcpack installed"
[[ -f $man ]] || fail "no man page installed"
grep -q "See the README for the" "$man" || fail "the man page no longer names the README"
grep -q "share/doc/cdcpack" "$man" || fail "the man page does not say where the README is installed"

doc=$inst/usr/share/doc/cdcpack
for f in README design.md threat-model.md examples/systemd/cdcpack@.service examples/cron/cdcpack-cron.sh; do
	[[ -f $doc/$f ]] || fail "make install did not install $f in share/doc/cdcpack"
done
cmp -s "$ROOT/README" "$doc/README" || fail "the installed README differs from the tree's"
# the configuration reference is in what was installed
grep -q '^Configuration reference$' "$doc/README" || fail "the installed README lacks its Configuration reference"
[[ -x $doc/examples/cron/cdcpack-cron.sh ]] || fail "the installed cron wrapper lost its x bit"
