/** The answers a real Docker engine and skopeo gave (written by fixtures/make-fixtures.sh and the compat set). */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {COMPAT_DIR, fixture, readJson} from './cli.js'

export const CONFIG_FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal'] as const

export interface DockerImage {
  id: string
  repoTags: string[]
  saveFile: string
  diffIds: string[]
  history: number
  historyNonEmpty: number
  historyCreatedBy: Array<string | null>
  historyIds: Array<string | null>
  config: Record<(typeof CONFIG_FIELDS)[number], unknown>
}

export interface DockerSays {
  images: Record<string, DockerImage>
  dockerLoad: Record<string, {ok: boolean; output: string; images: Record<string, string>} | string>
}

export interface Step {
  step: number
  id: string
  createdBy: string | null
  emptyLayer: boolean
  diffIds: string[]
  history: number
  config: Record<string, unknown>
}

export const dockerSays = (): DockerSays => readJson(fixture('docker-says.json'))
export const multistepSteps = (): {image: string; id: string; steps: Step[]} => readJson(fixture('multistep-steps.json'))

export interface SkopeoImage {
  reader: string
  repoTags: string[]
  diffIds: string[]
  history: number
  historyNonEmpty: number
  env: string[] | null
  cmd: string[] | null
  entrypoint: string[] | null
}
export type SkopeoSays = Record<string, {images: SkopeoImage[]; skopeo?: string}>

export const SKOPEO_SAYS = path.join(COMPAT_DIR, 'skopeo-says.json')
export const skopeoSays = (): SkopeoSays | null => (existsSync(SKOPEO_SAYS) ? readJson(SKOPEO_SAYS) : null)

/**
 * A value Docker would call set: not null/absent, not "", not [] nor {}. `docker image inspect`
 * prints absent fields as null, so absent and null are the same answer; {} stays {}.
 */
export function hasValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (typeof v === 'object') return Object.keys(v as object).length > 0
  return true
}

/** How a config field reads in `docker image inspect` (absent -> null). */
export const asDocker = (v: unknown): unknown => (v === undefined ? null : v)

/**
 * Container-only entries of a `docker export` (formats.md, "The five shapes", item 5), plus the
 * directories that hold them (their own mtime changes when the init layer writes into them).
 */
export const RUNTIME_PATHS = ['/.dockerenv', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/dev/console', '/dev/pts', '/dev/shm', '/proc', '/sys', '/etc/mtab']
export const RUNTIME_PARENTS = ['/', '/etc', '/dev']
