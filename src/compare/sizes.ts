import {type FlatFs} from '../image/flatten.js'
import {type Image} from '../image/model.js'

export interface SizeReport {
  /** The archive file as stored. */
  bytes: number
  /** Content bytes of the files the image finally shows. */
  visibleBytes: number
  /** Content bytes stored in layers but hidden later (overwritten or deleted by an upper layer). */
  hiddenBytes: number
  /** Archive bytes that are not layer data (JSON, legacy directories, tar headers). */
  metadataBytes: number
}

/** Why a save is bigger than an export of the same image (the article's comparison). */
export function sizeReport(image: Image, flat: FlatFs): SizeReport {
  let stored = 0
  for (const layer of image.layers) for (const f of layer.files) if (f.type === 'file') stored += f.size
  // A hard-linked file is one inode whatever number of paths name it.
  let visible = 0
  for (const f of new Set(flat.entries.values())) if (f.type === 'file') visible += f.size
  return {bytes: image.bytes, visibleBytes: visible, hiddenBytes: Math.max(0, stored - visible), metadataBytes: image.metadataBytes}
}
