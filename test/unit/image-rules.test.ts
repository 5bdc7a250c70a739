/**
 * The rules of src/image that the fixtures do not reach, each on a small input with the answer the
 * rule's source states: Docker's builder (moby builder/dockerfile: default PATH, ENTRYPOINT vs
 * CMD, ENV replacing in place), Docker's unpacking (Chtimes clamp, AUFS hard links, Go's error
 * wording), Docker's reference grammar (library/ only on Docker Hub), and imgdiff's own --to and
 * rollback contract as its doc comments state it.
 */
import {describe, expect, it} from 'vitest'
import {applyInstructions, parseInstruction, parseList, parsePairs, replayConfig} from '../../src/image/config-replay.js'
import {fileEntryFromMember, type TarMember} from '../../src/image/file-entry.js'
import {FlatFs} from '../../src/image/flatten.js'
import {FsTree} from '../../src/image/fs-tree.js'
import {parseHealthcheck} from '../../src/image/healthcheck.js'
import {isImported} from '../../src/image/history.js'
import {checkChanges, importImage} from '../../src/image/import.js'
import {type HistoryEntry, type Image, type RuntimeConfig} from '../../src/image/model.js'
import {goClean, plainLanding} from '../../src/image/paths.js'
import {referenceMatches} from '../../src/image/references.js'
import {rollbackImage} from '../../src/image/rollback.js'
import {resolveStep} from '../../src/image/step-ref.js'
import {stepsOf} from '../../src/image/steps.js'
import {clampedMtime, LayerRefusedError, unpackLayer} from '../../src/image/unpack-layer.js'
import {dockerSays, fixture, readImage, readImages} from './support.js'

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
const nop = (instruction: string): HistoryEntry => ({createdBy: `/bin/sh -c #(nop)  ${instruction}`})
const imported: HistoryEntry = {comment: 'Imported from -'}

describe('instructions: what is one and what is not', () => {
  it('only a whole history entry is an instruction', () => {
    expect(parseInstruction('RUN echo /bin/sh -c #(nop)  ENV A=b')).toBeNull()
    expect(parseInstruction('echo ENV A=b')).toBeNull()
    expect(parseInstruction('/bin/sh -c echo #(nop) ENV A=b')).toBeNull()
  })

  it('lists and pairs at their edges', () => {
    expect(parseList('[  /data ]')).toEqual(['/data'])
    expect(parseList('[')).toEqual([])
    expect(parsePairs('A=b ')).toEqual([['A', 'b']])
    expect(parsePairs('A=b"')).toEqual([['A', 'b"']])
    // Docker's old form `ENV key value` splits at the first run of blanks.
    expect(parsePairs('KEY  two  words')).toEqual([['KEY', 'two  words']])
    expect(parsePairs(' KEY value')).toEqual([['KEY', 'value']])
  })

  it('ENV replaces a variable where it stands (Docker keeps the order)', () => {
    const c: RuntimeConfig = {}
    expect(applyInstructions(c, ['ENV APP_HOME=/app APP_MODE=dev', 'ENV APP_HOME=/srv'])).toBeNull()
    expect(c.Env).toEqual(['APP_HOME=/srv', 'APP_MODE=dev'])
  })

  it('an ENTRYPOINT keeps a CMD given earlier in the same list, wherever it came', () => {
    const c: RuntimeConfig = {Cmd: ['inherited']}
    expect(applyInstructions(c, ['USER x', 'ENTRYPOINT ["/e"]'])).toBeNull()
    expect(c.Cmd).toBeNull()
    const d: RuntimeConfig = {Cmd: ['inherited']}
    expect(applyInstructions(d, ['CMD ["c"]', 'USER x', 'ENTRYPOINT ["/e"]'])).toBeNull()
    expect(d.Cmd).toEqual(['c'])
  })
})

describe('replay: the builder\'s rules', () => {
  it('SHELL and HEALTHCHECK steps empty their own fields before them, and no other', () => {
    const history = [imported, nop('SHELL ["/bin/bash", "-c"]'), nop('CMD ["x"]')]
    const r = replayConfig({Shell: ['/bin/bash', '-c'], Cmd: ['x']}, history, 0)
    expect(r.config).toEqual({Shell: null, Cmd: null})
  })

  it('a variable the final config has beside the default PATH stays; the PATH waits for the first build step', () => {
    const r = replayConfig({Env: [DEFAULT_PATH, 'A=1'], Cmd: ['x']}, [imported, nop('CMD ["x"]'), nop('USER u')], 0)
    expect(r.config.Env).toEqual(['A=1'])
  })

  it('the last step is the final config; a commit there changes nothing', () => {
    const r = replayConfig({Cmd: ['x']}, [imported, {createdBy: 'mkdir /x'}], 1)
    expect(r).toEqual({config: {Cmd: ['x']}, inexact: []})
  })

  it('a build that sets CMD before ENTRYPOINT keeps its CMD (moby: cmdSet)', () => {
    const history = [imported, nop('CMD ["c"]'), nop('ENTRYPOINT ["/e"]'), nop('USER app')]
    const r = replayConfig({Cmd: ['c'], Entrypoint: ['/e'], User: 'app'}, history, 2)
    expect(r.config.Cmd).toEqual(['c'])
    expect(r.config.Entrypoint).toEqual(['/e'])
    expect(r.inexact.join(' ')).toMatch(/^User at this step is not recorded/)
  })

  it('BuildKit\'s steps are builder steps too: the default PATH appears at the first of them', () => {
    const history: HistoryEntry[] = [imported, {createdBy: 'ENV A=1', comment: 'buildkit.dockerfile.v0'}, {createdBy: 'RUN /bin/sh -c true', comment: 'buildkit.dockerfile.v0'}, {createdBy: 'CMD ["x"]', comment: 'buildkit.dockerfile.v0'}]
    const r = replayConfig({Env: [DEFAULT_PATH, 'A=1'], Cmd: ['x']}, history, 1)
    expect(r.config.Env).toEqual([DEFAULT_PATH, 'A=1'])
    expect(r.inexact.join(' ')).not.toMatch(/docker commit/)
  })

  it('a command that only mentions /bin/sh -c is a commit, not a build step', () => {
    const r = replayConfig({Cmd: ['x']}, [imported, {createdBy: 'bash -c "/bin/sh -c true"'}, {createdBy: 'touch /y'}], 1)
    expect(r.inexact[0]).toMatch(/^step 2 came from docker commit/)
  })

  it('before the first build step there is no default PATH; buildah\'s version label comes with its first step', () => {
    const docker = replayConfig({Env: [DEFAULT_PATH], Cmd: ['x']}, [imported, nop('CMD ["x"]'), nop('USER u')], 0)
    expect(docker.config.Env ?? []).toEqual([])
    const buildah: HistoryEntry[] = [imported, {createdBy: '/bin/sh -c #(nop) USER u', comment: 'FROM docker.io/library/busybox:latest'}, {createdBy: '/bin/sh -c #(nop) WORKDIR /w', comment: 'FROM 3deddabc5ad4'}]
    const final: RuntimeConfig = {Labels: {'io.buildah.version': '1.28.2', keep: 'me'}, User: 'u', WorkingDir: '/w'}
    expect(replayConfig(final, buildah, 0).config.Labels).toEqual({keep: 'me'})
    expect(replayConfig(final, buildah, 1).config.Labels).toEqual({keep: 'me', 'io.buildah.version': '1.28.2'})
    // No label in the final config: none is invented.
    expect(replayConfig({User: 'u', WorkingDir: '/w'}, buildah, 1).config.Labels).toBeUndefined()
  })

  it('FROM gives a base without PATH the default PATH after the base\'s variables (moby\'s setDefaultPath appends it)', () => {
    const r = replayConfig({Env: ['A=1', DEFAULT_PATH, 'B=2'], Cmd: ['x']}, [imported, nop('ENV B=2'), nop('CMD ["x"]')], 1, {config: {Env: ['A=1']}, steps: 1})
    expect(r.config.Env).toEqual(['A=1', DEFAULT_PATH, 'B=2'])
  })

  it('a step inside the base is replayed without it (the base\'s config is its last step\'s)', () => {
    const history = [imported, nop('CMD ["b"]'), nop('ENV X=1'), nop('USER u')]
    const r = replayConfig({Cmd: ['b'], Env: [DEFAULT_PATH, 'X=1'], User: 'u'}, history, 0, {config: {Cmd: ['b']}, steps: 2})
    expect(r.config.Cmd).toBeNull()
  })

  it('Env is no unknown once a build step gave the default PATH; Cmd none once an ENTRYPOINT reset it', () => {
    const history = [imported, {createdBy: '/bin/sh -c true'}, nop('ENTRYPOINT ["/e"]'), nop('ENV A=1'), nop('CMD ["c"]')]
    const final = {Env: [DEFAULT_PATH, 'A=1'], Entrypoint: ['/e'], Cmd: ['c']}
    const at1 = replayConfig(final, history, 1)
    expect(at1.config.Env).toEqual([DEFAULT_PATH])
    expect(at1.inexact.join(' ')).toMatch(/^Entrypoint, Cmd at this step are not recorded/)
    const at2 = replayConfig(final, history, 2)
    expect(at2.inexact).toEqual([])
  })

  it('the classic multistep build has no commit steps', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const config = image.config!.config as RuntimeConfig
    for (let cut = 0; cut < image.history.length; cut++) expect(replayConfig(config, image.history, cut).inexact.join(' ')).not.toMatch(/docker commit/)
  })
})

describe('rollback: which base, and what it gives', () => {
  it('a base must begin the image: every layer and every history step, in order', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const busybox1 = await readImage(fixture('busybox-1.save.tar'))
    const busybox = await readImage(fixture('busybox.save.tar'))
    const step = stepsOf(image)[5]
    const refused = (base: Image) => expect(() => rollbackImage(image, step, {configMode: 'replay', base})).toThrow(/is not the base of/)
    // busybox-1 shares the first layer and step, not the second.
    refused(busybox1)
    refused({...busybox, history: [{...busybox.history[0], created: '1999-01-01T00:00:00Z'}]})
    refused({...busybox, history: [{...busybox.history[0], createdBy: 'something else'}]})
    refused({...busybox, layers: busybox1.layers.slice(1)})
    refused({...image, layers: [...image.layers, image.layers[0]]})
    refused({...image, history: [...image.history, image.history[0]]})
    expect(() => rollbackImage(image, step, {configMode: 'replay', base: busybox})).not.toThrow()
    // The image itself, read again: the same layers and history, so it begins itself.
    const again = await readImage(fixture('multistep.save.tar'))
    expect(rollbackImage(image, stepsOf(image).at(-1)!, {configMode: 'replay', base: again}).imageId).toBe(dockerSays().images.multistep.id)
  })

  it('among candidates, the longest that ends at or before the step', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const busybox = await readImage(fixture('busybox.save.tar'))
    // An image of multistep's first five steps (its config: the final one, so replay shows which base was used).
    const five = {...image, layers: image.layers.slice(0, 2), history: image.history.slice(0, 5), configBytes: undefined}
    const at10 = rollbackImage(image, stepsOf(image)[9], {configMode: 'replay', candidates: [busybox, five]})
    expect((at10.config.config as RuntimeConfig).Cmd).toEqual(['echo', 'ready'])
    const at3 = rollbackImage(image, stepsOf(image)[2], {configMode: 'replay', candidates: [five, busybox]})
    expect((at3.config.config as RuntimeConfig).Cmd).toEqual(['sh'])
    // A candidate that ends after the step is no base: busybox-1 --to 1 is busybox, not busybox-1 read again.
    const images = await readImages(fixture('busybox-multi.save.tar'))
    const child = images.find((i) => i.repoTags.includes('busybox-1:latest'))!
    const copy = {...child}
    expect(rollbackImage(child, stepsOf(child)[0], {configMode: 'replay', candidates: [copy, ...images]}).imageId).toBe(dockerSays().images.busybox.id)
    // --config keep asks for no base at all.
    const kept = rollbackImage(child, stepsOf(child)[0], {configMode: 'keep', candidates: images})
    expect(kept.config.config).toEqual(child.config!.config)
  })

  it('the default tag of a source without one, and a step of metadata only', async () => {
    const image = await readImage(fixture('busybox-1.save.tar'))
    expect(rollbackImage({...image, repoTags: ['app']}, stepsOf(image)[0], {configMode: 'keep'}).repoTags).toEqual(['app:step-1'])
    const multistep = await readImage(fixture('multistep.save.tar'))
    const r = rollbackImage(multistep, stepsOf(multistep)[1], {configMode: 'keep'})
    expect(r.layers.length).toBe(1)
    expect((r.config.history as unknown[]).length).toBe(2)
    expect(r.config.created).toBe(multistep.history[1].created)
    const noCreated = rollbackImage({...multistep, history: multistep.history.map(({created: _c, ...h}) => h)}, stepsOf(multistep)[1], {configMode: 'keep'})
    expect(noCreated.config.created).toBe(multistep.config!.created)
    expect(() => rollbackImage({...multistep, kind: 'export'}, stepsOf(multistep)[1], {configMode: 'keep'})).toThrow(/is a container export/)
  })

  it('the last step of an image without stepIds is still the image\'s own id', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const steps = stepsOf({...image, stepIds: undefined})
    expect(steps.at(-1)!.imageId).toBe(image.imageId)
    expect(steps[0].imageId).toBeNull()
  })
})

describe('--to: numbers, prefixes, and what is ambiguous', () => {
  async function withIds(ids: Array<string | null>) {
    const image = await readImage(fixture('busybox-1.save.tar'))
    return {...image, stepIds: ids}
  }

  it('digits that are no step number are a hex prefix; text around a number is no number', async () => {
    const image = await withIds(['sha256:1234' + 'a'.repeat(60), 'sha256:' + 'b'.repeat(64)])
    expect(resolveStep(image, '1234').step).toBe(1)
    expect(resolveStep(image, ' bbbb').step).toBe(2)
    expect(resolveStep(image, 'SHA256:BBBB').step).toBe(2)
    expect(() => resolveStep(image, '2x')).toThrow(/give a step number or at least 4 hex characters/)
    expect(() => resolveStep(image, 'abc2')).toThrow(/no step has that id/)
    expect(resolveStep(image, '#2').step).toBe(2)
    expect(resolveStep(image, '2').step).toBe(2)
  })

  it('a prefix of ids of two steps is ambiguous, and says which', async () => {
    const image = await withIds(['sha256:abcd1' + '0'.repeat(59), 'sha256:abcd2' + '0'.repeat(59)])
    expect(() => resolveStep(image, 'abcd')).toThrow('--to abcd is ambiguous: it matches steps 1: abcd10000000, 2: abcd20000000')
    expect(resolveStep(image, 'abcd2').step).toBe(2)
  })
})

describe('references: library/ is Docker Hub\'s, and only Docker Hub\'s', () => {
  it('names', () => {
    expect(referenceMatches('my.app:1', 'docker.io/library/my.app:1')).toBe(true)
    expect(referenceMatches('quay.io/app:1', 'quay.io/library/app:1')).toBe(false)
    expect(referenceMatches('quay.io/org/app:1', 'quay.io/org/other:1')).toBe(false)
    expect(referenceMatches('localhost/app:1', 'localhost/other:1')).toBe(false)
  })
})

describe('unpacking at its edges', () => {
  const T = 1_577_836_800
  const member = (m: Partial<TarMember> & {name: string}): TarMember => ({typeflag: '0', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: T, linkname: '', devmajor: 0, devminor: 0, dataOffset: 0, storedSize: 0, ...m})
  const entries = (...members: Array<Partial<TarMember> & {name: string}>) => members.map((m) => fileEntryFromMember(member(m)))

  it('Chtimes keeps 1970 to 2262 (time.Unix(0, 1<<63-1)) and stores the epoch outside', () => {
    expect(clampedMtime(0)).toBe(0)
    expect(clampedMtime(T)).toBe(T)
    expect(clampedMtime(9_223_372_036)).toBe(9_223_372_036)
    expect(clampedMtime(9_223_372_037)).toBe(0)
    expect(clampedMtime(-1)).toBe(0)
  })

  it('a container export read as it is: refusals say docker import, .wh. names are files', () => {
    const fs = new FsTree()
    unpackLayer(fs, entries({name: 'a/.wh.b', size: 1}, {name: '.wh..wh..opq', size: 1}), 0, false)
    expect([...fs.paths.keys()].sort()).toEqual(['/.wh..wh..opq', '/a', '/a/.wh.b'])
    let error: unknown
    try {
      unpackLayer(new FsTree(), entries({name: 'h', typeflag: '1', linkname: 'missing'}), 0, false)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(LayerRefusedError)
    expect((error as Error).message).toBe(`Docker cannot unpack member 'h' (link /missing /h: no such file or directory), so docker import refuses this tar`)
    expect((error as Error).name).toBe('LayerRefusedError')
  })

  it('a hard link into AUFS\'s link directory needs the file there (moby: Invalid aufs hardlink)', () => {
    expect(() => FlatFs.of([{files: entries({name: '.wh..wh.plnk/', typeflag: '5'}, {name: 'x', typeflag: '1', linkname: '.wh..wh.plnk/9.9'})}])).toThrow(`layer 1: Docker cannot unpack member 'x' (Invalid aufs hardlink), so docker load refuses this image`)
    // Only regular files are kept there for links.
    expect(() => FlatFs.of([{files: entries({name: '.wh..wh.plnk/', typeflag: '5'}, {name: '.wh..wh.plnk/9.9', typeflag: '5'}, {name: 'x', typeflag: '1', linkname: '.wh..wh.plnk/9.9'})}])).toThrow(/Invalid aufs hardlink/)
    // Outside the link directory, .wh..wh.-names are not kept at all.
    const fs = FlatFs.of([{files: entries({name: '.wh..wh.aufs', size: 3})}])
    expect(fs.sortedPaths()).toEqual([])
  })

  it('Linux and Go at the edges of links and parents', () => {
    const refusal = (...layers: Array<Array<Partial<TarMember> & {name: string}>>) => {
      try {
        FlatFs.of(layers.map((l) => ({files: entries(...l)})))
      } catch (error) {
        expect(error).toBeInstanceOf(LayerRefusedError)
        return (error as LayerRefusedError).reason
      }
      return 'unpacked'
    }
    // link(2) refuses a hard link to a directory (EPERM).
    expect(refusal([{name: 'd/', typeflag: '5'}, {name: 'h', typeflag: '1', linkname: 'd'}])).toBe('link /d /h: operation not permitted')
    // A name under a file: Go's *LinkError names the link's new path last.
    expect(refusal([{name: 'f', size: 1}, {name: 'f/s', typeflag: '2', linkname: 'target'}])).toMatch(/^symlink .*\/f\/s: not a directory$/)
    expect(refusal([{name: 't', size: 1}, {name: 'f', size: 1}, {name: 'f/h', typeflag: '1', linkname: 't'}])).toMatch(/^link .*\/f\/h: not a directory$/)
    // A parent that cannot be looked up (through a file) is not made: the create fails.
    expect(refusal([{name: 'f', size: 1}, {name: 'f/d/x', size: 1}])).toBe('open /f/d/x: not a directory')
    // MkdirAll through a dangling symlink: Mkdir of the symlink's own name finds it there.
    expect(refusal([{name: 'l', typeflag: '2', linkname: 'missing'}], [{name: 'l/x/y', size: 1}])).toBe('mkdir /l: file exists')
    // RemoveAll of a path under a dangling symlink: nothing to remove, no error.
    expect(refusal([{name: 'l', typeflag: '2', linkname: 'missing'}], [{name: 'l/.wh.x'}])).toBe('unpacked')
  })

  it('a hard link to a symlink leaves the symlink\'s time alone (moby: no Chtimes through a symlink)', () => {
    const fs = FlatFs.of([{files: entries({name: 's', typeflag: '2', linkname: 'x', mtime: T})}, {files: entries({name: 'h', typeflag: '1', linkname: 's', mtime: T + 100})}])
    expect(fs.get('/h')).toBe(fs.get('/s'))
    expect(fs.get('/s')?.mtime).toBe(T)
  })

  it('a directory where a file is: Go\'s mkdir error', () => {
    expect(() => FlatFs.of([{files: entries({name: 'f', size: 1}, {name: 'f/d', typeflag: '5'})}])).toThrow(`layer 1: Docker cannot unpack member 'f/d' (mkdir /f/d: not a directory), so docker load refuses this image`)
  })

  it('a file without extended attributes has none; the merged paths sort by code unit whatever the tar order', () => {
    const fs = FlatFs.of([{files: entries({name: 'z', size: 1}, {name: 'y', size: 1}, {name: 'b/', typeflag: '5'}, {name: 'a', size: 1}, {name: 'B', size: 1})}])
    expect(fs.get('/z')?.xattrs).toBeUndefined()
    expect(fs.sortedPaths()).toEqual(['/B', '/a', '/b', '/y', '/z'])
    expect(fs.removedIn('/z')).toBeUndefined()
    const two = FlatFs.of([{files: entries({name: 'z', size: 1})}, {files: entries({name: '.wh.z'})}])
    expect(two.removedIn('/z')).toBe(1)
  })

  it('the fast path takes names with dots inside them as they are', () => {
    for (const name of ['x./y', 'a.b/c.', 'v1.2/file']) expect(plainLanding(name), name).toBe(goClean('/' + name))
  })
})

describe('docker import and its --change checks', () => {
  it('a tar whose whiteouts Docker cannot apply is refused: docker import applies it as a layer', async () => {
    const refused = await readImage(fixture('fidelity/cases/whiteout-own-dir.save.tar'))
    const rootfs = await readImage(fixture('busybox-1.export.tar'))
    const asTar = {...rootfs, layers: [{...rootfs.layers[0], files: refused.layers.flatMap((l) => l.files), markers: false}]}
    expect(() => importImage(asTar, 'x', [])).toThrow(LayerRefusedError)
  })

  it('a change with blanks around its word is still that instruction', () => {
    expect(() => checkChanges([' CMD '])).toThrow(`--change ' CMD ': CMD needs an argument`)
    expect(() => checkChanges([' HEALTHCHECK  NONE '])).not.toThrow()
  })

  it('isImported reads Docker\'s own comment, not a mention of it', () => {
    expect(isImported([{comment: 'was Imported from x'}], 1)).toBe(false)
  })
})

describe('HEALTHCHECK as docker import --change takes it', () => {
  // What Docker 20.10 recorded in the config for these --change texts (durations in ns).
  const recorded: Array<[string, unknown]> = [
    ['--interval=5s --timeout=1m30s --start-period=2s --retries=3 CMD true && echo ok', {Test: ['CMD-SHELL', 'true && echo ok'], Interval: 5e9, Timeout: 90e9, StartPeriod: 2e9, Retries: 3}],
    ['CMD ["curl","-f","http://x"]', {Test: ['CMD', 'curl', '-f', 'http://x']}],
    ['NONE', {Test: ['NONE']}],
    ['--interval=1.5s CMD true', {Test: ['CMD-SHELL', 'true'], Interval: 1.5e9}],
  ]
  for (const [arg, healthcheck] of recorded) it(arg, () => expect(parseHealthcheck(arg)).toEqual(healthcheck))

  it('durations as Go\'s time.ParseDuration reads them', () => {
    const ns = (d: string) => (parseHealthcheck(`--timeout=${d} CMD x`) as {Timeout?: number}).Timeout
    expect(ns('1h2m3.5s')).toBe(3723.5e9)
    expect(ns('300ms')).toBe(300e6)
    expect(ns('1500us')).toBe(1.5e6)
    expect(ns('1500µs')).toBe(1.5e6)
    expect(ns('2000000ns')).toBe(2e6)
    expect(ns('.5s')).toBe(0.5e9)
    expect(ns('1.s')).toBe(1e9)
    expect(ns('1.5h')).toBe(5400e9)
    for (const bad of ['1', 's', '1x', '1s2', '']) expect(parseHealthcheck(`--timeout=${bad} CMD x`), bad).toBe(`--timeout: ${bad} is not a duration (e.g. 30s, 1m30s, 500ms)`)
  })

  it('what Docker refuses: less than 1ms, no retries, unknown flags and types, NONE with more', () => {
    expect(parseHealthcheck('--interval=0 CMD x')).toBe('--interval cannot be less than 1ms')
    expect(parseHealthcheck('--start-period=999us CMD x')).toBe('--start-period cannot be less than 1ms')
    expect(parseHealthcheck('--start-period=1ms CMD x')).toEqual({Test: ['CMD-SHELL', 'x'], StartPeriod: 1e6})
    expect(parseHealthcheck('--retries=0 CMD x')).toBe('--retries must be at least 1 (not 0)')
    expect(parseHealthcheck('--retries=x CMD x')).toBe('--retries must be at least 1 (not x)')
    expect(parseHealthcheck('--retries=1 CMD x')).toEqual({Test: ['CMD-SHELL', 'x'], Retries: 1})
    expect(parseHealthcheck('--bogus=1 CMD x')).toBe('unknown flag: bogus')
    expect(parseHealthcheck('NONE x')).toBe('HEALTHCHECK NONE takes no other arguments')
    expect(parseHealthcheck('--retries=2 NONE')).toBe('HEALTHCHECK NONE takes no other arguments')
    expect(parseHealthcheck('none')).toEqual({Test: ['NONE']})
    expect(parseHealthcheck('RUN x')).toBe('unknown type "RUN" in HEALTHCHECK (try CMD)')
    expect(parseHealthcheck('CMD')).toBe('missing command after HEALTHCHECK CMD')
    expect(parseHealthcheck('cmd   ')).toBe('missing command after HEALTHCHECK CMD')
    // A JSON list is the exec form; anything else (an empty or non-string list too) runs in a shell.
    expect(parseHealthcheck('CMD []')).toEqual({Test: ['CMD-SHELL', '[]']})
    expect(parseHealthcheck('CMD [1]')).toEqual({Test: ['CMD-SHELL', '[1]']})
    expect(parseHealthcheck('CMD  echo  hi ')).toEqual({Test: ['CMD-SHELL', 'echo  hi']})
    expect(parseHealthcheck('CMD ["a", 1]')).toEqual({Test: ['CMD-SHELL', '["a", 1]']})
  })

  it('options come before the type, separated by any blanks; the command keeps what looks like one', () => {
    expect(parseHealthcheck('CMD echo --interval=5s')).toEqual({Test: ['CMD-SHELL', 'echo --interval=5s']})
    expect(parseHealthcheck('--interval=5s   --retries=10  CMD x')).toEqual({Test: ['CMD-SHELL', 'x'], Interval: 5e9, Retries: 10})
    expect(parseHealthcheck('--retries=3x CMD x')).toBe('--retries must be at least 1 (not 3x)')
    expect(parseHealthcheck('--timeout=.55s CMD x')).toEqual({Test: ['CMD-SHELL', 'x'], Timeout: 0.55e9})
  })
})
