import {closeSync, openSync} from 'node:fs'
import {readAt, walkTarFile} from '../archive/tar-file.js'
import {sniffCompression} from '../archive/compression.js'
import {memberKey} from '../image/fs-tree.js'
import {type FileEntry, type Image} from '../image/model.js'
import {BadArchiveError, errorMessage} from '../errors.js'
import {type ContentAt} from './layer-ranges.js'
import {EntryRecorder} from './layer-scan.js'
import {Budget} from './limits.js'
import {classify} from './member-kind.js'

/** What takes one layer's members, in tar order, and hears when the layer ends. */
export interface LayerIntake {
  member(e: FileEntry): void
  end(): void
}

/**
 * The layers of an image read with `depth: 'outer'` (their place in the archive known, their
 * members not read), to be walked oldest first, header by header, by seeking: each member's entry
 * goes to `intake(layer)` and is dropped. A command that folds the layers into one tree (flatten)
 * thus never holds every layer's entries at once, which were most of its memory. What it keeps is
 * where each regular file's content lies (the ContentIndex the walk returns, for writing it).
 *
 * Null when the archive is not a plain file whose layers are plain tars: the caller reads it the
 * usual way. Checked before anything is walked, so a caller can prepare for the walk only when
 * there will be one. A layer that cannot be read throws, as the usual read would have.
 */
export function plainLayerWalk(image: Image): ((intake: (layer: number) => LayerIntake) => ContentIndex) | null {
  if (image.reopen?.kind !== 'file' || image.compression !== 'none') return null
  const path = image.reopen.path
  const fd = openSync(path, 'r')
  try {
    for (const layer of image.layers) {
      if (layer.offset === undefined || layer.member === undefined) return null
      if (layer.size === 0) continue
      // What the usual read takes for a plain layer (seek-scan.ts): anything else is its to judge.
      const start = readAt(fd, layer.offset, Math.min(512, layer.size))
      if (classify(layer.member, layer.size, start) !== 'layer' || sniffCompression(start) !== 'none') return null
    }
  } finally {
    closeSync(fd)
  }
  return (intake) => walkLayers(image, path, intake)
}

function walkLayers(image: Image, path: string, intake: (layer: number) => LayerIntake): ContentIndex {
  const fd = openSync(path, 'r')
  try {
    const index = new ContentIndex(image.layers.length)
    const budget = new Budget(image.path)
    image.layers.forEach((layer, i) => {
      const into = intake(i)
      let n = 0
      const recorder = new EntryRecorder(null, budget, (e) => {
        if (e.type === 'file') index.record(i, n, e)
        n++
        into.member(e)
      })
      if (layer.size > 0) {
        try {
          walkTarFile(fd, layer.offset!, layer.offset! + layer.size, recorder)
        } catch (error) {
          if (error instanceof BadArchiveError) throw error
          throw new BadArchiveError(image.path, `layer ${i + 1} '${layer.member}' cannot be read: ${errorMessage(error)}`)
        }
      }
      into.end()
    })
    return index
  } finally {
    closeSync(fd)
  }
}

/**
 * Where each regular file's content lies in its layer, by layer and member index: two numbers a
 * member in arrays that grow by half, not an object each (tens of thousands of files).
 */
export class ContentIndex {
  private readonly offsets: Float64Array[]
  private readonly sizes: Float64Array[]
  private readonly sparse = new Map<number, Array<[number, number]>>()

  constructor(layers: number) {
    this.offsets = Array.from({length: layers}, () => new Float64Array(64).fill(Number.NaN))
    this.sizes = Array.from({length: layers}, () => new Float64Array(64))
  }

  record(layer: number, index: number, e: FileEntry): void {
    if (e.offset === undefined) return
    if (index >= this.offsets[layer].length) {
      const grown = new Float64Array(Math.ceil(this.offsets[layer].length * 1.5)).fill(Number.NaN)
      grown.set(this.offsets[layer])
      this.offsets[layer] = grown
      const sizes = new Float64Array(grown.length)
      sizes.set(this.sizes[layer])
      this.sizes[layer] = sizes
    }
    this.offsets[layer][index] = e.offset
    this.sizes[layer][index] = e.size
    if (e.sparse) this.sparse.set(memberKey(layer, index), e.sparse)
  }

  /** The content of member `index` of layer `layer`, as layer-ranges.ts reads it. */
  readonly at: ContentAt = (layer, index) => {
    const offset = this.offsets[layer]?.[index]
    if (offset === undefined || Number.isNaN(offset)) return undefined
    return {offset, size: this.sizes[layer][index], sparse: this.sparse.get(memberKey(layer, index))}
  }
}
