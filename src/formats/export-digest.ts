import {type Image} from '../image/model.js'
import {plainDigestOf} from './scan.js'

/**
 * An export read without its sha256 (ReadOptions.exportDigest) gets it now: a second pass over
 * its bytes, taken only when a comparison needs it (compare/export-digest.ts).
 */
export async function readExportDigest(image: Image): Promise<void> {
  const layer = image.layers[0]
  if (image.kind !== 'export' || !layer || layer.diffId !== null) return
  const digest = await plainDigestOf({path: image.path, bytes: image.bytes, compression: image.compression, reopen: image.reopen, origin: image.origin}, layer.uncompressedSize)
  layer.diffId = digest
  layer.digest = digest
}
