/**
 * Shared test helpers: run the built CLI (`node bin/run.js`) as a user would, temp dirs, hashes.
 * The CLI runs from dist/, so `npm test` (build + vitest) is the way to run the suite; a dist/
 * older than src/ fails loudly instead of testing yesterday's code.
 */
import {exec} from './exec.js'
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {expect} from 'vitest'

const HERE = path.dirname(fileURLToPath(import.meta.url))
/** /work/main */
export const ROOT = path.resolve(HERE, '../..')
export const FIXTURES = path.join(ROOT, 'fixtures')
/** Archives written by other tools; never copied into the project (see its README). */
export const COMPAT_DIR = path.resolve(HERE, '../../../shared/fixtures/compat')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

let distChecked = false

/** dist/ must exist and be at least as new as src/ (else the tests would test old code). */
export function checkDist(): void {
  if (distChecked) return
  const bin = path.join(ROOT, 'bin/run.js')
  if (!existsSync(bin)) throw new Error(`${bin} is missing`)
  if (!existsSync(path.join(ROOT, 'dist/commands'))) throw new Error('dist/ is missing: build first (npm test runs `npm run build` then vitest)')
  const stale: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const out = path.join(ROOT, 'dist', path.relative(path.join(ROOT, 'src'), p)).replace(/\.ts$/, '.js')
        if (!existsSync(out) || statSync(out).mtimeMs + 1000 < statSync(p).mtimeMs) stale.push(path.relative(ROOT, p))
      }
    }
  }
  walk(path.join(ROOT, 'src'))
  if (stale.length > 0) throw new Error(`dist/ is older than src/ (${stale.slice(0, 5).join(', ')}): run \`npm run build\` or \`npm test\``)
  // oclif takes commands, flags and help from the manifest the build writes after tsc (bin/manifest.js).
  const manifest = path.join(ROOT, '.oclif.manifest.json')
  const commands = readdirSync(path.join(ROOT, 'dist/commands')).map((f) => statSync(path.join(ROOT, 'dist/commands', f)).mtimeMs)
  if (!existsSync(manifest) || statSync(manifest).mtimeMs + 1000 < Math.max(...commands)) throw new Error('.oclif.manifest.json is missing or older than dist/commands: run `npm run build` (tsc alone does not write it)')
  distChecked = true
}

/** Run `node bin/run.js ...args` from the project root. Never throws on a non-zero exit. */
export function run(args: string[], options: {cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv} = {}): Promise<RunResult> {
  checkDist()
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env}
  delete env.DEBUG
  return exec(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], {env, cwd: options.cwd, timeoutMs: options.timeoutMs ?? 30_000})
}

/** Memoized run: several tests of one file look at the same invocation. */
const cache = new Map<string, Promise<RunResult>>()
export function runCached(args: string[]): Promise<RunResult> {
  const key = JSON.stringify(args)
  let p = cache.get(key)
  if (!p) cache.set(key, (p = run(args)))
  return p
}

/** Run a command that must succeed and print JSON; the failure message carries stderr. */
export async function runJson<T = any>(args: string[]): Promise<T> {
  const r = await runCached(args)
  expect(r.code, `imgdiff ${args.join(' ')} exited ${r.code}\nstderr: ${r.stderr}`).toBe(0)
  try {
    return JSON.parse(r.stdout) as T
  } catch (error) {
    throw new Error(`imgdiff ${args.join(' ')} did not print JSON (${(error as Error).message}):\n${r.stdout.slice(0, 500)}`)
  }
}

/** What a usable error looks like: exit 2, one line on stderr, no stack trace. Returns the line. */
export function expectOneLineError(r: RunResult, what: string): string {
  const lines = r.stderr.replace(/\n$/, '').split('\n')
  expect(r.code, `${what}: exit code (stderr: ${r.stderr})`).toBe(2)
  expect(r.stderr, `${what}: stack trace on stderr`).not.toMatch(/^\s+at /m)
  expect(lines, `${what}: stderr must be exactly one line, got:\n${r.stderr}`).toHaveLength(1)
  expect(lines[0].trim(), `${what}: empty error line`).not.toBe('')
  return lines[0]
}

export function fixture(name: string): string {
  return path.join(FIXTURES, name)
}

/** A compat archive; fails (never skips) when the shared folder is not there. */
export function compat(name: string): string {
  requireCompatDir()
  return path.join(COMPAT_DIR, name)
}

export function requireCompatDir(): void {
  if (!existsSync(COMPAT_DIR)) {
    throw new Error(`compat fixtures not found at ${COMPAT_DIR} (expected ../shared/fixtures/compat next to the project root; CI always has it)`)
  }
}

const temps: string[] = []
/** A fresh directory under os.tmpdir(); removed by cleanupTemps(). */
export function tempDir(prefix = 'imgdiff-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  temps.push(dir)
  return dir
}

export function cleanupTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, {recursive: true, force: true})
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

export function readJson<T = any>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T
}
