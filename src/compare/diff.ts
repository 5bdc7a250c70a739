import {FlatFs} from '../image/flatten.js'
import {knownDiffIds} from '../image/ids.js'
import {type Image} from '../image/model.js'
import {summarize, type ImageSummary} from '../image/summary.js'
import {diffConfig, diffHistory, type ConfigChange, type HistoryRow} from './config-diff.js'
import {matchExport, type ExportMatch} from './export-match.js'
import {diffFiles, type FileChange, type FileDiffOptions} from './file-diff.js'
import {alignLayers, type LayerRow} from './layers.js'
import {isFlat, lostHistory, type LostHistory} from './lost.js'
import {sizeReport, type SizeReport} from './sizes.js'

export interface DiffOptions {
  ignore: string[]
  paths: string[]
}

export interface DiffSummary {
  added: number
  removed: number
  modified: number
  /** Changes that are only there because a container ran. */
  runtime: number
  layersSame: number
  layersDifferent: number
  configChanges: number
  historyChanges: number
  /** True when nothing differs but runtime files (what `--exit-code` tests). */
  identical: boolean
}

/**
 * For two images: what names them, apart from their contents. Two copies of one image written by
 * different tools can have the same filesystem, layers, history and runtime config, yet another
 * image id (the config document differs elsewhere) or other tags.
 */
export interface IdentityDiff {
  imageId: {a: string | null; b: string | null} | null
  repoTags: {a: string[]; b: string[]} | null
  /** Top-level config document fields that differ, besides config, history and rootfs (compared on their own). */
  configFields: string[]
}

/** The JSON contract of `imgdiff diff --json`. */
export interface DiffResult {
  a: ImageSummary
  b: ImageSummary
  lost: LostHistory | null
  layers: LayerRow[]
  history: HistoryRow[] | null
  config: ConfigChange[] | null
  /** Null unless both sides are images. */
  identity: IdentityDiff | null
  files: FileChange[]
  exportMatch: ExportMatch | null
  sizes: {a: SizeReport; b: SizeReport}
  summary: DiffSummary
}

export function diffImages(a: Image, b: Image, options: DiffOptions): DiffResult {
  return compareImages(a, b, options).result
}

/** The diff, and the two flattened filesystems it compared (for a second look at contents). */
export function compareImages(a: Image, b: Image, options: DiffOptions): {result: DiffResult; fs: {a: FlatFs; b: FlatFs}} {
  const flatA = isFlat(a, b)
  const flatB = isFlat(b, a)
  const fileOptions: FileDiffOptions = {
    ignore: new Set(options.ignore),
    paths: options.paths,
    runtime: flatA || flatB,
    layers: {a: a.kind === 'image' ? knownDiffIds(a.layers) : null, b: b.kind === 'image' ? knownDiffIds(b.layers) : null},
    xattrs: a.kind === 'image' && b.kind === 'image' ? 'all' : 'exportable',
  }
  // For an export against an image, finding the matching step flattens the image layer by
  // layer; its last state is the image's filesystem, so it is not built twice.
  let exportMatch: ExportMatch | null = null
  let fsA: FlatFs
  let fsB: FlatFs
  if (flatA !== flatB) {
    const flat = FlatFs.of((flatA ? a : b).layers)
    const full = new FlatFs()
    exportMatch = matchExport(flat, flatA ? b : a, flatA ? 'a' : 'b', fileOptions, full)
    ;[fsA, fsB] = flatA ? [flat, full] : [full, flat]
  } else {
    fsA = FlatFs.of(a.layers)
    fsB = FlatFs.of(b.layers)
  }
  const files = diffFiles(fsA, fsB, fileOptions)
  const bothImages = a.kind === 'image' && b.kind === 'image'
  const layers = alignLayers(a, b)
  const config = bothImages ? diffConfig(a, b) : null
  const history = bothImages ? diffHistory(a, b) : null

  const real = files.filter((f) => !f.runtime)
  const layersSame = layers.filter((l) => l.status === 'same').length
  const historyChanges = history?.filter((h) => h.status !== 'same').length ?? 0
  const summary: DiffSummary = {
    added: real.filter((f) => f.change === 'added').length,
    removed: real.filter((f) => f.change === 'removed').length,
    modified: real.filter((f) => f.change === 'modified').length,
    runtime: files.length - real.length,
    layersSame,
    layersDifferent: layers.length - layersSame,
    configChanges: config?.length ?? 0,
    historyChanges,
    identical: real.length === 0 && (!bothImages || (layersSame === layers.length && (config?.length ?? 0) === 0 && historyChanges === 0)),
  }
  const result: DiffResult = {
    a: summarize(a),
    b: summarize(b),
    // An export that is not derived from the image lost nothing of it: it is another filesystem.
    lost: exportMatch && !exportMatch.derived ? null : lostHistory(a, b),
    layers,
    history,
    config,
    identity: bothImages ? identityDiff(a, b) : null,
    files,
    exportMatch,
    sizes: {a: sizeReport(a, fsA), b: sizeReport(b, fsB)},
    summary,
  }
  return {result, fs: {a: fsA, b: fsB}}
}

const COMPARED_ELSEWHERE = new Set(['config', 'history', 'rootfs'])

function identityDiff(a: Image, b: Image): IdentityDiff {
  const tagsA = [...a.repoTags].sort()
  const tagsB = [...b.repoTags].sort()
  const keys = new Set([...Object.keys(a.config ?? {}), ...Object.keys(b.config ?? {})])
  const configFields = [...keys].filter((k) => !COMPARED_ELSEWHERE.has(k) && JSON.stringify(a.config?.[k]) !== JSON.stringify(b.config?.[k])).sort()
  return {
    imageId: a.imageId === b.imageId ? null : {a: a.imageId, b: b.imageId},
    repoTags: JSON.stringify(tagsA) === JSON.stringify(tagsB) ? null : {a: a.repoTags, b: b.repoTags},
    configFields,
  }
}
