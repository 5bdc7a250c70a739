import {type Image} from '../image/model.js'

/**
 * The exports, read without their sha256 (ReadOptions.exportDigest), whose sha256 a comparison
 * of `a` and `b` still needs. An export's one layer is set beside the other side's first layer
 * (its diff_id in the layer rows, and whether an imported image is the export's own: lost.ts).
 * Two tars of different sizes cannot have the same sha256, so the digest can only change an
 * answer when the other side's first layer is a tar of the very same size.
 */
export function exportDigestsNeeded(a: Image, b: Image): Image[] {
  return [
    [a, b],
    [b, a],
  ]
    .filter(([x, y]) => x.kind === 'export' && x.layers[0]?.diffId === null && y.layers[0]?.uncompressedSize === x.layers[0].uncompressedSize)
    .map(([x]) => x)
}
