import {plainTarChain} from '../sources/open.js'
import {walkTar, type TarEntryStream} from '../archive/tar.js'
import {landingPath} from '../image/paths.js'
import {type Image} from '../image/model.js'

/**
 * The plain archive file the ranges can be read from by offset (no tar parsing, no decompression:
 * layer-copy.ts), if there is one; otherwise the archive is walked again (forEachMember).
 */
export function seekableFile(image: Pick<Image, 'reopen' | 'compression'>, ranges: Map<string, {offset?: number}>): string | null {
  const file = image.reopen?.kind === 'file' ? image.reopen.path : null
  return file !== null && image.compression === 'none' && [...ranges.values()].every((r) => r.offset !== undefined) ? file : null
}

/**
 * Read the source archive once more and hand each wanted member's bytes to its consumer, in the
 * order they are stored. Layer bytes are copied as stored: re-packing would change the diff_id.
 */
export async function forEachMember(
  image: Pick<Image, 'path' | 'reopen' | 'compression'>,
  wanted: ReadonlySet<string>,
  consume: (member: string, body: TarEntryStream) => Promise<void>,
): Promise<void> {
  await walkTar(plainTarChain(image), async (header, body) => {
    const name = landingPath(header.name).slice(1)
    if (header.type === 'file' && wanted.has(name)) await consume(name, body)
  })
}
