/**
 * The unpacker (src/image/unpack-layer.ts) on small synthetic layers, one rule at a time, as
 * formats.md ("Applying layers") states them. Entries are built from tar members through
 * fileEntryFromMember, so name handling is part of what is tested. The same rules are checked
 * against a real engine's answers in fidelity.test.ts; these say which rule broke.
 */
import {describe, expect, it} from 'vitest'
import {fileEntryFromMember, type TarMember} from '../src/image/file-entry.js'
import {FlatFs} from '../src/image/flatten.js'
import {type FileEntry} from '../src/image/model.js'

const T1 = 1_577_836_800 // 2020-01-01
const T2 = 1_609_459_200

type M = Partial<TarMember> & {name: string}
const dir = (name: string, more: Partial<TarMember> = {}): M => ({name, typeflag: '5', mode: 0o755, ...more})
const file = (name: string, more: Partial<TarMember> = {}): M => ({name, typeflag: '0', mode: 0o644, size: 10, ...more})
const link = (name: string, target: string, more: Partial<TarMember> = {}): M => ({name, typeflag: '1', linkname: target, ...more})
const sym = (name: string, target: string, more: Partial<TarMember> = {}): M => ({name, typeflag: '2', linkname: target, mode: 0o777, ...more})
const wh = (name: string): M => file(name, {size: 0})

/** One layer's entries, as a reader builds them; digests keyed by tar name. */
function layer(members: M[], digests: Record<string, string> = {}): {files: FileEntry[]} {
  return {
    files: members.map((m) =>
      fileEntryFromMember({typeflag: '0', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: T1, linkname: '', devmajor: 0, devminor: 0, dataOffset: 0, storedSize: 0, ...m}, digests[m.name]),
    ),
  }
}

const flatten = (...layers: Array<{files: FileEntry[]}>) => FlatFs.of(layers)
const paths = (fs: FlatFs) => fs.sortedPaths()

describe('names land where Docker puts them (inside a chroot)', () => {
  it('./ and trailing / are cleaned away', () => {
    expect(layer([dir('./etc/'), file('./etc/passwd'), file('bin//sh')]).files.map((e) => e.path)).toEqual(['/etc', '/etc/passwd', '/bin/sh'])
  })

  it('absolute names and names that climb out of the root land inside it', () => {
    expect(layer([file('/abs/x'), file('../up'), file('a/../../up2'), file('a/./b/../c')]).files.map((e) => e.path)).toEqual(['/abs/x', '/up', '/up2', '/a/c'])
    expect(paths(flatten(layer([file('/abs/x'), file('../up')])))).toEqual(['/abs', '/abs/x', '/up'])
  })
})

describe('order inside a layer', () => {
  it('a whiteout after a file of the same layer deletes it', () => {
    expect(paths(flatten(layer([dir('a'), file('a/x')]), layer([file('a/y'), wh('a/.wh.y')])))).toEqual(['/a', '/a/x'])
  })

  it('a whiteout before a file of the same name leaves the file', () => {
    expect(paths(flatten(layer([dir('a'), file('a/x')]), layer([wh('a/.wh.x'), file('a/x', {size: 3})])))).toEqual(['/a', '/a/x'])
  })

  it('an opaque marker keeps only what the layer unpacked before it; a lower subdirectory written into without its entry goes with what was written', () => {
    const lower = layer([dir('o'), file('o/old'), dir('o/sub'), file('o/sub/old2')])
    const upper = layer([file('o/new'), file('o/sub/new2'), wh('o/.wh..wh..opq'), file('o/after')])
    expect(paths(flatten(lower, upper))).toEqual(['/o', '/o/after', '/o/new'])
  })

  it('an opaque marker keeps a subdirectory that has its own entry before it, and that layer\'s files in it', () => {
    const lower = layer([dir('o'), dir('o/sub'), file('o/sub/old2')])
    const upper = layer([dir('o/sub'), file('o/sub/new2'), wh('o/.wh..wh..opq')])
    expect(paths(flatten(lower, upper))).toEqual(['/o', '/o/sub', '/o/sub/new2'])
  })
})

describe('implied parents', () => {
  it('are directories, mode 0600, owner 0:0, with an unknowable mtime', () => {
    const fs = flatten(layer([file('usr/lib/x/lib.so', {uid: 5})]))
    expect(paths(fs)).toEqual(['/usr', '/usr/lib', '/usr/lib/x', '/usr/lib/x/lib.so'])
    expect(fs.get('/usr/lib')).toMatchObject({type: 'dir', mode: 0o600, uid: 0, gid: 0, mtime: null})
  })

  it('a directory a layer changes without its own entry gets an unknowable mtime; one with an entry keeps the entry\'s', () => {
    const fs = flatten(layer([dir('a', {mtime: T1}), dir('a/b', {mtime: T1}), dir('c', {mtime: T1})]), layer([file('a/b/new'), dir('c', {mtime: T2}), file('c/h')]))
    expect(fs.get('/a')?.mtime).toBe(T1)
    expect(fs.get('/a/b')?.mtime).toBeNull()
    expect(fs.get('/c')?.mtime).toBe(T2)
  })
})

describe('hard links are one inode', () => {
  it('the link member\'s mode, owner and mtime land on the target too', () => {
    const fs = flatten(layer([file('f', {mode: 0o644, mtime: T1}), link('h', 'f', {mode: 0o755, uid: 1000, mtime: T2})], {f: 'sha256:aa'}))
    expect(fs.get('/f')).toBe(fs.get('/h'))
    expect(fs.get('/f')).toMatchObject({mode: 0o755, uid: 1000, mtime: T2, digest: 'sha256:aa'})
  })

  it('a link whose target a later layer rewrites keeps the old content', () => {
    const fs = flatten(layer([file('f'), link('h', 'f')], {f: 'sha256:old'}), layer([file('f')], {f: 'sha256:new'}))
    expect(fs.get('/h')?.digest).toBe('sha256:old')
    expect(fs.get('/f')?.digest).toBe('sha256:new')
  })

  it('a link to a symlink is a symlink; its owner changes, its mode and mtime do not', () => {
    const fs = flatten(layer([sym('s', 'x'), link('h', 's', {uid: 7, mode: 0o600})]))
    expect(fs.get('/h')).toMatchObject({type: 'symlink', target: 'x', uid: 7, mode: 0o777})
  })

  it('a link to a name that comes later in the layer and nowhere below is refused', () => {
    expect(() => flatten(layer([link('h', 'f'), file('f')]))).toThrow(/layer 1: Docker cannot unpack member 'h' \(link \/f \/h: no such file or directory\)/)
  })
})

describe('paths through symlinked directories', () => {
  it('a member under a symlink to a directory lands in that directory', () => {
    const fs = flatten(layer([dir('b'), sym('a', 'b')]), layer([file('a/x')]))
    expect(paths(fs)).toEqual(['/a', '/b', '/b/x'])
  })

  it('absolute and climbing symlink targets resolve inside the root', () => {
    const fs = flatten(layer([dir('real'), sym('abs', '/real'), sym('up', '../../real')]), layer([file('abs/x'), file('up/y')]))
    expect(paths(fs)).toEqual(['/abs', '/real', '/real/x', '/real/y', '/up'])
  })

  it('a whiteout through a symlink deletes in the real directory', () => {
    expect(paths(flatten(layer([dir('b'), file('b/x'), sym('a', 'b')]), layer([wh('a/.wh.x')])))).toEqual(['/a', '/b'])
  })

  it('a symlink loop is refused', () => {
    expect(() => flatten(layer([sym('a', 'b'), sym('b', 'a'), file('a/x')]))).toThrow(/too many levels of symbolic links/)
  })
})

describe('what Docker refuses', () => {
  it('two members of one name', () => {
    expect(() => flatten(layer([file('x'), file('./x')]))).toThrow(/duplicates of file paths not supported/)
  })

  it('a type it cannot unpack (but a whiteout of any type is a whiteout)', () => {
    expect(() => flatten(layer([file('c', {typeflag: '7'})]))).toThrow(/unhandled tar header type 55/)
    expect(paths(flatten(layer([file('x'), file('y')]), layer([file('.wh.x', {typeflag: 'X'})])))).toEqual(['/y'])
  })

  it('a member under a file', () => {
    expect(() => flatten(layer([file('f')]), layer([file('f/x')]))).toThrow(/layer 2: .*open \/f\/x: not a directory/)
  })
})

describe('types over types', () => {
  it('a directory over a directory merges; anything else replaces, subtree and all', () => {
    const fs = flatten(layer([dir('d', {mode: 0o755}), file('d/x'), dir('e'), file('e/y')]), layer([dir('d', {mode: 0o700, uid: 9}), file('e')]))
    expect(paths(fs)).toEqual(['/d', '/d/x', '/e'])
    expect(fs.get('/d')).toMatchObject({mode: 0o700, uid: 9, layer: 1})
    expect(fs.get('/d/x')?.layer).toBe(0)
  })

  it('AUFS bookkeeping is skipped, but a link into .wh..wh.plnk is a file with its content', () => {
    const fs = flatten(layer([dir('.wh..wh.plnk'), file('.wh..wh.plnk/1.2', {mode: 0o600}), file('.wh..wh.aufs'), dir('bin'), link('bin/tool', '.wh..wh.plnk/1.2', {mode: 0o755})], {'.wh..wh.plnk/1.2': 'sha256:cc'}))
    expect(fs.get('/bin/tool')).toMatchObject({type: 'file', mode: 0o600, digest: 'sha256:cc'})
    expect(fs.get('/.wh..wh.aufs')).toBeUndefined()
    // Its parent is implied by the kept file, as Docker's MkdirAll does.
    expect(fs.get('/.wh..wh.plnk')).toMatchObject({type: 'dir', mode: 0o600})
  })
})

describe('an export is read as the filesystem it lists', () => {
  it('a file named like a whiteout is a file there', () => {
    const fs = FlatFs.of([{...layer([dir('a'), file('a/.wh.x')]), markers: false}])
    expect(paths(fs)).toEqual(['/a', '/a/.wh.x'])
  })
})
