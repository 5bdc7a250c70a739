/**
 * diff's content flags and its JSON sections, each judged by a tool that is not imgdiff:
 * --content-hash sha256 by sha256sum of the files GNU tar extracts from Docker's own export;
 * --content patches by GNU diff -u of the same two files, --max-content by the sizes the test
 * wrote, binary files by GNU diff's "Binary files ... differ"; the `config` and `history`
 * sections by what Docker recorded (docker-says.json); `sizes` by Python's tarfile over the
 * archives, Docker's export of the image, and dive's layer sizes (fixtures/dive/dive-says.json).
 */
import {mkdirSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, fixture, FIXTURES, readJson, runCached, runJson, tempDir} from './helpers/cli.js'
import {exec} from './helpers/exec.js'
import {CONFIG_FIELDS, RUNTIME_PATHS, dockerSays, type DockerImage} from './helpers/fixtures.js'
import {judgeListing} from './helpers/judge.js'
import {packTar, type EntrySpec} from './helpers/tar.js'

afterAll(cleanupTemps)

const says = dockerSays()

describe('--content-hash sha256', () => {
  /** sha256sum of every regular file under app/ of Docker's export of multistep, by path. */
  let sums: Map<string, string>
  beforeAll(async () => {
    const dir = tempDir('imgdiff-sha256sum-')
    const x = await exec('tar', ['-xf', fixture('multistep.export.tar'), '-C', dir, 'app'])
    expect(x.code, x.stderr).toBe(0)
    const files = (await exec('find', ['app', '-type', 'f'], {cwd: dir})).stdout.trim().split('\n')
    const r = await exec('sha256sum', files, {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    sums = new Map(r.stdout.trim().split('\n').map((l) => [`/${l.slice(66)}`, `sha256:${l.slice(0, 64)}`]))
    expect(sums.size).toBeGreaterThan(5)
  })

  for (const [side, args] of [
    ['b', [fixture('busybox.save.tar'), fixture('multistep.save.tar')]],
    ['a', [fixture('multistep.save.tar'), fixture('busybox.save.tar')]],
  ] as const) {
    it(`side ${side}: every file digest in diff --json is what sha256sum says of that file`, async () => {
      const d = await runJson(['diff', ...args, '--content-hash', 'sha256', '--json'])
      const checked = d.files.filter((f: any) => f[side]?.type === 'file')
      expect(checked.map((f: {path: string}) => f.path).sort()).toEqual([...sums.keys()].sort())
      for (const f of checked) expect(f[side].digest, f.path).toBe(sums.get(f.path))
    })
  }
})

describe('--content, --max-content and binary files, against GNU diff', () => {
  const CAP = 1000
  /** Lines of exactly `size` bytes: "line 001\n"... */
  const text = (size: number, changed = -1) => {
    let s = ''
    for (let i = 0; s.length < size; i++) s += i === changed ? `LINE ${String(i).padStart(3, '0')}\n` : `line ${String(i).padStart(3, '0')}\n`
    return s.slice(0, size - 1) + '\n'
  }
  const A: Record<string, string | Buffer> = {
    'small.txt': 'alpha\nbeta\ngamma\n',
    'edge.txt': text(CAP),
    'big.txt': text(CAP + 1),
    'bin.dat': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 9]),
  }
  const B: Record<string, string | Buffer> = {
    'small.txt': 'alpha\nBETA\ngamma\ndelta\n',
    'edge.txt': text(CAP, 50),
    'big.txt': text(CAP + 1, 50),
    'bin.dat': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 4, 0, 0, 9]),
    'added.txt': 'new one\nnew two\n',
  }
  let dir = ''
  let a = ''
  let b = ''
  beforeAll(async () => {
    dir = tempDir('imgdiff-content-')
    const pack = (files: Record<string, string | Buffer>): Promise<Buffer> => packTar([{name: 'data/', type: 'directory'}, ...Object.entries(files).map(([name, data]): EntrySpec => ({name: `data/${name}`, data}))])
    a = path.join(dir, 'a.export.tar')
    b = path.join(dir, 'b.export.tar')
    writeFileSync(a, await pack(A))
    writeFileSync(b, await pack(B))
    // The same files on disk, for GNU diff.
    for (const [side, files] of [['a', A], ['b', B]] as const) {
      mkdirSync(path.join(dir, side))
      for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, side, name), data)
    }
    writeFileSync(path.join(dir, 'a', 'added.txt'), '')
  })

  /** GNU diff -u's hunks (from the first @@ line), or its one-line verdict for binary files. */
  async function gnuDiff(name: string): Promise<string> {
    const r = await exec('diff', ['-u', path.join('a', name), path.join('b', name)], {cwd: dir})
    expect(r.code, `GNU diff ${name}: ${r.stderr}`).toBe(1)
    const at = r.stdout.indexOf('@@')
    return at >= 0 ? r.stdout.slice(at) : r.stdout
  }
  const hunks = (patch: string) => patch.slice(patch.indexOf('@@')).replace(/\n$/, '')

  it(`--max-content ${CAP} --json: a patch per changed text file up to ${CAP} bytes, equal to GNU diff -u's hunks`, async () => {
    expect([Buffer.byteLength(A['edge.txt']), Buffer.byteLength(B['big.txt'])]).toEqual([CAP, CAP + 1])
    const d = await runJson(['diff', a, b, '--content', '--max-content', String(CAP), '--json'])
    for (const name of ['small.txt', 'edge.txt', 'added.txt']) {
      expect(d.patches[`/data/${name}`], name).toContain('@@')
      expect(hunks(d.patches[`/data/${name}`]), name).toBe((await gnuDiff(name)).replace(/\n$/, ''))
    }
  })

  it(`a file of ${CAP + 1} bytes is not read: no line of it in the patch, and the cap named`, async () => {
    const d = await runJson(['diff', a, b, '--content', '--max-content', String(CAP), '--json'])
    const patch: string = d.patches['/data/big.txt']
    expect(patch).not.toContain('@@')
    expect(patch).not.toMatch(/line 0|LINE 0/)
    expect(patch).toMatch(/--max-content/)
    // Without the flag (256 KiB) the same file is a patch: the cap given is the one used.
    const whole = await runJson(['diff', a, b, '--content', '--json'])
    expect(hunks(whole.patches['/data/big.txt'])).toBe((await gnuDiff('big.txt')).replace(/\n$/, ''))
  })

  it('a file GNU diff calls binary is named binary, with no hunk, in JSON and in text', async () => {
    expect(await gnuDiff('bin.dat')).toMatch(/^Binary files .* differ$/m)
    const d = await runJson(['diff', a, b, '--content', '--max-content', String(CAP), '--json'])
    expect(d.patches['/data/bin.dat']).toMatch(/^Binary files .*differ$/)
    const t = await runCached(['diff', a, b, '--content', '--max-content', String(CAP)])
    expect(t.code, t.stderr).toBe(0)
    const lines = t.stdout.split('\n')
    const at = lines.findIndex((l) => /\/data\/bin\.dat\b/.test(l))
    expect(at, t.stdout).toBeGreaterThanOrEqual(0)
    expect(lines[at + 1], 'the line under bin.dat').toMatch(/^\s+Binary files .*differ$/)
  })
})

/** null, '', [] and {} are all "not set": how `docker image inspect` prints an absent field. */
function norm(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return null
  if (Array.isArray(v)) return v.length === 0 ? null : v
  if (typeof v === 'object') return Object.keys(v as object).length === 0 ? null : v
  return v
}

/** The config rows Docker's own answers imply: each runtime field, os and architecture that differ. */
function configRows(x: DockerImage & {os?: string; architecture?: string}, y: DockerImage & {os?: string; architecture?: string}): Record<string, {a: unknown; b: unknown}> {
  const rows: Record<string, {a: unknown; b: unknown}> = {}
  for (const f of CONFIG_FIELDS) if (JSON.stringify(norm(x.config[f])) !== JSON.stringify(norm(y.config[f]))) rows[f] = {a: norm(x.config[f]), b: norm(y.config[f])}
  for (const f of ['os', 'architecture'] as const) if (x[f] !== y[f]) rows[f] = {a: x[f], b: y[f]}
  return rows
}

const PAIRS = [
  // The 2014 article's commit: Cmd ["sh"] became the container's command.
  {a: 'busybox.save.tar', b: 'busybox-1.save.tar', says: ['busybox', 'busybox-1']},
  // skopeo's OCI copy of busybox-1 (same config) against the classic build: every field differs.
  {a: 'busybox-1.oci-gzip.tar', b: 'multistep.save.tar', says: ['busybox-1', 'multistep']},
] as const

describe('the diff JSON: config and history, as Docker recorded them', () => {
  for (const p of PAIRS) {
    it(`${p.a} vs ${p.b}: config has a row for each field Docker shows different, with Docker's values`, async () => {
      const d = await runJson(['diff', fixture(p.a), fixture(p.b), '--json'])
      const want = configRows(says.images[p.says[0]], says.images[p.says[1]])
      expect(Object.keys(want).length).toBeGreaterThan(0)
      const got = Object.fromEntries(d.config.map((c: {field: string; a: unknown; b: unknown}) => [c.field, {a: norm(c.a), b: norm(c.b)}]))
      expect(got).toEqual(want)
      expect(d.summary.configChanges).toBe(Object.keys(want).length)
    })

    it(`${p.a} vs ${p.b}: history has a row per step, by position, the same step where docker history shows the same image`, async () => {
      const d = await runJson(['diff', fixture(p.a), fixture(p.b), '--json'])
      const [x, y] = p.says.map((n) => says.images[n])
      const steps = Math.max(x.history, y.history)
      expect(d.history).toHaveLength(steps)
      for (const [i, row] of d.history.entries()) {
        const status = i >= x.history ? 'only-b' : i >= y.history ? 'only-a' : x.historyIds[i] === y.historyIds[i] ? 'same' : 'different'
        expect({step: row.step, status: row.status}, `step ${i + 1}`).toEqual({step: i + 1, status})
        // Each side's CREATED BY; a step without one (docker import's) shows its comment, some text.
        for (const [side, img] of [['a', x], ['b', y]] as const) {
          if (i >= img.history) expect(row[side], `step ${i + 1} ${side}`).toBeNull()
          else if (img.historyCreatedBy[i] === null) expect(typeof row[side], `step ${i + 1} ${side}`).toBe('string')
          else expect(row[side], `step ${i + 1} ${side}`).toBe(img.historyCreatedBy[i])
        }
      }
      expect(d.summary.historyChanges).toBe(d.history.filter((h: {status: string}) => h.status !== 'same').length)
    })
  }
})

/**
 * What Python's tarfile says of an archive (docker save or OCI): its size, its layers' bytes as
 * stored and uncompressed, and the regular-file bytes in them (what Docker and dive call a layer's size).
 */
const PY_SIZES = `
import gzip, io, json, os, sys, tarfile
path = sys.argv[1]
outer = tarfile.open(path)
members = {m.name[2:] if m.name.startswith('./') else m.name: m for m in outer.getmembers()}
read = lambda n: outer.extractfile(members[n]).read()
if 'manifest.json' in members:
    layers = json.loads(read('manifest.json'))[0]['Layers']
else:
    manifest = json.loads(read('blobs/' + json.loads(read('index.json'))['manifests'][0]['digest'].replace(':', '/')))
    layers = ['blobs/' + l['digest'].replace(':', '/') for l in manifest['layers']]
stored = plain = content = 0
for name in layers:
    data = read(name)
    stored += len(data)
    if data[:2] == b'\\x1f\\x8b':
        data = gzip.decompress(data)
    plain += len(data)
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        content += sum(m.size for m in t.getmembers() if m.isreg())
print(json.dumps({'bytes': os.path.getsize(path), 'stored': stored, 'plain': plain, 'content': content}))
`

async function pySizes(file: string): Promise<{bytes: number; stored: number; plain: number; content: number}> {
  const r = await exec('python3', ['-c', PY_SIZES, file])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

/** Bytes of the files in Docker's export of an image: each hard-linked file once, runtime files left out. */
async function exportedBytes(file: string): Promise<number> {
  const seen = new Set<string>()
  let n = 0
  for (const e of await judgeListing(file)) {
    if (e.type !== 'file' || RUNTIME_PATHS.includes(`/${e.path}`)) continue
    const key = e.group ? e.group.join('\0') : e.path
    if (seen.has(key)) continue
    seen.add(key)
    n += e.size!
  }
  return n
}

describe('the diff JSON: sizes', () => {
  it('busybox-1.oci-gzip.tar vs multistep.save.tar: archive, layer, metadata, visible and hidden bytes', async () => {
    const d = await runJson(['diff', fixture('busybox-1.oci-gzip.tar'), fixture('multistep.save.tar'), '--json'])
    const dive = JSON.parse(readJson(path.join(FIXTURES, 'dive', 'dive-says.json')).archives['../multistep.save.tar'].export)
    for (const [side, file, exported] of [
      ['a', 'busybox-1.oci-gzip.tar', 'busybox-1.export.tar'],
      ['b', 'multistep.save.tar', 'multistep.export.tar'],
    ] as const) {
      const py = await pySizes(fixture(file))
      const visible = await exportedBytes(fixture(exported))
      expect(py.bytes).toBe(statSync(fixture(file)).size)
      expect(d.sizes[side], side).toMatchObject({
        bytes: py.bytes,
        layersStored: py.stored,
        layersUncompressed: py.plain,
        metadataBytes: py.bytes - py.stored,
        visibleBytes: visible,
        hiddenBytes: py.content - visible,
      })
    }
    // dive counts the same layer bytes for multistep, layer by layer.
    expect((await pySizes(fixture('multistep.save.tar'))).content).toBe(dive.layer.reduce((n: number, l: {sizeBytes: number}) => n + l.sizeBytes, 0))
    expect(d.sizes.b.hiddenBytes).toBeGreaterThan(0)
    expect(d.sizes.a.layersStored).toBeLessThan(d.sizes.a.layersUncompressed)
  })
})
