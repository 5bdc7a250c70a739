import {availableParallelism} from 'node:os'
import {digestOf, type ContentHash} from '../archive/hash.js'
import {type FileEntry} from '../image/model.js'
import {hashJobs} from './range-hash-pool.js'
import {type HashJob, type RangeFile} from './range-hash.js'
import {type Scan, type ScannedMember} from './scan.js'
import {detectShape} from './shape.js'

/**
 * The hashes a full read needs, for an archive file whose structure was read by seeking
 * (seek-scan.ts): each layer's sha256 (its blob digest and diff_id) with its files' content
 * hashes, or an export's sha256 with its files' hashes; documents are hashed here. The layers'
 * bytes are hashed where they lie, on every core (range-hash-pool.ts), each byte read once.
 * Fills in the scan what a streamed read fills in.
 */
export async function hashSeeked(scan: Scan, path: string, kind: ContentHash, onProgress?: (bytes: number) => void): Promise<void> {
  const apply: Array<(r: {sha256?: string; contents: string[]}) => void> = []
  const jobs: HashJob[] = []
  const add = (job: HashJob, then: (r: {sha256?: string; contents: string[]}) => void) => {
    jobs.push(job)
    apply.push(then)
  }
  if (detectShape(scan) === 'export') {
    add({start: 0, size: scan.archive.bytes, whole: true, files: []}, (r) => {
      scan.plainDigest = r.sha256!
    })
    for (const part of split(scan.rootfs.filter(isStored), availableParallelism())) {
      const files = part.map((f) => rangeOf(f, 0))
      add({start: files[0].at, size: files.reduce((n, f) => n + f.stored, 0), whole: false, files}, (r) => setDigests(part, r.contents))
    }
  } else {
    for (const m of scan.members.values()) {
      if (m.doc) m.digest = digestOf(m.doc)
      else if (m.layer) addLayer(m, add)
    }
  }
  const total = jobs.reduce((n, j) => n + j.size, 0)
  const results = await hashJobs(path, jobs, kind, onProgress && ((done) => onProgress(Math.round((done / Math.max(total, 1)) * scan.archive.bytes))))
  results.forEach((r, i) => apply[i](r))
}

function addLayer(m: ScannedMember, add: (job: HashJob, then: (r: {sha256?: string; contents: string[]}) => void) => void): void {
  const layer = m.layer!
  const stored = layer.files.filter(isStored)
  add({start: m.dataOffset, size: m.size, whole: true, files: stored.map((f) => rangeOf(f, m.dataOffset))}, (r) => {
    m.digest = r.sha256!
    layer.diffId = r.sha256!
    setDigests(stored, r.contents)
  })
}

/** Regular files whose bytes the scan located. */
function isStored(f: FileEntry): boolean {
  return f.type === 'file' && f.offset !== undefined
}

function rangeOf(f: FileEntry, base: number): RangeFile {
  const stored = f.sparse ? f.sparse.reduce((n, [, length]) => n + length, 0) : f.size
  return {at: base + f.offset!, stored, size: f.size, ...(f.sparse ? {sparse: f.sparse} : {})}
}

function setDigests(files: FileEntry[], digests: string[]): void {
  files.forEach((f, i) => {
    f.digest = digests[i]
  })
}

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
