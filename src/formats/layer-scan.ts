import {createHash} from 'node:crypto'
import {PassThrough, type Readable} from 'node:stream'
import {once} from 'node:events'
import {HashingTap} from '../archive/hash.js'
import {type Compression, decompressor} from '../archive/compression.js'
import {walkTar, type TarHeader, type TarEntryStream} from '../archive/tar.js'
import {fileEntryFromHeader} from '../image/file-entry.js'
import {type FileEntry} from '../image/model.js'
import {errorMessage} from '../errors.js'

/** What reading one layer tar (compressed or not) gave. */
export interface LayerScan {
  diffId: string
  uncompressedSize: number
  compression: Compression
  files: FileEntry[]
  error?: string
}

/** Hash a tar member's body; returns the sha256 hex of its bytes. */
export async function hashBody(body: Readable): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of body) h.update(chunk as Buffer)
  return h.digest('hex')
}

/** Record every member of a tar as a FileEntry, hashing contents on the way. */
export function entryRecorder(files: FileEntry[]) {
  return async (header: TarHeader, body: TarEntryStream): Promise<void> => {
    const isFile = header.type === 'file' || header.type === 'contiguous-file'
    const digest = isFile ? 'sha256:' + (await hashBody(body)) : undefined
    const entry = fileEntryFromHeader(header, digest)
    if (!entry) return
    files.push(entry)
  }
}

/**
 * A layer fed chunk by chunk (from the outer tar walk): decompress, hash the plain bytes for the
 * diff_id, and walk the inner tar, all while the outer walk moves on through the same bytes.
 */
export class LayerFeed {
  private readonly input = new PassThrough({highWaterMark: 1024 * 1024})
  private readonly tap = new HashingTap()
  private readonly files: FileEntry[] = []
  private failure?: string
  private readonly done: Promise<void>

  constructor(readonly compression: Compression) {
    this.done = walkTar([this.input, decompressor(compression), this.tap], entryRecorder(this.files)).catch(
      (error: unknown) => {
        this.failure = errorMessage(error)
        this.input.resume()
      },
    )
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failure !== undefined) return
    if (!this.input.write(chunk)) await Promise.race([once(this.input, 'drain'), this.done])
  }

  async finish(): Promise<LayerScan> {
    if (this.failure === undefined) this.input.end()
    await this.done
    return {
      diffId: this.tap.digest(),
      uncompressedSize: this.tap.bytes,
      compression: this.compression,
      files: this.files,
      ...(this.failure === undefined ? {} : {error: this.failure}),
    }
  }
}
