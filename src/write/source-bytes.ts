import {createReadStream} from 'node:fs'
import {Readable} from 'node:stream'
import {plainTarChain} from '../sources/open.js'
import {walkTar, type TarEntryStream} from '../archive/tar.js'
import {landingPath} from '../image/paths.js'
import {type Image} from '../image/model.js'

/**
 * Each wanted member's bytes straight from the file by offset, when the archive is a plain tar
 * (no tar parsing, no decompression); otherwise by walking it again (forEachMember).
 */
export async function forEachRange(
  image: Pick<Image, 'path' | 'reopen' | 'compression'>,
  ranges: Map<string, {offset?: number; size: number}>,
  consume: (member: string, body: Readable) => Promise<void>,
): Promise<void> {
  const file = seekableFile(image, ranges)
  if (file === null) {
    await forEachMember(image, new Set(ranges.keys()), consume)
    return
  }
  const inOrder = [...ranges].sort((a, b) => a[1].offset! - b[1].offset!)
  for (const [member, r] of inOrder) {
    const body = r.size === 0 ? Readable.from([]) : createReadStream(file, {start: r.offset, end: r.offset! + r.size - 1, highWaterMark: 1024 * 1024})
    await consume(member, body)
  }
}

/** The plain archive file the ranges can be read from by offset, if there is one. */
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
