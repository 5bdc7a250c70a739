import {FsTree, type Inode} from './fs-tree.js'
import {type Layer} from './model.js'
import {layerUnpacker, type LayerUnpacker, unpackLayer} from './unpack-layer.js'

/** What a path of the merged filesystem holds: an inode (hard links share one). */
export type FlatEntry = Inode

/**
 * The filesystem an image unpacks to: its layers applied oldest first, each the way Docker applies
 * it (unpack-layer.ts). `entries` maps every real path to its inode.
 */
export class FlatFs {
  readonly tree: FsTree

  /** `removals`: whether removedIn will be asked (a flatten does not, and is spared the memory). */
  constructor(options: {removals?: boolean} = {}) {
    this.tree = new FsTree(options.removals ?? true)
  }

  static of(layers: Array<Pick<Layer, 'files' | 'markers'>>): FlatFs {
    const fs = new FlatFs()
    layers.forEach((l, i) => fs.apply(l, i))
    return fs
  }

  apply(layer: Pick<Layer, 'files' | 'markers'>, index: number): void {
    unpackLayer(this.tree, layer.files, index, layer.markers !== false)
  }

  /** Apply a layer member by member, as its members are read (no need to hold its entries). */
  applying(layer: Pick<Layer, 'markers'>, index: number): LayerUnpacker {
    return layerUnpacker(this.tree, index, layer.markers !== false)
  }

  get entries(): ReadonlyMap<string, FlatEntry> {
    return this.tree.paths
  }

  get(path: string): FlatEntry | undefined {
    return this.tree.paths.get(path)
  }

  /** See FsTree.beforeChange: each path about to change, with what it holds until then. */
  set beforeChange(value: ((path: string, node: FlatEntry | undefined) => void) | undefined) {
    this.tree.beforeChange = value
  }

  /** The layer (index) that last removed a path no longer there, if one did (and removals are kept). */
  removedIn(path: string): number | undefined {
    return this.tree.removedBy.get(path)
  }

  /** Paths in order (code-unit order, which is byte order for names that are UTF-8). */
  sortedPaths(): string[] {
    return [...this.tree.paths.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  }
}
