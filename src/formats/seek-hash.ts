import {closeSync, openSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {digestOf, type ContentHash} from '../archive/hash.js'
import {readAt, walkWithPauses} from '../archive/tar-file.js'
import {looksLikeTar, TarReader} from '../archive/tar-reader.js'
import {errorMessage, ImgdiffError} from '../errors.js'
import {type FileEntry} from '../image/model.js'
import {INLINE_BYTES, type PoolJob, type PoolResult, runJobs, sizes} from './job-pool.js'
import {EntryRecorder} from './layer-scan.js'
import {type Budget} from './limits.js'
import {isStored, rangeOf, setDigests} from './range-hash.js'
import {type Scan, type ScannedMember} from './scan.js'
import {type SeekedLayer} from './seek-scan.js'
import {detectShape} from './shape.js'

/**
 * What a full read needs beyond the outer structure, for an archive file read by seeking
 * (seek-scan.ts): each layer's blob digest, diff_id, members and their content hashes (see
 * completeLayers), or an export's sha256 and its files' hashes; documents are hashed here. The
 * hashing runs on every core (job-pool.ts), largest job first. Fills in the scan what a streamed
 * read fills in.
 */
export async function completeSeeked(scan: Scan, layers: SeekedLayer[], path: string, kind: ContentHash | null, budget: Budget, onProgress?: (bytes: number) => void, exportDigest = true): Promise<void> {
  if (detectShape(scan) !== 'export') {
    for (const m of scan.members.values()) if (m.doc) m.digest = digestOf(m.doc)
    const bytes = total(layers)
    await completeLayers(layers, path, scan.archive.path, kind, budget, onProgress && ((done) => onProgress(Math.round((done / Math.max(bytes, 1)) * scan.archive.bytes))))
    return
  }
  const jobs = new Jobs()
  if (exportDigest) {
    jobs.add({hash: {start: 0, size: scan.archive.bytes, whole: true, files: []}}, (r) => {
      if ('hash' in r) scan.plainDigest = r.hash.sha256!
    })
  }
  // The files in runs, one per core, beside the whole tar's sha256 when it is wanted (kind null: no content hashes wanted).
  for (const part of kind === null ? [] : split(scan.rootfs.filter(isStored), availableParallelism())) {
    jobs.addRun(part, 0)
  }
  const bytes = jobs.bytes()
  await jobs.run(path, scan.archive.path, kind, undefined, onProgress && ((done) => onProgress(Math.round((done / Math.max(bytes, 1)) * scan.archive.bytes))))
}

/**
 * An image's layers. A compressed one is a job of its own: inflated once, for its digest, members
 * and contents. When content hashes are wanted, a plain layer has its headers walked here, on the
 * main thread, while the pool is already at work: its members are made where they are used (a
 * thread would make them and send them over, at a cost in time and memory on both sides), and the
 * pool is sent only ranges to hash. A big plain layer's sha256 (which cannot be split) starts
 * first, on a thread of its own; its files' content hashes follow in runs, sent as the walk finds
 * them. Side by side on the bench's save and export, the diff took 2.13 s this way and 2.26 s with
 * the walks on the threads (medians of 9).
 */
async function completeLayers(layers: SeekedLayer[], path: string, archive: string, kind: ContentHash | null, budget: Budget, onBytes?: (done: number) => void): Promise<void> {
  const inline = total(layers) < INLINE_BYTES
  let sent = 0
  const running: Array<Promise<void>> = []
  // The first job to fail; each is caught as it is started, since the walks go on meanwhile.
  let failure: {error: unknown} | undefined
  const start = (jobs: Jobs) => {
    let heard = 0
    const counted = (n: number) => {
      sent += n - heard
      heard = n
      onBytes?.(sent)
    }
    running.push(jobs.run(path, archive, kind, inline, counted).catch((error: unknown) => void (failure ??= {error})))
  }
  const first = new Jobs()
  const sha256 = (m: ScannedMember) =>
    first.add({hash: {start: m.dataOffset, size: m.size, whole: true, files: []}}, (r) => {
      if ('hash' in r) m.digest = r.hash.sha256!
    })
  const walkHere: ScannedMember[] = []
  for (const {member: m, compressed} of layers) {
    // Without content hashes to spread, a thread walks a plain layer: here the walk would only
    // compete with the sha256 of the biggest layer, which is then all that takes time.
    if (compressed || kind === null) {
      const whole = compressed || m.size < SPLIT_ABOVE
      first.add({layer: {start: m.dataOffset, size: m.size, name: m.name, whole, contents: kind !== null}}, (r) => {
        if (!('layer' in r)) return
        if (r.layer.digest) m.digest = r.layer.digest
        if (r.layer.layer) m.layer = r.layer.layer
        // The thread counted the layer's files on its own; the bound is on the archive's total.
        for (let i = 0; i < (r.layer.layer?.files.length ?? 0); i++) budget.file()
      })
      if (!whole) sha256(m)
      continue
    }
    if (m.size >= SPLIT_ABOVE) sha256(m)
    walkHere.push(m)
  }
  start(first)
  // However the walks end, the jobs already handed out are waited for: none outlives the read.
  try {
    const fd = openSync(path, 'r')
    try {
      for (const m of walkHere) {
        if (m.size < SPLIT_ABOVE) {
          await walkLayer(fd, m, budget)
          const stored = m.layer ? m.layer.files.filter(isStored) : []
          const whole = new Jobs()
          whole.add({hash: {start: m.dataOffset, size: m.size, whole: true, files: stored.map((f) => rangeOf(f, m.dataOffset))}}, (r) => {
            if (!('hash' in r)) return
            m.digest = r.hash.sha256!
            setDigests(stored, r.hash.contents)
          })
          start(whole)
          continue
        }
        // A big layer's files go out in runs as the walk finds them, so the threads need not wait for the walk's end.
        const runBytes = Math.max(RUN_MIN, m.size / RUNS)
        let run: FileEntry[] = []
        let bytes = 0
        const send = () => {
          if (run.length === 0) return
          const jobs = new Jobs()
          jobs.addRun(run, m.dataOffset)
          start(jobs)
          run = []
          bytes = 0
        }
        await walkLayer(fd, m, budget, (f) => {
          if (!isStored(f)) return
          run.push(f)
          bytes += f.size
          if (bytes >= runBytes) send()
        })
        send()
      }
    } finally {
      closeSync(fd)
    }
  } finally {
    await Promise.all(running)
  }
  if (failure) throw failure.error
  // A plain layer's diff_id is its digest.
  for (const {member: m, compressed} of layers) if (!compressed && m.layer && m.digest) m.layer.diffId = m.digest
}

/**
 * A plain layer's members, from its headers: on the member as its layer (left unset when the
 * bytes are not a tar). `onFile` hears each as it is found.
 */
async function walkLayer(fd: number, m: ScannedMember, budget: Budget, onFile?: (f: FileEntry) => void): Promise<void> {
  const start = readAt(fd, m.dataOffset, Math.min(512, m.size))
  if (!looksLikeTar(start)) return
  const files: FileEntry[] = []
  const recorder = new EntryRecorder(null, budget, (f) => {
    files.push(f)
    onFile?.(f)
  })
  let error: string | undefined
  try {
    // With pauses, so the pool is handed the jobs found so far while a big layer is walked.
    await walkWithPauses(new TarReader(recorder, {skipBodies: true}), fd, m.dataOffset, m.dataOffset + m.size)
  } catch (caught) {
    if (caught instanceof ImgdiffError) throw caught
    error = errorMessage(caught)
  }
  m.layer = {diffId: '', uncompressedSize: m.size, compression: 'none', files, ...(error === undefined ? {} : {error})}
}

/** Jobs for the pool, each with what to do with its result. */
class Jobs {
  private readonly jobs: PoolJob[] = []
  private readonly then: Array<(r: PoolResult) => void> = []

  add(job: PoolJob, then: (r: PoolResult) => void): void {
    this.jobs.push(job)
    this.then.push(then)
  }

  /** The content hashes of a run of files (in file order) from a tar at `base`, set on the files when done. */
  addRun(files: FileEntry[], base: number): void {
    const ranges = files.map((f) => rangeOf(f, base))
    this.add({hash: {start: ranges[0].at, size: ranges.reduce((n, f) => n + f.stored, 0), whole: false, files: ranges}}, (r) => {
      if ('hash' in r) setDigests(files, r.hash.contents)
    })
  }

  async run(path: string, archive: string, kind: ContentHash | null, inline?: boolean, onBytes?: (done: number) => void): Promise<void> {
    if (this.jobs.length === 0) return
    const results = await runJobs(path, archive, this.jobs, kind ?? 'xxh3', onBytes, inline)
    results.forEach((r, i) => this.then[i](r))
  }

  bytes(): number {
    return sizes(this.jobs)
  }
}

/** Bytes a full read of the layers goes through: each big plain layer twice (its sha256, its files). */
function total(layers: SeekedLayer[]): number {
  return layers.reduce((n, {member: m, compressed}) => n + (!compressed && m.size >= SPLIT_ABOVE ? 2 : 1) * m.size, 0)
}

/**
 * A big plain layer's files are hashed in about this many runs (of at least RUN_MIN bytes), sent
 * as the walk finds them and spread over the threads. Runs of 64 MB and of 256 MB took the bench's
 * diff the same time.
 */
const RUNS = 8
const RUN_MIN = 8 * 1024 * 1024

/** Plain layers bigger than this have their sha256 on a thread of its own. */
const SPLIT_ABOVE = 64 * 1024 * 1024

/** Files in `parts` runs of about equal bytes, each in file order. */
function split(files: FileEntry[], parts: number): FileEntry[][] {
  const total = files.reduce((n, f) => n + f.size, 0)
  const out: FileEntry[][] = []
  let run: FileEntry[] = []
  let bytes = 0
  for (const f of files) {
    run.push(f)
    bytes += f.size
    if (bytes >= total / parts && out.length < parts - 1) {
      out.push(run)
      run = []
      bytes = 0
    }
  }
  if (run.length > 0) out.push(run)
  return out
}
