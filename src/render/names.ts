/**
 * A path as text for a terminal: as it is when it is printable UTF-8; otherwise quoted, C style,
 * as git quotes paths (`"bad\xff"`, `"tab\there"`), so two names that differ only in bytes that
 * are not text never print alike. Bytes that are not UTF-8 arrive as lone surrogates
 * (archive/tar-names.ts) and print as `\xNN`.
 */
const PLAIN = /^[^\u0000-\u001f\u007f\u0080-\u009f"\\\ud800-\udfff]*$/

export function showPath(path: string): string {
  if (PLAIN.test(path)) return path
  let out = '"'
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i)
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < path.length && (path.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    if (pair) {
      out += path.slice(i, i + 2)
      i++
    } else if (c >= 0xdc80 && c <= 0xdcff) out += `\\x${(c - 0xdc00).toString(16)}`
    else if (c === 0x5c) out += '\\\\'
    else if (c === 0x22) out += '\\"'
    else if (c === 0x09) out += '\\t'
    else if (c === 0x0a) out += '\\n'
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) out += `\\x${c.toString(16).padStart(2, '0')}`
    else out += path[i]
  }
  return out + '"'
}

/** Like showPath, without the quotes: for names inside a longer message. */
export function showText(text: string): string {
  const shown = showPath(text)
  return shown === text ? text : shown.slice(1, -1).replace(/\\"/g, '"')
}
