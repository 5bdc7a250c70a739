import {type FileEntry} from '../image/model.js'

/** What the diff reports about one side of a path (the JSON `meta`). */
export interface FileMeta {
  type: FileEntry['type']
  size: number
  mode: string
  uid: number
  gid: number
  mtime: number
  linkTarget?: string
  digest?: string
  /** Index (oldest first) of the layer that last wrote it, for images. */
  layer?: number
}

export type ChangeField = 'type' | 'content' | 'size' | 'mode' | 'uid' | 'gid' | 'mtime' | 'link' | 'device'

export const IGNORABLE: ChangeField[] = ['mtime', 'uid', 'gid', 'mode', 'size', 'content', 'link', 'type']

export function metaOf(e: FileEntry & {layer?: number}, withLayer: boolean): FileMeta {
  const meta: FileMeta = {type: e.type, size: e.size, mode: e.mode.toString(8).padStart(4, '0'), uid: e.uid, gid: e.gid, mtime: e.mtime}
  if (e.linkTarget !== undefined) meta.linkTarget = e.linkTarget
  if (e.digest !== undefined) meta.digest = e.digest
  if (withLayer && e.layer !== undefined) meta.layer = e.layer
  return meta
}

/** A hard link is a regular file that shares its data: compare it as one. */
function kind(e: FileEntry): string {
  return e.type === 'hardlink' ? 'file' : e.type
}

/** Which fields differ between two entries at the same path, minus the ignored ones. */
export function changedFields(a: FileEntry, b: FileEntry, ignore: ReadonlySet<string>): ChangeField[] {
  const fields: ChangeField[] = []
  if (kind(a) !== kind(b)) {
    fields.push('type')
  } else {
    if (kind(a) === 'file' && a.digest !== b.digest) fields.push('content')
    if (a.size !== b.size) fields.push('size')
    if (a.type === 'symlink' && a.linkTarget !== b.linkTarget) fields.push('link')
    if ((a.type === 'char' || a.type === 'block') && (a.devmajor !== b.devmajor || a.devminor !== b.devminor)) fields.push('device')
  }
  if (a.mode !== b.mode) fields.push('mode')
  if (a.uid !== b.uid) fields.push('uid')
  if (a.gid !== b.gid) fields.push('gid')
  if (a.mtime !== b.mtime) fields.push('mtime')
  return fields.filter((f) => !ignore.has(f))
}
