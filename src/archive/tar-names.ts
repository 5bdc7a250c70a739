/**
 * Tar names are bytes. Most are UTF-8; some are not (Latin-1 file names from old systems), and two
 * names that differ only in such bytes are two files. A name is decoded to a string losslessly: valid
 * UTF-8 as text, and each byte of an invalid sequence as a lone surrogate U+DC80..U+DCFF (the
 * "surrogateescape" scheme of Python's os.fsdecode), which encodeName turns back into that byte.
 */

const strict = new TextDecoder('utf-8', {fatal: true})

export function decodeName(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let ascii = true
  for (let i = start; i < end; i++) {
    if (bytes[i] >= 0x80) {
      ascii = false
      break
    }
  }
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end)
  const part = bytes.subarray(start, end)
  try {
    return strict.decode(part)
  } catch {
    return escapeInvalid(part)
  }
}

/** Length of the valid UTF-8 sequence starting at i, or 0 when the byte there starts none. */
function sequenceAt(b: Uint8Array, i: number): number {
  const c = b[i]
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80
  if (c < 0x80) return 1
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0
    const c1 = b[i + 1]
    if (c === 0xe0 && c1 < 0xa0) return 0 // overlong
    if (c === 0xed && c1 >= 0xa0) return 0 // a surrogate
    return 3
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0
    const c1 = b[i + 1]
    if (c === 0xf0 && c1 < 0x90) return 0 // overlong
    if (c === 0xf4 && c1 >= 0x90) return 0 // past U+10FFFF
    return 4
  }
  return 0
}

function escapeInvalid(b: Uint8Array): string {
  let out = ''
  let i = 0
  while (i < b.length) {
    const n = sequenceAt(b, i)
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + b[i])
      i++
    } else {
      out += Buffer.from(b.buffer, b.byteOffset + i, n).toString('utf8')
      i += n
    }
  }
  return out
}

/** The bytes a decoded name stands for. */
export function encodeName(name: string): Buffer {
  if (!/[\ud800-\udfff]/.test(name)) return Buffer.from(name, 'utf8')
  const parts: Buffer[] = []
  let text = ''
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    const paired = c >= 0xd800 && c <= 0xdbff && i + 1 < name.length && (name.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    if (paired) {
      text += name.slice(i, i + 2)
      i++
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      parts.push(Buffer.from(text, 'utf8'), Buffer.from([c - 0xdc00]))
      text = ''
    } else {
      text += name[i]
    }
  }
  parts.push(Buffer.from(text, 'utf8'))
  return Buffer.concat(parts)
}
