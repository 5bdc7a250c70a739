import {BadArchiveError} from '../errors.js'

/**
 * Bounds that keep a hostile or broken archive from exhausting memory or time. Real images are far
 * below them (Docker itself stops at 127 layers); each message says which bound was hit and the
 * environment variable that raises it.
 */
export const LIMITS = {
  layers: fromEnv('IMGDIFF_MAX_LAYERS', 1000),
  historyEntries: fromEnv('IMGDIFF_MAX_HISTORY', 10_000),
  /** Entries of one archive: its own members and those of all its layers (memory grows with this, ~300 bytes each). */
  files: fromEnv('IMGDIFF_MAX_FILES', 5_000_000),
  /** A compressed stream may expand this many times (deflate's own maximum is about 1032x, reached by runs of zeros)... */
  expansionRatio: fromEnv('IMGDIFF_MAX_EXPANSION', 1000),
  /** ...once it is past this many bytes, so small highly compressible layers are fine. */
  expansionFloor: 1024 * 1024 * 1024,
}

function fromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name])
  return Number.isSafeInteger(value) && value > 0 ? value : fallback
}

/** Counts what one archive has produced so far and stops at the bounds. */
export class Budget {
  private files = 0

  constructor(private readonly path: string) {}

  file(): void {
    if (++this.files > LIMITS.files) {
      throw new BadArchiveError(this.path, `holds more than ${LIMITS.files} files; imgdiff stops there to bound its memory (IMGDIFF_MAX_FILES raises it)`)
    }
  }

  /** A decompressor has written `plain` bytes out of `stored` compressed ones. */
  expansion(plain: number, stored: number, what: string): void {
    if (plain > LIMITS.expansionFloor && plain > LIMITS.expansionRatio * Math.max(1, stored)) {
      throw new BadArchiveError(this.path, `${what} expands more than ${LIMITS.expansionRatio} times (a decompression bomb?); imgdiff stops there (IMGDIFF_MAX_EXPANSION raises it)`)
    }
  }
}
