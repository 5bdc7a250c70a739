import {type TarHeader} from '../archive/tar-header.js'
import {readLayerMembers} from '../formats/layer-bytes.js'
import {type ContentAt} from '../formats/layer-ranges.js'
import {type FlatFs} from '../image/flatten.js'
import {type Inode, memberKey, namesOf} from '../image/fs-tree.js'
import {type Image} from '../image/model.js'
import {pack, TarOut} from './pack.js'
import {type Producer} from './safe-output.js'

export interface RootfsOptions {
  /** The mtime written where Docker would stamp the time of unpacking (directories it made or changed). */
  unpackTime: number
  /** Filled in when the writing ends: what was written, for the caller to check against its plan. */
  written?: {members: number; contentBytes: number}
  /** Where each file's content lies, when the image's layers hold no entries (formats/layer-walk.ts). */
  contentAt?: ContentAt
}

/**
 * The image's filesystem as one tar, as `docker export` writes it (without the files a container
 * adds): every path once, by its cleaned relative name; the mode field with its file-type bits;
 * a regular file with several names written once and its other names as hard links after it;
 * of the extended attributes, security.capability (the one docker export keeps).
 *
 * Members without content come first, in path order; then the files, in the order their content
 * lies in the layers, so the layers are read once, front to back.
 */
export function writeRootfs(image: Image, flat: FlatFs, options: RootfsOptions): Producer {
  return (sink) => pack(sink, async (out) => {
    // The files each layer member's content goes to: most members have one, kept as the inode itself
    // (an array for each of tens of thousands of files was megabytes at the peak).
    const bySource = new Map<number, Inode | Inode[]>()
    const wanted = new Map<number, Set<number>>()
    for (const path of flat.sortedPaths()) {
      const node = flat.get(path)!
      if (node.type === 'file' && node.size > 0) {
        // Written when its content passes, under its first name.
        if (firstName(node) !== path) continue
        const layer = node.sourceLayer!
        const index = node.sourceIndex!
        const key = memberKey(layer, index)
        const known = bySource.get(key)
        if (known) {
          bySource.set(key, Array.isArray(known) ? [...known, node] : [known, node])
        } else {
          bySource.set(key, node)
          const set = wanted.get(layer) ?? new Set()
          set.add(index)
          wanted.set(layer, set)
        }
        continue
      }
      if (node.type === 'file' && Array.isArray(node.names) && firstName(node) !== path) continue
      writeWhole(out, path, node, options)
      if (node.type === 'file') writeLinks(out, node, options)
      await out.drained()
    }

    // Several files can hold one member's content (hard links into AUFS's .wh..wh.plnk): keep the bytes then.
    let targets: Inode[] = []
    let held: Buffer[] | null = null
    await readLayerMembers(image, wanted, {
      begin(layers, index) {
        targets = layers.flatMap((l) => bySource.get(memberKey(l, index)) ?? [])
        held = targets.length > 1 ? [] : null
        if (targets.length === 1) out.begin(header(firstName(targets[0]), targets[0], options))
      },
      data(chunk) {
        if (held) held.push(Buffer.from(chunk))
        else out.data(chunk)
      },
      end() {
        if (held) {
          const bytes = Buffer.concat(held)
          for (const node of targets) {
            out.begin(header(firstName(node), node, options))
            out.data(bytes)
            out.end()
            writeLinks(out, node, options)
          }
        } else {
          out.end()
          writeLinks(out, targets[0], options)
        }
        targets = []
        held = null
      },
      drained: () => out.drained(),
      reusable: () => out.idle(),
    }, options.contentAt)
    if (options.written) Object.assign(options.written, {members: out.members, contentBytes: out.contentBytes})
  })
}

/** What a flatten of `flat` writes: one member per path, and each file's content once. */
export function rootfsPlan(flat: FlatFs): {members: number; contentBytes: number} {
  let contentBytes = 0
  for (const node of new Set(flat.entries.values())) if (node.type === 'file') contentBytes += node.size
  return {members: flat.entries.size, contentBytes}
}

/** The first of a file's names in path order: the one written with its content. */
function firstName(node: Inode): string {
  return typeof node.names === 'string' ? node.names : [...namesOf(node)].sort()[0]
}

function header(path: string, node: Inode, options: RootfsOptions): TarHeader {
  const h: TarHeader = {
    name: path.slice(1),
    type: node.type,
    mode: node.mode,
    uid: node.uid,
    gid: node.gid,
    size: node.type === 'file' ? node.size : 0,
    mtime: node.mtime ?? options.unpackTime,
  }
  if (node.type === 'symlink') h.linkname = node.target
  if (node.type === 'char' || node.type === 'block') {
    h.devmajor = node.devmajor
    h.devminor = node.devminor
  }
  const cap = node.xattrs?.['security.capability']
  if (cap !== undefined) h.xattrs = {'security.capability': cap}
  return h
}

function writeWhole(out: TarOut, path: string, node: Inode, options: RootfsOptions): void {
  out.begin(header(path, node, options))
  out.end()
}

/** A regular file's other names, as hard links to the name written with its content. */
function writeLinks(out: TarOut, node: Inode, options: RootfsOptions): void {
  if (node.type !== 'file' || !Array.isArray(node.names)) return
  const first = firstName(node)
  for (const name of [...node.names].sort()) {
    if (name === first) continue
    out.begin({...header(name, node, options), type: 'hardlink', size: 0, linkname: first.slice(1)})
    out.end()
  }
}
