import {createReadStream} from 'node:fs'
import {open, stat} from 'node:fs/promises'
import {PassThrough, type Duplex, type Readable} from 'node:stream'
import {type Compression, decompressor, sniffCompression} from '../archive/compression.js'
import {BadArchiveError} from '../errors.js'
import {directoryTar} from './directory.js'
import {dockerEngine, type Engine, EngineError, engineGet, engineJson, podmanEngine} from './engine.js'
import {parseSource} from './parse.js'
import {spool} from './spool.js'

/** Where an archive's bytes came from, as `inspect` and the JSON say it. */
export interface SourceOrigin {
  kind: 'file' | 'directory' | 'stdin' | 'fifo' | 'engine-image' | 'engine-container'
  /** What was asked for: a path, an image or container reference. */
  ref: string
  /** The engine, its API version and its address, for engine sources. */
  engine?: string
  apiVersion?: string
  address?: string
  /** The bytes were copied to a temp file first, to be read twice. */
  spooled?: boolean
  /** For a container: the id of the image it was created from. */
  image?: string
}

/** How to read the same bytes again (plain data: it crosses worker threads inside an Image). */
export type Reopen = {kind: 'file'; path: string} | {kind: 'directory'; path: string}

/** An archive opened for reading: the bytes of the first pass, and how to get them again. */
export interface OpenedSource {
  /** What messages call it: the argument as given. */
  display: string
  origin: SourceOrigin
  /** An image to take from it, named in the argument (`oci:DIR:TAG`). */
  selector?: string
  /** Bytes as stored, when known. */
  size: number | null
  /** How the whole source is compressed (what `docker load` would undo). */
  compression: Compression
  /** The bytes as stored, once. */
  stream: () => Readable
  reopen: Reopen | null
}

export interface OpenOptions {
  /** The command reads the bytes twice (rollback, flatten, import, --content): streams are spooled. */
  reread: boolean
}

export async function openSource(arg: string, options: OpenOptions): Promise<OpenedSource> {
  const spec = parseSource(arg)
  switch (spec.kind) {
    case 'stdin': {
      if (process.stdin.isTTY) throw new BadArchiveError('-', 'stdin is a terminal; pipe an archive into imgdiff (docker save IMAGE | imgdiff - ...)')
      return fromStream('-', {kind: 'stdin', ref: '-'}, process.stdin, options)
    }

    case 'image':
    case 'container': {
      return fromEngine(arg, spec.kind, spec.engine === 'docker' ? dockerEngine() : podmanEngine(), spec.ref, options)
    }

    case 'path': {
      return fromPath(arg, spec.path, spec.selector, options)
    }
  }
}

async function fromPath(arg: string, path: string, selector: string | undefined, options: OpenOptions): Promise<OpenedSource> {
  let info
  try {
    info = await stat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new BadArchiveError(arg, `cannot read it: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`)
  }
  const base = {display: arg, ...(selector ? {selector} : {})}
  if (info.isDirectory()) {
    return {...base, origin: {kind: 'directory', ref: path}, size: null, compression: 'none', stream: () => directoryTar(path), reopen: {kind: 'directory', path}}
  }
  if (info.isFIFO() || info.isCharacterDevice() || info.isSocket()) {
    // A pipe: `<(docker save x)`, /dev/stdin.
    return {...(await fromStream(arg, {kind: 'fifo', ref: path}, createReadStream(path), options)), ...base}
  }
  if (info.size === 0) throw new BadArchiveError(arg, 'is empty (0 bytes), not an archive')
  const head = Buffer.alloc(6)
  const handle = await open(path, 'r')
  try {
    await handle.read(head, 0, 6, 0)
  } finally {
    await handle.close()
  }
  return {
    ...base,
    origin: {kind: 'file', ref: path},
    size: info.size,
    compression: sniffCompression(head),
    stream: () => createReadStream(path, {highWaterMark: 1024 * 1024}),
    reopen: {kind: 'file', path},
  }
}

/**
 * Whether an argument is an uncompressed archive file: one read by seeking, whose bytes are hashed
 * on worker threads anyway, so reading it needs no thread of its own.
 */
export async function isPlainFile(arg: string): Promise<boolean> {
  const spec = parseSource(arg)
  if (spec.kind !== 'path') return false
  try {
    const info = await stat(spec.path)
    if (!info.isFile() || info.size === 0) return false
    const handle = await open(spec.path, 'r')
    try {
      const head = Buffer.alloc(6)
      await handle.read(head, 0, 6, 0)
      return sniffCompression(head) === 'none'
    } finally {
      await handle.close()
    }
  } catch {
    return false
  }
}

/** A one-time stream: sniffed as it starts, or first copied to a temp file when it must be read twice. */
async function fromStream(display: string, origin: SourceOrigin, stream: Readable, options: OpenOptions): Promise<OpenedSource> {
  if (options.reread) {
    const file = await spool(stream, display)
    const size = (await stat(file)).size
    if (size === 0) throw new BadArchiveError(display, 'gave no bytes (an empty stream), not an archive')
    const spooled = await fromPath(display, file, undefined, options)
    return {...spooled, origin: {...origin, spooled: true}}
  }
  const {head, rest} = await peek(stream, 6)
  if (head.length === 0) throw new BadArchiveError(display, 'gave no bytes (an empty stream), not an archive')
  let taken = false
  return {
    display,
    origin,
    size: null,
    compression: sniffCompression(head),
    stream: () => {
      if (taken) throw new BadArchiveError(display, 'is a stream and was read already (imgdiff reads a stream once unless the command says it needs it twice)')
      taken = true
      return rest
    },
    reopen: null,
  }
}

async function fromEngine(arg: string, kind: 'image' | 'container', engine: Engine, ref: string, options: OpenOptions): Promise<OpenedSource> {
  if (!ref) throw new EngineError(`${arg}: name an ${kind} after the colon (e.g. ${kind === 'image' ? 'docker:busybox:latest' : 'container:my-container'})`)
  const version = await engineJson<{Version?: string; ApiVersion?: string}>(engine, '/version')
  const origin: SourceOrigin = {
    kind: kind === 'image' ? 'engine-image' : 'engine-container',
    ref,
    engine: `${engine.product}${version?.Version ? ` ${version.Version}` : ''}`,
    ...(version?.ApiVersion ? {apiVersion: version.ApiVersion} : {}),
    address: engine.address,
  }
  const name = encodeURIComponent(ref)
  let path: string
  if (kind === 'image') {
    const found = await engineJson<{Id?: string}>(engine, `/images/${name}/json`)
    if (!found) throw new EngineError(`the ${engine.product} engine at ${engine.address} has no image '${ref}' (${engine.product.toLowerCase()} images lists what it has)`)
    path = `/images/${name}/get`
  } else {
    const found = await engineJson<{Image?: string}>(engine, `/containers/${name}/json`)
    if (!found) throw new EngineError(`the ${engine.product} engine at ${engine.address} has no container '${ref}' (${engine.product.toLowerCase()} ps -a lists them)`)
    if (found.Image) origin.image = found.Image
    path = `/containers/${name}/export`
  }
  const res = await engineGet(engine, path)
  if (!res) throw new EngineError(`the ${engine.product} engine at ${engine.address} lost '${ref}' while imgdiff asked for it`)
  return fromStream(arg, origin, res, options)
}

/** The first `n` bytes of a stream (to sniff compression), and a stream of all of it, head included. */
async function peek(body: Readable, n: number): Promise<{head: Buffer; rest: Readable}> {
  const parts: Buffer[] = []
  let have = 0
  const iterator = body[Symbol.asyncIterator]()
  while (have < n) {
    const next = await iterator.next()
    if (next.done) break
    parts.push(next.value as Buffer)
    have += (next.value as Buffer).length
  }
  const head = Buffer.concat(parts)
  const rest = new PassThrough({highWaterMark: 1024 * 1024})
  void (async () => {
    try {
      if (head.length > 0 && !rest.write(head)) await new Promise((r) => rest.once('drain', r))
      for (;;) {
        const next = await iterator.next()
        if (next.done) break
        if (!rest.write(next.value as Buffer)) await new Promise((r) => rest.once('drain', r))
      }
      rest.end()
    } catch (error) {
      rest.destroy(error as Error)
    }
  })()
  return {head, rest}
}

/** Where a second pass reads from: the archive's reopen, and how it is compressed. */
export interface Rereadable {
  path: string
  reopen?: Reopen | null
  compression: Compression
}

/**
 * The plain tar bytes again (the source, then its decompressor), for a second pass: layer bytes
 * for rollback, file contents for flatten and --content. `onRaw` hears the stored bytes read.
 */
export function plainTarChain(archive: Rereadable, onRaw?: (bytes: number) => void): [Readable, ...Duplex[]] {
  const reopen = archive.reopen
  if (!reopen) throw new BadArchiveError(archive.path, 'is a stream that was read once; imgdiff cannot read it again (give a file)')
  const raw = reopen.kind === 'directory' ? directoryTar(reopen.path) : createReadStream(reopen.path, {highWaterMark: 1024 * 1024})
  if (onRaw) {
    let n = 0
    raw.on('data', (c: Buffer | string) => onRaw((n += c.length)))
  }
  if (archive.compression === 'none') return [raw]
  const inflate = decompressor(archive.compression)
  raw.on('error', (e: Error) => inflate.destroy(e))
  return [raw, inflate]
}

/** The same bytes as one readable stream. */
export function plainTarStream(archive: Rereadable, onRaw?: (bytes: number) => void): Readable {
  const [raw, inflate] = plainTarChain(archive, onRaw)
  return inflate ? raw.pipe(inflate) : raw
}

/** The first pass: a source's plain tar bytes. */
export function firstPass(source: OpenedSource, onRaw?: (bytes: number) => void): Readable {
  const raw = source.stream()
  if (onRaw) {
    let n = 0
    raw.on('data', (c: Buffer | string) => onRaw((n += c.length)))
  }
  if (source.compression === 'none') return raw
  const inflate = decompressor(source.compression)
  raw.on('error', (e: Error) => inflate.destroy(e))
  return raw.pipe(inflate)
}
