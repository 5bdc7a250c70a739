/**
 * src/archive/tar-reader.ts's header check: Go's archive/tar takes a header whose checksum is the
 * unsigned sum of its bytes or the signed one (old tars summed signed chars), the checksum field
 * counted as spaces, and nothing else. The headers are made here byte by byte, with a name of
 * bytes above 127 so that the two sums differ.
 */
import {describe, expect, it} from 'vitest'
import {TarReader, type TarVisitor} from '../../src/archive/tar-reader.js'

function header(sum: 'unsigned' | 'signed' | 'wrong', high = false): Buffer {
  const b = Buffer.alloc(512)
  Buffer.from([0x63, 0xe9, 0xe8, 0xff, 0x80]).copy(b, 0) // 'c' and four bytes above 127
  // Or every byte of the name, link name, prefix and the block's tail at 255: the most the sums can hold.
  if (high) for (const [from, to] of [[1, 100], [157, 257], [345, 512]]) b.fill(0xff, from, to)
  b.write('0000644\0', 100, 'latin1')
  b.write('0000000\0', 108, 'latin1')
  b.write('0000000\0', 116, 'latin1')
  b.write('00000000000\0', 124, 'latin1')
  b.write('00000000000\0', 136, 'latin1')
  b.write('0', 156, 'latin1')
  b.write('ustar\u000000', 257, 'latin1')
  if (high) b.fill(0xff, 265, 329)
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < 512; i++) {
    const v = i >= 148 && i < 156 ? 32 : b[i]
    unsigned += v
    signed += v > 127 ? v - 256 : v
  }
  expect(signed).not.toBe(unsigned)
  const value = sum === 'unsigned' ? unsigned : sum === 'signed' ? signed : unsigned + 1
  b.write(value.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
  return b
}

function names(tar: Buffer): string[] {
  const seen: string[] = []
  const visitor: TarVisitor = {header: (m) => seen.push(m.name), body: () => {}, end: () => {}}
  const reader = new TarReader(visitor)
  reader.push(tar)
  reader.end()
  return seen
}

describe("a tar header's checksum, as Go checks it", () => {
  for (const sum of ['unsigned', 'signed'] as const) {
    it(`the ${sum} sum is taken`, () => {
      expect(names(Buffer.concat([header(sum), Buffer.alloc(1024)]))).toHaveLength(1)
    })
  }

  it('any other value is no header', () => {
    expect(() => names(Buffer.concat([header('wrong'), Buffer.alloc(1024)]))).toThrow(/bad checksum/)
  })

  // The sums are taken four bytes at a time where the block starts at a multiple of 4 in its
  // buffer, a byte at a time elsewhere: both ways must agree, up to headers of bytes at 255.
  for (const high of [false, true]) {
    it(`wherever the block lies in its buffer${high ? ', its bytes at 255' : ''}`, () => {
      for (let at = 0; at < 4; at++) {
        const place = (tar: Buffer) => {
          const b = Buffer.from(new ArrayBuffer(tar.length + 8), at, tar.length)
          tar.copy(b)
          return b
        }
        for (const sum of ['unsigned', 'signed'] as const) expect(names(place(Buffer.concat([header(sum, high), Buffer.alloc(1024)]))), `${sum} at ${at}`).toHaveLength(1)
        expect(() => names(place(Buffer.concat([header('wrong', high), Buffer.alloc(1024)]))), `wrong at ${at}`).toThrow(/bad checksum/)
      }
    })
  }
})
