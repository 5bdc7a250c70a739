/**
 * Tar member names as paths inside an image. Names are cleaned (`./a//b/` -> `/a/b`); a name that
 * is absolute or uses `..` is never resolved into some other path: it is reported as hostile, so a
 * crafted archive cannot make imgdiff compare, or write, something outside the image root.
 */
export interface CleanName {
  path: string
  hostile?: string
}

const PLAIN = /^(?:\.\/)?(?:[^/.][^/]*\/)*[^/.][^/]*\/?$/

export function cleanName(raw: string): CleanName {
  // The common case (`a/b/c`, `./a/b/`) needs no splitting.
  if (PLAIN.test(raw) && !raw.includes('/.')) return {path: '/' + raw.replace(/^\.\//, '').replace(/\/$/, '')}
  const absolute = raw.startsWith('/')
  const parts: string[] = []
  for (const p of raw.split('/')) {
    if (p === '' || p === '.') continue
    if (p !== '..') parts.push(p)
    else if (parts.pop() === undefined) return {path: raw, hostile: `'${raw}' climbs out of the image root with '..'`}
  }
  const path = '/' + parts.join('/')
  // `/` alone (or `./`) is the root itself, which Docker writes in some exports: not hostile.
  if (absolute && parts.length > 0) return {path, hostile: `'${raw}' is an absolute name`}
  return {path}
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}
