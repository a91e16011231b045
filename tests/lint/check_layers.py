#!/usr/bin/env python3
"""The layering rule of docs/architecture.md, checked over src/ (`make lint`;
another root as the argument).

Each directory of src/ is a layer; a file may include headers of its own
layer and of the layers below it, never above. Drivers are private: a
header under src/source/NAME/ or src/target/NAME/ is included only by files
of that driver. Modules (a .c and its .h) form no include cycle.
Prints every violation and exits 1 if there is one."""
import os
import re
import sys

# Lowest first. source and target are siblings: neither includes the other.
RANK = {'base': 0, 'format': 1, 'source': 2, 'target': 2, 'batch': 3, 'diff': 4,
        'capture': 5, 'engine': 6, 'cli': 7}
# Headers the build writes (build/gen), each with the one base file that may
# include it: the makefile's COMMIT_H (ci/commit-header.sh).
GENERATED = {'commit.h': 'base/version.c'}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def files(root):
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith(('.c', '.h')):
                yield os.path.join(d, n)


def place(path, root):
    """(layer, driver dir or None) of a path under root (src/)."""
    parts = os.path.relpath(path, root).split(os.sep)
    if len(parts) < 2 or parts[0] not in RANK:
        sys.exit(f'{path}: not in a layer directory ({", ".join(RANK)})')
    driver = '/'.join(parts[:2]) if len(parts) > 2 else None
    return parts[0], driver


def main(root):
    paths = sorted(files(root))
    where = {os.path.basename(p): p for p in paths if p.endswith('.h')}
    bad, edges, count = [], {}, 0
    for p in paths:
        layer, driver = place(p, root)
        mod = os.path.splitext(os.path.basename(p))[0]
        for inc in INCLUDE.findall(open(p, encoding='utf-8').read()):
            hp = where.get(inc)
            if hp is None and GENERATED.get(inc) == os.path.relpath(p, root):
                continue
            if hp is None:
                bad.append(f'{p}: includes "{inc}", which is in no layer of src/')
                continue
            count += 1
            hl, hdriver = place(hp, root)
            if RANK[hl] > RANK[layer]:
                bad.append(f'{p} ({layer}) includes {hp} ({hl}): up a layer')
            elif RANK[hl] == RANK[layer] and hl != layer:
                bad.append(f'{p} ({layer}) includes {hp} ({hl}): across sibling layers')
            elif hdriver and hdriver != driver:
                bad.append(f'{p} includes {hp}: a driver\'s own header, from outside it')
            hmod = os.path.splitext(inc)[0]
            if hmod != mod:
                edges.setdefault(mod, set()).add(hmod)
    cycles = find_cycles(edges)
    for c in cycles:
        bad.append('include cycle: ' + ' -> '.join(c))
    for b in bad:
        print(b)
    print(f'layers: {len(paths)} files, {count} includes; upward or across: '
          f'{len(bad) - len(cycles)}, cycles: {len(cycles)}')
    return 1 if bad else 0


def find_cycles(edges):
    """Each module cycle once, as the path that closes it (depth-first)."""
    seen, stack, on, out = set(), [], set(), []

    def visit(m):
        seen.add(m)
        stack.append(m)
        on.add(m)
        for n in sorted(edges.get(m, ())):
            if n in on:
                out.append(stack[stack.index(n):] + [n])
            elif n not in seen:
                visit(n)
        stack.pop()
        on.discard(m)

    for m in sorted(edges):
        if m not in seen:
            visit(m)
    return out


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else 'src'))
