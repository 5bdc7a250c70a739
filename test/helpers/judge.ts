/**
 * The independent judge of root-filesystem tars (test/judge/list_tar.py, Python's tarfile): shares
 * no code with src/, so a verdict about imgdiff's output never comes from imgdiff itself.
 */
import path from 'node:path'
import {exec} from './exec.js'
import {ROOT} from './cli.js'

export interface JudgeEntry {
  path: string
  type: string
  mode: number
  typebits?: string
  uid: number
  gid: number
  mtime: number
  size?: number
  sha256?: string
  link?: string
  dev?: [number, number]
  xattrs?: Record<string, string>
  group?: string[]
}

/** What fixtures/fidelity/docker-says.json (and podman-says.json) record for one case. */
export interface CaseAnswer {
  what: string
  loads: boolean
  error?: string
  unpackTime?: string[]
  entries?: JudgeEntry[]
}

export async function judgeListing(tar: string): Promise<JudgeEntry[]> {
  const r = await exec('python3', [path.join(ROOT, 'test/judge/list_tar.py'), tar])
  if (r.code !== 0) throw new Error(`the judge (list_tar.py) could not read ${tar}: ${r.stderr}`)
  return (JSON.parse(r.stdout) as {entries: JudgeEntry[]}).entries
}
