import picomatch from 'picomatch'
import {type FlatEntry, type FlatFs} from '../image/flatten.js'
import {changedFields, type ChangeField, type FileMeta, metaOf, type XattrScope} from './file-meta.js'
import {isRuntimeChange} from './runtime-files.js'

/**
 * The layer a change comes from: for an added or modified path, the layer of B (else of A) that
 * wrote what it is; for a removed one, the layer of B that deleted it (whiteout or replacement),
 * else the layer of A that wrote it. `number` is 1-based, oldest first, as `inspect` lists layers.
 */
export interface ChangeLayer {
  side: 'a' | 'b'
  number: number
  diffId: string
  /** The layer deleted the path (rather than wrote it). */
  deleted: boolean
}

export interface FileChange {
  path: string
  change: 'added' | 'removed' | 'modified'
  /** For a modified path, what changed (minus --ignore'd fields). */
  fields: ChangeField[]
  /** Only there because a container ran (see runtime-files.ts). */
  runtime: boolean
  layer: ChangeLayer | null
  a: FileMeta | null
  b: FileMeta | null
}

export interface FileDiffOptions {
  ignore: ReadonlySet<string>
  /** Globs on the absolute path; empty means every path. */
  paths: string[]
  /** Classify runtime files (one side is, or was made from, a container export). */
  runtime: boolean
  /** Each side's layer diff_ids, oldest first; null for a container export (its one tar is no layer worth naming). */
  layers: {a: string[] | null; b: string[] | null}
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
    const change = compareOne(path, a, b, options)
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

function compareOne(path: string, fsA: FlatFs, fsB: FlatFs, options: FileDiffOptions): FileChange | null {
  const x = fsA.get(path)
  const y = fsB.get(path)
  let change: FileChange['change']
  let fields: ChangeField[] = []
  if (x && y) {
    fields = changedFields(x, y, options.ignore, options.xattrs)
    if (fields.length === 0) return null
    change = 'modified'
  } else {
    change = x ? 'removed' : 'added'
  }
  return {
    path,
    change,
    fields,
    runtime: options.runtime && isRuntimeChange(path, change, fields),
    layer: layerOf(path, x, y, fsB, options),
    a: x ? metaOf(x, options.layers.a !== null) : null,
    b: y ? metaOf(y, options.layers.b !== null) : null,
  }
}

function layerOf(path: string, x: FlatEntry | undefined, y: FlatEntry | undefined, fsB: FlatFs, options: FileDiffOptions): ChangeLayer | null {
  const {a, b} = options.layers
  const at = (side: 'a' | 'b', ids: string[], index: number, deleted: boolean): ChangeLayer | null => (index >= 0 && index < ids.length ? {side, number: index + 1, diffId: ids[index], deleted} : null)
  if (y) return b ? at('b', b, y.layer, false) : a && x ? at('a', a, x.layer, false) : null
  const removedIn = fsB.removedIn(path)
  if (b && removedIn !== undefined) return at('b', b, removedIn, true)
  return a && x ? at('a', a, x.layer, false) : null
}
