import {existsSync} from 'node:fs'

/**
 * What an argument names: a path (a tar file, compressed or not, a fifo, or a directory), stdin,
 * or an image or container in an engine. skopeo's transport names are taken too, so a reference
 * can be pasted from a skopeo command line.
 *
 *   FILE | DIR | -                                  a path, or stdin
 *   docker:NAME[:TAG]|ID   (docker-daemon: too)     an image in the Docker engine
 *   podman:NAME[:TAG]|ID                            an image in Podman (its API socket)
 *   container:ID|NAME, podman-container:ID|NAME     a container's filesystem (as docker export)
 *   oci:DIR[:TAG], dir:DIR                          skopeo's directory transports
 *   docker-archive:FILE[:REF], oci-archive:FILE[:TAG]
 *   FILE@N, FILE@NAME:TAG                           one image of an archive of several
 */
export type SourceSpec =
  | {kind: 'path'; path: string; selector?: string}
  | {kind: 'stdin'}
  | {kind: 'image'; engine: 'docker' | 'podman'; ref: string}
  | {kind: 'container'; engine: 'docker' | 'podman'; ref: string}

const ENGINE_PREFIXES: Record<string, ['image' | 'container', 'docker' | 'podman']> = {
  docker: ['image', 'docker'],
  'docker-daemon': ['image', 'docker'],
  podman: ['image', 'podman'],
  container: ['container', 'docker'],
  'podman-container': ['container', 'podman'],
}

const PATH_PREFIXES = new Set(['oci', 'dir', 'docker-archive', 'oci-archive'])

export function parseSource(arg: string): SourceSpec {
  if (arg === '-') return {kind: 'stdin'}
  // A file that happens to look like a transport is a file.
  if (existsSync(arg)) return {kind: 'path', path: arg}
  const colon = arg.indexOf(':')
  if (colon > 0) {
    const prefix = arg.slice(0, colon)
    const rest = arg.slice(colon + 1)
    const engine = ENGINE_PREFIXES[prefix]
    if (engine) return {kind: engine[0], engine: engine[1], ref: rest}
    if (PATH_PREFIXES.has(prefix)) {
      if (prefix === 'dir') return {kind: 'path', path: rest}
      // skopeo's rule: the path ends at the first colon; what follows names an image in it.
      const at = rest.indexOf(':')
      return at === -1 ? {kind: 'path', path: rest} : {kind: 'path', path: rest.slice(0, at), selector: rest.slice(at + 1)}
    }
  }
  // ARCHIVE@N, ARCHIVE@NAME:TAG: one image of an archive that holds several.
  const at = arg.lastIndexOf('@')
  if (at > 0 && existsSync(arg.slice(0, at))) return {kind: 'path', path: arg.slice(0, at), selector: arg.slice(at + 1)}
  return {kind: 'path', path: arg}
}

/** Whether an argument is a source rather than a command or a mistyped one (for the CLI's first argument). */
export function namesSource(arg: string): boolean {
  const colon = arg.indexOf(':')
  return arg === '-' || existsSync(arg) || (colon > 0 && (arg.slice(0, colon) in ENGINE_PREFIXES || PATH_PREFIXES.has(arg.slice(0, colon))))
}

/** The image an argument names inside its archive (`oci:DIR:TAG`, `FILE@N`), if it names one. */
export function selectorOf(arg: string): string | undefined {
  const spec = parseSource(arg)
  return spec.kind === 'path' ? spec.selector : undefined
}
