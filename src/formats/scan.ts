import {createHash} from 'node:crypto'
import {type ContentHash, contentHasher, HashingTap} from '../archive/hash.js'
import {type Compression, decompressor, sniffCompression} from '../archive/compression.js'
import {type OpenedArchive} from '../archive/open.js'
import {looksLikeTar, walkTar, type TarHeader, type TarEntryStream} from '../archive/tar.js'
import {createReadStream} from 'node:fs'
import {type Readable, type Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {BadArchiveError, errorMessage, ImgdiffError} from '../errors.js'
import {fileEntryFromHeader} from '../image/file-entry.js'
import {type FileEntry} from '../image/model.js'
import {cleanName} from '../image/paths.js'
import {LayerFeed, type LayerScan} from './layer-scan.js'
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
  /** Byte offset of the member's header in the plain tar. */
  offset: number
}

export interface Scan {
  archive: OpenedArchive
  members: Map<string, ScannedMember>
  /** Every member as a file of a root filesystem: what the archive is if it is an export. */
  rootfs: FileEntry[]
  /**
   * sha256 of the plain (decompressed) tar: an export's diff_id when imported. Null when the
   * archive began like an image archive, where it is never needed (see `looksLikeImageMember`).
   */
  plainDigest: string | null
  plainSize: number
}

export interface ScanOptions {
  onProgress?: (rawBytes: number) => void
  contentHash?: ContentHash
}

/** Documents larger than this are not metadata; a config or manifest is a few KB. */
export const DOC_CAP = 16 * 1024 * 1024
/** Layers and metadata sit at most this deep (`blobs/sha256/<hex>`); rootfs files deeper are not sniffed. */
const MAX_LAYER_DEPTH = 3
const KNOWN_DOCS = new Set(['manifest.json', 'index.json', 'repositories', 'oci-layout'])

/**
 * The one pass over an archive. Every member is hashed; small JSON documents are kept; any member
 * that looks like a (compressed) tar near the top is walked as a layer while the bytes go by. The
 * manifest usually comes last, so nothing here depends on knowing which members are layers.
 */
/** sha256 of an archive's plain tar bytes: a second pass, for the rare export that began like an image. */
export async function plainDigestOf(archive: OpenedArchive): Promise<string> {
  const tap = new HashingTap()
  const raw = createReadStream(archive.path, {highWaterMark: 1024 * 1024})
  const chain = archive.compression === 'none' ? [raw, tap] : [raw, decompressor(archive.compression), tap]
  tap.resume()
  await pipeline(chain as unknown as [Readable, Writable])
  return tap.digest()
}

export async function scanArchive(archive: OpenedArchive, options: ScanOptions = {}): Promise<Scan> {
  const members = new Map<string, ScannedMember>()
  const rootfs: FileEntry[] = []
  const raw = createReadStream(archive.path, {highWaterMark: 1024 * 1024})
  let rawBytes = 0
  raw.on('data', (c) => {
    rawBytes += c.length
    options.onProgress?.(rawBytes)
  })
  const budget = new Budget(archive.path)
  const tap = new HashingTap()
  if (archive.compression !== 'none') tap.guard = (plain) => budget.expansion(plain, rawBytes, `the ${archive.compression}-compressed archive`)
  const kind = options.contentHash ?? 'xxh3'
  let seen = 0
  let lastName = ''
  let hashPlain = true
  const visit = async (header: TarHeader, body: TarEntryStream) => {
    if (seen === 0 && looksLikeImageMember(header.name)) hashPlain = false
    seen++
    lastName = header.name
    const member = await scanMember(header, body, kind, budget)
    if (member) members.set(member.name, member)
    const entry = fileEntryFromHeader(header, member?.content)
    if (entry) {
      budget.file()
      rootfs.push(entry)
    }
  }
  try {
    const chain: Parameters<typeof walkTar>[0] =
      archive.compression === 'none' ? [raw, tap] : [raw, decompressor(archive.compression), tap]
    tap.skipHash = () => !hashPlain
    await walkTar(chain, visit)
  } catch (error) {
    if (error instanceof ImgdiffError) throw error
    throw new BadArchiveError(archive.path, describeTarFailure(error, seen, lastName, archive.compression))
  }
  if (seen === 0) throw new BadArchiveError(archive.path, 'is not a tar archive (no entries)')
  return {archive, members, rootfs, plainDigest: hashPlain ? tap.digest() : null, plainSize: tap.bytes}
}

/**
 * Every docker save and OCI archive starts with one of these; a root filesystem practically never
 * does. Only used to skip hashing the whole tar when that hash cannot be needed.
 */
function looksLikeImageMember(name: string): boolean {
  return /^(\.\/)?([0-9a-f]{64}(\/|\.json$|\.tar$)|blobs\/|oci-layout$|index\.json$|manifest\.json$|repositories$)/.test(name)
}

function describeTarFailure(error: unknown, seen: number, lastName: string, compression: Compression): string {
  const msg = errorMessage(error)
  if (seen === 0 && /invalid tar header|not a tar|unexpected end/i.test(msg)) {
    return compression === 'none' ? 'is not a tar archive' : `is ${compression}-compressed but what it holds is not a tar archive`
  }
  if (/unexpected end|premature|truncated|end of file/i.test(msg)) {
    return `is truncated (the archive ends inside${lastName ? ` '${lastName}'` : ' the first entry'})`
  }
  return `is corrupted after ${seen} entries${lastName ? ` (last: '${lastName}')` : ''}: ${msg}`
}

async function scanMember(header: TarHeader, body: TarEntryStream, kind: ContentHash, budget: Budget): Promise<ScannedMember | null> {
  const name = cleanName(header.name)
  if (name.hostile || name.path === '/') return null
  const base: ScannedMember = {
    name: name.path.slice(1),
    type: 'file',
    size: header.size,
    offset: body.offset,
  }
  switch (header.type) {
    case 'directory': {
      return {...base, type: 'dir', size: 0}
    }

    case 'symlink': {
      return {...base, type: 'symlink', size: 0, linkTarget: header.linkname ?? ''}
    }

    case 'link': {
      return {...base, type: 'hardlink', size: 0, linkTarget: cleanName(header.linkname ?? '').path.slice(1)}
    }

    case 'file':
    case 'contiguous-file': {
      return readFileMember(base, body, kind, budget)
    }

    default: {
      return null
    }
  }
}

async function readFileMember(member: ScannedMember, body: TarEntryStream, kind: ContentHash, budget: Budget): Promise<ScannedMember> {
  const content = contentHasher(kind)
  // sha256 only for what can be a blob; a rootfs file needs just the content hash.
  let blob: ReturnType<typeof createHash> | undefined
  const depth = member.name.split('/').length
  const head: Buffer[] = []
  let headBytes = 0
  let mode: 'undecided' | 'doc' | 'layer' | 'plain' = 'undecided'
  let feed: LayerFeed | undefined

  const decide = () => {
    const start = Buffer.concat(head)
    head.length = 0
    head.push(start)
    if (depth > MAX_LAYER_DEPTH) return 'plain'
    const first = start.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)
    const base = member.name.slice(member.name.lastIndexOf('/') + 1)
    const isDoc = KNOWN_DOCS.has(member.name) || base === 'json' || base === 'VERSION' || first === 0x7b || first === 0x5b
    if (isDoc && member.size <= DOC_CAP) return 'doc'
    const compression = sniffCompression(start)
    if (compression !== 'none' || looksLikeTar(start)) {
      feed = new LayerFeed(compression, kind, budget, `'${member.name}'`)
      return 'layer'
    }
    return 'plain'
  }
  const start = async () => {
    mode = decide()
    if (mode !== 'plain') blob = createHash('sha256').update(head[0])
    content.update(head[0])
    if (mode === 'layer') await feed!.write(head[0])
    if (mode !== 'doc') head.length = 0
  }

  for await (const c of body) {
    const chunk = c as Buffer
    if (mode === 'undecided') {
      head.push(chunk)
      headBytes += chunk.length
      if (headBytes >= 512) await start()
      continue
    }
    content.update(chunk)
    blob?.update(chunk)
    if (mode === 'doc') head.push(chunk)
    else if (mode === 'layer') await feed!.write(chunk)
  }
  if (mode === 'undecided') {
    if (member.size > 0) await start()
    else blob = createHash('sha256')
  }
  const result: ScannedMember = {...member, content: content.digest()}
  if (blob) result.digest = 'sha256:' + blob.digest('hex')
  const decided = mode as 'undecided' | 'doc' | 'layer' | 'plain'
  if (decided === 'doc') result.doc = Buffer.concat(head)
  if (decided === 'layer') result.layer = await feed!.finish(result.digest!)
  return result
}
