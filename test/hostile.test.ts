/**
 * Unusual names (the node-tar and moby CVE class): entries named with `..` that climb out of the
 * root, absolute names, hard links that point outside. Docker unpacks inside a chroot, so each one
 * lands inside the root (`../x` at `/x`, `/etc/x` at `/etc/x`; fixtures/fidelity's
 * names-absolute-dotdot and hardlink-dotdot-target cases show a real engine doing it). imgdiff
 * places them the same way, says so, never writes a name with `..` or a leading `/`, and
 * --strict makes them errors. Bounds stop decompression bombs.
 */
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
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

const UNUSUAL = ['../escape.txt', 'ok/../../escape2.txt', '/etc/absolute.txt']
let dir: string
let save: string
let rootfs: string
let layerBytes: Buffer

async function saveOf(layer: Buffer, file: string): Promise<string> {
  const diffId = 'sha256:' + createHash('sha256').update(layer).digest('hex')
  const config = JSON.stringify({architecture: 'amd64', os: 'linux', config: {}, rootfs: {type: 'layers', diff_ids: [diffId]}, history: [{created_by: 'test'}]})
  const tar = await retar([entry('c.json', config), {header: {name: 'l/layer.tar', type: 'file', mode: 0o644, mtime: new Date(0)}, data: layer}, entry('manifest.json', JSON.stringify([{Config: 'c.json', RepoTags: ['hostile:test'], Layers: ['l/layer.tar']}]))])
  writeFileSync(file, tar)
  return file
}

beforeAll(async () => {
  dir = tempDir('imgdiff-hostile-')
  layerBytes = await retar([
    entry('ok/', '', 'directory'),
    entry('ok/fine.txt', 'fine\n'),
    ...UNUSUAL.map((n) => entry(n, 'evil\n')),
    entry('ok/link-out', '', 'link', '../../ok/fine.txt'),
  ])
  rootfs = path.join(dir, 'rootfs.tar')
  writeFileSync(rootfs, layerBytes)
  save = await saveOf(layerBytes, path.join(dir, 'hostile.save.tar'))
})

describe('unusual names', () => {
  it('our test archive really holds the names (read back by tar-stream)', async () => {
    const names = (await untar(readFileSync(rootfs))).map((e) => e.header.name)
    for (const n of UNUSUAL) expect(names).toContain(n)
  })

  it('diff says where each one lands, and lists the files there', async () => {
    const r = await run([save, rootfs])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Unusual names in A/)
    expect(r.stdout).toMatch(/'\.\.\/escape\.txt' climbs out of the root \(Docker puts it at \/escape\.txt\)/)
    expect(r.stdout).toMatch(/'\/etc\/absolute\.txt' is an absolute name \(Docker puts it at \/etc\/absolute\.txt\)/)
    const d = await runJson([save, rootfs, '--json'])
    expect(d.a.warnings.length).toBeGreaterThanOrEqual(3)
    // Both sides place them alike: nothing differs.
    expect(d.files.filter((f: {runtime: boolean}) => !f.runtime)).toEqual([])
  })

  it('--strict turns them into an error', async () => {
    const r = await run(['inspect', save, '--strict'])
    expect(expectOneLineError(r, '--strict')).toMatch(/unusual name/)
  })

  it('flatten writes them where Docker puts them, never with .. or a leading /', async () => {
    const out = path.join(dir, 'flat.tar')
    const r = await run(['flatten', save, '-o', out])
    expect(r.code, r.stderr).toBe(0)
    const entries = await untar(readFileSync(out))
    const names = entries.map((e) => e.header.name)
    expect(names).toEqual(expect.arrayContaining(['ok/fine.txt', 'escape.txt', 'escape2.txt', 'etc/absolute.txt', 'ok/link-out']))
    for (const n of names) {
      expect(n.split('/')).not.toContain('..')
      expect(n.startsWith('/')).toBe(false)
    }
    const linkOut = entries.find((e) => e.header.name === 'ok/link-out')!
    expect(linkOut.header.type === 'link' ? linkOut.header.linkname : 'ok/fine.txt').toBe('ok/fine.txt')
  })

  it('rollback and import copy the layer as it is (Docker loads it), leaving the input alone', async () => {
    const before = sha256File(save)
    const rb = path.join(dir, 'rb.tar')
    expect((await run(['rollback', save, '--to', '1', '-o', rb])).code).toBe(0)
    const rolled = await untar(readFileSync(rb))
    const layer = rolled.find((e) => e.header.name.endsWith('layer.tar'))!
    expect(createHash('sha256').update(layer.data).digest('hex')).toBe(createHash('sha256').update(layerBytes).digest('hex'))
    expect((await run(['import', rootfs, '-o', path.join(dir, 'im.tar'), '--tag', 'x:y'])).code).toBe(0)
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
