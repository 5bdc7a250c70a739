import {BadArchiveError} from '../errors.js'
import {type Image} from '../image/model.js'
import {type Members} from './members.js'
import {type ReadOptions} from './options.js'

interface Descriptor {
  digest?: unknown
}

/**
 * skopeo's `dir:` transport (containers/image's directory layout): one image, its manifest
 * (Docker v2s2 or OCI) as manifest.json, a `version` file, and every blob named by its hex digest.
 * It records no name, so the image is untagged.
 */
export function readSkopeoDir(m: Members, options: ReadOptions): Image[] {
  const {value: manifest} = m.json<{config?: Descriptor; layers?: Descriptor[]}>('manifest.json', 'manifest.json')
  if (!manifest?.config || !Array.isArray(manifest.layers)) throw new BadArchiveError(m.path, 'manifest.json is not an image manifest (no config or layers)')
  const blob = (d: Descriptor | undefined, what: string) => {
    const match = /^sha256:([0-9a-f]{64})$/.exec(typeof d?.digest === 'string' ? d.digest : '')
    if (!match) throw new BadArchiveError(m.path, `${what} has no sha256 digest`)
    return match[1]
  }
  const {value: config, bytes} = m.json<Record<string, unknown>>(blob(manifest.config, 'the config'), 'config')
  const diffIds = (config?.rootfs as {diff_ids?: unknown} | undefined)?.diff_ids
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) {
    throw new BadArchiveError(m.path, `manifest.json lists ${manifest.layers.length} layers but the config has ${Array.isArray(diffIds) ? diffIds.length : 'no'} diff_ids`)
  }
  const layers = manifest.layers.map((l, i) => m.layer(blob(l, `layer ${i + 1}`), i, String(diffIds[i]), options.verify))
  return [m.imageFromConfig('skopeo-dir', config, bytes, layers, [])]
}

/** A manifest.json that is one manifest object (skopeo dir:), not docker save's list. */
export function isSkopeoDir(doc: Buffer | undefined): boolean {
  if (!doc) return false
  const first = doc.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)
  return first === 0x7b
}
