import {createWriteStream, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

/**
 * A stream that must be read twice (stdin, a fifo, an engine's answer, when rollback, flatten or
 * --content need the bytes again) is first copied to a temp file. The file is removed when the
 * process ends, however it ends (exit, an error, Ctrl-C).
 */
const spools = new Set<string>()
let installed = false

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
  install()
  const dir = mkdtempSync(join(tmpdir(), 'imgdiff-spool-'))
  spools.add(dir)
  const file = join(dir, what.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64) || 'source')
  await pipeline(stream, createWriteStream(file))
  return file
}
