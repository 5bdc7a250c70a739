import {PassThrough, type Readable} from 'node:stream'
import {once} from 'node:events'
import {type ContentHash, contentHasher, HashingTap} from '../archive/hash.js'
import {type Compression, decompressor} from '../archive/compression.js'
import {walkTar, type TarHeader, type TarEntryStream} from '../archive/tar.js'
import {fileEntryFromHeader} from '../image/file-entry.js'
import {type FileEntry} from '../image/model.js'
import {errorMessage} from '../errors.js'
import {type Budget} from './limits.js'

/** What reading one layer tar (compressed or not) gave. */
export interface LayerScan {
  diffId: string
  uncompressedSize: number
  compression: Compression
  files: FileEntry[]
  error?: string
}

/** Hash a tar member's body with the content hash. */
export async function hashBody(body: Readable, kind: ContentHash): Promise<string> {
  const h = contentHasher(kind)
  for await (const chunk of body) h.update(chunk as Buffer)
  return h.digest()
}

/** Record every member of a tar as a FileEntry, hashing contents on the way. */
export function entryRecorder(files: FileEntry[], kind: ContentHash, budget?: Budget) {
  return async (header: TarHeader, body: TarEntryStream): Promise<void> => {
    budget?.file()
    const isFile = header.type === 'file' || header.type === 'contiguous-file'
    const digest = isFile ? await hashBody(body, kind) : undefined
    const entry = fileEntryFromHeader(header, digest)
    if (entry) files.push(entry)
  }
}

/**
 * A layer fed chunk by chunk (from the outer tar walk): decompress, hash the plain bytes for the
 * diff_id, and walk the inner tar, all while the outer walk moves on through the same bytes.
 * An uncompressed layer's diff_id is its blob digest, which the outer walk already computes, so
 * its bytes are hashed with sha256 once, not twice.
 */
export class LayerFeed {
  private readonly input = new PassThrough({highWaterMark: 1024 * 1024})
  private readonly tap: HashingTap | undefined
  private readonly files: FileEntry[] = []
  private failure?: string
  private readonly done: Promise<void>

  private rawBytes = 0

  constructor(readonly compression: Compression, kind: ContentHash, budget: Budget, what: string) {
    this.tap = compression === 'none' ? undefined : new HashingTap()
    if (this.tap) this.tap.guard = (plain) => budget.expansion(plain, this.rawBytes, what)
    const chain: Parameters<typeof walkTar>[0] = this.tap ? [this.input, decompressor(compression), this.tap] : [this.input]
    this.done = walkTar(chain, entryRecorder(this.files, kind, budget)).catch((error: unknown) => {
      this.failure = errorMessage(error)
      this.input.resume()
    })
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failure !== undefined) return
    this.rawBytes += chunk.length
    if (!this.input.write(chunk)) await Promise.race([once(this.input, 'drain'), this.done])
  }

  /** `blobDigest`: the sha256 of the stored bytes, which is the diff_id when nothing is compressed. */
  async finish(blobDigest: string): Promise<LayerScan> {
    if (this.failure === undefined) this.input.end()
    await this.done
    return {
      diffId: this.tap ? this.tap.digest() : blobDigest,
      uncompressedSize: this.tap ? this.tap.bytes : this.rawBytes,
      compression: this.compression,
      files: this.files,
      ...(this.failure === undefined ? {} : {error: this.failure}),
    }
  }
}
