import {type Readable, type Writable, type Duplex} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createRequire} from 'node:module'
import type * as TarStream from 'tar-stream'

export type TarHeader = TarStream.Header
export type TarEntryStream = Readable & {header: TarHeader; offset: number}

/**
 * Walk a tar stream entry by entry: `chain` is the source followed by any transforms (a
 * decompressor, a hashing tap). The visitor must read the body before it resolves; tar-stream
 * hands out the next entry only then, so memory stays at one chunk.
 */
export async function walkTar(
  chain: [Readable, ...Duplex[]],
  visit: (header: TarHeader, body: TarEntryStream) => Promise<void>,
): Promise<void> {
  // Loaded at the first walk: only a stream that cannot be read by offset needs it (about 7 MB less otherwise).
  const extract = (createRequire(import.meta.url)('tar-stream') as typeof TarStream).extract() as unknown as Writable & AsyncIterable<TarEntryStream>
  const walking = (async () => {
    for await (const entry of extract) {
      // tar-stream hands out a null size for a size field it cannot decode, then waits forever
      // for that body: stop here instead (found by the fuzz suite).
      const size = entry.header.size
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
        throw new Error(`invalid tar header: '${entry.header.name}' has an unreadable size field`)
      }
      await visit(entry.header, entry)
      entry.resume()
    }
  })()
  const feeding = pipeline([...chain, extract] as unknown as [Readable, Writable])
  // Either half may fail first; the other must not be left hanging or unhandled. The walker's
  // error is the cause when both fail (the feeder then only reports a premature close).
  const results = await Promise.allSettled([walking, feeding])
  for (const r of results) if (r.status === 'rejected') throw r.reason
}
