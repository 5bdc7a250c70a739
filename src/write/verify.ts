import {ImgdiffError} from '../errors.js'
import {readArchive} from '../formats/read.js'
import {type Layer} from '../image/model.js'

/**
 * Read a freshly written archive back, with every layer's diff_id checked, before it is renamed
 * into place: what we hand the user is what `docker load` will accept.
 */
export async function verifyWritten(
  path: string,
  /** diff_ids are compared when given (an image); a rootfs tar only has to read back as one. */
  expected: {diffIds?: string[]; imageId?: string; kind: 'image' | 'export'},
  /** The layers as planned, and the sha256 of each as written: when given, layer bytes are not read again. */
  hashed?: {layers: Layer[]; written: Map<string, string>},
): Promise<void> {
  if (hashed) {
    // Each layer's bytes were hashed on their way into the file: they must be the very blobs
    // whose diff_ids the first read verified.
    const bad = hashed.layers.find((l) => hashed.written.get(l.member!) !== l.digest)
    if (bad) throw new ImgdiffError(`layer ${bad.diffId} changed while it was copied (the source archive changed?); nothing was written`)
  }
  let images
  try {
    images = await readArchive(path, {verify: true, depth: hashed !== undefined ? 'outer' : 'full'})
  } catch (error) {
    throw new ImgdiffError(`the archive just written does not read back (${(error as Error).message}); nothing was written`)
  }
  const image = images[0]
  const got = image.layers.map((l) => l.diffId)
  const want = expected.diffIds
  const same = images.length === 1 && image.kind === expected.kind && (!want || (got.length === want.length && got.every((d, i) => d === want[i])))
  const sizesOk = !hashed || image.layers.every((l, i) => l.size === hashed.layers[i]?.size)
  if (!same || !sizesOk || (expected.imageId && image.imageId !== expected.imageId)) {
    throw new ImgdiffError('the archive just written does not match what was planned (layers or image id differ); nothing was written')
  }
}
