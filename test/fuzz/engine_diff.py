#!/usr/bin/env python3
"""
Randomized differential tester: imgdiff's `flatten` against a real Docker engine.

    export DOCKER_HOST=$(../shared/tools/dockerd-up.sh)       # from the project root
    python3 test/fuzz/engine_diff.py --count 300 --seed 1 [--keep DIR] [--jobs 2] [--verbose]
    python3 test/fuzz/engine_diff.py --seed 1 --case 17 --verbose      # re-run one case
    python3 test/fuzz/engine_diff.py --count 5 --seed 1 --corrupt      # self-test: must report 5 disagreements
    python3 test/fuzz/engine_diff.py --quick [--count 150 --seed 1]    # for the test suite (see below)

Each case is a random image of 1-4 layers built byte by byte (Python stdlib only, no code shared
with src/) from a tiny path alphabet (a, b, c, d, and now and then a 105-byte component; depth <= 3)
so paths collide: files, directories, symlinks (relative, absolute, `..`, chains, loops, missing
targets, long targets), hard links (same layer, lower layer, through a symlinked directory, to
symlinks, to fifos and device nodes, to missing targets), fifos, char and block devices, whiteouts,
opaque markers, a `./` root entry, type changes, implied parents, set-uid/set-gid/sticky modes,
random member order, `./` names, and now and then a duplicate name. Rarer still, as PAX records:
long names (`path`) and link targets (`linkpath`), `SCHILY.xattr.security.capability` (a v2 blob)
and `SCHILY.xattr.user.x`, mtimes before 1970 or past 2262, uids/gids past the octal field; and
names or hard-link targets spelled `/a/b`, `../a/b` or `a/q/../b`. Also: GNU headers (long names and
link names as 'L' / 'K' records; uid, gid, size, mtime in base-256) and old v7 headers (no magic,
now and then typeflag NUL); name components that are not UTF-8 (held as surrogate escapes), so also
hard-link targets; xattrs (security.capability, user.*) on directories and on hard links into them;
AUFS bookkeeping: `.wh..wh.plnk/NAME` files and hard links to them (same layer, or refused: a
later one, or spelled `/.wh..wh.plnk/..`), `.wh..wh.aufs` / `.wh..wh.orph` names; a directory again
in a later layer (other mode and owner), a directory's own entry after its children; PAX global
headers ('g', now and then with mtime/uid/... records, which Go ignores, or named like a member).

The image is `docker load`ed; if Docker refuses it, imgdiff's flatten must exit 2 saying Docker
refuses it. Otherwise `docker create` + `docker export` is listed by test/judge/list_tar.py, and so
is imgdiff's `flatten` (SOURCE_DATE_EPOCH=UNPACK_TIME), and the two are compared as
test/fidelity.test.ts does: entry by entry, all fields; the files a container adds are set aside;
entries whose mtime Docker set to the time it unpacked (every mtime the generator writes is from
2020-2022 or out of [1970, 2262]; Docker reuses layers it holds, so any time from 2023 to now
counts) must carry UNPACK_TIME in imgdiff's output, other fields equal; `dev` and `etc` (touched
by Docker's init layer) may be missing from imgdiff's output. (Docker's export has no root entry,
so a `./` entry shows only through what it does to the rest, e.g. a set-gid root's implied parents.)

A disagreement is saved to --keep DIR (case tar, Docker's export, imgdiff's output, JSON diff) and
minimized (layers and members dropped, attributes reset, while a disagreement of the same kind
persists); the minimized reproducer is saved next to it. Exit 1 if any disagreement.

--quick: no minimizing, nothing written unless a disagreement (then its case is kept as above),
per-case lines only for disagreements (on stderr), and one JSON line at the end on stdout:
{"cases":N,"loaded":..,"refused":..,"agreed":..,"disagreed":..,"signatures":[..]}; exit 1 on any
disagreement. Every container and image a run makes (containers labelled engine-diff.run=RUNID,
images tagged engine-diff/RUNID-*) is removed when it ends, also on an error, Ctrl-C or SIGTERM.
"""
import argparse
import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'test', 'judge'))
from list_tar import listing  # noqa: E402  (the independent judge)
sys.path.insert(0, os.path.join(ROOT, 'fixtures', 'fidelity'))
from cases import docker_save  # noqa: E402  (how a docker save is laid out)

DOCKERD_UP = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'tools', 'dockerd-up.sh'))
UNPACK_TIME = 1_777_777_777
LOAD_TIMEOUT = 60   # a load takes a second or two; one that hangs is reported (signature "docker load-timeout")
RUNTIME = {'.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab', 'dev/console', 'dev/pts', 'dev/shm', 'proc', 'sys', 'run',
           'run/.containerenv'}
RUNTIME_PREFIXES = ('proc/', 'sys/', 'dev/pts/', 'dev/shm/', 'run/')
RUNTIME_DIRS = {'dev', 'etc'}
REFUSAL_WORDS = ('Docker cannot unpack', 'docker load refuses')

T1 = 1577836800  # 2020-01-01
T2 = 1609459200  # 2021-01-01
T3 = 1640995200  # 2022-01-01
TIMES = [T1, T2, T3, T1 + 7 * 86400 + 13]
# Rare mtimes: the epoch, before it (PAX), and past 2262 (PAX; Go's time.UnixNano overflows there, and
# Docker sets a file's or directory's time out of [1970, 2262] to the epoch).
ODD_TIMES = [0, -1, -100, -86400 * 400, 9_300_000_000, 2 ** 34, 253_402_300_799]
ALPHA = ['a', 'b', 'c', 'd']
LONG = 'L' * 60 + 'ong' * 15          # a 105-byte component: names and link targets go through PAX path / linkpath
FILE_MODES = [0o644] * 5 + [0o755, 0o600, 0o4755, 0o2711, 0o000, 0o1644, 0o444, 0o6755, 0o7777, 0o2644]
DIR_MODES = [0o755] * 5 + [0o700, 0o1777, 0o750, 0o2775, 0o555, 0o000, 0o3777, 0o4755, 0o7755]
ROOT_MODES = [0o755, 0o755, 0o2775, 0o1777, 0o700, 0o2755, 0o3777, 0o750]
SPECIAL_MODES = [0o644, 0o666, 0o600, 0o620, 0o4644, 0o1666, 0o2660]
# Harmless numbers only: Docker (Go's os.RemoveAll) opens a whiteout's parent, and on the engine's host these are real devices.
DEVICES = {'char': [(1, 3), (1, 5), (1, 7), (1, 9)], 'block': [(7, 0), (7, 1), (7, 7)]}
IDS = [0, 0, 0, 0, 1, 1000, 65534]
BIG_IDS = [1_000_680_000, 2_097_152, 65_536, 4_294_967_294]   # the first two need PAX uid/gid
DATA = ['', 'x', 'hello', 'yy\n', 'B' * 700]
XATTR_USER = ['v', 'hello', '']
XATTR_USER_KEYS = ['user.x', 'user.x', 'user.mime_type', 'user.' + 'k' * 40]
# Components that are not UTF-8 (held as surrogate escapes; raw() gives the bytes back).
RAW = [b'\xff\xfe'.decode('utf-8', 'surrogateescape'), b'r\xe9'.decode('utf-8', 'surrogateescape'),
       b'\xc3('.decode('utf-8', 'surrogateescape')]
PLNK = '.wh..wh.plnk'
PLNK_NAMES = ['1.2', '7.9', 'a', RAW[0]]
# AUFS metadata Docker skips (root level `.wh..wh.*`): (name, type)
AUFS_META = [('.wh..wh.aufs', 'file'), ('.wh..wh.orph/', 'dir'), ('.wh..wh.orph/a', 'file'), (PLNK + '/', 'dir'),
             (PLNK + '/d/', 'dir'), (PLNK + '/s', 'sym'), ('.wh..wh.aufs', 'dir')]

# Docker reuses a layer it already holds (same chain id) without unpacking it again, so "unpack time"
# can be any moment since the engine first saw the layer: every time after the generator's own times
# (2020-2022) counts as unpack time.
UNPACK_AFTER = 1672531200  # 2023-01-01
UNPACK_BEFORE = int(time.time()) + 2 * 86400   # the generator's far-future times are past 2262

# ------------------------------------------------------------------ tar bytes


def _octal(value, width):
    return format(value, 'o').encode().rjust(width - 1, b'0') + b'\0'


def _b256(value, width):
    """GNU base-256 number: high bit set, two's complement big-endian."""
    out = (value % (1 << (8 * width))).to_bytes(width, 'big')
    return bytes([out[0] | 0x80]) + out[1:]


def raw(s):
    """A name's bytes: names that are not UTF-8 are held as surrogate escapes."""
    return s if isinstance(s, bytes) else s.encode('utf-8', 'surrogateescape')


def header(name, typeflag, size=0, mode=0o644, uid=0, gid=0, mtime=T1, linkname='', dev=(0, 0), fmt='ustar', b256=()):
    """fmt: 'ustar', 'gnu' (magic "ustar  ") or 'v7' (no magic, no owner names, no device numbers);
    b256: the fields (uid, gid, size, mtime) written as GNU base-256 numbers."""
    num = lambda f, v, w: _b256(v, w) if f in b256 else _octal(v, w)  # noqa: E731
    b = bytearray(512)
    b[0:100] = raw(name).ljust(100, b'\0')[:100]
    b[100:108] = _octal(mode, 8)
    b[108:116] = num('uid', uid, 8)
    b[116:124] = num('gid', gid, 8)
    b[124:136] = num('size', size, 12)
    b[136:148] = num('mtime', mtime, 12)
    b[148:156] = b' ' * 8
    b[156:157] = typeflag
    b[157:257] = raw(linkname).ljust(100, b'\0')[:100]
    if fmt != 'v7':
        b[257:265] = b'ustar  \x00' if fmt == 'gnu' else b'ustar\x0000'
        b[265:297] = b'root'.ljust(32, b'\0')
        b[297:329] = b'root'.ljust(32, b'\0')
        b[329:337] = _octal(dev[0], 8)
        b[337:345] = _octal(dev[1], 8)
    b[148:156] = format(sum(b), '06o').encode() + b'\0 '
    return bytes(b)


def pax_member(records, typeflag=b'x', name='PaxHeaders/x'):
    """A PAX extended header ('x', or a global one, 'g') carrying `records` (str -> str or bytes)."""
    body = b''
    for key, value in records.items():
        v = value if isinstance(value, bytes) else raw(str(value))
        rec = b' ' + key.encode() + b'=' + v + b'\n'
        n = len(rec) + 1
        while len(str(n)) + len(rec) != n:
            n = len(str(n)) + len(rec)
        body += str(n).encode() + rec
    return header(name, typeflag, size=len(body), mode=0o644, mtime=0) + body + b'\0' * ((-len(body)) % 512)


def gnu_long(typeflag, value):
    """A GNU long name ('L') or long link name ('K') record."""
    data = raw(value) + b'\0'
    return header('././@LongLink', typeflag, size=len(data), mode=0o644, mtime=0, fmt='gnu') + data + b'\0' * ((-len(data)) % 512)


def cap_blob(permitted, inheritable=0):
    """A VFS_CAP_REVISION_2 security.capability value: magic_etc (0x02000001, little-endian), then
    permitted and inheritable, low words first, then the high words."""
    return (0x02000001).to_bytes(4, 'little') + b''.join(
        x.to_bytes(4, 'little') for x in (permitted & 0xffffffff, inheritable & 0xffffffff, permitted >> 32, inheritable >> 32))


def spelled(name, form):
    """`name` as the tar writes it: absolute (/a/b), climbing (../a/b) or with a detour (a/q/../b)."""
    if not form or form == 'pax':
        return name
    if form == 'abs':
        return '/' + name
    if form == 'up':
        return '../' + name
    q, _, at = form.partition(':')[2].partition('@')    # 'mid:q@i': q/.. before component i
    slash = '/' if name.endswith('/') else ''
    parts = name.rstrip('/').split('/')
    i = min(int(at), len(parts) - 1)
    return '/'.join(parts[:i] + [q, '..'] + parts[i:]) + slash


def member_name(m):
    """The tar name of a member (see Gen.member for the fields), before any respelling."""
    k, p = m['k'], m['path']
    if k == 'root':
        return './'
    if k in ('plnk', 'aufs', 'g'):
        return p
    if k == 'wh':
        head, _, base = p.rpartition('/')
        name = (head + '/' if head else '') + '.wh.' + base
    elif k == 'opq':
        name = (p + '/' if p else '') + '.wh..wh..opq'
    else:
        name = p
    if m.get('dot'):
        name = './' + name
    if k == 'dir' and not m.get('noslash'):
        name += '/'
    return name


TYPEFLAGS = {'plnk': b'0', 'g': b'g', 'file': b'0', 'wh': b'0', 'opq': b'0', 'dir': b'5', 'root': b'5', 'sym': b'2', 'hard': b'1', 'fifo': b'6', 'char': b'3', 'block': b'4'}


AUFS_TYPES = {'file': b'0', 'dir': b'5', 'sym': b'2'}


def member_bytes(m):
    k = m['k']
    name = spelled(member_name(m), m.get('nform'))
    if k == 'g':     # a PAX global header: records only
        return pax_member(m.get('recs', {}), b'g', name)
    link = m.get('target', '')
    if k == 'hard':
        link = spelled(link, m.get('tform'))
    data = raw(m.get('data', '')) if k in ('file', 'wh', 'opq', 'plnk') or (k == 'aufs' and m.get('tf') == 'file') else b''
    mtime, uid, gid = m.get('mtime', T1), m.get('uid', 0), m.get('gid', 0)
    fmt = m.get('fmt', 'ustar')
    b256 = set(m.get('b256', ())) if fmt == 'gnu' else set()
    pax, pre = {}, b''
    if fmt == 'gnu' and len(raw(name)) > 100 and m.get('nform') != 'pax':
        pre += gnu_long(b'L', name)
        name = raw(name)[:100]
    elif len(raw(name)) > 100 or m.get('nform') == 'pax':
        pax['path'] = name
        name = 'pax-placeholder' + ('/' if name.endswith('/') else '')
    if fmt == 'gnu' and len(raw(link)) > 100 and m.get('tform') != 'pax':
        pre += gnu_long(b'K', link)
        link = raw(link)[:100]
    elif len(raw(link)) > 100 or (link and m.get('tform') == 'pax'):
        pax['linkpath'] = link
        link = 'pax-placeholder'
    if fmt == 'gnu' and (mtime < 0 or mtime >= 8 ** 11):
        b256.add('mtime')
    elif mtime < 0 or mtime >= 8 ** 11:
        pax['mtime'] = str(mtime)
        mtime = 0
    if fmt == 'gnu' and uid >= 8 ** 7:
        b256.add('uid')
    elif uid >= 8 ** 7:
        pax['uid'] = str(uid)
        uid = 0
    if fmt == 'gnu' and gid >= 8 ** 7:
        b256.add('gid')
    elif gid >= 8 ** 7:
        pax['gid'] = str(gid)
        gid = 0
    for key, value in sorted(m.get('xattrs', {}).items()):
        pax['SCHILY.xattr.' + key] = bytes.fromhex(value)
    tf = AUFS_TYPES[m.get('tf', 'file')] if k == 'aufs' else TYPEFLAGS[k]
    if fmt == 'v7' and tf == b'0' and m.get('nul'):
        tf = b'\0'
    head = header(name, tf, size=len(data), mode=m.get('mode', 0o644), uid=uid, gid=gid, mtime=mtime, linkname=link,
                  dev=tuple(m.get('dev', (0, 0))), fmt=fmt, b256=b256)
    return pre + (pax_member(pax) if pax else b'') + head + data + b'\0' * ((-len(data)) % 512)


def layer_bytes(members):
    return b''.join(member_bytes(m) for m in members) + b'\0' * 1024


def save_archive(layers, tag):
    # The docker save around the layers is the fidelity cases' own (test-side code, not src/).
    return docker_save([layer_bytes(l) for l in layers], tag, f'engine_diff {tag}', cmd=('/x',))

# ------------------------------------------------------------------ random images


def rand_path(rng, depth=None):
    depth = depth or rng.choice([1, 1, 2, 2, 2, 3])
    return '/'.join(LONG if r < 0.02 else rng.choice(RAW) if r < 0.035 else rng.choice(ALPHA) for r in (rng.random() for _ in range(depth)))


class Gen:
    """Random members, biased (not restricted) towards images Docker loads: a rough model of the tree
    (symlinks followed, `..` clamped at the root) says which candidates would be refused, and those
    are kept only now and then."""

    def __init__(self, rng):
        self.rng = rng
        self.known = set()     # every path named so far (and their parents)
        self.files = []        # paths written as files or hard links
        self.specials = []     # paths written as fifos or device nodes
        self.dirs = []
        self.syms = []         # (path, target)
        self.state = {'': ('dir', None)}   # resolved path -> (type, symlink target)
        self.layer_dirs = set()             # resolved paths of this layer's directory entries
        self.plnk = set()                   # this layer's `.wh..wh.plnk/NAME` files (NAME)
        self.plnk_all = []                  # every layer's

    # -- the rough model
    def resolve(self, path, follow_last=False, hops=0):
        """Resolved path, or None when Docker would fail (a file or a dangling link on the way, a loop)."""
        if hops > 20:
            return None
        cur = ''
        parts = [c for c in path.split('/') if c not in ('', '.')]
        for i, c in enumerate(parts):
            last = i == len(parts) - 1
            if c == '..':
                cur = cur.rpartition('/')[0]
                continue
            nxt = cur + '/' + c if cur else c
            t = self.state.get(nxt)
            if t and t[0] == 'sym' and (not last or follow_last):
                tgt = t[1]
                base = '' if tgt.startswith('/') else cur
                r = self.resolve((base + '/' if base else '') + tgt.lstrip('/') if tgt.strip('/') else base, True, hops + 1)
                if r is None:
                    return None
                if r not in self.state or (not last and self.state[r][0] != 'dir'):
                    return None
                cur = r
            elif t and t[0] != 'dir' and not last:
                return None
            else:
                cur = nxt
        return cur

    def drop_under(self, p):
        prefix = p + '/' if p else ''
        for q in [q for q in self.state if q and q.startswith(prefix)]:
            del self.state[q]

    def hangs(self, m):
        """A whiteout whose parent is (or may be) a fifo: Docker's os.RemoveAll opens the parent without
        O_NONBLOCK and `docker load` never returns (a stuck docker-applyLayer); never generated."""
        if m['k'] not in ('wh', 'g') or not self.specials:
            return False
        parent = m['path'].rpartition('/')[0]
        if not parent:
            return False
        rp = self.resolve(parent, True)
        return rp is None or self.state.get(rp, ('',))[0] == 'special' or parent in self.specials

    def valid(self, m):
        k, p = m['k'], m['path']
        if k in ('root', 'plnk', 'aufs'):
            return True
        if k == 'g' and p == 'pax_global_header':
            return True
        if k == 'opq':
            r = self.resolve(p, True) if p else ''
            return r is not None
        parent, _, base = p.rpartition('/')
        rp = self.resolve(parent, True) if parent else ''
        if rp is None or self.state.get(rp, ('dir',))[0] != 'dir':
            return False
        full = (rp + '/' if rp else '') + base
        # Docker sets directory times at the end of the layer: a directory entry of this layer that
        # a later member removes (or puts under a non-directory) makes that fail.
        if k != 'dir' and any(d.startswith(full + '/') or (d == full and k in ('wh', 'sym', 'g')) for d in self.layer_dirs):
            return False
        if k == 'hard' and os.path.normpath(m['target']).startswith(PLNK) and not m['target'].startswith('/'):
            return m['target'].rpartition('/')[2] in self.plnk        # Docker keeps a layer's plnk files for that layer only
        if k == 'hard':   # Docker removes what is at the member's path first
            t = self.resolve(m['target'], False)
            return t is not None and t != full and not t.startswith(full + '/') and self.state.get(t, ('missing',))[0] in ('file', 'sym', 'special')
        if k == 'sym':
            return m['target'] != ''
        return True

    def apply(self, m):
        k, p = m['k'], m['path']
        if k in ('root', 'aufs'):
            return
        if k == 'plnk':
            self.plnk.add(p.rpartition('/')[2])
            self.plnk_all.append(p.rpartition('/')[2])
            return
        parent, _, base = p.rpartition('/')
        rp = self.resolve(parent, True) if parent else ''
        if rp is None:
            return
        # implied parents
        parts = rp.split('/') if rp else []
        for i in range(1, len(parts) + 1):
            self.state.setdefault('/'.join(parts[:i]), ('dir', None))
        if k == 'opq':
            r = self.resolve(p, True) if p else ''
            if r is not None and self.state.get(r, ('',))[0] == 'dir':
                self.drop_under(r)
            return
        full = (rp + '/' if rp else '') + base
        if k in ('wh', 'g'):      # a global header's name is removed like any other member's, then nothing is made
            self.state.pop(full, None)
            self.drop_under(full)
            return
        old = self.state.get(full, ('missing',))[0]
        if k == 'dir':
            if old != 'dir':
                self.drop_under(full)
            self.state[full] = ('dir', None)
            self.layer_dirs.add(full)
            return
        self.drop_under(full)
        if k == 'sym':
            self.state[full] = ('sym', m['target'])
        elif k == 'hard' and os.path.normpath(m['target']).startswith(PLNK):
            self.state[full] = ('file', None)
        elif k == 'hard':
            t = self.resolve(m['target'], False)
            self.state[full] = self.state.get(t, ('file', None))
        elif k in ('fifo', 'char', 'block'):
            self.state[full] = ('special', None)
        else:
            self.state[full] = ('file', None)

    # -- candidates
    def pick_path(self, child_ok=True):
        rng = self.rng
        if self.known and rng.random() < 0.6:
            p = rng.choice(sorted(self.known))
            if child_ok and p.count('/') < 2 and rng.random() < 0.35:
                p += '/' + rng.choice(ALPHA)
            return p
        return rand_path(rng)

    def note(self, p):
        parts = p.split('/')
        for i in range(1, len(parts) + 1):
            self.known.add('/'.join(parts[:i]))

    def sym_target(self, p):
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            return self.pick_path(child_ok=False)                       # relative, often an existing name
        if r < 0.40:
            return '../' * rng.randint(1, 3) + rand_path(rng, rng.choice([1, 2]))
        if r < 0.58:
            return '/' + self.pick_path(child_ok=False)                 # absolute
        if r < 0.60:
            return '/'
        if r < 0.62:
            return rng.choice(['/' + LONG + '/a', LONG, 'a/' + LONG + '/' + LONG])  # linkpath
        if r < 0.67:
            return rng.choice(['.', '..', './' + rng.choice(ALPHA), rng.choice(ALPHA) + '/..'])
        if r < 0.75:
            return rng.choice(['missing', 'a/missing', '/nowhere/x'])
        if r < 0.90 and self.syms:
            s = rng.choice(self.syms)[0]                                 # a chain
            return rng.choice([s, '/' + s])
        if r < 0.93:
            return p.rpartition('/')[2]                                 # a loop onto itself
        if self.dirs:
            return rng.choice(self.dirs)
        return rand_path(rng)

    def hard_target(self):
        rng = self.rng
        r = rng.random()
        if self.plnk_all and rng.random() < 0.3:                         # an AUFS hard link (same layer, or an earlier one)
            n = rng.choice(sorted(self.plnk)) if self.plnk and rng.random() < 0.8 else rng.choice(self.plnk_all)
            return rng.choice(['', '', '', './', '/']) + PLNK + '/' + n
        if self.specials and rng.random() < 0.15:
            t = rng.choice(self.specials)                                # a fifo or a device node
        elif r < 0.55 and self.files:
            t = rng.choice(self.files)
        elif r < 0.70 and self.syms:
            s = rng.choice(self.syms)[0]                                 # through a symlinked dir
            t = s + '/' + rng.choice(ALPHA)
        elif r < 0.80 and self.syms:
            t = rng.choice(self.syms)[0]                                 # to a symlink
        elif r < 0.85 and self.dirs:
            t = rng.choice(self.dirs)                                    # to a directory
        elif r < 0.93:
            t = rand_path(rng)                                          # often missing
        elif self.files:
            t = rng.choice(self.files)
        else:
            t = rand_path(rng)
        if rng.random() < 0.1:
            t = './' + t
        return t

    def ids(self):
        rng = self.rng
        return rng.choice(BIG_IDS) if rng.random() < 0.03 else rng.choice(IDS)

    def member(self, kind):
        rng = self.rng
        p = self.pick_path()
        mtime = rng.choice(ODD_TIMES) if rng.random() < 0.04 else rng.choice(TIMES)
        m = {'k': kind, 'path': p, 'mtime': mtime, 'uid': self.ids(), 'gid': self.ids()}
        if kind == 'file':
            m.update(mode=rng.choice(FILE_MODES), data=rng.choice(DATA))
        elif kind == 'plnk':
            m.update(path=PLNK + '/' + rng.choice(PLNK_NAMES), mode=rng.choice(FILE_MODES), data=rng.choice(DATA))
        elif kind == 'aufs':
            name, tf = rng.choice(AUFS_META)
            m.update(path=name.rstrip('/') + ('/' if tf == 'dir' else ''), tf=tf, mode=0o755 if tf == 'dir' else 0o644,
                     data='aufs' if tf == 'file' else '')
            if tf == 'sym':
                m.update(target='../a', mode=0o777)
        elif kind == 'g':
            recs = {'comment': rng.choice(['x', 'git-sha 0123456789abcdef', RAW[1]])}
            if rng.random() < 0.4:   # POSIX says these apply to the members after; Go (Docker) ignores them
                recs[rng.choice(['mtime', 'uid', 'gid', 'uname', 'SCHILY.xattr.user.g'])] = rng.choice(['1234567890', '1000', 'nobody'])
            m = {'k': 'g', 'path': p if rng.random() < 0.15 else 'pax_global_header', 'recs': recs}
            return m
        elif kind == 'dir':
            if self.dirs and rng.random() < 0.3:     # a directory again (dir over dir: content kept, metadata changed)
                m['path'] = rng.choice(self.dirs)
            m.update(mode=rng.choice(DIR_MODES))
            if rng.random() < 0.08:
                m['noslash'] = True
        elif kind == 'root':
            m.update(path='', mode=rng.choice(ROOT_MODES))
        elif kind in ('fifo', 'char', 'block'):
            m.update(mode=rng.choice(SPECIAL_MODES))
            if kind != 'fifo':
                m['dev'] = list(rng.choice(DEVICES[kind]))
        elif kind == 'sym':
            m.update(mode=0o777 if rng.random() < 0.85 else 0o755, target=self.sym_target(p))
        elif kind == 'hard':
            m.update(mode=rng.choice(FILE_MODES), target=self.hard_target())
            if rng.random() < 0.08:
                m['tform'] = self.form()
        elif kind == 'wh':
            m.update(mode=0, uid=0, gid=0)
        elif kind == 'opq':
            if rng.random() < 0.07:
                p = m['path'] = ''                                      # the root
            elif self.dirs and rng.random() < 0.6:
                p = m['path'] = rng.choice(self.dirs)
            m.update(mode=0, uid=0, gid=0)
        xrate = {'file': 0.1, 'dir': 0.06, 'plnk': 0.15, 'hard': 0.12 if '/' in m.get('target', '') else 0.03}.get(kind, 0)
        if rng.random() < xrate:
            x = {}
            if rng.random() < 0.75:
                x['security.capability'] = cap_blob(rng.choice([1 << 10, 1 << 13, 1 | 1 << 21, 1 << 35]), rng.choice([0, 0, 1 << 10])).hex()
            if not x or rng.random() < 0.4:
                x[rng.choice(XATTR_USER_KEYS)] = rng.choice(XATTR_USER).encode().hex()
            m['xattrs'] = x
        if kind not in ('root', 'aufs') and rng.random() < 0.12:
            m['dot'] = True
        if kind not in ('root', 'plnk', 'aufs') and rng.random() < 0.06:
            m['nform'] = self.form()
        r = rng.random()
        if r < 0.06:            # a GNU header: long names as 'L' / 'K' records, big or negative numbers in base-256
            m['fmt'] = 'gnu'
            if rng.random() < 0.4:
                m['b256'] = sorted(rng.sample(['uid', 'gid', 'size', 'mtime'], rng.randint(1, 4)))
        elif r < 0.10 and kind in ('file', 'dir', 'sym', 'hard', 'wh', 'opq'):
            m['fmt'] = 'v7'     # no ustar magic
            if kind in ('file', 'wh', 'opq') and rng.random() < 0.4:
                m['nul'] = True  # typeflag NUL
        return m

    def form(self):
        """How a name (or a hard link's target) is spelled: see spelled()."""
        rng = self.rng
        return rng.choice(['abs', 'abs', 'up', 'pax', f'mid:{rng.choice(ALPHA)}@{rng.randint(0, 2)}', 'mid:..@0'])

    def layer(self, risk):
        rng = self.rng
        members, names = [], set()
        self.layer_dirs = set()
        self.plnk = set()
        for _ in range(rng.randint(1, 9)):
            kind = rng.choices(['file', 'dir', 'sym', 'hard', 'wh', 'opq', 'dup', 'fifo', 'char', 'block', 'root', 'plnk', 'aufs', 'g', 'dirafter'],
                               [30, 22, 14, 10, 12, 5, 0.5, 1.5, 1.5, 1, 1.5, 2, 0.8, 1.2, 2.5])[0]
            if kind == 'root' and any(m['k'] == 'root' for m in members):
                continue
            if self.plnk_all and rng.random() < 0.12:
                kind = 'hard'         # AUFS hard links are rare otherwise (hard_target picks a plnk file at 0.3)
            if kind == 'dirafter':    # a directory's own entry after its children, same layer
                parents = sorted({m['path'].rpartition('/')[0] for m in members if m['k'] not in ('plnk', 'aufs', 'g', 'root')} - {''})
                if not parents:
                    continue
                m = self.member('dir')
                m.update(path=rng.choice(parents))
                m.pop('noslash', None)
                if os.path.normpath(member_name(m)) in names or not self.valid(m):
                    continue
            elif kind == 'dup':
                if not members:
                    continue
                old = rng.choice(members)
                m = dict(old, k=rng.choice(['file', 'dir']) if old['k'] in ('file', 'dir') else old['k'], dot=not old.get('dot'), data='dup')
                m.setdefault('mode', 0o644)
            else:
                careless = rng.random() < risk
                for _attempt in range(10):
                    m = self.member(kind)
                    if os.path.normpath(member_name(m)) not in names and not self.hangs(m) and (careless or self.valid(m)):
                        break
                else:
                    continue
            names.add(os.path.normpath(member_name(m)))
            members.append(m)
            self.apply(m)
            if m['k'] in ('fifo', 'char', 'block'):
                self.note(m['path'])
                self.specials.append(m['path'])
            elif m['k'] in ('root', 'plnk', 'aufs', 'g'):
                pass
            elif m['k'] in ('file', 'dir', 'sym', 'hard'):
                self.note(m['path'])
                if m['k'] in ('file', 'hard'):
                    self.files.append(m['path'])
                elif m['k'] == 'dir':
                    self.dirs.append(m['path'])
                else:
                    self.syms.append((m['path'], m['target']))
            elif m['path']:
                self.note(m['path'])
        return members


def gen_image(seed, index):
    rng = random.Random(f'{seed}:{index}')
    g = Gen(rng)
    risk = rng.choice([0.0, 0.02, 0.05, 0.15])   # how often a candidate the model thinks Docker refuses is kept
    return [g.layer(risk) for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 3, 4]))]


def describe_member(m):
    k = m['k']
    mt = m.get('mtime', T1)
    t = time.strftime('%Y-%m-%d', time.gmtime(mt)) if 0 < mt < 8 ** 11 else f'mtime={mt}'
    own = f"{m.get('uid', 0)}:{m.get('gid', 0)}"
    shown = lambda s: raw(s).decode('utf-8', 'backslashreplace')  # noqa: E731
    name = shown(spelled(member_name(m), m.get('nform')))
    if len(name) > 40:
        name = name.replace(LONG, 'LONG')
    extra = ''
    if m.get('nform') == 'pax':
        extra += ' (PAX path)'
    if m.get('fmt'):
        extra += f" ({m['fmt']}{' typeflag NUL' if m.get('nul') else ''}{' base-256 ' + ','.join(m['b256']) if m.get('b256') else ''})"
    if m.get('xattrs'):
        extra += ' xattrs=' + ','.join(f'{x}={v}' for x, v in sorted(m['xattrs'].items()))
    if k == 'g':
        return f"g     {name}  " + ' '.join(f'{x}={shown(v)}' for x, v in m.get('recs', {}).items())
    if k == 'aufs':
        k = m.get('tf', 'file')
        if k == 'sym':
            return f"sym   {name} -> {m.get('target', '')}  0777 {own} {t}{extra}"
        if k == 'dir':
            return f"dir   {name}  {m.get('mode', 0):04o} {own} {t}{extra}"
    if k == 'plnk':
        k = 'file' 
    if k in ('file', 'wh', 'opq'):
        d = m.get('data', '')
        return f"{'file' if k == 'file' else k:5} {name}  {m.get('mode', 0):04o} {own} {t} data={d[:12]!r}{'...' if len(d) > 12 else ''}{extra}"
    if k in ('dir', 'root'):
        return f"{k:5} {name}  {m.get('mode', 0):04o} {own} {t}{extra}"
    if k in ('fifo', 'char', 'block'):
        dev = f" {m['dev'][0]},{m['dev'][1]}" if 'dev' in m else ''
        return f"{k:5} {name}{dev}  {m.get('mode', 0):04o} {own} {t}{extra}"
    target = shown(m['target'] if k == 'sym' else spelled(m['target'], m.get('tform')))
    target = target.replace(LONG, 'LONG') + (' (PAX linkpath)' if m.get('tform') == 'pax' else '')
    if k == 'sym':
        return f"sym   {name} -> {target}  {m.get('mode', 0):04o} {own} {t}{extra}"
    return f"hard  {name} => {target}  {m.get('mode', 0):04o} {own} {t}{extra}"


def describe(layers):
    out = []
    for i, l in enumerate(layers):
        out.append(f'layer {i + 1}:' + ('' if l else ' (empty)'))
        out.extend('  ' + describe_member(m) for m in l)
    return out

# ------------------------------------------------------------------ the engine and imgdiff


def run(cmd, env=None, timeout=300):
    """A finished command; one that outlives `timeout` is killed and reported as exit 124 (a stuck
    engine call is a result to report, not a reason to stop the run)."""
    try:
        return subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 124, '', f'engine_diff: {" ".join(cmd[:2])} timed out after {timeout}s')


class Engine:
    def __init__(self, host, runid):
        self.env = dict(os.environ, DOCKER_HOST=host)
        self.lock = threading.Lock()
        self.containers, self.tags = [], []
        self.runid = runid
        self.label = f'engine-diff.run={runid}'

    def docker(self, *args, timeout=300):
        return run(['docker', *args], env=self.env, timeout=timeout)

    def defer(self, cid=None, tag=None):
        with self.lock:
            if cid:
                self.containers.append(cid)
            if tag:
                self.tags.append(tag)
            big = len(self.containers) + len(self.tags) >= 40
        if big:
            self.flush()

    def flush(self):
        with self.lock:
            cs, ts = self.containers, self.tags
            self.containers, self.tags = [], []
        if cs:
            self.docker('rm', '-f', *cs)
        if ts:
            self.docker('rmi', '-f', *ts)

    def sweep(self):
        """Remove every container and image this run made, whatever state it stopped in."""
        self.flush()
        cs = self.docker('ps', '-aq', '--filter', 'label=' + self.label).stdout.split()
        if cs:
            self.docker('rm', '-f', *cs)
        imgs = [t for t in self.docker('images', '--format', '{{.Repository}}:{{.Tag}}').stdout.split()
                if t.startswith(f'engine-diff/{self.runid}-')]
        if imgs:
            self.docker('rmi', '-f', *imgs)


def _pax_records(body):
    """key -> (offset of the value in body, value) of a PAX header's records."""
    out, p = {}, 0
    while p < len(body) and body[p:p + 1] not in (b'', b'\0'):
        space = body.index(b' ', p)
        n = int(body[p:space])
        key, _, value = body[space + 1:p + n - 1].partition(b'=')
        out[key.decode('utf-8', 'replace')] = (space + 1 + len(key) + 1, value)
        p += n
    return out


def corrupt_tar(path, rng):
    """Self-test: change one entry of imgdiff's output in place: a mode bit, the mtime, a device
    number, or a byte of a security.capability xattr (PAX record, same length)."""
    data = bytearray(open(path, 'rb').read())
    heads = []        # (header offset, {pax key: (absolute value offset, value)})
    pos, pax = 0, {}
    while pos + 512 <= len(data) and data[pos:pos + 512] != bytes(512):
        size = int(data[pos + 124:pos + 136].strip(b' \0') or b'0', 8)
        flag = data[pos + 156:pos + 157]
        if flag == b'x':
            pax = {k: (pos + 512 + o, v) for k, (o, v) in _pax_records(bytes(data[pos + 512:pos + 512 + size])).items()}
        elif flag in (b'0', b'\0', b'5', b'2', b'1', b'3', b'4', b'6'):
            heads.append((pos, pax))
            pax = {}
        pos += 512 + (0 if flag in (b'1', b'2', b'3', b'4', b'5', b'6') else (size + 511) // 512 * 512)
    heads = [(h, x) for h, x in heads if data[h:h + 100].rstrip(b'\0') not in (b'./', b'.', b'/')]   # the judge skips the root
    if not heads:
        return 'nothing to corrupt'
    caps = [(h, x) for h, x in heads if 'SCHILY.xattr.security.capability' in x]
    devs = [(h, x) for h, x in heads if data[h + 156:h + 157] in (b'3', b'4')]
    r = rng.random()
    if caps and r < 0.5:
        h, x = rng.choice(caps)
        at, value = x['SCHILY.xattr.security.capability']
        i = rng.randrange(4, len(value)) if len(value) > 4 else 0
        data[at + i] ^= 0x03 if data[at + i] == 0x0b else 0x01    # never a newline
        name = x['path'][1].decode('utf-8', 'replace') if 'path' in x else data[h:h + 100].rstrip(b'\0').decode('latin-1')
        open(path, 'wb').write(bytes(data))
        return f'security.capability byte {i} of {name}'
    if devs and r < 0.8:
        h, x = rng.choice(devs)
        minor = int(data[h + 337:h + 345].strip(b' \0') or b'0', 8) + 1
        data[h + 337:h + 345] = _octal(minor, 8)
        what = f'device minor of {{}} + 1'
    else:
        h, x = rng.choice(heads)
        if 'mtime' in x or rng.random() < 0.5:
            mode = int(data[h + 100:h + 108].strip(b' \0'), 8) ^ 0o020
            data[h + 100:h + 108] = _octal(mode, 8)
            what = 'mode of {} ^ 020'
        else:
            mt = int(data[h + 136:h + 148].strip(b' \0'), 8) + 1
            data[h + 136:h + 148] = _octal(mt, 12)
            what = 'mtime of {} + 1'
    name = x['path'][1].decode('utf-8', 'replace') if 'path' in x else data[h:h + 100].rstrip(b'\0').decode('latin-1')
    data[h + 148:h + 156] = b' ' * 8
    data[h + 148:h + 156] = format(sum(data[h:h + 512]), '06o').encode() + b'\0 '
    open(path, 'wb').write(bytes(data))
    return what.format(name.rstrip('/').replace(LONG, 'LONG'))


def evaluate(engine, layers, tag, work, corrupt_rng=None):
    """Run one image through Docker and imgdiff. Returns a result dict (see compare)."""
    os.makedirs(work, exist_ok=True)
    save = os.path.join(work, 'case.save.tar')
    exp = os.path.join(work, 'docker-export.tar')
    ours = os.path.join(work, 'imgdiff-flatten.tar')
    for p in (exp, ours):
        if os.path.exists(p):
            os.remove(p)
    with open(save, 'wb') as fh:
        fh.write(save_archive(layers, tag))
    imgdiff = subprocess.Popen(['node', os.path.join(ROOT, 'bin', 'run.js'), 'flatten', save, '-o', ours, '--force'], cwd=ROOT,
                               env=dict(os.environ, SOURCE_DATE_EPOCH=str(UNPACK_TIME)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    res = {'tag': tag}
    r = engine.docker('load', '-i', save, timeout=LOAD_TIMEOUT)
    if r.returncode == 124 and 'timed out' in r.stderr:
        res['docker'] = 'load-timeout'
        res['docker_error'] = r.stderr
        engine.defer(tag=tag)           # it may still finish
    elif r.returncode != 0:
        text = (r.stderr + r.stdout).strip()
        res['docker'] = 'refused'
        res['docker_error'] = ' '.join(l.strip() for l in (text.splitlines() or [f'exit {r.returncode}']))[:400]
    else:
        c = engine.docker('create', '--label', engine.label, tag)
        if c.returncode != 0:
            res['docker'] = 'create-failed'
            res['docker_error'] = c.stderr.strip()[:400]
        else:
            cid = c.stdout.strip()
            e = engine.docker('export', '-o', exp, cid)
            engine.defer(cid=cid)
            if e.returncode != 0:
                res['docker'] = 'export-failed'
                res['docker_error'] = e.stderr.strip()[:400]
            else:
                res['docker'] = 'loaded'
        engine.defer(tag=tag)
    try:
        out, err = imgdiff.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        imgdiff.kill()
        out, err = imgdiff.communicate()
        err = 'engine_diff: imgdiff flatten timed out after 300s\n' + err
    res['imgdiff_code'] = imgdiff.returncode
    res['imgdiff_stderr'] = err.strip()[:600]
    if corrupt_rng is not None and imgdiff.returncode == 0:
        res['corrupted'] = corrupt_tar(ours, corrupt_rng)
    res['diffs'] = compare(res, exp, ours)
    res['agree'] = not res['diffs']
    return res


def strip_mtime(e):
    return {k: v for k, v in e.items() if k != 'mtime'}


def compare(res, exp, ours):
    """The differences, as test/fidelity.test.ts judges them. Each: {kind, path?, sig, docker?, imgdiff?}."""
    code, err = res['imgdiff_code'], res['imgdiff_stderr']
    refused_msg = code == 2 and any(w in err for w in REFUSAL_WORDS)
    if res['docker'] == 'refused':
        if refused_msg:
            return []
        return [{'kind': 'refusal', 'sig': f'docker refused, imgdiff exit {code}' + ('' if code == 0 else ' (other error)'),
                 'docker': res['docker_error'], 'imgdiff': err or f'exit {code}'}]
    if res['docker'] != 'loaded':
        return [{'kind': 'engine', 'sig': f"docker {res['docker']}", 'docker': res['docker_error'], 'imgdiff': err or f'exit {code}'}]
    if code != 0:
        return [{'kind': 'refusal', 'sig': 'docker loaded, imgdiff refused' if refused_msg else f'docker loaded, imgdiff exit {code}',
                 'docker': 'loaded', 'imgdiff': err}]
    allofthem = listing(exp)
    theirs = {e['path']: e for e in allofthem if e['path'] not in RUNTIME and not e['path'].startswith(RUNTIME_PREFIXES)}
    mine = {e['path']: e for e in listing(ours)}
    unpack = {p for p, e in theirs.items() if UNPACK_AFTER <= e['mtime'] <= UNPACK_BEFORE}
    diffs = []
    for p in sorted(set(mine) | set(theirs)):
        a, b = mine.get(p), theirs.get(p)
        if a is None and p in RUNTIME_DIRS:
            continue
        if a is None:
            diffs.append({'kind': 'docker-only', 'path': p, 'sig': f"only in Docker's export: {b['type']}", 'docker': b})
            continue
        if b is None:
            diffs.append({'kind': 'imgdiff-only', 'path': p, 'sig': f"only in imgdiff's output: {a['type']}", 'imgdiff': a})
            continue
        if p in unpack:
            fields = sorted(k for k in set(a) | set(b) if k != 'mtime' and a.get(k) != b.get(k))
            if p not in RUNTIME_DIRS and a['mtime'] != UNPACK_TIME:
                fields.append('mtime(Docker: unpack time)')
        else:
            fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            if 'mtime' in fields and a['mtime'] == UNPACK_TIME:
                fields[fields.index('mtime')] = 'mtime(imgdiff: unpack time)'
        if fields:
            t = b['type'] if a['type'] == b['type'] else f"{b['type']}/{a['type']}"
            diffs.append({'kind': 'field', 'path': p, 'sig': f"{t} differs in {','.join(fields)}", 'docker': b, 'imgdiff': a})
    return diffs


def signature(res):
    return sorted({d['sig'] for d in res['diffs']})

# ------------------------------------------------------------------ minimizing


def minimize(engine, layers, sig, tag_base, work, budget):
    """Drop layers and members, and reset attributes, while a disagreement sharing a kind with `sig` persists."""
    want = set(sig)
    steps = [0]
    best = [json.loads(json.dumps(layers)), None]

    def still(cand):
        if steps[0] >= budget:
            return False
        steps[0] += 1
        res = evaluate(engine, cand, f'{tag_base}-m{steps[0]}:case', work)
        if os.environ.get('ENGINE_DIFF_DEBUG'):
            print(f'      min step {steps[0]}: {sum(len(l) for l in cand)} members, docker={res["docker"]} {signature(res)}', flush=True)
        if res['diffs'] and want & set(signature(res)):
            best[0], best[1] = cand, res
            return True
        return False

    changed = True
    while changed and steps[0] < budget:
        changed = False
        # whole layers
        i = 0
        while i < len(best[0]) and len(best[0]) > 1:
            cand = best[0][:i] + best[0][i + 1:]
            if still(cand):
                changed = True
            else:
                i += 1
        # empty a layer (keeps later layers' positions)
        for li in range(len(best[0])):
            if len(best[0][li]) > 1 and still([l if j != li else [] for j, l in enumerate(best[0])]):
                changed = True
        # members one by one, last first
        for li in range(len(best[0])):
            mi = len(best[0][li]) - 1
            while mi >= 0:
                if mi < len(best[0][li]):
                    cand = [list(l) for l in best[0]]
                    del cand[li][mi]
                    if still(cand):
                        changed = True
                mi -= 1
    # simplify attributes: all of a member's at once, else one by one
    plain_mode = {'file': 0o644, 'dir': 0o755, 'root': 0o755, 'hard': 0o644, 'sym': 0o777, 'fifo': 0o644, 'char': 0o644, 'block': 0o644}
    for li in range(len(best[0])):
        for mi in range(len(best[0][li])):
            m = best[0][li][mi]
            resets = [{'uid': 0, 'gid': 0}, {'mtime': T1}, {'dot': None}, {'noslash': None}, {'nform': None}, {'tform': None}, {'xattrs': None},
                      {'fmt': None, 'b256': None, 'nul': None}, {'b256': None}, {'nul': None}]
            if m['k'] in plain_mode:
                resets.append({'mode': plain_mode[m['k']]})
            if m['k'] == 'file':
                resets.append({'data': 'x' if m.get('data') else ''})
            if m.get('xattrs') and len(m['xattrs']) > 1:
                resets.extend({'xattrs': {x: v}} for x, v in m['xattrs'].items())

            def with_(cur, reset):
                out = dict(cur)
                for k, v in reset.items():
                    if v is None:
                        out.pop(k, None)
                    else:
                        out[k] = v
                return out
            everything = m
            for r in resets:
                everything = with_(everything, r)
            if everything == m:
                continue
            cand = [list(l) for l in best[0]]
            cand[li][mi] = everything
            if still(cand):
                continue
            for r in resets:
                cur = best[0][li][mi]
                nxt = with_(cur, r)
                if nxt != cur:
                    cand = [list(l) for l in best[0]]
                    cand[li][mi] = nxt
                    still(cand)
    return best[0], best[1], steps[0]

# ------------------------------------------------------------------ main


def docker_host():
    if os.environ.get('DOCKER_HOST'):
        return os.environ['DOCKER_HOST']
    return run(['bash', DOCKERD_UP], timeout=600).stdout.strip().splitlines()[-1]


def save_kept(keep, name, layers, res, work, extra=None):
    d = os.path.join(keep, name)
    os.makedirs(d, exist_ok=True)
    for f in ('case.save.tar', 'docker-export.tar', 'imgdiff-flatten.tar'):
        src = os.path.join(work, f)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(d, f))
    with open(os.path.join(d, 'diff.json'), 'w') as fh:
        json.dump({'layers': describe(layers), 'members': layers, 'docker': res['docker'], 'docker_error': res.get('docker_error'),
                   'imgdiff_code': res['imgdiff_code'], 'imgdiff_stderr': res['imgdiff_stderr'], 'signature': signature(res),
                   'diffs': res['diffs'], **(extra or {})}, fh, indent=1)
    return d


def print_diffs(res, out=sys.stdout, limit=12):
    for d in res['diffs'][:limit]:
        if d['kind'] in ('refusal', 'engine'):
            print(f"    {d['sig']}: Docker: {d['docker']} | imgdiff: {d['imgdiff']}", file=out)
        elif d['kind'] == 'field':
            a, b = d['imgdiff'], d['docker']
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            show = lambda k, v: oct(v) if k == 'mode' and isinstance(v, int) else v  # noqa: E731
            print(f"    {d['path']}: {d['sig']}: " + '; '.join(f'{k}: Docker {show(k, b.get(k))!r} imgdiff {show(k, a.get(k))!r}' for k in keys), file=out)
        else:
            e = d.get('docker') or d.get('imgdiff')
            print(f"    {d['path']}: {d['sig']} {json.dumps({k: v for k, v in e.items() if k not in ('sha256',)})}", file=out)
    if len(res['diffs']) > limit:
        print(f"    ... {len(res['diffs']) - limit} more", file=out)


def _interrupt(*_):
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--count', type=int, default=None, help='cases to run (50; 150 with --quick)')
    ap.add_argument('--seed', default='1')
    ap.add_argument('--case', type=int, help='run only this case index')
    ap.add_argument('--start', type=int, default=0)
    ap.add_argument('--keep', default='/tmp/engine-diff')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--verbose', action='store_true')
    ap.add_argument('--corrupt', action='store_true', help='self-test: alter one entry of each imgdiff output; every loaded case must disagree')
    ap.add_argument('--no-minimize', action='store_true')
    ap.add_argument('--minimize-per-kind', type=int, default=2, help='minimize at most this many cases per disagreement signature')
    ap.add_argument('--budget', type=int, default=120, help='engine runs per minimization')
    ap.add_argument('--quick', action='store_true',
                    help='for the test suite: no minimizing, nothing kept unless a disagreement, one JSON summary line at the end, exit 1 on any disagreement')
    args = ap.parse_args()
    if args.count is None:
        args.count = 150 if args.quick else 50
    if args.quick and args.corrupt:
        ap.error('--quick and --corrupt do not go together')
    quick = args.quick
    for stream in (sys.stdout, sys.stderr):     # names that are not UTF-8 print as escapes
        stream.reconfigure(errors='backslashreplace')

    # SIGTERM (a test runner's timeout) unwinds like Ctrl-C, so the finally below removes what this run made.
    signal.signal(signal.SIGTERM, _interrupt)
    runid = f'{os.getpid()}-{random.SystemRandom().randrange(16 ** 6):06x}'
    engine = Engine(docker_host(), runid)
    tmp = tempfile.mkdtemp(prefix='engine-diff-')
    indices = [args.case] if args.case is not None else list(range(args.start, args.start + args.count))
    print_lock = threading.Lock()
    results = {}
    stop = threading.Event()
    started = time.time()
    log = sys.stderr if quick else sys.stdout

    def one(i):
        if stop.is_set():
            return
        layers = gen_image(args.seed, i)
        work = os.path.join(tmp, f'c{i}')
        t0 = time.time()
        crng = random.Random(f'corrupt:{args.seed}:{i}') if args.corrupt else None
        res = evaluate(engine, layers, f'engine-diff/{runid}-s{args.seed}-c{i}:case', work, crng)
        res['secs'] = round(time.time() - t0, 2)
        nmem = sum(len(l) for l in layers)
        with print_lock:
            state = 'agree' if res['agree'] else 'DISAGREE ' + ' | '.join(signature(res))
            if not quick or not res['agree']:
                print(f"[{i}] seed={args.seed} layers={len(layers)} members={nmem} docker={res['docker']} imgdiff=exit{res['imgdiff_code']} "
                      f"{state} {res['secs']}s" + (f" (corrupted {res['corrupted']})" if res.get('corrupted') else ''), file=log, flush=True)
            if args.verbose or not res['agree']:
                if args.verbose or quick:
                    for line in describe(layers):
                        print('    ' + line, file=log)
                    if args.verbose and res['docker'] == 'refused':
                        print(f"    Docker: {res['docker_error']}\n    imgdiff: {res['imgdiff_stderr']}", file=log)
                print_diffs(res, out=log)
        if not res['agree']:
            os.makedirs(args.keep, exist_ok=True)
            res['kept'] = save_kept(args.keep, f's{args.seed}-c{i}', layers, res, work)
        shutil.rmtree(work, ignore_errors=True)
        results[i] = (layers, res)

    minimized = []
    kinds = {}
    bad = {}
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(one, i) for i in indices]
            try:
                for f in futures:
                    f.result()
            except BaseException:
                stop.set()
                raise
        engine.flush()
        main_secs = time.time() - started

        bad = {i: r for i, r in results.items() if not r[1]['agree']}
        for i in sorted(bad):
            kinds.setdefault(' | '.join(signature(bad[i][1])), []).append(i)
        if bad and not args.no_minimize and not args.corrupt and not quick:
            print(f'\nminimizing {len(kinds)} kinds of disagreement ...', flush=True)
            for sig, idxs in sorted(kinds.items()):
                for i in idxs[:args.minimize_per_kind]:
                    layers, res = results[i]
                    work = os.path.join(tmp, f'min{i}')
                    t0 = time.time()
                    small, sres, steps = minimize(engine, layers, signature(res), f'engine-diff/{runid}-s{args.seed}-c{i}', work, args.budget)
                    engine.flush()
                    # re-run the smallest image: the work files are the last *tried* candidate's
                    sres = evaluate(engine, small, f'engine-diff/{runid}-s{args.seed}-c{i}-final:case', work)
                    engine.flush()
                    d = save_kept(args.keep, f's{args.seed}-c{i}-min', small, sres, work, {'original_case': i, 'steps': steps})
                    minimized.append((i, small, sres, d))
                    print(f'\n[{i}] minimized in {steps} runs, {time.time() - t0:.0f}s -> {d}')
                    for line in describe(small):
                        print('    ' + line)
                    print_diffs(sres)
                    shutil.rmtree(work, ignore_errors=True)
    finally:
        engine.sweep()
        shutil.rmtree(tmp, ignore_errors=True)

    n = len(results)
    loaded = sum(1 for _, r in results.values() if r['docker'] == 'loaded')
    refused = sum(1 for _, r in results.values() if r['docker'] == 'refused')
    if quick:
        print(json.dumps({'cases': n, 'loaded': loaded, 'refused': refused, 'agreed': n - len(bad), 'disagreed': len(bad),
                          'signatures': sorted(kinds)}, separators=(',', ':')), flush=True)
        sys.exit(1 if bad else 0)
    summary = {'seed': args.seed, 'cases': n, 'loaded': loaded, 'refused': refused, 'other': n - loaded - refused,
               'agreed': n - len(bad), 'disagreed': len(bad), 'wall_secs': round(main_secs, 1),
               'secs_per_case_wall': round(main_secs / max(n, 1), 2),
               'secs_per_case_latency': round(sum(r['secs'] for _, r in results.values()) / max(n, 1), 2),
               'kinds': {k: v for k, v in sorted(kinds.items())},
               'corruptions': sorted(r['corrupted'].split(' of ')[0].split(' byte ')[0] for _, r in results.values() if r.get('corrupted')),
               'minimized': [{'case': i, 'dir': d, 'members': describe(s), 'signature': signature(r)} for i, s, r, d in minimized]}
    os.makedirs(args.keep, exist_ok=True)
    with open(os.path.join(args.keep, f'summary-s{args.seed}.json'), 'w') as fh:
        json.dump(summary, fh, indent=1)
    print(f"\nseed {args.seed}: {n} cases, {loaded} loaded, {refused} refused by Docker, {n - loaded - refused} other; "
          f"{n - len(bad)} agreed, {len(bad)} disagreed; {main_secs:.0f}s ({summary['secs_per_case_wall']} s/case wall, "
          f"{summary['secs_per_case_latency']} s/case latency, {args.jobs} jobs)")
    for k, v in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        print(f'  {len(v):4} x {k}   (cases {", ".join(map(str, v[:8]))}{" ..." if len(v) > 8 else ""})')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        print('engine_diff: interrupted; its containers and images removed', file=sys.stderr)
        sys.exit(130)
