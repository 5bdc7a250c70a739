/**
 * The package people install: `npm pack`, then `npm install -g` of the tarball into an empty
 * prefix (as on a clean machine), then the installed `imgdiff` binary must work.
 */
import {execFile} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
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

  it('imgdiff --help lists every command on its own line of the COMMANDS section', async () => {
    const {stdout} = await exec(bin, ['--help'])
    // The section runs from its heading to the next heading (or the end); a word elsewhere (USAGE, a summary) does not count.
    const section = /^COMMANDS\n([\s\S]*?)(?=^\S|(?![\s\S]))/m.exec(stdout)
    expect(section, `no COMMANDS section in:\n${stdout}`).not.toBeNull()
    for (const c of ['diff', 'inspect', 'tree', 'rollback', 'flatten', 'import', 'report']) {
      // Two spaces of indent, the command, then at least two spaces before its summary.
      expect(section![1], c).toMatch(new RegExp(`^  ${c} {2,}\\S`, 'm'))
    }
  })

  it('the installed binary does the main job', async () => {
    const {stdout} = await exec(bin, [fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar'), '--json'], {maxBuffer: 64 * 1024 * 1024})
    const d = JSON.parse(stdout)
    expect(d.lost.side).toBe('b')
    expect(d.summary.identical).toBe(true)
  })

  it("carries oclif's manifest, made from the built commands: a run loads only the command it runs", async () => {
    const installed = path.join(path.dirname(path.dirname(bin)), 'lib', 'node_modules', 'imgdiff')
    const manifest = JSON.parse(readFileSync(path.join(installed, '.oclif.manifest.json'), 'utf8')) as {version: string; commands: Record<string, {flags: Record<string, unknown>}>}
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {version: string}
    expect(manifest.version).toBe(pkg.version)
    const built = readdirSync(path.join(ROOT, 'dist', 'commands')).filter((f) => f.endsWith('.js'))
    expect(Object.keys(manifest.commands).sort()).toEqual(built.map((f) => f.slice(0, -3)).sort())
    // Stale flags would show stale help: each command's flags are those of its built class.
    for (const f of built) {
      const {default: command} = (await import(path.join(ROOT, 'dist', 'commands', f))) as {default: {baseFlags?: Record<string, unknown>; flags: Record<string, unknown>}}
      expect(Object.keys(manifest.commands[f.slice(0, -3)].flags).sort(), f).toEqual(Object.keys({...command.baseFlags, ...command.flags}).sort())
    }
  })
})
