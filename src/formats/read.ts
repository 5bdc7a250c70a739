import {openSource} from '../sources/open.js'
import {BadArchiveError, errorMessage, ImgdiffError, MalformedArchiveError, UsageError} from '../errors.js'
import {LIMITS} from './limits.js'
import {unusualName} from '../image/file-entry.js'
import {type FileEntry, type Image} from '../image/model.js'
import {shortId} from '../image/ids.js'
import {referenceMatches} from '../image/references.js'
import {readContainerExport} from './container-export.js'
import {readDockerLegacy} from './docker-legacy.js'
import {readDockerSave} from './docker-save.js'
import {Members} from './members.js'
import {readOciLayout} from './oci-layout.js'
import {readSkopeoDir} from './skopeo-dir.js'
import {detectShape} from './shape.js'
import {onPlatform, parsePlatform} from './platform.js'
import {type ReadOptions} from './options.js'
import {plainDigestOf, scanArchive, type Scan} from './scan.js'

export type {ReadOptions} from './options.js'

/** Read every image an archive holds, in one pass over its bytes. */
export async function readArchive(path: string, options: ReadOptions): Promise<Image[]> {
  if (options.platform) parsePlatform(options.platform)
  const opened = await openSource(path, {reread: options.reread ?? false})
  // Skipped only where a second pass can take it later (formats/export-digest.ts): a stream read once is hashed now.
  const exportDigest = options.exportDigest !== false || opened.reopen === null
  const scan = await scanArchive(opened, {onProgress: options.onProgress, contentHash: options.contentHash, depth: options.depth, contents: options.contents, exportDigest})
  const archive = scan.archive
  const members = new Members(scan, options.depth ?? 'full')
  const shape = detectShape(scan)
  if (shape === 'export' && archive.origin.kind === 'directory') {
    // A directory with an image layout's files that does not read as one is a broken layout, not a root filesystem.
    const marks = ['oci-layout', 'index.json', 'manifest.json', 'repositories'].filter((n) => scan.members.has(n))
    if (marks.length > 0) throw new BadArchiveError(path, `looks like an image layout (it has ${marks.join(', ')}) but is not a complete one (an OCI layout needs oci-layout and index.json; a docker save, manifest.json)`)
  }
  if (shape === 'export' && scan.plainDigest === null && exportDigest) scan.plainDigest = await plainDigestOf(archive)
  let images: Image[]
  try {
    images = readShape(shape, scan, members, options)
  } catch (error) {
    if (error instanceof ImgdiffError) throw error
    // A shape no reader expected: still one clear line for the user; the fuzz suite hunts these.
    throw new MalformedArchiveError(path, errorMessage(error))
  }
  const outerUnusual = shape === 'export' ? [] : unusualNames(scan.rootfs).map((w) => `archive member ${w}`)
  for (const image of images) {
    checkBounds(image)
    const inLayers = image.layers.flatMap((l) => unusualNames(l.files))
    image.warnings.push(...new Set([...outerUnusual, ...inLayers]))
    if (options.strict && image.warnings.length > 0) {
      throw new BadArchiveError(path, `holds ${image.warnings.length} unusual name(s), e.g. ${image.warnings[0]} (--strict refuses them)`)
    }
  }
  const onIt = onPlatform(images, options.platform, path)
  // `oci:DIR:TAG`, `docker-archive:FILE:REF`: the argument itself names the image.
  return opened.selector && options.select !== false ? [selectImage(onIt, opened.selector, path)] : onIt
}

function checkBounds(image: Image): void {
  if (image.layers.length > LIMITS.layers) throw new BadArchiveError(image.path, `has ${image.layers.length} layers; imgdiff stops at ${LIMITS.layers} (IMGDIFF_MAX_LAYERS raises it)`)
  if (image.history.length > LIMITS.historyEntries) {
    throw new BadArchiveError(image.path, `has ${image.history.length} history entries; imgdiff stops at ${LIMITS.historyEntries} (IMGDIFF_MAX_HISTORY raises it)`)
  }
}

function readShape(shape: ReturnType<typeof detectShape>, scan: Scan, members: Members, options: ReadOptions): Image[] {
  switch (shape) {
    case 'docker-save': {
      return readDockerSave(members, options)
    }

    case 'oci-layout': {
      return readOciLayout(members, options)
    }

    case 'skopeo-dir': {
      return readSkopeoDir(members, options)
    }

    case 'docker-legacy': {
      return readDockerLegacy(members, options)
    }

    case 'export': {
      return readContainerExport(scan)
    }
  }
}

export function describeImage(image: Image, n: number): string {
  const name = image.repoTags.length > 0 ? image.repoTags.join(', ') : '<untagged>'
  return `${n}: ${name} (${shortId(image.imageId)})`
}

/**
 * One image out of an archive: `wanted` is NAME[:TAG], an image id prefix, or a 1-based number.
 * Without it, an archive of several images is an error that lists them.
 */
export function selectImage(images: Image[], wanted: string | undefined, path: string): Image {
  const listing = () => images.map((img, i) => describeImage(img, i + 1)).join('; ')
  // --image picks out of archives that hold several; a diff's other, single-image side is kept.
  if (images.length === 1) return images[0]
  if (!wanted) {
    throw new UsageError(`${path} holds ${images.length} images; pick one with --image NAME:TAG or --image N (${listing()})`)
  }
  if (/^\d+$/.test(wanted) && Number(wanted) >= 1 && Number(wanted) <= images.length) return images[Number(wanted) - 1]
  const byTag = wanted.startsWith('sha256:') ? [] : images.filter((img) => img.repoTags.some((t) => referenceMatches(t, wanted)))
  if (byTag.length === 1) return byTag[0]
  if (byTag.length > 1) {
    throw new UsageError(`--image ${wanted} is ambiguous in ${path}: it names ${byTag.map((img) => describeImage(img, images.indexOf(img) + 1)).join('; ')}; give the full name or N`)
  }
  const hex = wanted.replace(/^sha256:/, '')
  const byId = /^[0-9a-f]{4,64}$/.test(hex) ? images.filter((img) => (img.imageId ?? '').replace(/^sha256:/, '').startsWith(hex)) : []
  if (byId.length === 1) return byId[0]
  throw new UsageError(`${path} has no image '${wanted}'; it holds ${listing()}`)
}

function unusualNames(files: FileEntry[]): string[] {
  return files.flatMap((f) => unusualName(f) ?? [])
}
