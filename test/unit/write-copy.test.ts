/**
 * Rollback's one-pass copy (src/write: hash-thread, layer-copy), in-process: the hashing thread's
 * loop and its hand-over protocol run on this thread with the slots filled beforehand, and the
 * copier is given a stand-in hasher. Judged by node:crypto over the bytes and by parseTar's
 * reading of what was written (support.ts shares no code with src/).
 */
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {HashThread, type HashWorker, type PieceHasher, serveHashes, type Shared, SLOT, SLOTS, STOP} from '../../src/write/hash-thread.js'
import {LayerCopier} from '../../src/write/layer-copy.js'
import {TarOut} from '../../src/write/pack.js'
import {type ByteSink} from '../../src/write/byte-sink.js'
import {fixture, MemorySink, parseTar, readImage, sha256} from './support.js'

const FREE = 0
const FULL = 1
const END = 2

/** Slots as the hashing thread sees them, filled by hand. */
function slots() {
  const shared = {data: new SharedArrayBuffer(SLOT * SLOTS), state: new SharedArrayBuffer(4 * SLOTS * 2)}
  const state = new Int32Array(shared.state)
  const put = (i: number, what: number, text = '') => {
    Buffer.from(shared.data, i * SLOT, SLOT).write(text)
    state[SLOTS + i] = Buffer.byteLength(text)
    state[i] = what
  }
  return {shared, state, put}
}

describe('serveHashes: the hashing thread\'s loop', () => {
  it('hashes full slots in turn, sends the digest at an end slot, frees each slot, returns at a stop slot', () => {
    const {shared, state, put} = slots()
    put(0, FULL, 'abc')
    put(1, FULL, 'de')
    put(2, END)
    put(3, STOP)
    const sent: string[] = []
    serveHashes(shared, (d) => sent.push(d))
    expect(sent).toEqual([sha256('abcde')])
    expect([...state.subarray(0, SLOTS)]).toEqual([FREE, FREE, FREE, STOP])
  })

  it('starts a new hash after each end, across the ring of slots; a slot counts only its length', () => {
    const {shared, put} = slots()
    put(0, FULL, 'x')
    put(1, END)
    put(2, FULL, 'yz')
    // A slot's bytes past its length are not hashed.
    Buffer.from(shared.data, 2 * SLOT, SLOT).write('!', 2)
    put(3, END)
    const sent: string[] = []
    // Slot 0 again, after the ring went round: stop there.
    const state = new Int32Array(shared.state)
    const sentAt = (d: string) => {
      sent.push(d)
      if (sent.length === 2) state[0] = STOP
    }
    serveHashes(shared, sentAt)
    expect(sent).toEqual([sha256('x'), sha256('yz')])
  })
})

/** A HashThread whose thread is this one: the loop runs when the test says. */
function threadHere() {
  let shared: Shared | undefined
  const on: Record<string, (x: any) => void> = {}
  let terminated = 0
  const worker: HashWorker = {
    on: ((event: string, cb: (x: any) => void) => {
      on[event] = cb
      return worker
    }) as HashWorker['on'],
    terminate: async () => {
      terminated++
      return 0
    },
  }
  const thread = new HashThread((s) => {
    shared = s
    return worker
  })
  const state = () => new Int32Array(shared!.state)
  /** Run the loop over what was handed over, up to the slot `at` (set to stop). */
  const serveUpTo = (at: number) => {
    state()[at] = STOP
    serveHashes(shared!, (d) => on.message(d))
    state()[at] = FREE
  }
  return {thread, state, serveUpTo, on, terminated: () => terminated}
}

describe('HashThread: pieces handed over in shared slots', () => {
  it('a digest of every piece submitted; an empty piece is not handed over', async () => {
    const t = threadHere()
    t.thread.slot().write('abc')
    t.thread.submit(3)
    t.thread.submit(0)
    t.thread.slot().write('de')
    t.thread.submit(2)
    const digest = t.thread.digest()
    expect([...t.state().subarray(0, SLOTS)]).toEqual([FULL, FULL, END, FREE])
    expect([...t.state().subarray(SLOTS, SLOTS + 2)]).toEqual([3, 2])
    t.serveUpTo(3)
    expect(await digest).toBe(sha256('abcde'))
    // The next stream goes on round the ring, where the thread's loop goes on too.
    t.thread.slot().write('f')
    t.thread.submit(1)
    void t.thread.digest()
    expect([...t.state().subarray(0, SLOTS)]).toEqual([END, FREE, FREE, FULL])
  })

  it('a slot is the shared bytes themselves, SLOT long', () => {
    const t = threadHere()
    const slot = t.thread.slot()
    expect(slot.length).toBe(SLOT)
    expect(slot.buffer).toBeInstanceOf(SharedArrayBuffer)
  })

  it('close() tells the thread to stop when it can, and ends it', () => {
    const t = threadHere()
    t.thread.close()
    expect(t.state()[0]).toBe(STOP)
    expect(t.terminated()).toBe(1)
  })

  it('a thread that fails rejects the digests waited for', async () => {
    const t = threadHere()
    const digest = t.thread.digest()
    t.on.error(new Error('boom'))
    await expect(digest).rejects.toThrow('the hashing thread failed (boom)')
  })
})

/** A stand-in hasher: small slots, hashed at once, so pieces are many. */
function pieces(size = 1000) {
  const buf = Buffer.alloc(size)
  const parts: Buffer[] = []
  const log = {slots: 0, closed: 0, digests: 0}
  const hasher: PieceHasher = {
    slot: () => {
      log.slots++
      return buf
    },
    submit: (n) => {
      parts.push(Buffer.from(buf.subarray(0, n)))
    },
    digest: async () => {
      log.digests++
      return sha256(Buffer.concat(parts.splice(0)))
    },
    close: () => {
      log.closed++
    },
  }
  return {hasher, log}
}

/** Not synchronous: the copy must not hand it a slot it will reuse. */
class LaterSink implements ByteSink {
  readonly synchronous = false
  readonly inner = new MemorySink()
  write(chunk: Buffer): void {
    this.inner.write(chunk)
  }

  drained(): undefined {
    return undefined
  }

  idle(): boolean {
    return false
  }

  flush(): void {}
}

describe('LayerCopier: a layer copied by offset, checked on the way', () => {
  it('a plain layer through the thread: the tar member is the layer, its digest and diff_id its sha256', async () => {
    const image = await readImage(fixture('busybox-1.save.tar'))
    const layer = image.layers[0]
    const bytes = readFileSync(image.path).subarray(layer.offset!, layer.offset! + layer.size)
    const sink = new MemorySink()
    const out = new TarOut(sink)
    const {hasher, log} = pieces()
    const copier = new LayerCopier(image.path, out, {from: 1, start: () => hasher})
    const w = await copier.copy({name: 'l/layer.tar', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: layer.size}, layer.offset!, layer.size)
    copier.close()
    expect(w).toEqual({digest: sha256(bytes), diffId: sha256(bytes)})
    expect(w.diffId).toBe(layer.diffId)
    expect(log.slots).toBe(Math.ceil(layer.size / 1000))
    expect(log.closed).toBe(1)
    const [member] = parseTar(sink.bytes())
    expect(member.name).toBe('l/layer.tar')
    expect(member.data.equals(bytes)).toBe(true)
    expect(out.members).toBe(1)
  })

  it('the thread is used only from its size on, for a plain layer, into a synchronous sink', async () => {
    const image = await readImage(fixture('busybox-1.save.tar'))
    const layer = image.layers[0]
    const header = {name: 'x', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, mtime: 0, size: layer.size}
    for (const [from, sink, used] of [
      [layer.size + 1, new MemorySink(), 0],
      [layer.size, new MemorySink(), 1],
      [1, new LaterSink(), 0],
    ] as const) {
      const {hasher, log} = pieces()
      const copier = new LayerCopier(image.path, new TarOut(sink), {from, start: () => hasher})
      const w = await copier.copy(header, layer.offset!, layer.size)
      expect(w.diffId, `from ${from}`).toBe(layer.diffId)
      expect(log.digests > 0 ? 1 : 0, `from ${from}`).toBe(used)
    }
  })

  it('a gzip layer is copied as stored, its diff_id what it inflates to, without the thread', async () => {
    const image = await readImage(fixture('busybox-1.oci-gzip.tar'))
    const layer = image.layers[0]
    const {hasher, log} = pieces()
    const sink = new MemorySink()
    const copier = new LayerCopier(image.path, new TarOut(sink), {from: 1, start: () => hasher})
    const w = await copier.copy({name: 'g', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: layer.size}, layer.offset!, layer.size)
    expect(w).toEqual({digest: layer.digest, diffId: layer.diffId})
    expect(log.slots).toBe(0)
  })

  it('a source shorter than the layer says so', async () => {
    const image = await readImage(fixture('busybox-1.save.tar'))
    const layer = image.layers[0]
    const total = readFileSync(image.path).length
    const {hasher} = pieces()
    const copier = new LayerCopier(image.path, new TarOut(new MemorySink()), {from: 1, start: () => hasher})
    const size = total - layer.offset! + 4096
    await expect(copier.copy({name: 'l/layer.tar', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, size}, layer.offset!, size)).rejects.toThrow(
      "the source archive ends 4096 bytes short of layer 'l/layer.tar' (it changed?)",
    )
  })
})
