/** Sizes the way Docker prints them: decimal units, three significant digits (`2.49 MB`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let n = bytes
  let u = 0
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000
    u++
  }
  const text = u === 0 ? String(n) : Number(n.toPrecision(3)).toString()
  return `${text} ${units[u]}`
}

export function plural(n: number, word: string, many = word + 's'): string {
  return `${n} ${n === 1 ? word : many}`
}

/** A command line as Docker shows it in `docker history`, without the classic builder's noise. */
export function shortCreatedBy(createdBy: string | null | undefined, width = 60): string {
  if (!createdBy) return ''
  const text = createdBy.replace(/^\/bin\/sh -c #\(nop\)\s+/, '').replace(/^\/bin\/sh -c /, 'RUN ').replace(/\s+/g, ' ').trim()
  return text.length > width ? text.slice(0, width - 1) + '…' : text
}

/** Go's %.3g: three significant digits, trailing zeros dropped, an exponent past them (`1e+03`). */
function goG3(x: number): string {
  const p = x.toPrecision(3)
  const e = p.indexOf('e')
  if (e === -1) return p.includes('.') ? p.replace(/\.?0+$/, '') : p
  const mantissa = p.slice(0, e).replace(/\.?0+$/, '')
  const exp = Number(p.slice(e + 1))
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
}

/** A size as `docker history` and `docker images` print it (go-units HumanSizeWithPrecision, 3): `1.98MB`, `0B`. */
export function dockerSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB']
  let n = bytes
  let u = 0
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000
    u++
  }
  return `${goG3(n)}${units[u]}`
}

/** How long ago, as Docker prints CREATED (go-units HumanDuration + " ago"): `7 minutes ago`, `2 years ago`. */
export function dockerAgo(created: string | null | undefined, now = Date.now()): string {
  if (!created) return ''
  const t = Date.parse(created)
  if (Number.isNaN(t)) return ''
  const seconds = Math.floor((now - t) / 1000)
  if (seconds < 0) return 'in the future'
  const minutes = Math.floor(seconds / 60)
  const hours = Math.floor((now - t) / 3_600_000 + 0.5)
  let text: string
  if (seconds < 1) text = 'Less than a second'
  else if (seconds === 1) text = '1 second'
  else if (seconds < 60) text = `${seconds} seconds`
  else if (minutes === 1) text = 'About a minute'
  else if (minutes < 60) text = `${minutes} minutes`
  else if (hours === 1) text = 'About an hour'
  else if (hours < 48) text = `${hours} hours`
  else if (hours < 24 * 7 * 2) text = `${Math.floor(hours / 24)} days`
  else if (hours < 24 * 30 * 2) text = `${Math.floor(hours / 24 / 7)} weeks`
  else if (hours < 24 * 365 * 2) text = `${Math.floor(hours / 24 / 30)} months`
  else text = `${Math.floor(Math.floor((now - t) / 3_600_000) / 24 / 365)} years`
  return `${text} ago`
}

/** Exact bytes with thousands separators (`2,580,123 B`), for when rounding would hide a change. */
export function exactSize(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} B`
}

/** Two sizes that differ, each rounded unless rounding would make them look alike. */
export function sizeChange(a: number, b: number): string {
  const [x, y] = [humanSize(a), humanSize(b)]
  return x === y ? `${exactSize(a)} -> ${exactSize(b)}` : `${x} -> ${y}`
}
