import {isImported} from '../image/history.js'
import {type Image} from '../image/model.js'
import {configFieldsWithValues} from './config-diff.js'

/** What a flattened side (an export, or an image imported from one) no longer has. */
export interface LostHistory {
  side: 'a' | 'b'
  /** Why that side is flat: a container export, or a `docker import` of one. */
  because: 'export' | 'import'
  history: number
  layers: number
  config: string[]
  repoTags: string[]
}

/** Flat: a container export, or a one-layer image made by `docker import`. */
export function isFlat(image: Image): boolean {
  return image.kind === 'export' || isImported(image.history, image.layers.length)
}

export function lostHistory(a: Image, b: Image): LostHistory | null {
  const flatA = isFlat(a)
  const flatB = isFlat(b)
  if (flatA === flatB) return null
  const [flat, full, side] = flatA ? [a, b, 'a' as const] : [b, a, 'b' as const]
  return {
    side,
    because: flat.kind === 'export' ? 'export' : 'import',
    history: full.history.length,
    layers: full.layers.length,
    config: configFieldsWithValues(full),
    repoTags: full.repoTags,
  }
}
