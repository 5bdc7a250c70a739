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

/**
 * Flat next to `other`: a container export, or a one-layer image made by `docker import` that is
 * not `other`'s own base (an imported base image shares its layer with the images built on it).
 */
export function isFlat(image: Image, other: Image): boolean {
  if (image.kind === 'export') return true
  if (!isImported(image.history, image.layers.length)) return false
  return image.layers[0]?.diffId !== other.layers[0]?.diffId
}

export function lostHistory(a: Image, b: Image): LostHistory | null {
  const flatA = isFlat(a, b)
  const flatB = isFlat(b, a)
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
