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

describe('hashJobs', () => {
  it('threads give what one thread gives, each result where its job was', async () => {
    // From the build: a worker thread loads the module it is in, which must be JavaScript.
    const {hashJobs} = (await import(path.join(ROOT, 'dist/formats/range-hash-pool.js'))) as typeof import('../src/formats/range-hash-pool.js')
    const file = path.join(ROOT, 'fixtures/multistep.save.tar')
    const scan = await scanArchive(await openSource(file, {reread: false}))
    const jobs: HashJob[] = [...scan.members.values()]
      .filter((m) => m.layer)
      .map((m) => ({start: m.dataOffset, size: m.size, whole: true, files: m.layer!.files.filter((f) => f.type === 'file').map((f) => ({at: m.dataOffset + f.offset!, stored: f.size, size: f.size}))}))
    expect(jobs.length).toBeGreaterThan(3)
    let heard = 0
    const threaded = await hashJobs(file, jobs, 'xxh3', (n) => (heard = n), 0)
    const inline = await hashJobs(file, jobs, 'xxh3')
    expect(threaded).toEqual(inline)
    expect(threaded.map((r) => r.sha256)).toEqual(jobs.map((j) => [...scan.members.values()].find((m) => m.dataOffset === j.start)!.layer!.diffId))
    expect(heard).toBe(jobs.reduce((n, j) => n + j.size, 0))
  })
})
