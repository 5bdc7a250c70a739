/**
 * What the in-process unit tests share. They import src/ directly (so mutation testing sees them)
 * and judge it by what real tools recorded (fixtures/*.json) or by an independent reading of what
 * it wrote (parseTar below, which shares nothing with src/archive).
 *
 * No test helper under test/helpers is used: those locate the project from their own file, and
 * under Stryker the project is a copy in .stryker-tmp/sandbox-*, with ../shared out of reach.
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import * as tarStream from 'tar-stream'
import {readArchive} from '../../src/formats/read.js'
import {type Image} from '../../src/image/model.js'
import {type ByteSink} from '../../src/write/byte-sink.js'

/** The project root (or the sandbox's copy of it). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const fixture = (...parts: string[]): string => path.join(ROOT, 'fixtures', ...parts)

/**
 * ../shared/fixtures/compat (archives written by other tools), found by walking up: from a Stryker
 * sandbox the project's parent is two levels further up than from the project itself.
 */
export const COMPAT = ((): string | null => {
  for (let dir = ROOT; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'fixtures', 'compat')
    if (existsSync(path.join(candidate, 'skopeo-says.json'))) return candidate
    if (path.dirname(dir) === dir) return null
  }
})()

export const readJson = <T = any>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T
export const sha256 = (data: Buffer | string): string => 'sha256:' + createHash('sha256').update(data).digest('hex')

/** Every image of an archive, read in-process with sha256 content digests (what the judges record). */
export async function readImages(file: string): Promise<Image[]> {
  return readArchive(file, {verify: true, contentHash: 'sha256'})
}

export async function readImage(file: string): Promise<Image> {
  const images = await readImages(file)
  if (images.length !== 1) throw new Error(`${file} holds ${images.length} images`)
  return images[0]
}

export interface Member {
  name: string
  /** The type flag ('0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo). */
  type: string
  /** The whole mode field, file-type bits included. */
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  linkname: string
  devmajor: number
  devminor: number
  /** PAX records of the member, values as raw bytes. */
  pax: Record<string, Buffer>
  data: Buffer
}

/**
 * A tar read the way the tar format defines it (ustar fields, PAX `x` records, GNU long names), in
 * a few lines that share nothing with src/archive: the independent reader writers are judged by.
 * Names that are not UTF-8 keep their bytes as lone surrogates U+DC80..U+DCFF, as Python's
 * os.fsdecode does (so they compare with test/judge's listings in fixtures).
 */
export function parseTar(bytes: Buffer): Member[] {
  const members: Member[] = []
  let pax: Record<string, Buffer> = {}
  let longName: Buffer | null = null
  let longLink: Buffer | null = null
  for (let off = 0; off + 512 <= bytes.length; ) {
    const h = bytes.subarray(off, off + 512)
    if (h.every((b) => b === 0)) break
    const sum = h.reduce((n, b, i) => n + (i >= 148 && i < 156 ? 32 : b), 0)
    if (sum !== num(h, 148, 8)) throw new Error(`bad header checksum at ${off}`)
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156])
    const size = num(h, 124, 12)
    const body = bytes.subarray(off + 512, off + 512 + size)
    off += 512 + (['1', '2', '3', '4', '5', '6'].includes(type) ? 0 : Math.ceil(size / 512) * 512)
    if (type === 'x') {
      pax = {}
      for (let p = 0; p < body.length; ) {
        const space = body.indexOf(0x20, p)
        const length = Number(body.subarray(p, space).toString('latin1'))
        const record = body.subarray(space + 1, p + length - 1)
        const eq = record.indexOf(0x3d)
        pax[record.subarray(0, eq).toString('utf8')] = Buffer.from(record.subarray(eq + 1))
        p += length
      }
      continue
    }
    if (type === 'L' || type === 'K') {
      const value = Buffer.from(cstr(body, 0, body.length))
      if (type === 'L') longName = value
      else longLink = value
      continue
    }
    const prefix = cstr(h, 345, 155)
    const rawName = pax.path ?? longName ?? (prefix.length > 0 ? Buffer.concat([prefix, Buffer.from('/'), cstr(h, 0, 100)]) : cstr(h, 0, 100))
    const rawLink = pax.linkpath ?? longLink ?? cstr(h, 157, 100)
    members.push({
      name: fsDecode(rawName),
      type,
      mode: num(h, 100, 8),
      uid: pax.uid ? Number(pax.uid.toString()) : num(h, 108, 8),
      gid: pax.gid ? Number(pax.gid.toString()) : num(h, 116, 8),
      size: pax.size ? Number(pax.size.toString()) : size,
      mtime: pax.mtime ? Math.floor(Number(pax.mtime.toString())) : num(h, 136, 12),
      linkname: fsDecode(rawLink),
      devmajor: num(h, 329, 8),
      devminor: num(h, 337, 8),
      pax,
      data: Buffer.from(body),
    })
    pax = {}
    longName = null
    longLink = null
  }
  return members
}

function cstr(b: Buffer, start: number, length: number): Buffer {
  const field = b.subarray(start, start + length)
  const nul = field.indexOf(0)
  return nul === -1 ? field : field.subarray(0, nul)
}

/** A numeric field: octal text, or base-256 when its first byte has the high bit set. */
function num(b: Buffer, start: number, length: number): number {
  if (b[start] & 0x80) {
    let n = b[start] & 0x7f
    for (let i = start + 1; i < start + length; i++) n = n * 256 + b[i]
    return n
  }
  const text = b.subarray(start, start + length).toString('latin1').replace(/\0.*$/s, '').trim()
  return text === '' ? 0 : Number.parseInt(text, 8)
}

const STRICT_UTF8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

/** Bytes to a string: UTF-8 where it is valid, each other byte as U+DC00 + byte. */
export function fsDecode(bytes: Buffer): string {
  let out = ''
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i]
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0
    let decoded: string | null = null
    if (n > 0 && i + n <= bytes.length) {
      try {
        decoded = STRICT_UTF8.decode(bytes.subarray(i, i + n))
      } catch {
        decoded = null
      }
    }
    if (decoded === null) {
      out += String.fromCharCode(0xdc00 + c)
      i++
    } else {
      out += decoded
      i += n
    }
  }
  return out
}

export const byName = (members: Member[]): Map<string, Member> => new Map(members.map((m) => [m.name, m]))

/** A sink that keeps what it is given (copied: a synchronous sink's caller may reuse its buffer). */
export class MemorySink implements ByteSink {
  readonly synchronous = true
  readonly chunks: Buffer[] = []
  write(chunk: Buffer): void {
    this.chunks.push(Buffer.from(chunk))
  }

  drained(): undefined {
    return undefined
  }

  idle(): boolean {
    return true
  }

  flush(): void {}

  bytes(): Buffer {
    return Buffer.concat(this.chunks)
  }
}

/** Temp directories, removed by `cleanup` (call it from afterAll). */
const temps: string[] = []
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imgdiff-unit-'))
  temps.push(dir)
  return dir
}

export function cleanup(): void {
  for (const dir of temps.splice(0)) rmSync(dir, {recursive: true, force: true})
}

/** The answers a Docker engine gave (fixtures/make-fixtures.sh). */
export interface DockerImage {
  id: string
  repoTags: string[]
  parent: string | null
  created: string
  os: string
  architecture: string
  saveFile: string
  manifestLayers: string[]
  diffIds: string[]
  history: number
  historyNonEmpty: number
  historyCreatedBy: Array<string | null>
  historyIds: Array<string | null>
  config: Record<string, unknown>
}
export const dockerSays = (): {images: Record<string, DockerImage>} => readJson(fixture('docker-says.json'))

export interface DockerStep {
  step: number
  id: string
  parent: string | null
  createdBy: string | null
  created: string
  comment: string | null
  emptyLayer: boolean
  diffIds: string[]
  history: number
  historyNonEmpty: number
  config: Record<string, unknown>
}
export const multistepSteps = (): {image: string; id: string; steps: DockerStep[]} => readJson(fixture('multistep-steps.json'))

/** null, '', [] and {} are all "not set" in a runtime config (`docker inspect` prints absent fields as null). */
export function unset(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true
  if (Array.isArray(v)) return v.length === 0
  if (typeof v === 'object') return Object.keys(v as object).length === 0
  return false
}

export const RUNTIME_FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal'] as const

/** A runtime config with every unset field as null, for comparing configs field by field. */
export function normalized(config: Record<string, unknown> | null | undefined, fields: readonly string[] = RUNTIME_FIELDS): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, unset(config?.[f]) ? null : config![f]]))
}

/** A plain docker save read with parseTar: its manifest, configs and each layer's tar bytes (symlinked layers followed). */
export function readSave(file: string): {manifest: Array<{Config: string; RepoTags: string[] | null; Layers: string[]}>; member: (name: string) => Buffer} {
  const members = byName(parseTar(readFileSync(file)))
  const member = (name: string): Buffer => {
    const m = members.get(name)
    if (!m) throw new Error(`${file} has no member ${name}`)
    return m.type === '2' ? member(path.posix.normalize(path.posix.join(path.posix.dirname(name), m.linkname))) : m.data
  }
  return {manifest: JSON.parse(member('manifest.json').toString('utf8')), member}
}

/** chain_id(1) = diff_id(1), chain_id(n) = sha256 of "chain_id(n-1) diff_id(n)": the OCI image spec's rule. */
export function chainOf(diffIds: string[]): string[] {
  const out: string[] = []
  for (const d of diffIds) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`))
  return out
}

export interface TarSpec {
  name: string
  type?: 'file' | 'directory' | 'symlink' | 'link'
  data?: string | Buffer
  mode?: number
  linkname?: string
  mtime?: number
}

/** A tar written by tar-stream (not src/), for synthetic inputs. */
export async function packTar(entries: TarSpec[]): Promise<Buffer> {
  const pack = tarStream.pack()
  const chunks: Buffer[] = []
  const collected = (async () => {
    for await (const c of pack) chunks.push(c as Buffer)
  })()
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data)
    const type = e.type ?? 'file'
    const header = {name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), mtime: new Date((e.mtime ?? 1_577_836_800) * 1000), uid: 0, gid: 0, linkname: e.linkname, size: type === 'file' ? data.length : 0}
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve())
      if (type === 'file') pack.entry(header, data, done)
      else pack.entry(header, done)
    })
  }
  pack.finalize()
  await collected
  return Buffer.concat(chunks)
}

/** A minimal docker save (manifest.json, a config naming the layers' diff_ids, the layers) in a temp file. */
export async function writeSave(file: string, layers: Buffer[], repoTag = 'synthetic:latest'): Promise<string> {
  const config = Buffer.from(JSON.stringify({architecture: 'amd64', os: 'linux', config: {}, rootfs: {type: 'layers', diff_ids: layers.map((l) => sha256(l))}, history: layers.map(() => ({created_by: 'synthetic'}))}))
  const configName = `${sha256(config).slice(7)}.json`
  const names = layers.map((_, i) => `layer${i}/layer.tar`)
  writeFileSync(
    file,
    await packTar([
      {name: configName, data: config},
      ...layers.map((l, i) => ({name: names[i], data: l})),
      {name: 'manifest.json', data: JSON.stringify([{Config: configName, RepoTags: [repoTag], Layers: names}])},
    ]),
  )
  return file
}
