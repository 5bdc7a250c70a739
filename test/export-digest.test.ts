/**
 * An export's sha256 (the diff_id `docker import` would record) is read by a diff only where it
 * can change an answer: against a first layer that is a tar of the same size. Judged by
 * node:crypto over the files' bytes (the imported fixture's layer is the export's tar as it is).
 */
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, fixture, ROOT, runJson, sha256File, tempDir} from './helpers/cli.js'

afterAll(cleanupTemps)

const save = fixture('busybox-1.save.tar')
const imported = fixture('busybox-1-imported.save.tar')
const exported = fixture('busybox-1.export.tar')
const created = fixture('busybox-1.create-export.tar')
const digestOf = (file: string) => `sha256:${sha256File(file)}`

describe("a diff reads an export's sha256 only where it can matter", () => {
  it('against an image whose first layer is another size: null, and the layer rows say different', async () => {
    const d = await runJson([save, exported, '--json'])
    expect(d.a.layers[0].uncompressedSize).not.toBe(statSync(exported).size)
    expect(d.b.layers[0]).toMatchObject({diffId: null, chainId: null, digest: null, uncompressedSize: statSync(exported).size})
    expect(d.layers[0]).toMatchObject({status: 'different', b: {diffId: null, chainId: null}})
    // The answers that do not depend on it stand.
    expect(d.lost.side).toBe('b')
    expect(d.summary.identical).toBe(true)
  })

  it('against the image imported from it (same size): read, equal to its layer, and that image is no lost history', async () => {
    for (const [a, b, side] of [
      [imported, exported, 'b'],
      [exported, imported, 'a'],
    ] as const) {
      const d = await runJson([a, b, '--json'])
      const exp = side === 'a' ? d.a : d.b
      const img = side === 'a' ? d.b : d.a
      expect(exp.layers[0].diffId).toBe(digestOf(exported))
      expect(exp.layers[0].digest).toBe(digestOf(exported))
      expect(img.layers[0].diffId).toBe(digestOf(exported))
      expect(d.layers[0].status).toBe('same')
      // The export is flat; the image imported from it is flat too, but it is the export's own:
      // only the export is said to have lost its history.
      expect(d.lost).toMatchObject({side, because: 'export'})
    }
  })

  it('two exports of one size: both read, the same when the bytes are', async () => {
    expect(statSync(created).size).toBe(statSync(exported).size)
    const d = await runJson([exported, created, '--json'])
    expect(d.a.layers[0].diffId).toBe(digestOf(exported))
    expect(d.b.layers[0].diffId).toBe(digestOf(created))
    expect(d.layers[0].status).toBe(digestOf(exported) === digestOf(created) ? 'same' : 'different')
  })

  it('an export piped in, read once, has it anyway', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), save, '-', '--json'], {input: readFileSync(exported), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).b.layers[0].diffId).toBe(digestOf(exported))
  })

  it('a gzip\'d export against the image imported from it: read again through the inflater, the sha256 of the plain tar', async () => {
    const gz = path.join(tempDir('imgdiff-export-gz-'), 'export.tar.gz')
    writeFileSync(gz, gzipSync(readFileSync(exported)))
    const d = await runJson([imported, gz, '--json'])
    expect(d.b.layers[0].diffId).toBe(digestOf(exported))
    expect(d.layers[0].status).toBe('same')
  })

  it('a piped export copied on a reader thread (--content) is read again from the copy, removed only at the end', () => {
    // The pipe comes first, so a reader thread copies it; the thread ends long before the main
    // thread reads the copy again for the sha256. Run a few times: losing the copy was a race.
    const tmp = tempDir('imgdiff-spool-tmp-')
    for (let i = 0; i < 4; i++) {
      const r = spawnSync('bash', ['-c', 'node "$0" diff <(cat "$1") "$2" --content --json', path.join(ROOT, 'bin/run.js'), exported, imported], {env: {...process.env, TMPDIR: tmp}, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
      expect(r.status, r.stderr).toBe(0)
      const d = JSON.parse(r.stdout)
      expect(d.a.source.spooled).toBe(true)
      expect(d.a.layers[0].diffId).toBe(digestOf(exported))
      expect(readdirSync(tmp), 'temp copies left behind').toEqual([])
    }
  })

  it('inspect --json of an export always has it', async () => {
    const d = await runJson(['inspect', exported, '--json'])
    expect(d.images[0].layers[0]).toMatchObject({diffId: digestOf(exported), chainId: digestOf(exported), digest: digestOf(exported)})
  })
})
