import {createTwoFilesPatch} from 'diff'
import {decompressor, sniffCompression} from '../archive/compression.js'
import {plainTarChain} from '../archive/open.js'
import {peekHead} from '../archive/peek-head.js'
import {walkTar, type TarEntryStream} from '../archive/tar.js'
import {type FileChange} from '../compare/file-diff.js'
import {cleanName} from '../image/paths.js'
import {type Image} from '../image/model.js'

/** path -> layer index wanted from one image. */
type Wanted = Map<string, number>

/**
 * Unified diffs of changed text files for `--content`. File contents are never kept by the first
 * pass, so this reads each archive once more, taking only the wanted files under the size cap.
 */
export async function contentPatches(a: Image, b: Image, changes: FileChange[], cap: number): Promise<Map<string, string>> {
  const wantA: Wanted = new Map()
  const wantB: Wanted = new Map()
  const picked = changes.filter((c) => !c.runtime && (c.change !== 'modified' || c.fields.includes('content')))
  for (const c of picked) {
    if (c.a?.type === 'file' && c.a.size <= cap) wantA.set(c.path, c.a.layer ?? 0)
    if (c.b?.type === 'file' && c.b.size <= cap) wantB.set(c.path, c.b.layer ?? 0)
  }
  const [textA, textB] = await Promise.all([collect(a, wantA), collect(b, wantB)])
  const patches = new Map<string, string>()
  for (const c of picked) {
    const tooBig = [c.a, c.b].some((m) => m?.type === 'file' && m.size > cap)
    const x = textA.get(c.path)
    const y = textB.get(c.path)
    if (tooBig) patches.set(c.path, `(content not shown: larger than --max-content ${cap} bytes)`)
    else if (isBinary(x) || isBinary(y)) patches.set(c.path, 'Binary files differ')
    else if (x !== undefined || y !== undefined) {
      patches.set(c.path, createTwoFilesPatch(`a${c.path}`, `b${c.path}`, x?.toString('utf8') ?? '', y?.toString('utf8') ?? '', '', '', {context: 3}))
    }
  }
  return patches
}

function isBinary(b: Buffer | undefined): boolean {
  return b !== undefined && b.subarray(0, 8000).includes(0)
}

async function collect(image: Image, wanted: Wanted): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>()
  if (wanted.size === 0) return found
  const take = async (layer: number, entry: TarEntryStream) => {
    const path = cleanName(entry.header.name).path
    if (wanted.get(path) !== layer || entry.header.type !== 'file') return
    const parts: Buffer[] = []
    for await (const c of entry) parts.push(c as Buffer)
    found.set(path, Buffer.concat(parts))
  }
  const layerByMember = new Map<string, number[]>()
  image.layers.forEach((l, i) => {
    if (l.member && [...wanted.values()].includes(i)) layerByMember.set(l.member, [...(layerByMember.get(l.member) ?? []), i])
  })
  const outer = () => plainTarChain(image)
  if (image.kind === 'export') {
    await walkTar(outer(), (_h, entry) => take(0, entry))
    return found
  }
  await walkTar(outer(), async (header, entry) => {
    const layers = layerByMember.get(cleanName(header.name).path.slice(1))
    if (!layers || header.type !== 'file') return
    // The layer's own compression is sniffed again, exactly as the first pass did.
    const {head, rest} = await peekHead(entry, 6)
    await walkTar([rest, decompressor(sniffCompression(head))], async (_h, inner) => {
      for (const i of layers) await take(i, inner)
    })
  })
  return found
}
