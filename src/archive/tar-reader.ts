import {decodeName} from './tar-names.js'
import {isHeaderOnly, type TarMember} from './tar-member.js'

/**
 * A synchronous, push-fed tar reader that reads what Go's archive/tar reads, the way it reads it
 * (Docker unpacks layers with Go's reader, so this decides what a layer holds):
 * - v7, ustar, star and GNU headers, checked by their checksum; numbers in octal or base-256
 *   (signed); PAX records (path, linkpath, uid, gid, size, mtime with fractions, SCHILY.xattr.*);
 *   GNU long names and links; PAX global headers are members of type 'g';
 * - links, symlinks, directories, devices and fifos have no body whatever their size field says;
 * - GNU sparse files (PAX 0.0, 0.1, 1.0 and old GNU 'S') come out at their real size and name,
 *   holes as zeros.
 * The visitor hears each member's header, then its content in chunks, then its end. Nothing is
 * allocated per member beyond its header, so tens of thousands of small files cost little.
 */
export interface TarVisitor {
  /** A member. Its content (member.size bytes, holes filled for sparse files) follows through `body`. */
  header(member: TarMember, headerOffset: number): void
  /**
   * For a reader that skips bodies (`skipBodies`): whether this member's content is wanted after
   * all (a small document). Asked after `header`; a skipped member gets no `body`, only `end`.
   */
  wantsBody?(member: TarMember): boolean
  body(chunk: Buffer): void
  /** The member's content is complete. */
  end(): void
}

export class TarFormatError extends Error {}

const BLOCK = 512
/** Go's cap on PAX and GNU long-name records. */
const MAX_SPECIAL = 1024 * 1024
const ZEROS = Buffer.alloc(1024 * 1024)

type State = 'header' | 'special' | 'sparse-map' | 'old-sparse' | 'body' | 'padding' | 'done'

export interface TarReaderOptions {
  /**
   * Stop at each member's content instead of reading it (unless the visitor wants it): `push`
   * then returns how much it took, and `skip()` says how many bytes to jump. For reading the
   * structure of a file by seeking, without reading what it holds.
   */
  skipBodies?: boolean
}

export class TarReader {
  private pending: Buffer | null = null
  private state: State = 'header'
  private offset = 0
  private remaining = 0
  private padding = 0
  /** The padding of the member that just ended, to tell "no padding read yet" at the end of input. */
  private paddingTotal = 0
  private zeroBlocks = 0
  /** The header being completed (before its body starts), and where it began. */
  private current?: TarMember
  private headerOffset = 0
  private special?: {flag: string; parts: Buffer[]; name: string}
  private pax: Map<string, Buffer> | null = null
  private longName?: string
  private longLink?: string
  private sparseBlocks: Buffer[] = []
  private sparseNeeded = 0
  /** Sparse body: regions still to fill and the logical position reached. */
  private regions: Array<[number, number]> | null = null
  private logical = 0
  private regionLeft = 0
  /** Members read so far, and the last one's name (for messages). */
  count = 0
  lastName = ''

  private skipping = false

  constructor(
    private readonly visitor: TarVisitor,
    private readonly options: TarReaderOptions = {},
  ) {}

  /** Whether the reader stands at content it will not read (skip mode): the caller jumps it with `skip()`. */
  get atSkippedBody(): boolean {
    return this.skipping
  }

  get finished(): boolean {
    return this.state === 'done'
  }

  /** Jump the skipped content: the member ends; returns the bytes of content and of padding to pass over. */
  skip(): {body: number; padding: number} {
    if (!this.skipping) return {body: 0, padding: 0}
    const jumped = {body: this.remaining, padding: this.padding}
    this.offset += jumped.body + jumped.padding
    this.remaining = 0
    this.padding = 0
    this.skipping = false
    this.regions = null
    this.current = undefined
    this.visitor.end()
    this.enterPadding()
    return jumped
  }

  /** Feed bytes. Returns how many were taken: all of them, except in skip mode at a skipped body. */
  push(chunk: Buffer): number {
    let buf = chunk
    const carried = this.pending ? this.pending.length : 0
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk])
      this.pending = null
    }
    let pos = 0
    while (pos < buf.length) {
      if (this.skipping) return pos - carried
      switch (this.state) {
        case 'done': {
          this.offset += buf.length - pos
          return chunk.length
        }

        case 'body': {
          const n = Math.min(this.remaining, buf.length - pos)
          if (this.regions) this.sparseBody(buf.subarray(pos, pos + n))
          else this.visitor.body(buf.subarray(pos, pos + n))
          pos += n
          this.offset += n
          this.remaining -= n
          if (this.remaining === 0) this.finishBody()
          continue
        }

        case 'special': {
          const n = Math.min(this.remaining, buf.length - pos)
          this.special!.parts.push(Buffer.from(buf.subarray(pos, pos + n)))
          pos += n
          this.offset += n
          this.remaining -= n
          if (this.remaining === 0) this.finishSpecial()
          continue
        }

        case 'padding': {
          const n = Math.min(this.padding, buf.length - pos)
          pos += n
          this.offset += n
          this.padding -= n
          if (this.padding === 0) this.state = 'header'
          continue
        }

        default: {
          // header, sparse-map and old-sparse need whole blocks.
          if (buf.length - pos < BLOCK) {
            this.pending = Buffer.from(buf.subarray(pos))
            return chunk.length
          }
          const block = buf.subarray(pos, pos + BLOCK)
          pos += BLOCK
          this.offset += BLOCK
          if (this.state === 'header') this.readHeader(block)
          else if (this.state === 'sparse-map') this.readSparseMapBlock(block)
          else this.readOldSparseBlock(block)
        }
      }
    }
    return chunk.length
  }

  /** The input ended. Like Go: fine at a member boundary (with or without end blocks), else truncated. */
  end(): void {
    if (this.state === 'done') return
    const partial = this.pending !== null && this.pending.length > 0
    if (this.state === 'header' && !partial) return
    // Go's reader also accepts an archive that stops exactly where a member's padding would start.
    if (this.state === 'padding' && !partial && this.padding === this.paddingTotal) return
    throw new TarFormatError(`unexpected end of data${this.lastName ? ` in '${this.lastName}'` : ''}`)
  }

  private readHeader(block: Buffer): void {
    if (isZero(block)) {
      if (++this.zeroBlocks >= 2) this.state = 'done'
      return
    }
    if (this.zeroBlocks > 0) throw new TarFormatError('invalid tar header (a zero block followed by data)')
    if (this.pax === null && this.longName === undefined && this.longLink === undefined) this.headerOffset = this.offset - BLOCK
    const format = formatOf(block)
    if (format === 'unknown') throw new TarFormatError('invalid tar header (bad checksum)')
    const p = new Fields(block)
    let flag = String.fromCharCode(block[156])
    let name = p.string(0, 100)
    let linkname = p.string(157, 100)
    let size = p.numeric(124, 12, 'size')
    const mode = p.numeric(100, 8, 'mode')
    let uid = p.numeric(108, 8, 'uid')
    let gid = p.numeric(116, 8, 'gid')
    let mtime = p.numeric(136, 12, 'mtime')
    let devmajor = 0
    let devminor = 0
    if (format !== 'v7') {
      devmajor = p.numeric(329, 8, 'devmajor')
      devminor = p.numeric(337, 8, 'devminor')
      let prefix = ''
      if (format === 'ustar') prefix = p.string(345, 155)
      else if (format === 'star') {
        prefix = p.string(345, 131)
        p.numeric(476, 12, 'atime')
        p.numeric(488, 12, 'ctime')
      } else if (!gnuTimesOk(block)) {
        // Go's fallback for pre-1.8 Go writers: unreadable GNU times mean a ustar prefix.
        const s = p.string(345, 155)
        if (/^[\x00-\x7f]*$/.test(s)) prefix = s
      }
      if (prefix) name = `${prefix}/${name}`
    }
    if (p.failed) throw new TarFormatError(`invalid tar header for '${name}' (unreadable ${p.failed} field)`)
    const bodySize = isHeaderOnly(flag) ? 0 : size
    if (bodySize < 0) throw new TarFormatError(`invalid tar header for '${name}' (negative size)`)

    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (bodySize > MAX_SPECIAL) throw new TarFormatError(`invalid tar header for '${name}' (extended header larger than 1 MiB)`)
      this.special = {flag, parts: [], name}
      this.remaining = bodySize
      this.padding = pad(bodySize)
      this.state = 'special'
      if (bodySize === 0) this.finishSpecial()
      return
    }

    // A real member: fold in the extended records, as Go's mergePAX does.
    const pax = this.pax ?? new Map<string, Buffer>()
    let xattrs: Record<string, string> | undefined
    for (const [k, raw] of pax) {
      if (raw.length === 0) continue
      const v = raw.toString('latin1')
      switch (k) {
        case 'path': {
          name = decodeName(raw)
          break
        }

        case 'linkpath': {
          linkname = decodeName(raw)
          break
        }

        case 'uid': {
          uid = paxInt(v, name)
          break
        }

        case 'gid': {
          gid = paxInt(v, name)
          break
        }

        case 'size': {
          size = paxInt(v, name)
          break
        }

        case 'mtime': {
          mtime = paxTime(v, name)
          break
        }

        case 'atime':
        case 'ctime': {
          paxTime(v, name)
          break
        }

        default: {
          if (k.startsWith('SCHILY.xattr.')) (xattrs ??= {})[k.slice('SCHILY.xattr.'.length)] = raw.toString('hex')
        }
      }
    }
    if (this.longName !== undefined && this.longName !== '') name = this.longName
    if (this.longLink !== undefined && this.longLink !== '') linkname = this.longLink
    this.pax = null
    this.longName = undefined
    this.longLink = undefined
    if (flag === '\0') flag = name.endsWith('/') ? '5' : '0'
    const stored = isHeaderOnly(flag) ? 0 : size
    if (stored < 0) throw new TarFormatError(`invalid tar header for '${name}' (negative size)`)
    const member: TarMember = {name, typeflag: flag, mode, uid, gid, size, mtime, linkname, devmajor, devminor, dataOffset: this.offset, storedSize: stored}
    if (xattrs) member.xattrs = xattrs
    this.current = member
    this.remaining = stored
    this.padding = pad(stored)

    if (flag === 'S') {
      this.startOldSparse(block, format)
      return
    }
    const map = sparsePax(pax, member)
    if (map === 'v1') {
      // The map is the first blocks of the data.
      if (isHeaderOnly(flag)) throw new TarFormatError(`invalid tar header for '${name}' (sparse link)`)
      this.sparseBlocks = []
      this.sparseNeeded = 1
      this.state = 'sparse-map'
      return
    }
    if (map) this.setSparse(map)
    this.startBody()
  }

  private finishSpecial(): void {
    const {flag, parts, name} = this.special!
    const data = Buffer.concat(parts)
    this.special = undefined
    this.enterPadding()
    if (flag === 'L') this.longName = decodeName(data, 0, nulAt(data))
    else if (flag === 'K') this.longLink = decodeName(data, 0, nulAt(data))
    else if (flag === 'x') this.pax = parsePax(data, name)
    else {
      // A global header is a member of its own in Go's reader (Docker ignores it, mostly).
      const records = parsePax(data, name)
      const path = records.get('path')
      const member: TarMember = {
        name: path && path.length > 0 ? decodeName(path) : name,
        typeflag: 'g',
        mode: 0,
        uid: 0,
        gid: 0,
        size: 0,
        mtime: 0,
        linkname: '',
        devmajor: 0,
        devminor: 0,
        dataOffset: this.offset,
        storedSize: 0,
      }
      this.pax = null
      this.longName = undefined
      this.longLink = undefined
      this.emitHeader(member)
      this.visitor.end()
    }
  }

  private readSparseMapBlock(block: Buffer): void {
    this.sparseBlocks.push(Buffer.from(block))
    this.remaining -= BLOCK
    if (this.remaining < 0) throw new TarFormatError(`'${this.current!.name}': sparse map runs past the data`)
    const text = Buffer.concat(this.sparseBlocks).toString('latin1')
    const lines = text.split('\n')
    const complete = lines.length - 1
    if (complete < 1) return
    const n = goInt(lines[0])
    if (n === null || n < 0) throw new TarFormatError(`'${this.current!.name}': bad sparse map`)
    if (complete < 1 + 2 * n) return
    const regions: Array<[number, number]> = []
    for (let i = 0; i < n; i++) {
      const o = goInt(lines[1 + 2 * i])
      const l = goInt(lines[2 + 2 * i])
      if (o === null || l === null) throw new TarFormatError(`'${this.current!.name}': bad sparse map`)
      regions.push([o, l])
    }
    const member = this.current!
    member.dataOffset = this.offset
    member.storedSize = this.remaining
    this.setSparse(regions)
    this.startBody()
  }

  private startOldSparse(block: Buffer, format: string): void {
    const member = this.current!
    if (format !== 'gnu') throw new TarFormatError(`invalid tar header for '${member.name}' (sparse member not in GNU format)`)
    const p = new Fields(block)
    member.size = p.numeric(483, 12, 'real size')
    const regions: Array<[number, number]> = []
    this.oldSparseEntries(p, block, 386, 4, regions)
    this.sparseCollected = regions
    if (block[482] > 0) {
      this.state = 'old-sparse'
      return
    }
    this.finishOldSparse()
  }

  private sparseCollected: Array<[number, number]> = []

  private oldSparseEntries(p: Fields, block: Buffer, at: number, count: number, into: Array<[number, number]>): void {
    for (let i = 0; i < count; i++) {
      const o = at + 24 * i
      if (block[o] === 0) break
      into.push([p.numeric(o, 12, 'sparse offset'), p.numeric(o + 12, 12, 'sparse length')])
    }
    if (p.failed) throw new TarFormatError(`invalid sparse header for '${this.current!.name}'`)
  }

  private readOldSparseBlock(block: Buffer): void {
    this.oldSparseEntries(new Fields(block), block, 0, 21, this.sparseCollected)
    if (block[504] > 0) return
    this.finishOldSparse()
  }

  private finishOldSparse(): void {
    this.current!.dataOffset = this.offset
    this.setSparse(this.sparseCollected)
    this.sparseCollected = []
    this.startBody()
  }

  private setSparse(regions: Array<[number, number]>): void {
    const member = this.current!
    let end = 0
    for (const [o, l] of regions) {
      if (o < 0 || l < 0 || o + l > member.size || o < end) throw new TarFormatError(`'${member.name}': sparse map is out of order or past the file's size`)
      end = o + l
    }
    member.sparse = regions
    this.regions = regions.filter(([, l]) => l > 0)
    this.logical = 0
    this.regionLeft = 0
  }

  private emitHeader(member: TarMember): void {
    this.count++
    this.lastName = member.name
    this.visitor.header(member, this.headerOffset)
  }

  private startBody(): void {
    const member = this.current!
    this.current = undefined
    this.emitHeader(member)
    this.current = member
    this.state = 'body'
    if (this.remaining === 0) this.finishBody()
    else if (this.options.skipBodies && !this.visitor.wantsBody?.(member)) this.skipping = true
  }

  /** Stored bytes of a sparse file: placed at their regions, the holes before them filled with zeros. */
  private sparseBody(chunk: Buffer): void {
    let pos = 0
    while (pos < chunk.length) {
      if (this.regionLeft === 0) {
        const next = this.regions!.shift()
        if (!next) throw new TarFormatError(`'${this.current!.name}': sparse file has more data than its map`)
        this.zeros(next[0] - this.logical)
        this.regionLeft = next[1]
      }
      const n = Math.min(this.regionLeft, chunk.length - pos)
      this.visitor.body(chunk.subarray(pos, pos + n))
      pos += n
      this.regionLeft -= n
      this.logical += n
    }
  }

  private zeros(n: number): void {
    let left = n
    while (left > 0) {
      const k = Math.min(left, ZEROS.length)
      this.visitor.body(ZEROS.subarray(0, k))
      left -= k
    }
    this.logical += n
  }

  private finishBody(): void {
    const member = this.current!
    if (this.regions) {
      if (this.regionLeft > 0 || this.regions.length > 0) throw new TarFormatError(`'${member.name}': sparse file has less data than its map`)
      this.zeros(member.size - this.logical)
      this.regions = null
    }
    this.current = undefined
    this.visitor.end()
    this.enterPadding()
  }

  private enterPadding(): void {
    this.paddingTotal = this.padding
    this.state = this.padding > 0 ? 'padding' : 'header'
  }
}

/** Bytes to the next block boundary. */
function pad(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false
  return true
}

function nulAt(b: Buffer): number {
  const i = b.indexOf(0)
  return i === -1 ? b.length : i
}

type Format = 'v7' | 'ustar' | 'star' | 'gnu' | 'unknown'

/**
 * The header's bytes summed, the checksum field (bytes 148-155) left out, and how many of them are
 * above 127, packed as sum << 10 | count (the count is at most 504). Every header is summed, so
 * this is hot: four bytes at a time, in lanes (two 16-bit lanes per word for the sums, four 8-bit
 * lanes for the top bits, none of which can overflow in 128 words), about twice as fast as a byte
 * loop. The block must start at a multiple of 4 bytes in its buffer.
 */
function wordSums(block: Buffer): number {
  const words = new Uint32Array(block.buffer, block.byteOffset, BLOCK / 4)
  let even = 0
  let odd = 0
  let top = 0
  for (let i = 0; i < BLOCK / 4; i++) {
    if (i === 37) i = 39
    const w = words[i]
    even += w & 0x00ff00ff
    odd += (w >>> 8) & 0x00ff00ff
    top += (w >>> 7) & 0x01010101
  }
  const sum = (even & 0xffff) + (even >>> 16) + (odd & 0xffff) + (odd >>> 16)
  const high = (top & 0xff) + ((top >>> 8) & 0xff) + ((top >>> 16) & 0xff) + (top >>> 24)
  return (sum << 10) | high
}

/** The same, a byte at a time, for a block anywhere in its buffer. */
function byteSums(block: Buffer): number {
  let sum = 0
  let high = 0
  for (let i = 0; i < BLOCK; i++) {
    if (i === 148) i = 156
    sum += block[i]
    high += block[i] >> 7
  }
  return (sum << 10) | high
}

/** Go's getFormat: the checksum decides whether this is a header at all, the magic which kind. */
function formatOf(block: Buffer): Format {
  const f = new Fields(block)
  const stored = f.octal(148, 8, 'checksum')
  if (f.failed) return 'unknown'
  // Both of Go's sums at once (the checksum field counts as spaces): the signed one is the
  // unsigned one less 256 for every byte above 127.
  const sums = block.byteOffset % 4 === 0 ? wordSums(block) : byteSums(block)
  const unsigned = 8 * 32 + (sums >>> 10)
  const signed = unsigned - 256 * (sums & 0x3ff)
  if (stored !== unsigned && stored !== signed) return 'unknown'
  if (holds(block, 257, 'ustar\0')) return holds(block, 508, 'tar\0') ? 'star' : 'ustar'
  if (holds(block, 257, 'ustar  \0')) return 'gnu'
  return 'v7'
}

/** Whether the block has these (ASCII) bytes at `at`: compared in place, no string made per header. */
function holds(block: Buffer, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (block[at + i] !== text.charCodeAt(i)) return false
  return true
}

function gnuTimesOk(block: Buffer): boolean {
  const f = new Fields(block)
  if (block[345] !== 0) f.numeric(345, 12, 'atime')
  if (block[357] !== 0) f.numeric(357, 12, 'ctime')
  return !f.failed
}

/** True when a block is a tar header (valid checksum) or an end block: a tar starts here. */
export function looksLikeTar(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false
  const b = Buffer.from(block.buffer, block.byteOffset, BLOCK)
  return isZero(b) || formatOf(b) !== 'unknown'
}

/** Header fields read as Go's parser reads them; an unreadable number names its field in `failed`. */
class Fields {
  failed: string | false = false

  constructor(private readonly block: Buffer) {}

  string(start: number, length: number): string {
    let end = start
    while (end < start + length && this.block[end] !== 0) end++
    return decodeName(this.block, start, end)
  }

  /** Octal, or base-256 (two's complement) when the first byte's high bit is set. */
  numeric(start: number, length: number, field: string): number {
    const b = this.block
    if (b[start] & 0x80) {
      const negative = (b[start] & 0x40) !== 0
      let x = 0n
      for (let i = start; i < start + length; i++) {
        let c = negative ? b[i] ^ 0xff : b[i]
        if (i === start) c &= 0x7f
        if (x >> 56n > 0n) {
          this.failed ||= field
          return 0
        }
        x = (x << 8n) | BigInt(c)
      }
      if (x >> 63n > 0n) {
        this.failed ||= field
        return 0
      }
      return Number(negative ? -x - 1n : x)
    }
    return this.octal(start, length, field)
  }

  /** Go's parseOctal: spaces and NULs trimmed at both ends, then the digits up to a NUL. */
  octal(start: number, length: number, field: string): number {
    const b = this.block
    let s = start
    let e = start + length
    while (s < e && (b[s] === 0x20 || b[s] === 0)) s++
    while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0)) e--
    let n = 0
    for (let i = s; i < e; i++) {
      const c = b[i]
      if (c === 0) break
      if (c < 0x30 || c > 0x37) {
        this.failed ||= field
        return 0
      }
      n = n * 8 + (c - 0x30)
    }
    return n
  }
}

/** Go's strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits only. */
function goInt(s: string): number | null {
  return /^[+-]?\d+$/.test(s) ? Number(s) : null
}

function paxInt(v: string, name: string): number {
  const n = goInt(v)
  if (n === null) throw new TarFormatError(`invalid PAX number '${v}' for '${name}'`)
  return n
}

/** Go's parsePAXTime, rounded down to whole seconds: "-1.5" is 1.5 s before the epoch, so -2. */
function paxTime(v: string, name: string): number {
  const m = /^([+-]?\d*)(?:\.(\d*))?$/.exec(v)
  if (!m || (m[1] === '' || m[1] === '+' || m[1] === '-') || (v.includes('.') && m[2] === undefined)) {
    throw new TarFormatError(`invalid PAX time '${v}' for '${name}'`)
  }
  const secs = Number(m[1])
  const fraction = (m[2] ?? '').slice(0, 9)
  const hasFraction = /[1-9]/.test(fraction)
  return m[1].startsWith('-') && hasFraction ? secs - 1 : secs
}

/** PAX records as Go's parsePAX reads them (GNU sparse 0.0 offsets gathered into GNU.sparse.map). */
function parsePax(data: Buffer, name: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const sparse: string[] = []
  let pos = 0
  const bad = () => new TarFormatError(`invalid PAX record in the extended header before '${name}'`)
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos)
    if (space === -1) throw bad()
    const lenText = data.toString('latin1', pos, space)
    const n = goInt(lenText)
    if (n === null || n < 5 || pos + n > data.length || n <= lenText.length + 1) throw bad()
    if (data[pos + n - 1] !== 0x0a) throw bad()
    const record = data.subarray(space + 1, pos + n - 1)
    const eq = record.indexOf(0x3d)
    if (eq === -1) throw bad()
    const key = record.toString('utf8', 0, eq)
    const value = record.subarray(eq + 1)
    if (key === '' || key.includes('=')) throw bad()
    if (['path', 'linkpath', 'uname', 'gname'].includes(key) ? value.includes(0) : key.includes('\0')) throw bad()
    if (key === 'GNU.sparse.offset' || key === 'GNU.sparse.numbytes') {
      const want = sparse.length % 2 === 0 ? 'GNU.sparse.offset' : 'GNU.sparse.numbytes'
      if (key !== want || value.includes(0x2c)) throw bad()
      sparse.push(value.toString('latin1'))
    } else {
      out.set(key, Buffer.from(value))
    }
    pos += n
  }
  if (sparse.length > 0) out.set('GNU.sparse.map', Buffer.from(sparse.join(',')))
  return out
}

/** The sparse map of a PAX GNU sparse file (0.0 and 0.1 in the records; 'v1' when it heads the data), or null. */
function sparsePax(pax: Map<string, Buffer>, member: TarMember): Array<[number, number]> | 'v1' | null {
  const get = (k: string) => pax.get(k)?.toString('latin1') ?? ''
  const major = get('GNU.sparse.major')
  const minor = get('GNU.sparse.minor')
  let v1: boolean
  if (major === '0' && (minor === '0' || minor === '1')) v1 = false
  else if (major === '1' && minor === '0') v1 = true
  else if (major !== '' || minor !== '') return null
  else if (get('GNU.sparse.map') !== '') v1 = false
  else return null
  const realName = pax.get('GNU.sparse.name')
  if (realName && realName.length > 0) member.name = decodeName(realName)
  const size = get('GNU.sparse.size') || get('GNU.sparse.realsize')
  if (size !== '') member.size = paxInt(size, member.name)
  if (v1) return 'v1'
  const count = goInt(get('GNU.sparse.numblocks'))
  if (count === null || count < 0) throw new TarFormatError(`'${member.name}': bad GNU.sparse.numblocks`)
  const list = get('GNU.sparse.map') === '' ? [] : get('GNU.sparse.map').split(',')
  if (list.length !== 2 * count) throw new TarFormatError(`'${member.name}': GNU.sparse.map does not match numblocks`)
  const regions: Array<[number, number]> = []
  for (let i = 0; i < list.length; i += 2) {
    const o = goInt(list[i])
    const l = goInt(list[i + 1])
    if (o === null || l === null) throw new TarFormatError(`'${member.name}': bad GNU.sparse.map`)
    regions.push([o, l])
  }
  return regions
}
