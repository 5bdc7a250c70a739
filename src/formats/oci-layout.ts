import {BadArchiveError, UsageError} from '../errors.js'
import {type Image} from '../image/model.js'
import {type Members} from './members.js'
import {type ReadOptions} from './options.js'
import {parsePlatform} from './platform.js'

interface Descriptor {
  mediaType?: string
  digest?: string
  annotations?: Record<string, string>
  platform?: {os?: string; architecture?: string; variant?: string}
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
])

/** OCI image layout (skopeo oci-archive, buildah, umoci): index.json -> manifest -> config + layers. */
export function readOciLayout(m: Members, options: ReadOptions): Image[] {
  const {value: index} = m.json<{manifests?: Descriptor[] | null}>('index.json', 'index.json')
  const top = onePlatform(m, descriptors(m, index?.manifests, 'index.json'), options.platform)
  if (top.length === 0) throw new BadArchiveError(m.path, 'index.json lists no image')
  const images: Image[] = []
  for (const desc of top) {
    const chosen = INDEX_TYPES.has(desc.mediaType ?? '') ? pickPlatform(m, desc, options.platform) : desc
    if (!chosen || isAttestation(chosen)) continue
    if (options.platform && chosen.platform && !platformMatches(chosen.platform, options.platform)) continue
    images.push(readManifest(m, chosen, tagsOf(desc, chosen), options))
  }
  if (images.length === 0) {
    throw new UsageError(`${m.path}: no image${options.platform ? ` for platform ${options.platform}` : ''} in index.json`)
  }
  return images
}

/** A list of descriptors, each an object: anything else is named as the broken part. */
function descriptors(m: Members, list: unknown, where: string): Descriptor[] {
  if (list === null || list === undefined) return []
  if (!Array.isArray(list)) throw new BadArchiveError(m.path, `${where}: 'manifests' is not a list`)
  list.forEach((d, i) => {
    if (!d || typeof d !== 'object' || Array.isArray(d)) throw new BadArchiveError(m.path, `${where}: entry ${i + 1} is not a descriptor`)
  })
  return list as Descriptor[]
}

function blobName(m: Members, digest: string | undefined, what: string): string {
  const match = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest ?? '')
  if (!match) throw new BadArchiveError(m.path, `${what} has no valid digest ('${digest ?? ''}')`)
  return `blobs/${match[1]}/${match[2]}`
}

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || d.platform?.os === 'unknown'
}

function platformText(p: Descriptor['platform']): string {
  return [p?.os, p?.architecture, p?.variant].filter(Boolean).join('/')
}

function platformMatches(p: NonNullable<Descriptor['platform']>, wanted: string): boolean {
  const want = parsePlatform(wanted)
  return p.os === want.os && p.architecture === want.architecture && (!want.variant || p.variant === want.variant)
}

/** From a nested index: --platform, else linux/amd64, else the only image in it. */
function pickPlatform(m: Members, desc: Descriptor, wanted: string | undefined): Descriptor | undefined {
  const {value: nested} = m.json<{manifests?: Descriptor[] | null}>(blobName(m, desc.digest, 'index'), 'nested index')
  const list = descriptors(m, nested?.manifests, `nested index ${desc.digest}`).flatMap((d) =>
    INDEX_TYPES.has(d.mediaType ?? '') ? [pickPlatform(m, d, wanted)].filter((x): x is Descriptor => Boolean(x)) : [d],
  ).filter((d) => !isAttestation(d))
  if (wanted) return list.find((d) => d.platform && platformMatches(d.platform, wanted))
  const amd64 = list.find((d) => d.platform?.os === 'linux' && d.platform.architecture === 'amd64')
  if (amd64) return amd64
  if (list.length === 1) return list[0]
  if (list.length === 0) return undefined
  throw new UsageError(
    `${m.path}: the index holds several platforms (${list.map((d) => platformText(d.platform)).join(', ')}); pick one with --platform`,
  )
}

/**
 * index.json itself may list one image for several platforms (no nested index): then, as for a
 * nested one, --platform picks, else linux/amd64, else it is the user's choice. Several images of
 * one platform (several tags) are all kept.
 */
function onePlatform(m: Members, top: Descriptor[], wanted: string | undefined): Descriptor[] {
  const platforms = new Set(top.filter((d) => d.platform && !isAttestation(d) && !INDEX_TYPES.has(d.mediaType ?? '')).map((d) => platformText(d.platform)))
  if (wanted || platforms.size < 2) return top
  const amd64 = top.filter((d) => !d.platform || (d.platform.os === 'linux' && d.platform.architecture === 'amd64'))
  if (amd64.some((d) => d.platform)) return amd64
  throw new UsageError(`${m.path}: index.json lists several platforms (${[...platforms].join(', ')}); pick one with --platform`)
}

function tagsOf(...descs: Descriptor[]): string[] {
  for (const d of descs) {
    const a = d.annotations ?? {}
    const name = a['io.containerd.image.name'] ?? a['org.opencontainers.image.ref.name']
    if (name) return [name]
  }
  return []
}

function readManifest(m: Members, desc: Descriptor, repoTags: string[], options: ReadOptions): Image {
  const {value: manifest} = m.json<{config?: Descriptor; layers?: Descriptor[]}>(blobName(m, desc.digest, 'manifest'), 'manifest')
  if (!manifest?.config || typeof manifest.config !== 'object' || !Array.isArray(manifest.layers) || manifest.layers.some((l) => !l || typeof l !== 'object')) {
    throw new BadArchiveError(m.path, `manifest ${desc.digest} has no config or layers`)
  }
  const {value: config, bytes} = m.json<Record<string, unknown>>(blobName(m, manifest.config.digest, 'config'), 'config')
  const diffIds = (config?.rootfs as {diff_ids?: unknown} | undefined)?.diff_ids
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) {
    throw new BadArchiveError(m.path, `manifest ${desc.digest} lists ${manifest.layers.length} layers but its config has ${Array.isArray(diffIds) ? diffIds.length : 'no'} diff_ids`)
  }
  const layers = manifest.layers.map((l, i) => m.layer(blobName(m, l.digest, `layer ${i + 1}`), i, String(diffIds[i]), options.verify))
  return m.imageFromConfig('oci-layout', config, bytes, layers, repoTags)

}
