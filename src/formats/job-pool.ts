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
export const INLINE_BYTES = 64 * 1024 * 1024

/** What a thread is asked: a job on a file (the file as messages name it), with the content hash to use. */
interface Task {
  id: number
  path: string
  archive: string
  kind: ContentHash
  job: PoolJob
}

type Reply = {id: number; result: PoolResult} | {id: number; error: string; code: string | null} | {id: number; progress: number}

function sizeOf(job: PoolJob): number {
  return 'hash' in job ? job.hash.size : job.layer.size
}

/** The bytes a batch of jobs reads. */
export function sizes(jobs: PoolJob[]): number {
  return jobs.reduce((n, j) => n + sizeOf(j), 0)
}

async function runJob(fd: number, job: PoolJob, kind: ContentHash, archive: string, onBytes: (n: number) => void): Promise<PoolResult> {
  if ('hash' in job) return {hash: hashJob(fd, job.hash, kind, onBytes)}
  return {layer: await scanLayerJob(fd, job.layer, kind, archive, onBytes)}
}

/**
 * Run jobs on a plain archive file on every core. One pool of threads serves the whole process
 * (a diff reads two archives at once through it, and a read may hand it jobs in several batches):
 * each thread takes the next job, largest first, as it finishes one, so one big layer and many
 * small ones spread evenly; the threads end when no job is left. `onBytes` hears the bytes read
 * so far; `archive` is the file as messages name it. `inline`: run here instead (by default for
 * small work, where starting threads costs more than it saves).
 */
export async function runJobs(path: string, archive: string, jobs: PoolJob[], kind: ContentHash, onBytes?: (done: number) => void, inline?: boolean): Promise<PoolResult[]> {
  let done = 0
  const count = (n: number) => {
    done += n
    onBytes?.(done)
  }
  if (availableParallelism() <= 1 || (inline ?? sizes(jobs) < INLINE_BYTES)) {
    const fd = openSync(path, 'r')
    try {
      const results: PoolResult[] = []
      for (const job of jobs) results.push(await runJob(fd, job, kind, archive, count))
      return results
    } finally {
      closeSync(fd)
    }
  }
  // Handed out largest first: the pool queues in that order, but the first jobs go straight to idle threads.
  const results: PoolResult[] = Array.from({length: jobs.length})
  const order = jobs.map((_, i) => i).sort((x, y) => sizeOf(jobs[y]) - sizeOf(jobs[x]))
  await Promise.all(
    order.map(async (i) => {
      results[i] = await Pool.shared().run({path, archive, kind, job: jobs[i]}, count)
    }),
  )
  return results
}

interface Pending {
  task: Task
  onBytes: (n: number) => void
  resolve: (r: PoolResult) => void
  reject: (e: Error) => void
}

class Pool {
  private static current: Pool | null = null
  private readonly workers: Worker[] = []
  private readonly idle: Worker[] = []
  private readonly queue: Pending[] = []
  private readonly running = new Map<number, Pending>()
  private nextId = 0

  static shared(): Pool {
    Pool.current ??= new Pool(availableParallelism())
    return Pool.current
  }

  private constructor(threads: number) {
    for (let t = 0; t < threads; t++) {
      // A small young generation: a thread's garbage (headers, entries) is collected early rather
      // than kept as room it may need (about 45 MB less at the peak of the bench's full read).
      const w = new Worker(new URL(import.meta.url), {workerData: {jobPool: true}, resourceLimits: {maxYoungGenerationSizeMb: 4}})
      w.on('message', (m: Reply) => this.reply(w, m))
      w.on('error', (error) => this.fail(error))
      w.on('exit', (code) => {
        if (this.running.size > 0 || this.queue.length > 0) this.fail(new Error(`a reading thread stopped (exit ${code})`))
      })
      this.workers.push(w)
      this.idle.push(w)
    }
  }

  run(task: Omit<Task, 'id'>, onBytes: (n: number) => void): Promise<PoolResult> {
    return new Promise((resolve, reject) => {
      const pending = {task: {...task, id: this.nextId++}, onBytes, resolve, reject}
      // Largest first, across every archive being read.
      const at = this.queue.findIndex((p) => sizeOf(p.task.job) < sizeOf(task.job))
      this.queue.splice(at === -1 ? this.queue.length : at, 0, pending)
      this.dispatch()
    })
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const pending = this.queue.shift()!
      this.running.set(pending.task.id, pending)
      this.idle.pop()!.postMessage(pending.task)
    }
    if (this.queue.length === 0 && this.running.size === 0) this.close()
  }

  private reply(w: Worker, m: Reply): void {
    const pending = this.running.get(m.id)
    if (!pending) return
    if ('progress' in m) return pending.onBytes(m.progress)
    this.running.delete(m.id)
    this.idle.push(w)
    // A bound hit (files, expansion) stays the user's error, with its code; anything else is ours.
    if ('error' in m) pending.reject(m.code === null ? new Error(m.error) : Object.assign(new ImgdiffError(m.error), {code: m.code}))
    else pending.resolve(m.result)
    this.dispatch()
  }

  private fail(error: Error): void {
    for (const p of [...this.running.values(), ...this.queue.splice(0)]) p.reject(error)
    this.running.clear()
    this.close()
  }

  /** No job left: the threads go (a later read starts a new pool). */
  private close(): void {
    if (Pool.current === this) Pool.current = null
    for (const w of this.workers) void w.terminate()
  }
}

if (!isMainThread && parentPort && (workerData as {jobPool?: boolean} | null)?.jobPool) {
  const port = parentPort
  const fds = new Map<string, number>()
  port.on('message', (task: Task) => {
    let fd = fds.get(task.path)
    if (fd === undefined) {
      fd = openSync(task.path, 'r')
      fds.set(task.path, fd)
    }
    let unsent = 0
    let last = Date.now()
    const onBytes = (n: number) => {
      unsent += n
      if (Date.now() - last > 100) {
        port.postMessage({id: task.id, progress: unsent})
        unsent = 0
        last = Date.now()
      }
    }
    runJob(fd, task.job, task.kind, task.archive, onBytes).then(
      (result) => {
        if (unsent > 0) port.postMessage({id: task.id, progress: unsent})
        port.postMessage({id: task.id, result})
      },
      (error: unknown) => port.postMessage({id: task.id, error: (error as Error).message, code: error instanceof ImgdiffError ? error.code : null}),
    )
  })
}
