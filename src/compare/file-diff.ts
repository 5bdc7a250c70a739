import picomatch from 'picomatch'
import {type FlatEntry, type FlatFs} from '../image/flatten.js'
import {changedFields, type ChangeField, type FileMeta, metaOf, type XattrScope} from './file-meta.js'
import {isRuntimeChange} from './runtime-files.js'

export interface FileChange {
  path: string
  change: 'added' | 'removed' | 'modified'
  fields: ChangeField[]
  /** Only there because a container ran (see runtime-files.ts). */
  runtime: boolean
  /** Index (oldest first) of the image-side layer that last wrote the path, or null. */
  layer: number | null
  a: FileMeta | null
  b: FileMeta | null
}

export interface FileDiffOptions {
  ignore: ReadonlySet<string>
  /** Globs on the absolute path; empty means every path. */
  paths: string[]
  /** Classify runtime files (one side is, or was made from, a container export). */
  runtime: boolean
  /** Which side's layer numbers to report: the image side, B first. */
  layerSide: 'a' | 'b' | null
  /** Which sides are images (an export's single tar is no layer worth naming). */
  images: {a: boolean; b: boolean}
  /** Which extended attributes count (an export keeps only security.capability). */
  xattrs: XattrScope
}

export function pathFilter(globs: string[]): (path: string) => boolean {
  if (globs.length === 0) return () => true
  const matchers = globs.map((g) => picomatch(g.startsWith('/') || g.startsWith('*') ? g : '/' + g, {dot: true}))
  // A glob naming a directory also selects what is under it.
  return (path) => matchers.some((m) => m(path) || m(path.replace(/\/[^/]*$/, '')) || prefixMatch(globs, path))
}

function prefixMatch(globs: string[], path: string): boolean {
  return globs.some((g) => !/[*?[{]/.test(g) && path.startsWith((g.startsWith('/') ? g : '/' + g).replace(/\/$/, '') + '/'))
}

/** Every path that differs between two flattened filesystems, in path order. */
export function diffFiles(a: FlatFs, b: FlatFs, options: FileDiffOptions): FileChange[] {
  const wanted = pathFilter(options.paths)
  const paths = new Set<string>([...a.entries.keys(), ...b.entries.keys()])
  const changes: FileChange[] = []
  for (const path of [...paths].sort()) {
    if (!wanted(path)) continue
    const change = compareOne(path, a.get(path), b.get(path), options)
    if (change) changes.push(change)
  }
  return changes
}

/** How many non-runtime paths differ: the cheap form used to find the step an export matches. */
export function countDifferences(a: FlatFs, b: FlatFs, options: FileDiffOptions): number {
  let n = 0
  for (const [path, x] of a.entries) if (differs(path, x, b.get(path), options)) n++
  for (const [path, y] of b.entries) if (!a.entries.has(path) && differs(path, undefined, y, options)) n++
  return n
}

/** Whether one path counts as a (non-runtime) difference. */
export function differs(path: string, x: FlatEntry | undefined, y: FlatEntry | undefined, options: FileDiffOptions): boolean {
  if (!x && !y) return false
  if (x && y) {
    const fields = changedFields(x, y, options.ignore, options.xattrs)
    return fields.length > 0 && !(options.runtime && isRuntimeChange(path, 'modified', fields))
  }
  return !(options.runtime && isRuntimeChange(path, x ? 'removed' : 'added', []))
}

function compareOne(path: string, x: FlatEntry | undefined, y: FlatEntry | undefined, options: FileDiffOptions): FileChange | null {
  let change: FileChange['change']
  let fields: ChangeField[] = []
  if (x && y) {
    fields = changedFields(x, y, options.ignore, options.xattrs)
    if (fields.length === 0) return null
    change = 'modified'
  } else {
    change = x ? 'removed' : 'added'
  }
  const imageSide = options.layerSide === 'b' ? y : options.layerSide === 'a' ? x : undefined
  return {
    path,
    change,
    fields,
    runtime: options.runtime && isRuntimeChange(path, change, fields),
    layer: imageSide ? imageSide.layer : null,
    a: x ? metaOf(x, options.images.a) : null,
    b: y ? metaOf(y, options.images.b) : null,
  }
}
