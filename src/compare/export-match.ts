import {type FlatEntry, FlatFs} from '../image/flatten.js'
import {layerOfStep} from '../image/history.js'
import {type Image} from '../image/model.js'
import {stepsOf} from '../image/steps.js'
import {countDifferences, differs, type FileDiffOptions} from './file-diff.js'
import {isRuntimeChange} from './runtime-files.js'

export interface StepDistance {
  /** 1-based history step, as `imgdiff inspect` numbers them. */
  step: number
  layers: number
  differing: number
}

export interface ExportMatch {
  /** The flat side (the export, or the image imported from one). */
  side: 'a' | 'b'
  /** The closest step (1-based). */
  step: number
  /** Layers the matching filesystem is made of (a rollback to this step keeps them). */
  layers: number
  /** The image id `docker history` shows for that step, or null (`<missing>`). */
  id: string | null
  createdBy: string | null
  differing: number
  /** Paths of that step's filesystem (runtime files aside), and how many the flat side has unchanged. */
  stepPaths: number
  kept: number
  /**
   * Whether the flat side is that step's filesystem as a container left it: most of the step's
   * paths are there unchanged. An unrelated export is closest to some step too, but keeps little.
   */
  derived: boolean
  steps: StepDistance[]
}

/** The share of a step's paths an export must keep unchanged to be taken for an export of it. */
const DERIVED = 0.5

/**
 * Which history step's filesystem is closest to a flat one: flatten the image layer by layer and
 * count differing (non-runtime) paths after each. Ties go to the later step.
 */
/** `fs` (empty) is filled with the image's flattened filesystem on the way, for the caller to reuse. */
export function matchExport(flat: FlatFs, image: Image, side: 'a' | 'b', options: FileDiffOptions, fs = new FlatFs()): ExportMatch | null {
  if (image.layers.length === 0) return null
  // Counted incrementally: a layer changes the count only at the paths it touches, so the cost
  // is the layers' sizes, not (layers x files).
  const opts = options
  let count = countDifferences(fs, flat, opts)
  const byLayers: number[] = []
  // Each path a layer touches, in the order first met: whether it differed before the layer,
  // found as it is about to change (rather than from a copy of every inode the layer touches),
  // and what the flat side holds there (looked up once). The set's size tells a new path with one
  // hash of it.
  const seen = new Set<string>()
  const paths: string[] = []
  const was: boolean[] = []
  const flatAt: Array<FlatEntry | undefined> = []
  fs.beforeChange = (path, node) => {
    const known = seen.size
    if (seen.add(path).size === known) return
    const other = flat.get(path)
    paths.push(path)
    was.push(differs(path, node, other, opts))
    flatAt.push(other)
  }
  image.layers.forEach((layer, i) => {
    seen.clear()
    paths.length = 0
    was.length = 0
    flatAt.length = 0
    fs.apply(layer, i)
    for (let k = 0; k < paths.length; k++) count += Number(differs(paths[k], fs.get(paths[k]), flatAt[k], opts)) - Number(was[k])
    byLayers.push(count)
  })
  fs.beforeChange = undefined
  const stepOf = layerOfStep(image.history, image.layers.length)
  const steps: StepDistance[] = []
  let layersSoFar = 0
  stepOf.forEach((layer, i) => {
    if (layer !== null) layersSoFar = layer + 1
    if (layersSoFar > 0) steps.push({step: i + 1, layers: layersSoFar, differing: byLayers[layersSoFar - 1]})
  })
  if (steps.length === 0) {
    // No usable history (or fewer entries than layers): number the layers themselves.
    byLayers.forEach((d, i) => steps.push({step: i + 1, layers: i + 1, differing: d}))
  }
  let best = steps[0]
  for (const s of steps) if (s.differing <= best.differing) best = s
  const history = image.history[best.step - 1]
  // The whole image's filesystem is at hand already: the usual answer (an export of the image itself) builds nothing more.
  const stepFs = best.layers === image.layers.length ? fs : FlatFs.of(image.layers.slice(0, best.layers))
  const {kept, stepPaths} = keptAt(stepFs, flat, opts)
  return {
    side,
    step: best.step,
    layers: best.layers,
    id: stepsOf(image)[best.step - 1]?.imageId ?? null,
    createdBy: history?.createdBy ?? history?.comment ?? null,
    differing: best.differing,
    stepPaths,
    kept,
    derived: stepPaths > 0 && kept / stepPaths >= DERIVED,
    steps,
  }
}

/** How many of the step's (non-runtime) paths the flat filesystem has unchanged. */
function keptAt(step: FlatFs, flat: FlatFs, options: FileDiffOptions): {kept: number; stepPaths: number} {
  let kept = 0
  let stepPaths = 0
  for (const [path, node] of step.entries) {
    if (isRuntimeChange(path, 'removed', [])) continue
    stepPaths++
    if (!differs(path, node, flat.get(path), options)) kept++
  }
  return {kept, stepPaths}
}
