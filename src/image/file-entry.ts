import {type TarMember} from '../archive/tar-member.js'
import {type FileEntry, type FileType} from './model.js'
import {baseName, goClean, landingPath, plainLanding} from './paths.js'

export type {TarMember} from '../archive/tar-member.js'

const TYPES: Record<string, FileType> = {
  '0': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
}

/** Root-level names starting so are AUFS bookkeeping (`.wh..wh.plnk`, `.wh..wh.aufs`, `.wh..wh.orph`). */
const AUFS_META = '.wh..wh.'

/**
 * A layer member as Docker's unpacking sees it: where it lands, what it is, and whether it is
 * AUFS bookkeeping. Whiteout markers keep their own path (`/a/.wh.x`); the unpacker reads them.
 */
export function fileEntryFromMember(m: TarMember, digest?: string): FileEntry {
  const type: FileEntry['type'] = (TYPES[m.typeflag] as FileType | undefined) ?? (m.typeflag === 'g' ? 'global' : 'other')
  const fast = plainLanding(m.name)
  const path = fast ?? landingPath(m.name)
  const mode = m.mode & 0o7777
  // A regular file's fields in the literal: fields added later take a second allocation per entry.
  const entry: FileEntry =
    type === 'file'
      ? {path, type, mode, uid: m.uid, gid: m.gid, size: m.size, mtime: m.mtime, digest, offset: m.dataOffset}
      : {path, type, mode, uid: m.uid, gid: m.gid, size: 0, mtime: m.mtime}
  if (fast === null) {
    // Docker's own (relative) clean name: AUFS checks and duplicate detection use it.
    const clean = goClean(m.name)
    if (clean !== entry.path.slice(1)) entry.name = clean
    if (clean.startsWith(AUFS_META)) entry.aufs = true
  }
  if (type === 'other') entry.typeflag = m.typeflag
  if (type === 'char' || type === 'block') {
    entry.devmajor = m.devmajor
    entry.devminor = m.devminor
  }
  if (type === 'symlink' || type === 'hardlink') entry.linkTarget = m.linkname
  if (m.xattrs) entry.xattrs = m.xattrs
  if (type === 'file' && m.sparse) entry.sparse = m.sparse
  return entry
}

/** Docker's clean name of an entry (what its duplicate check compares). */
export function cleanNameOf(entry: FileEntry): string {
  return entry.name ?? entry.path.slice(1)
}

/** An unusual name, said the way Docker treats it (for warnings); null for ordinary names. */
export function unusualName(entry: FileEntry): string | null {
  if (entry.name === undefined || entry.name === '.') return null
  if (entry.name.startsWith('/')) return `'${entry.name}' is an absolute name (Docker puts it at ${entry.path})`
  if (entry.name === '..' || entry.name.startsWith('../')) return `'${entry.name}' climbs out of the root (Docker puts it at ${entry.path})`
  return null
}

/** A whiteout marker (`.wh.<name>` deletes, `.wh..wh..opq` empties its directory), or null. */
export function whiteoutOf(entry: FileEntry): 'delete' | 'opaque' | null {
  if (entry.aufs && cleanNameOf(entry) !== '.wh..wh..opq') return null
  const base = baseName(entry.path)
  if (!base.startsWith('.wh.')) return null
  return base === '.wh..wh..opq' ? 'opaque' : 'delete'
}
