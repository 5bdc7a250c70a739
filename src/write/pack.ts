import {pipeline} from 'node:stream/promises'
import {createHash} from 'node:crypto'
import {type Readable, Transform} from 'node:stream'
import * as tarStream from 'tar-stream'

export type Pack = tarStream.Pack
export type EntryHeader = Parameters<tarStream.Pack['entry']>[0]

/** A fixed, old mtime for files imgdiff writes itself, so equal inputs give equal outputs. */
export const EPOCH = new Date(0)

/** Start a tar pack filled by `fill`; a failure in `fill` fails the stream that reads it. */
export function packStream(fill: (pack: Pack) => Promise<void>): Readable {
  const pack = tarStream.pack()
  fill(pack).then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(error as Error),
  )
  return pack as unknown as Readable
}

export function addBuffer(pack: Pack, name: string, data: Buffer | string, mode = 0o644): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({name, mode, mtime: EPOCH, type: 'file'}, typeof data === 'string' ? Buffer.from(data) : data, (err) => (err ? reject(err) : resolve()))
  })
}

export function addDir(pack: Pack, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({name, mode: 0o755, mtime: EPOCH, type: 'directory'}, (err) => (err ? reject(err) : resolve()))
  })
}

/** A pass-through that hashes what it copies. */
export class HashingTap extends Transform {
  private readonly hash = createHash('sha256')

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk)
    done(null, chunk)
  }

  digest(): string {
    return 'sha256:' + this.hash.digest('hex')
  }
}

/** Stream a body of known size into the pack. */
export async function addStream(pack: Pack, header: EntryHeader, body: Readable): Promise<void> {
  const sink = pack.entry(header)
  await pipeline(body, sink as unknown as NodeJS.WritableStream)
}
