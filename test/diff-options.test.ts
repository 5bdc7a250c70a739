/**
 * diff's options: --path, --ignore, --content, --runtime; --help of every command; --version.
 * Expected paths and contents come from what Docker wrote (multistep.export.tar is Docker's own
 * flattening of multistep) and from the build context (fixtures/multistep/hello.txt).
 */
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT, cleanupTemps, fixture, readJson, runCached, runJson, tempDir} from './helpers/cli.js'
import {packTar, readTar, type EntrySpec} from './helpers/tar.js'

afterAll(cleanupTemps)

const MULTI = fixture('multistep.save.tar')
const BASE = fixture('busybox.save.tar')
const EXPORT = fixture('multistep.export.tar')

/** Paths under /app in Docker's own export of multistep. */
async function appPathsInExport(): Promise<string[]> {
  const entries = await readTar(EXPORT)
  return entries
    .map((e) => '/' + e.header.name.replace(/^\.?\//, '').replace(/\/$/, ''))
    .filter((p) => p === '/app' || p.startsWith('/app/'))
    .sort()
}

describe('--path', () => {
  it('--path "/app/**" lists exactly the /app tree Docker built (multistep.save.tar vs busybox.save.tar)', async () => {
    const d = await runJson(['diff', '--json', MULTI, BASE, '--path', '/app/**'])
    const got = d.files.map((f: {path: string}) => f.path).sort()
    expect(got).toEqual(await appPathsInExport())
    for (const f of d.files) expect(f.change, f.path).toBe('removed')
  })

  it('--path "/app/**" drops the export\'s runtime files outside /app', async () => {
    const all = await runJson(['diff', '--json', BASE, EXPORT])
    const app = await runJson(['diff', '--json', BASE, EXPORT, '--path', '/app/**'])
    const outside = (d: any) => d.files.filter((f: {path: string}) => f.path !== '/app' && !f.path.startsWith('/app/'))
    expect(outside(all).length, 'without --path there are changes outside /app').toBeGreaterThan(0)
    expect(outside(app)).toEqual([])
    expect(app.files.length).toBeGreaterThan(0)
  })

  it('--path "/app/conf/**" narrows further', async () => {
    const d = await runJson(['diff', '--json', MULTI, BASE, '--path', '/app/conf/**'])
    const want = (await appPathsInExport()).filter((p) => p.startsWith('/app/conf/'))
    expect(d.files.map((f: {path: string}) => f.path).filter((p: string) => p !== '/app/conf').sort()).toEqual(want)
  })
})

/** Two small exports that differ in one field per file. */
const A: EntrySpec[] = [
  {name: 'app/', type: 'directory', mode: 0o755},
  {name: 'app/mode.txt', data: 'same\n'},
  {name: 'app/uid.txt', data: 'same\n'},
  {name: 'app/gid.txt', data: 'same\n'},
  {name: 'app/mtime.txt', data: 'same\n'},
  {name: 'app/content.txt', data: 'aaaa\n'},
  {name: 'app/notes.txt', data: 'alpha\nbeta\ngamma\n'},
]
const B: EntrySpec[] = [
  {name: 'app/', type: 'directory', mode: 0o755},
  {name: 'app/mode.txt', data: 'same\n', mode: 0o600},
  {name: 'app/uid.txt', data: 'same\n', uid: 1000},
  {name: 'app/gid.txt', data: 'same\n', gid: 1000},
  {name: 'app/mtime.txt', data: 'same\n', mtime: new Date(1_600_000_000_000)},
  {name: 'app/content.txt', data: 'bbbb\n'},
  {name: 'app/notes.txt', data: 'alpha\nBETA\ngamma\ndelta\n'},
]

describe('--ignore and --content on two synthetic exports', () => {
  let a = ''
  let b = ''
  beforeAll(async () => {
    const dir = tempDir()
    a = path.join(dir, 'a.export.tar')
    b = path.join(dir, 'b.export.tar')
    writeFileSync(a, await packTar(A))
    writeFileSync(b, await packTar(B))
  })

  it('without --ignore, each file differs in its own field', async () => {
    const d = await runJson(['diff', '--json', a, b])
    const fields = Object.fromEntries(d.files.map((f: {path: string; fields: string[]}) => [f.path, [...f.fields].sort()]))
    expect(fields).toEqual({
      '/app/mode.txt': ['mode'],
      '/app/uid.txt': ['uid'],
      '/app/gid.txt': ['gid'],
      '/app/mtime.txt': ['mtime'],
      '/app/content.txt': ['content'],
      '/app/notes.txt': ['content', 'size'],
    })
  })

  it('--ignore mtime,uid,gid,mode leaves only the content changes', async () => {
    const d = await runJson(['diff', '--json', a, b, '--ignore', 'mtime,uid,gid,mode'])
    expect(d.files.map((f: {path: string}) => f.path).sort()).toEqual(['/app/content.txt', '/app/notes.txt'])
    for (const f of d.files) for (const x of ['mtime', 'uid', 'gid', 'mode']) expect(f.fields, f.path).not.toContain(x)
  })

  it('--content shows a unified diff of a changed text file', async () => {
    const r = await runCached(['diff', a, b, '--content'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^\s*-beta$/m)
    expect(r.stdout).toMatch(/^\s*\+BETA$/m)
    expect(r.stdout).toMatch(/^\s*\+delta$/m)
    expect(r.stdout).toMatch(/^\s* alpha$/m)
  })

  it('without --content there is no patch', async () => {
    const r = await runCached(['diff', a, b])
    expect(r.stdout).not.toMatch(/^\s*\+BETA$/m)
  })
})

describe('--ignore on real images', () => {
  it('busybox vs busybox-1: /home changed only its mtime; --ignore mtime drops it, /home/test stays', async () => {
    const plain = await runJson(['diff', '--json', BASE, fixture('busybox-1.save.tar')])
    const home = plain.files.find((f: {path: string}) => f.path === '/home')
    expect(home?.fields).toEqual(['mtime'])
    const d = await runJson(['diff', '--json', BASE, fixture('busybox-1.save.tar'), '--ignore', 'mtime'])
    expect(d.files.map((f: {path: string}) => f.path)).toEqual(['/home/test'])
  })
})

describe('--content on a real export', () => {
  it('files added by the multistep build show their content as + lines (busybox.save.tar vs multistep.export.tar)', async () => {
    const r = await runCached(['diff', BASE, EXPORT, '--content'])
    expect(r.code, r.stderr).toBe(0)
    const hello = readFileSync(fixture('multistep/hello.txt'), 'utf8').replace(/\n$/, '').split('\n')
    for (const line of hello) expect(r.stdout, `+${line}`).toContain(`+${line}\n`)
    // app.conf as Docker's export holds it (the last RUN rewrote it).
    const conf = (await readTar(EXPORT)).find((e) => e.header.name.replace(/^\.?\//, '') === 'app/conf/app.conf')!
    for (const line of conf.data.toString('utf8').replace(/\n$/, '').split('\n')) expect(r.stdout, `+${line}`).toContain(`+${line}\n`)
  })
})

describe('--runtime', () => {
  it('lists /.dockerenv (and only then)', async () => {
    const args = [fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar')]
    const without = await runCached(args)
    const withRuntime = await runCached([...args, '--runtime'])
    expect(without.code).toBe(0)
    expect(withRuntime.code).toBe(0)
    expect(without.stdout).not.toContain('/.dockerenv')
    expect(withRuntime.stdout).toMatch(/^.*\/\.dockerenv\b.*$/m)
    expect(withRuntime.stdout).toMatch(/\/etc\/hostname\b/)
  })
})

describe('help and version', () => {
  const commands = readdirSync(path.join(ROOT, 'dist/commands'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.replace(/\.js$/, ''))

  it('diff, inspect and tree are commands', () => {
    for (const c of ['diff', 'inspect', 'tree']) expect(commands).toContain(c)
  })

  for (const c of commands) {
    it(`${c} --help exits 0 and shows examples`, async () => {
      const r = await runCached([c, '--help'])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/USAGE/)
      expect(r.stdout).toMatch(/EXAMPLES?\n\s+\$ imgdiff /)
    })
  }

  it('--version exits 0 and prints the package version', async () => {
    const r = await runCached(['--version'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(readJson(path.join(ROOT, 'package.json')).version)
  })
})
