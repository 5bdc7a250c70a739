import {type CiResult} from '../compare/dive-ci.js'
import {type Efficiency, userWastedRatio} from '../compare/efficiency.js'
import {showPath} from './names.js'
import {PLAIN, type Style, wrapWords} from './style.js'
import {columns} from './table.js'
import {humanSize, plural, shortCreatedBy} from './units.js'

/**
 * Text for `imgdiff inspect --efficiency` and `--ci`.
 *
 * API:
 *   renderEfficiency(efficiency, {style?, limit?}): string   dive's figures, then imgdiff's exact hidden bytes per layer and per path
 *   renderCi(efficiency, result, {style?}): string           dive --ci's report: figures, inefficient paths, a PASS/FAIL/SKIP line
 *                                                           per rule and the `Result:` line (the command exits 1 when !result.pass)
 *   diveBytes(n), diveFixed4(x): dive's number formats
 *
 * The `--ci` figures and the Result line are printed exactly as dive prints them (same labels,
 * number formats and sizes), so logs and scripts that read dive's read imgdiff's; the wording of
 * messages is imgdiff's own.
 */
export interface EfficiencyTextOptions {
  style?: Style
  /** Rows of each list shown (the JSON has them all); default 20. */
  limit?: number
}

export function renderEfficiency(e: Efficiency, options: EfficiencyTextOptions = {}): string {
  const style = options.style ?? PLAIN
  const c = style.color
  const limit = options.limit ?? 20
  const d = e.dive
  const out: string[] = [c.bold('Efficiency, as dive v0.12 measures it:'), ...diveFigures(e).map((l) => `  ${l}`)]
  out.push(`  user bytes: ${diveBytes(d.userSizeBytes)} added after the first layer, of ${diveBytes(d.sizeBytes)} in all`)
  if (d.inefficientPaths.length === 0) {
    out.push('  inefficient paths: none (no path is in more than one layer)')
  } else {
    out.push(wrapWords(`  inefficient paths (in two or more layers; dive counts every copy as wasted): ${d.inefficientPaths.length}`, style.width))
    const rows = d.inefficientPaths.slice(0, limit).map((p) => [String(p.count), diveBytes(p.bytes), showPath(p.path)])
    out.push(indent(columns(['COUNT', 'TOTAL SPACE', 'PATH'], rows, {width: inner(style), flexible: 2, bold: c.bold})))
    if (d.inefficientPaths.length > limit) out.push(`    ... and ${d.inefficientPaths.length - limit} more (--json lists them all)`)
  }
  out.push('')
  const h = e.hidden
  out.push(
    wrapWords(
      c.bold('Hidden bytes, exactly:') +
        ` ${humanSize(h.bytes)} in ${plural(h.files, 'file')} stored in the layers but not visible in the final filesystem (overwritten or deleted later); ${humanSize(h.storedBytes)} of file content stored, ${humanSize(h.visibleBytes)} visible.`,
      style.width,
    ),
  )
  const layerRows = e.layers.map((l) => [
    String(l.index + 1),
    l.step === null ? '' : String(l.step),
    shortCreatedBy(l.createdBy, 40),
    humanSize(l.contentBytes),
    count(l.added),
    count(l.changed),
    count(l.removed),
    l.hidden.files === 0 ? '-' : `${humanSize(l.hidden.bytes)} (${l.hidden.files})`,
  ])
  out.push(indent(columns(['LAYER', 'STEP', 'CREATED BY', 'CONTENT', 'ADDED', 'CHANGED', 'REMOVED', 'HIDDEN'], layerRows, {width: inner(style), flexible: 2, bold: c.bold})))
  if (h.paths.length > 0) {
    out.push('', `  Hidden, by path (largest first):`)
    const rows = h.paths.slice(0, limit).map((p) => [humanSize(p.bytes), String(p.copies), p.layers.map((i) => i + 1).join(','), p.why, showPath(p.path)])
    out.push(indent(columns(['BYTES', 'COPIES', 'LAYERS', 'WHY', 'PATH'], rows, {width: inner(style), flexible: 4, bold: c.bold})))
    if (h.paths.length > limit) out.push(`    ... and ${h.paths.length - limit} more (--json lists them all)`)
  }
  return out.join('\n')
}

export interface CiTextOptions {
  style?: Style
}

export function renderCi(e: Efficiency, result: CiResult, options: CiTextOptions = {}): string {
  const style = options.style ?? PLAIN
  const c = style.color
  const out: string[] = [result.source === null ? '  Using default CI config' : `  Using CI config: ${result.source}`]
  out.push(...diveFigures(e).map((l) => `  ${l}`))
  out.push(c.bold('Inefficient Files:'))
  if (e.dive.inefficientPaths.length === 0) {
    out.push('None')
  } else {
    out.push(`${'Count'.padStart(5)}  ${'Total Space'.padStart(12)}  Path`)
    for (const p of e.dive.inefficientPaths) out.push(`${String(p.count).padStart(5)}  ${diveBytes(p.bytes).padStart(12)}  ${showPath(p.path)}`)
  }
  out.push(c.bold('Results:'))
  for (const r of result.rules) {
    const status = r.status === 'FAIL' ? c.bold(c.inverse(c.red('FAIL'))) : r.status === 'SKIP' ? c.blue('SKIP') : 'PASS'
    // Wrapped on a terminal only: piped, each rule stays one line, as dive prints it.
    out.push(wrapWords(`  ${status}: ${r.key}${r.message ? `: ${r.message}` : ''}`, style.width, '        '))
  }
  const n = result.counts
  const line = `Result:${result.pass ? 'PASS' : 'FAIL'} [Total:${n.total}] [Passed:${n.passed}] [Failed:${n.failed}] [Warn:${n.warned}] [Skipped:${n.skipped}]`
  out.push(result.pass ? c.green(line) : c.red(line))
  return out.join('\n')
}

/** The three figures as dive prints them. */
function diveFigures(e: Efficiency): string[] {
  const d = e.dive
  return [
    `efficiency: ${diveFixed4(100 * d.efficiency)} %`,
    `wastedBytes: ${d.wastedBytes} bytes (${diveBytes(d.wastedBytes)})`,
    `userWastedPercent: ${diveFixed4(100 * userWastedRatio(d))} %`,
  ]
}

function count(c: {files: number; bytes: number}): string {
  if (c.files === 0) return '-'
  return c.bytes === 0 ? String(c.files) : `${c.files} (${humanSize(c.bytes)})`
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')
}

function inner(style: Style): number | null {
  return style.width === null ? null : Math.max(40, style.width - 4)
}

/**
 * A size as dive prints it (go-humanize Bytes): decimal units, one decimal below 10, else none
 * with halves rounded to even (`12 kB` for 12,500 bytes); `999999` stays `1000 kB`.
 */
export function diveBytes(n: number): string {
  if (n < 10) return `${n} B`
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']
  const e = Math.floor(Math.log(n) / Math.log(1000))
  const tenths = Math.floor((n / 1000 ** e) * 10 + 0.5)
  if (tenths < 100) return `${Math.floor(tenths / 10)}.${tenths % 10} ${units[e]}`
  const whole = Math.floor(tenths / 10)
  const rest = tenths % 10
  return `${rest > 5 || (rest === 5 && whole % 2 === 1) ? whole + 1 : whole} ${units[e]}`
}

/** Go's %2.4f: four decimals, an exact half rounded to even (JavaScript's toFixed rounds it up); NaN and +Inf as Go writes them. */
export function diveFixed4(x: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf'
  // toFixed(100) is the exact decimal value of the double (it has far fewer digits than that).
  const exact = Math.abs(x).toFixed(100)
  const dot = exact.indexOf('.')
  const tail = exact.slice(dot + 5)
  if (!/^50*$/.test(tail)) return x.toFixed(4)
  const kept = BigInt(exact.slice(0, dot) + exact.slice(dot + 1, dot + 5))
  const rounded = kept % 2n === 0n ? kept : kept + 1n
  const digits = rounded.toString().padStart(5, '0')
  return `${x < 0 ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`
}
