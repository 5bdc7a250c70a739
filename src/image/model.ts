import {type Compression} from '../archive/compression.js'
import {type Reopen, type SourceOrigin} from '../sources/open.js'

/**
 * The one model every reader produces and every comparer and writer consumes. Plain data only
 * (no classes, no Maps), so an Image can cross a worker-thread boundary and print as JSON.
 */

export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'char' | 'block'

/**
 * One member of a layer tar (or of a container export), as Docker's unpacking sees it. The list of
 * a layer's entries is in tar order: Docker applies them one by one (image/unpack-layer.ts).
 */
export interface FileEntry {
  /** Where Docker puts it: rooted, cleaned, `..` stopping at the root (`/usr/bin/x`, `/a/.wh.b`). */
  path: string
  /** `global`: a PAX global header (ignored); `other`: a type Docker cannot unpack (see typeflag). */
  type: FileType | 'global' | 'other'
  /** The tar type flag, for `other`. */
  typeflag?: string
  /** Permission, set-id and sticky bits (mode & 0o7777). */
  mode: number
  uid: number
  gid: number
  /** Content bytes (0 for anything but regular files). */
  size: number
  /** Seconds since the epoch as stored (Docker clamps it when unpacking; see unpack-layer.ts). */
  mtime: number
  /** Symlink or hard link target, as written in the tar. */
  linkTarget?: string
  /** Content hash, for regular files. */
  digest?: string
  devmajor?: number
  devminor?: number
  /** Extended attributes from PAX SCHILY.xattr records: name -> value in hex. */
  xattrs?: Record<string, string>
  /** Docker's clean name, where it is not `path` without its slash (absolute or `..` names, `.`). */
  name?: string
  /** The name starts with `.wh..wh.` at the top: AUFS bookkeeping. */
  aufs?: boolean
  /** Where the content starts in the layer's plain tar (regular files), for copying it. */
  offset?: number
  /** Sparse files: data regions [offset, length] of the content, stored back to back from `offset`. */
  sparse?: Array<[number, number]>
}

export interface Layer {
  /**
   * sha256 of the uncompressed layer tar, as computed while reading. Null only for a container
   * export read without it (ReadOptions.exportDigest), known then to differ from every layer it
   * is compared with (compare/export-digest.ts reads it where it might not).
   */
  diffId: string | null
  /** sha256 of the layer as stored in the archive (null where diffId is). */
  digest: string | null
  /** Bytes as stored. */
  size: number
  /** Bytes of the uncompressed tar. */
  uncompressedSize: number
  compression: Compression
  /** Legacy v1 id (directory name in a docker save), where the archive has one. */
  v1Id?: string
  /** Where the bytes live in the archive (member path), for writers that copy them. */
  member?: string
  /** Byte offset of those bytes in the archive's plain tar (after the member's header). */
  offset?: number
  files: FileEntry[]
  /**
   * False for a container export read as the filesystem it lists: its names are taken as they are
   * (a file may be called `.wh.x` there). A layer's whiteout and AUFS names are markers.
   */
  markers?: boolean
}

export interface HistoryEntry {
  created?: string
  createdBy?: string
  author?: string
  comment?: string
  emptyLayer?: boolean
}

/** The runtime part of an image config (`config` in the config JSON). */
export interface RuntimeConfig {
  Env?: string[] | null
  Cmd?: string[] | null
  Entrypoint?: string[] | null
  WorkingDir?: string
  User?: string
  ExposedPorts?: Record<string, object> | null
  Volumes?: Record<string, object> | null
  Labels?: Record<string, string> | null
  StopSignal?: string
  Healthcheck?: unknown
  OnBuild?: string[] | null
  Shell?: string[] | null
  [key: string]: unknown
}

export type ImageKind = 'image' | 'export'

export interface Image {
  /** The archive this image was read from, as the user named it. */
  path: string
  /** Where its bytes came from (a file, a directory, stdin, an engine). */
  origin: SourceOrigin
  /** How to read its bytes again (second passes), or null for a stream read once. */
  reopen: Reopen | null
  kind: ImageKind
  /** Human name of the archive shape, e.g. `docker-save`, `oci-layout`, `container-export`. */
  format: string
  /** How the whole archive file was compressed. */
  compression: Compression
  /** sha256 of the config bytes; for a legacy v1 archive, the top v1 id. */
  imageId: string | null
  repoTags: string[]
  /** Oldest (base) layer first. */
  layers: Layer[]
  history: HistoryEntry[]
  /** The whole config document as stored (architecture, os, config, rootfs, history ...). */
  config: Record<string, unknown> | null
  /** The exact config bytes (base64), kept so writers and ids can be derived from them. */
  configBytes?: string
  /** For legacy v1 archives: each history step's own runtime config, oldest first. */
  stepConfigs?: Array<RuntimeConfig | null>
  /**
   * The image id Docker shows per history step (oldest first; null: `<missing>`), where the archive
   * knows more than the last step's: a legacy archive's ids, or a parent image in the same archive.
   */
  stepIds?: Array<string | null>
  /** Size of the archive file in bytes. */
  bytes: number
  /** Bytes of the archive that are not layer contents (JSON, legacy dirs, tar headers). */
  metadataBytes: number
  /** Unusual names in the archive (absolute, or climbing out of the root), said the way Docker places them. */
  warnings: string[]
}

export function runtimeConfig(image: Image): RuntimeConfig {
  const cfg = image.config?.config
  return (cfg && typeof cfg === 'object' ? cfg : {}) as RuntimeConfig
}
