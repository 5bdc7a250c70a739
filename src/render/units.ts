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
