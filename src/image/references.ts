/**
 * Image references as tools write them. Docker stores `busybox:latest` for what is really
 * `docker.io/library/busybox:latest`; Podman stores `localhost/busybox:latest` for an image it
 * built or imported. A short NAME:TAG from a user means any of these.
 */
interface Reference {
  /** Registry host, or null when the reference names none. */
  registry: string | null
  repository: string
  tag: string
}

function parse(ref: string): Reference {
  const at = ref.indexOf('@')
  const text = at === -1 ? ref : ref.slice(0, at)
  const colon = text.lastIndexOf(':')
  const hasTag = colon > text.lastIndexOf('/')
  const name = hasTag ? text.slice(0, colon) : text
  const tag = hasTag ? text.slice(colon + 1) : 'latest'
  const slash = name.indexOf('/')
  const first = slash === -1 ? '' : name.slice(0, slash)
  const hasRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost')
  const registry = hasRegistry ? (first === 'index.docker.io' ? 'docker.io' : first) : null
  let repository = hasRegistry ? name.slice(slash + 1) : name
  if ((registry === null || registry === 'docker.io') && !repository.includes('/')) repository = `library/${repository}`
  return {registry, repository, tag}
}

/** Whether an image's stored tag is what the user's reference names. */
export function referenceMatches(stored: string, wanted: string): boolean {
  const s = parse(stored)
  const w = parse(wanted)
  if (s.tag !== w.tag) return false
  const storedRegistry = s.registry ?? 'docker.io'
  if (w.registry !== null) return storedRegistry === w.registry && s.repository === w.repository
  // A short name: Docker Hub's form, or Podman's local one.
  if (storedRegistry === 'docker.io') return s.repository === w.repository
  return storedRegistry === 'localhost' && (s.repository === w.repository || `library/${s.repository}` === w.repository)
}
