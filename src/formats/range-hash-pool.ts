import {closeSync, openSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads'
import {type ContentHash} from '../archive/hash.js'
import {hashJob, type HashJob, type HashResult} from './range-hash.js'

/** Below this many bytes, starting threads costs more than it saves. */
const INLINE_BYTES = 64 * 1024 * 1024

type Reply = {index: number; result: HashResult} | {index: number; error: string} | {progress: number}

/**
 * Hash stretches of a plain archive file on every core: each thread opens the file and takes the
 * next job (largest first) as it finishes one, so one big layer and many small ones spread evenly.
 * `onBytes` hears the bytes hashed so far.
 */
export async function hashJobs(path: string, jobs: HashJob[], kind: ContentHash, onBytes?: (done: number) => void, inlineBelow = INLINE_BYTES): Promise<HashResult[]> {
  let done = 0
  const count = (n: number) => {
    done += n
    onBytes?.(done)
  }
  const total = jobs.reduce((n, j) => n + j.size, 0)
  const threads = Math.min(availableParallelism(), jobs.length)
  if (threads <= 1 || total < inlineBelow) {
    const fd = openSync(path, 'r')
    try {
      return jobs.map((job) => hashJob(fd, job, kind, count))
    } finally {
      closeSync(fd)
    }
  }
  const order = jobs.map((_, i) => i).sort((x, y) => jobs[y].size - jobs[x].size)
  const results: HashResult[] = Array.from({length: jobs.length})
  const workers: Worker[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      let left = jobs.length
      const give = (w: Worker) => {
        const index = order.shift()
        if (index !== undefined) w.postMessage({index, job: jobs[index]})
      }
      for (let t = 0; t < threads; t++) {
        const w = new Worker(new URL(import.meta.url), {workerData: {rangeHash: {path, kind}}, resourceLimits: {maxYoungGenerationSizeMb: 4}})
        workers.push(w)
        w.on('message', (m: Reply) => {
          if ('progress' in m) return count(m.progress)
          if ('error' in m) return reject(new Error(m.error))
          results[m.index] = m.result
          if (--left === 0) resolve()
          else give(w)
        })
        w.on('error', reject)
        w.on('exit', (code) => {
          if (left > 0) reject(new Error(`a hashing thread stopped (exit ${code})`))
        })
        give(w)
      }
    })
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
  return results
}

const job = (workerData as {rangeHash?: {path: string; kind: ContentHash}} | null)?.rangeHash
if (!isMainThread && parentPort && job) {
  const port = parentPort
  const fd = openSync(job.path, 'r')
  port.on('message', ({index, job: work}: {index: number; job: HashJob}) => {
    let unsent = 0
    let last = Date.now()
    try {
      const result = hashJob(fd, work, job.kind, (n) => {
        unsent += n
        if (Date.now() - last > 100) {
          port.postMessage({progress: unsent})
          unsent = 0
          last = Date.now()
        }
      })
      if (unsent > 0) port.postMessage({progress: unsent})
      port.postMessage({index, result})
    } catch (error) {
      port.postMessage({index, error: (error as Error).message})
    }
  })
}
