import {BadArchiveError} from '../errors.js'
import {type Image} from '../image/model.js'
import {type Members} from './members.js'
import {type ReadOptions} from './options.js'

interface ManifestEntry {
  Config?: unknown
  RepoTags?: unknown
  Layers?: unknown
  Parent?: unknown
}

/**
 * `docker save` since 1.10 (and skopeo, bazel, kaniko, Docker 25+): manifest.json lists each
 * image's config and layer files. When Docker 25+ also wrote an OCI layout, manifest.json wins
 * (25.x wrote a wrong layer order into the OCI manifest).
 */
export function readDockerSave(m: Members, options: ReadOptions): Image[] {
  const {value: manifest} = m.json<unknown>('manifest.json', 'manifest.json')
  if (manifest === null) throw new BadArchiveError(m.path, 'manifest.json is null: the archive names no image')
  if (!Array.isArray(manifest)) throw new BadArchiveError(m.path, 'manifest.json is not a list of images')
  if (manifest.length === 0) throw new BadArchiveError(m.path, 'manifest.json lists no image')
  const format = m.has('oci-layout') && m.has('index.json') ? 'docker-save+oci' : 'docker-save'
  const images = manifest.map((raw: ManifestEntry, n) => {
    const where = `manifest.json entry ${n + 1}`
    if (!raw || typeof raw !== 'object' || typeof raw.Config !== 'string' || !Array.isArray(raw.Layers)) {
      throw new BadArchiveError(m.path, `${where} has no Config or Layers`)
    }
    const {value: config, bytes} = m.json<Record<string, unknown>>(raw.Config, `config of ${where}`)
    if (!config || typeof config !== 'object') throw new BadArchiveError(m.path, `config '${raw.Config}' is not an object`)
    const diffIds = (config.rootfs as {diff_ids?: unknown} | undefined)?.diff_ids
    if (!Array.isArray(diffIds)) throw new BadArchiveError(m.path, `config '${raw.Config}' has no rootfs.diff_ids`)
    if (diffIds.length !== raw.Layers.length) {
      throw new BadArchiveError(
        m.path,
        `${where} lists ${raw.Layers.length} layers but its config has ${diffIds.length} diff_ids`,
      )
    }
    const layers = (raw.Layers as unknown[]).map((p, i) => {
      if (typeof p !== 'string') throw new BadArchiveError(m.path, `${where}: layer ${i + 1} is not a file name`)
      return m.layer(p, i, String(diffIds[i]), options.verify)
    })
    const repoTags = Array.isArray(raw.RepoTags) ? raw.RepoTags.filter((t): t is string => typeof t === 'string') : []
    return m.imageFromConfig(format, config, bytes, layers, repoTags)
  })
  linkParents(images, manifest as ManifestEntry[])
  return images
}

/**
 * `docker load` records a manifest entry's Parent when that image is in the archive too, and
 * `docker history` then shows the parent's id on the parent's last step (and so on up the chain).
 */
function linkParents(images: Image[], entries: ManifestEntry[]): void {
  const byId = new Map(images.map((img) => [img.imageId, img]))
  const resolving = new Set<Image>()
  const stepIdsOf = (img: Image): Array<string | null> => {
    if (img.stepIds) return img.stepIds
    const ids: Array<string | null> = img.history.map(() => null)
    if (ids.length > 0) ids[ids.length - 1] = img.imageId
    const parentId = entries[images.indexOf(img)]?.Parent
    const parent = typeof parentId === 'string' ? byId.get(parentId) : undefined
    if (parent && !resolving.has(parent) && parent.history.length < img.history.length) {
      resolving.add(img)
      stepIdsOf(parent).forEach((id, i) => (ids[i] = id))
      resolving.delete(img)
    }
    img.stepIds = ids
    return ids
  }
  for (const img of images) stepIdsOf(img)
}
