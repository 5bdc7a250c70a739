import {createWriteStream, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

/**
 * A stream that must be read twice (stdin, a fifo, an engine's answer, when rollback, flatten or
 * --content need the bytes again) is first copied to a temp file. The file is removed when the
 * process ends, however it ends (exit, an error, Ctrl-C). A reader thread hands its temp files over
 * to the main thread (handSpoolsTo): its own 'exit' comes when the thread ends, while the main
 * thread still reads the copy again.
 */
const spools = new Set<string>()
let installed = false
let handOver: ((dir: string) => void) | null = null

/** On a reader thread: each temp directory made here is sent to the main thread, which removes it. */
export function handSpoolsTo(send: (dir: string) => void): void {
  handOver = send
}

/** On the main thread: a reader thread's temp directory, removed when the process ends. */
export function adoptSpool(dir: string): void {
  install()
  spools.add(dir)
}

function install(): void {
  if (installed) return
  installed = true
  const clean = () => {
    for (const dir of spools) rmSync(dir, {recursive: true, force: true})
    spools.clear()
  }
  process.once('exit', clean)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      clean()
      process.exit(signal === 'SIGINT' ? 130 : 143)
    })
  }
}

/** Copy `stream` to a temp file and return its path. */
export async function spool(stream: Readable, what: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'imgdiff-spool-'))
  if (handOver) handOver(dir)
  else adoptSpool(dir)
  const file = join(dir, what.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64) || 'source')
  await pipeline(stream, createWriteStream(file))
  return file
}
