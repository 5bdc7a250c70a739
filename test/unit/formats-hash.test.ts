/**
 * src/formats/range-hash.ts: content hashes of files read by offset, through one read buffer that
 * each read refills. Files are placed to end a read with a piece of every kind (a few bytes that
 * the xxh3 hasher keeps until the next piece, a big one it streams, one that ends exactly there),
 * twice in one job and across jobs. Judged by hashing each file's bytes whole: node:crypto for
 * sha256, and the xxh3 library's one-shot call (what the digest is, not how src/ feeds it).
 */
import xxhash from '@node-rs/xxhash'
import {createHash} from 'node:crypto'
import {closeSync, openSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {hashJob, type RangeFile} from '../../src/formats/range-hash.js'
import {cleanup, tempDir} from './support.js'

afterAll(cleanup)

const MB = 1024 * 1024
/** The read size of range-hash.ts: files are placed around its multiples. */
const READ = 4 * MB

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0, x = seed; i < n; i += 4) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0
    b.writeUInt32LE(x, i)
  }
  return b
}

describe('hashJob: every file hashed as its whole bytes, whatever piece a read ends it with', () => {
  const data = bytes(13 * MB, 7)
  const file = path.join(tempDir(), 'ranges.bin')
  writeFileSync(file, data)
  const files: RangeFile[] = [
    {at: 0, stored: READ - 200, size: READ - 200},
    // 100 bytes before the first read ends: a small first piece, kept by the hasher across the next read.
    {at: READ - 100, stored: 50_000, size: 50_000},
    // Begins in the second read and runs past it with a big first piece.
    {at: READ + 100_000, stored: 5 * MB, size: 5 * MB},
    // Ends exactly where the third read ends, then a file of one small piece at the next.
    {at: 3 * READ - 16_000, stored: 16_000, size: 16_000},
    {at: 3 * READ, stored: 10, size: 10},
    // Empty, then one that starts 1 byte before a read's end.
    {at: 3 * READ + 10, stored: 0, size: 0},
    {at: 13 * MB - 1, stored: 1, size: 1},
  ]
  const whole = (f: RangeFile) => data.subarray(f.at, f.at + f.stored)

  for (const kind of ['xxh3', 'sha256'] as const) {
    it(`${kind}, one job`, () => {
      const fd = openSync(file, 'r')
      try {
        const r = hashJob(fd, {start: 0, size: data.length, whole: true, files}, kind)
        const want = files.map((f) => (kind === 'xxh3' ? 'xxh3:' + xxhash.xxh3.xxh64(whole(f)).toString(16).padStart(16, '0') : 'sha256:' + createHash('sha256').update(whole(f)).digest('hex')))
        expect(r.contents).toEqual(want)
        expect(r.sha256).toBe('sha256:' + createHash('sha256').update(data).digest('hex'))
      } finally {
        closeSync(fd)
      }
    })
  }

  it('xxh3, a job per file, one after another on the same buffer', () => {
    const fd = openSync(file, 'r')
    try {
      for (const f of files) {
        const r = hashJob(fd, {start: f.at, size: f.stored, whole: false, files: [f]}, 'xxh3')
        expect(r.contents).toEqual(['xxh3:' + xxhash.xxh3.xxh64(whole(f)).toString(16).padStart(16, '0')])
      }
    } finally {
      closeSync(fd)
    }
  })
})
