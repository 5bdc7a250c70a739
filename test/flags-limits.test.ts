/**
 * The safety caps (README, "Safety"): each IMGDIFF_MAX_* variable, set just below what an archive
 * holds, stops the read with exit 2 and one line that names the variable; set to what it holds,
 * the read goes through. What the archives hold comes from Docker (docker-says.json: 9 layers,
 * 19 history entries for multistep) and Python's tarfile (its members, outer and in the layers).
 * The 16 MB document cap: a config of exactly 16 MiB is read, one byte more is refused.
 */
import {createHash} from 'node:crypto'
import {once} from 'node:events'
import {createWriteStream, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGzip} from 'node:zlib'
import * as tarStream from 'tar-stream'
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, expectOneLineError, fixture, run, tempDir, type RunResult} from './helpers/cli.js'
import {exec} from './helpers/exec.js'
import {dockerSays} from './helpers/fixtures.js'
import {packTar, readTar} from './helpers/tar.js'

afterAll(cleanupTemps)

const MULTI = fixture('multistep.save.tar')
const multistep = dockerSays().images.multistep

const inspect = (file: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<RunResult> => run(['inspect', file, '--json'], {env, timeoutMs})

/** The cap is hit: exit 2, one line, the variable named. */
function stopped(r: RunResult, variable: string): string {
  const line = expectOneLineError(r, variable)
  expect(line).toContain(variable)
  return line
}

describe('IMGDIFF_MAX_LAYERS, IMGDIFF_MAX_HISTORY, IMGDIFF_MAX_FILES on multistep.save.tar', () => {
  it(`IMGDIFF_MAX_LAYERS: ${multistep.diffIds.length - 1} stops it, ${multistep.diffIds.length} lets it through`, async () => {
    const n = multistep.diffIds.length
    expect(stopped(await inspect(MULTI, {IMGDIFF_MAX_LAYERS: String(n - 1)}), 'IMGDIFF_MAX_LAYERS')).toMatch(new RegExp(`\\b${n} layers\\b`))
    const ok = await inspect(MULTI, {IMGDIFF_MAX_LAYERS: String(n)})
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout).images[0].layers).toHaveLength(n)
  })

  it(`IMGDIFF_MAX_HISTORY: ${multistep.history - 1} stops it, ${multistep.history} lets it through`, async () => {
    const n = multistep.history
    expect(stopped(await inspect(MULTI, {IMGDIFF_MAX_HISTORY: String(n - 1)}), 'IMGDIFF_MAX_HISTORY')).toMatch(new RegExp(`\\b${n} history entries\\b`))
    const ok = await inspect(MULTI, {IMGDIFF_MAX_HISTORY: String(n)})
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout).images[0].history).toHaveLength(n)
  })

  it('IMGDIFF_MAX_FILES: fewer than the layers hold stops it; the members of the archive and its layers let it through', async () => {
    const py = `
import io, json, sys, tarfile
outer = tarfile.open(sys.argv[1])
layers = json.load(outer.extractfile('manifest.json'))[0]['Layers']
inner = sum(len(tarfile.open(fileobj=io.BytesIO(outer.extractfile(n).read())).getmembers()) for n in layers)
print(json.dumps({'outer': len(outer.getmembers()), 'inner': inner}))
`
    const r = await exec('python3', ['-c', py, MULTI])
    expect(r.code, r.stderr).toBe(0)
    const {outer, inner} = JSON.parse(r.stdout) as {outer: number; inner: number}
    // Whether the archive's own members count or only the layers' is the reader's choice: both bounds hold either way.
    stopped(await inspect(MULTI, {IMGDIFF_MAX_FILES: String(inner - 1)}), 'IMGDIFF_MAX_FILES')
    const ok = await inspect(MULTI, {IMGDIFF_MAX_FILES: String(outer + inner)})
    expect(ok.code, ok.stderr).toBe(0)
  })
})

describe('IMGDIFF_MAX_EXPANSION', () => {
  it('a gzip layer that expands about 230 times past 1 GiB: stopped at 100, read at 300', async () => {
    // A tar holding one 1 GiB file of zeros, gzip level 1: about 230x. The cap only applies past 1 GiB.
    const dir = tempDir('imgdiff-expansion-')
    const size = 1024 * 1024 * 1024
    const layerFile = path.join(dir, 'layer.tar.gz')
    const hash = createHash('sha256')
    const pack = tarStream.pack()
    const tap = new Transform({
      transform(chunk, _encoding, done) {
        hash.update(chunk)
        done(null, chunk)
      },
    })
    const written = pipeline(pack, tap, createGzip({level: 1}), createWriteStream(layerFile))
    const entry = pack.entry({name: 'zeros', size, mode: 0o644, mtime: new Date(0)})
    const zeros = Buffer.alloc(16 * 1024 * 1024)
    // 64 chunks of 16 MiB: 63 written, the last one ends the entry.
    for (let i = 1; i < size / zeros.length; i++) if (!entry.write(zeros)) await once(entry, 'drain')
    entry.end(zeros)
    pack.finalize()
    await written
    const diffId = 'sha256:' + hash.digest('hex')
    const layer = readFileSync(layerFile)
    expect(size / layer.length).toBeGreaterThan(150)
    expect(size / layer.length).toBeLessThan(300)
    const config = JSON.stringify({architecture: 'amd64', os: 'linux', config: {}, rootfs: {type: 'layers', diff_ids: [diffId]}, history: [{created_by: 'zeros'}]})
    const bomb = path.join(dir, 'zeros.save.tar')
    writeFileSync(bomb, await packTar([{name: 'c.json', data: config}, {name: 'l.tar.gz', data: layer}, {name: 'manifest.json', data: JSON.stringify([{Config: 'c.json', RepoTags: ['zeros:test'], Layers: ['l.tar.gz']}])}]))
    stopped(await inspect(bomb, {IMGDIFF_MAX_EXPANSION: '100'}, 120_000), 'IMGDIFF_MAX_EXPANSION')
    const ok = await inspect(bomb, {IMGDIFF_MAX_EXPANSION: '300'}, 120_000)
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout).images[0].layers[0].diffId).toBe(diffId)
  }, 180_000)
})

describe('the 16 MB document cap', () => {
  it('a config of exactly 16 MiB is read; of 16 MiB and one byte, exit 2 and one line', async () => {
    const entries = await readTar(fixture('busybox.save.tar'))
    const manifest = JSON.parse(entries.find((e) => e.header.name === 'manifest.json')!.data.toString('utf8'))
    const original = JSON.parse(entries.find((e) => e.header.name === manifest[0].Config)!.data.toString('utf8'))
    const dir = tempDir('imgdiff-doc-cap-')
    const withConfigOf = async (size: number): Promise<{file: string; pad: number}> => {
      // A label padded so that the config document is exactly `size` bytes.
      const shell = JSON.stringify({...original, config: {...original.config, Labels: {pad: ''}}})
      const pad = size - Buffer.byteLength(shell)
      const config = JSON.stringify({...original, config: {...original.config, Labels: {pad: 'x'.repeat(pad)}}})
      expect(Buffer.byteLength(config)).toBe(size)
      const name = createHash('sha256').update(config).digest('hex') + '.json'
      const kept = entries.filter((e) => e.header.name !== 'manifest.json' && e.header.name !== manifest[0].Config)
      const file = path.join(dir, `config-${size}.tar`)
      writeFileSync(file, await packTar([...kept, {name, data: config}, {name: 'manifest.json', data: JSON.stringify([{...manifest[0], Config: name}])}]))
      return {file, pad}
    }
    const MiB16 = 16 * 1024 * 1024
    const exact = await withConfigOf(MiB16)
    const ok = await inspect(exact.file)
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout).images[0].config.config.Labels.pad).toHaveLength(exact.pad)
    const line = expectOneLineError(await inspect((await withConfigOf(MiB16 + 1)).file), 'config past 16 MiB')
    expect(line).toMatch(/16777217 bytes, over the 16 MB/)
  }, 60_000)
})
