// The fuzz engine, shared by the CI suite (test/fuzz.test.ts) and `npm run fuzz -- --count N`.
// Plain ESM over dist/, so the long local runs need no test runner. Every case is an archive made
// by mutating a real one; it must end in success or an ImgdiffError (one line, exit 2), within a
// time bound and a memory bound. MalformedArchiveError (a reader tripping) counts as a crash.
import {mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import * as tarStream from 'tar-stream'

const here = dirname(fileURLToPath(import.meta.url))
export const root = resolve(here, '../..')
const {readArchive} = await import(join(root, 'dist/formats/read.js'))
const {FlatFs} = await import(join(root, 'dist/image/flatten.js'))
const {ImgdiffError, MalformedArchiveError} = await import(join(root, 'dist/errors.js'))

/** mulberry32: small, seedable, good enough to pick mutations reproducibly. */
export function rng(seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]}
}

/** The real archives mutations start from: small ones only, so thousands of cases stay fast. */
export function seeds(maxBytes = 300_000) {
  const compat = resolve(root, '../shared/fixtures/compat')
  // The fidelity cases (fixtures/fidelity) bring every odd tar form Docker reads: v7, base-256, PAX, sparse.
  const dirs = [compat, join(root, 'fixtures'), join(root, 'fixtures/fidelity/cases')]
  const out = []
  for (const d of dirs) {
    for (const f of readdirSync(d)) {
      const p = join(d, f)
      if (/\.tar$/.test(f) && statSync(p).size <= maxBytes) out.push({name: f, bytes: readFileSync(p)})
    }
  }
  return out
}

export async function untar(buf) {
  const entries = []
  const ex = tarStream.extract()
  const done = new Promise((res, rej) => {
    ex.on('entry', (header, stream, next) => {
      const parts = []
      stream.on('data', (c) => parts.push(c))
      stream.on('end', () => {
        entries.push({header, data: Buffer.concat(parts)})
        next()
      })
    })
    ex.on('finish', res)
    ex.on('error', rej)
  })
  ex.end(buf)
  await done
  return entries
}

export async function retar(entries) {
  const pack = tarStream.pack()
  const parts = []
  pack.on('data', (c) => parts.push(c))
  const ended = new Promise((r) => pack.on('end', r))
  for (const e of entries) {
    await new Promise((res, rej) => pack.entry({...e.header, size: e.header.type === 'file' ? e.data.length : 0}, e.header.type === 'file' ? e.data : undefined, (err) => (err ? rej(err) : res())))
  }
  pack.finalize()
  await ended
  return Buffer.concat(parts)
}

/** Offsets of 512-byte blocks that hold a ustar header. */
function headerBlocks(buf) {
  const out = []
  for (let o = 0; o + 512 <= buf.length; o += 512) if (buf.toString('latin1', o + 257, o + 262) === 'ustar') out.push(o)
  return out
}

function fixChecksum(buf, o) {
  buf.fill(0x20, o + 148, o + 156)
  let sum = 0
  for (let i = o; i < o + 512; i++) sum += buf[i]
  buf.write(sum.toString(8).padStart(6, '0') + '\0 ', o + 148, 'latin1')
}

const json = (v) => Buffer.from(JSON.stringify(v))
const file = (name, data) => ({header: {name, type: 'file', mode: 0o644, mtime: new Date(0)}, data: Buffer.isBuffer(data) ? data : Buffer.from(data)})
const link = (name, linkname, type = 'symlink') => ({header: {name, type, linkname, mode: 0o777, mtime: new Date(0)}, data: Buffer.alloc(0)})
const dir = (name) => ({header: {name, type: 'directory', mode: 0o755, mtime: new Date(0)}, data: Buffer.alloc(0)})

/**
 * Mutate one JSON document of an archive: `change` gets a picked document's bytes and returns new
 * ones, or null to leave the archive as it was.
 */
async function mutateJsonDoc(s, r, change) {
  const entries = await untar(s.bytes).catch(() => null)
  if (!entries) return s.bytes
  const docs = entries.filter((e) => e.data.length > 0 && e.data.length < 1e6 && [0x7b, 0x5b].includes(e.data[0]))
  if (!docs.length) return s.bytes
  const d = r.pick(docs)
  const data = change(d.data)
  if (data === null) return s.bytes
  d.data = data
  return retar(entries)
}

/** The mutations. Each takes a seed archive and the rng and returns archive bytes. */
export const MUTATIONS = {
  'header bit flip': async (s, r) => {
    const b = Buffer.from(s.bytes)
    const hs = headerBlocks(b)
    const o = hs.length ? r.pick(hs) : 0
    b[o + r.int(512)] ^= 1 << r.int(8)
    return b
  },
  'header bit flip, checksum fixed': async (s, r) => {
    const b = Buffer.from(s.bytes)
    const hs = headerBlocks(b)
    if (!hs.length) return b
    const o = r.pick(hs)
    const field = r.pick([[0, 100], [100, 8], [124, 12], [136, 12], [156, 1], [157, 100], [345, 155]])
    b[o + field[0] + r.int(field[1])] ^= 1 << r.int(8)
    fixChecksum(b, o)
    return b
  },
  'JSON bit flip': (s, r) =>
    mutateJsonDoc(s, r, (data) => {
      const b = Buffer.from(data)
      for (let k = 1 + r.int(3); k > 0; k--) b[r.int(b.length)] ^= 1 << r.int(8)
      return b
    }),
  'JSON value swap': (s, r) =>
    mutateJsonDoc(s, r, (data) => {
      let v
      try {
        v = JSON.parse(data.toString())
      } catch {
        return null
      }
      const weird = [null, 0, -1, 1e308, '', 'x', [], {}, [null], [[]], {a: null}, true, '../../etc/passwd', '/abs/path', 'sha256:zz']
      const walk = (x, depth) => {
        if (x && typeof x === 'object') {
          const keys = Object.keys(x)
          if (keys.length && (depth > 3 || r.next() < 0.4)) x[r.pick(keys)] = r.pick(weird)
          else if (keys.length) walk(x[r.pick(keys)], depth + 1)
        }
      }
      if (v && typeof v === 'object') walk(v, 0)
      else v = r.pick(weird)
      return json(v)
    }),
  'duplicate and reorder entries': async (s, r) => {
    const entries = await untar(s.bytes).catch(() => null)
    if (!entries || !entries.length) return s.bytes
    for (let k = 1 + r.int(3); k > 0; k--) entries.splice(r.int(entries.length + 1), 0, r.pick(entries))
    for (let i = entries.length - 1; i > 0 && r.next() < 0.7; i--) {
      const j = r.int(i + 1)
      ;[entries[i], entries[j]] = [entries[j], entries[i]]
    }
    return retar(entries)
  },
  'absurd size field': async (s, r) => {
    const b = Buffer.from(s.bytes)
    const hs = headerBlocks(b)
    if (!hs.length) return b
    const o = r.pick(hs)
    b.write(r.pick(['77777777777\0', '00000001000\0', '7777777777 \0', '\x80\0\0\0\x7f\xff\xff\xff\xff\xff\xff\xff']), o + 124, 'latin1')
    fixChecksum(b, o)
    return b
  },
  'truncated at a random block': async (s, r) => s.bytes.subarray(0, 512 * r.int(Math.ceil(s.bytes.length / 512))),
  'deep, long and non-UTF-8 names': async (s, r) => {
    const entries = (await untar(s.bytes).catch(() => null)) ?? []
    const deep = Array.from({length: 200 + r.int(800)}, (_, i) => `d${i}`).join('/')
    entries.push(file(deep + '/f', 'x'), file('n'.repeat(5000 + r.int(5000)), 'y'), file(Buffer.from([0x61, 0xff, 0xfe, 0x2f, 0x62]).toString('latin1'), 'z'))
    return retar(entries)
  },
  'symlink chains and loops': async (s, r) => {
    const entries = (await untar(s.bytes).catch(() => null)) ?? []
    const manifest = entries.find((e) => e.header.name === 'manifest.json')
    const layers = (() => {
      try {
        return JSON.parse(manifest.data.toString())[0].Layers
      } catch {
        return ['a/layer.tar']
      }
    })()
    const target = r.pick(layers)
    const i = entries.findIndex((e) => e.header.name === target)
    const kind = r.int(4)
    const repl = kind === 0 ? link(target, target) : kind === 1 ? link(target, '../../../../etc/passwd') : kind === 2 ? link(target, 'x/../' + target, 'link') : link(target, 'loop2')
    if (i >= 0) entries[i] = repl
    else entries.push(repl)
    if (kind === 3) entries.push(link('loop2', target))
    return retar(entries)
  },
  'manifest names a directory or an outside link': async (s, r) => {
    const cfg = json({rootfs: {type: 'layers', diff_ids: ['sha256:' + '0'.repeat(64)]}, history: [{}]})
    const layer = r.pick([dir('l/'), link('l', '/etc/passwd'), link('l', '../../outside'), link('l', 'l')])
    return retar([file('c.json', cfg), layer, file('manifest.json', json([{Config: 'c.json', RepoTags: ['a:b'], Layers: ['l']}]))])
  },
  'config with huge arrays': async (s, r) => {
    const n = r.pick([20_000, 200_000])
    const cfg = {rootfs: {type: 'layers', diff_ids: r.next() < 0.5 ? Array(n).fill('sha256:' + 'a'.repeat(64)) : []}, history: Array(n).fill({created_by: 'x', empty_layer: true}), config: {Env: Array(n).fill('A=b')}}
    const layers = r.next() < 0.5 ? Array(n).fill('x/layer.tar') : []
    return retar([file('c.json', json(cfg)), file('manifest.json', json([{Config: 'c.json', RepoTags: null, Layers: layers}]))])
  },
  'gzip bomb layer': async (s, r) => {
    const {gzipSync} = await import('node:zlib')
    const tarBytes = await retar([file('a', Buffer.alloc(1024))])
    const bomb = gzipSync(Buffer.concat([tarBytes, Buffer.alloc(r.pick([8, 64]) * 1024 * 1024)]), {level: 9})
    const {createHash} = await import('node:crypto')
    const cfg = json({rootfs: {type: 'layers', diff_ids: ['sha256:' + createHash('sha256').update(tarBytes).digest('hex')]}, history: [{}]})
    return retar([file('c.json', cfg), file('l.tar.gz', bomb), file('manifest.json', json([{Config: 'c.json', RepoTags: ['a:b'], Layers: ['l.tar.gz']}]))])
  },
}

/** Truncations at every 512-byte boundary of one small archive: deterministic, no rng. */
export function truncations(seed) {
  const out = []
  for (let n = 0; n < seed.bytes.length; n += 512) out.push(seed.bytes.subarray(0, n))
  return out
}

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'imgdiff-fuzz-'))
}

/**
 * Run one case: read the archive, then unpack every image it holds as Docker would. Returns null
 * when it ended well (success, or an ImgdiffError), else a description of the crash: another
 * error, a MalformedArchiveError, a time-out, or memory past the bound.
 */
export async function runCase(bytes, dirPath, options = {}) {
  return (await runOne(bytes, dirPath, options)).failure
}

/** A case's failure (or null), and whether the archive read and unpacked without any error. */
export async function runOne(bytes, dirPath, {timeoutMs = 10_000, rssLimitMb = 1500} = {}) {
  const path = join(dirPath, 'case.tar')
  writeFileSync(path, bytes)
  let timer
  const timeout = new Promise((res) => {
    timer = setTimeout(() => res('timeout'), timeoutMs)
  })
  const outcome = await Promise.race([
    readArchive(path, {verify: true}).then(
      (images) => {
        for (const image of images) FlatFs.of(image.layers)
        return 'ok'
      },
    ).catch((error) => error),
    timeout,
  ])
  clearTimeout(timer)
  const rss = process.memoryUsage().rss / 1e6
  const failure = (text) => ({failure: text, read: false})
  if (outcome === 'timeout') return failure(`no answer within ${timeoutMs} ms`)
  if (rss > rssLimitMb) return failure(`memory ${rss.toFixed(0)} MB past ${rssLimitMb} MB`)
  if (outcome === 'ok') return {failure: null, read: true}
  if (outcome instanceof MalformedArchiveError) return failure(`reader tripped: ${outcome.message}`)
  if (outcome instanceof ImgdiffError) return failure(outcome.message.includes('\n') ? `message has several lines: ${outcome.message}` : null)
  return failure(`crash: ${outcome?.stack ?? outcome}`)
}

/** A reproducible run of `count` random cases; returns the failures with how to replay them. */
export async function fuzz({seed = 1, count = 1000, onCase} = {}) {
  const r = rng(seed)
  const pool = seeds()
  const names = Object.keys(MUTATIONS)
  const dirPath = tempDir()
  const failures = []
  const counts = {}
  const reads = {}
  try {
    for (let i = 0; i < count; i++) {
      const s = r.pick(pool)
      const m = names[i % names.length]
      const caseSeed = r.int(2 ** 31)
      const bytes = await MUTATIONS[m](s, rng(caseSeed))
      const {failure, read} = await runOne(bytes, dirPath)
      counts[m] = (counts[m] ?? 0) + 1
      const tally = (reads[s.name] ??= {cases: 0, read: 0})
      tally.cases++
      if (read) tally.read++
      if (failure) failures.push({mutation: m, seedArchive: s.name, caseSeed, failure})
      onCase?.(i)
    }
  } finally {
    rmSync(dirPath, {recursive: true, force: true})
  }
  return {failures, counts, reads}
}
