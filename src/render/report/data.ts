import {type DiffResult, type DiffSummary} from '../../compare/diff.js'
import {type Efficiency, type LayerPathChange} from '../../compare/efficiency.js'
import {type ExportMatch} from '../../compare/export-match.js'
import {type FileChange} from '../../compare/file-diff.js'
import {type LayerRow} from '../../compare/layers.js'
import {type LostHistory} from '../../compare/lost.js'
import {type SizeReport} from '../../compare/sizes.js'
import {formatLabel} from '../../formats/labels.js'
import {type FlatEntry, type FlatFs} from '../../image/flatten.js'
import {type Image} from '../../image/model.js'
import {stepsOf} from '../../image/steps.js'
import {platformOf} from '../../image/summary.js'
import {buildTree, type TreeNode} from '../tree.js'
import {sizeChange} from '../units.js'
import {aggregateMap, type MapData, type MapEntry} from './map-data.js'

/**
 * Everything the report shows, as plain data: the page is rendered from it on the server (so it
 * reads without JavaScript), and the same object is embedded in the page as one JSON blob, which
 * the page's script reads for the interactive table (and anyone can read for their own use).
 *
 * diffReportData(...) for `imgdiff report A B`; imageReportData(...) for `imgdiff report A`.
 */
export interface ReportData {
  mode: 'diff' | 'image'
  generator: string
  sides: SideCard[]
  /** Diff: what the flat side (an export) lost; shown first. */
  lost: LostHistory | null
  /** Diff: which step of the image the export matches, with the distance at every step. */
  exportMatch: ExportMatch | null
  /** The `docker images --tree` forest of the archive(s). */
  tree: TreeNode[]
  /** Per history step of each image side: its layer's size and command (for the size bars). */
  steps: StepBar[]
  /** Diff: layers aligned as the diff aligns them. */
  layers: LayerRow[] | null
  /** Image: dive's figures and the exact hidden bytes, per layer and per path. */
  efficiency: Efficiency | null
  summary: DiffSummary | null
  sizes: {a: SizeReport; b: SizeReport} | null
  map: MapData
  /** Image: the hidden bytes alone, by directory (in `map` they are a sliver next to the visible ones). */
  hiddenMap: MapData | null
  files: FileTable
  /** Unified diffs (`--content`), by path. */
  patches: Record<string, string> | null
}

export interface SideCard {
  label: string
  path: string
  kind: Image['kind']
  format: string
  imageId: string | null
  repoTags: string[]
  platform: string | null
  layers: number
  history: number
  bytes: number
}

export interface StepBar {
  side: string
  step: number
  size: number
  empty: boolean
  createdBy: string | null
  imageId: string | null
}

/**
 * The file table, compact: one array per row (a 50,000-row table is a few MB of JSON this way).
 * A row is [path, kind (index into `kinds`), bytes, detail, layer, runtime (0/1), patch (0/1)].
 */
export interface FileTable {
  kinds: string[]
  columns: ['path', 'kind', 'bytes', 'detail', 'layer', 'runtime', 'patch']
  rows: FileRow[]
}
export type FileRow = [string, number, number, string, string, 0 | 1, 0 | 1]

function card(label: string, image: Image): SideCard {
  return {
    label,
    path: image.path,
    kind: image.kind,
    format: formatLabel(image.format) + (image.compression === 'none' ? '' : ` (${image.compression}-compressed)`),
    imageId: image.imageId,
    repoTags: image.repoTags,
    platform: platformOf(image),
    layers: image.layers.length,
    history: image.history.length,
    bytes: image.bytes,
  }
}

function stepBars(label: string, image: Image): StepBar[] {
  if (image.kind === 'export') return []
  return stepsOf(image).map((s) => ({side: label, step: s.step, size: s.size, empty: s.layer === null, createdBy: s.createdBy ?? s.comment, imageId: s.imageId}))
}

const generator = 'imgdiff report'

export function diffReportData(images: {a: Image; b: Image}, result: DiffResult, patches?: Map<string, string>): ReportData {
  const kinds = ['added', 'removed', 'modified']
  const rows: FileRow[] = result.files.map((f) => [f.path, kinds.indexOf(f.change), changedBytes(f), detailOf(f), layerLabel(f), f.runtime ? 1 : 0, patches?.has(f.path) ? 1 : 0])
  const entries: MapEntry[] = result.files.map((f) => ({path: f.path, kind: f.change, bytes: changedBytes(f), runtime: f.runtime}))
  return {
    mode: 'diff',
    generator,
    sides: [card('A', images.a), card('B', images.b)],
    lost: result.lost,
    exportMatch: result.exportMatch,
    tree: buildTree([
      {path: images.a.path, images: [images.a]},
      {path: images.b.path, images: [images.b]},
    ]),
    steps: [...stepBars('A', images.a), ...stepBars('B', images.b)],
    layers: result.layers,
    efficiency: null,
    summary: result.summary,
    sizes: result.sizes,
    map: aggregateMap(entries, kinds),
    hiddenMap: null,
    files: {kinds, columns: ['path', 'kind', 'bytes', 'detail', 'layer', 'runtime', 'patch'], rows},
    patches: patches ? Object.fromEntries(patches) : null,
  }
}

export function imageReportData(image: Image, efficiency: Efficiency, changes: LayerPathChange[], fs: FlatFs): ReportData {
  const kinds = ['added', 'changed', 'removed']
  const ordered = [...changes].sort((x, y) => x.layer - y.layer || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
  const rows: FileRow[] = ordered.map((c) => [
    c.path,
    kinds.indexOf(c.change),
    c.size,
    [c.type === 'file' ? '' : c.type, c.hidden ? 'hidden in the final filesystem' : ''].filter(Boolean).join('; '),
    String(c.layer + 1),
    0,
    0,
  ])
  // The map: where the final filesystem's bytes are, and where the hidden ones were stored.
  const entries: MapEntry[] = []
  // A hard-linked file counts once, at its first name.
  const seen = new Set<FlatEntry>()
  for (const [path, node] of fs.entries) {
    if (node.type !== 'file' || seen.has(node)) continue
    seen.add(node)
    entries.push({path, kind: 'visible', bytes: node.size, runtime: false})
  }
  const hidden: MapEntry[] = efficiency.hidden.paths.map((p) => ({path: p.path, kind: 'hidden', bytes: p.bytes, runtime: false}))
  entries.push(...hidden)
  return {
    mode: 'image',
    generator,
    sides: [card('Image', image)],
    lost: null,
    exportMatch: null,
    tree: buildTree([{path: image.path, images: [image]}]),
    steps: stepBars('Image', image),
    layers: null,
    efficiency,
    summary: null,
    sizes: null,
    map: aggregateMap(entries, ['visible', 'hidden']),
    hiddenMap: efficiency.hidden.bytes > 0 ? aggregateMap(hidden, ['hidden']) : null,
    files: {kinds, columns: ['path', 'kind', 'bytes', 'detail', 'layer', 'runtime', 'patch'], rows},
    patches: null,
  }
}

/** The bytes a change is about: what is there now, or what went. */
function changedBytes(f: FileChange): number {
  const meta = f.change === 'removed' ? f.a : (f.b ?? f.a)
  return meta?.type === 'file' ? meta.size : 0
}

function detailOf(f: FileChange): string {
  const a = f.a
  const b = f.b
  if (f.change !== 'modified' || !a || !b) {
    const m = (a ?? b)!
    return m.type === 'file' ? '' : m.type + (m.linkTarget ? ` -> ${m.linkTarget}` : '')
  }
  const bits: string[] = []
  for (const field of f.fields) {
    if (field === 'type') bits.push(`type ${a.type} -> ${b.type}`)
    else if (field === 'size') bits.push(`size ${sizeChange(a.size, b.size)}`)
    else if (field === 'mode') bits.push(`mode ${a.mode} -> ${b.mode}`)
    else if (field === 'uid') bits.push(`uid ${a.uid} -> ${b.uid}`)
    else if (field === 'gid') bits.push(`gid ${a.gid} -> ${b.gid}`)
    else if (field === 'link') bits.push(`link ${a.linkTarget ?? ''} -> ${b.linkTarget ?? ''}`)
    else if (field === 'mtime') bits.push('mtime')
    else bits.push(field)
  }
  return bits.join('; ')
}

function layerLabel(f: FileChange): string {
  if (!f.layer) return ''
  return `${f.layer.side.toUpperCase()} ${f.layer.number}${f.layer.deleted ? ' (deleted it)' : ''}`
}

