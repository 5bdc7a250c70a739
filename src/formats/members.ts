import {posix} from 'node:path'
import {digestOf, sha256Hex} from '../archive/hash.js'
import {BadArchiveError} from '../errors.js'
import {historyFromConfig} from '../image/history.js'
import {type Image, type Layer} from '../image/model.js'
import {DOC_CAP} from './member-kind.js'
import {type Scan, type ScanDepth, type ScannedMember} from './scan.js'

/**
 * Look-ups into a scanned archive shared by the readers: names resolved through symlinks and hard
 * links (inside the archive only), documents parsed with errors that name the member, layers
 * checked against the diff_id the config expects.
 */
export class Members {
  constructor(
    readonly scan: Scan,
    /**
     * How deep the scan read: `outer`, layers not read (taken as the config describes them);
     * `structure`, their headers but nothing hashed (diff_ids taken from the config, unchecked).
     */
    private readonly depth: ScanDepth = 'full',
  ) {}

  get path(): string {
    return this.scan.archive.path
  }

  has(name: string): boolean {
    return this.scan.members.has(strip(name))
  }

  /** The regular-file member a name finally points to, following links inside the archive. */
  resolve(name: string, what: string): ScannedMember {
    let current = strip(name)
    for (let hops = 0; hops < 32; hops++) {
      const m = this.scan.members.get(current)
      if (!m) throw new BadArchiveError(this.path, `${what} '${name}' is not in the archive`)
      if (m.type === 'file') return m
      if (m.type === 'symlink') {
        const target = posix.normalize(posix.join(posix.dirname('/' + current), m.linkTarget ?? ''))
        if (!target.startsWith('/') || target.startsWith('/..')) {
          throw new BadArchiveError(this.path, `${what} '${name}' is a link that points outside the archive`)
        }
        current = target.slice(1)
        continue
      }
      if (m.type === 'hardlink') {
        current = m.linkTarget ?? ''
        continue
      }
      throw new BadArchiveError(this.path, `${what} '${name}' is a ${m.type === 'dir' ? 'directory' : m.type}, not a file`)
    }
    throw new BadArchiveError(this.path, `${what} '${name}' is a chain of links that does not end (loop?)`)
  }

  /** Parse a small JSON document, naming it in every error. */
  json<T = unknown>(name: string, what: string): {value: T; bytes: Buffer} {
    const m = this.resolve(name, what)
    if (!m.doc) {
      const why = m.size > DOC_CAP ? `is ${m.size} bytes, over the ${DOC_CAP / 1024 / 1024} MB imgdiff reads as a document` : 'is not a JSON document'
      throw new BadArchiveError(this.path, `${what} '${name}' ${why}`)
    }
    try {
      return {value: JSON.parse(m.doc.toString('utf8')) as T, bytes: m.doc}
    } catch (error) {
      throw new BadArchiveError(this.path, `${what} '${name}' is not valid JSON (${(error as Error).message})`)
    }
  }

  /** Optional document: undefined when absent. */
  maybeJson<T = unknown>(name: string, what: string): {value: T; bytes: Buffer} | undefined {
    return this.has(name) ? this.json<T>(name, what) : undefined
  }

  /**
   * The layer stored at `name`. With `expected` (the config's diff_id) and verify on, a layer
   * whose bytes hash to something else is an error naming it.
   */
  layer(name: string, index: number, expected: string | undefined, verify: boolean): Layer {
    const m = this.resolve(name, `layer ${index + 1}`)
    const dirName = /^([0-9a-f]{64})\/layer\.tar$/.exec(strip(name))
    const v1Id = dirName ? dirName[1] : undefined
    if (this.depth === 'outer') {
      return {diffId: expected ?? '', digest: '', size: m.size, uncompressedSize: 0, compression: 'none', member: m.name, offset: m.dataOffset, files: [], ...(v1Id ? {v1Id} : {})}
    }
    if (m.size === 0 && !m.layer) {
      // A 0-byte layer.tar (legacy archives write them for metadata-only steps): an empty layer.
      return {
        diffId: expected ?? 'sha256:' + sha256Hex(''),
        digest: m.digest ?? 'sha256:' + sha256Hex(''),
        size: 0,
        uncompressedSize: 0,
        compression: 'none',
        member: m.name,
        files: [],
        ...(v1Id ? {v1Id} : {}),
      }
    }
    if (!m.layer) throw new BadArchiveError(this.path, `layer ${index + 1} '${name}' is not a tar (nor a compressed tar)`)
    if (m.layer.error) throw new BadArchiveError(this.path, `layer ${index + 1} '${name}' cannot be read: ${m.layer.error}`)
    if (this.depth === 'structure') {
      return {diffId: expected ?? '', digest: '', size: m.size, uncompressedSize: m.layer.uncompressedSize, compression: m.layer.compression, member: m.name, offset: m.dataOffset, files: m.layer.files, ...(v1Id ? {v1Id} : {})}
    }
    if (verify && expected !== undefined && expected !== m.layer.diffId) {
      throw new BadArchiveError(
        this.path,
        `layer ${index + 1} '${name}' has diff_id ${m.layer.diffId} but the config says ${expected} (corrupted? --no-verify skips this check)`,
      )
    }
    return {
      diffId: verify || expected === undefined ? m.layer.diffId : expected,
      digest: m.digest!,
      size: m.size,
      uncompressedSize: m.layer.uncompressedSize,
      compression: m.layer.compression,
      member: m.name,
      offset: m.dataOffset,
      files: m.layer.files,
      ...(v1Id ? {v1Id} : {}),
    }
  }

  /** An image described by a config document (docker save 1.10+ and OCI): id, history and all. */
  imageFromConfig(format: string, config: Record<string, unknown>, configBytes: Buffer, layers: Layer[], repoTags: string[]): Image {
    return {
      path: this.path,
      origin: this.scan.archive.origin,
      reopen: this.scan.archive.reopen,
      kind: 'image',
      format,
      compression: this.scan.archive.compression,
      imageId: digestOf(configBytes),
      repoTags,
      layers,
      history: historyFromConfig(config),
      config,
      configBytes: configBytes.toString('base64'),
      bytes: this.scan.archive.bytes,
      metadataBytes: this.metadataBytes(layers),
      warnings: [],
    }
  }

  /** Bytes of the archive that are not layer contents. */
  metadataBytes(layers: Layer[]): number {
    const counted = new Set<string>()
    let layerBytes = 0
    for (const l of layers) {
      if (l.member && !counted.has(l.member)) {
        counted.add(l.member)
        layerBytes += l.size
      }
    }
    return Math.max(0, this.scan.plainSize - layerBytes)
  }
}

function strip(name: string): string {
  return posix.normalize('/' + name).slice(1)
}
