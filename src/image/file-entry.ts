import {type MemberHeader} from '../archive/member-header.js'
import {type FileEntry, type FileType} from './model.js'

export type {MemberHeader} from '../archive/member-header.js'
import {baseName, cleanName, parentOf} from './paths.js'


const TYPES: Record<string, FileType> = {
  file: 'file',
  'contiguous-file': 'file',
  link: 'hardlink',
  symlink: 'symlink',
  directory: 'dir',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
}

const WHITEOUT = '.wh.'
const OPAQUE = '.wh..wh..opq'
/** AUFS bookkeeping (`.wh..wh.plnk`, `.wh..wh.aufs`, `.wh..wh.orph`): never part of the filesystem. */
const AUFS_META = '.wh..wh.'

/**
 * Turn a tar header into a FileEntry, or null for members that are not files of the image
 * (AUFS metadata, pax/gnu bookkeeping that tar-stream already folded in).
 */
export function fileEntryFromHeader(h: MemberHeader, digest?: string): FileEntry | null {
  const type = TYPES[h.type]
  if (!type) return null
  const name = cleanName(h.name)
  if (name.path === '/') return null
  // Everything under an AUFS bookkeeping directory (`.wh..wh.plnk/...`) is bookkeeping too.
  if (name.path.split('/').some((part, i, all) => part.startsWith(AUFS_META) && part !== OPAQUE && i < all.length - 1)) return null
  const entry: FileEntry = {
    path: name.path,
    type,
    mode: h.mode & 0o7777,
    uid: h.uid,
    gid: h.gid,
    size: type === 'file' ? h.size : 0,
    mtime: Math.floor((h.mtime instanceof Date ? h.mtime.getTime() : h.mtime * 1000) / 1000),
  }
  if (name.hostile) {
    entry.hostile = name.hostile
    return entry
  }
  if (digest !== undefined) entry.digest = digest
  if (type === 'char' || type === 'block') {
    entry.devmajor = h.devmajor ?? 0
    entry.devminor = h.devminor ?? 0
  }
  if (type === 'symlink') entry.linkTarget = h.linkname ?? ''
  if (type === 'hardlink') {
    const target = cleanName(h.linkname ?? '')
    if (target.hostile) entry.hostile = `hard link ${name.path} -> ${target.hostile}`
    entry.linkTarget = target.path
  }
  const base = baseName(name.path)
  if (base.startsWith(WHITEOUT)) {
    if (base === OPAQUE) {
      entry.whiteout = 'opaque'
      entry.path = parentOf(name.path)
    } else if (base.startsWith(AUFS_META)) {
      return null
    } else {
      entry.whiteout = 'delete'
      const dir = parentOf(name.path)
      entry.path = (dir === '/' ? '' : dir) + '/' + base.slice(WHITEOUT.length)
    }
  }
  return entry
}
