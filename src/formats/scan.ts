import {createHash, type Hash} from 'node:crypto'
import {type ContentHash, contentHasher, type Hasher} from '../archive/hash.js'
import {type Compression, sniffCompression} from '../archive/compression.js'
import {type TarMember} from '../archive/tar-member.js'
import {firstPass, type OpenedSource, plainTarStream, type Reopen, type SourceOrigin} from '../sources/open.js'
import {looksLikeTar, TarReader, type TarVisitor} from '../archive/tar-reader.js'
import {BadArchiveError, errorMessage, ImgdiffError} from '../errors.js'
import {fileEntryFromMember} from '../image/file-entry.js'
import {type FileEntry} from '../image/model.js'
import {landingPath} from '../image/paths.js'
import {EntryRecorder, LayerFeed, type LayerScan} from './layer-scan.js'
import {classify, recordOther} from './member-kind.js'
import {completeSeeked} from './seek-hash.js'
import {type SeekedLayer, seekScan} from './seek-scan.js'
import {describeTarFailure} from './tar-failure.js'
import {Budget} from './limits.js'

/** A member of the outer archive, as far as the readers need to know it. */
export interface ScannedMember {
  /** Cleaned name without the leading slash, e.g. `abc/layer.tar`, `blobs/sha256/<hex>`. */
  name: string
  type: FileEntry['type']
  size: number
  /** sha256 of the stored bytes, for members that can be blobs (documents and layers). */
  digest?: string
  /** Content hash of the bytes (what the member is as a file of a root filesystem). */
  content?: string
  /** Symlink target as written, or hard link target (cleaned). */
  linkTarget?: string
  /** Small documents (JSON, `repositories`, `VERSION`) kept whole. */
  doc?: Buffer
  /** Set when the member's bytes were read as a layer tar. */
  layer?: LayerScan
  /** Byte offset of the member's content in the plain tar. */
  dataOffset: number
}

/** The archive a scan read: what messages call it, its stored bytes, and where its bytes came from. */
export interface ScannedArchive {
  path: string
  bytes: number
  compression: Compression
  reopen: Reopen | null
  origin: SourceOrigin
}

export interface Scan {
  archive: ScannedArchive
  members: Map<string, ScannedMember>
  /** Every member as a file of a root filesystem: what the archive is if it is an export. */
  rootfs: FileEntry[]
  /**
   * sha256 of the plain (decompressed) tar: an export's diff_id when imported. Null when the
   * archive began like an image archive, where it is never needed (see `looksLikeImageMember`),
   * and when the read was asked not to hash it (ScanOptions.exportDigest).
   */
  plainDigest: string | null
  plainSize: number
}

export interface ScanOptions {
  onProgress?: (rawBytes: number) => void
  contentHash?: ContentHash
  /**
   * How deep to read. `full`: every layer byte hashed (diff_ids checked) and every file's content
   * hashed (what a diff compares). `structure`: documents and every layer's headers, nothing
   * hashed (what flatten and rollback need: they copy bytes, rollback hashing them on the way).
   * `outer`: documents only, layers neither hashed nor walked (a rollback's --base, and checking
   * an archive imgdiff has just written). A plain archive file is read by seeking for the last two.
   */
  depth?: ScanDepth
  /** A full read of a plain file: whether file contents are hashed too (see ReadOptions.contents). */
  contents?: boolean
  /** Whether an export's sha256 is computed (default true; see ReadOptions.exportDigest). */
  exportDigest?: boolean
}

export type ScanDepth = 'full' | 'structure' | 'outer'


/** sha256 of an archive's plain tar bytes: a second pass, for an export that began like an image or was read without it. */
export async function plainDigestOf(archive: ScannedArchive, expectBytes?: number): Promise<string> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of plainTarStream(archive)) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  // A second pass must hash what the first one read.
  if (expectBytes !== undefined && bytes !== expectBytes) throw new BadArchiveError(archive.path, `is ${bytes} bytes of tar now, ${expectBytes} when it was first read: did it change since?`)
  return 'sha256:' + hash.digest('hex')
}

/**
 * The one pass over an archive. Every member is hashed; small JSON documents are kept; any member
 * that looks like a (compressed) tar near the top is walked as a layer while the bytes go by. The
 * manifest usually comes last, so nothing here depends on knowing which members are layers.
 */
export async function scanArchive(opened: OpenedSource, options: ScanOptions = {}): Promise<Scan> {
  const archive: ScannedArchive = {path: opened.display, bytes: opened.size ?? 0, compression: opened.compression, reopen: opened.reopen, origin: opened.origin}
  const budget = new Budget(archive.path)
  const depth = options.depth ?? 'full'
  const exportDigest = options.exportDigest !== false
  if (opened.reopen?.kind === 'file' && opened.compression === 'none') {
    // A plain file: its structure by seeking, then (full) its layers read where they lie, on every core.
    const seeked = await seekScan(opened.reopen.path, archive, depth, budget)
    if (seeked) {
      if (depth === 'full') await completeOrSay(seeked.scan, seeked.layers, opened.reopen.path, budget, options)
      options.onProgress?.(archive.bytes)
      return seeked.scan
    }
  }
  const outer = new OuterVisitor(options.contentHash ?? 'xxh3', budget, depth)
  const parser = new TarReader(outer)
  let rawBytes = 0
  const source = firstPass(opened, (n) => {
    rawBytes = n
    options.onProgress?.(n)
  })
  const plainHash = createHash('sha256')
  let plainBytes = 0
  try {
    for await (const c of source) {
      const chunk = c as Buffer
      plainBytes += chunk.length
      // The parser sees the first header before the first chunk is hashed, so it can say whether
      // the whole-tar hash is needed at all.
      parser.push(chunk)
      if (outer.hashPlain && depth === 'full' && exportDigest) plainHash.update(chunk)
      if (archive.compression !== 'none') budget.expansion(plainBytes, rawBytes, `the ${archive.compression}-compressed archive`)
      await outer.settle()
    }
    parser.end()
    await outer.settle()
  } catch (error) {
    source.destroy()
    if (error instanceof ImgdiffError) throw error
    throw new BadArchiveError(archive.path, describeTarFailure(error, parser.count, parser.lastName, archive.compression))
  }
  if (parser.count === 0) throw new BadArchiveError(archive.path, 'is not a tar archive (no entries)')
  if (opened.size === null) archive.bytes = rawBytes
  return {archive, members: outer.members, rootfs: outer.rootfs, plainDigest: outer.hashPlain && depth === 'full' && exportDigest ? 'sha256:' + plainHash.digest('hex') : null, plainSize: plainBytes}
}

async function completeOrSay(scan: Scan, layers: SeekedLayer[], path: string, budget: Budget, options: ScanOptions): Promise<void> {
  try {
    await completeSeeked(scan, layers, path, options.contents === false ? null : (options.contentHash ?? 'xxh3'), budget, options.onProgress, options.exportDigest !== false)
  } catch (error) {
    if (error instanceof ImgdiffError) throw error
    throw new BadArchiveError(scan.archive.path, `could not be read to the end: ${errorMessage(error)}`)
  }
}

/**
 * Every docker save and OCI archive starts with one of these; a root filesystem practically never
 * does. Only used to skip hashing the whole tar when that hash cannot be needed.
 */
function looksLikeImageMember(name: string): boolean {
  return /^(\.\/)?([0-9a-f]{64}(\/|\.json$|\.tar$)|blobs\/|oci-layout$|index\.json$|manifest\.json$|repositories$)/.test(name)
}

/** Reads the outer archive's members as the parser hands them out. */
class OuterVisitor implements TarVisitor {
  readonly members = new Map<string, ScannedMember>()
  readonly rootfs: FileEntry[] = []
  /** Whether the whole plain tar must be hashed (an export's diff_id). */
  hashPlain = true
  private decided = false
  private current?: MemberReader
  private member?: TarMember
  private readonly waits: Array<Promise<unknown>> = []

  constructor(
    private readonly kind: ContentHash,
    private readonly budget: Budget,
    private readonly depth: ScanDepth,
  ) {}

  header(m: TarMember): void {
    if (!this.decided) {
      this.decided = true
      this.hashPlain = !looksLikeImageMember(m.name)
    }
    this.member = m
    this.current = undefined
    const path = landingPath(m.name)
    if (path === '/') return
    const base: ScannedMember = {name: path.slice(1), type: 'file', size: m.size, dataOffset: m.dataOffset}
    if (m.typeflag === '0') this.current = new MemberReader(base, this.kind, this.budget, this.depth)
    else recordOther(this.members, base, m)
  }

  body(chunk: Buffer): void {
    const wait = this.current?.push(chunk)
    if (wait) this.waits.push(wait)
  }

  end(): void {
    const reader = this.current
    this.current = undefined
    this.budget.file()
    this.rootfs.push(fileEntryFromMember(this.member!, reader?.contentDigest()))
    if (reader) this.waits.push(reader.finish().then((done) => this.members.set(done.name, done)))
  }

  /** Wait for decompressors to drain and layers to finish before more bytes are pushed. */
  async settle(): Promise<void> {
    while (this.waits.length > 0) await Promise.all(this.waits.splice(0))
  }
}

/**
 * One regular member of the outer archive: sniffed from its first block, then kept (a document),
 * walked (a layer) or only hashed (any other file). sha256 only for what can be a blob.
 */
class MemberReader {
  private readonly content?: Hasher
  private blob?: Hash
  private readonly depth: number
  private head: Buffer[] = []
  private headBytes = 0
  private mode: 'undecided' | 'doc' | 'layer' | 'plain' = 'undecided'
  private feed?: LayerFeed
  private recorder?: EntryRecorder
  private contentText?: string

  constructor(
    private readonly member: ScannedMember,
    private readonly kind: ContentHash,
    private readonly budget: Budget,
    private readonly scanDepth: ScanDepth,
  ) {
    if (scanDepth === 'full') this.content = contentHasher(kind)
    this.depth = member.name.split('/').length
  }

  push(chunk: Buffer): Promise<void> | undefined {
    // No copies: chunks are slices of fresh read or inflate buffers that nothing reuses.
    if (this.mode === 'undecided') {
      this.head.push(chunk)
      this.headBytes += chunk.length
      return this.headBytes >= 512 ? this.start() : undefined
    }
    this.content?.update(chunk)
    this.blob?.update(chunk)
    if (this.mode === 'doc') this.head.push(chunk)
    else if (this.mode === 'layer') return this.feed!.write(chunk)
    return undefined
  }

  private decide(start: Buffer): 'doc' | 'layer' | 'plain' {
    const kind = classify(this.member.name, this.member.size, start)
    if (kind !== 'layer' || this.scanDepth === 'outer') return kind === 'layer' ? 'plain' : kind
    const full = this.scanDepth === 'full'
    this.recorder = new EntryRecorder(full ? this.kind : null, this.budget)
    this.feed = new LayerFeed(sniffCompression(start), this.recorder, this.budget, `'${this.member.name}'`, full)
    return 'layer'
  }

  private start(): Promise<void> | undefined {
    const start = Buffer.concat(this.head)
    this.mode = this.decide(start)
    if (this.mode !== 'plain' && this.scanDepth === 'full') this.blob = createHash('sha256').update(start)
    this.content?.update(start)
    this.head = this.mode === 'doc' ? [start] : []
    return this.mode === 'layer' ? this.feed!.write(start) : undefined
  }

  contentDigest(): string | undefined {
    if (this.mode === 'undecided') {
      if (this.member.size > 0) void this.start()
      else if (this.scanDepth === 'full') this.blob = createHash('sha256')
    }
    this.contentText ??= this.content?.digest()
    return this.contentText
  }

  async finish(): Promise<ScannedMember> {
    const content = this.contentDigest()
    const result: ScannedMember = {...this.member, ...(content === undefined ? {} : {content})}
    if (this.blob) result.digest = 'sha256:' + this.blob.digest('hex')
    if (this.mode === 'doc') result.doc = Buffer.concat(this.head)
    if (this.mode === 'layer') result.layer = {...(await this.feed!.finish(result.digest ?? '')), files: this.recorder!.files}
    return result
  }
}
