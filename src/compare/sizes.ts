import {type FlatFs} from '../image/flatten.js'
import {type Image} from '../image/model.js'

/**
 * Why a save is bigger than an export of the same image (the article's comparison), in quantities
 * that add up: stored bytes are stored bytes (compressed where the archive or its layers are),
 * file content is uncompressed, and the two are never summed together.
 */
export interface SizeReport {
  /** The archive file as stored. */
  bytes: number
  /** How the whole archive is compressed. */
  compression: Image['compression']
  /** Layer blobs as stored in the archive (each blob once). */
  layersStored: number
  /** Layer tars uncompressed (each blob once). */
  layersUncompressed: number
  /** Content bytes of the files the image finally shows (a hard-linked file once). */
  visibleBytes: number
  /** Content bytes stored in layers but hidden later (overwritten or deleted by an upper layer). */
  hiddenBytes: number
  /** Bytes of the uncompressed archive that are not layer blobs (JSON, legacy directories, tar headers). */
  metadataBytes: number
}

export function sizeReport(image: Image, flat: FlatFs): SizeReport {
  let content = 0
  let layersStored = 0
  let layersUncompressed = 0
  const seen = new Set<string>()
  for (const [i, layer] of image.layers.entries()) {
    for (const f of layer.files) if (f.type === 'file') content += f.size
    const key = layer.member ?? layer.digest ?? `layer ${i}`
    if (seen.has(key)) continue
    seen.add(key)
    layersStored += layer.size
    layersUncompressed += layer.uncompressedSize
  }
  let visible = 0
  for (const f of new Set(flat.entries.values())) if (f.type === 'file') visible += f.size
  return {
    bytes: image.bytes,
    compression: image.compression,
    layersStored,
    layersUncompressed,
    visibleBytes: visible,
    hiddenBytes: Math.max(0, content - visible),
    metadataBytes: image.metadataBytes,
  }
}
