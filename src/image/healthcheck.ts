/**
 * A HEALTHCHECK instruction in Dockerfile syntax, as `docker import --change` takes it, turned into
 * the config's Healthcheck the way Docker records it: Test (`["NONE"]`, `["CMD", ...]` for a JSON
 * list, `["CMD-SHELL", text]` otherwise) and only the options given, durations in nanoseconds.
 * (History entries record a Go struct dump instead, which is not read here.)
 */
export interface Healthcheck {
  Test: string[]
  Interval?: number
  Timeout?: number
  StartPeriod?: number
  Retries?: number
}

const DURATIONS: Record<string, 'Interval' | 'Timeout' | 'StartPeriod'> = {interval: 'Interval', timeout: 'Timeout', 'start-period': 'StartPeriod'}
const UNIT_NS: Record<string, number> = {ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9}

/** The Healthcheck, or what is wrong with the instruction (worded after Docker's own messages). */
export function parseHealthcheck(arg: string): Healthcheck | string {
  let rest = arg.trim()
  const options: Omit<Healthcheck, 'Test'> = {}
  for (let m = /^--([a-z-]+)=(\S*)\s*/.exec(rest); m; m = /^--([a-z-]+)=(\S*)\s*/.exec(rest)) {
    const [all, name, value] = m
    rest = rest.slice(all.length)
    if (name === 'retries') {
      if (!/^\d+$/.test(value) || Number(value) < 1) return `--retries must be at least 1 (not ${value})`
      options.Retries = Number(value)
      continue
    }
    const field = DURATIONS[name]
    if (!field) return `unknown flag: ${name}`
    const ns = goDuration(value)
    if (ns === null) return `--${name}: ${value} is not a duration (e.g. 30s, 1m30s, 500ms)`
    if (ns < 1e6) return `--${name} cannot be less than 1ms`
    options[field] = ns
  }
  const [, kind = '', command = ''] = /^(\S*)\s*(.*)$/s.exec(rest) ?? []
  if (kind.toUpperCase() === 'NONE') return command === '' && Object.keys(options).length === 0 ? {Test: ['NONE']} : 'HEALTHCHECK NONE takes no other arguments'
  if (kind.toUpperCase() !== 'CMD') return `unknown type ${JSON.stringify(kind)} in HEALTHCHECK (try CMD)`
  if (command.trim() === '') return 'missing command after HEALTHCHECK CMD'
  return {Test: jsonList(command) ?? ['CMD-SHELL', command.trim()], ...options}
}

/** `["curl", "-f", "x"]` as the exec form: ["CMD", "curl", "-f", "x"]. */
function jsonList(text: string): string[] | null {
  try {
    const v = JSON.parse(text) as unknown
    return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? ['CMD', ...(v as string[])] : null
  } catch {
    return null
  }
}

/** A Go duration (`1m30s`, `1.5s`, `500ms`) in nanoseconds, or null. */
function goDuration(text: string): number | null {
  if (text === '0') return 0
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y
  let ns = 0
  let at = 0
  while (at < text.length) {
    re.lastIndex = at
    const m = re.exec(text)
    if (!m) return null
    ns += Number(m[1]) * UNIT_NS[m[2]]
    at = re.lastIndex
  }
  return at === 0 ? null : Math.round(ns)
}
