/** Read and write tar archives with tar-stream, to build broken or synthetic archives in tmp. */
import {readFileSync} from 'node:fs'
import {Readable} from 'node:stream'
import * as tarStream from 'tar-stream'

export interface TarEntry {
  header: tarStream.Header
  data: Buffer
}

export async function readTar(file: string | Buffer): Promise<TarEntry[]> {
  const bytes = typeof file === 'string' ? readFileSync(file) : file
  const extract = tarStream.extract()
  const entries: TarEntry[] = []
  const done = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = []
      for await (const c of entry) parts.push(c as Buffer)
      entries.push({header: {...entry.header}, data: Buffer.concat(parts)})
    }
  })()
  Readable.from([bytes]).pipe(extract as unknown as NodeJS.WritableStream)
  await done
  return entries
}

export type EntrySpec = Partial<tarStream.Header> & {name: string; data?: string | Buffer}

export async function packTar(entries: Array<TarEntry | EntrySpec>): Promise<Buffer> {
  const pack = tarStream.pack()
  const chunks: Buffer[] = []
  const collected = (async () => {
    for await (const c of pack) chunks.push(c as Buffer)
  })()
  for (const e of entries) {
    const header = 'header' in e ? e.header : {mode: 0o644, mtime: new Date(1_577_836_800_000), uid: 0, gid: 0, type: 'file' as const, ...e}
    const data = 'header' in e ? e.data : e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data)
    const h = {...header} as tarStream.Header & {data?: unknown}
    delete h.data
    delete h.pax
    if (h.type === 'file' || h.type === 'contiguous-file') {
      h.size = data.length
      await new Promise<void>((resolve, reject) => pack.entry(h, data, (err) => (err ? reject(err) : resolve())))
    } else {
      h.size = 0
      await new Promise<void>((resolve, reject) => pack.entry(h, (err) => (err ? reject(err) : resolve())))
    }
  }
  pack.finalize()
  await collected
  return Buffer.concat(chunks)
}

/**
 * Flip one content byte of the first non-empty regular file in a plain tar: the tar stays valid,
 * its sha256 (a layer's diff_id) changes. Returns the altered copy.
 */
export function alterFirstFileByte(tar: Buffer): Buffer {
  const out = Buffer.from(tar)
  let off = 0
  while (off + 512 <= out.length) {
    const block = out.subarray(off, off + 512)
    if (block.every((b) => b === 0)) break
    const size = Number.parseInt(block.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8)
    const type = String.fromCharCode(block[156])
    if ((type === '0' || type === '\0') && size > 0) {
      out[off + 512] ^= 0xff
      return out
    }
    off += 512 + Math.ceil(size / 512) * 512
  }
  throw new Error('no regular file with content in this tar')
}
