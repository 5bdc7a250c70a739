import {whiteoutOf} from '../image/file-entry.js'
import {FlatFs, type FlatEntry} from '../image/flatten.js'
import {memberKey} from '../image/fs-tree.js'
import {layerOfStep} from '../image/history.js'
import {type Image} from '../image/model.js'
import {diveEfficiency} from './dive-efficiency.js'

/**
 * How well an image's layers use their bytes, two ways:
 * - `dive`: dive v0.12's figures (efficiency score, wasted bytes, user wasted percent, inefficient
 *   paths), computed as dive computes them (dive-efficiency.ts), for pipelines that gate on them;
 * - `hidden`: imgdiff's exact figure: content bytes stored in the layers that the final
 *   filesystem does not show (overwritten or deleted by a later layer), per layer and per path,
 *   from the layers applied as Docker applies them (FlatFs).
 * `layers` says, per layer, what it added, changed and removed (the dive view of the report).
 *
 * API (plain data, JSON as it is):
 *   efficiencyOf(image): Efficiency
 *   measureEfficiency(image, {changes?}): {efficiency, fs, changes}   the same, with the final
 *                                                filesystem it built and (asked for) every path each layer changed
 *   diveExportJson(efficiency): string           the document `dive --json FILE` writes (v0.12)
 *   userWastedRatio(dive): number                wasted / user bytes with dive's NaN and +Inf
 */
export interface Efficiency {
  dive: DiveEfficiency
  hidden: HiddenBytes
  layers: LayerChanges[]
}

export interface DiveEfficiency {
  /** dive's "efficiency score", 0..1 (1: no path in more than one layer). */
  efficiency: number
  /** Sum of the layers' sizes as dive counts them (tar header sizes). */
  sizeBytes: number
  /** The same without the first layer (dive's "user" bytes: everything after the base layer). */
  userSizeBytes: number
  /** Sum of the total bytes of the inefficient paths, every copy included (dive's "wasted bytes"). */
  wastedBytes: number
  /**
   * wastedBytes / userSizeBytes (a ratio: 0.25 is 25 %). Null where dive divides by zero (no user
   * bytes): dive then has NaN (nothing wasted either; its CI rule passes) or +Inf (fails).
   */
  wastedUserPercent: number | null
  /** Paths that are leaves in two or more layers: copies seen and their total bytes, as dive lists them (largest first). */
  inefficientPaths: Array<{path: string; count: number; bytes: number}>
  /** dive's layer list (what `dive --json` exports per layer). */
  layers: Array<{index: number; id: string; digestId: string; sizeBytes: number; command: string}>
}

export interface HiddenBytes {
  /** Content bytes of every regular file stored in the layers. */
  storedBytes: number
  /** Content bytes the final filesystem shows (a hard-linked file once). */
  visibleBytes: number
  /** Content bytes stored but not visible (storedBytes - visibleBytes, unless AUFS links copy a file). */
  bytes: number
  /** Stored files (with content) that are not visible. */
  files: number
  /** Per path, largest first. */
  paths: HiddenPath[]
}

export interface HiddenPath {
  path: string
  /** Bytes of the hidden copies of this path. */
  bytes: number
  /** Hidden copies, and the layers (index, oldest first) that stored them. */
  copies: number
  layers: number[]
  /**
   * deleted: nothing is at this path in the end; duplicate: the final file there has the same
   * content (a later layer stored it again for a chmod, chown, touch or re-copy); overwritten: other content.
   */
  why: 'deleted' | 'duplicate' | 'overwritten'
}

export interface ChangeCount {
  files: number
  bytes: number
}

export interface LayerChanges {
  index: number
  diffId: string | null
  /** The history step that made the layer (1-based, as `imgdiff inspect` numbers them), and its command. */
  step: number | null
  createdBy: string | null
  /** Members of the layer tar, and content bytes of its regular files. */
  members: number
  contentBytes: number
  /** Paths this layer created, replaced or changed, and removed (whiteouts, with everything under them). */
  added: ChangeCount
  changed: ChangeCount
  removed: ChangeCount
  /** This layer's content bytes that the final filesystem does not show. */
  hidden: ChangeCount
}

/** One path one layer changed (what dive's layer view lists), for the report's table. */
export interface LayerPathChange {
  /** Layer index, oldest first. */
  layer: number
  path: string
  change: 'added' | 'changed' | 'removed'
  type: FlatEntry['type']
  /** Content bytes (regular files): what the layer stored, or for a removal what went. */
  size: number
  /** What this layer stored there is not visible in the final filesystem. */
  hidden: boolean
}

export function efficiencyOf(image: Image): Efficiency {
  return measureEfficiency(image).efficiency
}

export function measureEfficiency(image: Image, options: {changes?: boolean} = {}): {efficiency: Efficiency; fs: FlatFs; changes: LayerPathChange[]} {
  const changes: Array<LayerPathChange & {source?: number}> = []
  const {fs, layers} = applyCounting(image, options.changes ? changes : null)
  const {hidden, shown} = hiddenBytes(image, fs, layers)
  for (const c of changes) {
    if (c.source !== undefined) c.hidden = !shown.has(c.source)
    delete c.source
  }
  return {efficiency: {dive: diveFigures(image), hidden, layers}, fs, changes}
}

/** wasted / user bytes as dive divides them: NaN for 0/0, +Inf for x/0. */
export function userWastedRatio(dive: Pick<DiveEfficiency, 'wastedBytes' | 'userSizeBytes'>): number {
  return dive.wastedBytes / dive.userSizeBytes
}

function diveFigures(image: Image): DiveEfficiency {
  const figures = diveEfficiency(image.layers)
  const sizeBytes = figures.layerSizes.reduce((a, b) => a + b, 0)
  const userSizeBytes = sizeBytes - (figures.layerSizes[0] ?? 0)
  const wastedBytes = figures.inefficient.reduce((n, p) => n + p.bytes, 0)
  const ratio = wastedBytes / userSizeBytes
  // dive pairs the k-th layer with the k-th history entry that is not empty_layer.
  const withLayers = image.history.filter((h) => !h.emptyLayer)
  const layers = image.layers.map((l, i) => {
    const h = withLayers[i]
    return {
      index: i,
      id: (l.member ?? '').split('/')[0],
      digestId: h ? (l.diffId ?? '') : '',
      sizeBytes: figures.layerSizes[i],
      command: h ? (h.createdBy ?? '').replace(/^\/bin\/sh -c /, '') : '(missing)',
    }
  })
  return {
    efficiency: figures.efficiency,
    sizeBytes,
    userSizeBytes,
    wastedBytes,
    wastedUserPercent: Number.isFinite(ratio) ? ratio : null,
    inefficientPaths: figures.inefficient,
    layers,
  }
}

/** The layers applied one by one, counting what each adds, changes and removes. */
function applyCounting(image: Image, rows: Array<LayerPathChange & {source?: number}> | null): {fs: FlatFs; layers: LayerChanges[]} {
  const fs = new FlatFs()
  const stepOf = new Map<number, number>()
  layerOfStep(image.history, image.layers.length).forEach((layer, step) => {
    if (layer !== null) stepOf.set(layer, step)
  })
  const layers = image.layers.map((layer, i) => {
    const written = new Set<string>()
    let contentBytes = 0
    for (const e of layer.files) {
      if (e.type === 'file') contentBytes += e.size
      if (layer.markers === false || whiteoutOf(e) === null) written.add(e.path)
    }
    // What each path the layer touches held before it (the inode, whose type and size never change
    // in place: no copy of it), the first time the tree says it is about to change.
    const touched = new Map<string, FlatEntry | undefined>()
    fs.beforeChange = (path, node) => {
      if (!touched.has(path)) touched.set(path, node)
    }
    fs.apply(layer, i)
    const added = {files: 0, bytes: 0}
    const changed = {files: 0, bytes: 0}
    const removed = {files: 0, bytes: 0}
    const count = (c: ChangeCount, node: FlatEntry, path: string, change: LayerPathChange['change']) => {
      c.files++
      const size = node.type === 'file' ? node.size : 0
      c.bytes += size
      if (!rows) return
      // Whether what this layer stored is still seen is known once every layer is applied.
      const source = change !== 'removed' && node.sourceLayer === i ? memberKey(i, node.sourceIndex!) : undefined
      rows.push({layer: i, path, change, type: node.type, size, hidden: false, source})
    }
    for (const [path, before] of touched) {
      const after = fs.get(path)
      if (!before && after) count(added, after, path, 'added')
      else if (before && !after) count(removed, before, path, 'removed')
      // A directory whose time changed because something under it did is no change of its own.
      else if (before && after && written.has(path)) count(changed, after, path, 'changed')
    }
    const step = stepOf.get(i)
    const h = step === undefined ? undefined : image.history[step]
    return {
      index: i,
      diffId: layer.diffId,
      step: step === undefined ? null : step + 1,
      createdBy: h?.createdBy ?? h?.comment ?? null,
      members: layer.files.length,
      contentBytes,
      added,
      changed,
      removed,
      hidden: {files: 0, bytes: 0},
    }
  })
  fs.beforeChange = undefined
  return {fs, layers}
}

/** Which stored files the final filesystem does not show: a file shows when an inode holds its member's content. */
function hiddenBytes(image: Image, fs: FlatFs, layers: LayerChanges[]): {hidden: HiddenBytes; shown: Set<number>} {
  const shown = new Set<number>()
  let visibleBytes = 0
  for (const node of new Set(fs.entries.values())) {
    if (node.type !== 'file') continue
    visibleBytes += node.size
    if (node.sourceLayer !== undefined) shown.add(memberKey(node.sourceLayer, node.sourceIndex!))
  }
  let storedBytes = 0
  let bytes = 0
  let files = 0
  const byPath = new Map<string, HiddenPath & {digests: Set<string | undefined>}>()
  image.layers.forEach((layer, i) => {
    layer.files.forEach((e, j) => {
      if (e.type !== 'file') return
      storedBytes += e.size
      // Empty files hide no bytes; whiteout markers are instructions, not files.
      if (e.size === 0 || shown.has(memberKey(i, j)) || (layer.markers !== false && whiteoutOf(e) !== null)) return
      files++
      bytes += e.size
      layers[i].hidden.files++
      layers[i].hidden.bytes += e.size
      let p = byPath.get(e.path)
      if (!p) byPath.set(e.path, (p = {path: e.path, bytes: 0, copies: 0, layers: [], why: 'deleted', digests: new Set()}))
      p.bytes += e.size
      p.copies++
      if (!p.layers.includes(i)) p.layers.push(i)
      p.digests.add(e.digest)
    })
  })
  const paths = [...byPath.values()].map(({digests, ...p}) => {
    const now = fs.get(p.path)
    const why: HiddenPath['why'] = !now ? 'deleted' : now.type === 'file' && [...digests].every((d) => d !== undefined && d === now.digest) ? 'duplicate' : 'overwritten'
    return {...p, why}
  })
  paths.sort((x, y) => y.bytes - x.bytes || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
  return {hidden: {storedBytes, visibleBytes, bytes, files, paths}, shown}
}

/**
 * The JSON document `dive --json FILE` (v0.12) writes, byte for byte: two-space indentation, no
 * final newline, and Go's escapes of <, >, & and the line separators.
 */
export function diveExportJson(e: Efficiency): string {
  const doc = {
    layer: e.dive.layers,
    image: {
      sizeBytes: e.dive.sizeBytes,
      inefficientBytes: e.dive.wastedBytes,
      efficiencyScore: e.dive.efficiency,
      fileReference: e.dive.inefficientPaths.map((p) => ({count: p.count, sizeBytes: p.bytes, file: p.path})),
    },
  }
  return JSON.stringify(doc, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
