/**
 * FlatFs against the rules of formats.md, "Applying layers (flattening)". Entries are built from
 * tar-header-like objects through fileEntryFromHeader, so the name handling (`./`, `.wh.`,
 * `.wh..wh..opq`, AUFS metadata, hostile names) is part of what is tested.
 */
import {describe, expect, it} from 'vitest'
import {fileEntryFromHeader, type MemberHeader} from '../src/image/file-entry.js'
import {FlatFs} from '../src/image/flatten.js'
import {type FileEntry} from '../src/image/model.js'

const T = new Date(1_577_836_800_000) // 2020-01-01

type H = Partial<MemberHeader> & {name: string}
const dir = (name: string, more: Partial<MemberHeader> = {}): H => ({name, type: 'directory', mode: 0o755, ...more})
const file = (name: string, more: Partial<MemberHeader> = {}): H => ({name, type: 'file', mode: 0o644, size: 10, ...more})

/** One layer's FileEntry list, as a reader builds it; digests keyed by tar name. */
function layer(headers: H[], digests: Record<string, string> = {}): FileEntry[] {
  const out: FileEntry[] = []
  for (const h of headers) {
    const e = fileEntryFromHeader({type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: T, ...h}, digests[h.name])
    if (e) out.push(e)
  }
  return out
}

function flatten(...layers: FileEntry[][]): FlatFs {
  const fs = new FlatFs()
  layers.forEach((l, i) => fs.apply(l, i))
  return fs
}

const paths = (fs: FlatFs) => [...fs.entries.keys()].sort()

describe('fileEntryFromHeader names', () => {
  it('strips ./ and trailing / and makes the path absolute', () => {
    expect(layer([dir('./etc/'), file('./etc/passwd'), file('bin//sh')]).map((e) => e.path)).toEqual(['/etc', '/etc/passwd', '/bin/sh'])
  })

  it('`..` that climbs out of the root is hostile; so is an absolute name', () => {
    for (const name of ['../x', 'a/../../x', '/abs', '/etc/passwd']) {
      const [e] = layer([file(name)])
      expect(e, name).toBeDefined()
      expect(e.hostile, name).toBeTruthy()
    }
  })

  it('`..` that stays inside the root is a path inside the image (formats.md: only climbing out is hostile)', () => {
    const [e] = layer([file('a/../b')])
    expect(e.hostile).toBeUndefined()
    expect(e.path).toBe('/b')
  })

  it('.wh.<name> deletes <name> in the same directory; .wh..wh..opq marks its directory opaque', () => {
    const [del, rootDel, opq] = layer([file('etc/.wh.passwd', {size: 0}), file('.wh.tmp', {size: 0}), file('var/.wh..wh..opq', {size: 0})])
    expect(del).toMatchObject({path: '/etc/passwd', whiteout: 'delete'})
    expect(rootDel).toMatchObject({path: '/tmp', whiteout: 'delete'})
    expect(opq).toMatchObject({path: '/var', whiteout: 'opaque'})
  })
})

describe('FlatFs: applying layers', () => {
  it('a whiteout deletes a file of a lower layer; its siblings stay; no marker in the result', () => {
    const fs = flatten(layer([dir('a'), file('a/f'), file('a/g'), file('top')]), layer([file('a/.wh.f', {size: 0}), file('.wh.top', {size: 0})]))
    expect(paths(fs)).toEqual(['/a', '/a/g'])
    expect(fs.get('/a/g')?.layer).toBe(0)
  })

  it('a whiteout of a directory deletes its whole subtree, and nothing that only shares a prefix', () => {
    const lower = layer([dir('d'), file('d/x'), dir('d/sub'), file('d/sub/y'), dir('d/sub/deeper'), file('d/sub/deeper/z'), dir('dd'), file('dd/keep'), file('d.txt')])
    const fs = flatten(lower, layer([file('.wh.d', {size: 0})]))
    expect(paths(fs)).toEqual(['/d.txt', '/dd', '/dd/keep'])
  })

  it('a whiteout of a path no lower layer has changes nothing and leaves no marker', () => {
    const fs = flatten(layer([dir('a'), file('a/f')]), layer([file('a/.wh.ghost', {size: 0})]))
    expect(paths(fs)).toEqual(['/a', '/a/f'])
  })

  it('an opaque directory hides every lower child but keeps the same layer\'s own', () => {
    const lower = layer([dir('o'), file('o/old1'), dir('o/sub'), file('o/sub/old2'), file('outside')])
    // The marker after the layer's own entry: it still applies first (formats.md).
    const upper = layer([dir('o'), file('o/new'), dir('o/sub'), file('o/sub/new2'), file('o/.wh..wh..opq', {size: 0})])
    const fs = flatten(lower, upper)
    expect(paths(fs)).toEqual(['/o', '/o/new', '/o/sub', '/o/sub/new2', '/outside'])
    expect(fs.get('/o/new')?.layer).toBe(1)
    expect(fs.get('/outside')?.layer).toBe(0)
  })

  it('AUFS metadata (.wh..wh.plnk, .wh..wh.aufs, .wh..wh.orph) never lands in the result', () => {
    const fs = flatten(
      layer([dir('bin'), file('bin/sh')]),
      layer([dir('.wh..wh.plnk'), file('.wh..wh.plnk/1234.5678'), file('.wh..wh.aufs', {size: 0}), dir('.wh..wh.orph'), file('bin/ls')]),
    )
    expect(paths(fs)).toEqual(['/bin', '/bin/ls', '/bin/sh'])
  })

  it('a directory over a directory keeps the lower children and takes the upper metadata', () => {
    const fs = flatten(layer([dir('d', {mode: 0o755}), file('d/x'), dir('d/sub'), file('d/sub/y')]), layer([dir('d', {mode: 0o700, uid: 1000})]))
    expect(paths(fs)).toEqual(['/d', '/d/sub', '/d/sub/y', '/d/x'])
    expect(fs.get('/d')).toMatchObject({type: 'dir', mode: 0o700, uid: 1000, layer: 1})
    expect(fs.get('/d/x')?.layer).toBe(0)
  })

  it('a file (or symlink) replacing a directory removes the directory\'s children', () => {
    const lower = layer([dir('d'), file('d/x'), dir('d/sub'), file('d/sub/y'), dir('e'), file('e/z')])
    const upper = layer([file('d', {size: 3}), {name: 'e', type: 'symlink', linkname: '/tmp', mode: 0o777}])
    const fs = flatten(lower, upper)
    expect(paths(fs)).toEqual(['/d', '/e'])
    expect(fs.get('/d')).toMatchObject({type: 'file', layer: 1})
    expect(fs.get('/e')).toMatchObject({type: 'symlink', linkTarget: '/tmp'})
  })

  it('a directory recreated after its whiteout in a later layer holds only the new children', () => {
    const fs = flatten(layer([dir('app'), dir('app/old'), file('app/old/readme')]), layer([file('app/.wh.old', {size: 0})]), layer([dir('app/old'), file('app/old/other')]))
    expect(paths(fs)).toEqual(['/app', '/app/old', '/app/old/other'])
  })

  it('a hard link to a file of a lower layer takes that file\'s digest and size', () => {
    const fs = flatten(
      layer([dir('bin'), file('bin/busybox', {size: 1234})], {'bin/busybox': 'sha256:aaaa'}),
      layer([{name: 'bin/sh', type: 'link', linkname: 'bin/busybox', mode: 0o755}]),
    )
    expect(fs.get('/bin/sh')).toMatchObject({type: 'hardlink', linkTarget: '/bin/busybox', digest: 'sha256:aaaa', size: 1234, layer: 1})
  })

  it('a hard link to an earlier file of the same layer takes its digest', () => {
    const fs = flatten(layer([dir('app'), file('app/shared.txt', {size: 22}), {name: 'app/shared.hardlink', type: 'link', linkname: 'app/shared.txt'}], {'app/shared.txt': 'sha256:bbbb'}))
    expect(fs.get('/app/shared.hardlink')).toMatchObject({digest: 'sha256:bbbb', size: 22})
  })

  it('hostile names (`../x`, `/abs`) never land in the flattened map, nor anywhere else', () => {
    const entries = layer([dir('etc'), file('../x'), file('/abs'), file('a/../../etc/evil'), file('etc/ok')])
    const fs = flatten(entries)
    expect(paths(fs)).toEqual(['/etc', '/etc/ok'])
    for (const p of fs.entries.keys()) expect(p).not.toMatch(/\.\./)
  })

  it('a whiteout with a hostile name deletes nothing', () => {
    const fs = flatten(layer([dir('etc'), file('etc/passwd')]), layer([file('../etc/.wh.passwd', {size: 0})]))
    expect(paths(fs)).toEqual(['/etc', '/etc/passwd'])
  })

  it('FlatFs.of applies layers oldest first: the upper layer\'s file wins', () => {
    const lower = layer([file('f', {size: 1})], {f: 'sha256:old'})
    const upper = layer([file('f', {size: 2})], {f: 'sha256:new'})
    const fs = FlatFs.of([lower, upper].map((files) => ({diffId: '', digest: '', size: 0, uncompressedSize: 0, compression: 'none', files})))
    expect(fs.get('/f')).toMatchObject({digest: 'sha256:new', size: 2, layer: 1})
  })
})
