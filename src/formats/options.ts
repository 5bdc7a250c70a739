import {type ContentHash} from '../archive/hash.js'
import {type ScanDepth} from './scan.js'

export interface ReadOptions {
  /** Check every layer's diff_id against the config (on unless --no-verify). */
  verify: boolean
  /** `os/arch[/variant]` to pick from a multi-platform OCI index. */
  platform?: string
  onProgress?: (rawBytes: number) => void
  /** Unusual names (absolute, climbing out with `..`) are errors instead of warnings. */
  strict?: boolean
  /** How deep to read (see ScanOptions.depth): `full` unless a command needs less. */
  depth?: ScanDepth
  /** The command will read the bytes again: a stream source is copied to a temp file first. */
  reread?: boolean
  /**
   * False: every image of the archive, even when the argument names one (`oci:DIR:TAG`,
   * `FILE@N`; see sources/parse.ts selectorOf): for rollback, whose base may be another of them.
   */
  select?: boolean
  /** How file contents are hashed (default xxh3). */
  contentHash?: ContentHash
  /**
   * Whether each file's content is hashed (default true): what a diff and the efficiency figures
   * compare. inspect and tree only need the layers verified and their members listed, and a plain
   * archive file's read then skips reading the files' bytes (a stream's read hashes them anyway).
   */
  contents?: boolean
  /**
   * Whether an export's whole-tar sha256 (what `docker import` would record as its diff_id) is
   * computed (default true). A diff needs it only against a layer of the same size
   * (compare/export-digest.ts), so it reads a re-readable export without it: a third less work.
   */
  exportDigest?: boolean
}
