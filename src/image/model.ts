import {type Compression} from '../archive/compression.js'

/**
 * The one model every reader produces and every comparer and writer consumes. Plain data only
 * (no classes, no Maps), so an Image can cross a worker-thread boundary and print as JSON.
 */

export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'char' | 'block'

/** One member of a layer tar (or of a container export), after name clean-up. */
export interface FileEntry {
  /** Absolute path inside the image, e.g. `/etc/hosts`. */
  path: string
  type: FileType
  /** Permission bits and set-id/sticky bits (mode & 0o7777). */
  mode: number
  uid: number
  gid: number
  /** Content bytes (0 for anything but regular files). */
  size: number
  /** Seconds since the epoch. */
  mtime: number
  /** Symlink target as written, or the hard link's target path (absolute, cleaned). */
  linkTarget?: string
  /** sha256 of the content, for regular files. */
  digest?: string
  devmajor?: number
  devminor?: number
  /** `.wh.<name>` deletes this path from lower layers; `opaque` hides a directory's lower children. */
  whiteout?: 'delete' | 'opaque'
  /** Why this name is not a path inside the image (absolute, climbs out with `..`). */
  hostile?: string
}

export interface Layer {
  /** sha256 of the uncompressed layer tar, as computed while reading. */
  diffId: string
  /** sha256 of the layer as stored in the archive. */
  digest: string
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
  /** The archive this image was read from. */
  path: string
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
  /** Legacy v1 ids per history step, where the archive has them (oldest first). */
  stepIds?: Array<string | null>
  /** Size of the archive file in bytes. */
  bytes: number
  /** Bytes of the archive that are not layer contents (JSON, legacy dirs, tar headers). */
  metadataBytes: number
  /** Names in the archive that were reported and not followed (hostile or broken). */
  warnings: string[]
}

export function runtimeConfig(image: Image): RuntimeConfig {
  const cfg = image.config?.config
  return (cfg && typeof cfg === 'object' ? cfg : {}) as RuntimeConfig
}
