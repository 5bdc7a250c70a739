import {createHash} from 'node:crypto'
import {type Duplex, Transform} from 'node:stream'
import {decompressor, sniffCompression} from '../archive/compression.js'

/** What a layer's bytes hashed to on their way into the output. */
export interface WrittenLayer {
  /** sha256 of the bytes as stored (the blob digest). */
  digest: string
  /** sha256 of the layer's tar: the bytes themselves, or what they inflate to (what docker load checks). */
  diffId: string
}

/** Also sees a layer's tar as it is copied, piece by piece (plain or inflated): write/unpack-check.ts. */
export interface LayerWatcher {
  push(piece: Uint8Array): void
  /** Every piece has passed. */
  end(): void
}

/**
 * Passes a layer's bytes through unchanged while hashing them and, when they are compressed
 * (sniffed from the first bytes), inflating them on the side to hash the tar they hold. One read
 * of the source then both verifies a layer and copies it: rollback needs no earlier full read.
 */
export class LayerCheck extends Transform {
  private readonly stored = createHash('sha256')
  private readonly plain = createHash('sha256')
  private inflate: Duplex | null = null
  private inflated: Promise<void> = Promise.resolve()
  private started = false

  /** `watcher`: also shown the layer's tar as it passes. */
  constructor(private readonly watcher?: LayerWatcher) {
    super()
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    if (!this.started) this.start(chunk)
    this.stored.update(chunk)
    if (!this.inflate) {
      this.watcher?.push(chunk)
      done(null, chunk)
      return
    }
    // Wait for the inflater when it is behind, so memory stays bounded by its buffers.
    if (this.inflate.write(chunk)) done(null, chunk)
    else this.inflate.once('drain', () => done(null, chunk))
  }

  override _flush(done: (err?: Error | null) => void): void {
    this.inflate?.end()
    this.inflated.then(() => {
      this.watcher?.end()
      done()
    }, done)
  }

  /** The hashes, once the bytes have all passed (the stream has ended). */
  result(): WrittenLayer {
    const digest = 'sha256:' + this.stored.digest('hex')
    // A plain layer is its own tar: its diff_id is its digest.
    return {digest, diffId: this.inflate ? 'sha256:' + this.plain.digest('hex') : digest}
  }

  private start(head: Buffer): void {
    this.started = true
    const kind = sniffCompression(head)
    if (kind === 'none') return
    const inflate = decompressor(kind)
    this.inflate = inflate
    this.inflated = new Promise((resolve, reject) => {
      inflate.on('data', (c: Buffer) => {
        this.plain.update(c)
        this.watcher?.push(c)
      })
      inflate.on('end', resolve)
      inflate.on('error', (error: Error) => {
        reject(new Error(`a ${kind} layer does not inflate (${error.message})`))
      })
    })
    // A failure is reported by _flush, or now if the copy is still running.
    this.inflated.catch((error: Error) => this.destroy(error))
  }
}
