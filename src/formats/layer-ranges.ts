import {open, type FileHandle} from 'node:fs/promises'
import {type Image} from '../image/model.js'
import {type MemberSink} from './layer-bytes.js'

/** A read's size: large enough that neighbouring small members share one; each is held while written. */
const BLOCK = 1024 * 1024
const ZEROS = Buffer.alloc(1024 * 1024)

/** Where a member's content lies in its layer's plain tar (undefined: not known, not a regular file). */
export type ContentAt = (layer: number, index: number) => {offset?: number; size: number; sparse?: Array<[number, number]>} | undefined

/**
 * Members' content read straight from the archive file at the offsets the first pass recorded
 * (plain archive, plain layers): no tar parsing, no inflating, only the bytes wanted, in file
 * order, through large reads shared by neighbouring members. Returns false when the archive is
 * not such a file (the caller walks it instead). `at`: where the first pass put what it recorded
 * (by default, the layers' entries).
 */
export async function readRanges(
  image: Pick<Image, 'reopen' | 'compression' | 'kind' | 'layers'>,
  wanted: Map<number, Set<number>>,
  sink: MemberSink,
  at: ContentAt = (layer, index) => image.layers[layer].files[index],
): Promise<boolean> {
  if (image.reopen?.kind !== 'file' || image.compression !== 'none') return false
  // Each wanted member as three numbers in typed arrays, not an object: a flatten wants tens of
  // thousands, and these were megabytes at its peak.
  let count = 0
  for (const indexes of wanted.values()) count += indexes.size
  const starts = new Float64Array(count)
  const layerOf = new Uint32Array(count)
  const indexOf = new Uint32Array(count)
  let k = 0
  for (const [layerIndex, indexes] of wanted) {
    const layer = image.layers[layerIndex]
    const base = image.kind === 'export' ? 0 : layer.offset
    if (base === undefined || layer.compression !== 'none') return false
    for (const index of indexes) {
      const e = at(layerIndex, index)
      if (e?.offset === undefined) return false
      starts[k] = base + e.offset
      layerOf[k] = layerIndex
      indexOf[k] = index
      k++
    }
  }
  // In file order; members at one place (a layer stored once, listed twice) in the order wanted.
  const order = new Uint32Array(count)
  for (let i = 0; i < count; i++) order[i] = i
  order.sort((x, y) => starts[x] - starts[y] || x - y)
  const handle = await open(image.reopen.path, 'r')
  try {
    const reader = new BlockReader(handle, () => sink.reusable?.() ?? false)
    for (let i = 0; i < count; ) {
      const first = order[i]
      const layers = [layerOf[first]]
      for (i++; i < count && starts[order[i]] === starts[first]; i++) layers.push(layerOf[order[i]])
      const e = at(layerOf[first], indexOf[first])!
      sink.begin(layers, indexOf[first])
      if (e.sparse) await sparse(reader, starts[first], e.size, e.sparse, sink)
      else await copy(reader, starts[first], e.size, sink)
      sink.end()
    }
  } finally {
    await handle.close()
  }
  return true
}

async function copy(reader: BlockReader, start: number, size: number, sink: MemberSink): Promise<void> {
  let pos = start
  let left = size
  while (left > 0) {
    const chunk = await reader.read(pos, left)
    sink.data(chunk)
    pos += chunk.length
    left -= chunk.length
    await sink.drained()
  }
}

/** A sparse file's content: its data regions, stored back to back, with zeros in the holes. */
async function sparse(reader: BlockReader, start: number, size: number, regions: Array<[number, number]>, sink: MemberSink): Promise<void> {
  let logical = 0
  let stored = start
  const zeros = async (n: number) => {
    for (let left = n; left > 0; left -= ZEROS.length) {
      sink.data(ZEROS.subarray(0, Math.min(left, ZEROS.length)))
      await sink.drained()
    }
  }
  for (const [offset, length] of regions) {
    await zeros(offset - logical)
    await copy(reader, stored, length, sink)
    stored += length
    logical = offset + length
  }
  await zeros(size - logical)
}

/** Reads in large blocks, so members that lie close together cost one read between them. */
class BlockReader {
  private block: Buffer = Buffer.alloc(0)
  private blockStart = 0

  constructor(
    private readonly handle: FileHandle,
    /** Whether the consumer is done with every slice so far: then one buffer serves the next read too. */
    private readonly reusable: () => boolean,
  ) {}

  private spare?: Buffer

  /** Up to `max` bytes at `pos` (at least one, unless the file ends). */
  async read(pos: number, max: number): Promise<Buffer> {
    const end = this.blockStart + this.block.length
    if (pos < this.blockStart || pos >= end) {
      // A fresh buffer unless the consumer is done with the slices given so far: they may still be queued.
      const buf = this.reusable() ? (this.spare ??= Buffer.allocUnsafe(BLOCK)) : Buffer.allocUnsafe(BLOCK)
      const {bytesRead} = await this.handle.read(buf, 0, BLOCK, pos)
      if (bytesRead === 0) throw new Error(`the archive ends at ${pos}: did it change since it was read?`)
      this.block = buf.subarray(0, bytesRead)
      this.blockStart = pos
    }
    const from = pos - this.blockStart
    return this.block.subarray(from, Math.min(this.block.length, from + max))
  }
}
