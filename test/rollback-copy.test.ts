/**
 * rollback reads a plain archive's documents, then verifies each layer it keeps while copying it
 * (one read of the layer bytes): a kept layer whose bytes are not the config's diff_id is refused
 * and nothing is written; --no-verify copies it as it is. Judged by hashing the written layers
 * here (node:crypto over the test's own tar reader), not by asking imgdiff. The big layer takes
 * the copy whose hashing runs on another thread; the gzip'd one is inflated on the side.
 */
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, expectOneLineError, fixture, run, tempDir} from './helpers/cli.js'
import {alterFirstFileByte, packTar, readTar} from './helpers/tar.js'

afterAll(cleanupTemps)

const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex')

let dir = ''
/** Layer tars: a big one (past the size where hashing moves to a thread), a small one. */
let big: Buffer
let small: Buffer

/** A docker save of the given layer blobs; the config lists the diff_ids given. */
async function save(name: string, blobs: Buffer[], diffIds: string[]): Promise<string> {
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {Cmd: ['sh']},
    rootfs: {type: 'layers', diff_ids: diffIds},
    history: diffIds.map((_, i) => ({created_by: `step ${i + 1}`})),
  })
  const layers = blobs.map((_, i) => `l${i}/layer.tar`)
  const file = path.join(dir, name)
  writeFileSync(
    file,
    await packTar([
      {name: 'c.json', data: config},
      ...blobs.map((data, i) => ({name: layers[i], data})),
      {name: 'manifest.json', data: JSON.stringify([{Config: 'c.json', RepoTags: ['copy:test'], Layers: layers}])},
    ]),
  )
  return file
}

/** The layer blobs of a written docker save, in manifest order. */
async function layersOf(file: string): Promise<Buffer[]> {
  const entries = await readTar(file)
  const manifest = JSON.parse(entries.find((e) => e.header.name === 'manifest.json')!.data.toString('utf8'))
  return manifest[0].Layers.map((name: string) => entries.find((e) => e.header.name === name)!.data)
}

beforeAll(async () => {
  dir = tempDir('imgdiff-rollback-copy-')
  // 40 MB of bytes that do not repeat in any simple way, as one file in a layer.
  const content = Buffer.alloc(40 * 1024 * 1024)
  for (let i = 0, x = 1; i < content.length; i += 4) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0
    content.writeUInt32LE(x, i)
  }
  big = await packTar([{name: 'data/', type: 'directory'}, {name: 'data/blob.bin', data: content}])
  small = await packTar([{name: 'etc/', type: 'directory'}, {name: 'etc/hello', data: 'hello\n'}])
})

function noLeftovers(): void {
  expect(readdirSync(dir).filter((f) => f.includes('.imgdiff-'))).toEqual([])
}

describe('rollback verifies the layers it keeps as it copies them', () => {
  it('a big plain layer: the bytes written are the source layer, its sha256 the diff_id', async () => {
    const source = await save('big.save.tar', [big, small], [sha256(big), sha256(small)])
    const out = path.join(dir, 'big-step1.tar')
    const r = await run(['rollback', source, '--to', '1', '-o', out])
    expect(r.code, r.stderr).toBe(0)
    const written = await layersOf(out)
    expect(written.length).toBe(1)
    expect(sha256(written[0])).toBe(sha256(big))
  }, 60_000)

  it('a big layer whose bytes are not its diff_id: exit 2, one line naming it, nothing written; --no-verify copies it', async () => {
    const altered = alterFirstFileByte(big)
    const source = await save('big-altered.save.tar', [altered, small], [sha256(big), sha256(small)])
    const out = path.join(dir, 'altered-step1.tar')
    const line = expectOneLineError(await run(['rollback', source, '--to', '1', '-o', out]), 'altered big layer')
    expect(line).toContain(`has diff_id ${sha256(altered)} but the config says ${sha256(big)}`)
    expect(line).toContain('l0/layer.tar')
    expect(existsSync(out)).toBe(false)
    noLeftovers()
    const loose = await run(['rollback', source, '--to', '1', '-o', out, '--no-verify'])
    expect(loose.code, loose.stderr).toBe(0)
    expect(sha256((await layersOf(out))[0])).toBe(sha256(altered))
  }, 60_000)

  it('a layer dropped by the rollback is not checked: only kept layers must match', async () => {
    const source = await save('top-altered.save.tar', [small, alterFirstFileByte(big)], [sha256(small), sha256(big)])
    const out = path.join(dir, 'top-altered-step1.tar')
    const r = await run(['rollback', source, '--to', '1', '-o', out])
    expect(r.code, r.stderr).toBe(0)
    expect((await layersOf(out)).map(sha256)).toEqual([sha256(small)])
  }, 60_000)

  it('a gzip\'d layer is copied as stored and checked by what it inflates to', async () => {
    const gz = gzipSync(small)
    const source = await save('gz.save.tar', [gz, small], [sha256(small), sha256(small)])
    const out = path.join(dir, 'gz-step1.tar')
    const r = await run(['rollback', source, '--to', '1', '-o', out])
    expect(r.code, r.stderr).toBe(0)
    expect((await layersOf(out)).map(sha256)).toEqual([sha256(gz)])
    const wrong = await save('gz-wrong.save.tar', [gzipSync(alterFirstFileByte(small)), small], [sha256(small), sha256(small)])
    const line = expectOneLineError(await run(['rollback', wrong, '--to', '1', '-o', path.join(dir, 'gz-wrong-step1.tar')]), 'altered gzip layer')
    expect(line).toContain(`but the config says ${sha256(small)}`)
    noLeftovers()
  }, 60_000)

  it('a kept layer Docker cannot unpack is still refused (its headers are read, its bytes are not)', async () => {
    const r = await run(['rollback', fixture('fidelity/cases/tar-duplicate.save.tar'), '--to', '1', '-o', path.join(dir, 'dup.tar'), '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error.code).toBe('refused-by-docker')
    expect(existsSync(path.join(dir, 'dup.tar'))).toBe(false)
  })

  it('the busybox-1 fixture with its first layer altered (as bad-input makes it) is refused too', async () => {
    const entries = await readTar(fixture('busybox-1.save.tar'))
    const manifest = JSON.parse(entries.find((e) => e.header.name === 'manifest.json')!.data.toString('utf8'))
    const first = manifest[0].Layers[0]
    const altered = path.join(dir, 'busybox-1-altered.save.tar')
    writeFileSync(altered, await packTar(entries.map((e) => (e.header.name === first ? {header: e.header, data: alterFirstFileByte(e.data)} : e))))
    const line = expectOneLineError(await run(['rollback', altered, '--to', '1', '-o', path.join(dir, 'bb.tar')]), 'altered busybox layer')
    expect(line).toContain(first)
    expect(readFileSync(altered).length).toBeGreaterThan(0)
  }, 60_000)
})
