import {type DiffResult} from '../compare/diff.js'
import {type FileChange} from '../compare/file-diff.js'
import {MARK} from './file-lines.js'
import {showPath} from './names.js'
import {type Style, wrapWords} from './style.js'
import {humanSize, plural} from './units.js'

/** The changes a summary lists: runtime files only when asked for. */
export function listed(r: DiffResult, runtime: boolean): FileChange[] {
  return r.files.filter((f) => runtime || !f.runtime)
}

/** `--name-only`: one path per line, in path order, nothing else (for xargs). */
export function nameOnly(files: FileChange[]): string {
  return files.map((f) => f.path).join('\n')
}

/** `--name-status`: `A`, `D` or `M`, a tab, the path. */
export function nameStatus(files: FileChange[]): string {
  return files.map((f) => `${MARK[f.change]}\t${f.path}`).join('\n')
}

interface Tally {
  files: number
  plus: number
  minus: number
}

/** Bytes a change brings (+) or takes away (-): a file's content size, or how much it grew or shrank. */
function bytes(f: FileChange): {plus: number; minus: number} {
  const a = f.a?.type === 'file' ? f.a.size : 0
  const b = f.b?.type === 'file' ? f.b.size : 0
  return {plus: Math.max(0, b - a), minus: Math.max(0, a - b)}
}

/**
 * `--stat`, as git's: per top-level directory, then per kind of change, how many paths and how
 * many bytes came (+) and went (-).
 */
export function stat(files: FileChange[], style: Style): string {
  const c = style.color
  const byDir = new Map<string, Tally>()
  const byKind = new Map<FileChange['change'], Tally>()
  const add = (map: Map<string, Tally>, key: string, f: FileChange) => {
    const t = map.get(key) ?? {files: 0, plus: 0, minus: 0}
    const b = bytes(f)
    t.files++
    t.plus += b.plus
    t.minus += b.minus
    map.set(key, t)
  }
  for (const f of files) {
    const top = f.path.split('/')[1] ?? ''
    add(byDir, `/${top}`, f)
    add(byKind as Map<string, Tally>, f.change, f)
  }
  const amounts = (t: Tally) => [t.plus > 0 ? c.green(`+${humanSize(t.plus)}`) : '', t.minus > 0 ? c.red(`-${humanSize(t.minus)}`) : ''].filter(Boolean).join(' ')
  const width = Math.max(0, ...[...byDir.keys()].map((d) => [...showPath(d)].length))
  const lines = [...byDir].sort(([x], [y]) => (x < y ? -1 : 1)).map(([dir, t]) => ` ${showPath(dir).padEnd(width)}  ${plural(t.files, 'path').padEnd(10)} ${amounts(t)}`.trimEnd())
  const kinds = (['added', 'removed', 'modified'] as const).map((k) => {
    const t = byKind.get(k) ?? {files: 0, plus: 0, minus: 0}
    const paint = k === 'added' ? c.green : k === 'removed' ? c.red : c.yellow
    const amount = amounts(t)
    return `${paint(`${t.files} ${k}`)}${amount ? ` (${amount})` : ''}`
  })
  lines.push(wrapWords(` ${plural(files.length, 'path')} changed: ${kinds.join(', ')}`, style.width, '   '))
  return lines.join('\n')
}
