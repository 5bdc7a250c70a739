/**
 * src/compare's diff (diff, file-diff, file-meta, layers, config-diff, lost, export-match,
 * runtime-files, sizes, content-patches) on archives a Docker engine made, judged by what Docker
 * recorded about them (docker-says.json, multistep-steps.json, fidelity answers), by the Dockerfile
 * that built multistep, and by the archives' own bytes read with parseTar.
 */
import {readFileSync, statSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {CONFIG_FIELDS, configFieldsWithValues, diffConfig, diffHistory, hasValue} from '../../src/compare/config-diff.js'
import {contentPatches} from '../../src/compare/content-patches.js'
import {compareImages, diffImages} from '../../src/compare/diff.js'
import {matchExport} from '../../src/compare/export-match.js'
import {countDifferences, diffFiles, differs, type FileDiffOptions, pathFilter} from '../../src/compare/file-diff.js'
import {changedFields, IGNORABLE, metaOf} from '../../src/compare/file-meta.js'
import {alignLayers} from '../../src/compare/layers.js'
import {isFlat, lostHistory} from '../../src/compare/lost.js'
import {isRuntimeChange} from '../../src/compare/runtime-files.js'
import {sizeReport} from '../../src/compare/sizes.js'
import {FlatFs} from '../../src/image/flatten.js'
import {type Inode} from '../../src/image/fs-tree.js'
import {type Image} from '../../src/image/model.js'
import {chainOf, dockerSays, fixture, multistepSteps, normalized, parseTar, readImage, readImages, readSave, unset} from './support.js'

/** What `docker create` adds to a container's filesystem (Docker's init layer), and the directories holding it. */
const CONTAINER_FILES = new Set(['/.dockerenv', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/etc/mtab', '/dev/console', '/dev/pts', '/dev/shm', '/proc', '/sys'])
const CONTAINER_PARENTS = new Set(['/', '/etc', '/dev'])

const says = dockerSays().images
const saveOf = (name: string) => readImage(fixture(says[name].saveFile))

describe('an image against its own export (docker create + docker export)', () => {
  it('busybox-1: no file differs but what the container added; the export lost history, layers, Cmd and tags', async () => {
    const save = await saveOf('busybox-1')
    const exported = await readImage(fixture('busybox-1.export.tar'))
    const d = diffImages(save, exported, {ignore: [], paths: []})
    expect(d.files.filter((f) => !f.runtime)).toEqual([])
    const runtime = d.files.filter((f) => f.runtime)
    for (const f of runtime) expect(CONTAINER_FILES.has(f.path) || CONTAINER_PARENTS.has(f.path), f.path).toBe(true)
    // Every container file the export holds is reported, as added.
    const inExport = parseTar(readFileSync(fixture('busybox-1.export.tar'))).map((m) => '/' + m.name.replace(/\/$/, '')).filter((p) => CONTAINER_FILES.has(p))
    expect(runtime.filter((f) => CONTAINER_FILES.has(f.path)).map((f) => f.path).sort()).toEqual(inExport.sort())
    expect(runtime.filter((f) => CONTAINER_FILES.has(f.path)).every((f) => f.change === 'added' && f.a === null && f.layer === null)).toBe(true)
    expect(d.lost).toEqual({side: 'b', because: 'export', history: says['busybox-1'].history, layers: says['busybox-1'].diffIds.length, config: ['Cmd'], repoTags: says['busybox-1'].repoTags})
    expect(d.exportMatch).toMatchObject({side: 'b', step: 2, layers: 2, id: says['busybox-1'].id, createdBy: 'mkdir /home/test', differing: 0, derived: true})
    expect(d.exportMatch!.steps.map((s) => [s.step, s.layers])).toEqual([[1, 1], [2, 2]])
    // Step 1 lacks the directory the committed container made.
    expect(d.exportMatch!.steps[0].differing).toBeGreaterThan(0)
    expect(d.exportMatch!.kept).toBe(d.exportMatch!.stepPaths)
    expect(d.summary).toMatchObject({added: 0, removed: 0, modified: 0, runtime: runtime.length, identical: true, configChanges: 0, historyChanges: 0})
    expect(d.config).toBeNull()
    expect(d.history).toBeNull()
    expect(d.identity).toBeNull()
    expect(d.layers.map((l) => l.status)).toEqual(['different', 'only-a'])
    expect(d.a.imageId).toBe(says['busybox-1'].id)
    // Sides swapped: the same answers from the other side.
    const r = diffImages(exported, save, {ignore: [], paths: []})
    expect(r.lost?.side).toBe('a')
    expect(r.exportMatch).toMatchObject({side: 'a', step: 2, differing: 0})
    expect(r.files.filter((f) => !f.runtime)).toEqual([])
    expect(r.files.filter((f) => CONTAINER_FILES.has(f.path)).every((f) => f.change === 'removed')).toBe(true)
  })

  it('multistep: the export is of the last step; its config fields are what it lost', async () => {
    const save = await saveOf('multistep')
    const exported = await readImage(fixture('multistep.export.tar'))
    const {result: d, fs} = compareImages(save, exported, {ignore: [], paths: []})
    expect(d.files.filter((f) => !f.runtime)).toEqual([])
    const docker = multistepSteps()
    // Steps 13 to 19 share the last layer: ties go to the later step, the image itself.
    expect(d.exportMatch).toMatchObject({step: 19, layers: 9, id: docker.id, createdBy: docker.steps[18].createdBy, derived: true, differing: 0})
    expect(d.exportMatch!.steps.length).toBe(19)
    expect(d.exportMatch!.steps.map((s) => s.layers)).toEqual(docker.steps.map((s) => s.diffIds.length))
    expect(d.exportMatch!.steps.filter((s) => s.differing === 0).map((s) => s.step)).toEqual([13, 14, 15, 16, 17, 18, 19])
    const expectedLost = CONFIG_FIELDS.filter((f) => !unset(says.multistep.config[f]))
    expect(d.lost).toEqual({side: 'b', because: 'export', history: 19, layers: 9, config: expectedLost, repoTags: ['multistep:latest']})
    expect(fs.a.get('/app/hello.txt')?.type).toBe('file')
    expect(fs.b.get('/.dockerenv')?.type).toBe('file')
  })

  it('an export of another image is not derived from this one: it lost nothing of it', async () => {
    const save = await saveOf('multistep')
    const other = await readImage(fixture('fidelity/cases/modes.export.tar'))
    const d = diffImages(save, other, {ignore: [], paths: []})
    expect(d.exportMatch?.derived).toBe(false)
    expect(d.exportMatch?.kept).toBeLessThan(d.exportMatch!.stepPaths / 2)
    expect(d.lost).toBeNull()
    expect(d.summary.identical).toBe(false)
  })

  it('an export is compared with another export as two filesystems: runtime files apart', async () => {
    const created = await readImage(fixture('busybox-1.create-export.tar'))
    const ran = await readImage(fixture('busybox-1.export.tar'))
    const d = diffImages(created, ran, {ignore: [], paths: []})
    // The fixtures README: same names, only the runtime files' mtimes differ.
    expect(d.files.every((f) => f.runtime)).toBe(true)
    expect(d.files.every((f) => f.change === 'modified' && f.fields.every((x) => x === 'mtime'))).toBe(true)
    expect(d.exportMatch).toBeNull()
    expect(d.lost).toBeNull()
    expect(d.summary.identical).toBe(true)
  })
})

describe('two images', () => {
  it('busybox and busybox-1: one directory added by the commit, in busybox-1\'s second layer', async () => {
    const a = await saveOf('busybox')
    const b = await saveOf('busybox-1')
    const d = diffImages(a, b, {ignore: [], paths: []})
    const added = d.files.find((f) => f.path === '/home/test')!
    expect(added).toMatchObject({change: 'added', runtime: false, a: null, fields: [], layer: {side: 'b', number: 2, diffId: says['busybox-1'].diffIds[1], deleted: false}})
    expect(added.b).toMatchObject({type: 'dir', layer: 2, mode: '0755', uid: 0, gid: 0})
    // Anything else that differs is the parent, whose time changed when the directory was made.
    for (const f of d.files.filter((x) => x.path !== '/home/test')) expect([f.path, f.fields]).toEqual(['/home', ['mtime']])
    expect(d.layers.map((l) => l.status)).toEqual(['same', 'only-b'])
    expect(d.layers[0].a).toEqual({diffId: says.busybox.diffIds[0], chainId: says.busybox.diffIds[0], size: a.layers[0].uncompressedSize, createdBy: 'Imported from -'})
    expect(d.layers[1].b?.chainId).toBe(chainOf(says['busybox-1'].diffIds)[1])
    expect(d.layers[1].b?.createdBy).toBe('mkdir /home/test')
    expect(d.history).toEqual([{step: 1, status: 'same', a: 'Imported from -', b: 'Imported from -'}, {step: 2, status: 'only-b', a: null, b: 'mkdir /home/test'}])
    expect(d.config).toEqual([{field: 'Cmd', a: says.busybox.config.Cmd, b: says['busybox-1'].config.Cmd}])
    expect(d.lost).toBeNull()
    expect(d.exportMatch).toBeNull()
    expect(d.identity?.imageId).toEqual({a: says.busybox.id, b: says['busybox-1'].id})
    expect(d.identity?.repoTags).toEqual({a: ['busybox:latest'], b: ['busybox-1:latest']})
    // Top-level config fields that differ, from the two config documents Docker wrote.
    const doc = (name: string) => {
      const s = readSave(fixture(says[name].saveFile))
      return JSON.parse(s.member(s.manifest[0].Config).toString('utf8')) as Record<string, unknown>
    }
    const [x, y] = [doc('busybox'), doc('busybox-1')]
    const differ = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => !['config', 'history', 'rootfs'].includes(k) && JSON.stringify(x[k]) !== JSON.stringify(y[k])).sort()
    expect(d.identity?.configFields).toEqual(differ)
    expect(d.summary).toEqual({added: 1, removed: 0, modified: d.files.length - 1, runtime: 0, layersSame: 1, layersDifferent: 1, configChanges: 1, historyChanges: 1, identical: false})
    // The other way round, the directory is removed: by no layer of A, so the layer that wrote it in B... is A's.
    const back = diffImages(b, a, {ignore: ['mtime'], paths: []})
    expect(back.files).toEqual([expect.objectContaining({path: '/home/test', change: 'removed', b: null, layer: {side: 'a', number: 2, diffId: says['busybox-1'].diffIds[1], deleted: false}})])
  })

  it('an image against itself is identical; --path and --ignore narrow what is compared', async () => {
    const a = await saveOf('multistep')
    const b = await saveOf('multistep')
    const same = diffImages(a, b, {ignore: [], paths: []})
    expect(same.files).toEqual([])
    expect(same.summary.identical).toBe(true)
    expect(same.identity).toEqual({imageId: null, repoTags: null, configFields: []})
    expect(same.layers.every((l) => l.status === 'same')).toBe(true)
    const base = await saveOf('busybox')
    const narrowed = diffImages(base, a, {ignore: [], paths: ['/app/conf/**']})
    expect(narrowed.files.map((f) => f.path)).toEqual(['/app/conf', '/app/conf/app.conf'])
    expect(narrowed.files.every((f) => f.change === 'added')).toBe(true)
    const noOwner = diffImages(await readImage(fixture('multistep.export.tar')), a, {ignore: ['uid', 'gid', 'mtime'], paths: ['app']})
    expect(noOwner.files.filter((f) => !f.runtime)).toEqual([])
  })

  it('busybox-1-imported is flat next to busybox-1 (a docker import of its export); busybox, its base, is not', async () => {
    const imported = await saveOf('busybox-1-imported')
    const full = await saveOf('busybox-1')
    const base = await saveOf('busybox')
    expect(isFlat(imported, full)).toBe(true)
    expect(isFlat(full, imported)).toBe(false)
    expect(isFlat(base, full)).toBe(false)
    const d = diffImages(full, imported, {ignore: [], paths: []})
    expect(d.lost).toEqual({side: 'b', because: 'import', history: 2, layers: 2, config: ['Cmd'], repoTags: ['busybox-1:latest']})
    expect(d.exportMatch).toMatchObject({side: 'b', step: 2, derived: true})
    expect(d.config).toEqual([{field: 'Cmd', a: says['busybox-1'].config.Cmd, b: null}])
    expect(lostHistory(full, base)).toBeNull()
    expect(lostHistory(full, full)).toBeNull()
  })
})

describe('configs and histories, as Docker recorded them', () => {
  const names = ['busybox', 'busybox-1', 'busybox-1-imported', 'multistep']

  it('diffConfig: the fields whose values Docker shows differently, set vs unset alike', async () => {
    const images = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await saveOf(n)] as const)))
    for (const x of names) {
      for (const y of names) {
        const [cx, cy] = [normalized(says[x].config), normalized(says[y].config)]
        const want = Object.keys(cx).filter((f) => JSON.stringify(cx[f]) !== JSON.stringify(cy[f]))
        const got = diffConfig(images[x], images[y])
        expect(got.map((c) => c.field), `${x} vs ${y}`).toEqual(CONFIG_FIELDS.filter((f) => want.includes(f)))
        for (const c of got) expect([c.a, c.b]).toEqual([cx[c.field], cy[c.field]])
      }
      expect(configFieldsWithValues(images[x]), x).toEqual(CONFIG_FIELDS.filter((f) => !unset(says[x].config[f])))
    }
  })

  it('diffConfig compares the platform too', async () => {
    const a = await saveOf('busybox')
    const arm = {...a, config: {...a.config, architecture: 'arm64', variant: 'v8'}} as Image
    expect(diffConfig(a, arm)).toEqual([{field: 'architecture', a: 'amd64', b: 'arm64'}, {field: 'variant', a: null, b: 'v8'}])
    expect(diffConfig(a, {...a, config: null})).toEqual([{field: 'Cmd', a: ['sh'], b: null}, {field: 'architecture', a: 'amd64', b: null}, {field: 'os', a: 'linux', b: null}])
  })

  it('diffHistory: step by step, created_by (or the comment of an import)', async () => {
    const a = await saveOf('busybox-1')
    const b = await saveOf('multistep')
    const rows = diffHistory(a, b)
    const docker = multistepSteps().steps
    expect(rows.length).toBe(docker.length)
    expect(rows[0]).toEqual({step: 1, status: 'same', a: 'Imported from -', b: 'Imported from -'})
    expect(rows[1]).toEqual({step: 2, status: 'different', a: 'mkdir /home/test', b: docker[1].createdBy})
    expect(rows.slice(2).every((r, i) => r.status === 'only-b' && r.a === null && r.b === docker[i + 2].createdBy && r.step === i + 3)).toBe(true)
    expect(diffHistory(b, a).slice(2).every((r) => r.status === 'only-a' && r.b === null)).toBe(true)
    expect(diffHistory({...a, history: [{}]}, {...a, history: [{}]})).toEqual([{step: 1, status: 'same', a: '', b: ''}])
  })

  it('hasValue: null, "", [] and {} are unset', () => {
    expect([undefined, null, '', [], {}].map(hasValue)).toEqual([false, false, false, false, false])
    expect([0, false, 'x', ['a'], {a: 1}].map(hasValue)).toEqual([true, true, true, true, true])
  })
})

describe('layers side by side', () => {
  it('same chain, same content on another base, different, one side only', async () => {
    const a = await saveOf('busybox-1')
    const other = await saveOf('busybox-1-imported')
    // busybox-1's second layer on top of busybox-1-imported's layer: same diff_id, other chain.
    const b = {...a, layers: [other.layers[0], a.layers[1], a.layers[0]], history: []} as Image
    const rows = alignLayers(a, b)
    expect(rows.map((r) => r.status)).toEqual(['different', 'same-content', 'only-b'])
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2])
    expect(rows[1].b).toEqual({diffId: a.layers[1].diffId, chainId: chainOf([other.layers[0].diffId, a.layers[1].diffId])[1], size: a.layers[1].uncompressedSize, createdBy: undefined})
    expect(rows[2].a).toBeNull()
    expect(alignLayers(b, a).map((r) => r.status)).toEqual(['different', 'same-content', 'only-a'])
  })
})

describe('file changes, field by field', () => {
  const node = (more: Partial<Inode> = {}): Inode => ({type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 100, size: 3, digest: 'd1', layer: 0, ...more})
  const none = new Set<string>()

  it('changedFields names each field that differs, minus the ignored ones', () => {
    expect(changedFields(node(), node(), none)).toEqual([])
    expect(changedFields(node(), node({digest: 'd2'}), none)).toEqual(['content'])
    expect(changedFields(node(), node({digest: 'd2', size: 4}), none)).toEqual(['content', 'size'])
    expect(changedFields(node(), node({mode: 0o600, uid: 1, gid: 2, mtime: 200}), none)).toEqual(['mode', 'uid', 'gid', 'mtime'])
    expect(changedFields(node(), node({mode: 0o600, uid: 1, gid: 2, mtime: 200}), new Set(['mode', 'gid']))).toEqual(['uid', 'mtime'])
    // The time of unpacking (null) is never a change.
    expect(changedFields(node({mtime: null}), node({mtime: 5}), none)).toEqual([])
    expect(changedFields(node({mtime: 5}), node({mtime: null}), none)).toEqual([])
    expect(changedFields(node(), node({type: 'symlink', target: 'x', size: 0, digest: undefined}), none)).toEqual(['type'])
    const link = node({type: 'symlink', target: 'a', size: 0, digest: undefined})
    expect(changedFields(link, {...link, target: 'b'}, none)).toEqual(['link'])
    const dev = node({type: 'char', devmajor: 1, devminor: 3, size: 0, digest: undefined})
    expect(changedFields(dev, {...dev, devminor: 5}, none)).toEqual(['device'])
    expect(changedFields(dev, {...dev, devmajor: 4}, none)).toEqual(['device'])
    expect(changedFields({...dev, type: 'block'}, {...dev, type: 'block', devmajor: 4}, none)).toEqual(['device'])
    expect(changedFields(node({type: 'dir', digest: undefined}), node({type: 'dir', digest: undefined, size: 0}), none)).toEqual(['size'])
    expect(changedFields(node({type: 'fifo', target: 'a'}), node({type: 'fifo', target: 'b'}), none)).toEqual([])
    expect(IGNORABLE).toEqual(expect.arrayContaining(['mtime', 'uid', 'gid', 'mode', 'size', 'content', 'link', 'type', 'xattrs']))
  })

  it('extended attributes: all of them between images, security.capability only against an export', () => {
    const cap = {'security.capability': '01'}
    expect(changedFields(node({xattrs: {...cap, 'user.a': '1'}}), node({xattrs: cap}), none, 'all')).toEqual(['xattrs'])
    expect(changedFields(node({xattrs: {...cap, 'user.a': '1'}}), node({xattrs: cap}), none, 'exportable')).toEqual([])
    expect(changedFields(node({xattrs: cap}), node(), none, 'exportable')).toEqual(['xattrs'])
    expect(changedFields(node(), node({xattrs: {'user.a': '1'}}), none, 'all')).toEqual(['xattrs'])
    expect(changedFields(node({xattrs: {'user.b': '2', 'user.a': '1'}}), node({xattrs: {'user.a': '1', 'user.b': '2'}}), none)).toEqual([])
    expect(changedFields(node({xattrs: {'user.a': '1'}}), node({xattrs: {'user.a': '2'}}), none)).toEqual(['xattrs'])
    expect(changedFields(node({xattrs: {'user.a': '1'}}), node({xattrs: {'user.a': '2'}}), new Set(['xattrs']))).toEqual([])
  })

  it('the xattrs case: Docker\'s export lost user.* attributes, and that is no difference', async () => {
    const save = await readImage(fixture('fidelity/cases/xattrs.save.tar'))
    const exported = await readImage(fixture('fidelity/cases/xattrs.export.tar'))
    expect(diffImages(save, exported, {ignore: [], paths: []}).files.filter((f) => !f.runtime)).toEqual([])
  })

  it('metaOf: what the JSON says of one side', () => {
    expect(metaOf(node({mode: 0o4755}), true)).toEqual({type: 'file', size: 3, mode: '4755', uid: 0, gid: 0, mtime: 100, digest: 'd1', layer: 1})
    expect(metaOf(node({mode: 0o7}), false)).toEqual({type: 'file', size: 3, mode: '0007', uid: 0, gid: 0, mtime: 100, digest: 'd1'})
    expect(metaOf(node({type: 'symlink', target: 'x', digest: undefined, size: 0, layer: 2, xattrs: {}}), true)).toEqual({type: 'symlink', size: 0, mode: '0644', uid: 0, gid: 0, mtime: 100, linkTarget: 'x', layer: 3})
    expect(metaOf(node({names: ['/a', '/b'], xattrs: {'user.a': '1'}}), false)).toMatchObject({links: 2, xattrs: {'user.a': '1'}})
    expect(metaOf(node({names: ['/a']}), false).links).toBeUndefined()
  })

  it('runtime changes: the container\'s own files, and their directories when only their time changed', () => {
    for (const p of CONTAINER_FILES) expect(isRuntimeChange(p, 'modified', ['content']), p).toBe(true)
    for (const p of CONTAINER_PARENTS) {
      expect(isRuntimeChange(p, 'added', [])).toBe(true)
      expect(isRuntimeChange(p, 'modified', ['mtime'])).toBe(true)
      expect(isRuntimeChange(p, 'modified', ['mtime', 'mode'])).toBe(false)
    }
    expect(isRuntimeChange('/etc/passwd', 'added', [])).toBe(false)
    expect(isRuntimeChange('/home', 'modified', ['mtime'])).toBe(false)
  })

  it('pathFilter: globs on the absolute path; a directory selects what is under it', () => {
    const f = pathFilter(['/etc/**', 'usr/bin', '**/*.conf', '/opt/{a,b}'])
    expect(['/etc', '/etc/passwd', '/etc/ssl/certs/x', '/usr/bin', '/usr/bin/sh', '/app/x.conf', '/opt/a', '/opt/b/c'].filter((p) => !f(p))).toEqual([])
    expect(['/usr', '/usr/binx', '/etcx', '/opt/c', '/opt'].filter(f)).toEqual([])
    expect(pathFilter([])('/anything')).toBe(true)
    expect(pathFilter(['/a/'])('/a/b')).toBe(true)
    expect(pathFilter(['/a/'])('/ab')).toBe(false)
    expect(pathFilter(['.hidden'])('/.hidden')).toBe(true)
    expect(pathFilter(['/x/*'])('/x/.dot')).toBe(true)
    expect(pathFilter(['/data?'])('/data1/f')).toBe(true)
    expect(pathFilter(['/data?'])('/data1x/f')).toBe(false)
  })
})

describe('counting differences, as the export matcher does', () => {
  it('countDifferences and differs agree with diffFiles, runtime files apart', async () => {
    const save = await saveOf('multistep')
    const exported = await readImage(fixture('multistep.export.tar'))
    const base = await saveOf('busybox')
    const options: FileDiffOptions = {ignore: new Set(), paths: [], runtime: true, layers: {a: null, b: null}, xattrs: 'exportable'}
    const [fsBase, fsSave, fsExport] = [FlatFs.of(base.layers), FlatFs.of(save.layers), FlatFs.of(exported.layers)]
    expect(countDifferences(fsSave, fsExport, options)).toBe(0)
    const real = diffFiles(fsBase, fsExport, options).filter((f) => !f.runtime).length
    expect(countDifferences(fsBase, fsExport, options)).toBe(real)
    expect(countDifferences(fsExport, fsBase, options)).toBe(real)
    expect(real).toBeGreaterThan(0)
    expect(differs('/x', undefined, undefined, options)).toBe(false)
    expect(differs('/.dockerenv', undefined, fsExport.get('/.dockerenv'), options)).toBe(false)
    expect(differs('/.dockerenv', undefined, fsExport.get('/.dockerenv'), {...options, runtime: false})).toBe(true)
    expect(differs('/app', fsSave.get('/app'), undefined, options)).toBe(true)
    expect(differs('/etc', fsBase.get('/etc'), {...fsBase.get('/etc')!, mtime: 1}, options)).toBe(false)
    expect(differs('/etc', fsBase.get('/etc'), {...fsBase.get('/etc')!, mtime: 1}, {...options, runtime: false})).toBe(true)
    expect(differs('/bin', fsBase.get('/bin'), {...fsBase.get('/bin')!, mtime: 1}, {...options, ignore: new Set(['mtime'])})).toBe(false)
  })

  it('matchExport: no layers, no answer; no usable history, the layers are the steps', async () => {
    const save = await saveOf('busybox-1')
    const exported = await readImage(fixture('busybox-1.export.tar'))
    const options: FileDiffOptions = {ignore: new Set(), paths: [], runtime: true, layers: {a: null, b: null}, xattrs: 'exportable'}
    const flat = FlatFs.of(exported.layers)
    expect(matchExport(flat, {...save, layers: []}, 'b', options)).toBeNull()
    const m = matchExport(flat, {...save, history: []}, 'b', options)!
    expect(m.steps.map((s) => [s.step, s.layers])).toEqual([[1, 1], [2, 2]])
    expect(m).toMatchObject({step: 2, layers: 2, createdBy: null, differing: 0, derived: true})
    // A history of metadata steps only (none made a layer): the layers number the steps.
    const meta = matchExport(flat, {...save, history: [{emptyLayer: true}]}, 'b', options)!
    expect(meta.steps.map((s) => s.step)).toEqual([1, 2])
    const filled = new FlatFs()
    matchExport(flat, save, 'a', options, filled)
    expect(filled.sortedPaths()).toEqual(FlatFs.of(save.layers).sortedPaths())
    expect(filled.touched).toBeUndefined()
  })
})

describe('sizes: why a save is bigger than its export', () => {
  /** Content bytes of regular files in a plain tar (hard links counted once, as the file they name). */
  const contentOf = (tar: Buffer) => parseTar(tar).filter((m) => m.type === '0').reduce((n, m) => n + m.size, 0)

  it('busybox-1 and multistep: stored layers, visible and hidden content add up to what the tars hold', async () => {
    for (const name of ['busybox-1', 'multistep']) {
      const image = await saveOf(name)
      const save = readSave(fixture(says[name].saveFile))
      const layers = save.manifest[0].Layers.map((l) => save.member(l))
      const report = sizeReport(image, FlatFs.of(image.layers))
      const exported = readFileSync(fixture(`${name}.export.tar`))
      expect(report.bytes).toBe(statSync(fixture(says[name].saveFile)).size)
      expect(report.layersStored).toBe(layers.reduce((n, l) => n + l.length, 0))
      expect(report.layersUncompressed).toBe(report.layersStored)
      // The export's files are the image's files (plus the container's, which are empty).
      expect(report.visibleBytes, name).toBe(contentOf(exported))
      expect(report.hiddenBytes, name).toBe(layers.reduce((n, l) => n + contentOf(l), 0) - contentOf(exported))
      expect(report.compression).toBe('none')
      expect(report.metadataBytes).toBe(image.metadataBytes)
    }
  })

  it('a layer stored once counts once (busybox-multi shares busybox\'s layer through a symlink)', async () => {
    const images = await readImages(fixture('busybox-multi.save.tar'))
    const child = images.find((i) => i.repoTags.includes('busybox-1:latest'))!
    const doubled = {...child, layers: [child.layers[0], child.layers[0], child.layers[1]]}
    const once = sizeReport(child, FlatFs.of(child.layers))
    expect(sizeReport(doubled, FlatFs.of(child.layers)).layersStored).toBe(once.layersStored)
    const noMember = {...child, layers: child.layers.map((l) => ({...l, member: undefined}))}
    expect(sizeReport(noMember, FlatFs.of(child.layers)).layersStored).toBe(once.layersStored)
    expect(sizeReport({...child, layers: child.layers.map((l, i) => ({...l, member: undefined, digest: `d${i}`}))}, FlatFs.of(child.layers)).layersStored).toBe(once.layersStored)
  })
})

describe('content patches for --content', () => {
  it('multistep step 9 against the final image: app.conf as the Dockerfile rewrote it', async () => {
    const full = await saveOf('multistep')
    const docker = multistepSteps().steps
    // Step 9's image holds the layers up to the chown; step 10 rewrote app.conf.
    const before = {...full, layers: full.layers.slice(0, docker[8].diffIds.length)}
    const {result, fs} = compareImages(before, full, {ignore: [], paths: ['/app/**']})
    const patches = await contentPatches({a: before, b: full}, fs, result.files, 1 << 20)
    expect(patches.get('/app/conf/app.conf')).toBe(
      ['===================================================================', '--- a/app/conf/app.conf', '+++ b/app/conf/app.conf', '@@ -1,3 +1,4 @@', ' line 1', '-line 2', '+line 2 changed', ' line 3', '+line 4 added', ''].join('\n'),
    )
    const added = patches.get('/app/hello.txt')!
    expect(added).toContain('--- a/app/hello.txt')
    expect(added).toContain('+++ b/app/hello.txt')
    expect(added).toContain('@@ -0,0 +1,')
    // Only content changes get a patch: directories and mode-only changes do not.
    expect(patches.has('/app/conf')).toBe(false)
    expect(patches.has('/app/old')).toBe(false)
    const small = await contentPatches({a: before, b: full}, fs, result.files, 10)
    expect(small.get('/app/conf/app.conf')).toBe('(content not shown: larger than --max-content 10 bytes)')
  })

  it('binary files are named, not shown; runtime files are left out', async () => {
    const save = await saveOf('busybox-1')
    const exported = await readImage(fixture('busybox-1.export.tar'))
    const base = await saveOf('busybox')
    const {result, fs} = compareImages(base, exported, {ignore: [], paths: []})
    const picked = result.files.filter((f) => f.path === '/.dockerenv')
    expect(picked.length).toBe(1)
    expect((await contentPatches({a: base, b: exported}, fs, picked, 1 << 20)).size).toBe(0)
    // A binary against nothing: busybox's own binary, removed.
    const gone = compareImages(save, {...save, layers: []} as Image, {ignore: [], paths: ['/bin/busybox']})
    const patches = await contentPatches({a: save, b: {...save, layers: []} as Image}, gone.fs, gone.result.files, 1 << 22)
    expect(patches.get('/bin/busybox')).toBe('Binary files differ')
  })
})
