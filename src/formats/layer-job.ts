import {createHash} from 'node:crypto'
import {readSync} from 'node:fs'
import {type ContentHash} from '../archive/hash.js'
import {sniffCompression} from '../archive/compression.js'
import {readAt, walkTarFile} from '../archive/tar-file.js'
import {looksLikeTar} from '../archive/tar-reader.js'
import {errorMessage} from '../errors.js'
import {EntryRecorder, LayerFeed, type LayerScan} from './layer-scan.js'
import {Budget} from './limits.js'
import {hashJob, isStored, rangeOf, setDigests} from './range-hash.js'

/** One layer of a plain archive file: its stored bytes at [start, start + size). */
export interface LayerJob {
  start: number
  size: number
  /** The member's name, for messages. */
  name: string
  /**
   * Whether to compute the layer's sha256 here too. A big plain layer's sha256 (which cannot be
   * split) goes to a hash job of its own on another thread instead (seek-hash.ts).
   */
  whole: boolean
  /** Whether each file's content is hashed (ReadOptions.contents); the members are listed either way. */
  contents: boolean
}

export interface LayerJobResult {
  /** sha256 of the stored bytes (the blob digest); absent when the job was not asked for it. */
  digest?: string
  /** What the layer holds; absent when the bytes are not a tar at all. */
  layer?: LayerScan
}

const CHUNK = 1024 * 1024

/**
 * Read one layer where it lies, as a full read must: its blob digest, its diff_id, its members
 * and each file's content hash. A plain tar is walked by its headers, then read once for all the
 * hashes (range-hash.ts); a compressed one is inflated, hashed and parsed as its bytes pass
 * (layer-scan.ts). Runs on a worker thread of the pool (job-pool.ts), or inline for small archives.
 */
export async function scanLayerJob(fd: number, job: LayerJob, kind: ContentHash, archive: string, onBytes?: (n: number) => void): Promise<LayerJobResult> {
  const budget = new Budget(archive)
  const start = readAt(fd, job.start, Math.min(512, job.size))
  const compression = sniffCompression(start)
  if (compression !== 'none') return inflated(fd, job, compression, job.contents ? kind : null, budget, onBytes)
  if (!looksLikeTar(start)) {
    if (!job.whole) return {}
    const r = hashJob(fd, {start: job.start, size: job.size, whole: true, files: []}, kind, onBytes)
    return {digest: r.sha256!}
  }
  const recorder = new EntryRecorder(null, budget)
  let error: string | undefined
  try {
    walkTarFile(fd, job.start, job.start + job.size, recorder)
  } catch (caught) {
    error = errorMessage(caught)
  }
  const stored = job.contents ? recorder.files.filter(isStored) : []
  const r = job.whole || stored.length > 0 ? hashJob(fd, {start: job.start, size: job.size, whole: job.whole, files: stored.map((f) => rangeOf(f, job.start))}, kind, onBytes) : {contents: []}
  if (!job.whole && stored.length === 0) onBytes?.(job.size)
  setDigests(stored, r.contents)
  // A plain layer's diff_id is its blob digest (filled in by the caller when another job hashed it).
  const layer: LayerScan = {diffId: r.sha256 ?? '', uncompressedSize: job.size, compression: 'none', files: recorder.files, ...(error === undefined ? {} : {error})}
  return {...(r.sha256 ? {digest: r.sha256} : {}), layer}
}

/** A compressed layer: each read a fresh buffer (the inflater keeps what it is handed until it is done). */
async function inflated(fd: number, job: LayerJob, compression: LayerScan['compression'], kind: ContentHash | null, budget: Budget, onBytes?: (n: number) => void): Promise<LayerJobResult> {
  const raw = createHash('sha256')
  const recorder = new EntryRecorder(kind, budget)
  const feed = new LayerFeed(compression, recorder, budget, `'${job.name}'`)
  for (let pos = job.start; pos < job.start + job.size; ) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, job.start + job.size - pos))
    const n = readSync(fd, chunk, 0, chunk.length, pos)
    if (n === 0) throw new Error(`unexpected end of file at byte ${pos} (the archive is shorter than its members say)`)
    const piece = chunk.subarray(0, n)
    raw.update(piece)
    await feed.write(piece)
    onBytes?.(n)
    pos += n
  }
  const digest = 'sha256:' + raw.digest('hex')
  return {digest, layer: {...(await feed.finish(digest)), files: recorder.files}}
}
