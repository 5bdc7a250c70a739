/**
 * What a container adds to its filesystem just by existing (Docker's init layer, formats.md item 5;
 * Podman's /run/.containerenv): an export always has these, an image never does. They are counted
 * apart from real changes.
 */
const RUNTIME_PATHS = new Set([
  '/.dockerenv',
  '/etc/hosts',
  '/etc/hostname',
  '/etc/resolv.conf',
  '/etc/mtab',
  '/dev/console',
  '/dev/pts',
  '/dev/shm',
  '/proc',
  '/sys',
  '/run/.containerenv',
])

/** Directories that hold runtime files: their own change is runtime when it is only that. */
const RUNTIME_PARENTS = new Set(['/', '/etc', '/dev', '/run'])

/**
 * A change is a runtime change when it touches a runtime path, or when it is a parent directory of
 * one that was only created or re-stamped (mtime) by the container's init layer.
 */
export function isRuntimeChange(path: string, change: 'added' | 'removed' | 'modified', fields: string[]): boolean {
  if (RUNTIME_PATHS.has(path)) return true
  if (!RUNTIME_PARENTS.has(path)) return false
  return change !== 'modified' || fields.every((f) => f === 'mtime')
}
