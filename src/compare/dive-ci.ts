import {readFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import type * as Yaml from 'yaml'
import {ImgdiffError, errorMessage} from '../errors.js'
import {type Efficiency, userWastedRatio} from './efficiency.js'

/**
 * dive's CI gate (`dive --ci`, v0.12): three rules on the efficiency figures, read from a `.dive-ci`
 * YAML file, with dive's defaults, value formats and comparisons, so a pipeline can swap dive for
 * imgdiff and keep its file. Where dive reports a bad value as a failed check, imgdiff refuses it
 * up front (ImgdiffError, exit 2, one line naming the file, the key and what is accepted), and an
 * explicitly named file that does not exist is an error rather than a silent fall-back.
 *
 * API:
 *   loadCiRules(path | undefined, overrides?): Promise<CiRules>   path undefined: ./.dive-ci if it exists, else the defaults
 *   parseCiRules(yamlText, source, overrides?): CiRules           the same from text
 *   evaluateCi(efficiency, rules): CiResult                        PASS/FAIL/SKIP per rule, and whether all passed
 *
 * The file: rule keys under a top-level `rules:` mapping (keys in any letter case; other keys are
 * ignored, as dive ignores them); a key left empty keeps its default; the value `disabled` turns a
 * rule off. Values as dive reads them:
 *   lowestEfficiency          ratio 0..1 (default 0.9)      fails when the efficiency is below it
 *   highestWastedBytes        bytes, e.g. 20MB, 31KiB, 1000 (default disabled)   fails when wasted bytes are above it
 *   highestUserWastedPercent  ratio 0..1 (default 0.1)      fails when wasted / user bytes is above it
 * A figure exactly on its threshold passes (dive compares strictly).
 */
export type CiRuleKey = 'highestUserWastedPercent' | 'highestWastedBytes' | 'lowestEfficiency'

/** In dive's report order (by key). */
export const CI_RULE_KEYS: readonly CiRuleKey[] = ['highestUserWastedPercent', 'highestWastedBytes', 'lowestEfficiency']

export const DEFAULT_CI_RULES: Readonly<Record<CiRuleKey, string>> = {
  lowestEfficiency: '0.9',
  highestWastedBytes: 'disabled',
  highestUserWastedPercent: '0.1',
}

/** The file dive reads when no --ci-config is given (relative to the working directory). */
export const DEFAULT_CI_CONFIG = '.dive-ci'

export interface CiRule {
  key: CiRuleKey
  /** The value as written (or the default). */
  value: string
  /** The parsed threshold; null when the rule is disabled. */
  threshold: number | null
}

export interface CiRules {
  /** The file the rules came from, or null: dive's defaults. */
  source: string | null
  rules: CiRule[]
}

export interface CiRuleResult {
  key: CiRuleKey
  status: 'PASS' | 'FAIL' | 'SKIP'
  /** The figure measured (a ratio for the two ratio rules, bytes for highestWastedBytes); null when skipped. */
  measured: number | null
  threshold: number | null
  /** Why it failed or was skipped; empty when it passed. */
  message: string
}

export interface CiResult {
  pass: boolean
  source: string | null
  rules: CiRuleResult[]
  counts: {total: number; passed: number; failed: number; warned: number; skipped: number}
}

export async function loadCiRules(path: string | undefined, overrides: Partial<Record<CiRuleKey, string>> = {}): Promise<CiRules> {
  const file = path ?? DEFAULT_CI_CONFIG
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // Like dive: no .dive-ci in the working directory means the defaults.
    if (path === undefined && code === 'ENOENT') return parseCiRules('', null, overrides)
    throw new ImgdiffError(`${path === undefined ? '' : '--ci-config '}${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a .dive-ci file' : errorMessage(error)}`)
  }
  return parseCiRules(text, file, overrides)
}

export function parseCiRules(text: string, source: string | null, overrides: Partial<Record<CiRuleKey, string>> = {}): CiRules {
  const where = source ?? 'CI rules'
  let doc: unknown
  try {
    // Loaded here, not at start: the yaml package costs about 8 MB of memory, and most runs have no rules file.
    doc = (createRequire(import.meta.url)('yaml') as typeof Yaml).parse(text)
  } catch (error) {
    throw new ImgdiffError(`${where}: not valid YAML (${errorMessage(error).split('\n')[0]})`)
  }
  const written = new Map<string, unknown>()
  if (isMapping(doc)) {
    const rules = entryOf(doc, 'rules')
    if (rules !== undefined && rules !== null && !isMapping(rules)) throw new ImgdiffError(`${where}: 'rules' must be a mapping of rule names to values (e.g. lowestEfficiency: 0.9)`)
    if (isMapping(rules)) for (const key of CI_RULE_KEYS) written.set(key, entryOf(rules, key))
  } else if (doc !== null && doc !== undefined) {
    throw new ImgdiffError(`${where}: expected a YAML mapping with a 'rules:' section`)
  }
  const rules = CI_RULE_KEYS.map((key) => {
    const value = overrides[key] ?? valueText(written.get(key), where, key) ?? DEFAULT_CI_RULES[key]
    // Say where a bad value came from: a flag, the file, or (never bad) the default.
    const origin = overrides[key] === undefined ? `${where}: rules.${key}` : `--${key}`
    return {key, value, threshold: thresholdOf(key, value, origin)}
  })
  return {source, rules}
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** A key looked up as dive's configuration library does: in any letter case. */
function entryOf(map: Record<string, unknown>, key: string): unknown {
  const found = Object.keys(map).find((k) => k.toLowerCase() === key.toLowerCase())
  return found === undefined ? undefined : map[found]
}

/** The value as text, the way dive receives it (YAML numbers as their shortest decimal); undefined for an empty key. */
function valueText(v: unknown, where: string, key: string): string | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v)
  throw new ImgdiffError(`${where}: rules.${key} must be a single value, not a ${Array.isArray(v) ? 'list' : 'mapping'}`)
}

function thresholdOf(key: CiRuleKey, value: string, origin: string): number | null {
  if (value === 'disabled') return null
  if (key === 'highestWastedBytes') {
    const bytes = parseByteSize(value)
    if (bytes === null) throw new ImgdiffError(`${origin}: '${value}' is not a size (use a number of bytes or units such as 500kB, 20MB, 31KiB; or disabled)`)
    return bytes
  }
  const ratio = parseGoFloat(value)
  if (ratio === null) throw new ImgdiffError(`${origin}: '${value}' is not a number (use a ratio from 0 to 1, e.g. 0.9 for 90 %; or disabled)`)
  if (ratio < 0 || ratio > 1) throw new ImgdiffError(`${origin}: '${value}' is outside 0-1 (a ratio: 0.9 means 90 %; or disabled)`)
  return ratio
}

/** Go's strconv.ParseFloat syntax (decimal, exponent, hex, inf, nan; `_` only between digits of a prefixed number). */
export function parseGoFloat(text: string): number | null {
  const s = text.trim() === text ? text : ''
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity
  if (/^nan$/i.test(s)) return Number.NaN
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s)
  const hex = /^([+-]?)0x([\da-f]*)\.?([\da-f]*)p([+-]?\d+)$/i.exec(s)
  if (hex && (hex[2] || hex[3])) {
    const mantissa = Number.parseInt(hex[2] + hex[3] || '0', 16) / 16 ** hex[3].length
    return (hex[1] === '-' ? -1 : 1) * mantissa * 2 ** Number(hex[4])
  }
  return null
}

const BYTE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, ki: 2 ** 10, kib: 2 ** 10,
  m: 1e6, mb: 1e6, mi: 2 ** 20, mib: 2 ** 20,
  g: 1e9, gb: 1e9, gi: 2 ** 30, gib: 2 ** 30,
  t: 1e12, tb: 1e12, ti: 2 ** 40, tib: 2 ** 40,
  p: 1e15, pb: 1e15, pi: 2 ** 50, pib: 2 ** 50,
  e: 1e18, eb: 1e18, ei: 2 ** 60, eib: 2 ** 60,
}

/**
 * A size as dive's byte parser (go-humanize ParseBytes) reads it: a number (digits, `.`, `,` as a
 * thousands separator), then an optional unit, decimal (kB = 1000) or binary (KiB = 1024), in any
 * case; whole bytes. Null when it is not one.
 */
export function parseByteSize(text: string): number | null {
  const number = /^[\d.,]*/.exec(text)![0]
  if (number === '') return null
  const value = parseGoFloat(number.replace(/,/g, ''))
  const unit = BYTE_UNITS[text.slice(number.length).trim().toLowerCase()]
  if (value === null || unit === undefined) return null
  return Math.trunc(value * unit)
}

export function evaluateCi(efficiency: Efficiency, rules: CiRules): CiResult {
  const dive = efficiency.dive
  const results = rules.rules.map((rule): CiRuleResult => {
    if (rule.threshold === null) return {key: rule.key, status: 'SKIP', measured: null, threshold: null, message: 'rule disabled'}
    const t = rule.threshold
    let measured: number
    let failed: boolean
    let message: string
    switch (rule.key) {
      case 'lowestEfficiency': {
        measured = dive.efficiency
        failed = t > measured
        message = `efficiency ${measured} is below the lowest allowed, ${t}`
        break
      }
      case 'highestWastedBytes': {
        measured = dive.wastedBytes
        failed = measured > t
        message = `${measured} bytes wasted, more than the ${t} allowed`
        break
      }
      case 'highestUserWastedPercent': {
        // NaN (nothing wasted, no user bytes) passes as in dive; +Inf (wasted bytes, no user bytes) fails.
        measured = userWastedRatio(dive)
        failed = t < measured
        message = `wasted bytes are ${measured} of the bytes added after the base layer, more than the ${t} allowed`
        break
      }
    }
    return {key: rule.key, status: failed ? 'FAIL' : 'PASS', measured: Number.isFinite(measured) ? measured : null, threshold: t, message: failed ? message : ''}
  })
  const counts = {
    total: results.length,
    passed: results.filter((r) => r.status === 'PASS').length,
    failed: results.filter((r) => r.status === 'FAIL').length,
    warned: 0,
    skipped: results.filter((r) => r.status === 'SKIP').length,
  }
  return {pass: counts.failed === 0, source: rules.source, rules: results, counts}
}
