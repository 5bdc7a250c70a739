import {closeSync, createReadStream, openSync, readSync} from 'node:fs'
import {Readable} from 'node:stream'
import {sniffCompression} from '../archive/compression.js'
import {type TarHeader} from '../archive/tar-header.js'
import {HashThread, type PieceHasher} from './hash-thread.js'
import {LayerCheck, type LayerWatcher, type WrittenLayer} from './layer-check.js'
import {type TarOut} from './pack.js'

/** Below this, a layer is hashed where it is copied: a thread costs more than it saves. */
const THREAD_FROM = 32 * 1024 * 1024

/**
 * Copies layers out of a plain archive file by offset, each checked on the way (layer-check.ts).
 * A big plain layer going into a file is read and written here in pieces while another thread
 * hashes each piece just written (hash-thread.ts): one read of the source, two cores busy.
 */
export class LayerCopier {
  private thread: PieceHasher | null = null

  constructor(
    private readonly file: string,
    private readonly out: TarOut,
    /** From what size a layer is hashed on another thread, and how that thread is made (the unit tests change both). */
    private readonly threads: {from: number; start: () => PieceHasher} = {from: THREAD_FROM, start: () => new HashThread()},
  ) {}

  /** `watcher`: also shown the layer's tar as it is copied (layer-check.ts). */
  async copy(header: TarHeader, offset: number, size: number, watcher?: LayerWatcher): Promise<WrittenLayer> {
    if (size >= this.threads.from && size > 0 && this.out.synchronous && this.plainAt(offset)) return this.threaded(header, offset, size, watcher)
    const body = size === 0 ? Readable.from([]) : createReadStream(this.file, {start: offset, end: offset + size - 1, highWaterMark: 1024 * 1024})
    return copyChecked(this.out, header, body, watcher)
  }

  close(): void {
    this.thread?.close()
    this.thread = null
  }

  private plainAt(offset: number): boolean {
    const fd = openSync(this.file, 'r')
    try {
      const head = Buffer.alloc(6)
      return sniffCompression(head.subarray(0, readSync(fd, head, 0, 6, offset))) === 'none'
    } finally {
      closeSync(fd)
    }
  }

  private async threaded(header: TarHeader, offset: number, size: number, watcher?: LayerWatcher): Promise<WrittenLayer> {
    this.thread ??= this.threads.start()
    const thread = this.thread
    const fd = openSync(this.file, 'r')
    try {
      this.out.begin(header)
      for (let at = 0; at < size; ) {
        const slot = thread.slot()
        const n = readSync(fd, slot, 0, Math.min(slot.length, size - at), offset + at)
        if (n === 0) throw new Error(`the source archive ends ${size - at} bytes short of layer '${header.name}' (it changed?)`)
        // Written first (the sink is synchronous), then hashed: the hash is of what was written.
        this.out.data(slot.subarray(0, n))
        thread.submit(n)
        // Watched while it is hashed: the slot is not filled again before this thread asks for it.
        watcher?.push(slot.subarray(0, n))
        at += n
      }
      this.out.end()
    } finally {
      closeSync(fd)
    }
    watcher?.end()
    // A plain layer is its own tar: its diff_id is its digest.
    const digest = await thread.digest()
    return {digest, diffId: digest}
  }
}

/** Copy a layer's bytes from a stream into the output, checked (and watched) on the way (layer-check.ts). */
export async function copyChecked(out: TarOut, header: TarHeader, body: Readable, watcher?: LayerWatcher): Promise<WrittenLayer> {
  const check = new LayerCheck(watcher)
  body.on('error', (error: Error) => check.destroy(error))
  await out.copy(header, body.pipe(check))
  return check.result()
}
