import {createHash, type Hash} from 'node:crypto'
import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads'

/** Size of one slot, and how many: the reader can be this far ahead of the hasher. */
const SLOT = 4 * 1024 * 1024
const SLOTS = 4
/** Slot states, in `state[i]`; the byte count of a full slot is in `state[SLOTS + i]`. */
const FREE = 0
const FULL = 1
/** A slot that ends a stream: the hasher replies with the digest and starts a new hash. */
const END = 2

interface Shared {
  hashThread: true
  data: SharedArrayBuffer
  state: SharedArrayBuffer
}

/**
 * sha256 on another thread of bytes the caller has just written: a copy reads a piece into a
 * shared slot, writes it out, and hands the very same bytes over to be hashed while it reads and
 * writes the next (Atomics, no copies). The copy and the hash then take one core each, as
 * `tee OUT | openssl dgst` does, and what is hashed is exactly what was written.
 */
export class HashThread {
  private readonly data = new SharedArrayBuffer(SLOT * SLOTS)
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * SLOTS * 2))
  private readonly worker: Worker
  /** Who waits for each digest asked for, in order. */
  private readonly waiting: Array<{resolve: (digest: string) => void; reject: (error: Error) => void}> = []
  private next = 0

  constructor() {
    const shared: Shared = {hashThread: true, data: this.data, state: this.state.buffer as SharedArrayBuffer}
    this.worker = new Worker(new URL(import.meta.url), {workerData: shared})
    this.worker.on('message', (digest: string) => this.waiting.shift()?.resolve(digest))
    this.worker.on('error', (error) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`the hashing thread failed (${error.message})`))
    })
  }

  /** The next slot to fill, once the hasher is done with it (the caller blocks until then). */
  slot(): Buffer {
    const i = this.next
    for (let s = Atomics.load(this.state, i); s !== FREE; s = Atomics.load(this.state, i)) {
      if (Atomics.wait(this.state, i, s, STALL_MS) === 'timed-out') throw new Error(`the hashing thread has not answered for ${STALL_MS / 1000} s`)
    }
    return Buffer.from(this.data, i * SLOT, SLOT)
  }

  /** The first `length` bytes of the slot `slot()` gave are to be hashed. */
  submit(length: number): void {
    if (length > 0) this.hand(FULL, length)
  }

  /** The stream's sha256, once every piece handed over is hashed. */
  async digest(): Promise<string> {
    const done = new Promise<string>((resolve, reject) => {
      this.waiting.push({resolve, reject})
    })
    this.slot()
    this.hand(END, 0)
    return done
  }

  close(): void {
    void this.worker.terminate()
  }

  private hand(what: number, length: number): void {
    const i = this.next
    Atomics.store(this.state, SLOTS + i, length)
    Atomics.store(this.state, i, what)
    Atomics.notify(this.state, i)
    this.next = (i + 1) % SLOTS
  }
}

/** A hasher that takes longer than this over 4 MB has died: better an error than a hang. */
const STALL_MS = 60_000

if (!isMainThread && parentPort && (workerData as Shared | null)?.hashThread) {
  const {data, state: stateBuffer} = workerData as Shared
  const state = new Int32Array(stateBuffer)
  const port = parentPort
  let hash: Hash = createHash('sha256')
  for (let i = 0; ; i = (i + 1) % SLOTS) {
    Atomics.wait(state, i, FREE)
    if (Atomics.load(state, i) === END) {
      port.postMessage('sha256:' + hash.digest('hex'))
      hash = createHash('sha256')
    } else {
      hash.update(new Uint8Array(data, i * SLOT, Atomics.load(state, SLOTS + i)))
    }
    Atomics.store(state, i, FREE)
    Atomics.notify(state, i)
  }
}
