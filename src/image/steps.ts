import {layerOfStep} from './history.js'
import {chainIds} from './ids.js'
import {type HistoryEntry, type Image} from './model.js'

/** One history step as the user sees it: numbered from 1, oldest first, with the ids that name it. */
export interface Step {
  step: number
  /** Index into the layers of the layer this step made, or null for a metadata-only step. */
  layer: number | null
  /** Layers in the image at this step. */
  layersSoFar: number
  /**
   * The image id `docker history` shows for this step once the archive is loaded: the image's own
   * id on its last step, a parent image's id on the parent's last step (when the archive holds the
   * parent), the ids a legacy archive records; null where Docker shows `<missing>`.
   */
  imageId: string | null
  /** The legacy v1 id of this step's layer directory, where the archive names one. */
  v1Id: string | null
  diffId: string | null
  chainId: string | null
  created: string | null
  createdBy: string | null
  comment: string | null
  /** Content bytes this step's layer adds. */
  size: number
  /** Content bytes of all layers up to this step (Docker's "Virtual Size"). */
  virtualSize: number
}

function contentBytes(image: Image, layer: number): number {
  let n = 0
  for (const f of image.layers[layer].files) if (f.type === 'file') n += f.size
  return n
}

/** An image's steps. Without history (an export), each layer stands for one step. */
export function stepsOf(image: Image): Step[] {
  const chains = chainIds(image.layers.map((l) => l.diffId))
  const history: HistoryEntry[] = image.history.length > 0 ? image.history : image.layers.map(() => ({emptyLayer: false}))
  const layerOf = layerOfStep(history, image.layers.length)
  let virtual = 0
  let soFar = 0
  return history.map((h, i) => {
    const layer = layerOf[i]
    const size = layer === null ? 0 : contentBytes(image, layer)
    virtual += size
    if (layer !== null) soFar = layer + 1
    return {
      step: i + 1,
      layer,
      layersSoFar: soFar,
      imageId: image.stepIds?.[i] ?? (i === history.length - 1 ? image.imageId : null),
      v1Id: layer === null ? null : image.layers[layer].v1Id ?? null,
      diffId: layer === null ? null : image.layers[layer].diffId,
      chainId: layer === null ? null : chains[layer],
      created: h.created ?? null,
      createdBy: h.createdBy ?? null,
      comment: h.comment ?? null,
      size,
      virtualSize: virtual,
    }
  })
}
