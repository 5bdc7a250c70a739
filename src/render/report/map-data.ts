/**
 * The treemap's data: changed bytes summed by directory, so a 50,000-file diff is drawn as at most
 * a few hundred rectangles. The directory depth is the deepest at which the number of directories
 * still fits (MAX_DIRS); past MAX_CELLS the smallest cells of a top-level directory are merged.
 * Runtime files (made by a container, not by the image) are kept apart.
 */
export interface MapEntry {
  path: string
  kind: string
  bytes: number
  runtime: boolean
}

export interface MapCell {
  /** The directory the bytes are under (`/usr/lib`), or `<dir> (smaller)` for merged cells. */
  dir: string
  kind: string
  bytes: number
  files: number
}

export interface MapGroup {
  /** Top-level directory (`/usr`), or `/` for files at the root. */
  name: string
  bytes: number
  cells: MapCell[]
}

export interface MapData {
  kinds: string[]
  /** Directory depth the cells are summed at (1: /usr, 2: /usr/lib, ...). */
  depth: number
  groups: MapGroup[]
  runtime: {bytes: number; files: number; cells: MapCell[]}
  /** Every entry, and those with no bytes (directories, links, metadata-only changes), which have no area. */
  totals: {files: number; bytes: number; empty: number}
}

const MAX_DIRS = 120
const MAX_CELLS = 240
const MAX_DEPTH = 8

function dirOf(path: string, depth: number): string {
  const parts = path.split('/').slice(1, -1)
  return parts.length === 0 ? '/' : '/' + parts.slice(0, depth).join('/')
}

function topOf(dir: string): string {
  const cut = dir.indexOf('/', 1)
  return cut === -1 ? dir : dir.slice(0, cut)
}

export function aggregateMap(entries: MapEntry[], kinds: string[]): MapData {
  const real = entries.filter((e) => !e.runtime)
  const runtime = entries.filter((e) => e.runtime)
  const sized = real.filter((e) => e.bytes > 0)
  // The deepest level that still fits, and no deeper than the paths go.
  let deepest = 1
  for (const e of sized) deepest = Math.max(deepest, e.path.split('/').length - 2)
  let depth = 1
  for (let d = 2; d <= Math.min(MAX_DEPTH, deepest); d++) {
    const dirs = new Set<string>()
    for (const e of sized) {
      dirs.add(dirOf(e.path, d))
      if (dirs.size > MAX_DIRS) break
    }
    if (dirs.size > MAX_DIRS) break
    depth = d
  }
  const groups = new Map<string, MapGroup>()
  const cells = new Map<string, MapCell>()
  for (const e of sized) {
    const dir = dirOf(e.path, depth)
    const key = `${dir}\u0000${e.kind}`
    let cell = cells.get(key)
    if (!cell) {
      cell = {dir, kind: e.kind, bytes: 0, files: 0}
      cells.set(key, cell)
      const name = topOf(dir)
      let group = groups.get(name)
      if (!group) groups.set(name, (group = {name, bytes: 0, cells: []}))
      group.cells.push(cell)
    }
    cell.bytes += e.bytes
    cell.files++
    groups.get(topOf(dir))!.bytes += e.bytes
  }
  const sortedGroups = [...groups.values()].sort((x, y) => y.bytes - x.bytes)
  for (const g of sortedGroups) g.cells.sort((x, y) => y.bytes - x.bytes)
  mergeSmallest(sortedGroups)
  const runtimeCells = runtime.filter((e) => e.bytes > 0).map((e) => ({dir: e.path, kind: e.kind, bytes: e.bytes, files: 1}))
  return {
    kinds,
    depth,
    groups: sortedGroups,
    runtime: {bytes: runtime.reduce((n, e) => n + e.bytes, 0), files: runtime.length, cells: runtimeCells},
    totals: {files: real.length, bytes: sized.reduce((n, e) => n + e.bytes, 0), empty: real.length - sized.length},
  }
}

/** Past MAX_CELLS, the smallest cells of each group become one cell per kind. */
function mergeSmallest(groups: MapGroup[]): void {
  const all = groups.flatMap((g) => g.cells).sort((x, y) => y.bytes - x.bytes)
  if (all.length <= MAX_CELLS) return
  const keep = new Set(all.slice(0, MAX_CELLS))
  for (const g of groups) {
    const merged = new Map<string, MapCell>()
    const kept: MapCell[] = []
    for (const c of g.cells) {
      if (keep.has(c)) {
        kept.push(c)
        continue
      }
      let m = merged.get(c.kind)
      if (!m) merged.set(c.kind, (m = {dir: `${g.name} (smaller)`, kind: c.kind, bytes: 0, files: 0}))
      m.bytes += c.bytes
      m.files += c.files
    }
    g.cells = [...kept, ...merged.values()].sort((x, y) => y.bytes - x.bytes)
  }
}
