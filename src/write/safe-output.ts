import {randomBytes} from 'node:crypto'
import {createWriteStream, rmSync} from 'node:fs'
import {once} from 'node:events'
import {open, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {createGzip} from 'node:zlib'
import {ImgdiffError, UsageError} from '../errors.js'
import {type ByteSink, FileSink, StreamSink} from './byte-sink.js'

/**
 * Every output goes to a temp file beside its target and is renamed into place only when it is
 * complete and verified. A failure, Ctrl-C or SIGTERM removes the temp file; an existing target is
 * refused without --force; `-` streams to stdout (no rename, so no verification before use).
 */
export interface SafeOutputOptions {
  force: boolean
  /** Inputs that must never be overwritten. */
  inputs: string[]
  /** Hears the bytes written so far (for a progress line). */
  onBytes?: (written: number) => void
}

/**
 * How an output is compressed, by its name: `.gz` and `.tgz` are gzip'd (as `docker save | gzip`);
 * a name that promises another compression is refused rather than given a plain tar.
 */
export function outputCompression(target: string): 'gzip' | 'none' {
  if (/\.(t?gz)$/i.test(target)) return 'gzip'
  const other = /\.(zst|zstd|xz|bz2|tbz2?|txz|lz4)$/i.exec(target)
  if (other) {
    const stem = target.slice(0, -other[0].length).replace(/\.tar$/i, '')
    throw new UsageError(`-o ${target}: imgdiff writes plain tars and gzip (.gz); write ${stem}.tar and compress it, or use ${stem}.tar.gz`)
  }
  return 'none'
}

const pending = new Set<string>()
let handlersInstalled = false

function installSignalHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const p of pending) {
        // Synchronous on purpose: the process is about to end.
        rmSync(p, {force: true})
      }
      process.stderr.write(`\nimgdiff: interrupted (${signal}); no output was written\n`)
      process.exit(signal === 'SIGINT' ? 130 : 143)
    })
  }
}

/** What writes an output: it puts its bytes into the sink it is given, and resolves when done. */
export type Producer = (sink: ByteSink) => Promise<void>

export async function writeSafely(target: string, options: SafeOutputOptions, produce: Producer, verify: (path: string) => Promise<void>): Promise<void> {
  await checkOutput(target, options)
  if (target === '-') {
    await produce(new StreamSink(process.stdout))
    if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain')
    return
  }
  const compression = outputCompression(target)
  const full = resolve(target)
  const temp = join(dirname(full), `.${basename(full)}.imgdiff-${randomBytes(4).toString('hex')}.tmp`)
  installSignalHandlers()
  pending.add(temp)
  try {
    if (compression === 'gzip') {
      const gzip = createGzip({level: 6})
      let written = 0
      if (options.onBytes) gzip.on('data', (c: Buffer) => options.onBytes!((written += c.length)))
      const piping = pipeline(gzip, createWriteStream(temp, {flags: 'wx'}))
      // A failure of the file side must not leave the producer waiting for a drain.
      await Promise.all([piping, produce(new StreamSink(gzip)).then(() => gzip.end(), (error: unknown) => gzip.destroy(error as Error))])
    } else {
      const handle = await open(temp, 'wx')
      try {
        const sink = new FileSink(handle.fd, options.onBytes)
        await produce(sink)
        sink.flush()
      } finally {
        await handle.close()
      }
    }
    await verify(temp)
    await rename(temp, full)
  } catch (error) {
    await rm(temp, {force: true})
    if (error instanceof ImgdiffError) throw error
    const code = (error as NodeJS.ErrnoException).code
    throw new ImgdiffError(`cannot write ${target}: ${code === 'ENOSPC' ? 'no space left on device' : (error as Error).message}`)
  } finally {
    pending.delete(temp)
  }
}

/**
 * Every check an output gets before anything is read or written, so a mistake costs nothing:
 * an archive is not written to a terminal; a name promises a compression imgdiff can write; the
 * target is no input, no directory, not in a missing directory, and new unless --force.
 */
export async function checkOutput(target: string, options: Pick<SafeOutputOptions, 'force' | 'inputs'>): Promise<void> {
  if (target === '-') {
    if (process.stdout.isTTY) throw new UsageError('refusing to write an archive to a terminal; redirect it (> FILE, | docker load) or use -o FILE')
    return
  }
  outputCompression(target)
  await checkTarget(target, resolve(target), options)
}

/**
 * Refuse, with one line, an output that would lose data or cannot be written: one of the inputs
 * under another name (a symlink, a hard link: same device and inode), a directory, a file in a
 * directory that does not exist, an existing file without --force.
 */
async function checkTarget(target: string, full: string, options: Pick<SafeOutputOptions, 'force' | 'inputs'>): Promise<void> {
  const existing = await stat(full).catch(() => null)
  if (existing?.isDirectory()) throw new UsageError(`-o ${target} is a directory; give a file name to write`)
  if (existing) {
    for (const input of options.inputs) {
      const seen = await stat(input).catch(() => null)
      if (resolve(input) === full || (seen && seen.dev === existing.dev && seen.ino === existing.ino)) {
        throw new UsageError(`-o ${target} is one of the inputs${resolve(input) === full ? '' : ` (the same file as ${input})`}; refusing to overwrite it`)
      }
    }
    if (!options.force) throw new UsageError(`${target} already exists (use --force to replace it)`)
  }
  const dir = await stat(dirname(full)).catch(() => null)
  if (!dir?.isDirectory()) throw new UsageError(`cannot write ${target}: the directory ${dirname(full)} does not exist`)
}
