import {type FileEntry, type Layer} from './model.js'
import {parentOf} from './paths.js'

/** A file of the flattened filesystem, with the layer (index, oldest first) that last wrote it. */
export interface FlatEntry extends FileEntry {
  layer: number
}

/**
 * The merged view of layers applied in order, oldest first (formats.md, "Applying layers").
 * Kept as a path map plus a children index so a whiteout of a big tree costs the tree's size,
 * not the whole filesystem's.
 */
export class FlatFs {
  readonly entries = new Map<string, FlatEntry>()
  private readonly children = new Map<string, Set<string>>()
  /**
   * When set, every path that apply() adds, replaces or removes is recorded here with the entry it
   * had before its first change (undefined: it did not exist), so a caller can update a count.
   */
  touched?: Map<string, FlatEntry | undefined>

  private touch(path: string): void {
    if (this.touched && !this.touched.has(path)) this.touched.set(path, this.entries.get(path))
  }

  static of(layers: Layer[]): FlatFs {
    const fs = new FlatFs()
    layers.forEach((l, i) => fs.apply(l.files, i))
    return fs
  }

  apply(files: FileEntry[], layer: number): void {
    // Whiteouts hide what lower layers had, wherever the marker stands in this layer's tar.
    for (const f of files) if (f.whiteout === 'opaque' && !f.hostile) this.removeChildren(f.path)
    for (const f of files) if (f.whiteout === 'delete' && !f.hostile) this.remove(f.path)
    // Entries are taken as they are (no copy per file): a FileEntry belongs to one layer, so
    // stamping its layer index on it is the same every time that layer is applied.
    for (const f of files) {
      if (f.whiteout || f.hostile) continue
      const entry = f as FlatEntry
      entry.layer = layer
      this.add(entry)
    }
  }

  get(path: string): FlatEntry | undefined {
    return this.entries.get(path)
  }

  /** Entries in path order. */
  sorted(): FlatEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  private add(entry: FlatEntry): void {
    const existing = this.entries.get(entry.path)
    if (existing && existing.type === 'dir' && entry.type !== 'dir') this.removeChildren(entry.path)
    if (entry.type === 'hardlink' && entry.linkTarget) {
      // A hard link names a path from the image root, possibly written by a lower layer.
      const target = this.entries.get(entry.linkTarget)
      if (target && target.digest) {
        entry.digest = target.digest
        entry.size = target.size
      }
    }
    this.touch(entry.path)
    this.entries.set(entry.path, entry)
    const parent = parentOf(entry.path)
    let siblings = this.children.get(parent)
    if (!siblings) this.children.set(parent, (siblings = new Set()))
    siblings.add(entry.path)
  }

  private remove(path: string): void {
    this.removeChildren(path)
    this.touch(path)
    if (this.entries.delete(path)) this.children.get(parentOf(path))?.delete(path)
  }

  private removeChildren(dir: string): void {
    const kids = this.children.get(dir)
    if (!kids) return
    this.children.delete(dir)
    for (const kid of kids) {
      this.removeChildren(kid)
      this.touch(kid)
      this.entries.delete(kid)
    }
  }
}
