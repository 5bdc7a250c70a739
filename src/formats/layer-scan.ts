import {createHash, type Hash} from 'node:crypto'
import {once} from 'node:events'
import {type Duplex} from 'node:stream'
import {type ContentHash, contentHasher, type Hasher} from '../archive/hash.js'
import {type Compression, decompressor} from '../archive/compression.js'
import {type TarMember} from '../archive/tar-member.js'
import {TarReader, type TarVisitor} from '../archive/tar-reader.js'
import {fileEntryFromMember} from '../image/file-entry.js'
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

/**
 * Records each member of a tar as a FileEntry, hashing regular files' contents as they pass (unless
 * `kind` is null); with `onEntry`, hands each entry over instead of keeping it.
 */
export class EntryRecorder implements TarVisitor {
  readonly files: FileEntry[] = []
  private pending?: TarMember
  private hasher?: Hasher

  constructor(
    private readonly kind: ContentHash | null,
    private readonly budget?: Budget,
    private readonly onEntry: (e: FileEntry) => void = (e) => this.files.push(e),
  ) {}

  header(m: TarMember): void {
    this.budget?.file()
    this.pending = m
    this.hasher = m.typeflag === '0' && this.kind ? contentHasher(this.kind) : undefined
  }

  body(chunk: Buffer): void {
    this.hasher?.update(chunk)
  }

  end(): void {
    this.onEntry(fileEntryFromMember(this.pending!, this.hasher?.digest()))
    this.pending = undefined
    this.hasher = undefined
  }
}

/**
 * A layer fed chunk by chunk by the outer walk: decompressed if it must be, hashed for its diff_id
 * (when `hashPlain`) and read as a tar by `visitor`, all while the outer walk moves on through the
 * same bytes. An uncompressed layer's diff_id is its blob digest, which the outer walk computes
 * anyway, so its bytes are hashed once.
 */
export class LayerFeed {
  private readonly parser: TarReader
  private readonly inflate?: Duplex
  private readonly plainHash?: Hash
  private readonly inflated?: Promise<void>
  private plainBytes = 0
  private rawBytes = 0
  private failure?: string

  constructor(
    readonly compression: Compression,
    visitor: TarVisitor,
    budget: Budget,
    what: string,
    hashPlain = true,
  ) {
    this.parser = new TarReader(visitor)
    if (compression === 'none') return
    if (hashPlain) this.plainHash = createHash('sha256')
    const inflate = decompressor(compression)
    this.inflate = inflate
    inflate.on('data', (chunk: Buffer) => {
      if (this.failure !== undefined) return
      this.plainHash?.update(chunk)
      this.plainBytes += chunk.length
      this.guard(() => {
        budget.expansion(this.plainBytes, this.rawBytes, what)
        this.parser.push(chunk)
      })
    })
    this.inflated = new Promise((resolve) => {
      inflate.on('end', resolve)
      inflate.on('close', resolve)
      inflate.on('error', (error) => {
        this.failure ??= errorMessage(error)
        resolve()
      })
    })
  }

  private guard(work: () => void): void {
    try {
      work()
    } catch (error) {
      this.failure = errorMessage(error)
      this.inflate?.destroy()
    }
  }

  /** Feed stored bytes; resolves when the decompressor can take more. */
  write(chunk: Buffer): Promise<void> | undefined {
    this.rawBytes += chunk.length
    if (this.failure !== undefined) return undefined
    if (!this.inflate) {
      this.plainBytes += chunk.length
      this.guard(() => this.parser.push(chunk))
      return undefined
    }
    if (this.inflate.write(chunk)) return undefined
    return Promise.race([once(this.inflate, 'drain').then(() => undefined), this.inflated!])
  }

  /** `blobDigest`: the sha256 of the stored bytes, which is the diff_id when nothing is compressed. */
  async finish(blobDigest: string): Promise<Omit<LayerScan, 'files'>> {
    if (this.inflate && this.failure === undefined) {
      this.inflate.end()
      await this.inflated
    }
    if (this.failure === undefined) this.guard(() => this.parser.end())
    return {
      diffId: this.plainHash ? 'sha256:' + this.plainHash.digest('hex') : blobDigest,
      uncompressedSize: this.plainBytes,
      compression: this.compression,
      ...(this.failure === undefined ? {} : {error: this.failure}),
    }
  }
}
