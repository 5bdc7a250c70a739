import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads'
import {ImgdiffError} from '../errors.js'
import {type Image} from '../image/model.js'
import {adoptSpool, handSpoolsTo} from '../sources/spool.js'
import {readArchive, type ReadOptions} from './read.js'

/**
 * Read an archive on a worker thread, so a diff hashes both inputs at once on two cores. Images
 * are plain data and cross the thread boundary as they are; errors keep their message and code.
 */
type Message = {progress: number} | {spool: string} | {images: Image[]} | {error: string; exitCode: number | null; code: string | null}

export function readArchiveInWorker(path: string, options: ReadOptions): Promise<Image[]> {
  const {onProgress, ...plain} = options
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), {workerData: {path, options: plain}})
    let settled = false
    worker.on('message', (m: Message) => {
      if ('progress' in m) onProgress?.(m.progress)
      // A temp copy of a stream is the main thread's to remove: it reads it again later.
      else if ('spool' in m) adoptSpool(m.spool)
      else if ('images' in m) {
        settled = true
        resolve(m.images)
      } else {
        settled = true
        if (m.exitCode === null) reject(new Error(m.error))
        else reject(Object.assign(new ImgdiffError(m.error, m.exitCode), {code: m.code ?? 'error'}))
      }
    })
    worker.on('error', (e) => {
      settled = true
      reject(e)
    })
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`reader thread for ${path} stopped (exit ${code})`))
    })
  })
}

if (!isMainThread && parentPort && (workerData as {path?: string})?.path) {
  const port = parentPort
  const data = workerData as {path: string; options: ReadOptions}
  handSpoolsTo((dir) => port.postMessage({spool: dir}))
  let last = 0
  readArchive(data.path, {
    ...data.options,
    onProgress(bytes) {
      const now = Date.now()
      if (now - last > 100) {
        last = now
        port.postMessage({progress: bytes})
      }
    },
  }).then(
    (images) => port.postMessage({images}),
    (error: unknown) => port.postMessage({error: (error as Error).message, exitCode: error instanceof ImgdiffError ? error.exitCode : null, code: error instanceof ImgdiffError ? error.code : null}),
  )
}
