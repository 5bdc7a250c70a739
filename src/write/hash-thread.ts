import {createHash, type Hash} from 'node:crypto'
import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads'

/** Size of one slot, and how many: the reader can be this far ahead of the hasher. */
export const SLOT = 4 * 1024 * 1024
export const SLOTS = 4
/** Slot states, in `state[i]`; the byte count of a full slot is in `state[SLOTS + i]`. */
const FREE = 0
const FULL = 1
/** A slot that ends a stream: the hasher replies with the digest and starts a new hash. */
const END = 2
/** A slot that ends the hasher: its loop returns and the thread ends on its own. */
export const STOP = 3

/** What the hashing thread is given: the slots and their states. */
export interface Shared {
  hashThread: true
  data: SharedArrayBuffer
  state: SharedArrayBuffer
}

/** The side of a thread HashThread uses: a real Worker, or a stand-in in the unit tests. */
export type HashWorker = Pick<Worker, 'on' | 'terminate'>

/** What a copy hands its pieces to (HashThread; a stand-in in the unit tests). */
export interface PieceHasher {
  /** A buffer to read the next piece into; the caller may block until one is free. */
  slot(): Buffer
  /** The first `length` bytes of the last slot are to be hashed. */
  submit(length: number): void
  /** sha256 of every piece submitted since the last digest. */
  digest(): Promise<string>
  close(): void
}

const spawn = (shared: Shared): HashWorker => new Worker(new URL(import.meta.url), {workerData: shared})

/**
 * sha256 on another thread of bytes the caller has just written: a copy reads a piece into a
 * shared slot, writes it out, and hands the very same bytes over to be hashed while it reads and
 * writes the next (Atomics, no copies). The copy and the hash then take one core each, as
 * `tee OUT | openssl dgst` does, and what is hashed is exactly what was written.
 */
export class HashThread implements PieceHasher {
  private readonly data = new SharedArrayBuffer(SLOT * SLOTS)
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * SLOTS * 2))
  private readonly worker: HashWorker
  /** Who waits for each digest asked for, in order. */
  private readonly waiting: Array<{resolve: (digest: string) => void; reject: (error: Error) => void}> = []
  private next = 0

  constructor(start: (shared: Shared) => HashWorker = spawn) {
    this.worker = start({hashThread: true, data: this.data, state: this.state.buffer as SharedArrayBuffer})
    this.worker.on('message', (digest: string) => this.waiting.shift()?.resolve(digest))
    this.worker.on('error', (error: Error) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`the hashing thread failed (${error.message})`))
    })
  }

  slot(): Buffer {
    const i = this.next
    for (let s = Atomics.load(this.state, i); s !== FREE; s = Atomics.load(this.state, i)) {
      if (Atomics.wait(this.state, i, s, STALL_MS) === 'timed-out') throw new Error(`the hashing thread has not answered for ${STALL_MS / 1000} s`)
    }
    return Buffer.from(this.data, i * SLOT, SLOT)
  }

  submit(length: number): void {
    if (length > 0) this.hand(FULL, length)
  }

  async digest(): Promise<string> {
    const done = new Promise<string>((resolve, reject) => {
      this.waiting.push({resolve, reject})
    })
    this.slot()
    this.hand(END, 0)
    return done
  }

  /** The thread is told to stop once it is done with what it was given, and ended for sure. */
  close(): void {
    if (Atomics.load(this.state, this.next) === FREE) this.hand(STOP, 0)
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

/**
 * The hashing thread's loop: each full slot in turn is hashed and freed; an END slot sends the
 * digest; a STOP slot returns. Waits (Atomics) for the next slot to be filled.
 */
export function serveHashes(shared: Pick<Shared, 'data' | 'state'>, post: (digest: string) => void): void {
  const state = new Int32Array(shared.state)
  let hash: Hash = createHash('sha256')
  for (let i = 0; ; i = (i + 1) % SLOTS) {
    Atomics.wait(state, i, FREE)
    const what = Atomics.load(state, i)
    if (what === STOP) return
    if (what === END) {
      post('sha256:' + hash.digest('hex'))
      hash = createHash('sha256')
    } else {
      hash.update(new Uint8Array(shared.data, i * SLOT, Atomics.load(state, SLOTS + i)))
    }
    Atomics.store(state, i, FREE)
    Atomics.notify(state, i)
  }
}

if (!isMainThread && parentPort && (workerData as Shared | null)?.hashThread) {
  const port = parentPort
  serveHashes(workerData as Shared, (digest) => port.postMessage(digest))
}
