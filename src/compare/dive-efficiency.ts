import {encodeName} from '../archive/tar-names.js'
import {type Layer} from '../image/model.js'

/**
 * dive v0.12's efficiency figures, computed the way dive computes them, so a pipeline that gated
 * on `dive --ci` gets the same numbers from imgdiff. dive does not replay layers as Docker does: it
 * builds one name tree per layer and counts, for every path, each layer in which that path is a
 * leaf. Its quirks are reproduced on purpose, because they decide its numbers:
 * - a path seen as a leaf in two or more layers is "inefficient", whatever changed (content, mode,
 *   nothing at all), and ALL its copies count as wasted, the first one included;
 * - a deleted file is a sighting of 0 bytes; a deleted directory one of the bytes under it in the
 *   layers below, read from a merged tree in which a directory that an upper layer only implies
 *   (a file without its parent's own member) is no directory, and so weighs 0;
 * - opaque-directory markers (`.wh..wh..opq`) are ignored, lower content stays;
 * - a whiteout of a path the layers below do not have ends the count of that layer, and its path
 *   adds -1 to the minimum (a bug in dive, kept: its score depends on it);
 * - "user" bytes are every layer but the very first;
 * - sizes are tar header sizes (imgdiff reads 0 for anything but regular files, as Docker writes them);
 * - the inefficient paths are listed largest first. Paths of equal size come out of dive in an
 *   order its sort happens to give (an unstable sort); imgdiff lists those by path, so the order is
 *   stable and the same set of paths and sizes is listed.
 * Where imgdiff's model differs from dive's reader (dive reads a layer stored as a tar symlink as
 * empty, and fails on PAX global headers), imgdiff counts what the layer holds.
 *
 * `diveEfficiency(layers)` returns plain data; efficiency.ts wraps it with imgdiff's exact figures.
 */
export interface DiveFigures {
  /** minimumSum / discoveredSum, 1 when nothing was seen (dive's efficiency score). */
  efficiency: number
  /** Sum over paths of the smallest sighting (dive's minimum). */
  minimumBytes: number
  /** Sum over paths of every sighting. */
  discoveredBytes: number
  /** Paths that are leaves in two or more layers, largest total first, ties by path. */
  inefficient: Array<{path: string; count: number; bytes: number}>
  /** Each layer's size as dive counts it: the sum of its members' sizes. */
  layerSizes: number[]
}

interface Info {
  size: number
  isDir: boolean
}

interface Node {
  name: string
  info: Info
  children?: Map<string, Node>
  parent?: Node
}

const NO_INFO: Info = {size: 0, isDir: false}
const WHITEOUT = '.wh.'
/** A name dive never puts in its tree (AUFS bookkeeping, the opaque marker). */
const AUFS = '.wh..wh.'

function newRoot(): Node {
  return {name: '', info: NO_INFO}
}

/** dive's AddPath: missing parents appear with no info; an existing node gets the new info, keeps its children. */
function addPath(root: Node, parts: string[], info: Info, markers: boolean): void {
  let node = root
  for (const name of parts) {
    let child = node.children?.get(name)
    if (!child) {
      if (markers && name.startsWith(AUFS)) return
      child = {name, info: NO_INFO, parent: node}
      ;(node.children ??= new Map()).set(name, child)
    }
    node = child
  }
  if (node !== root) node.info = info
}

function nodeAt(root: Node, path: string): Node | undefined {
  let node: Node | undefined = root
  for (const name of path.split('/')) {
    if (name === '') continue
    node = node.children?.get(name)
    if (!node) return undefined
  }
  return node
}

function copyTree(node: Node, parent?: Node): Node {
  const out: Node = {name: node.name, info: node.info, parent}
  if (node.children) {
    out.children = new Map()
    for (const [name, child] of node.children) out.children.set(name, copyTree(child, out))
  }
  return out
}

/** Names in Go's order: bytewise on UTF-8 (code units differ from it only past the BMP, or for non-UTF-8 names). */
function byBytes(a: string, b: string): number {
  if (/[^\u0000-\u007f]/.test(a + b)) return Buffer.compare(encodeName(a), encodeName(b))
  return a < b ? -1 : a > b ? 1 : 0
}

function isWhiteout(node: Node, markers: boolean): boolean {
  return markers && node.name.startsWith(WHITEOUT)
}

/** The path a node stands for: its parent's path and its name, a whiteout's name without `.wh.`. */
function childPath(parentPath: string, node: Node, markers: boolean): string {
  const name = isWhiteout(node, markers) ? node.name.slice(WHITEOUT.length) : node.name
  return parentPath === '/' ? '/' + name : parentPath + '/' + name
}

/** Every node below `root`, children before their parent, siblings in name order. `visit` returning false stops the walk. */
function walkChildFirst(root: Node, markers: boolean, visit: (node: Node, path: string) => boolean | void): boolean {
  const walk = (node: Node, path: string): boolean => {
    if (!node.children) return true
    for (const name of [...node.children.keys()].sort(byBytes)) {
      const child = node.children.get(name)!
      // A child's own path keeps its parent's name as written: only a node's own `.wh.` is dropped.
      const parentPath = path
      const own = childPath(parentPath, child, markers)
      const literal = parentPath === '/' ? '/' + child.name : parentPath + '/' + child.name
      if (!walk(child, literal)) return false
      if (visit(child, own) === false) return false
    }
    return true
  }
  return walk(root, '/')
}

/** dive's stack: lay `upper` over `lower` (in place): whiteouts delete, other nodes replace their info. */
function stack(lower: Node, upper: Node, markers: boolean): void {
  walkChildFirst(upper, markers, (node, path) => {
    if (isWhiteout(node, markers)) {
      const target = nodeAt(lower, path)
      if (target?.parent) target.parent.children!.delete(target.name)
    } else {
      addPath(lower, path.split('/').filter(Boolean), node.info, markers)
    }
  })
}

function subtreeSize(node: Node): number {
  let n = node.info.size
  if (node.children) for (const child of node.children.values()) n += subtreeSize(child)
  return n
}

interface Sighting {
  path: string
  cumulative: number
  minimum: number
  count: number
}

export function diveEfficiency(layers: Array<Pick<Layer, 'files' | 'markers'>>): DiveFigures {
  const trees: Node[] = []
  const layerSizes: number[] = []
  const markersOf = layers.map((l) => l.markers !== false)
  for (const [i, layer] of layers.entries()) {
    const root = newRoot()
    let size = 0
    for (const e of layer.files) {
      // A PAX global header is no member (dive refuses the whole layer; imgdiff counts the rest).
      if (e.type === 'global') continue
      size += e.size
      const parts = e.path.split('/').filter(Boolean)
      if (parts.length > 0) addPath(root, parts, {size: e.size, isDir: e.type === 'dir'}, markersOf[i])
    }
    trees.push(root)
    layerSizes.push(size)
  }
  if (trees.length === 0) return {efficiency: 1, minimumBytes: 0, discoveredBytes: 0, inefficient: [], layerSizes}

  // The merged tree of the layers below layer i, built once per layer (dive rebuilds it for every
  // whiteout; the result is the same). Below layer 0 it is a copy of layer 0 itself, as in dive.
  let below = copyTree(trees[0])
  let stackedUpTo = -1
  const stackedBelow = (i: number): Node => {
    while (stackedUpTo < i - 1) {
      stackedUpTo++
      stack(below, trees[stackedUpTo], markersOf[stackedUpTo])
    }
    return below
  }

  const sightings = new Map<string, Sighting>()
  const inefficient: Sighting[] = []
  trees.forEach((tree, i) => {
    const markers = markersOf[i]
    walkChildFirst(tree, markers, (node, path) => {
      if (node.children && node.children.size > 0) return true
      let s = sightings.get(path)
      if (!s) sightings.set(path, (s = {path, cumulative: 0, minimum: -1, count: 0}))
      let size: number
      if (isWhiteout(node, markers)) {
        const previous = nodeAt(stackedBelow(i), path)
        // dive stops counting this layer here (see the header).
        if (!previous) return false
        size = previous.info.isDir ? subtreeSize(previous) : 0
      } else {
        size = node.info.size
      }
      s.cumulative += size
      if (s.minimum < 0 || size < s.minimum) s.minimum = size
      s.count++
      if (s.count === 2) inefficient.push(s)
      return true
    })
  })

  let minimumBytes = 0
  let discoveredBytes = 0
  for (const s of sightings.values()) {
    minimumBytes += s.minimum
    discoveredBytes += s.cumulative
  }
  inefficient.sort((x, y) => y.cumulative - x.cumulative || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
  return {
    efficiency: discoveredBytes === 0 ? 1 : minimumBytes / discoveredBytes,
    minimumBytes,
    discoveredBytes,
    inefficient: inefficient.map((s) => ({path: s.path, count: s.count, bytes: s.cumulative})),
    layerSizes,
  }
}
