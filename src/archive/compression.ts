import {Duplex, PassThrough, Readable, Transform} from 'node:stream'
import {createRequire} from 'node:module'
import {createGunzip} from 'node:zlib'
import type * as Fzstd from 'fzstd'
import type Xz from 'xz-decompress'
import type Unbzip2 from 'unbzip2-stream'

/**
 * The one place that knows compression. Node 20's zlib has gzip only; zstd, xz and bzip2 come
 * from small pure-JS/wasm packages (fzstd, xz-decompress, unbzip2-stream), chosen because they
 * stream and need no native build.
 */
export type Compression = 'gzip' | 'zstd' | 'xz' | 'bzip2' | 'none'

/** Each package is loaded when an archive needs it: together they cost about 15 MB of memory (xz's wasm the most). */
const load = createRequire(import.meta.url)

export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd'
  if (head.length >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) return 'xz'
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2'
  return 'none'
}

/** A transform from compressed bytes to plain bytes; `none` passes bytes through. */
export function decompressor(kind: Compression): Duplex {
  switch (kind) {
    case 'gzip': {
      return createGunzip({chunkSize: 256 * 1024})
    }

    case 'zstd': {
      return zstdTransform()
    }

    case 'xz': {
      const input = new PassThrough()
      const {XzReadableStream} = load('xz-decompress') as typeof Xz
      const output = Readable.fromWeb(new XzReadableStream(Readable.toWeb(input) as ReadableStream<Uint8Array>) as import('node:stream/web').ReadableStream)
      return Duplex.from({readable: output, writable: input})
    }

    case 'bzip2': {
      return bzip2Transform()
    }

    case 'none': {
      return new PassThrough({highWaterMark: 256 * 1024})
    }
  }
}

function zstdTransform(): Transform {
  let decoder: Fzstd.Decompress
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        decoder.push(chunk)
        done()
      } catch (error) {
        done(new Error(`zstd: ${(error as Error).message}`))
      }
    },
    flush(done) {
      try {
        decoder.push(new Uint8Array(0), true)
        done()
      } catch (error) {
        done(new Error(`zstd: ${(error as Error).message}`))
      }
    },
  })
  const {Decompress} = load('fzstd') as typeof Fzstd
  decoder = new Decompress((data) => {
    t.push(Buffer.from(data)) // copy: fzstd may reuse its window buffer
  })
  return t
}

/** unbzip2-stream is an old-style `through` stream: wrap it in a real Transform (async-iterable, pipeline-safe). */
function bzip2Transform(): Transform {
  const inner = (load('unbzip2-stream') as typeof Unbzip2)() as unknown as NodeJS.ReadWriteStream
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      inner.write(chunk)
      done()
    },
    flush(done) {
      inner.once('end', () => done())
      inner.end()
    },
  })
  inner.on('data', (data: Buffer) => t.push(data))
  inner.on("error", (error: Error) => t.destroy(new Error(`bzip2 data is corrupt or truncated (${error.message})`)))
  return t
}
