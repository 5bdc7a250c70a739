/**
 * Every failure a user can act on is an ImgdiffError: one line of text and an exit code.
 * The CLI prints the message alone; a stack trace is shown only with DEBUG set, so anything
 * that is not an ImgdiffError is a bug in imgdiff, not in the user's archive.
 */
export class ImgdiffError extends Error {
  readonly exitCode: number
  /** A stable name for scripts (the `code` of `--json` errors). */
  code = 'error'

  constructor(message: string, exitCode = 2) {
    // One line, always: messages quote archive names and JSON snippets, which may hold line
    // breaks or other control characters (found by the fuzz suite).
    // Bytes of names that are not UTF-8 (lone surrogates, see archive/tar-names.ts) print as \xNN.
    super(message.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/(?<![\ud800-\udbff])[\udc80-\udcff]/g, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16)}`))
    this.name = 'ImgdiffError'
    this.exitCode = exitCode
  }
}

/** The archive itself is unusable (not a tar, truncated, broken manifest, digest mismatch). */
export class BadArchiveError extends ImgdiffError {
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`)
    this.name = 'BadArchiveError'
    this.code = 'bad-archive'
  }
}

/**
 * The archive has a structure no reader expected (a reader tripped over it). The user still gets
 * one line; the fuzz suite treats this class as a bug to fix, since a real check should name it.
 */
export class MalformedArchiveError extends BadArchiveError {
  constructor(path: string, detail: string) {
    super(path, `is malformed in a way imgdiff does not recognise (${detail})`)
    this.name = 'MalformedArchiveError'
    this.code = 'malformed-archive'
  }
}

/** The user asked for something that is not there (an image name, a step, a platform). */
export class UsageError extends ImgdiffError {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
    this.code = 'usage'
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
