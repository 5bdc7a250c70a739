import {BadArchiveError, UsageError} from '../errors.js'
import {type Image} from '../image/model.js'
import {platformOf} from '../image/summary.js'

/** `os/arch[/variant]`, as Docker and OCI write a platform. */
export interface Platform {
  os: string
  architecture: string
  variant?: string
}

export function parsePlatform(text: string): Platform {
  const m = /^([a-z0-9]+)\/([a-z0-9_]+)(?:\/([a-z0-9]+))?$/.exec(text)
  if (!m) throw new UsageError(`--platform ${text}: give os/arch or os/arch/variant, e.g. linux/amd64 or linux/arm64/v8`)
  return {os: m[1], architecture: m[2], ...(m[3] ? {variant: m[3]} : {})}
}

/**
 * The images of an archive that are of the platform asked for, by what their configs record.
 * An image that records no platform, or another one, is not silently taken for it.
 */
export function onPlatform(images: Image[], wanted: string | undefined, path: string): Image[] {
  if (!wanted) return images
  const want = parsePlatform(wanted)
  const flat = images.filter((i) => i.kind === 'export')
  if (flat.length === images.length) return images // a container export has no platform to check
  const matching = images.filter((i) => {
    const c = i.config
    return i.kind === 'image' && c?.os === want.os && c?.architecture === want.architecture && (!want.variant || c?.variant === want.variant)
  })
  if (matching.length > 0) return matching
  const found = images.map((i) => platformOf(i) ?? 'no platform recorded')
  throw new BadArchiveError(path, `holds no image for --platform ${wanted}: ${[...new Set(found)].join(', ')}`)
}
