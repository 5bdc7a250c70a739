import {PassThrough, type Readable} from 'node:stream'

/**
 * The first `n` bytes of a stream (to sniff compression) and a stream of all of it, head included.
 */
export async function peekHead(body: Readable, n: number): Promise<{head: Buffer; rest: Readable}> {
  const iterator = body[Symbol.asyncIterator]()
  const parts: Buffer[] = []
  let have = 0
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
