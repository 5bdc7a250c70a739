import {type FlatEntry} from '../image/flatten.js'

/** What the diff reports about one side of a path (the JSON `a` / `b` of a file change). */
export interface FileMeta {
  type: FlatEntry['type']
  size: number
  /** Permission, set-id and sticky bits, in octal (`0644`). */
  mode: string
  uid: number
  gid: number
  /** Seconds since the epoch; null where Docker stamps the time of unpacking (no offline tool can know it). */
  mtime: number | null
  linkTarget?: string
  digest?: string
  /** Extended attributes: name -> value in hex. */
  xattrs?: Record<string, string>
  /** Hard links: how many paths share this file. */
  links?: number
  /** The layer (1-based, oldest first) that last wrote it, for images. */
  layer?: number
}

export type ChangeField = 'type' | 'content' | 'size' | 'mode' | 'uid' | 'gid' | 'mtime' | 'link' | 'device' | 'xattrs'

export const IGNORABLE: ChangeField[] = ['mtime', 'uid', 'gid', 'mode', 'size', 'content', 'link', 'type', 'xattrs']

/**
 * The extended attributes a comparison looks at. `docker export` keeps only security.capability, so
 * when a side is an export that is all either side can be held to; two images keep them all.
 */
export type XattrScope = 'all' | 'exportable'
const EXPORTABLE = 'security.capability'

export function metaOf(e: FlatEntry, withLayer: boolean): FileMeta {
  const meta: FileMeta = {type: e.type, size: e.size, mode: e.mode.toString(8).padStart(4, '0'), uid: e.uid, gid: e.gid, mtime: e.mtime}
  if (e.target !== undefined) meta.linkTarget = e.target
  if (e.digest !== undefined) meta.digest = e.digest
  if (e.xattrs && Object.keys(e.xattrs).length > 0) meta.xattrs = e.xattrs
  if (Array.isArray(e.names) && e.names.length > 1) meta.links = e.names.length
  if (withLayer) meta.layer = e.layer + 1
  return meta
}

function xattrsOf(e: FlatEntry, scope: XattrScope): string {
  if (!e.xattrs) return ''
  const keys = Object.keys(e.xattrs).filter((k) => scope === 'all' || k === EXPORTABLE).sort()
  return keys.map((k) => `${k}=${e.xattrs![k]}`).join('\n')
}

/** Which fields differ between two entries at the same path, minus the ignored ones. */
export function changedFields(a: FlatEntry, b: FlatEntry, ignore: ReadonlySet<string>, scope: XattrScope = 'all'): ChangeField[] {
  const fields: ChangeField[] = []
  if (a.type !== b.type) {
    fields.push('type')
  } else {
    if (a.type === 'file' && a.digest !== b.digest) fields.push('content')
    if (a.size !== b.size) fields.push('size')
    if (a.type === 'symlink' && a.target !== b.target) fields.push('link')
    if ((a.type === 'char' || a.type === 'block') && (a.devmajor !== b.devmajor || a.devminor !== b.devminor)) fields.push('device')
  }
  if (a.mode !== b.mode) fields.push('mode')
  if (a.uid !== b.uid) fields.push('uid')
  if (a.gid !== b.gid) fields.push('gid')
  // The time of unpacking cannot be known offline: it is never a change.
  if (a.mtime !== null && b.mtime !== null && a.mtime !== b.mtime) fields.push('mtime')
  if ((a.xattrs || b.xattrs) && xattrsOf(a, scope) !== xattrsOf(b, scope)) fields.push('xattrs')
  return fields.filter((f) => !ignore.has(f))
}
