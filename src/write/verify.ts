import {ImgdiffError} from '../errors.js'
import {readArchive} from '../formats/read.js'

/**
 * Read a freshly written archive back, with every layer's diff_id checked, before it is renamed
 * into place: what we hand the user is what `docker load` will accept.
 */
export async function verifyWritten(path: string, expected: {diffIds: string[]; imageId?: string; kind: 'image' | 'export'}): Promise<void> {
  let images
  try {
    images = await readArchive(path, {verify: true})
  } catch (error) {
    throw new ImgdiffError(`the archive just written does not read back (${(error as Error).message}); nothing was written`)
  }
  const image = images[0]
  const got = image.layers.map((l) => l.diffId)
  const same = images.length === 1 && image.kind === expected.kind && got.length === expected.diffIds.length && got.every((d, i) => d === expected.diffIds[i])
  if (!same || (expected.imageId && image.imageId !== expected.imageId)) {
    throw new ImgdiffError('the archive just written does not match what was planned (layers or image id differ); nothing was written')
  }
}
