import {closeSync, openSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads'
import {type ContentHash} from '../archive/hash.js'
import {ImgdiffError} from '../errors.js'
import {type LayerJob, type LayerJobResult, scanLayerJob} from './layer-job.js'
import {hashJob, type HashJob, type HashResult} from './range-hash.js'

/** Work on a stretch of a plain archive file: hash it (range-hash.ts), or read it as a layer (layer-job.ts). */
export type PoolJob = {hash: HashJob} | {layer: LayerJob}
export type PoolResult = {hash: HashResult} | {layer: LayerJobResult}

/** Below this many bytes, starting threads costs more than it saves. */
const INLINE_BYTES = 64 * 1024 * 1024

type Reply = {index: number; result: PoolResult} | {index: number; error: string; code: string | null} | {progress: number}

function sizeOf(job: PoolJob): number {
  return 'hash' in job ? job.hash.size : job.layer.size
}

async function runJob(fd: number, job: PoolJob, kind: ContentHash, archive: string, onBytes: (n: number) => void): Promise<PoolResult> {
  if ('hash' in job) return {hash: hashJob(fd, job.hash, kind, onBytes)}
  return {layer: await scanLayerJob(fd, job.layer, kind, archive, onBytes)}
}

/**
 * Run jobs on a plain archive file on every core: each thread opens the file and takes the next
 * job (largest first) as it finishes one, so one big layer and many small ones spread evenly.
 * `onBytes` hears the bytes read so far. `archive`: the file as messages name it.
 */
export async function runJobs(path: string, archive: string, jobs: PoolJob[], kind: ContentHash, onBytes?: (done: number) => void, inlineBelow = INLINE_BYTES): Promise<PoolResult[]> {
  let done = 0
  const count = (n: number) => {
    done += n
    onBytes?.(done)
  }
  const total = jobs.reduce((n, j) => n + sizeOf(j), 0)
  const threads = Math.min(availableParallelism(), jobs.length)
  if (threads <= 1 || total < inlineBelow) {
    const fd = openSync(path, 'r')
    try {
      const results: PoolResult[] = []
      for (const job of jobs) results.push(await runJob(fd, job, kind, archive, count))
      return results
    } finally {
      closeSync(fd)
    }
  }
  const order = jobs.map((_, i) => i).sort((x, y) => sizeOf(jobs[y]) - sizeOf(jobs[x]))
  const results: PoolResult[] = Array.from({length: jobs.length})
  const workers: Worker[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      let left = jobs.length
      const give = (w: Worker) => {
        const index = order.shift()
        if (index !== undefined) w.postMessage({index, job: jobs[index]})
      }
      for (let t = 0; t < threads; t++) {
        const w = new Worker(new URL(import.meta.url), {workerData: {jobPool: {path, archive, kind}}})
        workers.push(w)
        w.on('message', (m: Reply) => {
          if ('progress' in m) return count(m.progress)
          // A bound hit (files, expansion) stays the user's error, with its code; anything else is ours.
          if ('error' in m) return reject(m.code === null ? new Error(m.error) : Object.assign(new ImgdiffError(m.error), {code: m.code}))
          results[m.index] = m.result
          if (--left === 0) resolve()
          else give(w)
        })
        w.on('error', reject)
        w.on('exit', (code) => {
          if (left > 0) reject(new Error(`a reading thread stopped (exit ${code})`))
        })
        give(w)
      }
    })
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
  return results
}

const pool = (workerData as {jobPool?: {path: string; archive: string; kind: ContentHash}} | null)?.jobPool
if (!isMainThread && parentPort && pool) {
  const port = parentPort
  const fd = openSync(pool.path, 'r')
  port.on('message', ({index, job}: {index: number; job: PoolJob}) => {
    let unsent = 0
    let last = Date.now()
    const onBytes = (n: number) => {
      unsent += n
      if (Date.now() - last > 100) {
        port.postMessage({progress: unsent})
        unsent = 0
        last = Date.now()
      }
    }
    runJob(fd, job, pool.kind, pool.archive, onBytes).then(
      (result) => {
        if (unsent > 0) port.postMessage({progress: unsent})
        port.postMessage({index, result})
      },
      (error: unknown) => port.postMessage({index, error: (error as Error).message, code: error instanceof ImgdiffError ? error.code : null}),
    )
  })
}
