/**
 * Member names as Docker turns them into paths. Docker cleans a name (Go's filepath.Clean) and
 * unpacks inside a chroot of the root filesystem, so every name lands inside it: `/etc/x` and
 * `../etc/x` both land at `/etc/x`, `a/./b/../c` at `/a/c`. Names never leave the image root, and
 * flatten never writes anything but these cleaned, relative paths.
 */

/** Go's path.Clean: the shortest equivalent path; "" is ".". */
export function goClean(name: string): string {
  if (name === '') return '.'
  const rooted = name.startsWith('/')
  const out: string[] = []
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop()
      else if (!rooted) out.push('..')
      continue
    }
    out.push(part)
  }
  const body = out.join('/')
  if (rooted) return '/' + body
  return body === '' ? '.' : body
}

/** Where a member name lands inside the chroot: rooted and cleaned, `..` stopping at `/`. */
export function landingPath(name: string): string {
  return plainLanding(name) ?? goClean('/' + name)
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

export function baseName(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1)
}

/** A child path of a directory path. */
export function joinPath(dir: string, name: string): string {
  return dir === '/' ? '/' + name : dir + '/' + name
}

/** A fast path for the common name (`a/b/c`, `./a/b/`): its landing path, or null when it needs goClean. */
const PLAIN = /^(?:\.\/)?(?:[^/.][^/]*\/)*[^/.][^/]*\/?$/
export function plainLanding(name: string): string | null {
  if (!PLAIN.test(name) || name.includes('/.')) return null
  return '/' + name.replace(/^\.\//, '').replace(/\/$/, '')
}
