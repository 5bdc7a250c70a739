import {type Image, runtimeConfig} from '../image/model.js'

/** The runtime config fields users care about, in the order Docker documents them. */
export const CONFIG_FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal', 'Healthcheck', 'OnBuild', 'Shell'] as const

export interface ConfigChange {
  field: string
  a: unknown
  b: unknown
}

export interface HistoryRow {
  step: number
  status: 'same' | 'different' | 'only-a' | 'only-b'
  a: string | null
  b: string | null
}

export function hasValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (typeof v === 'object') return Object.keys(v).length > 0
  return true
}

/** Config fields that hold a value (what an export loses). */
export function configFieldsWithValues(image: Image): string[] {
  const cfg = runtimeConfig(image)
  return CONFIG_FIELDS.filter((f) => hasValue(cfg[f]))
}

export function diffConfig(a: Image, b: Image): ConfigChange[] {
  const x = runtimeConfig(a)
  const y = runtimeConfig(b)
  const changes: ConfigChange[] = []
  for (const field of CONFIG_FIELDS) {
    const va = hasValue(x[field]) ? x[field] : null
    const vb = hasValue(y[field]) ? y[field] : null
    if (JSON.stringify(va) !== JSON.stringify(vb)) changes.push({field, a: va, b: vb})
  }
  for (const field of ['architecture', 'os', 'variant']) {
    const va = a.config?.[field] ?? null
    const vb = b.config?.[field] ?? null
    if (JSON.stringify(va) !== JSON.stringify(vb)) changes.push({field, a: va, b: vb})
  }
  return changes
}

function step(image: Image, i: number): string | null {
  const h = image.history[i]
  if (!h) return null
  return h.createdBy ?? h.comment ?? ''
}

export function diffHistory(a: Image, b: Image): HistoryRow[] {
  const rows: HistoryRow[] = []
  for (let i = 0; i < Math.max(a.history.length, b.history.length); i++) {
    const x = step(a, i)
    const y = step(b, i)
    const status = x === null ? 'only-b' : y === null ? 'only-a' : x === y ? 'same' : 'different'
    rows.push({step: i + 1, status, a: x, b: y})
  }
  return rows
}
