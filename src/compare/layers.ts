import {chainIds} from '../image/ids.js'
import {layerOfStep} from '../image/history.js'
import {type Image} from '../image/model.js'

export interface LayerSide {
  /** Null: an export's, not read (it differs from the other side's, image/model.ts). */
  diffId: string | null
  chainId: string | null
  size: number
  createdBy?: string
}

export interface LayerRow {
  index: number
  /** same: same chain (same layer on the same base); same-content: same diff_id on another base. */
  status: 'same' | 'same-content' | 'different' | 'only-a' | 'only-b'
  a: LayerSide | null
  b: LayerSide | null
}

function sides(image: Image): LayerSide[] {
  const chains = chainIds(image.layers.map((l) => l.diffId))
  const createdBy: Array<string | undefined> = []
  const steps = layerOfStep(image.history, image.layers.length)
  steps.forEach((layer, step) => {
    if (layer !== null) createdBy[layer] = image.history[step].createdBy ?? image.history[step].comment
  })
  return image.layers.map((l, i) => ({diffId: l.diffId, chainId: chains[i], size: l.uncompressedSize, createdBy: createdBy[i]}))
}

/**
 * Layers side by side by position in the chain: the shared base shows as `same` rows, then the
 * point where the two images diverge. A layer that reappears on another base is `same-content`.
 */
export function alignLayers(a: Image, b: Image): LayerRow[] {
  const left = sides(a)
  const right = sides(b)
  const rows: LayerRow[] = []
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? null
    const y = right[i] ?? null
    let status: LayerRow['status']
    if (x && y) status = x.chainId !== null && x.chainId === y.chainId ? 'same' : x.diffId !== null && x.diffId === y.diffId ? 'same-content' : 'different'
    else status = x ? 'only-a' : 'only-b'
    rows.push({index: i, status, a: x, b: y})
  }
  return rows
}
