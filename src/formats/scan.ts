import {createHash} from 'node:crypto'
import {HashingTap} from '../archive/hash.js'
import {type Compression, decompressor, sniffCompression} from '../archive/compression.js'
import {type OpenedArchive} from '../archive/open.js'
import {looksLikeTar, walkTar, type TarHeader, type TarEntryStream} from '../archive/tar.js'
import {createReadStream} from 'node:fs'
import {BadArchiveError, errorMessage} from '../errors.js'
import {fileEntryFromHeader} from '../image/file-entry.js'
import {type FileEntry} from '../image/model.js'
import {cleanName} from '../image/paths.js'
import {LayerFeed, type LayerScan} from './layer-scan.js'

/** A member of the outer archive, as far as the readers need to know it. */
export interface ScannedMember {
  /** Cleaned name without the leading slash, e.g. `abc/layer.tar`, `blobs/sha256/<hex>`. */
  name: string
  type: FileEntry['type']
  size: number
  /** sha256 of the stored bytes (regular files). */
  digest?: string
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
  /** sha256 and size of the plain (decompressed) tar: an export's diff_id when imported. */
  plainDigest: string
  plainSize: number
}

export interface ScanOptions {
  onProgress?: (rawBytes: number) => void
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
export async function scanArchive(archive: OpenedArchive, options: ScanOptions = {}): Promise<Scan> {
  const members = new Map<string, ScannedMember>()
  const rootfs: FileEntry[] = []
  const raw = createReadStream(archive.path, {highWaterMark: 1024 * 1024})
  if (options.onProgress) {
    let done = 0
    raw.on('data', (c) => options.onProgress!((done += c.length)))
  }
  const tap = new HashingTap()
  let seen = 0
  let lastName = ''
  const visit = async (header: TarHeader, body: TarEntryStream) => {
    seen++
    lastName = header.name
    const member = await scanMember(header, body)
    if (member) members.set(member.name, member)
    const entry = fileEntryFromHeader(header, member?.digest)
    if (entry) rootfs.push(entry)
  }
  try {
    const chain: Parameters<typeof walkTar>[0] =
      archive.compression === 'none' ? [raw, tap] : [raw, decompressor(archive.compression), tap]
    await walkTar(chain, visit)
  } catch (error) {
    throw new BadArchiveError(archive.path, describeTarFailure(error, seen, lastName, archive.compression))
  }
  if (seen === 0) throw new BadArchiveError(archive.path, 'is not a tar archive (no entries)')
  return {archive, members, rootfs, plainDigest: tap.digest(), plainSize: tap.bytes}
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

async function scanMember(header: TarHeader, body: TarEntryStream): Promise<ScannedMember | null> {
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
      return readFileMember(base, body)
    }

    default: {
      return null
    }
  }
}

async function readFileMember(member: ScannedMember, body: TarEntryStream): Promise<ScannedMember> {
  const hash = createHash('sha256')
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
      feed = new LayerFeed(compression)
      return 'layer'
    }
    return 'plain'
  }

  for await (const c of body) {
    const chunk = c as Buffer
    hash.update(chunk)
    if (mode === 'undecided') {
      head.push(chunk)
      headBytes += chunk.length
      if (headBytes < 512) continue
      mode = decide()
      if (mode === 'layer') await feed!.write(head[0])
      if (mode !== 'doc') head.length = 0
    } else if (mode === 'doc') {
      head.push(chunk)
    } else if (mode === 'layer') {
      await feed!.write(chunk)
    }
  }
  if (mode === 'undecided' && member.size > 0) {
    mode = decide()
    if (mode === 'layer') await feed!.write(head[0])
  }
  const result: ScannedMember = {...member, digest: 'sha256:' + hash.digest('hex')}
  if (mode === 'doc') result.doc = Buffer.concat(head)
  if (mode === 'layer') result.layer = await feed!.finish()
  return result
}
