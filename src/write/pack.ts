import {type Readable} from 'node:stream'
import {encodeHeader, END_OF_ARCHIVE, padding, type TarHeader} from '../archive/tar-header.js'
import {type ByteSink} from './byte-sink.js'

/** Padding: never written to, so every member's can be a view of it (a stream keeps what it is given). */
const ZEROS = Buffer.alloc(512)

/** The mtime of files imgdiff writes itself (configs, manifests), so equal inputs give equal outputs. */
export const EPOCH = 0

/**
 * A tar being written into a sink (write/byte-sink.ts). Headers come from archive/tar-header.ts
 * (the one encoder). Members are added whole (`file`, `dir`, `symlink`, `copy`), or piece by
 * piece (`begin`, `data`, `end`) by a caller that holds content as it passes; `drained` then
 * says when the sink can take more.
 */
export class TarOut {
  /** Members written whole so far, and their content bytes: what a writer checks its output by. */
  members = 0
  contentBytes = 0
  private left = 0
  private size = 0
  private name = ''

  constructor(private readonly sink: ByteSink) {}

  /** The sink is done with a chunk when `data` returns (its buffer may be reused). */
  get synchronous(): boolean {
    return this.sink.synchronous
  }

  /** The sink holds none of the chunks given so far (see ByteSink.idle). */
  idle(): boolean {
    return this.sink.idle()
  }

  /** Start a member; its `size` bytes of content follow through `data`. */
  begin(h: TarHeader): void {
    if (this.left !== 0) throw new Error(`tar member '${this.name}' is short of ${this.left} bytes`)
    this.sink.write(encodeHeader(h))
    this.size = h.type === 'file' ? h.size : 0
    this.left = this.size
    this.name = h.name
  }

  data(chunk: Buffer): void {
    if (chunk.length > this.left) throw new Error(`tar member '${this.name}' got more than its ${this.size} bytes`)
    this.left -= chunk.length
    this.sink.write(chunk)
  }

  end(): void {
    if (this.left !== 0) throw new Error(`tar member '${this.name}' is short of ${this.left} bytes`)
    const pad = padding(this.size)
    if (pad > 0) this.sink.write(ZEROS.subarray(0, pad))
    this.members++
    this.contentBytes += this.size
    this.size = 0
  }

  /** Resolves when the reader has taken what was written (undefined: nothing to wait for). */
  drained(): Promise<unknown> | undefined {
    return this.sink.drained()
  }

  file(name: string, data: Buffer | string, mode = 0o644): Promise<unknown> | undefined {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    this.begin({name, type: 'file', mode, uid: 0, gid: 0, size: bytes.length, mtime: EPOCH})
    this.data(bytes)
    this.end()
    return this.drained()
  }

  dir(name: string): Promise<unknown> | undefined {
    this.begin({name, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: EPOCH})
    this.end()
    return this.drained()
  }

  symlink(name: string, target: string): Promise<unknown> | undefined {
    this.begin({name, type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, mtime: EPOCH, linkname: target})
    this.end()
    return this.drained()
  }

  /** A member whose content is a stream of exactly `header.size` bytes. */
  async copy(header: TarHeader, body: Readable): Promise<void> {
    this.begin(header)
    for await (const chunk of body) {
      this.data(chunk as Buffer)
      await this.drained()
    }
    this.end()
  }

  /** The end-of-archive blocks. */
  finish(): void {
    this.sink.write(END_OF_ARCHIVE)
  }
}

/** Write a tar filled by `fill` into a sink; `out` may be given to read its counters after. */
export async function pack(sink: ByteSink, fill: (out: TarOut) => Promise<void>, out = new TarOut(sink)): Promise<void> {
  await fill(out)
  out.finish()
  await out.drained()
}
