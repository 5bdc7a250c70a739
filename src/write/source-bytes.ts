import {plainTarChain} from '../archive/open.js'
import {walkTar, type TarEntryStream} from '../archive/tar.js'
import {cleanName} from '../image/paths.js'
import {type Image} from '../image/model.js'

/**
 * Read the source archive once more and hand each wanted member's bytes to its consumer, in the
 * order they are stored. Layer bytes are copied as stored: re-packing would change the diff_id.
 */
export async function forEachMember(
  image: Pick<Image, 'path' | 'compression'>,
  wanted: ReadonlySet<string>,
  consume: (member: string, body: TarEntryStream) => Promise<void>,
): Promise<void> {
  await walkTar(plainTarChain(image), async (header, body) => {
    const name = cleanName(header.name).path.slice(1)
    if (header.type === 'file' && wanted.has(name)) await consume(name, body)
  })
}
