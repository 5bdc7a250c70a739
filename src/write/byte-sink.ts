import {once} from 'node:events'
import {writeSync} from 'node:fs'
import {type Writable} from 'node:stream'

/**
 * Where a writer's bytes go. A file is written with plain synchronous writes: the writer's buffer
 * is free again when `write` returns, so big copies reuse one buffer instead of making garbage
 * (flatten copies a gigabyte this way). A stream (stdout, a gzip) takes chunks it keeps until it
 * has passed them on, and says when it can take more.
 */
export interface ByteSink {
  write(chunk: Buffer): void
  /** Resolves when the sink can take more; undefined when it always can. */
  drained(): Promise<unknown> | undefined
  /** The sink is done with a chunk when `write` returns: the caller may reuse its buffer. */
  readonly synchronous: boolean
}

export class FileSink implements ByteSink {
  readonly synchronous = true
  written = 0

  constructor(
    private readonly fd: number,
    private readonly onBytes?: (written: number) => void,
  ) {}

  write(chunk: Buffer): void {
    let done = 0
    while (done < chunk.length) done += writeSync(this.fd, chunk, done, chunk.length - done)
    this.written += chunk.length
    this.onBytes?.(this.written)
  }

  drained(): undefined {
    return undefined
  }
}

export class StreamSink implements ByteSink {
  readonly synchronous = false

  constructor(private readonly stream: Writable) {}

  write(chunk: Buffer): void {
    this.stream.write(chunk)
  }

  drained(): Promise<unknown> | undefined {
    return this.stream.writableNeedDrain ? once(this.stream, 'drain') : undefined
  }
}
