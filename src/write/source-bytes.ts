import {createReadStream} from 'node:fs'
import {type Duplex} from 'node:stream'
import {decompressor, type Compression} from '../archive/compression.js'
import {walkTar, type TarEntryStream} from '../archive/tar.js'
import {cleanName} from '../image/paths.js'
import {type Image} from '../image/model.js'

/** The plain tar bytes of an image's archive, as a chain for walkTar. */
export function archiveChain(image: Pick<Image, 'path' | 'compression'>): [ReturnType<typeof createReadStream>, ...Duplex[]] {
  const raw = createReadStream(image.path, {highWaterMark: 1024 * 1024})
  return image.compression === 'none' ? [raw] : [raw, decompressor(image.compression as Compression)]
}

/**
 * Read the source archive once more and hand each wanted member's bytes to its consumer, in the
 * order they are stored. Layer bytes are copied as stored: re-packing would change the diff_id.
 */
export async function forEachMember(
  image: Pick<Image, 'path' | 'compression'>,
  wanted: ReadonlySet<string>,
  consume: (member: string, body: TarEntryStream) => Promise<void>,
): Promise<void> {
  await walkTar(archiveChain(image), async (header, body) => {
    const name = cleanName(header.name).path.slice(1)
    if (header.type === 'file' && wanted.has(name)) await consume(name, body)
  })
}
