/**
 * Writing is safe: an interrupted or failing rollback/flatten/import leaves no output and no temp
 * file, an existing output is refused, and the input stays byte-identical. The input is a large
 * synthetic docker save (one 160 MB layer) so there is time to interrupt a write in progress.
 */
import {spawn} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {retar} from './fuzz/fuzz-core.mjs'
import {checkDist, cleanupTemps, expectOneLineError, ROOT, run, sha256File, tempDir} from './helpers/cli.js'

checkDist()
let dir: string
let save: string
let rootfs: string
const hashes = new Map<string, string>()

beforeAll(async () => {
  dir = tempDir('imgdiff-writes-')
  const big = randomBytes(160 * 1024 * 1024)
  const layer = await retar([
    {header: {name: 'data/', type: 'directory', mode: 0o755, mtime: new Date(0)}, data: Buffer.alloc(0)},
    {header: {name: 'data/blob', type: 'file', mode: 0o644, mtime: new Date(0)}, data: big},
  ])
  rootfs = path.join(dir, 'rootfs.tar')
  writeFileSync(rootfs, layer)
  const diffId = 'sha256:' + createHash('sha256').update(layer).digest('hex')
  const config = Buffer.from(JSON.stringify({architecture: 'amd64', os: 'linux', config: {}, rootfs: {type: 'layers', diff_ids: [diffId]}, history: [{created: '2020-01-01T00:00:00Z', created_by: 'test'}]}))
  const file = (name: string, data: Buffer) => ({header: {name, type: 'file', mode: 0o644, mtime: new Date(0)}, data})
  save = path.join(dir, 'big.save.tar')
  writeFileSync(save, await retar([file('c.json', config), file('l/layer.tar', layer), file('manifest.json', Buffer.from(JSON.stringify([{Config: 'c.json', RepoTags: ['big:test'], Layers: ['l/layer.tar']}])))]))
  for (const p of [save, rootfs]) hashes.set(p, sha256File(p))
}, 120_000)

afterAll(() => cleanupTemps())

const COMMANDS: Record<string, (out: string) => string[]> = {
  rollback: (out) => ['rollback', save, '--to', '1', '-o', out],
  flatten: (out) => ['flatten', save, '-o', out],
  import: (out) => ['import', rootfs, '-o', out, '--tag', 'big:imported'],
}

/** Start imgdiff, wait until its temp output has bytes in it, then send the signal. */
async function interrupt(args: string[], outDir: string, signal: NodeJS.Signals): Promise<{code: number | null; stderr: string; sawTemp: boolean}> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (c) => (stderr += c))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  let sawTemp = false
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && child.exitCode === null) {
    const temp = readdirSync(outDir).find((f) => f.endsWith('.tmp'))
    if (temp && statSync(path.join(outDir, temp)).size > 1024 * 1024) {
      sawTemp = true
      child.kill(signal)
      break
    }
    await new Promise((r) => setTimeout(r, 2))
  }
  return {code: await exited, stderr, sawTemp}
}

describe('an interrupted write leaves nothing behind', () => {
  for (const [name, args] of Object.entries(COMMANDS)) {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      it(`${name} killed by ${signal} mid-write`, async () => {
        const outDir = path.join(dir, `${name}-${signal}`)
        mkdirSync(outDir)
        const out = path.join(outDir, 'out.tar')
        const r = await interrupt(args(out), outDir, signal)
        expect(r.sawTemp, 'the write was under way when the signal came').toBe(true)
        expect(r.code, r.stderr).toBe(code)
        expect(r.stderr).toMatch(/interrupted/)
        expect(readdirSync(outDir), 'no output and no temp file').toEqual([])
        for (const [p, h] of hashes) expect(sha256File(p), `${p} unchanged`).toBe(h)
      }, 120_000)
    }
  }
})

describe('a full disk leaves nothing behind', () => {
  let small: string
  beforeAll(() => {
    small = path.join(dir, 'tmpfs')
    mkdirSync(small)
    // A 32 MB filesystem: every output here is about 160 MB.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', small])
  })
  afterAll(() => {
    try {
      execFileSync('umount', [small])
    } catch {}
  })

  for (const [name, args] of Object.entries(COMMANDS)) {
    it(`${name} into a 32 MB tmpfs: one clear line, exit 2, no partial file`, async () => {
      const out = path.join(small, `${name}.tar`)
      const r = await run(args(out), {timeoutMs: 120_000})
      const line = expectOneLineError(r, `${name} on a full disk`)
      expect(line).toMatch(/no space left on device/)
      expect(readdirSync(small)).toEqual([])
      for (const [p, h] of hashes) expect(sha256File(p), `${p} unchanged`).toBe(h)
    }, 120_000)
  }
})

describe('outputs are never overwritten by accident', () => {
  it('an existing output is refused without --force and kept as it was', async () => {
    const out = path.join(dir, 'exists.tar')
    writeFileSync(out, 'keep me')
    const r = await run(COMMANDS.rollback(out))
    expect(expectOneLineError(r, 'existing output')).toMatch(/already exists.*--force/)
    expect(statSync(out).size).toBe(7)
  })

  it('the input itself is refused as output, even with --force', async () => {
    const r = await run([...COMMANDS.flatten(save), '--force'])
    expect(expectOneLineError(r, 'input as output')).toMatch(/one of the inputs/)
    expect(sha256File(save)).toBe(hashes.get(save))
  })

  it('with --force a complete, verified output replaces the old one', async () => {
    const out = path.join(dir, 'replace.tar')
    writeFileSync(out, 'old')
    const r = await run([...COMMANDS.rollback(out), '--force'], {timeoutMs: 120_000})
    expect(r.code, r.stderr).toBe(0)
    expect(existsSync(out)).toBe(true)
    const inspect = await run(['inspect', out, '--json'], {timeoutMs: 120_000})
    expect(JSON.parse(inspect.stdout).images[0].repoTags).toEqual(['big:step-1'])
  }, 120_000)
})
