/**
 * Helpers for the end-to-end engine suite (engine.test.ts): decide whether a Docker engine can be
 * used, start/stop private throw-away engines with ../shared/tools/dockerd-up.sh, run `docker`
 * against one of them, read files out of an archive, and normalize configs for comparison.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ROOT} from '../helpers/cli.js'

export const DOCKERD_UP = path.resolve(ROOT, '../shared/tools/dockerd-up.sh')

function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, cmd))) return true
  }
  return false
}

/** `docker version` against DOCKER_HOST (or the default socket) answers within 10 s. */
function dockerHostAnswers(): boolean {
  if (!process.env.DOCKER_HOST || !onPath('docker')) return false
  try {
    execFileSync('docker', ['version'], {stdio: 'ignore', timeout: 10_000})
    return true
  } catch {
    return false
  }
}

export interface EngineDecision {
  /** the suite must run (and fail if the engines cannot start) */
  run: boolean
  why: string
}

export function decideEngine(): EngineDecision {
  if (process.env.IMGDIFF_ENGINE_TESTS === '1') return {run: true, why: 'IMGDIFF_ENGINE_TESTS=1'}
  if (dockerHostAnswers()) return {run: true, why: `DOCKER_HOST=${process.env.DOCKER_HOST} answers`}
  if (onPath('docker') || onPath('dockerd')) return {run: true, why: 'a docker/dockerd binary is installed'}
  return {run: false, why: 'no IMGDIFF_ENGINE_TESTS=1, no DOCKER_HOST answering, no docker/dockerd binary'}
}

import {exec, type ExecResult} from '../helpers/exec.js'

export {exec, type ExecResult}

/** A private dockerd (vfs, no network) with its own data root, started by dockerd-up.sh. */
export class Engine {
  readonly host: string
  constructor(
    readonly name: string,
    readonly root: string,
    host: string,
  ) {
    this.host = host
  }

  static async start(name: string, parent: string): Promise<Engine> {
    if (!existsSync(DOCKERD_UP)) throw new Error(`${DOCKERD_UP} is missing (expected ../shared/tools next to the project root)`)
    const root = mkdtempSync(path.join(parent, `${name}-`))
    const r = await exec('bash', [DOCKERD_UP], {env: {...process.env, IMGDIFF_DOCKERD_ROOT: root}, timeoutMs: 240_000})
    const host = r.stdout.trim().split('\n').pop() ?? ''
    if (r.code !== 0 || !host.startsWith('unix://')) {
      let log = ''
      try {
        log = readFileSync(path.join(root, 'log'), 'utf8').slice(-2000)
      } catch {}
      throw new Error(`could not start the ${name} engine (dockerd-up.sh exit ${r.code}): ${r.stderr}\n${log}`)
    }
    return new Engine(name, root, host)
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {...process.env, DOCKER_HOST: this.host, DOCKER_CLI_HINTS: 'false', ...extra}
  }

  /** docker ...args against this engine; never throws. */
  docker(args: string[], opts: {env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<ExecResult> {
    return exec('docker', args, {env: this.env(opts.env), timeoutMs: opts.timeoutMs})
  }

  /** docker ...args that must succeed; returns stdout. */
  async ok(args: string[], opts: {env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<string> {
    const r = await this.docker(args, opts)
    if (r.code !== 0) throw new Error(`[${this.name}] docker ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
    return r.stdout
  }

  async inspect(ref: string): Promise<any> {
    return JSON.parse(await this.ok(['image', 'inspect', ref]))[0]
  }

  async historyCount(ref: string): Promise<number> {
    return (await this.ok(['history', '-q', '--no-trunc', ref])).split('\n').filter(Boolean).length
  }

  /** docker create (never started) + docker export; removes the container. */
  async exportOf(ref: string, out: string): Promise<void> {
    const id = (await this.ok(['create', '--network', 'none', ref])).trim()
    try {
      await this.ok(['export', '-o', out, id])
    } finally {
      await this.docker(['rm', '-f', id])
    }
  }

  /** Remove every container and image, and check that the engine holds nothing afterwards. */
  async wipe(): Promise<void> {
    const containers = (await this.ok(['ps', '-aq'])).split('\n').filter(Boolean)
    if (containers.length > 0) await this.ok(['rm', '-f', ...containers])
    const images = [...new Set((await this.ok(['images', '-aq', '--no-trunc'])).split('\n').filter(Boolean))]
    if (images.length > 0) await this.ok(['rmi', '-f', ...images])
    const left = (await this.ok(['images', '-aq'])).trim()
    if (left !== '') throw new Error(`[${this.name}] images left after wipe: ${left}`)
  }

  /** Kill the engine by its pid file and wait for it to go; then remove its folder. */
  async stop(): Promise<void> {
    const pidFile = path.join(this.root, 'pid')
    let pid = 0
    try {
      pid = Number(readFileSync(pidFile, 'utf8').trim())
    } catch {}
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {}
      for (let i = 0; i < 60; i++) {
        try {
          process.kill(pid, 0)
        } catch {
          break
        }
        await new Promise((r) => setTimeout(r, 500))
      }
    }
    try {
      rmSync(this.root, {recursive: true, force: true})
    } catch {}
  }
}

export function newTmpRoot(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'imgdiff-e2e-'))
}

/** One member of a tar archive, as text (system tar). */
export async function tarMember(archive: string, member: string): Promise<string> {
  const r = await exec('tar', ['-xOf', archive, member])
  if (r.code !== 0) throw new Error(`tar -xOf ${archive} ${member}: ${r.stderr}`)
  return r.stdout
}

export interface SavedImage {
  manifest: any
  configName: string
  configText: string
  config: any
}

/** manifest.json entry `index` and its config from a docker-save archive. */
export async function readSaved(archive: string, index = 0): Promise<SavedImage> {
  const manifest = JSON.parse(await tarMember(archive, 'manifest.json'))
  const entry = manifest[index]
  const configText = await tarMember(archive, entry.Config)
  return {manifest: entry, configName: entry.Config, configText, config: JSON.parse(configText)}
}

/** The runtime config fields a rollback must reproduce. */
export const CONFIG_FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal', 'Shell', 'Healthcheck', 'OnBuild'] as const

/** null, undefined, '', {} and [] all mean "not set". */
export function norm(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return null
  if (Array.isArray(v)) return v.length === 0 ? null : v
  if (typeof v === 'object') return Object.keys(v as object).length === 0 ? null : v
  return v
}

export function pickConfig(config: any): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of CONFIG_FIELDS) out[f] = norm(config?.[f])
  return out
}
