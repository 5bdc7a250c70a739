import {chainIds} from './ids.js'
import {type HistoryEntry, type Image} from './model.js'

/** An image as `--json` prints it (the `S` of the JSON contract): everything but the file lists. */
export interface ImageSummary {
  path: string
  /** Where the bytes came from: {kind: file | directory | stdin | fifo | engine-image | engine-container, ref, engine?, apiVersion?, address?, spooled?, image?}. */
  source: Image['origin']
  kind: Image['kind']
  format: string
  compression: string
  imageId: string | null
  repoTags: string[]
  layers: Array<{
    /** Null for an export read without its sha256 (image/model.ts). */
    diffId: string | null
    chainId: string | null
    digest: string | null
    size: number
    uncompressedSize: number
    compression: string
    v1Id: string | null
    files: number
  }>
  history: Array<Required<Pick<HistoryEntry, 'emptyLayer'>> & {created: string | null; createdBy: string | null; comment: string | null}>
  /** The config document; `{}` for a container export, which has none. */
  config: Record<string, unknown>
  /** `os/architecture[/variant]` from the config, or null when it records none. */
  platform: string | null
  bytes: number
  warnings: string[]
}

/** The platform an image's config records, as `os/arch[/variant]`. */
export function platformOf(image: Pick<Image, 'config'>): string | null {
  const c = image.config
  if (!c || typeof c.os !== 'string' || typeof c.architecture !== 'string') return null
  return [c.os, c.architecture, typeof c.variant === 'string' ? c.variant : ''].filter(Boolean).join('/')
}

export function summarize(image: Image): ImageSummary {
  const chains = chainIds(image.layers.map((l) => l.diffId))
  return {
    path: image.path,
    source: image.origin,
    kind: image.kind,
    format: image.format,
    compression: image.compression,
    imageId: image.imageId,
    repoTags: image.repoTags,
    layers: image.layers.map((l, i) => ({
      diffId: l.diffId,
      chainId: chains[i],
      digest: l.digest,
      size: l.size,
      uncompressedSize: l.uncompressedSize,
      compression: l.compression,
      v1Id: l.v1Id ?? null,
      files: l.files.length,
    })),
    history: image.history.map((h) => ({
      created: h.created ?? null,
      createdBy: h.createdBy ?? null,
      emptyLayer: h.emptyLayer ?? false,
      comment: h.comment ?? null,
    })),
    config: image.config ?? {},
    platform: platformOf(image),
    bytes: image.bytes,
    warnings: image.warnings,
  }
}
