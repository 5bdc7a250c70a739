import {closeSync, openSync} from 'node:fs'
import {readAt, walkTarFile, walkWithPauses} from '../archive/tar-file.js'
import {type TarMember} from '../archive/tar-member.js'
import {looksLikeTar, TarReader, type TarVisitor} from '../archive/tar-reader.js'
import {sniffCompression} from '../archive/compression.js'
import {BadArchiveError, errorMessage, ImgdiffError} from '../errors.js'
import {fileEntryFromMember} from '../image/file-entry.js'
import {type FileEntry} from '../image/model.js'
import {EntryRecorder} from './layer-scan.js'
import {type Budget} from './limits.js'
import {classify, recordOther, tooDeep} from './member-kind.js'
import {describeTarFailure} from './tar-failure.js'
import {type Scan, type ScanDepth, type ScannedArchive, type ScannedMember} from './scan.js'

/**
 * The structure of a plain (uncompressed) archive file, read by seeking: its documents, and for
 * `structure` every uncompressed layer's member headers, without reading the bytes in between.
 * Flatten and rollback need no more (they read the bytes they copy once, later). For `full`, the
 * layers are listed, not read: the caller reads them on every core (seek-hash.ts). Returns null
 * for `structure` when a layer is compressed (its headers can only be reached by inflating it
 * all): the caller then streams the archive instead.
 */
export interface SeekedLayer {
  member: ScannedMember
  compressed: boolean
}

export async function seekScan(path: string, archive: ScannedArchive, depth: ScanDepth, budget: Budget): Promise<{scan: Scan; layers: SeekedLayer[]} | null> {
  const fd = openSync(path, 'r')
  const outer = new SeekingVisitor(fd, depth, budget)
  const reader = new TarReader(outer, {skipBodies: true})
  try {
    // With pauses: an export's headers are many, and the other archive of a diff may have layers to hand out meanwhile.
    await walkWithPauses(reader, fd, 0, archive.bytes)
  } catch (error) {
    if (error instanceof ImgdiffError) throw error
    throw new BadArchiveError(archive.path, describeTarFailure(error, reader.count, reader.lastName, 'none'))
  } finally {
    closeSync(fd)
  }
  if (outer.compressedLayer) return null
  if (reader.count === 0) throw new BadArchiveError(archive.path, 'is not a tar archive (no entries)')
  return {scan: {archive, members: outer.members, rootfs: outer.rootfs, plainDigest: null, plainSize: archive.bytes}, layers: outer.layers}
}

class SeekingVisitor implements TarVisitor {
  readonly members = new Map<string, ScannedMember>()
  readonly rootfs: FileEntry[] = []
  compressedLayer = false
  /** Members that hold a layer, for a full read to read, and whether the layer is compressed. */
  readonly layers: SeekedLayer[] = []
  private member?: ScannedMember
  private doc: Buffer[] | null = null

  constructor(
    private readonly fd: number,
    private readonly depth: ScanDepth,
    private readonly budget: Budget,
  ) {}

  header(m: TarMember): void {
    this.budget.file()
    const entry = fileEntryFromMember(m)
    this.rootfs.push(entry)
    this.doc = null
    this.member = undefined
    const path = entry.path
    if (path === '/') return
    const member: ScannedMember = {name: path.slice(1), type: 'file', size: m.size, dataOffset: m.dataOffset}
    if (m.typeflag !== '0') return recordOther(this.members, member, m)
    this.member = member
    if (tooDeep(member.name)) return
    const start = readAt(this.fd, m.dataOffset, Math.min(512, m.storedSize))
    const kind = classify(member.name, m.storedSize, start)
    if (kind === 'doc') this.doc = []
    else if (kind === 'layer' && this.depth === 'structure') this.walkLayer(member, start)
    else if (kind === 'layer' && this.depth === 'full') this.layers.push({member, compressed: sniffCompression(start) !== 'none'})
  }

  /** An uncompressed layer: its own headers, by seeking within its bytes. */
  private walkLayer(member: ScannedMember, start: Buffer): void {
    if (sniffCompression(start) !== 'none') {
      this.compressedLayer = true
      return
    }
    if (!looksLikeTar(start)) return
    const recorder = new EntryRecorder(null, this.budget)
    try {
      walkTarFile(this.fd, member.dataOffset, member.dataOffset + member.size, recorder)
      member.layer = {diffId: '', uncompressedSize: member.size, compression: 'none', files: recorder.files}
    } catch (error) {
      member.layer = {diffId: '', uncompressedSize: member.size, compression: 'none', files: recorder.files, error: errorMessage(error)}
    }
  }

  wantsBody(): boolean {
    return this.doc !== null
  }

  body(chunk: Buffer): void {
    // The walk reads into one buffer again and again: what is kept is copied.
    this.doc?.push(Buffer.from(chunk))
  }

  end(): void {
    const member = this.member
    if (!member) return
    if (this.doc) member.doc = Buffer.concat(this.doc)
    this.members.set(member.name, member)
    this.member = undefined
    this.doc = null
  }
}
