import {sniffCompression} from '../archive/compression.js'
import {type TarMember} from '../archive/tar-member.js'
import {looksLikeTar} from '../archive/tar-reader.js'
import {landingPath} from '../image/paths.js'
import {type ScannedMember} from './scan.js'

/** Documents larger than this are not metadata; a config or manifest is a few KB. */
export const DOC_CAP = 16 * 1024 * 1024
/** Layers and metadata sit at most this deep (`blobs/sha256/<hex>`); rootfs files deeper are not sniffed. */
const MAX_LAYER_DEPTH = 3
const KNOWN_DOCS = new Set(['manifest.json', 'index.json', 'repositories', 'oci-layout'])

/**
 * What a regular member of an image archive is, from its name, size and first bytes: a document
 * to keep (JSON, VERSION), a layer to walk (a tar, compressed or not, near the top), or neither.
 */
export function classify(name: string, size: number, start: Buffer): 'doc' | 'layer' | 'plain' {
  if (tooDeep(name)) return 'plain'
  const first = start.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)
  const base = name.slice(name.lastIndexOf('/') + 1)
  const isDoc = KNOWN_DOCS.has(name) || base === 'json' || base === 'VERSION' || first === 0x7b || first === 0x5b
  if (isDoc && size <= DOC_CAP) return 'doc'
  return sniffCompression(start) !== 'none' || looksLikeTar(start) ? 'layer' : 'plain'
}

/** A member this deep is never a layer or a document: its first bytes need not be read. */
export function tooDeep(name: string): boolean {
  // Counted, not split: this runs for every member of an export.
  let slashes = 0
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) if (++slashes >= MAX_LAYER_DEPTH) return true
  return false
}

/** A member that is not a regular file: a directory or link is kept (a layout may link its blobs); the rest are not wanted. */
export function recordOther(members: Map<string, ScannedMember>, base: ScannedMember, m: TarMember): void {
  if (m.typeflag === '5') members.set(base.name, {...base, type: 'dir', size: 0})
  else if (m.typeflag === '2') members.set(base.name, {...base, type: 'symlink', size: 0, linkTarget: m.linkname})
  else if (m.typeflag === '1') members.set(base.name, {...base, type: 'hardlink', size: 0, linkTarget: landingPath(m.linkname).slice(1)})
}
