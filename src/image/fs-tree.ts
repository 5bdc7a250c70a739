import {joinPath} from './paths.js'

/**
 * An in-memory root filesystem with the semantics Docker's unpacking relies on: inodes shared by
 * hard links, directories that know their parent, and path resolution as Linux does it inside a
 * chroot (symlinks followed in every component but, where the call says so, the last; `..` stops
 * at the root; 40 symlinks at most). It holds metadata and content digests, never content.
 *
 * Every path that exists is also in `paths` (its real path, through no symlink), so the common
 * lookup is one map access and the merged view is a map for the comparers.
 */
export type InodeType = 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block'

export interface Inode {
  type: InodeType
  /** Permission, set-id and sticky bits. */
  mode: number
  uid: number
  gid: number
  /** Seconds since the epoch; null: the time Docker unpacked it, which no offline reader can know. */
  mtime: number | null
  /** Content bytes (regular files). */
  size: number
  /** Content hash (regular files). */
  digest?: string
  /** Symlink target as written. */
  target?: string
  devmajor?: number
  devminor?: number
  /** Extended attributes: name -> value in hex. */
  xattrs?: Record<string, string>
  /** Index of the layer (oldest first) whose member last created or changed it. */
  layer: number
  /**
   * The layer member whose content a regular file holds: its layer's index and its index in that
   * layer. Two number fields, not a pair: an array costs 60 bytes more for each file.
   */
  sourceLayer?: number
  sourceIndex?: number
  /**
   * Directories: children by their real path (the string `paths` holds anyway: a name of its own
   * for each of tens of thousands of entries was megabytes), the parent (the root's is itself) and
   * the real path.
   */
  children?: Map<string, Inode>
  parent?: Inode
  path?: string
  /**
   * Non-directories: the real path naming this inode, or the paths when there are several (hard
   * links). One name is the string itself: an array for each file costs 50 bytes more (namesOf).
   */
  names?: string | string[]
}

/**
 * One number for a layer member (layer index, index in the layer), as a map key: layer indexes
 * stay far below 2^20 and member indexes below 2^32, so it is exact and makes no string.
 */
export function memberKey(layer: number, index: number): number {
  return layer * 2 ** 32 + index
}

/** The real paths naming a non-directory inode (none once its last name is removed). */
export function namesOf(node: Inode): string[] {
  return node.names === undefined ? [] : typeof node.names === 'string' ? [node.names] : node.names
}

export type FsErrorCode = 'ENOENT' | 'ENOTDIR' | 'ELOOP' | 'EEXIST' | 'EPERM'

/** A failed filesystem call, worded like Go's *PathError (`open /f/x: not a directory`). */
export class FsError extends Error {
  constructor(
    readonly code: FsErrorCode,
    op: string,
    path: string,
  ) {
    super(`${op} ${path}: ${MESSAGES[code]}`)
  }
}

const MESSAGES: Record<FsErrorCode, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  EEXIST: 'file exists',
  EPERM: 'operation not permitted',
}

const MAX_SYMLINKS = 40

/** Where a path leads: the directory holding its last component, that name, and what is there. */
export interface Lookup {
  dir: Inode
  name: string
  node?: Inode
  /** The real path of `name` in `dir`, when the lookup met it as it is (the path was real). */
  real?: string
}

export class FsTree {
  readonly root: Inode
  /** Every existing real path -> its inode (the root is not listed). */
  readonly paths = new Map<string, Inode>()
  /**
   * When set, called for each path whose inode is about to be created, changed or removed, at every
   * change (the first call for a path sees what it held before), with its inode as it still is
   * (undefined: none): for a caller that keeps a count current, or needs something derived from
   * what a path held, without a copy of every inode a layer touches.
   */
  beforeChange?: (path: string, node: Inode | undefined) => void
  /**
   * The layer being applied (set by startLayer), and which layer last removed each path that went
   * (not kept when the caller says it will not ask: its entries hold on to every removed path).
   */
  layerNow = -1
  readonly removedBy = new Map<string, number>()
  /** Inodes other than regular files and directories that have been given a second name (see startLayer). */
  private readonly linkedOthers = new Set<Inode>()
  /** The last directory dirAt looked up, by its real path (undefined: none, or forgotten). */
  private lastDirPath = ''
  private lastDir: Inode | undefined

  constructor(private readonly keepRemovals = true) {
    this.root = {type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: null, size: 0, layer: -1, children: new Map(), path: '/'}
    this.root.parent = this.root
  }

  /**
   * A layer starts. Docker (vfs, the engine the fidelity answers come from) unpacks each layer into
   * a copy of the one below, made by its DirCopy: a regular file with several names stays one
   * inode, but a symlink, fifo or device node is made anew at each name. So such an inode that a
   * lower layer gave several names is one inode per name from here on, each as it was; what this
   * layer does through one name (a hard link's owner, say) no longer reaches the others.
   */
  startLayer(layer: number): void {
    this.layerNow = layer
    for (const node of this.linkedOthers) {
      const names = namesOf(node)
      for (const name of names.slice(1)) {
        const cut = name.lastIndexOf('/')
        const dir = cut === 0 ? this.root : this.paths.get(name.slice(0, cut))!
        const copy: Inode = {...node, names: name}
        dir.children!.set(name, copy)
        this.changing(name)
        this.paths.set(name, copy)
      }
      if (names.length > 0) node.names = names[0]
    }
    this.linkedOthers.clear()
  }

  /** Resolve `path` (from `start` when relative). `follow`: follow a symlink in the last component too. */
  resolve(path: string, follow: boolean, op: string, start: Inode = this.root, hops = {n: 0}): Lookup {
    // The common case: a real path, no symlink on the way (a hit in `paths` is always right).
    if (start === this.root && path.startsWith('/')) {
      const hit = this.paths.get(path)
      if (hit && (!follow || hit.type !== 'symlink')) {
        const cut = path.lastIndexOf('/')
        const dir = this.dirAt(path, cut)
        if (dir) return {dir, name: path.slice(cut + 1), node: hit, real: path}
      } else if (!hit && isPlainPath(path)) {
        // A new name in a directory already known by its real path: most members of a layer.
        const cut = path.lastIndexOf('/')
        const dir = this.dirAt(path, cut)
        if (dir?.type === 'dir') return {dir, name: path.slice(cut + 1), node: undefined, real: path}
      }
    }
    let dir = path.startsWith('/') ? this.root : start
    const parts = path.split('/').filter((p) => p !== '' && p !== '.')
    if (parts.length === 0) return {dir: dir.parent!, name: '.', node: dir}
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]
      const last = i === parts.length - 1
      if (part === '..') {
        dir = dir.parent!
        if (last) return {dir: dir.parent!, name: '..', node: dir}
        continue
      }
      const child = this.childOf(dir, part)
      if (last && (!child || child.type !== 'symlink' || !follow)) return {dir, name: part, node: child}
      if (!child) throw new FsError('ENOENT', op, path)
      if (child.type === 'symlink') {
        if (++hops.n > MAX_SYMLINKS) throw new FsError('ELOOP', op, path)
        if (!child.target) throw new FsError('ENOENT', op, path)
        const through = this.resolve(child.target, true, op, dir, hops)
        if (last) return through
        if (!through.node) throw new FsError('ENOENT', op, path)
        if (through.node.type !== 'dir') throw new FsError('ENOTDIR', op, path)
        dir = through.node
        continue
      }
      if (child.type !== 'dir') throw new FsError('ENOTDIR', op, path)
      dir = child
    }
    throw new Error('unreachable')
  }

  /**
   * What is at the real path `path` up to `cut` (its parent), from the last one asked when it is
   * the same: a layer's members come directory by directory, and each lookup of a new string in
   * `paths` costs most of an unpacked member. `paths` forgets or replaces it only in add and forget.
   */
  private dirAt(path: string, cut: number): Inode | undefined {
    if (cut === 0) return this.root
    if (this.lastDir !== undefined && cut === this.lastDirPath.length && path.startsWith(this.lastDirPath)) return this.lastDir
    const dirPath = path.slice(0, cut)
    const dir = this.paths.get(dirPath)
    if (dir !== undefined) {
      this.lastDirPath = dirPath
      this.lastDir = dir
    }
    return dir
  }

  /** `paths` is about to change at `path`: a remembered lookup of it is no longer right. */
  private changing(path: string): void {
    if (path === this.lastDirPath) this.lastDir = undefined
  }

  /** Whether the parent of a clean absolute path is itself a real path that exists (lstat of it finds it). */
  hasRealParent(path: string): boolean {
    const cut = path.lastIndexOf('/')
    return cut >= 0 && this.dirAt(path, cut) !== undefined
  }

  /** What lstat(2) finds, or undefined; errors on the way (not a directory, a loop) throw. */
  lstat(path: string, op = 'lstat'): Inode | undefined {
    return this.resolve(path, false, op).node
  }

  get(path: string): Inode | undefined {
    return this.paths.get(path)
  }

  /** The real path of a name in a directory. */
  private pathIn(dir: Inode, name: string): string {
    return joinPath(dir.path!, name)
  }

  /** What a directory holds under a name. */
  childOf(dir: Inode, name: string): Inode | undefined {
    return dir.children!.get(this.pathIn(dir, name))
  }

  /** A directory's entries, by name, in code-unit order. */
  namesIn(dir: Inode): string[] {
    const skip = dir.path === '/' ? 1 : dir.path!.length + 1
    return [...dir.children!.keys()].map((p) => p.slice(skip)).sort()
  }

  /** A directory's contents changed: its mtime becomes the time of unpacking. */
  private changed(dir: Inode): void {
    if (dir.mtime === null) return
    this.touchInode(dir)
    dir.mtime = null
  }

  /**
   * Put a new inode (or another name of an existing one) at `name` in `dir`, which must be free.
   * `real`: its real path when the caller knows it (a string already held costs nothing more).
   */
  add(dir: Inode, name: string, node: Inode, real?: string): void {
    const path = real ?? this.pathIn(dir, name)
    this.touchPath(path, undefined)
    if (node.type === 'dir') {
      node.parent = dir
      node.path = path
      node.children ??= new Map()
    } else {
      this.touchInode(node)
      // A new array of the exact length: one grown by push keeps room for 17 names.
      node.names = node.names === undefined ? path : [...namesOf(node), path]
      if (node.type !== 'file' && Array.isArray(node.names)) this.linkedOthers.add(node)
    }
    dir.children!.set(path, node)
    this.changing(path)
    this.paths.set(path, node)
    this.changed(dir)
  }

  /** Remove `name` from `dir`, with everything under it. */
  remove(dir: Inode, name: string): void {
    const path = this.pathIn(dir, name)
    const node = dir.children!.get(path)
    if (!node) return
    this.forget(node, path)
    dir.children!.delete(path)
    this.changed(dir)
  }

  private forget(node: Inode, path: string): void {
    if (node.children) {
      for (const [childPath, child] of node.children) this.forget(child, childPath)
    }
    this.touchPath(path, node)
    this.changing(path)
    this.paths.delete(path)
    if (this.keepRemovals) this.removedBy.set(path, this.layerNow)
    if (node.names !== undefined) {
      this.touchInode(node)
      const rest = namesOf(node).filter((p) => p !== path)
      node.names = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : rest
    }
  }

  /** Say which paths are about to change (see `beforeChange`). */
  touchInode(node: Inode): void {
    if (!this.beforeChange) return
    if (node.type === 'dir') {
      if (node !== this.root) this.touchPath(node.path!, node)
    } else {
      for (const p of namesOf(node)) this.touchPath(p, node)
    }
  }

  private touchPath(path: string, node: Inode | undefined): void {
    this.beforeChange?.(path, node)
  }

  /** Every path under (not including) a directory, in the order a walk meets them. */
  *walk(dir: Inode = this.root): Generator<[string, Inode]> {
    for (const child of dir.children!.values()) {
      if (child.type === 'dir') {
        yield [child.path!, child]
        yield* this.walk(child)
      }
    }
    for (const [path, child] of dir.children!) if (child.type !== 'dir') yield [path, child]
  }
}

/** An absolute path with no empty, `.` or `..` component: each of its prefixes names a real path or nothing. */
function isPlainPath(path: string): boolean {
  return path.length > 1 && !path.endsWith('/') && !path.includes('//') && !/\/\.\.?(\/|$)/.test(path)
}
