/**
 * The package people install: `npm pack`, then `npm install -g` of the tarball into an empty
 * prefix (as on a clean machine), then the installed `imgdiff` binary must work.
 */
import {execFile} from 'node:child_process'
import {readdirSync} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, fixture, ROOT, tempDir} from './helpers/cli.js'

const exec = promisify(execFile)
let bin: string

beforeAll(async () => {
  const dir = tempDir('imgdiff-pack-')
  // --ignore-scripts: the tarball must already hold the built dist/ (npm test built it).
  await exec('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], {cwd: ROOT})
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!
  const prefix = path.join(dir, 'prefix')
  await exec('npm', ['install', '-g', '--no-audit', '--no-fund', '--prefix', prefix, path.join(dir, tgz)], {cwd: dir, maxBuffer: 64 * 1024 * 1024})
  bin = path.join(prefix, 'bin', 'imgdiff')
}, 300_000)

afterAll(() => cleanupTemps())

describe('npm pack + npm install -g', () => {
  it('imgdiff --version', async () => {
    const {stdout} = await exec(bin, ['--version'])
    expect(stdout).toMatch(/^imgdiff\/\d+\.\d+\.\d+ /)
  })

  it('imgdiff --help lists every command', async () => {
    const {stdout} = await exec(bin, ['--help'])
    for (const c of ['diff', 'inspect', 'tree', 'rollback', 'flatten', 'import']) expect(stdout).toContain(c)
  })

  it('the installed binary does the main job', async () => {
    const {stdout} = await exec(bin, [fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar'), '--json'], {maxBuffer: 64 * 1024 * 1024})
    const d = JSON.parse(stdout)
    expect(d.lost.side).toBe('b')
    expect(d.summary.identical).toBe(true)
  })
})
