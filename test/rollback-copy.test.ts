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
import {cleanupTemps, expectOneLineError, fixture, readJson, run, tempDir} from './helpers/cli.js'
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

/**
 * A rollback into a file checks that Docker can unpack the layers it keeps from the bytes it copies
 * (write/unpack-check.ts); one to stdout, which cannot be taken back, reads their headers first.
 * Both must refuse what Docker refused and accept what Docker loaded, as recorded from a real
 * engine in fixtures/fidelity/docker-says.json, and say it in the same words.
 */
describe('rollback refuses what docker load refuses, from the bytes it copies', () => {
  const says = readJson(fixture('fidelity/docker-says.json')).cases as Record<string, {loads: boolean}>
  /** The last history step of a case (every layer kept), from its config as stored. */
  async function lastStep(file: string): Promise<number> {
    const entries = await readTar(file)
    const manifest = JSON.parse(entries.find((e) => e.header.name === 'manifest.json')!.data.toString('utf8'))
    const config = JSON.parse(entries.find((e) => e.header.name === manifest[0].Config)!.data.toString('utf8'))
    return config.history.length
  }

  it('every engine-made case: written iff Docker loaded it; refusals the same line as the headers-first path', async () => {
    const names = Object.keys(says)
    expect(names.length).toBeGreaterThan(40)
    expect(names.filter((n) => !says[n].loads).length).toBeGreaterThan(5)
    for (const name of names) {
      const source = fixture(`fidelity/cases/${name}.save.tar`)
      const out = path.join(dir, `case-${name}.tar`)
      const step = String(await lastStep(source))
      const r = await run(['rollback', source, '--to', step, '-o', out])
      if (says[name].loads) {
        expect(r.code, `${name}: ${r.stderr}`).toBe(0)
        continue
      }
      const line = expectOneLineError(r, `${name} into a file`)
      expect(line, name).toContain('docker load refuses this image')
      expect(existsSync(out), name).toBe(false)
      const piped = await run(['rollback', source, '--to', step, '-o', '-'])
      expect(expectOneLineError(piped, `${name} to stdout`), name).toBe(line)
      expect(piped.stdout, name).toBe('')
    }
    noLeftovers()
  }, 240_000)

  it('a layer used twice is unpacked at each of its places; refused at the second, it is named there', async () => {
    // The second l0 comes after l1 removes /etc/hello: a hard link to it is then dangling.
    const linkToHello = await packTar([{name: 'etc/', type: 'directory'}, {name: 'etc/again', type: 'link', linkname: 'etc/hello'}])
    const twice = await saveMembers('twice.save.tar', [small, big], [0, 1, 0], [sha256(small), sha256(big), sha256(small)])
    const out = path.join(dir, 'twice-step3.tar')
    const r = await run(['rollback', twice, '--to', '3', '-o', out])
    expect(r.code, r.stderr).toBe(0)
    // (The third is a symlink to the first's layer.tar, as docker save writes a layer used twice.)
    expect((await layersOf(out)).slice(0, 2).map(sha256)).toEqual([sha256(small), sha256(big)])

    const gone = await packTar([{name: 'etc/', type: 'directory'}, {name: 'etc/.wh.hello'}])
    const refused = await saveMembers('twice-refused.save.tar', [linkToHello, small, gone], [1, 0, 2, 0], [sha256(small), sha256(linkToHello), sha256(gone), sha256(linkToHello)])
    const file = expectOneLineError(await run(['rollback', refused, '--to', '4', '-o', path.join(dir, 'twice-refused.tar')]), 'second use refused')
    expect(file).toMatch(/layer 4: Docker cannot unpack member '\/?etc\/again'/)
    expect(expectOneLineError(await run(['rollback', refused, '--to', '4', '-o', '-']), 'second use refused, to stdout')).toBe(file)
    noLeftovers()
  }, 60_000)

  it('a kept layer that is no tar is said first, as a read of the headers says it, even after a refused one', async () => {
    const dup = await packTar([{name: 'x', data: 'a'}, {name: 'x', data: 'b'}])
    const junk = Buffer.alloc(4096, 7)
    const source = await saveMembers('junk.save.tar', [small, dup, junk], [0, 1, 2], [sha256(small), sha256(dup), sha256(junk)])
    const file = expectOneLineError(await run(['rollback', source, '--to', '3', '-o', path.join(dir, 'junk.tar')]), 'junk layer')
    expect(file).toContain("layer 3 'l2/layer.tar' is not a tar")
    expect(expectOneLineError(await run(['rollback', source, '--to', '3', '-o', '-']), 'junk layer, to stdout')).toBe(file)
    noLeftovers()
  }, 60_000)
})

/** A docker save whose manifest lists the stored blobs by index (one blob may be several layers). */
async function saveMembers(name: string, blobs: Buffer[], layers: number[], diffIds: string[]): Promise<string> {
  const config = JSON.stringify({architecture: 'amd64', os: 'linux', config: {}, rootfs: {type: 'layers', diff_ids: diffIds}, history: diffIds.map((_, i) => ({created_by: `step ${i + 1}`}))})
  const file = path.join(dir, name)
  const members = blobs.map((_, i) => `l${i}/layer.tar`)
  writeFileSync(
    file,
    await packTar([
      {name: 'c.json', data: config},
      ...blobs.map((data, i) => ({name: members[i], data})),
      {name: 'manifest.json', data: JSON.stringify([{Config: 'c.json', RepoTags: ['copy:test'], Layers: layers.map((i) => members[i])}])},
    ]),
  )
  return file
}
