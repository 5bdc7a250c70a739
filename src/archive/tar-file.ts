import {readSync} from 'node:fs'
import {TarFormatError, TarReader, type TarVisitor} from './tar-reader.js'

const CHUNK = 64 * 1024
/** The read buffer of this thread's walks (see walkWith). */
let scratch: Buffer | undefined
/** Enough for a header and most extended headers. */
const HEAD = 4 * 1024

/**
 * Walk the tar that lies in a file at [start, end) by seeking: headers are read, contents are
 * jumped over unless the visitor wants them (small documents; the rest of a chunk already read
 * costs nothing). Reading a 1 GB layer's structure this way touches its headers, not its bytes.
 * Synchronous: it is a series of positioned reads into one buffer, so a visitor that keeps the
 * content it is handed must copy it.
 */
export function walkTarFile(fd: number, start: number, end: number, visitor: TarVisitor): TarReader {
  const reader = new TarReader(visitor, {skipBodies: true})
  walkWith(reader, fd, start, end)
  return reader
}

/** The same with a reader the caller made (skipBodies on), so it can tell how far it got when it fails. */
export function walkWith(reader: TarReader, fd: number, start: number, end: number): void {
  // One buffer for every read: the reader copies what it keeps, and so must a visitor (see above).
  // The thread's own, reused by every walk (walks are synchronous): fresh ones pile up as garbage.
  scratch ??= Buffer.allocUnsafe(CHUNK)
  for (const _ of walkSteps(reader, fd, start, end, scratch)) {
    // Each step is one read; nothing to do between them.
  }
}

/**
 * The same, letting the event loop run every so many reads: a walk of many headers (an export's
 * tens of thousands) then does not hold up what else is being read, such as another archive's
 * layers waiting to be handed to the hashing threads. It reads into a buffer of its own, since
 * other walks run in its pauses.
 */
export async function walkWithPauses(reader: TarReader, fd: number, start: number, end: number, readsBetween = 512): Promise<void> {
  let reads = 0
  for (const _ of walkSteps(reader, fd, start, end, Buffer.allocUnsafe(CHUNK))) {
    if (++reads % readsBetween === 0) await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/** The walk, one read at a time. */
function* walkSteps(reader: TarReader, fd: number, start: number, end: number, scratchBuffer: Buffer): Generator<void> {
  const block = scratchBuffer.subarray(0, Math.min(CHUNK, Math.max(end - start, 1)))
  let buf = block.subarray(0, 0)
  let bufStart = start
  let pos = start
  let jumped = 0
  while (pos < end && !reader.finished) {
    if (pos >= bufStart + buf.length) {
      // Far apart, members' headers are read alone (a chunk would be mostly content never looked
      // at); close together, or when the reader needs more of the same header, a chunk serves many.
      const size = jumped > CHUNK ? HEAD : CHUNK
      const n = readSync(fd, block, 0, Math.min(size, end - pos), pos)
      if (n === 0) break
      buf = block.subarray(0, n)
      bufStart = pos
      yield
    }
    // Small members sit in the chunk already read: a skip within it costs no read.
    const taken = reader.push(buf.subarray(pos - bufStart))
    pos += taken
    jumped = 0
    if (reader.atSkippedBody) {
      const from = pos
      pos = jump(reader, pos, end)
      jumped = pos - from
    }
  }
  reader.end()
}

/**
 * Pass over a skipped member's content. Content the file does not hold is a truncated archive, as
 * Go's reader finds when it reads through; like Go, an archive may stop right after a content.
 */
function jump(reader: TarReader, pos: number, end: number): number {
  const name = reader.lastName
  const {body, padding} = reader.skip()
  const bodyEnd = pos + body
  if (bodyEnd > end || (bodyEnd < end && bodyEnd + padding > end)) throw new TarFormatError(`unexpected end of data in '${name}'`)
  return bodyEnd + padding
}

/** The first `n` bytes at `offset` (to sniff what a member holds). */
export function readAt(fd: number, offset: number, n: number): Buffer {
  const buf = Buffer.alloc(n)
  const got = readSync(fd, buf, 0, n, offset)
  return buf.subarray(0, got)
}
