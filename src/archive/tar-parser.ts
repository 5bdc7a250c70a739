import {type MemberHeader} from './member-header.js'

/**
 * A synchronous tar reader for the scanning hot path. tar-stream hands out a stream and a promise
 * per member, which costs more than hashing the bytes when a layer holds tens of thousands of small
 * files; this one calls back per header and per body chunk as bytes are pushed, with no
 * allocation per member beyond its header. It reads what layer tars contain: ustar and GNU
 * headers, PAX extended headers (long names, large sizes), GNU long names, base-256 numbers.
 * Writing, and the rare second passes, still use tar-stream.
 */
export interface TarVisitor {
  /** A member's header. Its body (header.size bytes) follows through `body`. */
  header(h: MemberHeader, offset: number): void
  body(chunk: Buffer): void
  /** The member's body is complete. */
  end(): void
}

const BLOCK = 512

const TYPES: Record<string, string> = {
  '0': 'file',
  '\0': 'file',
  '7': 'contiguous-file',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
}

export class TarParseError extends Error {}

export class TarParser {
  private pending: Buffer | null = null
  private state: 'header' | 'body' | 'padding' | 'meta' | 'done' = 'header'
  private remaining = 0
  private padding = 0
  private offset = 0
  private headerOffset = 0
  private zeroBlocks = 0
  private metaType = ''
  private metaParts: Buffer[] = []
  private pax: Record<string, string> = {}
  private longName?: string
  private longLink?: string
  /** Members read so far (for messages). */
  count = 0
  lastName = ''

  constructor(private readonly visitor: TarVisitor) {}

  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk
    this.pending = null
    let pos = 0
    while (pos < buf.length) {
      if (this.state === 'done') {
        this.offset += buf.length - pos
        return
      }
      if (this.state === 'body' || this.state === 'meta') {
        const n = Math.min(this.remaining, buf.length - pos)
        const part = buf.subarray(pos, pos + n)
        if (this.state === 'body') this.visitor.body(part)
        else this.metaParts.push(Buffer.from(part))
        pos += n
        this.offset += n
        this.remaining -= n
        if (this.remaining === 0) this.finishEntry()
        continue
      }
      if (this.state === 'padding') {
        const n = Math.min(this.padding, buf.length - pos)
        pos += n
        this.offset += n
        this.padding -= n
        if (this.padding === 0) this.state = 'header'
        continue
      }
      // A header: needs a whole block.
      if (buf.length - pos < BLOCK) {
        this.pending = Buffer.from(buf.subarray(pos))
        return
      }
      this.readHeader(buf.subarray(pos, pos + BLOCK))
      pos += BLOCK
      this.offset += BLOCK
    }
  }

  /** The input ended: fine only at a member boundary (after the end blocks, or, leniently, without them). */
  end(): void {
    if (this.state === 'done') return
    if (this.state !== 'header' || (this.pending && this.pending.length > 0)) {
      throw new TarParseError(`Unexpected end of data${this.lastName ? ` in '${this.lastName}'` : ''}`)
    }
  }

  private readHeader(block: Buffer): void {
    if (isZero(block)) {
      // Two zero blocks end the archive; what follows is padding that is hashed, not parsed.
      if (++this.zeroBlocks >= 2) this.state = 'done'
      return
    }
    this.zeroBlocks = 0
    if (!checksumOk(block)) throw new TarParseError('Invalid tar header (bad checksum)')
    const flag = String.fromCharCode(block[156])
    const size = readNumber(block, 124, 12)
    if (!Number.isSafeInteger(size) || size < 0) throw new TarParseError('Invalid tar header (unreadable size field)')
    this.headerOffset = this.offset
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > 16 * 1024 * 1024) throw new TarParseError('Invalid tar header (extended header too large)')
      this.metaType = flag
      this.metaParts = []
      this.remaining = size
      this.padding = (BLOCK - (size % BLOCK)) % BLOCK
      this.state = 'meta'
      if (size === 0) this.finishEntry()
      return
    }
    const ustar = block.toString('latin1', 257, 263)
    let name = text(block, 0, 100)
    if (ustar === 'ustar\0') {
      const prefix = text(block, 345, 155)
      if (prefix) name = `${prefix}/${name}`
    }
    const pax = this.pax
    const h: MemberHeader = {
      name: pax.path ?? this.longName ?? name,
      type: TYPES[flag] ?? 'file',
      mode: readNumber(block, 100, 8),
      uid: pax.uid === undefined ? readNumber(block, 108, 8) : Number(pax.uid),
      gid: pax.gid === undefined ? readNumber(block, 116, 8) : Number(pax.gid),
      size: pax.size === undefined ? size : Number(pax.size),
      mtime: pax.mtime === undefined ? readNumber(block, 136, 12) : Math.floor(Number(pax.mtime)),
      linkname: pax.linkpath ?? this.longLink ?? text(block, 157, 100),
      devmajor: readNumber(block, 329, 8),
      devminor: readNumber(block, 337, 8),
    }
    this.pax = {}
    this.longName = undefined
    this.longLink = undefined
    if (!Number.isSafeInteger(h.size) || h.size < 0) throw new TarParseError('Invalid tar header (unreadable size field)')
    // Only regular files carry a body (a hard link's size field is 0 or ignored).
    const bodySize = h.type === 'link' || h.type === 'symlink' || h.type === 'directory' ? 0 : h.size
    this.count++
    this.lastName = h.name
    this.visitor.header(h, this.headerOffset)
    this.remaining = bodySize
    this.padding = (BLOCK - (bodySize % BLOCK)) % BLOCK
    this.state = 'body'
    if (bodySize === 0) this.finishEntry()
  }

  private finishEntry(): void {
    if (this.state === 'meta') {
      const data = Buffer.concat(this.metaParts)
      this.metaParts = []
      if (this.metaType === 'x') this.pax = parsePax(data)
      else if (this.metaType === 'L') this.longName = text(data, 0, data.length)
      else if (this.metaType === 'K') this.longLink = text(data, 0, data.length)
    } else {
      this.visitor.end()
    }
    this.state = this.padding > 0 ? 'padding' : 'header'
  }
}

/** True when a block is a tar header (ustar magic or a valid checksum) or an end block: a tar starts here. */
export function looksLikeTar(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false
  const b = Buffer.from(block.buffer, block.byteOffset, BLOCK)
  return isZero(b) || b.toString('latin1', 257, 262) === 'ustar' || checksumOk(b)
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false
  return true
}

function checksumOk(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8)
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 32 : block[i]
    unsigned += b
    signed += b > 127 ? b - 256 : b
  }
  return stored === unsigned || stored === signed
}

/** A NUL-terminated field. Names are UTF-8 in practice; invalid bytes become U+FFFD. */
function text(block: Buffer, start: number, length: number): string {
  let end = start
  while (end < start + length && block[end] !== 0) end++
  return block.toString('utf8', start, end)
}

/** An octal field, or GNU base-256 when the high bit of the first byte is set. */
function readNumber(block: Buffer, start: number, length: number): number {
  if (block[start] & 0x80) {
    if (block[start] === 0xff) return Number.NaN // negative: never valid here
    let n = block[start] & 0x7f
    for (let i = start + 1; i < start + length; i++) n = n * 256 + block[i]
    return n
  }
  let n = 0
  let seen = false
  for (let i = start; i < start + length; i++) {
    const c = block[i]
    if (c === 0 || (c === 0x20 && seen)) break
    if (c === 0x20) continue
    if (c < 0x30 || c > 0x37) return Number.NaN
    n = n * 8 + (c - 0x30)
    seen = true
  }
  return n
}

/** PAX records: "<length> <key>=<value>\n", repeated. */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {}
  let pos = 0
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos)
    if (space === -1) break
    const length = Number.parseInt(data.toString('latin1', pos, space), 10)
    if (!Number.isSafeInteger(length) || length <= 0 || pos + length > data.length) break
    const record = data.toString('utf8', space + 1, pos + length - 1)
    const eq = record.indexOf('=')
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1)
    pos += length
  }
  return out
}
