import {createHash} from 'node:crypto'
import {readSync} from 'node:fs'
import {type ContentHash, contentHasher, type Hasher, STREAM_FROM} from '../archive/hash.js'
import {type FileEntry} from '../image/model.js'

/**
 * One stretch of a plain archive file to hash in one read: the sha256 of all of it (a layer's
 * blob digest and diff_id, an export's diff_id) and the content hash of each regular file inside.
 */
export interface HashJob {
  start: number
  size: number
  /** Whether the sha256 of the whole stretch is wanted. */
  whole: boolean
  files: RangeFile[]
}

export interface RangeFile {
  /** Where the file's stored bytes start in the archive file, and how many there are. */
  at: number
  stored: number
  /** Logical size (a sparse file's is larger than what is stored). */
  size: number
  /** Sparse files: data regions [logical offset, length], stored back to back from `at`. */
  sparse?: Array<[number, number]>
}

export interface HashResult {
  sha256?: string
  /** Content hash of each file, in the job's order. */
  contents: string[]
}

const CHUNK = 4 * 1024 * 1024
const ZEROS = Buffer.alloc(1024 * 1024)
/**
 * The one read buffer of this thread (hashJob is synchronous, so never in use twice). A buffer
 * per job would be garbage the engine collects only once tens of MB of them pile up, on every
 * thread: most of the memory a full read's threads took.
 */
let scratch: Buffer | undefined

/**
 * Hash a job's bytes, read front to back through the thread's one buffer. A file's small first
 * piece is copied when the file goes on into the next read: an xxh3 hasher keeps such a piece
 * until a second arrives (archive/hash.ts STREAM_FROM), and the buffer will hold other bytes by then.
 */
export function hashJob(fd: number, job: HashJob, kind: ContentHash, onBytes?: (n: number) => void): HashResult {
  const whole = job.whole ? createHash('sha256') : undefined
  const contents: string[] = Array.from({length: job.files.length})
  scratch ??= Buffer.allocUnsafe(CHUNK)
  const buf = scratch.subarray(0, Math.min(CHUNK, Math.max(job.size, 1)))
  let next = 0
  let open: FileHasher | undefined
  const end = job.start + job.size
  // Without the whole sha256, only the stretch from the first file to the last is read.
  let pos = whole || job.files.length === 0 ? job.start : job.files[0].at
  const stop = whole || job.files.length === 0 ? end : Math.max(...job.files.map((f) => f.at + f.stored))
  while (pos < stop) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, stop - pos), pos)
    if (n === 0) throw new Error(`unexpected end of file at byte ${pos} (the archive is shorter than its members say)`)
    const chunk = buf.subarray(0, n)
    whole?.update(chunk)
    const chunkEnd = pos + n
    for (;;) {
      if (!open) {
        if (next >= job.files.length || job.files[next].at >= chunkEnd) break
        open = new FileHasher(job.files[next], kind)
      }
      const f = open.file
      const from = Math.max(f.at, pos)
      const to = Math.min(f.at + f.stored, chunkEnd)
      open.feed(chunk.subarray(from - pos, to - pos), to === f.at + f.stored)
      if (to < f.at + f.stored) break
      contents[next++] = open.digest()
      open = undefined
    }
    onBytes?.(n)
    pos = chunkEnd
  }
  // Files with nothing stored (empty, or all hole) may remain.
  while (next < job.files.length) {
    const h = open ?? new FileHasher(job.files[next], kind)
    open = undefined
    contents[next++] = h.digest()
  }
  return {...(whole ? {sha256: 'sha256:' + whole.digest('hex')} : {}), contents}
}

/** One file's content hash, fed its stored bytes; a sparse file's holes are hashed as zeros. */
class FileHasher {
  private readonly hasher: Hasher
  private fed = 0
  /** Sparse files: the region being filled, bytes of it filled, and the logical position. */
  private region = 0
  private inRegion = 0
  private logical = 0

  constructor(
    readonly file: RangeFile,
    kind: ContentHash,
  ) {
    this.hasher = contentHasher(kind)
  }

  feed(piece: Buffer, last: boolean): void {
    if (piece.length === 0) return
    // Only a small first piece is kept by the hasher past this call (STREAM_FROM): copying a big one
    // too was most of what a full read's threads allocated (up to 4 MB at each read's end).
    const kept = this.file.sparse || (this.fed === 0 && !last && piece.length < STREAM_FROM)
    const keep = kept ? Buffer.from(piece) : piece
    this.fed += piece.length
    if (!this.file.sparse) {
      this.hasher.update(keep)
      return
    }
    let at = 0
    while (at < keep.length && this.region < this.file.sparse.length) {
      const [offset, length] = this.file.sparse[this.region]
      if (this.inRegion === 0) this.zeros(offset - this.logical)
      const take = Math.min(length - this.inRegion, keep.length - at)
      this.hasher.update(keep.subarray(at, at + take))
      at += take
      this.inRegion += take
      this.logical += take
      if (this.inRegion === length) {
        this.region++
        this.inRegion = 0
      }
    }
  }

  private zeros(n: number): void {
    for (let left = n; left > 0; left -= ZEROS.length) this.hasher.update(ZEROS.subarray(0, Math.min(left, ZEROS.length)))
    this.logical += Math.max(0, n)
  }

  digest(): string {
    if (this.file.sparse) this.zeros(this.file.size - this.logical)
    return this.hasher.digest()
  }
}

/** Regular files whose bytes a scan located. */
export function isStored(f: FileEntry): boolean {
  return f.type === 'file' && f.offset !== undefined
}

/** Where a file's bytes lie in the archive file, its tar starting at `base`. */
export function rangeOf(f: FileEntry, base: number): RangeFile {
  const stored = f.sparse ? f.sparse.reduce((n, [, length]) => n + length, 0) : f.size
  return {at: base + f.offset!, stored, size: f.size, ...(f.sparse ? {sparse: f.sparse} : {})}
}

export function setDigests(files: FileEntry[], digests: string[]): void {
  files.forEach((f, i) => {
    f.digest = digests[i]
  })
}
