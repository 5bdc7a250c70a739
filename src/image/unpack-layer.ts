import {ImgdiffError} from '../errors.js'
import {cleanNameOf} from './file-entry.js'
import {FsError, type FsTree, type Inode, type Lookup} from './fs-tree.js'
import {type FileEntry} from './model.js'
import {baseName, goClean, joinPath, landingPath, parentOf} from './paths.js'

/**
 * Apply one layer to a tree the way Docker does (moby pkg/archive UnpackLayer and createTarFile,
 * run inside a chroot of the root filesystem, reading with Go's archive/tar). Members apply one by
 * one, in tar order:
 * - a missing parent directory is created (MkdirAll, mode 0600, owner 0:0, mtime unknowable; in a
 *   set-group-ID directory, with that bit and the directory's group, as mkdir(2) makes it);
 * - each layer starts from a copy of the one below, in which a symlink, fifo or device node with
 *   several names is one inode per name (FsTree.startLayer);
 * - root-level `.wh..wh.*` names are AUFS bookkeeping: skipped, but regular files under
 *   `.wh..wh.plnk` are kept aside for hard links that point into it (in a temporary directory at
 *   the root, which an opaque marker at the root removes: after one, such a file or link fails);
 * - `.wh..wh..opq` removes every path of its directory not unpacked earlier in this layer;
 * - `.wh.<name>` removes `<name>` (and what is under it) as it stands now;
 * - anything else replaces what is at its path, except a directory over a directory (metadata
 *   only); a hard link is the same inode, and its header's owner, mode and mtime land on it;
 * - directory mtimes are set at the end of the layer; a directory whose contents change without
 *   its own member gets the time of unpacking (null: unknowable);
 * - mtimes outside 1970..2262 become 0 for everything but symlinks (Docker's Chtimes).
 * What Docker refuses (a hard link to a missing name, an unknown type, two members of one path,
 * a parent that is a file...) throws LayerRefusedError, naming the member as Docker's error would.
 */
export class LayerRefusedError extends ImgdiffError {
  constructor(
    readonly layer: number,
    readonly member: string,
    readonly reason: string,
    markers: boolean,
  ) {
    super(
      markers
        ? `layer ${layer + 1}: Docker cannot unpack member '${member}' (${reason}), so docker load refuses this image`
        : `Docker cannot unpack member '${member}' (${reason}), so docker import refuses this tar`,
    )
    this.name = 'LayerRefusedError'
    this.code = 'refused-by-docker'
  }
}

/**
 * Every inode starts from one of these, with its kind's fields in this order: objects of one shape
 * keep their fields in the object itself. Fields added after an object is made go to a second
 * allocation, and a field another kind needs costs 8 bytes: there is an inode per path (a
 * flatten's peak holds 77,000). Unset ones are undefined, which JSON omits.
 */
const FILE: Inode = {type: 'file', mode: 0, uid: 0, gid: 0, mtime: null, size: 0, layer: 0, sourceLayer: undefined, sourceIndex: undefined, digest: undefined, names: undefined, xattrs: undefined}
const DIR: Inode = {type: 'dir', mode: 0, uid: 0, gid: 0, mtime: null, size: 0, layer: 0, children: undefined, parent: undefined, path: undefined, xattrs: undefined}
/** Symlinks, fifos and device nodes. */
const OTHER: Inode = {type: 'symlink', mode: 0, uid: 0, gid: 0, mtime: null, size: 0, layer: 0, target: undefined, names: undefined, xattrs: undefined, devmajor: undefined, devminor: undefined}

const WHITEOUT = '.wh.'
const OPAQUE = '.wh..wh..opq'
const PLNK = '.wh..wh.plnk'
/** Docker's temporary directories, whose names end in random digits no offline reader can know. */
const TEMP = '/temp-docker-extract...'
const PLNK_TEMP = `${TEMP}/dockerplnk...`
/** time.Unix(0, 1<<63-1): past this Docker's Chtimes falls back to the epoch too. */
const MAX_TIME = 9_223_372_036

/** What Chtimes stores for a regular mtime: Docker's clamp to the epoch outside 1970..2262. */
export function clampedMtime(mtime: number): number {
  return mtime < 0 || mtime > MAX_TIME ? 0 : mtime
}

/**
 * What chown(2) of a non-directory does besides the owner (Linux): it drops security.capability,
 * the set-user-ID bit, and the set-group-ID bit when group execute is set. Docker's chmod after
 * it restores the header's mode, except where it skips the chmod (a link to a symlink, a link
 * name lstat cannot find).
 */
function chownDrops(node: Inode): void {
  if (node.xattrs?.['security.capability'] !== undefined) {
    const {'security.capability': _dropped, ...rest} = node.xattrs
    node.xattrs = Object.keys(rest).length > 0 ? rest : undefined
  }
  let mode = node.mode & ~0o4000
  if ((mode & 0o2010) === 0o2010) mode &= ~0o2000
  node.mode = mode
}

/** int64 nanoseconds, as Go's time.UnixNano gives them (it wraps past the years 1678..2262). */
const NS = 1_000_000_000n
/** The oldest time ext4 and XFS store; the kernel clamps an older one to it. */
const FS_MIN_TIME = -(2 ** 31)

/**
 * What a symlink's mtime becomes: Docker sets it with LUtimesNano(UnixNano()), without the clamp
 * Chtimes applies to everything else, so a time past the int64 nanoseconds wraps, and the
 * filesystem clamps what it cannot store (on ext4 and XFS: before 1901-12-13).
 */
function symlinkMtime(mtime: number): number {
  let sec = mtime
  if (Math.abs(mtime) > 9_223_372_036) {
    const whole = Math.floor(mtime)
    const ns = BigInt.asIntN(64, BigInt(whole) * NS + BigInt(Math.round((mtime - whole) * 1e9)))
    // Go's NsecToTimespec: seconds toward zero, then one less when the nanoseconds are negative.
    let s = ns / NS
    if (ns % NS < 0n) s -= 1n
    sec = Number(s)
  }
  return Math.max(sec, FS_MIN_TIME)
}

/** `markers`: whiteout and AUFS names are markers (a layer), or plain names (an export read as it is). */
export function unpackLayer(fs: FsTree, files: FileEntry[], layer: number, markers = true): void {
  const unpack = layerUnpacker(fs, layer, markers)
  for (const e of files) unpack.member(e)
  unpack.end()
}

/** One layer unpacked member by member, in tar order, as its members are read (see LayerUnpack). */
export interface LayerUnpacker {
  member(e: FileEntry): void
  /** The layer's last member has passed: what Docker refuses in it is thrown here. */
  end(): void
}

export function layerUnpacker(fs: FsTree, layer: number, markers = true): LayerUnpacker {
  fs.startLayer(layer)
  return new LayerUnpack(fs, layer, markers)
}

class LayerUnpack implements LayerUnpacker {
  /**
   * Paths (as named by members, through symlinks or not) that this layer unpacked so far: listed,
   * and put in a set only when an opaque marker asks (most layers have none: no hashing per member).
   */
  private readonly unpacked: string[] = []
  private readonly unpackedSet = new Set<string>()
  private inSet = 0
  /** Regular files under /.wh..wh.plnk, by base name: targets for hard links into it. */
  private readonly plnk = new Map<string, [FileEntry, number]>()
  /**
   * Docker unpacks with TMPDIR in a directory it makes at the root (/temp-docker-extract...), and
   * keeps the files under /.wh..wh.plnk there. An opaque marker at the root removes it with the
   * rest, so from then on in this layer such a file, or a link to one, fails.
   */
  private tempGone = false
  /** Directory members: their mtimes are set last. */
  private readonly dirs: FileEntry[] = []
  private readonly seen = new Set<string>()
  private index = 0
  /** The first member whose name an earlier member had, and the first failure of an unpack. */
  private duplicate?: FileEntry
  private failure?: unknown

  constructor(
    private readonly fs: FsTree,
    private readonly layer: number,
    private readonly markers: boolean,
  ) {}

  /**
   * Docker reads the whole layer with tar-split first, which refuses two members of one name: a
   * duplicate anywhere in the layer is what it reports, even after a member it could not unpack.
   * So a failure is kept until the end, and nothing more is unpacked after it.
   */
  member(e: FileEntry): void {
    const index = this.index++
    // Docker's clean name, keyed without making a string for the usual member (its path is its
    // clean name after a slash); the others' keys start with NUL, which no path does.
    const key = e.name === undefined ? e.path : '\0' + e.name
    // One hash of the key, not two (has, then add): a set that does not grow had it already.
    const known = this.seen.size
    if (this.seen.add(key).size === known) this.duplicate ??= e
    if (this.duplicate !== undefined || this.failure !== undefined) return
    try {
      this.apply(e, index)
    } catch (error) {
      this.failure = error instanceof FsError ? this.refusal(e, error.message) : error
    }
  }

  end(): void {
    if (this.duplicate) throw this.refusal(this.duplicate, 'duplicates of file paths not supported')
    if (this.failure !== undefined) throw this.failure
    for (const e of this.dirs) {
      try {
        const node = this.fs.resolve(e.path, true, 'chtimes').node
        if (!node) throw new FsError('ENOENT', 'chtimes', e.path)
        this.setMtime(node, clampedMtime(e.mtime))
      } catch (error) {
        if (error instanceof FsError) this.refuse(e, error.message)
        throw error
      }
    }
  }

  private refusal(e: FileEntry, reason: string): LayerRefusedError {
    return new LayerRefusedError(this.layer, cleanNameOf(e), reason, this.markers)
  }

  private refuse(e: FileEntry, reason: string): never {
    throw this.refusal(e, reason)
  }

  private apply(e: FileEntry, index: number): void {
    // Most members' parent is a real path already there: then MkdirAll has nothing to do.
    if (cleanNameOf(e) !== '/' && !this.fs.hasRealParent(e.path)) this.ensureParent(parentOf(e.path))
    if (e.aufs && this.markers) {
      if (e.type === 'file' && cleanNameOf(e).startsWith(PLNK)) {
        // The first such file makes the directory (MkdirTemp), each one is written into it.
        if (this.tempGone) this.refuse(e, this.plnk.size === 0 ? `stat ${TEMP}: no such file or directory` : `open ${PLNK_TEMP}/${baseName(e.path)}: no such file or directory`)
        this.plnk.set(baseName(e.path), [e, index])
      }
      if (cleanNameOf(e) !== OPAQUE) return
    }
    const base = baseName(e.path)
    if (base.startsWith(WHITEOUT) && this.markers) {
      const dir = parentOf(e.path)
      if (base === OPAQUE) this.opaque(dir)
      else this.removeAll(goClean(joinPath(dir, base.slice(WHITEOUT.length))))
      return
    }
    let existing: Inode | undefined
    let free: Lookup | undefined
    try {
      const at = this.fs.resolve(e.path, false, 'lstat')
      existing = at.node
      // Nothing there: the create below would look up the same (no last symlink to follow or not).
      if (!existing) free = at
    } catch {
      // Docker ignores this lstat's error; the create below meets it again.
    }
    if (existing && !(existing.type === 'dir' && e.type === 'dir')) this.removeAll(e.path)

    let src = e
    let srcIndex = index
    const linked = e.type === 'hardlink' ? goClean(e.linkTarget ?? '') : ''
    if (this.markers && linked.startsWith(PLNK)) {
      // A hard link into the AUFS link directory becomes a new file with that file's content and header.
      const kept = this.plnk.get(baseName(linked))
      if (!kept) this.refuse(e, 'Invalid aufs hardlink')
      if (this.tempGone) this.refuse(e, `open ${PLNK_TEMP}/${baseName(linked)}: no such file or directory`)
      ;[src, srcIndex] = kept
    }
    const node = this.create(e.path, src, srcIndex, free)
    if (node === null) {
      this.unpacked.push(e.path)
      return
    }
    // Lchown, Lsetxattr, then chmod and chtimes unless the inode is a symlink. A new inode has no
    // set-id bit or capability yet; one a hard link names may, and chown(2) drops them (below).
    if (src.type === 'hardlink') chownDrops(node)
    node.uid = src.uid
    node.gid = src.gid
    if (src.xattrs) node.xattrs = {...node.xattrs, ...src.xattrs}
    if (node.type !== 'symlink' && (src.type !== 'hardlink' || this.linkNameFound(src.linkTarget ?? ''))) {
      node.mode = src.mode
      this.setMtime(node, clampedMtime(src.mtime))
    } else if (src.type === 'symlink') {
      this.setMtime(node, symlinkMtime(src.mtime))
    }
    node.layer = this.layer
    if (e.type === 'dir') this.dirs.push(e)
    this.unpacked.push(e.path)
  }

  /**
   * Docker chmods and chtimes a hard link only when lstat(2) of its link name as written (not
   * cleaned: `b/../a` goes through `b`), from the root, finds something that is not a symlink.
   */
  private linkNameFound(linkName: string): boolean {
    try {
      const found = this.fs.lstat('/' + linkName)
      return found !== undefined && found.type !== 'symlink'
    } catch {
      return false
    }
  }

  private setMtime(node: Inode, mtime: number): void {
    if (node.mtime === mtime) return
    this.fs.touchInode(node)
    node.mtime = mtime
  }

  /** createTarFile: the new inode (or the existing one a link or a merged directory names); null for a global header. */
  private create(path: string, e: FileEntry, index: number, free?: Lookup): Inode | null {
    const fs = this.fs
    switch (e.type) {
      case 'global': {
        return null
      }

      case 'other': {
        this.refuse(e, `unhandled tar header type ${(e.typeflag ?? '?').charCodeAt(0)}`)
      }

      case 'dir': {
        const at = free ?? fs.resolve(path, false, 'mkdir')
        if (at.node?.type === 'dir') {
          fs.touchInode(at.node)
          return at.node
        }
        if (at.node) throw new FsError('EEXIST', 'mkdir', path)
        return this.put(at, {...DIR, mode: e.mode, layer: this.layer, children: new Map()}, path, 'mkdir')
      }

      case 'hardlink': {
        const targetPath = landingPath(e.linkTarget ?? '')
        const target = fs.resolve(targetPath, false, 'link').node
        if (!target) throw new FsError('ENOENT', 'link', `${targetPath} ${path}`)
        if (target.type === 'dir') throw new FsError('EPERM', 'link', `${targetPath} ${path}`)
        const at = fs.resolve(path, false, 'link')
        if (at.node) throw new FsError('EEXIST', 'link', `${targetPath} ${path}`)
        fs.touchInode(target)
        fs.add(at.dir, at.name, target, at.real)
        return target
      }

      case 'symlink': {
        if (!e.linkTarget) throw new FsError('ENOENT', 'symlink', ` ${path}`)
        const at = free ?? fs.resolve(path, false, 'symlink')
        return this.put(at, {...OTHER, type: 'symlink', mode: 0o777, target: e.linkTarget, layer: this.layer}, path, 'symlink')
      }

      case 'file': {
        // O_CREAT follows a symlink in the last component (one this layer's lstat did not remove).
        const at = free ?? fs.resolve(path, true, 'open')
        if (at.node) {
          if (at.node.type === 'dir') throw new FsError('EEXIST', 'open', path)
          fs.remove(at.dir, at.name)
        }
        return this.put(at, {...FILE, mode: e.mode, size: e.size, layer: this.layer, sourceLayer: this.layer, sourceIndex: index, digest: e.digest}, path, 'open')
      }

      default: {
        // fifo, char, block: mknod.
        const at = free ?? fs.resolve(path, false, 'mknod')
        const node: Inode = {...OTHER, type: e.type, mode: e.mode, layer: this.layer}
        if (e.type !== 'fifo') {
          node.devmajor = e.devmajor ?? 0
          node.devminor = e.devminor ?? 0
        }
        return this.put(at, node, path, 'mknod')
      }
    }
  }

  private put(at: Lookup, node: Inode, path: string, op: string): Inode {
    if (this.fs.childOf(at.dir, at.name)) throw new FsError('EEXIST', op, path)
    this.fs.add(at.dir, at.name, node, at.real)
    return node
  }

  /** Go's os.MkdirAll(path, 0600), as UnpackLayer calls it for a missing parent. */
  private ensureParent(path: string): void {
    let missing = false
    try {
      missing = this.fs.lstat(path) === undefined
    } catch (error) {
      missing = error instanceof FsError && error.code === 'ENOENT'
    }
    if (missing) this.mkdirAll(path)
  }

  private mkdirAll(path: string): void {
    let found: Inode | undefined
    try {
      found = this.fs.resolve(path, true, 'mkdir').node
    } catch {
      found = undefined
    }
    if (found) {
      if (found.type === 'dir') return
      throw new FsError('ENOTDIR', 'mkdir', path)
    }
    const parent = parentOf(path)
    if (parent !== '/') this.mkdirAll(parent)
    const at = this.fs.resolve(path, false, 'mkdir')
    if (at.node) {
      if (at.node.type === 'dir') return
      throw new FsError('EEXIST', 'mkdir', path)
    }
    // mkdir(2) in a set-group-ID directory gives the new directory that group and that bit too.
    const setgid = at.dir.mode & 0o2000
    this.fs.add(at.dir, at.name, {...DIR, mode: 0o600 | setgid, gid: setgid ? at.dir.gid : 0, layer: this.layer, children: new Map()}, at.real)
  }

  /** Go's os.RemoveAll: a missing path is fine; a path through a non-directory is not. */
  private removeAll(path: string): void {
    let at
    try {
      at = this.fs.resolve(path, false, 'unlinkat')
    } catch (error) {
      if (error instanceof FsError && error.code === 'ENOENT') return
      throw error
    }
    if (!at.node) return
    if (at.node === this.fs.root || at.name === '.' || at.name === '..') throw new FsError('EPERM', 'unlinkat', path)
    this.fs.remove(at.dir, at.name)
  }

  /** The opaque walk: every path under `dir` that this layer did not unpack goes, with its subtree. */
  private opaque(dir: string): void {
    const node = this.fs.lstat(dir, 'lstat')
    if (!node) throw new FsError('ENOENT', 'lstat', dir)
    // filepath.Walk does not follow a symlinked root: nothing happens.
    if (node.type !== 'dir') return
    if (node === this.fs.root) this.tempGone = true
    for (; this.inSet < this.unpacked.length; this.inSet++) this.unpackedSet.add(this.unpacked[this.inSet])
    const walk = (d: Inode, literal: string) => {
      for (const name of this.fs.namesIn(d)) {
        const child = this.fs.childOf(d, name)
        if (!child) continue
        const path = joinPath(literal, name)
        if (!this.unpackedSet.has(path)) this.fs.remove(d, name)
        else if (child.type === 'dir') walk(child, path)
      }
    }
    walk(node, dir)
  }
}
