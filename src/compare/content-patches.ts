import {createTwoFilesPatch} from 'diff'
import {readLayerMembers} from '../formats/layer-bytes.js'
import {type FlatFs} from '../image/flatten.js'
import {memberKey} from '../image/fs-tree.js'
import {type Image} from '../image/model.js'
import {type FileChange} from './file-diff.js'

/**
 * Unified diffs of changed text files for `--content`. File contents are never kept by the first
 * pass, so this reads each archive once more, taking only the members that hold the wanted files'
 * content (under the size cap).
 */
export async function contentPatches(images: {a: Image; b: Image}, views: {a: FlatFs; b: FlatFs}, changes: FileChange[], cap: number): Promise<Map<string, string>> {
  const picked = changes.filter((c) => !c.runtime && (c.change !== 'modified' || c.fields.includes('content')))
  const [textA, textB] = await Promise.all([collect(images.a, views.a, picked, cap), collect(images.b, views.b, picked, cap)])
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

/** The content of each picked path on one side, read from the layer member that holds it. */
async function collect(image: Image, view: FlatFs, changes: FileChange[], cap: number): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>()
  const pathsOf = new Map<number, string[]>()
  const wanted = new Map<number, Set<number>>()
  for (const c of changes) {
    const node = view.get(c.path)
    if (node?.type !== 'file' || node.size > cap) continue
    if (node.size === 0 || node.sourceLayer === undefined) {
      found.set(c.path, Buffer.alloc(0))
      continue
    }
    const layer = node.sourceLayer
    const index = node.sourceIndex!
    const key = memberKey(layer, index)
    pathsOf.set(key, [...(pathsOf.get(key) ?? []), c.path])
    wanted.set(layer, (wanted.get(layer) ?? new Set()).add(index))
  }
  if (wanted.size === 0) return found
  let paths: string[] = []
  let parts: Buffer[] = []
  await readLayerMembers(image, wanted, {
    begin(layers, index) {
      paths = layers.flatMap((l) => pathsOf.get(memberKey(l, index)) ?? [])
      parts = []
    },
    data(chunk) {
      parts.push(Buffer.from(chunk))
    },
    end() {
      const bytes = Buffer.concat(parts)
      for (const p of paths) found.set(p, bytes)
    },
    drained: () => undefined,
    reusable: () => true,
  })
  return found
}
