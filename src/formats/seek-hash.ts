import {availableParallelism} from 'node:os'
import {digestOf, type ContentHash} from '../archive/hash.js'
import {type FileEntry} from '../image/model.js'
import {type PoolJob, type PoolResult, runJobs} from './job-pool.js'
import {type Budget} from './limits.js'
import {isStored, rangeOf, setDigests} from './range-hash.js'
import {type Scan} from './scan.js'
import {type SeekedLayer} from './seek-scan.js'
import {detectShape} from './shape.js'

/**
 * What a full read needs beyond the outer structure, for an archive file read by seeking
 * (seek-scan.ts): each layer read where it lies (its blob digest, diff_id, members and their
 * content hashes: layer-job.ts), or an export's sha256 and its files' hashes; documents are hashed
 * here. The work runs on every core (job-pool.ts), largest layer first, each byte read once for
 * hashing. Fills in the scan what a streamed read fills in.
 */
export async function completeSeeked(scan: Scan, layers: SeekedLayer[], path: string, kind: ContentHash | null, budget: Budget, onProgress?: (bytes: number) => void, exportDigest = true): Promise<void> {
  const jobs: PoolJob[] = []
  const apply: Array<(r: PoolResult) => void> = []
  const add = (job: PoolJob, then: (r: PoolResult) => void) => {
    jobs.push(job)
    apply.push(then)
  }
  if (detectShape(scan) === 'export') {
    if (exportDigest) {
      add({hash: {start: 0, size: scan.archive.bytes, whole: true, files: []}}, (r) => {
        if ('hash' in r) scan.plainDigest = r.hash.sha256!
      })
    }
    // The files in runs, one per core, beside the whole tar's sha256 when it is wanted (kind null: no content hashes wanted).
    for (const part of kind === null ? [] : split(scan.rootfs.filter(isStored), availableParallelism())) {
      const files = part.map((f) => rangeOf(f, 0))
      add({hash: {start: files[0].at, size: files.reduce((n, f) => n + f.stored, 0), whole: false, files}}, (r) => {
        if ('hash' in r) setDigests(part, r.hash.contents)
      })
    }
  } else {
    for (const m of scan.members.values()) if (m.doc) m.digest = digestOf(m.doc)
    for (const {member: m, compressed} of layers) {
      // A plain layer's sha256 runs on one thread while another walks it and hashes its files;
      // a compressed one is inflated once, for all of it.
      const whole = compressed || m.size < SPLIT_ABOVE
      add({layer: {start: m.dataOffset, size: m.size, name: m.name, whole, contents: kind !== null}}, (r) => {
        if (!('layer' in r)) return
        if (r.layer.digest) m.digest = r.layer.digest
        if (r.layer.layer) m.layer = r.layer.layer
        // Each thread counted its own layer; the bound is on the archive's total.
        for (let i = 0; i < (r.layer.layer?.files.length ?? 0); i++) budget.file()
      })
      if (!whole) {
        add({hash: {start: m.dataOffset, size: m.size, whole: true, files: []}}, (r) => {
          if ('hash' in r) m.digest = r.hash.sha256!
        })
      }
    }
  }
  const total = jobs.reduce((n, j) => n + ('hash' in j ? j.hash.size : j.layer.size), 0)
  const results = await runJobs(path, scan.archive.path, jobs, kind ?? 'xxh3', onProgress && ((done) => onProgress(Math.round((done / Math.max(total, 1)) * scan.archive.bytes))))
  results.forEach((r, i) => apply[i](r))
  // A plain layer's diff_id is its digest, whichever job computed it.
  for (const {member: m, compressed} of layers) if (!compressed && m.layer && m.digest) m.layer.diffId = m.digest
}

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
