import {createReadStream} from 'node:fs'
import {open, stat} from 'node:fs/promises'
import {type Duplex, type Readable} from 'node:stream'
import {BadArchiveError} from '../errors.js'
import {type Compression, decompressor, sniffCompression} from './compression.js'

export interface OpenedArchive {
  path: string
  /** Bytes of the file as stored. */
  bytes: number
  /** How the whole file is compressed (what `docker load` would undo). */
  compression: Compression
}

/** Look at a file without reading it: its size and how it is compressed. */
export async function probeArchive(path: string): Promise<OpenedArchive> {
  let bytes: number
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw new BadArchiveError(path, 'is a directory, not an archive')
    bytes = info.size
  } catch (error) {
    if (error instanceof BadArchiveError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message
    throw new BadArchiveError(path, `cannot read it: ${why}`)
  }
  if (bytes === 0) throw new BadArchiveError(path, 'is empty (0 bytes), not an archive')
  const head = Buffer.alloc(6)
  const handle = await open(path, 'r')
  try {
    await handle.read(head, 0, 6, 0)
  } finally {
    await handle.close()
  }
  return {path, bytes, compression: sniffCompression(head)}
}

/**
 * The archive's plain tar bytes as a stream chain (the file, then its decompressor if the whole
 * file is compressed), for walkTar or pipeline. `onRaw` hears the bytes read from the file.
 */
export function plainTarChain(archive: Pick<OpenedArchive, 'path' | 'compression'>, onRaw?: (bytes: number) => void): [Readable, ...Duplex[]] {
  const raw = createReadStream(archive.path, {highWaterMark: 1024 * 1024})
  if (onRaw) {
    let n = 0
    raw.on('data', (c: Buffer | string) => onRaw((n += c.length)))
  }
  if (archive.compression === 'none') return [raw]
  const inflate = decompressor(archive.compression)
  raw.on('error', (e) => inflate.destroy(e))
  return [raw, inflate]
}

/** The same bytes as one readable stream. */
export function plainTarStream(archive: Pick<OpenedArchive, 'path' | 'compression'>, onRaw?: (bytes: number) => void): Readable {
  const [raw, inflate] = plainTarChain(archive, onRaw)
  return inflate ? raw.pipe(inflate) : raw
}
