/**
 * A plain archive file is read by seeking (its headers, then its bytes hashed where they lie, on
 * several threads); anything else (stdin, a pipe, a compressed archive) is streamed. Both must
 * find the same thing: the same members, digests, diff_ids, files and content hashes. Every
 * uncompressed tar among the fixtures is scanned both ways (the stream way by hiding the file).
 */
import {readdirSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {openSource} from '../src/sources/open.js'
import {type Scan, scanArchive} from '../src/formats/scan.js'
import {detectShape} from '../src/formats/shape.js'
import {hashJob, type HashJob} from '../src/formats/range-hash.js'
import {ROOT} from './helpers/cli.js'

const dirs = ['fixtures', 'fixtures/fidelity/cases', 'fixtures/buildah', '../shared/fixtures/compat']
const archives = dirs.flatMap((d) =>
  readdirSync(path.join(ROOT, d))
    .filter((f) => f.endsWith('.tar'))
    .map((f) => path.join(ROOT, d, f)),
)

/** What a full read must agree on, whichever way it went. */
function facts(scan: Scan) {
  const shape = detectShape(scan)
  const files = (fs: Array<{path: string; type: string; size: number; digest?: string; offset?: number}>) => fs.map((f) => [f.path, f.type, f.size, f.type === 'file' ? f.digest : undefined, f.offset])
  if (shape === 'export') return {shape, plainDigest: scan.plainDigest, rootfs: files(scan.rootfs)}
  return {
    shape,
    members: [...scan.members.values()]
      .filter((m) => m.doc || m.layer)
      .sort((x, y) => (x.name < y.name ? -1 : 1))
      .map((m) => ({name: m.name, digest: m.digest, doc: m.doc?.length, layer: m.layer && {diffId: m.layer.diffId, size: m.layer.uncompressedSize, error: m.layer.error, files: files(m.layer.files)}})),
  }
}

async function both(file: string, contentHash: 'xxh3' | 'sha256' = 'xxh3') {
  const opened = await openSource(file, {reread: false})
  if (opened.compression !== 'none') return null
  const seeked = await scanArchive(opened, {contentHash}).then(facts, (e: Error) => ({error: e.message}))
  const streamed = await scanArchive({...opened, reopen: null}, {contentHash}).then(facts, (e: Error) => ({error: e.message}))
  return {seeked, streamed}
}

describe('seeking and streaming read the same archive alike', () => {
  it('found the fixtures', () => {
    expect(archives.length).toBeGreaterThan(40)
  })

  for (const file of archives) {
    it(path.relative(ROOT, file), async () => {
      const r = await both(file)
      if (r === null) return
      expect(r.seeked).toEqual(r.streamed)
    })
  }

  it('without content hashes (inspect, tree): the same members, digests and diff_ids, no file digests', async () => {
    const noDigests = (x: ReturnType<typeof facts> | {error: string}) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'files' || k === 'rootfs' ? v.map((f: unknown[]) => [f[0], f[1], f[2], f[4]]) : v)))
    let compressedLayers = 0
    for (const f of ['fixtures/multistep.save.tar', 'fixtures/busybox-1.oci-gzip.tar', 'fixtures/busybox-1.oci-zstd.tar', 'fixtures/multistep.export.tar', 'fixtures/fidelity/cases/tar-sparse-1.0.save.tar']) {
      const opened = await openSource(path.join(ROOT, f), {reread: false})
      const all = facts(await scanArchive(opened, {}))
      const lean = await scanArchive(opened, {contents: false})
      compressedLayers += [...lean.members.values()].filter((m) => m.layer && m.layer.compression !== 'none').length
      const files = [...lean.members.values()].flatMap((m) => m.layer?.files ?? []).concat(lean.rootfs)
      expect(files.length, f).toBeGreaterThan(0)
      expect(files.filter((x) => x.digest !== undefined), f).toEqual([])
      expect(noDigests(facts(lean)), f).toEqual(noDigests(all))
    }
    expect(compressedLayers).toBeGreaterThan(0)
  })

  it('with --content-hash sha256 too', async () => {
    for (const f of ['fixtures/multistep.save.tar', 'fixtures/multistep.export.tar', 'fixtures/fidelity/cases/tar-sparse-1.0.save.tar', 'fixtures/fidelity/cases/tar-sparse-1.0.export.tar']) {
      const r = await both(path.join(ROOT, f), 'sha256')
      expect(r!.seeked, f).toEqual(r!.streamed)
    }
  })
})

describe('hashJob', () => {
  it('a truncated file is an error, not a short hash', async () => {
    const {openSync, closeSync, statSync} = await import('node:fs')
    const file = path.join(ROOT, 'fixtures/busybox.save.tar')
    const fd = openSync(file, 'r')
    try {
      const size = statSync(file).size
      expect(() => hashJob(fd, {start: size - 512, size: 4096, whole: true, files: []}, 'xxh3')).toThrow(/unexpected end of file/)
    } finally {
      closeSync(fd)
    }
  })
})

describe('runJobs', () => {
  it('threads give what one thread gives, each result where its job was', async () => {
    // From the build: a worker thread loads the module it is in, which must be JavaScript.
    const {runJobs} = (await import(path.join(ROOT, 'dist/formats/job-pool.js'))) as typeof import('../src/formats/job-pool.js')
    const file = path.join(ROOT, 'fixtures/multistep.save.tar')
    const scan = await scanArchive({...(await openSource(file, {reread: false})), reopen: null})
    const layers = [...scan.members.values()].filter((m) => m.layer)
    expect(layers.length).toBeGreaterThan(3)
    const jobs = [
      ...layers.map((m) => ({layer: {start: m.dataOffset, size: m.size, name: m.name, whole: true, contents: true}})),
      {hash: {start: layers[0].dataOffset, size: layers[0].size, whole: true, files: []}},
    ]
    let heard = 0
    const threaded = await runJobs(file, file, jobs, 'xxh3', (n) => (heard = n), false)
    const inline = await runJobs(file, file, jobs, 'xxh3', undefined, true)
    expect(threaded).toEqual(inline)
    // Judged by the streamed read: each layer's digest, diff_id and files.
    expect(threaded.slice(0, -1).map((r: any) => [r.layer.digest, r.layer.layer.diffId, r.layer.layer.files.map((f: any) => [f.path, f.digest])])).toEqual(
      layers.map((m) => [m.digest, m.layer!.diffId, m.layer!.files.map((f) => [f.path, f.digest])]),
    )
    expect((threaded.at(-1) as any).hash.sha256).toBe(layers[0].digest)
    expect(heard).toBe(jobs.reduce((n, j) => n + ('hash' in j ? j.hash.size : j.layer.size), 0))
  })

  it('more jobs than threads, compressed layers among them: every result is its own job\'s', async () => {
    const {runJobs} = (await import(path.join(ROOT, 'dist/formats/job-pool.js'))) as typeof import('../src/formats/job-pool.js')
    const file = path.join(ROOT, 'fixtures/busybox-1.oci-gzip.tar')
    const scan = await scanArchive({...(await openSource(file, {reread: false})), reopen: null})
    const blobs = [...scan.members.values()].filter((m) => m.layer && m.layer.compression === 'gzip')
    expect(blobs.length).toBeGreaterThan(0)
    // More jobs than threads: each thread takes the next as it ends one, in the order of their sizes.
    const jobs = Array.from({length: 6}, () => blobs.map((m) => ({layer: {start: m.dataOffset, size: m.size, name: m.name, whole: true, contents: true}}))).flat()
    const threaded = await runJobs(file, file, jobs, 'xxh3', undefined, false)
    // Judged by the streamed read of the archive.
    expect(threaded.map((r: any) => [r.layer.digest, r.layer.layer.diffId, r.layer.layer.files.map((f: any) => [f.path, f.digest])])).toEqual(
      jobs.map((_, i) => {
        const m = blobs[i % blobs.length]
        return [m.digest, m.layer!.diffId, m.layer!.files.map((f) => [f.path, f.digest])]
      }),
    )
  })

  it('a compressed layer is inflated, hashed and parsed where it lies too', async () => {
    const file = path.join(ROOT, 'fixtures/busybox-1.oci-gzip.tar')
    const r = await both(file)
    expect(r!.seeked).toEqual(r!.streamed)
    expect(JSON.stringify(r!.seeked)).toContain('"size"')
  })
})

describe('a layer big enough for the threads', () => {
  it('its sha256 on one thread, its files in runs sent as the walk finds them: what a streamed read finds', async () => {
    const {randomBytes, createHash} = await import('node:crypto')
    const {writeFileSync} = await import('node:fs')
    const {packTar} = await import('./helpers/tar.js')
    const {tempDir} = await import('./helpers/cli.js')
    // 72 MB of files: above the size where a plain layer's sha256 gets a thread of its own and its
    // files are hashed in runs (about 9 MB each here), with small files and links among them.
    const entries = Array.from({length: 300}, (_, i) => [
      {name: `data/${i}.bin`, data: randomBytes(240 * 1024 + i)},
      {name: `data/${i}.txt`, data: `file ${i}\n`},
      ...(i % 50 === 0 ? [{name: `data/${i}.link`, type: 'link' as const, linkname: `data/${i}.bin`}] : []),
    ]).flat()
    const layer = await packTar([{name: 'data/', type: 'directory'}, ...entries])
    const config = {architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: ['sha256:' + createHash('sha256').update(layer).digest('hex')]}}
    const file = path.join(tempDir(), 'big-layer.save.tar')
    writeFileSync(file, await packTar([{name: 'config.json', data: JSON.stringify(config)}, {name: 'l/layer.tar', data: layer}, {name: 'manifest.json', data: JSON.stringify([{Config: 'config.json', RepoTags: ['big:1'], Layers: ['l/layer.tar']}])}]))
    // From the build: the threads load the module they run, which must be JavaScript.
    const built = {
      scanArchive: ((await import(path.join(ROOT, 'dist/formats/scan.js'))) as typeof import('../src/formats/scan.js')).scanArchive,
      openSource: ((await import(path.join(ROOT, 'dist/sources/open.js'))) as typeof import('../src/sources/open.js')).openSource,
    }
    const opened = await built.openSource(file, {reread: false})
    const r = {seeked: facts(await built.scanArchive(opened)), streamed: facts(await built.scanArchive({...opened, reopen: null}))}
    const layerFacts = (r!.streamed as {members: Array<{layer?: {files: unknown[][]}}>}).members.find((m) => m.layer)!.layer!
    expect(layerFacts.files.filter((f) => f[1] === 'file' && typeof f[3] === 'string').length).toBe(600)
    expect(r!.seeked).toEqual(r!.streamed)
  })
})
