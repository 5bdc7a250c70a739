import Table from 'cli-table3'

const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '',
}
const GAP = 2

export interface ColumnsOptions {
  /** The width every row must fit (null: no limit). */
  width: number | null
  /** The column that gives way when rows are too wide (cut with an ellipsis), or null. */
  flexible: number | null
  bold?: (s: string) => string
}

/**
 * A borderless table in the style of `docker history` / `docker images` (cli-table3), whose rows
 * fit `width`: the flexible column is narrowed, then cut, and no row wraps.
 */
export function columns(head: string[], rows: string[][], options: ColumnsOptions): string {
  const natural = head.map((h, i) => Math.max(len(h), ...rows.map((r) => len(r[i] ?? ''))) + GAP)
  const widths = [...natural]
  if (options.width !== null) {
    // The last column's padding is trimmed away, so it does not count.
    const total = widths.reduce((a, b) => a + b, 0) - GAP
    const over = total - options.width
    if (over > 0 && options.flexible !== null) widths[options.flexible] = Math.max(len(head[options.flexible]) + GAP, widths[options.flexible] - over)
  }
  const t = new Table({
    head: head.map((h) => (options.bold ? options.bold(h) : h)),
    colWidths: widths,
    wordWrap: false,
    truncate: '…',
    style: {head: [], border: [], 'padding-left': 0, 'padding-right': GAP},
    chars: BORDERLESS,
  })
  for (const r of rows) t.push(r)
  const lines = t.toString().split('\n').map((l) => l.trimEnd())
  // Should the fixed columns alone be wider than the screen, cut what is left.
  return lines.map((l) => (options.width !== null && len(l) > options.width ? [...strip(l)].slice(0, options.width - 1).join('') + '…' : l)).join('\n')
}

/** The old helper: a table of natural width. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  return columns(head, rows.map((r) => r.map(String)), {width: null, flexible: null})
}

function strip(s: string): string {
  return s.replace(/\u001B\[[0-9;]*m/g, '')
}

function len(s: string): number {
  return [...strip(s)].length
}
