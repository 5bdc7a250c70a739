/**
 * The JSON the README documents is the JSON the commands print.
 *
 * Each field table of the README's JSON section follows a marker
 *
 *   <!-- imgdiff-json: RUN [=> PREFIX, ...] ; RUN [=> PREFIX, ...] ... -->
 *
 * RUN is a command line (imgdiff's arguments; `--json` is added), PREFIX where the table's fields
 * sit in that run's output (`a`, `images[]`; the top level when none is given). The first cell
 * of each row names fields as paths: `a.b` (field b of object a), `a[]` (an element of array a),
 * `a.*` (anything below a). The runs happen in a fresh directory where `fixtures` links to the
 * project's fixtures, so outputs (-o) land there.
 *
 * Two checks:
 * - every documented field is in the output of at least one run of its table (a field removed
 *   from the code, or renamed, fails here);
 * - every field of every run's output is documented by a table that runs the same command (a
 *   field added without a word in the README fails here).
 */
import {readFileSync, symlinkSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {checkDist, cleanupTemps, FIXTURES, run, tempDir} from './helpers/cli.js'
import {mapLimited, README, shellWords} from './readme/blocks.mjs'

afterAll(cleanupTemps)

interface Run {
  line: string
  args: string[]
  command: string
  prefixes: string[]
}
interface Table {
  line: number
  runs: Run[]
  fields: Array<{path: string; line: number}>
}

const MARKER = /^<!-- imgdiff-json: (.+) -->$/

function parseTables(text: string): Table[] {
  const lines = text.split('\n')
  const tables: Table[] = []
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i])
    if (!m) continue
    const runs = m[1].split(' ; ').map((part) => {
      const [cmd, prefixes] = part.split(' => ')
      const args = shellWords(cmd.trim()) as string[]
      return {line: cmd.trim(), args: args.includes('--json') ? args : [...args, '--json'], command: args[0], prefixes: prefixes ? prefixes.split(',').map((p) => p.trim()) : ['']}
    })
    const fields: Table['fields'] = []
    let j = i + 1
    if (!/^\| field/.test(lines[j] ?? '') || !/^\|---/.test(lines[j + 1] ?? '')) throw new Error(`README.md:${i + 1}: a field table (| field | meaning |) must follow the marker`)
    for (j += 2; j < lines.length && lines[j].startsWith('|'); j++) {
      const cell = lines[j].split('|')[1]
      for (const f of cell.matchAll(/`([^`]+)`/g)) fields.push({path: f[1], line: j + 1})
    }
    tables.push({line: i + 1, runs, fields})
  }
  return tables
}

/** `images[].steps[].step` -> ['images', '[]', 'steps', '[]', 'step'] */
function tokens(p: string): string[] {
  return p.split('.').flatMap((seg) => {
    const out: string[] = []
    let s = seg
    const arrays: string[] = []
    while (s.endsWith('[]')) {
      arrays.push('[]')
      s = s.slice(0, -2)
    }
    if (s !== '') out.push(s)
    return [...out, ...arrays]
  })
}

const join = (prefix: string, field: string) => (prefix === '' ? field : `${prefix}.${field}`)

/** Whether the path is in the value (through any element of an array; `*`: anything, present). */
function has(value: unknown, toks: string[]): boolean {
  if (toks.length === 0) return true
  const [t, ...rest] = toks
  if (t === '*') return true
  if (t === '[]') return Array.isArray(value) && value.some((v) => has(v, rest))
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, t) && has((value as Record<string, unknown>)[t], rest)
}

/** Every field path of a JSON value, arrays collapsed to `[]`. */
function paths(value: unknown, at = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) paths(v, `${at}[]`, out)
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const p = join(at, k)
      out.add(p)
      paths(v, p, out)
    }
  }
  return out
}

/** A documented pattern covers p: it is p, or p is below a `.*`, or p is above it. */
function covers(pattern: string, p: string): boolean {
  if (pattern === p) return true
  if (pattern.endsWith('.*')) {
    const base = pattern.slice(0, -2)
    if (p === base || p.startsWith(`${base}.`) || p.startsWith(`${base}[`)) return true
  }
  return pattern.startsWith(`${p}.`) || pattern.startsWith(`${p}[]`)
}

const tables = parseTables(readFileSync(README, 'utf8'))
const runs = [...new Map(tables.flatMap((t) => t.runs).map((r) => [r.line, r])).values()]
const outputs = new Map<string, unknown>()

beforeAll(async () => {
  checkDist()
  await mapLimited(runs, 3, async (r: Run) => {
    const dir = tempDir('imgdiff-readme-json-')
    symlinkSync(FIXTURES, path.join(dir, 'fixtures'))
    const res = await run(r.args, {cwd: dir})
    try {
      outputs.set(r.line, JSON.parse(res.stdout))
    } catch {
      throw new Error(`imgdiff ${r.args.join(' ')} (exit ${res.code}) printed no JSON:\n${res.stdout.slice(0, 300)}\n${res.stderr}`)
    }
  })
}, 90_000)

describe('the README documents the JSON of every command', () => {
  it('has a field table for diff, inspect, tree, rollback, flatten, import, report and errors', () => {
    const commands = new Set(runs.map((r) => r.command))
    for (const c of ['diff', 'inspect', 'tree', 'rollback', 'flatten', 'import', 'report']) expect([...commands], c).toContain(c)
    expect(tables.some((t) => t.fields.some((f) => f.path === 'error.code'))).toBe(true)
    for (const t of tables) expect(t.fields.length, `README.md:${t.line}: a table with no fields`).toBeGreaterThan(0)
  })
})

describe('every documented field is in real --json output', () => {
  for (const t of tables) {
    it(`README.md:${t.line}: ${t.runs.map((r) => `imgdiff ${r.line}`).join('; ')}`, () => {
      const missing = t.fields.filter((f) => !t.runs.some((r) => r.prefixes.some((p) => has(outputs.get(r.line), tokens(join(p, f.path))))))
      expect(missing.map((f) => `README.md:${f.line}: ${f.path}`), 'documented but not in the output').toEqual([])
    })
  }
})

describe('every field of real --json output is documented', () => {
  for (const r of runs) {
    it(`imgdiff ${r.line} --json`, () => {
      const documented = tables.flatMap((t) => t.runs.filter((x) => x.command === r.command).flatMap((x) => x.prefixes.flatMap((p) => t.fields.map((f) => join(p, f.path)))))
      const undocumented = [...paths(outputs.get(r.line))].filter((p) => !documented.some((d) => covers(d, p)))
      expect(undocumented, `fields imgdiff ${r.command} --json prints that the README's JSON section does not list`).toEqual([])
    })
  }
})
