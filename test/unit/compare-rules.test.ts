/**
 * The rules of src/compare that the engine-made fixtures do not reach, on small inputs: images
 * built in memory from layer entries (the comparers never read bytes, only the model), or
 * two-layer archives written by tar-stream. The expected answers are the rules' own statements:
 * dive's counting (dive-efficiency.ts's header), the JSON contract of `diff` (README), unified
 * diffs with three lines of context (GNU diff -u), Go's float syntax, Podman's runtime file.
 */
import path from 'node:path'
import {writeFileSync} from 'node:fs'
import {afterAll, describe, expect, it} from 'vitest'
import {contentPatches} from '../../src/compare/content-patches.js'
import {compareImages, diffImages} from '../../src/compare/diff.js'
import {loadCiRules, parseCiRules, parseGoFloat} from '../../src/compare/dive-ci.js'
import {diveEfficiency} from '../../src/compare/dive-efficiency.js'
import {efficiencyOf, measureEfficiency} from '../../src/compare/efficiency.js'
import {matchExport} from '../../src/compare/export-match.js'
import {differs, type FileDiffOptions, pathFilter} from '../../src/compare/file-diff.js'
import {alignLayers} from '../../src/compare/layers.js'
import {isFlat} from '../../src/compare/lost.js'
import {isRuntimeChange} from '../../src/compare/runtime-files.js'
import {fileEntryFromMember, type TarMember} from '../../src/image/file-entry.js'
import {FlatFs} from '../../src/image/flatten.js'
import {type FileEntry, type HistoryEntry, type Image, type Layer} from '../../src/image/model.js'
import {cleanup, fixture, packTar, readImage, tempDir, writeSave} from './support.js'

afterAll(cleanup)

const T = 1_577_836_800
type M = Partial<TarMember> & {name: string}
const member = (m: M): TarMember => ({typeflag: '0', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: T, linkname: '', devmajor: 0, devminor: 0, dataOffset: 0, storedSize: 0, ...m})
const files = (...members: M[]): FileEntry[] => members.map((m) => fileEntryFromMember(member(m), m.typeflag === undefined || m.typeflag === '0' ? `d:${m.name}:${m.size ?? 0}` : undefined))
const layer = (id: string, entries: FileEntry[], more: Partial<Layer> = {}): Layer => ({diffId: `sha256:${id}`, digest: `sha256:${id}`, size: 0, uncompressedSize: 0, compression: 'none', member: `${id}/layer.tar`, files: entries, ...more})

/** An image in memory: what the comparers consume. */
function image(layers: Layer[], more: Partial<Image> = {}): Image {
  const history: HistoryEntry[] = more.history ?? layers.map((_, i) => ({createdBy: `/bin/sh -c step ${i + 1}`}))
  return {path: 'mem', origin: {kind: 'file', ref: 'mem'} as Image['origin'], reopen: null, kind: 'image', format: 'docker-save', compression: 'none', imageId: 'sha256:mem', repoTags: [], layers, history, config: {architecture: 'amd64', os: 'linux', config: {}}, bytes: 0, metadataBytes: 0, warnings: [], ...more}
}
const exportOf = (entries: FileEntry[]): Image => image([layer('export', entries, {markers: false})], {kind: 'export', format: 'container-export', history: [], config: null, imageId: null})

describe('the diff\'s summary and identity', () => {
  it('counts what the file list holds; two images are identical only with the same layers, config and history', () => {
    const base = layer('base', files({name: 'a', size: 1}, {name: 'b', size: 1}, {name: 'c', size: 1}))
    const a = image([base])
    const b = image([base, layer('top', files({name: 'a', size: 2}, {name: 'd', size: 1}, {name: 'e', size: 1}, {name: '.wh.b'}, {name: '.wh.c'}))])
    const d = diffImages(a, b, {ignore: [], paths: []})
    expect(d.files.map((f) => [f.path, f.change])).toEqual([['/a', 'modified'], ['/b', 'removed'], ['/c', 'removed'], ['/d', 'added'], ['/e', 'added']])
    expect(d.summary).toMatchObject({added: 2, removed: 2, modified: 1, runtime: 0, identical: false})
    expect(d.sizes.a.visibleBytes).toBe(3)
    expect(d.sizes.b.visibleBytes).toBe(4)
    // Whiteouts: the layer of B that deleted them.
    expect(d.files[1].layer).toEqual({side: 'b', number: 2, diffId: 'sha256:top', deleted: true})
    expect(d.files[0].layer).toEqual({side: 'b', number: 2, diffId: 'sha256:top', deleted: false})
    expect(d.files[0].a).toMatchObject({layer: 1})
    const same = (more: Partial<Image>) => diffImages(a, {...a, ...more}, {ignore: [], paths: []}).summary.identical
    expect(same({})).toBe(true)
    expect(same({config: {architecture: 'arm64', os: 'linux', config: {}}})).toBe(false)
    expect(same({history: [{createdBy: 'other'}]})).toBe(false)
    expect(same({layers: [{...base, diffId: 'sha256:other'}]})).toBe(false)
    expect(same({repoTags: ['x:1']})).toBe(true)
  })

  it('tags in another order are the same tags; a missing config document is compared as empty', () => {
    const base = layer('base', files({name: 'a', size: 1}))
    const a = image([base], {repoTags: ['x:1', 'y:1']})
    expect(diffImages(a, {...a, repoTags: ['y:1', 'x:1']}, {ignore: [], paths: []}).identity?.repoTags).toBeNull()
    const d = diffImages(a, {...a, config: null}, {ignore: [], paths: []})
    expect(d.identity?.configFields).toEqual(['architecture', 'os'])
    expect(diffImages({...a, config: null}, a, {ignore: [], paths: []}).config).toEqual([{field: 'architecture', a: null, b: 'amd64'}, {field: 'os', a: null, b: 'linux'}])
  })

  it('between two images a container\'s own files are ordinary files, and all extended attributes count', () => {
    const base = layer('base', files({name: 'etc/', typeflag: '5'}, {name: 'bin/ping', size: 4, xattrs: {'security.capability': '01', 'user.note': '02'}}))
    const a = image([base])
    const b = image([base, layer('top', files({name: 'etc/hosts', size: 9}, {name: 'bin/ping', size: 4, xattrs: {'security.capability': '01'}}))])
    const d = diffImages(a, b, {ignore: ['mtime'], paths: []})
    expect(d.files.map((f) => [f.path, f.change, f.runtime, f.fields])).toEqual([['/bin/ping', 'modified', false, ['xattrs']], ['/etc/hosts', 'added', false, []]])
    expect(d.summary.identical).toBe(false)
    // Against an export, only security.capability counts, and /etc/hosts (empty there, as Docker
    // writes it) is the container's.
    const e = diffImages(b, exportOf(files({name: 'etc/', typeflag: '5'}, {name: 'bin/ping', size: 4, xattrs: {'security.capability': '01'}}, {name: 'etc/hosts', size: 0})), {ignore: ['mtime'], paths: []})
    expect(e.files.filter((f) => !f.runtime)).toEqual([])
    const hosts = e.files.find((f) => f.path === '/etc/hosts')!
    expect(hosts).toMatchObject({runtime: true, change: 'modified', layer: {side: 'a', number: 2, diffId: 'sha256:top', deleted: false}})
    expect(hosts.a?.layer).toBe(2)
    expect(hosts.b?.layer).toBeUndefined()
    expect(e.config).toBeNull()
    expect(e.history).toBeNull()
    const swapped = diffImages(exportOf(files({name: 'x', size: 1})), b, {ignore: [], paths: []})
    expect(swapped.config).toBeNull()
    expect(swapped.identity).toBeNull()
    expect(swapped.files.find((f) => f.path === '/x')).toMatchObject({change: 'removed', layer: null, b: null})
    expect(swapped.files.find((f) => f.path === '/x')!.a?.layer).toBeUndefined()
  })

  it('files come in path order whichever side has them', () => {
    const a = image([layer('a', files({name: 'z', size: 1}, {name: 'm', size: 1}))])
    const b = image([layer('b', files({name: 'a', size: 1}, {name: 'n', size: 1}))])
    expect(diffImages(a, b, {ignore: [], paths: []}).files.map((f) => f.path)).toEqual(['/a', '/m', '/n', '/z'])
  })

  it('a layer with no history says nothing of who made it', () => {
    const rows = alignLayers(image([layer('x', [])], {history: []}), image([layer('y', [])], {history: []}))
    expect(rows[0].a?.createdBy).toBeUndefined()
    expect(rows[0].b?.createdBy).toBeUndefined()
  })
})

describe('matching an export to a step', () => {
  const options: FileDiffOptions = {ignore: new Set(), paths: [], runtime: true, layers: {a: null, b: null}, xattrs: 'exportable'}

  it('busybox-1\'s export is closest to multistep\'s steps before /app (ties: the later), and kept all of busybox', async () => {
    const multistep = await readImage(fixture('multistep.save.tar'))
    const exported = await readImage(fixture('busybox-1.export.tar'))
    const d = diffImages(multistep, exported, {ignore: [], paths: []})
    // Steps 1 to 4 are busybox's filesystem; step 5 made /app.
    expect(d.exportMatch).toMatchObject({step: 4, layers: 1, derived: true})
    const base = FlatFs.of(multistep.layers.slice(0, 1))
    const real = [...base.entries.keys()].filter((p) => !isRuntimeChange(p, 'removed', []))
    expect(d.exportMatch!.stepPaths).toBe(real.length)
    expect(d.exportMatch!.stepPaths).toBeLessThan(base.entries.size)
  })

  it('derived: at least half of the step\'s paths kept', () => {
    const img = image([layer('l', files({name: 'a', size: 1}, {name: 'b', size: 1}, {name: 'c', size: 1}, {name: 'd', size: 1}))])
    const flat = (...names: string[]) => FlatFs.of([{files: files(...names.map((name) => ({name, size: 1}))), markers: false}])
    expect(matchExport(flat('a', 'b'), img, 'b', options)).toMatchObject({stepPaths: 4, kept: 2, derived: true})
    expect(matchExport(flat('a', 'x'), img, 'b', options)).toMatchObject({stepPaths: 4, kept: 1, derived: false})
    expect(matchExport(flat('x'), img, 'b', options)).toMatchObject({kept: 0, derived: false})
    // A step with nothing but a container's own paths is no step anything derives from.
    const runtimeOnly = image([layer('r', files({name: 'etc/', typeflag: '5'}, {name: '.dockerenv'}))])
    expect(matchExport(flat('x'), runtimeOnly, 'b', options)).toMatchObject({stepPaths: 0, derived: false})
  })

  it('differs: a container\'s directory changed beyond its time is a difference', () => {
    const fs = FlatFs.of([{files: files({name: 'etc/', typeflag: '5'})}])
    const etc = fs.get('/etc')!
    expect(differs('/etc', etc, {...etc, mode: 0o700}, options)).toBe(true)
    expect(differs('/etc', etc, {...etc, mtime: 5}, options)).toBe(false)
  })
})

describe('flat sides, and Podman\'s runtime file', () => {
  it('an imported image with no layer at all is flat, whatever the other side holds', () => {
    const empty = image([], {history: [{comment: 'Imported from -'}]})
    expect(isFlat(empty, image([layer('x', [])]))).toBe(true)
    expect(isFlat(image([layer('x', [])], {history: [{comment: 'Imported from -'}]}), empty)).toBe(true)
  })

  it('/run/.containerenv is Podman\'s container file; /run holds it', () => {
    expect(isRuntimeChange('/run/.containerenv', 'added', [])).toBe(true)
    expect(isRuntimeChange('/run', 'added', [])).toBe(true)
    expect(isRuntimeChange('/run', 'modified', ['mtime'])).toBe(true)
    expect(isRuntimeChange('/run/other', 'added', [])).toBe(false)
  })

  it('pathFilter: globs from the root or anywhere, one level under a glob, any depth under a plain name', () => {
    expect(pathFilter(['etc/*'])('/etc/passwd')).toBe(true)
    expect(pathFilter(['/usr/*'])('/usr/bin/sh')).toBe(true)
    expect(pathFilter(['/usr/*'])('/usr/bin/x/y')).toBe(false)
    expect(pathFilter(['usr/bin'])('/usr/bin/x/y')).toBe(true)
    expect(pathFilter(['usr/bin', 'etc'])('/etc/ssl/x')).toBe(true)
    expect(pathFilter(['usr/bin', 'etc'])('/usr/bin/x/y')).toBe(true)
    expect(pathFilter(['usr/bin', 'etc'])('/etcx/y')).toBe(false)
  })
})

describe('content patches at their edges', () => {
  async function twoLayers(lower: string, upper: string) {
    const dir = tempDir()
    const l1 = await packTar([{name: 'doc.txt', data: lower}, {name: 'gone.txt', data: 'bye\n'}, {name: 'dir/', type: 'directory'}])
    const l2 = await packTar([{name: 'doc.txt', data: upper}, {name: '.wh.gone.txt'}, {name: 'dir/new.txt', data: 'new\n'}, {name: 'dir/sub/', type: 'directory'}])
    const full = await readImage(await writeSave(path.join(dir, 'save.tar'), [l1, l2]))
    return {full, before: {...full, layers: full.layers.slice(0, 1)}}
  }

  it('three lines of context around a change, as diff -u', async () => {
    const lines = Array.from({length: 20}, (_, i) => `line ${i + 1}`)
    const changed = lines.map((l, i) => (i === 9 ? 'line 10 changed' : l))
    const {full, before} = await twoLayers(lines.join('\n') + '\n', changed.join('\n') + '\n')
    const {result, fs} = compareImages(before, full, {ignore: ['mtime'], paths: []})
    const patches = await contentPatches({a: before, b: full}, fs, result.files, 1 << 20)
    const doc = patches.get('/doc.txt')!
    expect(doc.split('\n').slice(3)).toEqual(['@@ -7,7 +7,7 @@', ' line 7', ' line 8', ' line 9', '-line 10', '+line 10 changed', ' line 11', ' line 12', ' line 13', ''])
    // A removed file shows what it held; an added one what it holds; directories show nothing.
    expect(patches.get('/gone.txt')).toContain('@@ -1,1 +0,0 @@\n-bye\n')
    expect(patches.get('/dir/new.txt')).toContain('@@ -0,0 +1,1 @@\n+new\n')
    expect(patches.has('/dir/sub')).toBe(false)
    expect(patches.has('/dir')).toBe(false)
    const back = await contentPatches({a: full, b: before}, {a: fs.b, b: fs.a}, compareImages(full, before, {ignore: [], paths: []}).result.files, 1 << 20)
    expect(back.get('/gone.txt')).toContain('@@ -0,0 +1,1 @@\n+bye\n')
  })

  it('the size cap: a file of exactly the cap is shown; one side over it is enough to hold back', async () => {
    const {full, before} = await twoLayers('12345\n', '1234567890\n')
    const {result, fs} = compareImages(before, full, {ignore: [], paths: ['/doc.txt', '/dir/new.txt']})
    const atCap = await contentPatches({a: before, b: full}, fs, result.files, 11)
    expect(atCap.get('/doc.txt')).toContain('+1234567890')
    const under = await contentPatches({a: before, b: full}, fs, result.files, 10)
    expect(under.get('/doc.txt')).toBe('(content not shown: larger than --max-content 10 bytes)')
    const tiny = await contentPatches({a: before, b: full}, fs, result.files, 3)
    expect(tiny.get('/dir/new.txt')).toBe('(content not shown: larger than --max-content 3 bytes)')
  })

  it('a change of mode alone gets no patch', async () => {
    const multistep = await readImage(fixture('multistep.save.tar'))
    // Steps 7 and 8: chmod 0755 /app/run.sh.
    const before = {...multistep, layers: multistep.layers.slice(0, 4)}
    const after = {...multistep, layers: multistep.layers.slice(0, 5)}
    const {result, fs} = compareImages(before, after, {ignore: [], paths: ['/app/run.sh']})
    expect(result.files.map((f) => [f.path, f.fields])).toEqual([['/app/run.sh', expect.arrayContaining(['mode'])]])
    expect(result.files[0].fields).not.toContain('content')
    expect((await contentPatches({a: before, b: after}, fs, result.files, 1 << 20)).size).toBe(0)
  })
})

describe('dive\'s counting, rule by rule', () => {
  const L = (...members: M[]) => ({files: files(...members)})

  it('a whiteout of nothing stops the layer\'s walk, which goes in Go\'s byte order', () => {
    // Walk order: "+a" < ".wh.b" < "c" bytewise. "+a" is counted, then the walk stops.
    const f = diveEfficiency([L({name: 'x', size: 1}), L({name: 'c', size: 5}, {name: '.wh.b'}, {name: '+a', size: 4})])
    expect(f.discoveredBytes).toBe(1 + 4)
    // Past the BMP, UTF-16 order is not byte order: U+FFFD sorts before U+1F600 in bytes.
    const g = diveEfficiency([L({name: 'x', size: 1}), L({name: '\u{1F600}/f', size: 7}, {name: '\uFFFD/.wh.nothing'})])
    expect(g.discoveredBytes).toBe(1)
    // The stop ends the whole layer, not only the directory it is in, at any depth.
    const h = diveEfficiency([L({name: 'x', size: 1}), L({name: 'a/.wh.q'}, {name: 'b', size: 9})])
    expect(h.discoveredBytes).toBe(1)
    const deep = diveEfficiency([L({name: 'x', size: 1}), L({name: 'd/a/.wh.q'}, {name: 'd/b', size: 9}, {name: 'e', size: 5})])
    expect(deep.discoveredBytes).toBe(1)
  })

  it('a deleted directory that only an upper layer implied weighs nothing', () => {
    const implied = diveEfficiency([L({name: 'd/f', size: 7}), L({name: '.wh.d'})])
    expect(implied.discoveredBytes).toBe(7)
    const own = diveEfficiency([L({name: 'd/', typeflag: '5'}, {name: 'd/f', size: 7}), L({name: '.wh.d'})])
    expect(own.discoveredBytes).toBe(14)
  })

  it('whiteouts below delete: a path whited out twice is seen twice, not three times', () => {
    const f = diveEfficiency([L({name: 'a', size: 5}), L({name: '.wh.a'}), L({name: '.wh.a'}, {name: 'z', size: 1})])
    expect(f.inefficient).toEqual([{path: '/a', count: 2, bytes: 5}])
    // A whiteout of a path under a file, or under nothing, finds nothing.
    const g = diveEfficiency([L({name: 'f', size: 2}), L({name: 'f/', typeflag: '5'}, {name: 'f/.wh.x'}), L({name: 'q/r/.wh.s'})])
    expect(g.layerSizes).toEqual([2, 0, 0])
    const h = diveEfficiency([L({name: 'a', size: 1}), L({name: '.wh.zz'}, {name: 'a', size: 1}), L({name: '.wh.a'})])
    expect(h.inefficient.map((p) => p.path)).toEqual(['/a'])
  })

  it('the smallest sighting is the minimum, zero included; nothing seen is a score of 1', () => {
    const f = diveEfficiency([L({name: 'a', size: 0}), L({name: 'a', size: 5})])
    expect([f.minimumBytes, f.discoveredBytes, f.efficiency]).toEqual([0, 5, 0])
    expect(diveEfficiency([L({name: 'a', size: 0})]).efficiency).toBe(1)
  })

  it('paths of equal size in path order, whichever layer made them inefficient first', () => {
    const f = diveEfficiency([L({name: 'z', size: 2}), L({name: 'z', size: 2}, {name: 'a', size: 2}), L({name: 'a', size: 2})])
    expect(f.inefficient.map((p) => p.path)).toEqual(['/a', '/z'])
  })

  it('PAX global headers are no members, in any layer', () => {
    const f = diveEfficiency([L({name: 'pax_global_header', typeflag: 'g'}, {name: 'a', size: 1}), L({name: 'pax_global_header', typeflag: 'g'}, {name: 'b', size: 1})])
    expect(f.inefficient).toEqual([])
  })

  it('dive\'s layer commands lose only a leading /bin/sh -c', () => {
    const img = image([layer('a', files({name: 'a', size: 1}))], {history: [{createdBy: 'bash -c "/bin/sh -c x"'}]})
    expect(efficiencyOf(img).dive.layers[0].command).toBe('bash -c "/bin/sh -c x"')
    expect(efficiencyOf(img).dive.layers[0].id).toBe('a')
  })
})

describe('imgdiff\'s own efficiency figures', () => {
  it('per layer: content bytes, what was removed, and which removals hide nothing', async () => {
    const multistep = await readImage(fixture('multistep.save.tar'))
    const {efficiency, changes} = measureEfficiency(multistep, {changes: true})
    expect(efficiency.layers[0].contentBytes).toBe(multistep.layers[0].files.filter((f) => f.type === 'file').reduce((n, f) => n + f.size, 0))
    expect(efficiency.layers[0].contentBytes).toBeGreaterThan(0)
    const removed = changes.filter((c) => c.change === 'removed')
    expect(removed.length).toBeGreaterThan(0)
    expect(removed.every((c) => !c.hidden)).toBe(true)
  })

  it('a hidden path stored again with the same content is a duplicate, with another an overwrite, without a digest never a duplicate', () => {
    const img = image([
      layer('a', files({name: 'same', size: 3}, {name: 'other', size: 3}, {name: 'nodigest', size: 3})),
      layer('b', [...files({name: 'same', size: 3}, {name: 'other', size: 4}), fileEntryFromMember(member({name: 'nodigest', size: 3}))]),
    ])
    img.layers[0].files[2] = fileEntryFromMember(member({name: 'nodigest', size: 3}))
    const why = Object.fromEntries(efficiencyOf(img).hidden.paths.map((p) => [p.path, p.why]))
    expect(why).toEqual({'/same': 'duplicate', '/other': 'overwritten', '/nodigest': 'overwritten'})
    const e = efficiencyOf(img)
    expect(e.hidden.paths.map((p) => p.layers)).toEqual([[0], [0], [0]])
    expect(e.hidden.paths.map((p) => p.path)).toEqual(['/nodigest', '/other', '/same'])
  })

  it('a path stored three times, its first copy\'s content last: the copy between differs, so overwritten', () => {
    const img = image([layer('a', files({name: 'p', size: 3})), layer('b', files({name: 'p', size: 4})), layer('c', files({name: 'p', size: 3}))])
    const e = efficiencyOf(img)
    expect(e.hidden.paths).toEqual([{path: '/p', bytes: 7, copies: 2, layers: [0, 1], why: 'overwritten'}])
  })

  it('a directory whose time changed under a new file is not changed by that layer; one it lists is', () => {
    const img = image([layer('a', files({name: 'd/', typeflag: '5'}, {name: 'd/a', size: 1})), layer('b', files({name: 'd/b', size: 1})), layer('c', files({name: 'd/', typeflag: '5', mode: 0o700}, {name: 'd/c', size: 1}))])
    const {efficiency} = measureEfficiency(img)
    expect(efficiency.layers[1]).toMatchObject({added: {files: 1, bytes: 1}, changed: {files: 0, bytes: 0}})
    expect(efficiency.layers[2]).toMatchObject({added: {files: 1, bytes: 1}, changed: {files: 1, bytes: 0}})
  })

  it('whiteout markers and empty files hide no bytes; an export\'s .wh. files are files', () => {
    const img = image([layer('a', files({name: 'f', size: 3}, {name: 'e', size: 0})), layer('b', files({name: '.wh.f', size: 5}, {name: '.wh.e', size: 0}))])
    const e = efficiencyOf(img)
    expect(e.hidden).toMatchObject({bytes: 3, files: 1})
    const exported = exportOf(files({name: '.wh.x', size: 2}))
    expect(efficiencyOf(exported).hidden).toMatchObject({storedBytes: 2, visibleBytes: 2, bytes: 0})
  })
})

describe('.dive-ci values, and files that are not there', () => {
  it('a boolean is a value (that is no number), not a mapping', () => {
    expect(() => parseCiRules('rules:\n  lowestEfficiency: true\n', 'f')).toThrow(`f: rules.lowestEfficiency: 'true' is not a number`)
  })

  it('YAML errors quote the parser\'s first line', () => {
    try {
      parseCiRules('rules: "a\n', 'f')
      expect.unreachable()
    } catch (error) {
      expect((error as Error).message).toMatch(/^f: not valid YAML \(.{10,}\)$/)
    }
  })

  it('a path through a file is not read, and the error says why', async () => {
    const file = path.join(tempDir(), 'plain')
    writeFileSync(file, 'x')
    await expect(loadCiRules(path.join(file, 'rules.yaml'))).rejects.toThrow(/^--ci-config .*: ENOTDIR/)
  })

  it('Go\'s float syntax, exactly', () => {
    const good: Array<[string, number]> = [['12.5', 12.5], ['.55', 0.55], ['2e3', 2000], ['1e10', 1e10], ['0x1p10', 1024], ['0x1P-10', 1 / 1024]]
    for (const [text, value] of good) expect(parseGoFloat(text), text).toBe(value)
    for (const bad of ['xinf', 'infx', 'xnan', 'nanx', 'a0x1p0', '0x1p0z', '0x1p', '1e+', '+']) expect(parseGoFloat(bad), bad).toBeNull()
  })
})
