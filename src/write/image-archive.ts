import {digestOf, sha256Hex} from '../archive/hash.js'
import {type TarHeader} from '../archive/tar-header.js'
import {UsageError} from '../errors.js'
import {chainIds, knownDiffIds} from '../image/ids.js'
import {type Image, type Layer} from '../image/model.js'
import {type LayerWatcher, type WrittenLayer} from './layer-check.js'
import {EPOCH, pack, type TarOut} from './pack.js'
import {type Producer} from './safe-output.js'
import {forEachMember, seekableFile} from './source-bytes.js'
import {copyChecked, LayerCopier} from './layer-copy.js'

/** The image to write: a config, layers whose bytes live in `source`, and tags. */
export interface NewImage {
  configBytes: Buffer
  layers: Layer[]
  repoTags: string[]
}

/**
 * Which archive family to write. `docker-save` is what Docker 20.10 and current engines load
 * (manifest.json, config, legacy directories, repositories); `oci` is an OCI image layout;
 * `docker-save+oci` is Docker 25+'s shape, both views pointing at the same blobs.
 */
export type Family = 'docker-save' | 'oci' | 'docker-save+oci'

/** The output family follows the input's. */
export function familyOf(image: Image): Family {
  if (image.format === 'oci-layout') return 'oci'
  if (image.format === 'docker-save+oci') return 'docker-save+oci'
  return 'docker-save'
}

/**
 * Whether the image's layers must be read in full before they are copied. A docker save output
 * names layers by directory and needs only each layer's diff_id, which the config gives and the
 * copy checks (write/verify.ts); OCI outputs name blobs by digest and media type, known only from
 * a full read, as are the diff_ids of an archive whose config does not list them (legacy v1).
 */
export function needsFullRead(image: Image, family: Family): boolean {
  return family !== 'docker-save' || image.layers.some((l) => l.diffId === '')
}

const LAYER_MEDIA: Record<string, string> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
}

function hex(digest: string | null): string {
  // A new image's layers come from an image, whose digests are all read (only an export's can be unread).
  if (digest === null) throw new UsageError('a layer without its digest cannot be written')
  return digest.replace(/^sha256:/, '')
}

/** Legacy directory names: the source's v1 ids where it had them, else derived from the chain id. */
function legacyIds(layers: Layer[]): string[] {
  const chains = chainIds(knownDiffIds(layers))
  const seen = new Set<string>()
  return layers.map((l, i) => {
    let id = l.v1Id && !seen.has(l.v1Id) ? l.v1Id : sha256Hex(`imgdiff v1 ${chains[i]}`)
    if (seen.has(id)) id = sha256Hex(`imgdiff v1 ${chains[i]} ${i}`)
    seen.add(id)
    return id
  })
}

function ociManifest(image: NewImage): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(image.configBytes), size: image.configBytes.length},
      layers: image.layers.map((l) => {
        const mediaType = LAYER_MEDIA[l.compression]
        if (!mediaType) throw new UsageError(`layer ${l.diffId} is ${l.compression}-compressed, which an OCI layout cannot name; write a docker save instead`)
        return {mediaType, digest: l.digest, size: l.size}
      }),
    }),
  )
}

function ociIndex(image: NewImage, manifest: Buffer): Buffer {
  const tag = image.repoTags[0]
  const annotations = tag ? {'io.containerd.image.name': tag, 'org.opencontainers.image.ref.name': tag.slice(tag.lastIndexOf(':') + 1)} : undefined
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digestOf(manifest), size: manifest.length, ...(annotations ? {annotations} : {})}],
    }),
  )
}

/**
 * Stream a new image archive, copying layer bytes from the source archive as they pass.
 * `written` receives, per source member, the blob digest and diff_id of the bytes as they went
 * into the output: the layers are verified from these (write/verify.ts), without reading them
 * back and without a full read of the source before.
 */
export function writeImageArchive(
  source: Pick<Image, 'path' | 'reopen' | 'compression'>,
  image: NewImage,
  family: Family,
  written = new Map<string, WrittenLayer>(),
  /** What else sees each source member's bytes as they are copied (write/unpack-check.ts). */
  watch?: (member: string) => LayerWatcher,
): Producer {
  return (sink) => pack(sink, async (out) => {
    const withOci = family !== 'docker-save'
    const withDocker = family !== 'oci'
    const configHex = sha256Hex(image.configBytes)
    const config = JSON.parse(image.configBytes.toString('utf8')) as Record<string, unknown>
    const ids = legacyIds(image.layers)
    // Where each source member's bytes go: the first path holds them; a layer used twice gets its
    // own legacy directory with a symlink (as Docker writes it), or shares its OCI blob.
    const targets = new Map<string, string[]>()
    const layerPaths = image.layers.map((l, i) => {
      const own = withOci ? `blobs/sha256/${hex(l.digest)}` : `${ids[i]}/layer.tar`
      const paths = targets.get(l.member!) ?? []
      if (!paths.includes(own) && (paths.length === 0 || !withOci)) paths.push(own)
      targets.set(l.member!, paths)
      // docker-save lists each layer's own directory (its layer.tar a symlink to the first copy); OCI shares the blob.
      return withOci ? paths[0] : own
    })

    if (withOci) {
      await out.dir('blobs/')
      await out.dir('blobs/sha256/')
      await out.file(`blobs/sha256/${configHex}`, image.configBytes)
      const manifest = ociManifest(image)
      await out.file(`blobs/sha256/${sha256Hex(manifest)}`, manifest)
      await out.file('oci-layout', JSON.stringify({imageLayoutVersion: '1.0.0'}))
      await out.file('index.json', ociIndex(image, manifest))
    } else {
      await out.file(`${configHex}.json`, image.configBytes)
    }
    if (withDocker && !withOci) await writeLegacyDirs(out, image, ids, config)

    const ranges = new Map(image.layers.map((l) => [l.member!, {offset: l.offset, size: l.size}]))
    // Each source member's bytes go to its first path, checked on the way; the rest link to it.
    const place = async (member: string, copy: (header: TarHeader) => Promise<WrittenLayer>) => {
      const paths = targets.get(member)!
      targets.delete(member)
      written.set(member, await copy({name: paths[0], size: ranges.get(member)!.size, mode: 0o644, uid: 0, gid: 0, mtime: EPOCH, type: 'file'}))
      for (const extra of paths.slice(1)) await out.symlink(extra, '../'.repeat(extra.split('/').length - 1) + paths[0])
    }
    const file = seekableFile(source, ranges)
    if (file === null) {
      await forEachMember(source, new Set(ranges.keys()), (member, body) => place(member, (header) => copyChecked(out, header, body, watch?.(member))))
    } else {
      const copier = new LayerCopier(file, out)
      try {
        for (const [member, r] of ranges) await place(member, (header) => copier.copy(header, r.offset!, r.size, watch?.(member)))
      } finally {
        copier.close()
      }
    }
    if (targets.size > 0) throw new Error(`the source archive no longer holds ${[...targets.keys()].join(', ')}`)

    if (withDocker) {
      const configName = withOci ? `blobs/sha256/${configHex}` : `${configHex}.json`
      await out.file('manifest.json', JSON.stringify([{Config: configName, RepoTags: image.repoTags, Layers: layerPaths}]))
      if (!withOci) {
        const repos: Record<string, Record<string, string>> = {}
        for (const t of image.repoTags) {
          const at = t.lastIndexOf(':')
          repos[t.slice(0, at)] = {...repos[t.slice(0, at)], [t.slice(at + 1)]: ids.at(-1)!}
        }
        await out.file('repositories', JSON.stringify(repos))
      }
    }
  })
}

/** `<v1id>/{VERSION,json}` per layer: what engines before manifest.json read. */
async function writeLegacyDirs(out: TarOut, image: NewImage, ids: string[], config: Record<string, unknown>): Promise<void> {
  for (let i = 0; i < image.layers.length; i++) {
    const top = i === image.layers.length - 1
    const json: Record<string, unknown> = top
      ? {...config, id: ids[i]}
      : {id: ids[i], created: '1970-01-01T00:00:00Z', container_config: {Cmd: null}, os: config.os ?? 'linux'}
    delete json.history
    delete json.rootfs
    if (i > 0) json.parent = ids[i - 1]
    await out.dir(`${ids[i]}/`)
    await out.file(`${ids[i]}/VERSION`, '1.0')
    await out.file(`${ids[i]}/json`, JSON.stringify(json))
  }
}
