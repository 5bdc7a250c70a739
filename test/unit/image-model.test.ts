/**
 * The model's small parts (src/image: file-entry, history, ids, steps, step-ref, references,
 * summary) held to what Docker recorded about the fixtures (docker-says.json,
 * multistep-steps.json) and to the archives' own bytes, read by parseTar.
 */
import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/errors.js'
import {cleanNameOf, fileEntryFromMember, type TarMember, unusualName, whiteoutOf} from '../../src/image/file-entry.js'
import {historyFromConfig, isImported, layerOfStep} from '../../src/image/history.js'
import {chainIds, knownDiffIds, shortId} from '../../src/image/ids.js'
import {exportDigestsNeeded} from '../../src/compare/export-digest.js'
import {type Image, runtimeConfig} from '../../src/image/model.js'
import {referenceMatches} from '../../src/image/references.js'
import {resolveStep, stepLabel} from '../../src/image/step-ref.js'
import {stepsOf} from '../../src/image/steps.js'
import {platformOf, summarize} from '../../src/image/summary.js'
import {chainOf, dockerSays, fixture, multistepSteps, parseTar, readImage, readImages, readSave} from './support.js'

const member = (m: Partial<TarMember> & {name: string}): TarMember => ({typeflag: '0', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_577_836_800, linkname: '', devmajor: 0, devminor: 0, dataOffset: 0, storedSize: 0, ...m})

describe('fileEntryFromMember: a member as Docker\'s unpacking sees it', () => {
  it('types by Go\'s type flags; a PAX global header is ignored, an unknown type kept for refusal', () => {
    const types = ['0', '1', '2', '3', '4', '5', '6', 'g', '7', 'S'].map((t) => fileEntryFromMember(member({name: `x${t}`, typeflag: t})).type)
    expect(types).toEqual(['file', 'hardlink', 'symlink', 'char', 'block', 'dir', 'fifo', 'global', 'other', 'other'])
    expect(fileEntryFromMember(member({name: 'x', typeflag: '7'})).typeflag).toBe('7')
    expect(fileEntryFromMember(member({name: 'x', typeflag: '0'})).typeflag).toBeUndefined()
  })

  it('keeps permission, set-id and sticky bits, not the file-type bits', () => {
    expect(fileEntryFromMember(member({name: 'f', mode: 0o104755})).mode).toBe(0o4755)
    expect(fileEntryFromMember(member({name: 'd', typeflag: '5', mode: 0o41777})).mode).toBe(0o1777)
  })

  it('gives content to regular files only (a header-only type has no body whatever its size says)', () => {
    const file = fileEntryFromMember(member({name: 'f', size: 10, dataOffset: 1536, sparse: [[0, 5]]}), 'sha256:x')
    expect(file).toMatchObject({path: '/f', size: 10, offset: 1536, sparse: [[0, 5]], digest: 'sha256:x'})
    const fifo = fileEntryFromMember(member({name: 'p', typeflag: '6', size: 10, dataOffset: 1536, sparse: [[0, 5]]}))
    expect(fifo.size).toBe(0)
    expect(fifo.offset).toBeUndefined()
    expect(fifo.sparse).toBeUndefined()
    expect(fifo.digest).toBeUndefined()
    expect(fileEntryFromMember(member({name: 'f', size: 3})).sparse).toBeUndefined()
  })

  it('keeps link targets as written, device numbers of devices, and xattrs', () => {
    expect(fileEntryFromMember(member({name: 's', typeflag: '2', linkname: '../x'})).linkTarget).toBe('../x')
    expect(fileEntryFromMember(member({name: 'h', typeflag: '1', linkname: 'a/b'})).linkTarget).toBe('a/b')
    expect(fileEntryFromMember(member({name: 'f', linkname: 'junk'})).linkTarget).toBeUndefined()
    const dev = fileEntryFromMember(member({name: 'dev/null', typeflag: '3', devmajor: 1, devminor: 3}))
    expect([dev.devmajor, dev.devminor]).toEqual([1, 3])
    const blk = fileEntryFromMember(member({name: 'dev/loop9', typeflag: '4', devmajor: 7, devminor: 9}))
    expect([blk.devmajor, blk.devminor]).toEqual([7, 9])
    const file = fileEntryFromMember(member({name: 'f', devmajor: 1, devminor: 3}))
    expect(file.devmajor).toBeUndefined()
    expect(file.devminor).toBeUndefined()
    const cap = {'security.capability': '0100000200200000000000000000000000000000'}
    expect(fileEntryFromMember(member({name: 'bin/ping', xattrs: cap})).xattrs).toEqual(cap)
    expect(fileEntryFromMember(member({name: 'bin/ping'})).xattrs).toBeUndefined()
  })

  it('records Docker\'s clean name only where it is not the path without its slash', () => {
    expect(fileEntryFromMember(member({name: './etc/'})).name).toBeUndefined()
    expect(fileEntryFromMember(member({name: 'a//b'})).name).toBeUndefined()
    expect(fileEntryFromMember(member({name: '/abs/x'}))).toMatchObject({path: '/abs/x', name: '/abs/x'})
    expect(fileEntryFromMember(member({name: '../up'}))).toMatchObject({path: '/up', name: '../up'})
    expect(fileEntryFromMember(member({name: '.', typeflag: '5'}))).toMatchObject({path: '/', name: '.'})
    expect(cleanNameOf(fileEntryFromMember(member({name: './etc/passwd'})))).toBe('etc/passwd')
    expect(cleanNameOf(fileEntryFromMember(member({name: '/abs/x'})))).toBe('/abs/x')
  })

  it('marks root-level .wh..wh. names as AUFS bookkeeping, and only those', () => {
    expect(fileEntryFromMember(member({name: '.wh..wh.plnk/12.34'})).aufs).toBe(true)
    expect(fileEntryFromMember(member({name: './.wh..wh.aufs'})).aufs).toBe(true)
    expect(fileEntryFromMember(member({name: 'a/.wh..wh..opq'})).aufs).toBeUndefined()
    expect(fileEntryFromMember(member({name: 'a/.wh.x'})).aufs).toBeUndefined()
  })

  it('says which names are unusual, and where Docker puts them', () => {
    const said = (name: string) => unusualName(fileEntryFromMember(member({name})))
    expect(said('etc/passwd')).toBeNull()
    expect(said('./etc/')).toBeNull()
    expect(said('.')).toBeNull()
    expect(said('a/../b')).toBeNull()
    expect(said('/abs/x')).toBe(`'/abs/x' is an absolute name (Docker puts it at /abs/x)`)
    expect(said('../up')).toBe(`'../up' climbs out of the root (Docker puts it at /up)`)
    expect(said('a/../../up2')).toBe(`'../up2' climbs out of the root (Docker puts it at /up2)`)
    expect(said('..')).toBe(`'..' climbs out of the root (Docker puts it at /)`)
    expect(said('..x/y/..')).toBeNull()
  })

  it('reads whiteout markers: .wh.<name> deletes, .wh..wh..opq empties; AUFS bookkeeping is neither', () => {
    const wo = (name: string) => whiteoutOf(fileEntryFromMember(member({name})))
    expect(wo('a/.wh.x')).toBe('delete')
    expect(wo('.wh.top')).toBe('delete')
    expect(wo('a/.wh..wh..opq')).toBe('opaque')
    expect(wo('.wh..wh..opq')).toBe('opaque')
    expect(wo('.wh..wh.plnk')).toBeNull()
    expect(wo('.wh..wh.plnk/1.2')).toBe(null)
    expect(wo('a/x.wh.y')).toBeNull()
    expect(wo('a/b')).toBeNull()
  })

  it('the archive reader warns of the unusual names Docker moves into the root', async () => {
    const image = await readImage(fixture('fidelity/cases/names-absolute-dotdot.save.tar'))
    expect(image.warnings.length).toBeGreaterThan(0)
    for (const w of image.warnings) expect(w).toMatch(/is an absolute name|climbs out of the root/)
  })
})

describe('history and steps, as Docker recorded them', () => {
  it('historyFromConfig reads each history entry Docker wrote', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const steps = multistepSteps().steps
    const history = historyFromConfig(image.config)
    expect(history.length).toBe(steps.length)
    history.forEach((h, i) => {
      expect(h.createdBy ?? null, `step ${i + 1}`).toBe(steps[i].createdBy)
      expect(h.created).toBe(steps[i].created)
      expect(h.comment ?? null).toBe(steps[i].comment)
      expect(h.emptyLayer).toBe(steps[i].emptyLayer)
    })
    expect(image.history).toEqual(history)
  })

  it('historyFromConfig takes only well-typed fields', () => {
    const config = {history: [{created: 5, created_by: ['x'], author: 'me', comment: null, empty_layer: 'yes'}, null, 'junk', {empty_layer: true, created_by: 'RUN x', comment: 'c', created: 'then', author: 7}]}
    expect(historyFromConfig(config)).toEqual([{author: 'me', emptyLayer: false}, {}, {}, {emptyLayer: true, createdBy: 'RUN x', comment: 'c', created: 'then'}])
    expect(historyFromConfig({history: 'none'})).toEqual([])
    expect(historyFromConfig(null)).toEqual([])
  })

  it('layerOfStep: the k-th non-empty step made layer k (Docker\'s historyNonEmpty per step)', () => {
    const steps = multistepSteps().steps
    const layerOf = layerOfStep(steps.map((s) => ({emptyLayer: s.emptyLayer})), 9)
    expect(layerOf).toEqual(steps.map((s) => (s.emptyLayer ? null : s.historyNonEmpty - 1)))
    // More history than layers: the extra steps made none.
    expect(layerOfStep([{}, {}, {}], 2)).toEqual([0, 1, null])
    expect(layerOfStep([{emptyLayer: true}, {}], 1)).toEqual([null, 0])
  })

  it('isImported: one layer and one "Imported from" entry (docker import), or nothing to say otherwise', async () => {
    const says = dockerSays().images
    for (const name of ['busybox', 'busybox-1', 'busybox-1-imported', 'multistep']) {
      const image = await readImage(fixture(says[name].saveFile))
      // Docker's import leaves no created_by and a single history entry (docker-says: historyCreatedBy [null]).
      const imported = says[name].history === 1 && says[name].historyCreatedBy[0] === null
      expect(isImported(image.history, image.layers.length), name).toBe(imported)
    }
    expect(isImported([], 1)).toBe(true)
    expect(isImported([], 0)).toBe(true)
    expect(isImported([{comment: 'Imported from http://x'}], 1)).toBe(true)
    expect(isImported([{comment: 'from a build'}], 1)).toBe(false)
    expect(isImported([{}], 1)).toBe(false)
    expect(isImported([{comment: 'Imported from -'}], 2)).toBe(false)
    expect(isImported([{comment: 'Imported from -'}, {comment: 'Imported from -'}], 1)).toBe(false)
  })

  it('chain ids are the image spec\'s chain over Docker\'s diff_ids', () => {
    const diffIds = dockerSays().images.multistep.diffIds
    expect(chainIds(diffIds)).toEqual(chainOf(diffIds))
    expect(chainIds(diffIds)[0]).toBe(diffIds[0])
    expect(chainIds([])).toEqual([])
  })

  it('an unread diff_id (an export read without its sha256) leaves its chain id and every one above unknown', () => {
    const [x, y] = dockerSays().images.multistep.diffIds
    expect(chainIds([x, null, y])).toEqual([x, null, null])
    expect(chainIds([null, x])).toEqual([null, null])
    expect(knownDiffIds([{diffId: x}, {diffId: y}])).toEqual([x, y])
    expect(() => knownDiffIds([{diffId: x}, {diffId: null}])).toThrow("layer 2's diff_id was not read")
  })

  it("an export's unread sha256 is wanted only beside a first layer of the same size", () => {
    const side = (kind: 'image' | 'export', size: number, diffId: string | null = kind === 'image' ? 'sha256:a' : null) => ({kind, layers: [{diffId, uncompressedSize: size}]}) as unknown as Image
    const exp = side('export', 100)
    expect(exportDigestsNeeded(exp, side('image', 100))).toEqual([exp])
    expect(exportDigestsNeeded(side('image', 100), exp)).toEqual([exp])
    expect(exportDigestsNeeded(exp, side('image', 101))).toEqual([])
    // Read already, or an image: nothing to read.
    expect(exportDigestsNeeded(side('export', 100, 'sha256:b'), side('image', 100))).toEqual([])
    expect(exportDigestsNeeded(side('image', 100), side('image', 100))).toEqual([])
    // Two exports of one size: both.
    const other = side('export', 100)
    expect(exportDigestsNeeded(exp, other)).toEqual([exp, other])
    // An image with no layers (all metadata) is no reason.
    expect(exportDigestsNeeded(exp, {kind: 'image', layers: []} as unknown as Image)).toEqual([])
  })

  it('shortId is the 12 characters Docker prints', () => {
    const id = dockerSays().images['busybox-1'].id
    expect(shortId(id)).toBe(id.slice(7, 19))
    expect(shortId('0123456789abcdef')).toBe('0123456789ab')
    expect(shortId('xsha256:0123456789abcdef')).toBe('xsha256:0123')
    expect(shortId(null)).toBe('<missing>')
    expect(shortId(undefined)).toBe('<missing>')
    expect(shortId('')).toBe('<missing>')
  })

  it('stepsOf multistep: every step\'s layers, ids and sizes, as Docker and the layer tars say', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const docker = multistepSteps()
    const steps = stepsOf(image)
    const save = readSave(fixture('multistep.save.tar'))
    const layerBytes = save.manifest[0].Layers.map((l) => parseTar(save.member(l)).filter((m) => m.type === '0').reduce((n, m) => n + m.size, 0))
    let virtual = 0
    expect(steps.length).toBe(docker.steps.length)
    for (const [i, s] of steps.entries()) {
      const d = docker.steps[i]
      expect(s.step).toBe(d.step)
      expect(s.layersSoFar, `step ${d.step}`).toBe(d.diffIds.length)
      expect(s.layer).toBe(d.emptyLayer ? null : d.diffIds.length - 1)
      expect(s.diffId).toBe(d.emptyLayer ? null : d.diffIds.at(-1))
      expect(s.chainId).toBe(d.emptyLayer ? null : chainOf(d.diffIds).at(-1))
      expect(s.v1Id).toBe(d.emptyLayer ? null : save.manifest[0].Layers[d.diffIds.length - 1].split('/')[0])
      expect(s.created).toBe(d.created)
      expect(s.createdBy).toBe(d.createdBy)
      expect(s.comment).toBe(d.comment)
      const size = d.emptyLayer ? 0 : layerBytes[d.diffIds.length - 1]
      virtual += size
      expect(s.size).toBe(size)
      expect(s.virtualSize).toBe(virtual)
      // This archive holds only the final image: Docker shows the other steps' ids only while it has them.
      expect(s.imageId).toBe(i === steps.length - 1 ? docker.id : null)
    }
  })

  it('stepsOf an archive holding the parent image: the parent\'s id on its step (docker history)', async () => {
    const images = await readImages(fixture('busybox-multi.save.tar'))
    const child = images.find((i) => i.repoTags.includes('busybox-1:latest'))!
    expect(stepsOf(child).map((s) => s.imageId)).toEqual(dockerSays().images['busybox-1'].historyIds)
  })

  it('stepsOf an export: each layer is a step', async () => {
    const image = await readImage(fixture('busybox-1.export.tar'))
    const steps = stepsOf(image)
    expect(steps.length).toBe(1)
    expect(steps[0]).toMatchObject({step: 1, layer: 0, layersSoFar: 1, diffId: image.layers[0].diffId, createdBy: null, created: null, comment: null, imageId: null})
  })
})

describe('resolveStep: what a user means by --to', () => {
  it('a step number, with or without #', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    expect(resolveStep(image, '5').step).toBe(5)
    expect(resolveStep(image, '#5').step).toBe(5)
    expect(resolveStep(image, ' 19 ').step).toBe(19)
    expect(resolveStep(image, '#019').step).toBe(19)
    expect(resolveStep(image, '1').step).toBe(1)
    for (const bad of ['0', '20', '#0', '#20', '#1234']) expect(() => resolveStep(image, bad), bad).toThrow(/--to .*: the image has steps 1 to 19/)
  })

  it('a hex prefix of an id Docker prints for the step: image id, diff_id, chain id, legacy directory', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const docker = multistepSteps()
    const save = readSave(fixture('multistep.save.tar'))
    expect(resolveStep(image, docker.id.slice(7, 19)).step).toBe(19)
    expect(resolveStep(image, docker.id).step).toBe(19)
    expect(resolveStep(image, docker.id.slice(7).toUpperCase()).step).toBe(19)
    // Layer 2 was made by step 5 (Docker: the first step with two diff_ids).
    const made = docker.steps.find((s) => s.diffIds.length === 2)!.step
    const diffId = docker.steps.at(-1)!.diffIds[1]
    expect(resolveStep(image, diffId.slice(7, 15)).step).toBe(made)
    expect(resolveStep(image, chainOf(docker.steps.at(-1)!.diffIds)[1].slice(7, 15)).step).toBe(made)
    expect(resolveStep(image, save.manifest[0].Layers[1].slice(0, 8)).step).toBe(made)
    // A number of 4+ digits beyond the steps is taken as hex.
    const digits = [docker.id, ...docker.steps.at(-1)!.diffIds].map((d) => d.slice(7)).find((h) => /^\d{4}/.test(h))
    if (digits) expect(resolveStep(image, digits.slice(0, 12)).step).toBeGreaterThan(0)
  })

  it('refuses what names no step, or several', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    expect(() => resolveStep(image, 'abc')).toThrow(/give a step number or at least 4 hex characters/)
    expect(() => resolveStep(image, 'zzzzzz')).toThrow(UsageError)
    expect(() => resolveStep(image, 'sha256:')).toThrow(/at least 4 hex/)
    expect(() => resolveStep(image, 'a'.repeat(65))).toThrow(/at least 4 hex/)
    expect(() => resolveStep(image, 'ffffffffffff')).toThrow(/no step has that id \(steps 1: #1, .*19: 4947237896fa; see imgdiff inspect\)/)
    // The shortest prefix two steps share: ambiguous.
    const steps = stepsOf(image)
    const ids = steps.flatMap((s) => [s.imageId, s.v1Id, s.diffId, s.chainId].filter((x): x is string => x !== null).map((id) => [s.step, id.replace(/^sha256:/, '')] as const))
    let shared: string | undefined
    for (let n = 4; n <= 12 && !shared; n++) {
      const by = new Map<string, Set<number>>()
      for (const [step, id] of ids) by.set(id.slice(0, n), (by.get(id.slice(0, n)) ?? new Set()).add(step))
      shared = [...by].find(([, s]) => s.size > 1)?.[0]
    }
    if (shared) expect(() => resolveStep(image, shared!)).toThrow(/is ambiguous: it matches steps \d+: .*, \d+: /)
  })

  it('stepLabel: Docker\'s short id where the step has one, else #N', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const steps = stepsOf(image)
    expect(stepLabel(steps[18])).toBe(multistepSteps().id.slice(7, 19))
    expect(stepLabel(steps[3])).toBe('#4')
  })
})

describe('referenceMatches: Docker\'s and Podman\'s names for one image', () => {
  const yes: Array<[string, string]> = [
    ['busybox:latest', 'busybox'],
    ['busybox:latest', 'busybox:latest'],
    ['busybox:latest', 'docker.io/busybox'],
    ['busybox:latest', 'docker.io/library/busybox:latest'],
    ['busybox:latest', 'index.docker.io/library/busybox:latest'],
    ['docker.io/library/busybox:latest', 'busybox'],
    ['library/busybox:latest', 'busybox:latest'],
    ['me/app:v1', 'docker.io/me/app:v1'],
    ['localhost/busybox:latest', 'busybox'],
    ['localhost/busybox:latest', 'localhost/busybox:latest'],
    ['localhost/busybox:latest', 'library/busybox'],
    ['localhost/me/app:v1', 'me/app:v1'],
    ['quay.io/org/app:1.0', 'quay.io/org/app:1.0'],
    ['registry:5000/app:v1', 'registry:5000/app:v1'],
    ['localhost:5000/app:v1', 'localhost:5000/app:v1'],
    ['busybox:latest', 'busybox@sha256:0123'],
    ['busybox:1.36', 'busybox:1.36@sha256:0123'],
  ]
  const no: Array<[string, string]> = [
    ['busybox:1.36', 'busybox'],
    ['busybox:latest', 'busybox:1.36'],
    ['busybox:latest', 'other'],
    ['busybox:latest', 'quay.io/busybox'],
    ['busybox:latest', 'localhost/busybox'],
    ['localhost/busybox:latest', 'docker.io/busybox'],
    ['localhost/busybox:latest', 'other'],
    ['quay.io/org/app:1.0', 'org/app:1.0'],
    ['quay.io/org/app:1.0', 'ghcr.io/org/app:1.0'],
    ['localhost:5000/app:v1', 'app:v1'],
    ['me/app:v1', 'app:v1'],
    ['registry:5000/app:v1', 'registry:5001/app:v1'],
  ]
  for (const [stored, wanted] of yes) it(`${stored} is ${wanted}`, () => expect(referenceMatches(stored, wanted)).toBe(true))
  for (const [stored, wanted] of no) it(`${stored} is not ${wanted}`, () => expect(referenceMatches(stored, wanted)).toBe(false))
})

describe('summarize: an image as --json prints it', () => {
  it('busybox-1: what Docker recorded, with chain ids and legacy ids', async () => {
    const image = await readImage(fixture('busybox-1.save.tar'))
    const docker = dockerSays().images['busybox-1']
    const s = summarize(image)
    expect(s.imageId).toBe(docker.id)
    expect(s.repoTags).toEqual(docker.repoTags)
    expect(s.layers.map((l) => l.diffId)).toEqual(docker.diffIds)
    expect(s.layers.map((l) => l.chainId)).toEqual(chainOf(docker.diffIds))
    expect(s.layers.map((l) => l.v1Id)).toEqual(docker.manifestLayers.map((l) => l.split('/')[0]))
    expect(s.layers.map((l) => l.files)).toEqual(image.layers.map((l) => l.files.length))
    expect(s.layers.every((l, i) => l.digest === image.layers[i].digest && l.size === image.layers[i].size && l.uncompressedSize === image.layers[i].uncompressedSize && l.compression === 'none')).toBe(true)
    expect(s.history.map((h) => h.createdBy)).toEqual(docker.historyCreatedBy)
    expect(s.history.map((h) => h.emptyLayer)).toEqual([false, false])
    expect(s.history[0].comment).toBe('Imported from -')
    expect(s.history[1].comment).toBeNull()
    expect(s.history.every((h) => typeof h.created === 'string')).toBe(true)
    expect(s.history[1].created).toBe(docker.created)
    expect(s.platform).toBe(`${docker.os}/${docker.architecture}`)
    expect(s.config).toBe(image.config)
    expect(s).toMatchObject({path: image.path, kind: 'image', format: image.format, compression: 'none', bytes: image.bytes, warnings: []})
    expect(s.source).toBe(image.origin)
  })

  it('an export: no config, no history, no platform', async () => {
    const s = summarize(await readImage(fixture('busybox-1.export.tar')))
    expect(s).toMatchObject({kind: 'export', imageId: null, repoTags: [], history: [], config: {}, platform: null})
    expect(s.layers[0].v1Id).toBeNull()
    const bare = summarize({...(await readImage(fixture('busybox-1.export.tar'))), history: [{}]} as Image)
    expect(bare.history).toEqual([{created: null, createdBy: null, emptyLayer: false, comment: null}])
  })

  it('platformOf: os/architecture[/variant] when the config records them', () => {
    expect(platformOf({config: {os: 'linux', architecture: 'arm', variant: 'v7'}})).toBe('linux/arm/v7')
    expect(platformOf({config: {os: 'linux', architecture: 'amd64'}})).toBe('linux/amd64')
    expect(platformOf({config: {os: 'linux', architecture: 'amd64', variant: 8}})).toBe('linux/amd64')
    expect(platformOf({config: {os: 'linux', architecture: 'amd64', variant: ''}})).toBe('linux/amd64')
    expect(platformOf({config: {os: 'linux'}})).toBeNull()
    expect(platformOf({config: {architecture: 'amd64'}})).toBeNull()
    expect(platformOf({config: {os: 1, architecture: 'amd64'}})).toBeNull()
    expect(platformOf({config: null})).toBeNull()
  })

  it('runtimeConfig: the config\'s `config`, or nothing', async () => {
    const image = await readImage(fixture('busybox.save.tar'))
    expect(runtimeConfig(image).Cmd).toEqual(dockerSays().images.busybox.config.Cmd)
    expect(runtimeConfig({...image, config: null})).toEqual({})
    expect(runtimeConfig({...image, config: {config: 'x'}})).toEqual({})
  })
})
