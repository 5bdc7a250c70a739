import {encodeName} from './tar-names.js'

/**
 * The one place imgdiff encodes tar headers (every writer goes through it). It writes what Go's
 * archive/tar writes for `docker export` and `docker save`: ustar headers whose mode field carries
 * the file-type bits (0o100644, 0o40755, 0o120777), and a PAX record for anything ustar cannot
 * hold exactly: long or prefix-unsplittable names and link targets, uid/gid above 2097151, sizes
 * from 8 GiB, mtimes before 1970 or past 2242, extended attributes. Numbers are never clamped.
 * Names are the lossless strings of tar-names.ts, written back as the bytes they came from.
 */
export interface TarHeader {
  name: string
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'char' | 'block'
  /** Permission, set-id and sticky bits. */
  mode: number
  uid: number
  gid: number
  /** Content bytes (regular files only). */
  size: number
  /** Seconds since the epoch (may be negative). */
  mtime: number
  /** Symlink target, or the name an earlier hard-link member was written under. */
  linkname?: string
  devmajor?: number
  devminor?: number
  /** Extended attributes: name -> value in hex (written as SCHILY.xattr records). */
  xattrs?: Record<string, string>
}

const FLAG = {file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6'} as const
const TYPE_BITS = {file: 0o100000, hardlink: 0o100000, symlink: 0o120000, char: 0o20000, block: 0o60000, dir: 0o40000, fifo: 0o10000} as const
const BLOCK = 512

/** The header blocks of one member: a PAX extended header first when one is needed. */
export function encodeHeader(h: TarHeader): Buffer {
  const pax: Array<[string, Buffer]> = []
  let name: Buffer = encodeName(h.type === 'dir' && !h.name.endsWith('/') ? h.name + '/' : h.name)
  let prefix: Buffer = Buffer.alloc(0)
  if (name.length > 100) {
    const split = splitUstar(name)
    if (split) [prefix, name] = split
    else {
      pax.push(['path', name])
      name = name.subarray(0, 100)
    }
  }
  let link: Buffer = h.linkname === undefined ? Buffer.alloc(0) : encodeName(h.linkname)
  if (link.length > 100) {
    pax.push(['linkpath', link])
    link = link.subarray(0, 100)
  }
  const num = (key: string, value: number, width: number): number => {
    if (Number.isSafeInteger(value) && value >= 0 && value < 8 ** (width - 1)) return value
    pax.push([key, Buffer.from(String(value))])
    return 0
  }
  const uid = num('uid', h.uid, 8)
  const gid = num('gid', h.gid, 8)
  const size = num('size', h.type === 'file' ? h.size : 0, 12)
  const mtime = num('mtime', h.mtime, 12)
  for (const [key, hex] of Object.entries(h.xattrs ?? {})) pax.push([`SCHILY.xattr.${key}`, Buffer.from(hex, 'hex')])

  const main = ustar({
    name,
    prefix,
    mode: (h.mode & 0o7777) | TYPE_BITS[h.type],
    uid,
    gid,
    size,
    mtime,
    flag: FLAG[h.type],
    link,
    devmajor: h.devmajor ?? 0,
    devminor: h.devminor ?? 0,
  })
  if (pax.length === 0) return main
  const records = Buffer.concat(pax.map(([k, v]) => paxRecord(k, v)))
  const paxName = Buffer.from(`PaxHeaders.0/${h.name.replace(/^.*\//, '').replace(/[^\x20-\x7e]/g, '_')}`.slice(0, 100))
  const head = ustar({name: paxName, prefix: Buffer.alloc(0), mode: 0o644, uid: 0, gid: 0, size: records.length, mtime: 0, flag: 'x', link: Buffer.alloc(0), devmajor: 0, devminor: 0})
  return Buffer.concat([head, records, Buffer.alloc(padding(records.length)), main])
}

/** Zero bytes after `size` bytes of content, to the next block. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK
}

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK)

/** ustar's prefix/name split at a slash, when both parts fit. */
function splitUstar(name: Buffer): [Buffer, Buffer] | null {
  for (let i = Math.min(name.length - 1, 155); i > 0; i--) {
    if (name[i] === 0x2f && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return [name.subarray(0, i), name.subarray(i + 1)]
  }
  return null
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')])
  let n = body.length + 1
  while (String(n).length + body.length !== n) n = String(n).length + body.length
  return Buffer.concat([Buffer.from(String(n)), body])
}

interface Fields {
  name: Buffer
  prefix: Buffer
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  flag: string
  link: Buffer
  devmajor: number
  devminor: number
}

function ustar(f: Fields): Buffer {
  const b = Buffer.alloc(BLOCK)
  f.name.copy(b, 0, 0, Math.min(100, f.name.length))
  octal(b, 100, 8, f.mode)
  octal(b, 108, 8, f.uid)
  octal(b, 116, 8, f.gid)
  octal(b, 124, 12, f.size)
  octal(b, 136, 12, f.mtime)
  b.write(f.flag, 156, 'latin1')
  f.link.copy(b, 157, 0, Math.min(100, f.link.length))
  b.write('ustar\u000000', 257, 'latin1')
  device(b, 329, f.devmajor)
  device(b, 337, f.devminor)
  f.prefix.copy(b, 345, 0, Math.min(155, f.prefix.length))
  b.fill(0x20, 148, 156)
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += b[i]
  b.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 'latin1')
  return b
}

/** A NUL-terminated octal field (the caller made sure the value fits). */
function octal(b: Buffer, at: number, width: number, value: number): void {
  b.write(value.toString(8).padStart(width - 1, '0') + '\u0000', at, 'latin1')
}

/** Device numbers have no PAX record: past octal they go in GNU base-256, as Go writes them. */
function device(b: Buffer, at: number, value: number): void {
  if (value >= 0 && value < 8 ** 7) {
    octal(b, at, 8, value)
    return
  }
  let v = BigInt(value)
  for (let i = 7; i >= 0; i--) {
    b[at + i] = Number(v & 0xffn)
    v >>= 8n
  }
  b[at] |= 0x80
}
