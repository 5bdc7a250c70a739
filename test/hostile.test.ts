/**
 * Hostile names (the node-tar and moby CVE class): entries named with `..` that climb out of the
 * root, absolute names, hard links that point outside. They are reported, never followed, never
 * written into an output; --strict makes them errors. Bounds stop decompression bombs.
 */
import {createHash} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {createGzip} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {retar, untar} from './fuzz/fuzz-core.mjs'
import {checkDist, cleanupTemps, expectOneLineError, run, runJson, sha256File, tempDir} from './helpers/cli.js'

checkDist()
afterAll(() => cleanupTemps())

const entry = (name: string, data = '', type = 'file', linkname?: string) => ({
  header: {name, type, mode: 0o644, mtime: new Date(0), ...(linkname ? {linkname} : {})},
  data: Buffer.from(data),
})

const HOSTILE = ['../escape.txt', 'ok/../../escape2.txt', '/etc/absolute.txt']
let dir: string
let save: string
let rootfs: string

async function saveOf(layer: Buffer, file: string): Promise<string> {
  const diffId = 'sha256:' + createHash('sha256').update(layer).digest('hex')
  const config = JSON.stringify({architecture: 'amd64', os: 'linux', config: {}, rootfs: {type: 'layers', diff_ids: [diffId]}, history: [{created_by: 'test'}]})
  const tar = await retar([entry('c.json', config), {header: {name: 'l/layer.tar', type: 'file', mode: 0o644, mtime: new Date(0)}, data: layer}, entry('manifest.json', JSON.stringify([{Config: 'c.json', RepoTags: ['hostile:test'], Layers: ['l/layer.tar']}]))])
  writeFileSync(file, tar)
  return file
}

beforeAll(async () => {
  dir = tempDir('imgdiff-hostile-')
  const layer = await retar([
    entry('ok/', '', 'directory'),
    entry('ok/fine.txt', 'fine\n'),
    ...HOSTILE.map((n) => entry(n, 'evil\n')),
    entry('ok/link-out', '', 'link', '../../etc/shadow'),
  ])
  rootfs = path.join(dir, 'rootfs.tar')
  writeFileSync(rootfs, layer)
  save = await saveOf(layer, path.join(dir, 'hostile.save.tar'))
})

describe('hostile names', () => {
  it('our test archive really holds the names (read back by tar-stream)', async () => {
    const names = (await untar(await import('node:fs').then((fs) => fs.readFileSync(rootfs)))).map((e) => e.header.name)
    for (const n of HOSTILE) expect(names).toContain(n)
  })

  it('diff reports each one, flagged, and never as a path inside the image', async () => {
    const r = await run([save, rootfs])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Unsafe names in A/)
    expect(r.stdout).toMatch(/climbs out of the image root/)
    expect(r.stdout).toMatch(/absolute name/)
    expect(r.stdout).toMatch(/hard link \/ok\/link-out/)
    const d = await runJson([save, rootfs, '--json'])
    expect(d.a.warnings.length).toBeGreaterThanOrEqual(4)
    const paths = d.files.map((f: {path: string}) => f.path)
    for (const p of ['/escape.txt', '/escape2.txt', '/etc/absolute.txt', '/ok/link-out']) expect(paths).not.toContain(p)
  })

  it('--strict turns them into an error', async () => {
    const r = await run(['inspect', save, '--strict'])
    expect(expectOneLineError(r, '--strict')).toMatch(/unsafe name/)
  })

  it('flatten writes none of them', async () => {
    const out = path.join(dir, 'flat.tar')
    const r = await run(['flatten', save, '-o', out])
    expect(r.code, r.stderr).toBe(0)
    const names = (await untar((await import('node:fs')).readFileSync(out))).map((e) => e.header.name)
    expect(names).toContain('ok/fine.txt')
    for (const n of names) {
      expect(n.split('/')).not.toContain('..')
      expect(n.startsWith('/')).toBe(false)
    }
    expect(names).not.toContain('ok/link-out')
  })

  it('rollback and import refuse them (layers are copied byte for byte) and leave no file', async () => {
    const before = sha256File(save)
    const rb = await run(['rollback', save, '--to', '1', '-o', path.join(dir, 'rb.tar')])
    expect(expectOneLineError(rb, 'rollback')).toMatch(/unsafe names/)
    const im = await run(['import', rootfs, '-o', path.join(dir, 'im.tar'), '--tag', 'x:y'])
    expect(expectOneLineError(im, 'import')).toMatch(/unsafe names/)
    expect((await import('node:fs')).readdirSync(dir).sort()).toEqual(['flat.tar', 'hostile.save.tar', 'rootfs.tar'])
    expect(sha256File(save)).toBe(before)
  })
})

describe('resource bounds', () => {
  it('a gzip layer that expands past 1 GiB at more than 1000x is stopped, not run out of memory', async () => {
    // 1.25 GiB of zeros after one small file, gzip'd (level 9: about 1030x) to about 1.3 MB.
    const head = await retar([entry('a', 'x')])
    const gz = createGzip({level: 9})
    const parts: Buffer[] = []
    gz.on('data', (c) => parts.push(c))
    const ended = new Promise((r) => gz.on('end', r))
    gz.write(head.subarray(0, head.length - 1024))
    const zeros = Buffer.alloc(16 * 1024 * 1024)
    for (let i = 0; i < 80; i++) if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r))
    gz.end()
    await ended
    const bomb = Buffer.concat(parts)
    expect(bomb.length).toBeLessThan(16 * 1024 * 1024)
    const config = JSON.stringify({rootfs: {type: 'layers', diff_ids: ['sha256:' + '0'.repeat(64)]}, history: [{}]})
    const file = path.join(dir, 'bomb.tar')
    writeFileSync(file, await retar([entry('c.json', config), {header: {name: 'l.tar.gz', type: 'file', mode: 0o644, mtime: new Date(0)}, data: bomb}, entry('manifest.json', JSON.stringify([{Config: 'c.json', RepoTags: ['b:b'], Layers: ['l.tar.gz']}]))]))
    const r = await run(['inspect', file], {timeoutMs: 120_000})
    expect(expectOneLineError(r, 'gzip bomb')).toMatch(/expands more than 1000 times/)
  }, 180_000)

  it('an archive with more files than the cap stops with the cap named (IMGDIFF_MAX_FILES lowers it here)', async () => {
    const file = path.join(dir, 'many.tar')
    writeFileSync(file, await retar(Array.from({length: 300}, (_, i) => entry(`f${i}`, 'x'))))
    process.env.IMGDIFF_MAX_FILES = '100'
    try {
      const r = await run(['inspect', file])
      expect(expectOneLineError(r, 'file cap')).toMatch(/more than 100 files.*IMGDIFF_MAX_FILES/)
    } finally {
      delete process.env.IMGDIFF_MAX_FILES
    }
    expect((await run(['inspect', file])).code).toBe(0)
  })
})
