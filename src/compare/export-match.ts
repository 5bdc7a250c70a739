import {FlatFs} from '../image/flatten.js'
import {layerOfStep} from '../image/history.js'
import {shortId} from '../image/ids.js'
import {type Image} from '../image/model.js'
import {countDifferences, differs, type FileDiffOptions} from './file-diff.js'

export interface StepDistance {
  /** 1-based history step, as `imgdiff inspect` numbers them. */
  step: number
  layers: number
  differing: number
}

export interface ExportMatch {
  step: number
  /** Layers the matching filesystem is made of (a rollback to this step keeps them). */
  layers: number
  id: string | null
  createdBy: string | null
  differing: number
  steps: StepDistance[]
}

/**
 * Which history step's filesystem is closest to a flat one: flatten the image layer by layer and
 * count differing (non-runtime) paths after each. Ties go to the later step.
 */
/** `fs` (empty) is filled with the image's flattened filesystem on the way, for the caller to reuse. */
export function matchExport(flat: FlatFs, image: Image, options: FileDiffOptions, fs = new FlatFs()): ExportMatch | null {
  if (image.layers.length === 0) return null
  // Counted incrementally: a layer changes the count only at the paths it touches, so the cost
  // is the layers' sizes, not (layers x files).
  const opts = {...options, layerSide: null}
  let count = countDifferences(fs, flat, opts)
  const byLayers: number[] = []
  image.layers.forEach((layer, i) => {
    fs.touched = new Map()
    fs.apply(layer, i)
    for (const [path, was] of fs.touched) {
      const target = flat.get(path)
      count += Number(differs(path, fs.get(path), target, opts)) - Number(differs(path, was, target, opts))
    }
    byLayers.push(count)
  })
  fs.touched = undefined
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
  const layer = image.layers[best.layers - 1]
  const history = image.history[best.step - 1]
  return {
    step: best.step,
    layers: best.layers,
    id: image.stepIds?.[best.step - 1] ?? layer.v1Id ?? shortId(layer.diffId),
    createdBy: history?.createdBy ?? history?.comment ?? null,
    differing: best.differing,
    steps,
  }
}
