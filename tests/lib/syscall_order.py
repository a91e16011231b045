#!/usr/bin/env python3
"""Checks from an strace log that every file cdcpack makes durable under the
given roots got there as write -> fsync(file) -> rename/link -> fsync(dir).

usage: syscall_order.py TRACE ROOT... [--skip PREFIX]...

TRACE is `strace -f -qq -y -o TRACE -e trace=%file,%desc` output (-y prints
each fd's path). Rules, for paths under a ROOT and not under a --skip prefix
(scratch dirs) nor SQLite's own files (*.db, *-wal, *-shm, *-journal, which
SQLite makes durable itself):
  - rename(A, B) or link(A, B): A, when written, was fsynced after its last
    write and before the rename/link; B's folder is fsynced after it;
  - mkdir(D): D's parent is fsynced after it;
  - a file created in place (O_CREAT) that is still there at the end: fsynced
    after its last write, and its folder fsynced after its creation.
Every folder fsync must come before the next write to a SQLite file (the
state, snapshot index or source database: the commit that relies on it) or
the end of the trace. Prints each violation; exits 1 when there is any.
"""
import os
import re
import sys

LINE = re.compile(r'^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)(?:<(.*)>)?')
FD = re.compile(r'^(-?\d+|AT_FDCWD)<([^>]*)>')
STR = re.compile(r'"((?:[^"\\]|\\.)*)"')


def sqlite_file(p):
    return p.endswith(('.db', '.db-wal', '.db-shm', '.db-journal'))


def main(argv):
    trace, args = argv[0], argv[1:]
    roots, skips = [], []
    while args:
        a = args.pop(0)
        if a == '--skip':
            skips.append(os.path.normpath(args.pop(0)))
        else:
            roots.append(os.path.normpath(a))

    def watched(p):
        p = os.path.normpath(p)
        if sqlite_file(p):
            return False
        if any(p == s or p.startswith(s + '/') for s in skips):
            return False
        return any(p.startswith(r + '/') for r in roots)

    errors = []
    last_write, last_fsync = {}, {}
    created = {}          # path -> index of its creation in place
    need = []             # [folder, index, what]: a folder fsync owed
    n = 0

    def absolute(dirfd_path, name):
        return os.path.normpath(name if name.startswith('/') else os.path.join(dirfd_path, name))

    def settle(folder, i):
        for nd in need:
            if nd[0] == folder and nd[1] < i:
                nd[0] = None

    def barrier(i, why):
        for nd in need:
            if nd[0] is not None:
                errors.append('%s: no fsync of folder %s before %s' % (nd[2], nd[0], why))
                nd[0] = None

    def durable_source(src, i, what):
        if src in last_write and last_fsync.get(src, -1) < last_write[src]:
            errors.append('%s: %s was not fsynced after its last write' % (what, src))

    for raw in open(trace, errors='replace'):
        m = LINE.match(raw)
        if not m:
            continue
        n += 1
        call, args_s, ret, ret_path = m.group(2), m.group(3), int(m.group(4)), m.group(5)
        if ret < 0:
            continue
        fd = FD.match(args_s)
        fd_path = fd.group(2) if fd else None
        strs = STR.findall(args_s)
        if call in ('write', 'pwrite64', 'writev', 'pwritev', 'ftruncate') and fd_path:
            if sqlite_file(fd_path):
                barrier(n, 'a write to %s' % fd_path)
            elif watched(fd_path):
                last_write[fd_path] = n
        elif call in ('fsync', 'fdatasync') and fd_path:
            last_fsync[fd_path] = n
            settle(os.path.normpath(fd_path), n)
        elif call in ('openat', 'open') and 'O_CREAT' in args_s and ret_path and watched(ret_path):
            p = os.path.normpath(ret_path)
            if p not in created and not os.path.isdir(p):
                created[p] = n
                need.append([os.path.dirname(p), n, 'created in place: %s' % p])
        elif call in ('rename', 'renameat', 'renameat2', 'link', 'linkat') and len(strs) >= 2:
            dirs = [x.group(2) for x in re.finditer(r'(?:AT_FDCWD|\d+)<([^>]*)>', args_s)]
            cwd = dirs[0] if dirs else '/'
            src = absolute(cwd, strs[0])
            dst = absolute(dirs[1] if len(dirs) > 1 else cwd, strs[1])
            if not watched(dst):
                continue
            what = '%s(%s -> %s)' % (call, src, dst)
            durable_source(src, n, what)
            need.append([os.path.dirname(dst), n, what])
            for table in (last_write, last_fsync):
                if src in table:
                    table[dst] = table[src]
            if call.startswith('rename'):
                # a side file renamed into place owes no folder fsync of its own
                need[:] = [nd for nd in need if nd[2] != 'created in place: %s' % src]
                created.pop(src, None)
                created.pop(dst, None)
                last_write.pop(src, None)
        elif call in ('mkdir', 'mkdirat') and strs:
            dirs = [x.group(1) for x in re.finditer(r'(?:AT_FDCWD|\d+)<([^>]*)>', args_s)]
            d = absolute(dirs[0] if dirs else '/', strs[0])
            if watched(d):
                need.append([os.path.dirname(d), n, 'mkdir(%s)' % d])
        elif call in ('unlink', 'unlinkat') and strs:
            dirs = [x.group(1) for x in re.finditer(r'(?:AT_FDCWD|\d+)<([^>]*)>', args_s)]
            p = absolute(dirs[0] if dirs else '/', strs[0])
            created.pop(p, None)
            last_write.pop(p, None)
    for p, i in created.items():
        if not os.path.exists(p):
            continue
        what = 'created in place: %s' % p
        durable_source(p, i, what)
    barrier(n + 1, 'the end of the run')
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
