import {ImgdiffError} from '../errors.js'
import {readArchive} from '../formats/read.js'
import {type Layer} from '../image/model.js'
import {type WrittenLayer} from './layer-check.js'
import {type UnpackCheck} from './unpack-check.js'

/**
 * Read a freshly written archive back, with every layer's diff_id checked, before it is renamed
 * into place: what we hand the user is what `docker load` will accept.
 */
export async function verifyWritten(
  path: string,
  /** diff_ids are compared when given (an image); a rootfs tar only has to read back as one. */
  expected: {diffIds?: string[]; imageId?: string; kind: 'image' | 'export'},
  /**
   * The layers as planned, and what each hashed to as it was written: when given, layer bytes are
   * not read again. `diffIds`: whether each layer's diff_id must be the one planned (off with
   * --no-verify, which copies a layer that does not match its config as it is). `unpacks`: the
   * check, made as the layers were copied, that Docker can unpack them (write/unpack-check.ts).
   */
  hashed?: {layers: Layer[]; written: Map<string, WrittenLayer>; diffIds: boolean; unpacks?: UnpackCheck},
): Promise<void> {
  // What a read of the layers' headers before the copy would have refused comes first.
  hashed?.unpacks?.check()
  if (hashed) checkCopies(hashed.layers, hashed.written, hashed.diffIds)
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

/**
 * Each layer's bytes were hashed on their way into the file. A layer whose digest a full read
 * took must still have it (else the source changed meanwhile); a layer's diff_id must be what
 * the config says, which is where a rollback verifies the layers it keeps, in the same read.
 */
function checkCopies(layers: Layer[], written: Map<string, WrittenLayer>, diffIds: boolean): void {
  layers.forEach((l, i) => {
    const w = written.get(l.member!)
    if (!w) throw new ImgdiffError(`layer ${i + 1} (${l.diffId}) was not copied; nothing was written`)
    if (l.digest !== '' && w.digest !== l.digest) throw new ImgdiffError(`layer ${l.diffId} changed while it was copied (the source archive changed?); nothing was written`)
    if (diffIds && w.diffId !== l.diffId) {
      throw new ImgdiffError(`layer ${i + 1} '${l.member}' has diff_id ${w.diffId} but the config says ${l.diffId} (corrupted? --no-verify skips this check); nothing was written`)
    }
  })
}
