import {createHash, type Hash} from 'node:crypto'
import {Transform} from 'node:stream'

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

export function digestOf(data: Uint8Array | string): string {
  return 'sha256:' + sha256Hex(data)
}

/** A pass-through that hashes and counts what flows by. */
export class HashingTap extends Transform {
  readonly hash: Hash = createHash('sha256')
  bytes = 0

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    done(null, chunk)
  }

  digest(): string {
    return 'sha256:' + this.hash.digest('hex')
  }
}
